/*
 * apdu/card.h: the card-driver interface, card-neutral.
 *
 * The front end (src/) sees a card only through struct card and the operations
 * of its struct card_driver (PIV first: apdu/piv*.c; OpenPGP later). Drivers
 * build and parse APDUs with apdu/apdu.h and reach the reader through the
 * struct reader_ops of reader/reader.h. Errors are card_rv values; the front end
 * translates them to CKR_* at its boundary (src/), drivers translate status words
 * and reader_rv values into card_rv at theirs.
 */
#ifndef TSR_CARD_H
#define TSR_CARD_H

#include <stddef.h>
#include <stdint.h>

#include "reader/reader.h"

typedef enum {
	CARD_OK = 0,
	CARD_E_REMOVED,         /* the card was removed (→ CKR_DEVICE_REMOVED) */
	CARD_E_NO_SERVICE,      /* pcscd gone (→ CKR_DEVICE_ERROR) */
	CARD_E_COMM,            /* no answer, transmission error (→ CKR_DEVICE_ERROR) */
	CARD_E_BAD_RESPONSE,    /* the card answered something malformed (→ CKR_DEVICE_ERROR) */
	CARD_E_NOT_FOUND,       /* object / key absent (6A82, 6A88) */
	CARD_E_SECURITY,        /* security status not satisfied (6982): PIN or admin auth needed */
	CARD_E_PIN_INCORRECT,   /* 63Cx: tries_left says how many remain (→ CKR_PIN_INCORRECT) */
	CARD_E_PIN_LOCKED,      /* 6983 (→ CKR_PIN_LOCKED) */
	CARD_E_PIN_LEN,         /* PIN length outside the card's rules (→ CKR_PIN_LEN_RANGE) */
	CARD_E_PIN_INVALID,     /* PIN characters not allowed (→ CKR_PIN_INVALID) */
	CARD_E_AUTH_FAILED,     /* management key / admin authentication refused */
	CARD_E_NOT_SUPPORTED,   /* the card (or this card model) cannot do it (6D00, 6A81, ...) */
	CARD_E_INVALID_DATA,    /* the caller's data is wrong for this key or card (6A80, 6700) */
	CARD_E_NO_SPACE,        /* card memory full (6A84) */
	CARD_E_NO_MEMORY,       /* host out of memory */
	CARD_E_INTERNAL,        /* any other status word or a bug: logged with the SW */
} card_rv;

/* Human-readable name of a card_rv, for log lines. Never NULL. */
const char *card_rv_name (card_rv rv);

/* Key algorithms the card-neutral layer knows. */
enum card_alg {
	CARD_ALG_NONE = 0,     /* unknown: neither metadata nor certificate says */
	CARD_ALG_RSA1024,
	CARD_ALG_RSA2048,
	CARD_ALG_RSA3072,
	CARD_ALG_RSA4096,
	CARD_ALG_EC_P256,
	CARD_ALG_EC_P384,
};

enum card_pin_policy {
	CARD_PIN_POLICY_DEFAULT = 0,  /* the slot's default (PIV: 9C always, 9E never, else once) */
	CARD_PIN_POLICY_NEVER,
	CARD_PIN_POLICY_ONCE,
	CARD_PIN_POLICY_ALWAYS,
};

enum card_touch_policy {
	CARD_TOUCH_POLICY_DEFAULT = 0,
	CARD_TOUCH_POLICY_NEVER,
	CARD_TOUCH_POLICY_ALWAYS,
	CARD_TOUCH_POLICY_CACHED,
};

enum card_pin {
	CARD_PIN_USER,   /* PIV application PIN (key reference 80) */
	CARD_PIN_SO,     /* PIV PUK (key reference 81) */
};

/* One key slot of the card and what is known about it. Filled by list_keys(). */
struct card_key {
	uint8_t ref;                    /* card key reference (PIV: 9A, 9C, 9D, 9E, 82..95) */
	uint8_t id;                     /* CKA_ID byte (PIV: 01=9A 02=9C 03=9D 04=9E 05..18=82..95) */
	char slot_name[32];             /* e.g. "PIV AUTH key", "SIGN key", "RETIRED1 key" */
	int has_key;                    /* 1: the slot holds a private key (metadata or certificate) */
	enum card_alg alg;              /* CARD_ALG_NONE when unknown */
	enum card_pin_policy pin_policy;/* resolved: never DEFAULT after list_keys() */
	enum card_touch_policy touch_policy;
	int origin_generated;           /* 1 generated on card, 0 imported, -1 unknown */
	uint8_t *cert_der;              /* the slot's X.509 certificate, or NULL; owned by the array */
	size_t cert_len;
	uint8_t *spki_der;              /* SubjectPublicKeyInfo from metadata/generation when known
	                                   without a certificate, or NULL; owned by the array */
	size_t spki_len;
};

/* A private key for import_key(): its components, big-endian unsigned integers (leading
 * zeros allowed), not owned; the caller wipes them after the call. RSA (CARD_ALG_RSA*):
 * the CRT parameters p, q, dp = d mod (p-1), dq = d mod (q-1), qinv = q^-1 mod p; the
 * public exponent is 65537. EC (CARD_ALG_EC_*): the private scalar. */
struct card_key_parts {
	enum card_alg alg;
	const uint8_t *p, *q, *dp, *dq, *qinv;
	size_t p_len, q_len, dp_len, dq_len, qinv_len;
	const uint8_t *scalar;
	size_t scalar_len;
};

/* Free an array from list_keys(). Accepts NULL. */
void card_keys_free (struct card_key *keys, size_t count);

/* Static identity of a card, read once at probe (no APDU afterwards). */
struct card_info {
	char serial[33];         /* printable, NUL-terminated: e.g. the YubiKey serial or CHUID FASC-N/GUID */
	char model[33];          /* e.g. "YubiKey 5", "PIV card" */
	char manufacturer[33];   /* e.g. "Yubico", "unknown" */
	uint8_t version[3];      /* firmware / application version when known */
	int pin_min, pin_max;    /* the card's PIN length rules (PIV: 6..8) */
	int puk_min, puk_max;
	int can_generate;        /* card supports on-card key generation */
	int can_import;          /* card supports private-key import (YubiKey) */
	int can_reset;           /* card supports a reset when PIN and PUK are blocked (YubiKey) */
	int has_metadata;        /* card can report per-key metadata (YubiKey >= 5.3) */
};

struct card_driver;

/* A connected card. Owned by the front end's token; card_close() frees it. */
struct card {
	const struct reader_ops *reader;
	struct reader_conn *conn;         /* owned */
	const struct card_driver *driver;
	void *driver_data;                /* owned by the driver, freed by driver->release() */
	struct card_info info;
	int in_transaction;
	int chain_open;                   /* apdu.c: a chained command failed; the card may still
	                                     be in its chain, ended before the next command */
};

/*
 * A card driver. Every operation but probe/release runs inside a transaction
 * opened with card_begin(); the driver transmits with apdu/apdu.h.
 */
struct card_driver {
	const char *name;    /* "piv" */

	/* Is this our card? Selects the application and reads the identity into card->info.
	 * CARD_E_NOT_SUPPORTED when the card is not of this family. Allocates driver_data. */
	card_rv (*probe) (struct card *card);
	/* Restore the application state after a reset by another process (re-select). */
	card_rv (*reselect) (struct card *card);
	/* Free driver_data. */
	void (*release) (struct card *card);

	/* Every key slot that holds a key or a certificate. *keys is owned by the caller
	 * (card_keys_free). Reads certificates and metadata: the front end caches the result. */
	card_rv (*list_keys) (struct card *card, struct card_key **keys, size_t *count);

	/* PIN state without sending a PIN (PIV: empty VERIFY). *verified 1 when the card
	 * currently holds the PIN as verified; *tries_left -1 when unknown. */
	card_rv (*pin_status) (struct card *card, enum card_pin which, int *verified, int *tries_left);
	card_rv (*verify_pin) (struct card *card, enum card_pin which,
	                       const uint8_t *pin, size_t pin_len, int *tries_left);
	/* Forget the verified PIN on the card (PIV: VERIFY P1=FF). */
	card_rv (*logout) (struct card *card);
	card_rv (*change_pin) (struct card *card, enum card_pin which,
	                       const uint8_t *old_pin, size_t old_len,
	                       const uint8_t *new_pin, size_t new_len, int *tries_left);
	/* Unblock the user PIN with the SO PIN (PUK) and set a new user PIN. */
	card_rv (*unblock_pin) (struct card *card, const uint8_t *puk, size_t puk_len,
	                        const uint8_t *new_pin, size_t new_len, int *tries_left);

	/* Raw RSA private-key operation (sign or decrypt): IN is exactly the modulus size. */
	card_rv (*rsa_raw) (struct card *card, uint8_t ref, const uint8_t *in, size_t in_len,
	                    uint8_t *out, size_t *out_len);
	/* ECDSA over a hash: OUT receives the signature as r||s, each the curve's size. */
	card_rv (*ecdsa_sign) (struct card *card, uint8_t ref, const uint8_t *hash, size_t hash_len,
	                       uint8_t *out, size_t *out_len);
	/* ECDH: POINT is the peer's uncompressed point; OUT receives the shared x-coordinate. */
	card_rv (*ecdh) (struct card *card, uint8_t ref, const uint8_t *point, size_t point_len,
	                 uint8_t *out, size_t *out_len);

	/* Administrative authentication (PIV: management key 9B; the driver knows the
	 * key's algorithm from metadata or tries 3DES then AES). */
	card_rv (*admin_auth) (struct card *card, const uint8_t *key, size_t key_len);
	/* Generate a key pair in slot REF; *spki (owned by the caller, free()) receives the
	 * SubjectPublicKeyInfo DER of the new public key. Needs admin_auth first. */
	card_rv (*generate) (struct card *card, uint8_t ref, enum card_alg alg,
	                     enum card_pin_policy pin_policy, enum card_touch_policy touch_policy,
	                     uint8_t **spki, size_t *spki_len);
	/* Write (DER != NULL) or delete (DER == NULL) the certificate of slot REF. Needs admin_auth. */
	card_rv (*write_cert) (struct card *card, uint8_t ref, const uint8_t *der, size_t der_len);
	/* Read / write a generic data object (PIV: GET DATA / PUT DATA by tag), e.g. the
	 * PIN-protected management key or printed information. *data owned by the caller. */
	card_rv (*read_object) (struct card *card, uint32_t tag, uint8_t **data, size_t *len);
	card_rv (*write_object) (struct card *card, uint32_t tag, const uint8_t *data, size_t len);

	/* Return the card to its factory state where it offers that (YubiKey: only once PIN and
	 * PUK are both blocked); CARD_E_NOT_SUPPORTED elsewhere. The caller re-reads the card. */
	card_rv (*reset) (struct card *card);
	/* Replace the management key (YubiKey SET MANAGEMENT KEY); needs admin_auth first.
	 * KEY_LEN 16, 24 (3DES, or the current AES-192) or 32. CARD_E_NOT_SUPPORTED elsewhere. */
	card_rv (*set_admin_key) (struct card *card, const uint8_t *key, size_t key_len);
	/* Import the private key KEY into slot REF (YubiKey IMPORT ASYMMETRIC KEY); needs
	 * admin_auth first. Cards without an import command: CARD_E_NOT_SUPPORTED without an
	 * APDU (card->info.can_import 0), or a NULL operation. Never logs key material. */
	card_rv (*import_key) (struct card *card, uint8_t ref, const struct card_key_parts *key,
	                       enum card_pin_policy pin_policy, enum card_touch_policy touch_policy);
};

/* The drivers, tried in this order by card_open(). */
extern const struct card_driver card_driver_piv;

/* Connect to the card in READER_NAME and find its driver (probe). *card owned by the caller. */
card_rv card_open (const struct reader_ops *reader, const char *reader_name, struct card **card);
/* Disconnect and free. Accepts NULL. */
void card_close (struct card *card);

/* Start / end one card operation (one PC/SC transaction). On a reset by another process
 * card_begin() re-selects through the driver and sets *was_reset to 1: the caller must
 * then restore what it holds (re-verify a logged-in user's PIN). */
card_rv card_begin (struct card *card, int *was_reset);
void card_end (struct card *card);

#endif /* TSR_CARD_H */
