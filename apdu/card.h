/* SPDX-License-Identifier: LGPL-2.1-or-later */
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
	CARD_E_REFUSED,         /* the card refuses in its present state (6985; a precondition) */
	CARD_E_INTERNAL,        /* any other status word or a bug: logged with the SW */
} card_rv;

/* Human-readable name of a card_rv, for log lines. Never NULL. */
const char *card_rv_name (card_rv rv);

/* Key algorithms the card-neutral layer knows. The numbers are stored (the card cache,
 * src/cache.c): a new algorithm takes the next number, and CARD_ALG_LAST follows it. */
enum card_alg {
	CARD_ALG_NONE = 0,     /* unknown: neither metadata nor certificate says */
	CARD_ALG_RSA1024,
	CARD_ALG_RSA2048,
	CARD_ALG_RSA3072,
	CARD_ALG_RSA4096,
	CARD_ALG_EC_P256,
	CARD_ALG_EC_P384,
	CARD_ALG_EC_P521,      /* NIST P-521 (secp521r1) */
	CARD_ALG_EC_BP256,     /* brainpoolP256r1 (RFC 5639) */
	CARD_ALG_EC_BP384,     /* brainpoolP384r1 */
	CARD_ALG_EC_BP512,     /* brainpoolP512r1 */
	CARD_ALG_ED25519,      /* EdDSA on edwards25519 (RFC 8032): signatures only */
	CARD_ALG_X25519,       /* ECDH on curve25519 (RFC 7748): key agreement only */
};
#define CARD_ALG_LAST CARD_ALG_X25519

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
	CARD_PIN_USER,     /* the user PIN (PIV: application PIN 80; OpenPGP: PW1) */
	CARD_PIN_SO,       /* the SO PIN (PIV: PUK 81; OpenPGP: PW3) */
	CARD_PIN_CONTEXT,  /* the user PIN for the next operation of a PIN-always key (PIV: as
	                      USER; OpenPGP: PW1 for one signature); its counter is the user PIN's */
};

struct card;

/* Usage a key slot is meant for, as bits: what its key does when no certificate says. */
#define CARD_USE_SIGN     0x01u   /* signatures (and client authentication) */
#define CARD_USE_DECRYPT  0x02u   /* RSA decryption / key transport; EC key agreement */

/* The usage combinations an application asks for when it generates a key and names no
 * slot (bits of struct card_slot.keygen_for). */
#define CARD_KEYGEN_SIGN_DECRYPT  0x01u
#define CARD_KEYGEN_SIGN          0x02u
#define CARD_KEYGEN_DECRYPT       0x04u
#define CARD_KEYGEN_UNSAID        0x08u   /* neither usage given */

/* Bits of struct card_slot.flags. */
#define CARD_SLOT_SPARE        0x01u   /* a spare slot (PIV retired 82..95): takes a generated or
                                          imported key when the slot its usage names is in use */
#define CARD_SLOT_LABEL_CERT   0x02u   /* the token label is its certificate's subject CN */

/*
 * One key slot of a card family: the driver's slot descriptor table (struct card.slots,
 * set by probe(), read-only, valid while the card is open). The front end takes every
 * per-slot fact from here and from struct card_key, and knows no card family.
 */
struct card_slot {
	uint8_t ref;                    /* the card's key reference (PIV 9A, OpenPGP 01) */
	uint8_t number;                 /* the slot's number in the scheme applications share
	                                   (OpenSC and ykcs11: PIV 01=9A 02=9C 03=9D 04=9E
	                                   05..18=82..95): the one-byte identifier of its objects */
	const char *cert_label;         /* e.g. "Certificate for PIV Authentication" */
	const char *key_label;          /* e.g. "PIV AUTH": keys "PIV AUTH key" / "PIV AUTH pubkey" */
	unsigned usage;                 /* CARD_USE_*: the slot's purpose without a certificate */
	unsigned keygen_for;            /* CARD_KEYGEN_*: generation requests this slot answers */
	enum card_pin_policy pin_policy;/* the slot's default (never DEFAULT) */
	uint32_t algs;                  /* CARD_ALG_BIT (alg) of the algorithms the slot can hold */
	unsigned flags;                 /* CARD_SLOT_* */
	unsigned limit;                 /* CARD_USE_*: all its key can do (OpenPGP: the signature key
	                                   signs only); 0: anything its algorithm does */
};

#define CARD_ALG_BIT(alg) (1u << (unsigned)(alg))

/* The descriptor of slot REF of CARD, or NULL. */
const struct card_slot *card_slot_by_ref (const struct card *card, uint8_t ref);
/* The descriptor whose number is NUMBER, or NULL. */
const struct card_slot *card_slot_by_number (const struct card *card, uint8_t number);

/* One key slot of the card and what is known about it. Filled by list_keys(). */
struct card_key {
	uint8_t ref;                    /* card key reference: one of card->slots */
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
	int meta_known;                 /* 1: pin_policy, touch_policy and origin are the card's word;
	                                   0: the slot's defaults until key_meta() asks */
};

#define CARD_REF_BIT_SET(map, ref) ((map)[(ref) >> 3] |= (uint8_t)(1u << ((ref) & 7)))
#define CARD_REF_BIT(map, ref) (((map)[(ref) >> 3] >> ((ref) & 7)) & 1u)

/*
 * What the front end believes about a card from an earlier look, so that list_keys()
 * can send fewer APDUs. All optional: a driver may ignore any of it.
 */
struct card_list_hints {
	uint8_t empty[32];      /* bit REF: the slot held neither key nor certificate: not probed */
	uint8_t cert[32];       /* bit REF: the slot held a certificate: read it first */
	int no_index;           /* the card had no index of its spare slots (PIV key history):
	                           not asked, spare slots probed unless EMPTY says otherwise */
	int lazy_meta;          /* do not read the metadata of slots with a certificate: those
	                           keys come with meta_known 0 (key_meta() later) */
	/* out, filled by list_keys(): */
	uint8_t probed[32];     /* bit REF: the slot was looked at (empty unless listed) */
	int has_index;          /* 1 the card has the index, 0 it has none, -1 not asked */
};

/* A private key for import_key(): its components, not owned; the caller wipes them after
 * the call. RSA (CARD_ALG_RSA*): big-endian unsigned integers (leading zeros allowed), the
 * CRT parameters p, q, dp = d mod (p-1), dq = d mod (q-1), qinv = q^-1 mod p; the public
 * exponent is 65537. EC (CARD_ALG_EC_*): the private scalar, big-endian. Ed25519 and
 * X25519: SCALAR is the 32-byte private key as RFC 8032 / RFC 7748 encode it (the Ed25519
 * seed; the X25519 scalar little-endian, unclamped): a driver whose card wants another
 * byte order converts it. */
struct card_key_parts {
	enum card_alg alg;
	const uint8_t *p, *q, *dp, *dq, *qinv;
	size_t p_len, q_len, dp_len, dq_len, qinv_len;
	const uint8_t *scalar;
	size_t scalar_len;
};

/* Free what one entry holds and zero it. */
void card_keys_clear (struct card_key *key);
/* Free an array from list_keys(). Accepts NULL. */
void card_keys_free (struct card_key *keys, size_t count);

/* Static identity of a card, read once at probe (no APDU afterwards). */
struct card_info {
	char serial[33];         /* printable, NUL-terminated: e.g. the YubiKey serial or CHUID FASC-N/GUID */
	char model[33];          /* e.g. "YubiKey 5", "PIV card": also the token label without a holder */
	char manufacturer[33];   /* e.g. "Yubico", "unknown" */
	char holder[65];         /* the cardholder's name where the card keeps one, else "" */
	uint8_t version[3];      /* firmware / application version when known */
	int pin_min, pin_max;    /* the card's PIN length rules (PIV: 6..8) */
	int puk_min, puk_max;
	int can_generate;        /* card supports on-card key generation */
	int can_import;          /* card supports private-key import */
	int can_reset;           /* card returns to its factory state (driver->reset) */
	int has_metadata;        /* card can report per-key metadata (YubiKey >= 5.3) */
	uint32_t gen_algs;       /* CARD_ALG_BIT() of what generate() / import_key() can make */
	int so_admin_key;        /* CKU_SO may log in with the admin key itself, given in hex
	                            (PIV management key), beside the SO PIN */
	int so_pin_is_admin;     /* the SO PIN is the admin credential (OpenPGP PW3): an SO login
	                            authenticates writes by itself */
};

struct card_driver;

/* A connected card. Owned by the front end's token; card_close() frees it. */
struct card {
	const struct reader_ops *reader;
	struct reader_conn *conn;         /* owned */
	const struct card_driver *driver;
	void *driver_data;                /* owned by the driver, freed by driver->release() */
	struct card_info info;
	const struct card_slot *slots;    /* the driver's slot table for this card (probe) */
	size_t n_slots;
	int extended;                     /* send extended APDUs where a command needs them: the
	                                     ATR announces them and neither card nor reader has
	                                     refused one yet (apdu_transmit falls back to short
	                                     APDUs, chaining and GET RESPONSE, and clears it) */
	int extended_answered;            /* apdu.c: the card has answered an extended APDU: a
	                                     transmission error after that is no refusal, and the
	                                     command (perhaps executed) is not sent again */
	int in_transaction;
	int chain_open;                   /* apdu.c: a chained command failed; the card may still
	                                     be in its chain, ended before the next command */
};

/*
 * A card driver. Every operation but probe/release runs inside a transaction
 * opened with card_begin(); the driver transmits with apdu/apdu.h.
 *
 * Required: name, probe, reselect, release, list_keys, pin_status, verify_pin, logout,
 * change_pin. Every other operation is optional: NULL when the family has no such
 * command. The front end asks card_can() before it uses one (the one place that knows
 * which operation needs which capability flag of struct card_info).
 */
struct card_driver {
	const char *name;    /* "piv": also the name of the card application it drives */
	/* The application's identifier, selected by name (SELECT P1=04) by card_discover(). */
	const uint8_t *aid;
	size_t aid_len;

	/* Is this our card? Selects the application, reads the identity into card->info and
	 * sets card->slots. CARD_E_NOT_SUPPORTED when the card is not of this family.
	 * Allocates driver_data. */
	card_rv (*probe) (struct card *card);
	/* Restore the application state after a reset by another process (re-select). */
	card_rv (*reselect) (struct card *card);
	/* Free driver_data. */
	void (*release) (struct card *card);

	/* Every key slot that holds a key or a certificate. *keys is owned by the caller
	 * (card_keys_free). Reads certificates and metadata: the front end caches the result.
	 * HINTS (may be NULL: read everything) saves APDUs and receives what was probed. */
	card_rv (*list_keys) (struct card *card, struct card_list_hints *hints,
	                      struct card_key **keys, size_t *count);
	/* Optional: the card's metadata of the key in slot KEY->ref (policies, origin, algorithm;
	 * the public key when KEY has no certificate): sets KEY->meta_known. CARD_E_NOT_FOUND
	 * when the slot holds no key. */
	card_rv (*key_meta) (struct card *card, struct card_key *key);

	/* PIN state without sending a PIN (PIV: empty VERIFY). *verified 1 when the card
	 * currently holds the PIN as verified; *tries_left -1 when unknown. */
	card_rv (*pin_status) (struct card *card, enum card_pin which, int *verified, int *tries_left);
	/* Check a PIN: the user PIN (CARD_PIN_USER: the card then holds it as verified; or
	 * CARD_PIN_CONTEXT, right before the operation of a PIN-always key, in the same
	 * transaction) or the SO PIN (CARD_PIN_SO; PIV: the PUK, by changing it to itself). */
	card_rv (*verify_pin) (struct card *card, enum card_pin which,
	                       const uint8_t *pin, size_t pin_len, int *tries_left);
	/* Optional: can the card hold PIN (length, characters)? CARD_E_PIN_LEN or
	 * CARD_E_PIN_INVALID, without an APDU. NULL: the lengths of card->info decide. */
	card_rv (*check_pin) (struct card *card, enum card_pin which, const uint8_t *pin, size_t pin_len);
	/* Forget the verified PIN on the card (PIV: VERIFY P1=FF). */
	card_rv (*logout) (struct card *card);
	card_rv (*change_pin) (struct card *card, enum card_pin which,
	                       const uint8_t *old_pin, size_t old_len,
	                       const uint8_t *new_pin, size_t new_len, int *tries_left);
	/* Optional: unblock the user PIN with the SO PIN (PUK) and set a new user PIN. */
	card_rv (*unblock_pin) (struct card *card, const uint8_t *puk, size_t puk_len,
	                        const uint8_t *new_pin, size_t new_len, int *tries_left);

	/* Private-key operations, all optional (the slot's algorithms say which one a key
	 * needs). *OUT_LEN is the room in OUT on entry, the length written on return.
	 * RSA: a card has rsa_raw (the front end pads: PKCS #1 v1.5, PSS, OAEP, raw), or the
	 * PKCS #1 v1.5 operations below (the card pads: then the front end offers PKCS #1
	 * v1.5 signatures and decryption only); rsa_raw is used when both are there.
	 * Raw RSA private-key operation (sign or decrypt): IN is exactly the modulus size. */
	card_rv (*rsa_raw) (struct card *card, uint8_t ref, const uint8_t *in, size_t in_len,
	                    uint8_t *out, size_t *out_len);
	/* RSA signature with the card's own PKCS #1 v1.5 (type 1) padding of IN: a DigestInfo
	 * (CKM_SHA*_RSA_PKCS), or the application's data for CKM_RSA_PKCS; IN_LEN is at most
	 * the modulus size - 11. OUT receives the signature, the modulus size (OpenPGP: PSO:
	 * COMPUTE DIGITAL SIGNATURE or INTERNAL AUTHENTICATE, whichever the slot's key uses). */
	card_rv (*rsa_sign_pkcs1) (struct card *card, uint8_t ref, const uint8_t *in, size_t in_len,
	                           uint8_t *out, size_t *out_len);
	/* RSA decryption that removes the PKCS #1 v1.5 (type 2) padding on the card: IN is the
	 * ciphertext (the modulus size), OUT receives the plaintext (OpenPGP: PSO:DECIPHER).
	 * CARD_E_INVALID_DATA when the padding is wrong. */
	card_rv (*rsa_decrypt_pkcs1) (struct card *card, uint8_t ref, const uint8_t *in, size_t in_len,
	                              uint8_t *out, size_t *out_len);
	/* ECDSA over a hash: HASH is the curve's size in bytes, ECDSA's integer of the hash
	 * written so that the card's own truncation (the leftmost bits up to the order's size)
	 * finds it: the hash zero-extended or cut to its leftmost bytes (P-256, P-384,
	 * brainpool), for P-521 that integer shifted left by 7 bits into 66 bytes. OUT
	 * receives the signature as r||s, each the curve's size (P-521: 66 bytes). */
	card_rv (*ecdsa_sign) (struct card *card, uint8_t ref, const uint8_t *hash, size_t hash_len,
	                       uint8_t *out, size_t *out_len);
	/* Pure EdDSA (Ed25519, RFC 8032) over the whole message MSG (MSG_LEN may be 0): OUT
	 * receives the 64-byte signature R||S. */
	card_rv (*eddsa_sign) (struct card *card, uint8_t ref, const uint8_t *msg, size_t msg_len,
	                       uint8_t *out, size_t *out_len);
	/* ECDH. Weierstrass curves (P-*, brainpool): POINT is the peer's uncompressed point
	 * (04 || X || Y), OUT receives the shared x-coordinate, the field's size. X25519: POINT
	 * is the peer's 32-byte public key (RFC 7748 u-coordinate, little-endian), OUT receives
	 * the 32-byte shared secret as RFC 7748 encodes it. */
	card_rv (*ecdh) (struct card *card, uint8_t ref, const uint8_t *point, size_t point_len,
	                 uint8_t *out, size_t *out_len);

	/* Optional: administrative authentication for writes with the admin credential KEY
	 * (PIV: management key 9B, the driver knows its algorithm from metadata or tries 3DES
	 * then AES). NULL: the card needs none beyond the logged-in PIN. */
	card_rv (*admin_auth) (struct card *card, const uint8_t *key, size_t key_len);
	/* The family's well-known factory admin credential (PIV: 010203..08 x3), or NULL. */
	const uint8_t *default_admin_key;
	size_t default_admin_key_len;
	/* Optional: the admin credential the card keeps protected by the user PIN (YubiKey:
	 * ADMIN DATA 5FFF00 says it is stored, PRINTED 5FC109 holds it), after the PIN was
	 * verified. CARD_E_NOT_FOUND when the card keeps none. KEY receives at most 32 bytes
	 * (the caller wipes it). */
	card_rv (*protected_admin_key) (struct card *card, uint8_t key[32], size_t *key_len);
	/* Optional (card->info.can_generate): generate a key pair in slot REF; *spki (owned
	 * by the caller, free()) receives the SubjectPublicKeyInfo DER of the new public key.
	 * Needs admin_auth first. */
	card_rv (*generate) (struct card *card, uint8_t ref, enum card_alg alg,
	                     enum card_pin_policy pin_policy, enum card_touch_policy touch_policy,
	                     uint8_t **spki, size_t *spki_len);
	/* Optional: write (DER != NULL) or delete (DER == NULL) the certificate of slot REF.
	 * Needs admin_auth. */
	card_rv (*write_cert) (struct card *card, uint8_t ref, const uint8_t *der, size_t der_len);
	/* Optional: read / write a generic data object (PIV: GET DATA / PUT DATA by tag).
	 * *data owned by the caller. */
	card_rv (*read_object) (struct card *card, uint32_t tag, uint8_t **data, size_t *len);
	card_rv (*write_object) (struct card *card, uint32_t tag, const uint8_t *data, size_t len);

	/* Optional (card->info.can_reset): return the application to its factory state
	 * where the card offers that, then make SO_PIN its SO PIN or, when ADMIN_KEY is not
	 * NULL, ADMIN_KEY its admin credential. CARD_E_REFUSED when the card's present state
	 * does not allow a reset (YubiKey: only once PIN and PUK are both blocked). The
	 * caller reads the card again afterwards. */
	card_rv (*reset) (struct card *card, const uint8_t *so_pin, size_t so_pin_len,
	                  const uint8_t *admin_key, size_t admin_key_len);
	/* Optional: replace the admin credential (YubiKey SET MANAGEMENT KEY); needs admin_auth
	 * first. KEY_LEN 16, 24 (3DES, or the current AES-192) or 32. */
	card_rv (*set_admin_key) (struct card *card, const uint8_t *key, size_t key_len);
	/* Optional (card->info.can_import): import the private key KEY into slot REF; needs
	 * admin_auth first. Never logs key material. */
	card_rv (*import_key) (struct card *card, uint8_t ref, const struct card_key_parts *key,
	                       enum card_pin_policy pin_policy, enum card_touch_policy touch_policy);
};

/* The optional operations, for card_can(). */
enum card_op {
	CARD_OP_UNBLOCK_PIN,
	CARD_OP_KEY_META,
	CARD_OP_RSA,                /* rsa_raw */
	CARD_OP_ECDSA,
	CARD_OP_ECDH,
	CARD_OP_ADMIN_AUTH,
	CARD_OP_PROTECTED_ADMIN_KEY,
	CARD_OP_GENERATE,
	CARD_OP_WRITE_CERT,
	CARD_OP_READ_OBJECT,
	CARD_OP_WRITE_OBJECT,
	CARD_OP_RESET,
	CARD_OP_SET_ADMIN_KEY,
	CARD_OP_IMPORT_KEY,
	CARD_OP_RSA_SIGN_PKCS1,     /* rsa_sign_pkcs1 */
	CARD_OP_RSA_DECRYPT_PKCS1,  /* rsa_decrypt_pkcs1 */
	CARD_OP_EDDSA,              /* eddsa_sign */
};

/* Does CARD offer OP: its driver has the operation and the card the capability. */
int card_can (const struct card *card, enum card_op op);

/* The drivers, tried in this order by card_open(). */
extern const struct card_driver card_driver_piv;
extern const struct card_driver card_driver_openpgp;

/* Connect to the card in READER_NAME and open its application APP (a driver's name), or
 * with APP NULL the first application whose driver recognises the card (probe). *card
 * owned by the caller. CARD_E_NOT_SUPPORTED: no such application on the card. */
card_rv card_open (const struct reader_ops *reader, const char *reader_name, const char *app,
                   struct card **card);

#define CARD_MAX_APPS 4
#define CARD_APP_NAME 16

/* The applications of the card in READER_NAME that a driver knows, in driver order: each
 * selected by its AID, one APDU each, in one transaction. With ALL 0 the first driver's
 * application is not asked but listed first, assumed: its own probe (card_open) tells,
 * one SELECT saved. APPS receives the drivers' names, *n how many (0: none we know). */
card_rv card_discover (const struct reader_ops *reader, const char *reader_name, int all,
                       char apps[CARD_MAX_APPS][CARD_APP_NAME], size_t *n);
/* Disconnect and free. Accepts NULL. */
void card_close (struct card *card);

/* Start / end one card operation (one PC/SC transaction). On a reset by another process
 * card_begin() re-selects through the driver and sets *was_reset to 1: the caller must
 * then restore what it holds (re-verify a logged-in user's PIN). */
card_rv card_begin (struct card *card, int *was_reset);
void card_end (struct card *card);

#endif /* TSR_CARD_H */
