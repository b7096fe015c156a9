/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * src/conf.h: the configuration file, tessera.conf(5).
 *
 * (Named conf.h, not config.h: every source file includes autoconf's
 * "config.h", which a src/config.h would shadow.)
 *
 * SYSCONFDIR/tessera/tessera.conf, or the file named by TESSERA_CONF: `key = value`
 * lines, `#` comments. An unknown key or a bad value is one log line and the
 * default; a missing or unreadable file is the defaults. Loading never fails.
 */
#ifndef TSR_CONF_H
#define TSR_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "reader/reader.h"

/* SYSCONFDIR/tessera/tessera.conf; TSR_SYSCONFDIR comes from configure's --sysconfdir
 * (src/Makefile.am), "/etc" in distribution packages. */
#ifndef TSR_SYSCONFDIR
#error "TSR_SYSCONFDIR is set by src/Makefile.am from configure's --sysconfdir"
#endif
#define TSR_CONF_DEFAULT_PATH TSR_SYSCONFDIR "/tessera/tessera.conf"
#define TSR_CONF_MAX_KEY 32          /* AES-256 */
#define TSR_CONF_MAX_LINE 1024       /* longer lines are ignored (logged) */
#define TSR_CONF_MAX_SIZE (1024 * 1024)  /* a larger file (or not a regular file) is not read */
#define TSR_CONF_CARD_TIMEOUT 120        /* card_timeout default, seconds */

enum tsr_pin_policy_mode {
	TSR_PIN_POLICY_CARD = 0,     /* the card's own rules only (default) */
	TSR_PIN_POLICY_FIPS,         /* plus the FIPS rule of NSS "Roles and services" */
};

/* Keys the card wants a PIN for at every use (PIV PIN policy "always", CKA_ALWAYS_AUTHENTICATE). */
enum tsr_pin_always_mode {
	TSR_PIN_ALWAYS_ASK = 0,      /* a PIN per use: C_Login(CKU_CONTEXT_SPECIFIC) (default) */
	TSR_PIN_ALWAYS_LOGIN_PIN,    /* the module verifies the login PIN again before each use */
};

/* A management key for the card with this serial number. */
struct tsr_conf_mgm_key {
	char serial[33];
	uint8_t key[TSR_CONF_MAX_KEY];   /* wiped by tsr_conf_clear */
	size_t key_len;                  /* 16, 24 or 32 */
};

struct tsr_conf {
	enum tsr_pin_policy_mode pin_policy;
	bool allow_default_mgm_key;          /* default true */
	long card_timeout;                   /* seconds a card may take to answer (0: no limit) */
	struct tsr_conf_mgm_key *mgm_keys;   /* owned; one per serial */
	size_t n_mgm_keys;
	size_t cap_mgm_keys;                 /* allocated entries */
	enum tsr_pin_always_mode pin_always_keys;   /* default TSR_PIN_ALWAYS_ASK */
	enum reader_choice reader_backend;   /* default auto */
	char *log_debug;                     /* "log": categories as in TESSERA_DEBUG, or NULL; owned */
	char *log_file;                      /* "log_file": absolute path, or NULL; owned */
};

/* Defaults into CONF (nothing allocated). */
void tsr_conf_defaults (struct tsr_conf *conf);
/* Parse the file PATH into CONF (defaults first). Never fails: problems are logged
 * (category "conf") and leave the defaults; reads are bounded (TSR_CONF_MAX_SIZE, regular
 * files only). CONF owns what it holds: tsr_conf_clear. */
void tsr_conf_parse_file (const char *path, struct tsr_conf *conf);
/* Parse the LEN bytes of a file's contents (PATH for the log) into CONF, as
 * tsr_conf_parse_file does after reading: a line with a NUL byte or longer than
 * TSR_CONF_MAX_LINE is logged and ignored, never its neighbours; linear time. */
void tsr_conf_parse_buffer (struct tsr_conf *conf, const char *path, const char *data, size_t len);
/* Parse one line (no newline); LINENO for the log. */
void tsr_conf_parse_line (struct tsr_conf *conf, const char *path, unsigned lineno, const char *line);
/* Wipe the keys, free, back to the defaults. */
void tsr_conf_clear (struct tsr_conf *conf);
/* The management key configured for SERIAL, or NULL. Borrowed from CONF. */
const struct tsr_conf_mgm_key *tsr_conf_mgm_key (const struct tsr_conf *conf, const char *serial);

/* The I-th key the parser knows (0, 1, ...; NULL after the last), in the order of the
 * manual page. A name ending in '.' is a prefix (management_key.SERIAL). */
const char *tsr_conf_key_name (size_t i);

/* The module's configuration: loaded by C_Initialize (TESSERA_CONF or the default
 * path), cleared by C_Finalize; read with the module lock held, or between the two.
 * Loading also hands "log" and "log_file" to the logger (the environment wins). */
void tsr_conf_load (void);
void tsr_conf_unload (void);
const struct tsr_conf *tsr_conf_get (void);

/* Parse exactly 2*LEN hex digits of S (LEN 16, 24 or 32) into KEY. 0 on success. */
int tsr_conf_parse_hex_key (const char *s, size_t s_len, uint8_t key[TSR_CONF_MAX_KEY], size_t *key_len);

#endif /* TSR_CONF_H */
