/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tools/tool.h: the `tessera` command-line tool, for users and helpdesks.
 *
 * It reads the card through the same layers as the module (reader/ backends and
 * monitor, apdu/ card drivers), through the card-neutral part of struct card_driver
 * only (probe via card_open, list_keys, pin_status, card->info), so it works for
 * any driver and shows facts PKCS #11 would hide (the reader held by another
 * program, the PUK counter, touch policies). Subcommands: status, doctor, register,
 * trace (main.c says which file holds each). Output is plain text, or JSON with
 * --json (json.c).
 */
#ifndef TSR_TOOL_H
#define TSR_TOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "apdu/card.h"
#include "reader/reader.h"
#include "tools/json.h"

/* Exit codes (documented in tessera(1)). */
enum tool_exit {
	TOOL_EXIT_OK = 0,
	TOOL_EXIT_PROBLEM = 1,      /* doctor: a check failed; register: a profile was not changed */
	TOOL_EXIT_USAGE = 2,
	TOOL_EXIT_NO_SERVICE = 3,   /* pcscd cannot be reached */
	TOOL_EXIT_NO_READER = 4,
	TOOL_EXIT_NO_CARD = 5,
	TOOL_EXIT_CARD = 6,         /* a card that cannot be used: held by another program, mute, unknown */
	TOOL_EXIT_PIN_BLOCKED = 7,
};

/* Options common to every subcommand. */
struct tool_opts {
	bool json;
	const char *module;   /* the module to look for / register: --module, else the installed path */
};

/* ---- facts.c, cardfacts.c: what the layers below say about readers and cards ---- */

enum tool_card_state {
	TOOL_CARD_NONE = 0,      /* no card in the reader */
	TOOL_CARD_OK,            /* a driver took the card: info, PINs and keys are filled */
	TOOL_CARD_HELD,          /* another program holds the reader exclusively */
	TOOL_CARD_MUTE,          /* the card does not answer */
	TOOL_CARD_UNKNOWN,       /* no driver knows this card */
	TOOL_CARD_GONE,          /* removed while being read */
	TOOL_CARD_ERROR,         /* anything else: error says what */
};

/* What the tool adds to one struct card_key. */
struct tool_key {
	char ref_hex[3];             /* the card's key reference, as the driver reports it */
	char name[48];               /* the slot's name in the driver's slot table ("PIV AUTH") */
	uint8_t id[64];              /* the CKA_ID an application sees: a stored alias, else the driver's */
	size_t id_len;
	char id_hex[2 * 64 + 1];
	bool id_is_alias;            /* the CKA_ID comes from the pairing store (set by an application) */
	char uri[1024];              /* PKCS #11 URI of the private key (type=private), "" without a key */
	bool has_cert;
	char subject[512];           /* RFC 2253, UTF-8 */
	char issuer[512];
	char not_after[32];          /* ISO 8601, UTC */
	long days_left;              /* whole days until not_after (negative: expired) */
};

struct tool_card {
	enum tool_card_state state;
	char error[96];              /* the layer's error name when state is not OK/NONE */
	char atr_hex[2 * READER_MAX_ATR + 1];
	const char *driver;          /* the driver's name ("piv", ...) */
	struct card_info info;
	int pin_tries;               /* -1 unknown */
	int pin_verified;
	int puk_tries;               /* -1 unknown (cards that cannot tell) */
	char token_uri[512];         /* the token as the module shows it */
	struct card_key *keys;       /* owned (card_keys_free), as list_keys gave them */
	struct tool_key *extra;      /* owned, one per key */
	size_t n_keys;
};

struct tool_reader {
	char name[READER_MAX_NAME];
	const char *backend;         /* "pcsc" */
	struct tool_card card;
};

struct tool_facts {
	const char *backend;         /* the reader backend asked: "pcsc" */
	bool service_up;             /* the backend's service (pcscd) answered */
	struct tool_reader *readers; /* owned */
	size_t n_readers;
};

/* Ask the reader layer for its readers and each card for what it is; never fails
 * (what went wrong is in the facts). tool_facts_free releases. */
void tool_facts_gather (struct tool_facts *facts);
void tool_facts_free (struct tool_facts *facts);
/* Fill READER->card from the card in the reader (cardfacts.c). */
void tool_card_read (const struct reader_ops *ops, struct tool_reader *reader);
/* The exit code status reports for these facts (TOOL_EXIT_*). */
int tool_facts_exit (const struct tool_facts *facts);

/* Names for output. Never NULL. */
const char *tool_alg_name (enum card_alg alg);
const char *tool_pin_policy_name (enum card_pin_policy policy);
const char *tool_touch_policy_name (enum card_touch_policy policy);
const char *tool_card_state_name (enum tool_card_state state);

/* ---- cert.c, uri.c ---- */

/* Subject, issuer, expiry of a DER certificate into KEY; false when it does not parse. */
bool tool_cert_describe (const uint8_t *der, size_t len, struct tool_key *key);
/* Append S to OUT (size SIZE) percent-encoded for a PKCS #11 URI attribute value (RFC 7512). */
void tool_uri_append (char *out, size_t size, const char *s);
/* Append the bytes DATA as %XX%XX... */
void tool_uri_append_bytes (char *out, size_t size, const uint8_t *data, size_t len);

/* ---- profiles.c: Firefox and Thunderbird profiles and their NSS module lists ---- */

enum tool_app { TOOL_APP_FIREFOX = 1, TOOL_APP_THUNDERBIRD = 2 };

struct tool_profile {
	enum tool_app app;
	char name[128];
	char path[4096];             /* the profile folder */
	bool has_db;                 /* cert9.db and pkcs11.txt: an NSS sql database */
	bool in_use;                 /* the application runs with it (its lock is held) */
};

struct tool_nss_module {
	char name[256];
	char library[4096];          /* as written; "" for NSS's internal module */
};

/* The profiles of the applications in APPS (a mask of tool_app) under $HOME.
 * *profiles owned by the caller (free()). */
void tool_profiles_find (unsigned apps, struct tool_profile **profiles, size_t *count);
const char *tool_app_name (enum tool_app app);
/* The modules of a profile's pkcs11.txt; *modules owned (free()). false when unreadable. */
bool tool_profile_modules (const struct tool_profile *profile, struct tool_nss_module **modules,
                           size_t *count);
/* Is LIBRARY (a path or bare name) tessera's module? (its file name is tessera-pkcs11.so) */
bool tool_is_tessera_module (const char *library);
/* Add or remove an entry of the profile's pkcs11.txt, rewritten atomically. */
bool tool_pkcs11txt_add (const struct tool_profile *profile, const char *name, const char *library,
                         char *err, size_t err_size);
bool tool_pkcs11txt_remove (const struct tool_profile *profile, const char *name, char *err, size_t err_size);

/* ---- modules.c: other PKCS #11 modules that offer the same card ---- */

struct tool_other {
	char module[256];            /* its name in p11-kit or in the profile */
	char library[4096];
	char where[4200];            /* "p11-kit", or "Firefox profile NAME" */
	char reader[READER_MAX_NAME];/* our reader whose card it offers too */
};

/* Is tessera registered in p11-kit (as this program sees p11-kit's configuration)?
 * *others (owned, free()) receives the other modules, registered in p11-kit or in
 * PROFILES, that offer a card of FACTS' readers. */
bool tool_modules_check (const struct tool_facts *facts, const struct tool_profile *profiles,
                         size_t n_profiles, struct tool_other **others, size_t *n_others,
                         bool *p11kit_ok);

/* ---- the subcommands ---- */
int tool_status (const struct tool_opts *opts, int argc, char **argv);
int tool_doctor (const struct tool_opts *opts, int argc, char **argv);
int tool_register (const struct tool_opts *opts, int argc, char **argv);
int tool_trace (const struct tool_opts *opts, int argc, char **argv);

/* Print the facts (status.c), as text or into JSON. */
void tool_status_text (FILE *out, const struct tool_facts *facts);
void tool_status_json (struct json *j, const struct tool_facts *facts);

#endif /* TSR_TOOL_H */
