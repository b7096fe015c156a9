/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * apdu/openpgp.h: the OpenPGP card application (functional specification 3.4; 2.x cards
 * where they differ), as a library of operations on a struct card for a future
 * card driver. It knows no struct card_driver: a driver keeps a struct opgp in its
 * driver_data and calls these functions inside card_begin()/card_end().
 *
 * Keys: three slots, OPGP_KEY_SIG (control reference B6, PSO: COMPUTE DIGITAL
 * SIGNATURE), OPGP_KEY_DEC (B8, PSO: DECIPHER), OPGP_KEY_AUT (A4, INTERNAL AUTHENTICATE).
 * Passwords: PW1 (checked as 81 for signatures and as 82 for everything else), PW3
 * (admin), the resetting code. Where the card carries a KDF-DO, PINs are derived
 * (iterated and salted S2K) before they are sent.
 *
 * Errors are card_rv values; status words are translated as in apdu/sw.c, and the
 * OpenPGP specifics: a wrong password answers 6982 on VERIFY / CHANGE REFERENCE DATA /
 * RESET RETRY COUNTER (CARD_E_PIN_INCORRECT, the tries left read from the PW status
 * bytes), 6983 is CARD_E_PIN_LOCKED, 6982 elsewhere CARD_E_SECURITY, 6285 (application
 * terminated) CARD_E_NOT_SUPPORTED.
 *
 * Ownership: every uint8_t ** result is allocated with malloc() and owned by the
 * caller (free(); wipe first where it is secret). Structs are plain values.
 */
#ifndef TSR_APDU_OPENPGP_H
#define TSR_APDU_OPENPGP_H

#include <stddef.h>
#include <stdint.h>

#include "apdu/card.h"

enum opgp_key {
	OPGP_KEY_SIG = 0,
	OPGP_KEY_DEC = 1,
	OPGP_KEY_AUT = 2,
};
#define OPGP_NKEYS 3

/* Password references of VERIFY. */
enum opgp_pw {
	OPGP_PW1_SIGN = 0x81,  /* PW1 for PSO: COMPUTE DIGITAL SIGNATURE */
	OPGP_PW1 = 0x82,       /* PW1 for the other operations */
	OPGP_PW3 = 0x83,       /* admin */
};

/* Algorithm identifiers of the algorithm attributes (RFC 4880 numbering). */
#define OPGP_ALGO_RSA   0x01
#define OPGP_ALGO_ECDH  0x12
#define OPGP_ALGO_ECDSA 0x13
#define OPGP_ALGO_EDDSA 0x16

enum opgp_curve {
	OPGP_CURVE_NONE = 0,
	OPGP_CURVE_P256,
	OPGP_CURVE_P384,
	OPGP_CURVE_P521,
	OPGP_CURVE_BP256,   /* brainpoolP256r1 */
	OPGP_CURVE_BP384,
	OPGP_CURVE_BP512,
	OPGP_CURVE_ED25519,
	OPGP_CURVE_X25519,  /* Curve25519 for ECDH (OID 1.3.6.1.4.1.3029.1.5.1) */
};

/* One slot's algorithm attributes (C1, C2, C3). */
struct opgp_algo {
	uint8_t id;              /* OPGP_ALGO_* */
	enum opgp_curve curve;   /* OPGP_CURVE_NONE for RSA */
	unsigned rsa_bits;       /* modulus size */
	unsigned rsa_e_bits;     /* public exponent size (32 on most cards) */
	uint8_t rsa_format;      /* import format: 0 standard, 1 standard with n, 2 CRT, 3 CRT with n */
	int ec_import_pub;       /* EC: the import needs the public key too (format byte FF) */
};

/* PW status bytes (C4). */
struct opgp_pw_status {
	int pw1_multi;           /* 1: PW1 stays valid for several PSO:CDS; 0: one signature */
	int pw1_max, rc_max, pw3_max;
	int pw1_pinblock2;       /* PW1 in PIN block 2 format (bit 8 of byte 2) */
	int pw1_tries, rc_tries, pw3_tries;
};

/* Extended capabilities (C0) and the card's transport limits. */
#define OPGP_CAP_SM            0x80
#define OPGP_CAP_GET_CHALLENGE 0x40
#define OPGP_CAP_KEY_IMPORT    0x20
#define OPGP_CAP_PW_STATUS     0x10
#define OPGP_CAP_PRIVATE_DOS   0x08
#define OPGP_CAP_ALGO_CHANGE   0x04
#define OPGP_CAP_AES           0x02
#define OPGP_CAP_KDF           0x01

struct opgp_caps {
	uint8_t flags;           /* OPGP_CAP_* (byte 1 of C0) */
	uint8_t sm_algo;
	size_t max_challenge, max_cert, max_special;
	size_t max_cmd, max_resp;/* longest command / response data: 2.x C0 bytes 7-10,
	                            3.x extended length information 7F66; 0 unknown */
	int pin_block2, mse;     /* 3.3+: C0 bytes 9, 10 */
};

/* The application related data (6E) and what follows from it. */
struct opgp_ard {
	uint8_t aid[16];
	uint16_t version;        /* BCD from the AID: 0x0304 */
	uint16_t manufacturer;
	uint32_t serial;
	uint8_t hist[15];        /* historical bytes (5F52) */
	size_t hist_len;
	int cmd_chaining;        /* card capabilities in the historical bytes */
	int ext_lc_le;
	uint8_t lcs;             /* life cycle status: 05 operational, 03 terminated, 0 unknown */
	struct opgp_caps caps;
	struct opgp_algo algo[OPGP_NKEYS];
	uint8_t attr[OPGP_NKEYS][16];     /* the raw attributes */
	size_t attr_len[OPGP_NKEYS];
	struct opgp_pw_status pw;
	uint8_t fpr[OPGP_NKEYS][20];      /* all zero: no key known to the host */
	uint8_t ca_fpr[OPGP_NKEYS][20];
	uint32_t gen_time[OPGP_NKEYS];    /* seconds since 1970, 0 unset */
	uint8_t key_status[OPGP_NKEYS];   /* key information DE (3.3+): 0 none, 1 generated,
	                                     2 imported; 0xFF without DE */
};

/* Cardholder related data (65). */
struct opgp_cardholder {
	char name[40];           /* 5B, "Surname<<Given" as stored, NUL-terminated */
	char lang[9];            /* 5F2D */
	uint8_t sex;             /* 5F35: '1' male, '2' female, '9' not applicable, 0 absent */
};

/* KDF-DO (F9). */
struct opgp_kdf {
	int on;                  /* KDF_ITERSALTED_S2K (03) */
	int md_nid;              /* NID_sha256 / NID_sha512 */
	uint32_t iterations;     /* octets hashed */
	uint8_t salt[3][8];      /* PW1, resetting code, PW3 (absent ones copied from PW1's) */
};

/* Per card: what opgp_open() read, and how to talk to the card. */
struct opgp {
	struct opgp_ard ard;
	struct opgp_kdf kdf;
	int ext;                 /* send extended APDUs when needed (card and caller agree) */
};

/* Private key components for opgp_import_key(), big-endian, leading zeros allowed, not
 * owned. RSA: e, p, q (n, 1/q mod p, dp, dq are computed when the card's import format
 * needs them). EC: d the private key (P-256/384/521, brainpool: the scalar; Ed25519: the
 * 32-byte seed; X25519: the 32-byte private key in RFC 7748 order, sent reversed as
 * OpenPGP stores it). */
struct opgp_key_parts {
	const uint8_t *e, *p, *q;
	size_t e_len, p_len, q_len;
	const uint8_t *d;
	size_t d_len;
};

/* ---- openpgp-algo.c: algorithm attributes (pure) ---- */
/* Parse attributes A (a trailing import-format byte 00/FF after an OID is understood).
 * CARD_E_INVALID_DATA when malformed, CARD_E_NOT_SUPPORTED for an unknown curve. */
card_rv opgp_algo_parse (const uint8_t *a, size_t len, struct opgp_algo *out);
/* Encode ALGO into OUT (*len: size in, length out). CARD_E_INVALID_DATA if impossible. */
card_rv opgp_algo_encode (const struct opgp_algo *algo, uint8_t *out, size_t *len);
/* The curve's OID (DER contents without tag and length); NULL for OPGP_CURVE_NONE. */
const uint8_t *opgp_curve_oid (enum opgp_curve curve, size_t *len);
enum opgp_curve opgp_curve_from_oid (const uint8_t *oid, size_t len);
/* Size of a coordinate / of the key in bytes (P-256: 32, Ed25519: 32, P-521: 66). */
size_t opgp_curve_bytes (enum opgp_curve curve);

/* ---- openpgp-ard.c: parsing the data objects (pure) ---- */
/* 6E with or without its own tag. CARD_E_BAD_RESPONSE when the AID or C0..C4 is missing or
 * malformed. */
card_rv opgp_parse_ard (const uint8_t *data, size_t len, struct opgp_ard *out);
card_rv opgp_parse_pw_status (const uint8_t *data, size_t len, struct opgp_pw_status *out);
/* Historical bytes: chaining, extended Lc/Le, life cycle status into OUT. */
void opgp_parse_historical (const uint8_t *data, size_t len, struct opgp_ard *out);
card_rv opgp_parse_cardholder (const uint8_t *data, size_t len, struct opgp_cardholder *out);
/* The digital signature counter (93) of the security support template 7A. */
card_rv opgp_parse_sig_counter (const uint8_t *data, size_t len, uint32_t *count);
/* 1 when slot KEY has a fingerprint (the host's sign of a key there). */
int opgp_has_key (const struct opgp_ard *ard, enum opgp_key key);

/* ---- openpgp-spki.c: public keys (pure) ---- */
/* A 7F49 template (with its tag or only its children: 81 n 82 e, or 86 point; 25519 keys
 * raw, 32 bytes, an 0x40 prefix tolerated) for ALGO → SubjectPublicKeyInfo DER (canonical:
 * EC points uncompressed, RSA integers minimal). */
card_rv opgp_pubkey_to_spki (const struct opgp_algo *algo, const uint8_t *tmpl, size_t len,
                             uint8_t **spki, size_t *spki_len);
/* The OpenPGP v4 fingerprint (RFC 4880 12.2, RFC 6637 for ECC, as GnuPG stores it) of the
 * key SPKI in slot KEY created at TIMESTAMP: RSA (algorithm 1), ECDSA 19, EdDSA 22, ECDH 18
 * (the decryption slot) with the KDF parameters of RFC 6637 for the curve's size. */
card_rv opgp_fingerprint (const struct opgp_algo *algo, enum opgp_key key, const uint8_t *spki,
                          size_t spki_len, uint32_t timestamp, uint8_t fpr[20]);

/* ---- openpgp-kdf.c: the KDF-DO and PIN derivation (pure) ---- */
#define OPGP_PW_BUF 128   /* longest password the card takes (127), or a derived one (64) */
/* F9's contents; an absent KDF-DO or algorithm 00 gives on = 0. */
card_rv opgp_parse_kdf (const uint8_t *data, size_t len, struct opgp_kdf *out);
/* The value to send for password REF (0x81/0x82 PW1, 0x83 PW3, 0 the resetting code): PIN
 * itself without KDF, else its iterated and salted S2K (RFC 4880 3.7.1.3) with the card's
 * hash, count and salt. *out_len is set; CARD_E_PIN_LEN for a PIN longer than 127. */
card_rv opgp_kdf_derive (const struct opgp_kdf *kdf, uint8_t ref, const uint8_t *pin, size_t len,
                         uint8_t out[OPGP_PW_BUF], size_t *out_len);

/* ---- openpgp-io.c: the application and its data objects ---- */
/* SELECT the application (AID D2 76 00 01 24 01). */
card_rv opgp_select (struct card *card);
/* SELECT, read 6E (and F9 when C0 says KDF) into O. ALLOW_EXT 0 keeps to short APDUs. */
card_rv opgp_open (struct card *card, int allow_ext, struct opgp *o);
/* Read 6E again (after a change or another process's use). */
card_rv opgp_refresh (struct card *card, struct opgp *o);
/* GET DATA of TAG; *data owned by the caller (NULL when empty). */
card_rv opgp_get_data (struct card *card, const struct opgp *o, uint16_t tag, uint8_t **data,
                       size_t *len);
/* PUT DATA of TAG (odd INS DB when ODD). SENSITIVE redacts the trace. */
card_rv opgp_put_data (struct card *card, const struct opgp *o, uint16_t tag, int odd,
                       const uint8_t *data, size_t len, int sensitive);
card_rv opgp_read_cardholder (struct card *card, const struct opgp *o, struct opgp_cardholder *out);
card_rv opgp_read_sig_counter (struct card *card, const struct opgp *o, uint32_t *count);
/* GET CHALLENGE of N bytes into OUT (C0 says whether and how many). */
card_rv opgp_get_challenge (struct card *card, const struct opgp *o, uint8_t *out, size_t n);

/* ---- openpgp-pin.c: passwords ---- */
/* VERIFY REF with PIN (derived when KDF is on); *tries_left after a wrong one (else -1). */
card_rv opgp_verify (struct card *card, struct opgp *o, enum opgp_pw ref, const uint8_t *pin,
                     size_t len, int *tries_left);
/* Status without a PIN: 3.x an empty VERIFY (verified or not, tries left from 63Cx);
 * 2.x *verified -1 and the tries from C4 (GET DATA). */
card_rv opgp_pin_status (struct card *card, struct opgp *o, enum opgp_pw ref, int *verified,
                         int *tries_left);
/* Reset the access status of REF (3.x VERIFY P1=FF); CARD_E_NOT_SUPPORTED on 2.x. */
card_rv opgp_logout (struct card *card, struct opgp *o, enum opgp_pw ref);
/* CHANGE REFERENCE DATA of PW1 (REF OPGP_PW1 or OPGP_PW1_SIGN) or PW3. */
card_rv opgp_change_pin (struct card *card, struct opgp *o, enum opgp_pw ref, const uint8_t *old,
                         size_t old_len, const uint8_t *new_pin, size_t new_len, int *tries_left);
/* RESET RETRY COUNTER of PW1 with the resetting code (P1=00). */
card_rv opgp_unblock_rc (struct card *card, struct opgp *o, const uint8_t *rc, size_t rc_len,
                         const uint8_t *new_pin, size_t new_len, int *tries_left);
/* RESET RETRY COUNTER of PW1 after PW3 was verified (P1=02). */
card_rv opgp_unblock_admin (struct card *card, struct opgp *o, const uint8_t *new_pin, size_t new_len);
/* Set (RC_LEN >= 8) or delete (RC NULL) the resetting code (PUT DATA D3; PW3 verified). */
card_rv opgp_set_resetting_code (struct card *card, struct opgp *o, const uint8_t *rc, size_t rc_len);

/* ---- openpgp-keys.c: public keys, generation, attributes, fingerprints ---- */
/* GENERATE ASYMMETRIC KEY PAIR P1=81: the slot's public key as SPKI DER. CARD_E_NOT_FOUND
 * for an empty slot. */
card_rv opgp_read_pubkey (struct card *card, struct opgp *o, enum opgp_key key, uint8_t **spki,
                          size_t *spki_len);
/* PUT DATA C1..C3 (PW3 verified; C0 must allow attribute changes unless unchanged). */
card_rv opgp_set_algo (struct card *card, struct opgp *o, enum opgp_key key,
                       const struct opgp_algo *algo);
/* Write the fingerprint (C7..C9) and generation date (CE..D0) of slot KEY. */
card_rv opgp_set_fingerprint (struct card *card, struct opgp *o, enum opgp_key key,
                              const uint8_t fpr[20], uint32_t timestamp);
/* Generate a key in slot KEY (PW3 verified) with ALGO (NULL: the slot's attributes), then
 * write its OpenPGP fingerprint and TIMESTAMP as the spec requires of the host. *spki
 * receives the new public key. */
card_rv opgp_generate (struct card *card, struct opgp *o, enum opgp_key key,
                       const struct opgp_algo *algo, uint32_t timestamp, uint8_t **spki,
                       size_t *spki_len);

/* ---- openpgp-import.c ---- */
/* Import PARTS into slot KEY by PUT DATA of the extended header list 4D (PW3 verified, C0
 * key import), in the card's import format for the slot's attributes (set them first with
 * opgp_set_algo where they differ); then the fingerprint and TIMESTAMP. */
card_rv opgp_import_key (struct card *card, struct opgp *o, enum opgp_key key,
                         const struct opgp_key_parts *parts, uint32_t timestamp);

/* ---- openpgp-ops.c: private-key operations ---- */
/* PSO: COMPUTE DIGITAL SIGNATURE with the signature key: IN is a DigestInfo (RSA), a hash
 * (ECDSA) or the message (EdDSA). OUT receives the signature (ECDSA r||s); *out_len is its
 * size in, the length out. */
card_rv opgp_sign (struct card *card, struct opgp *o, const uint8_t *in, size_t len, uint8_t *out,
                   size_t *out_len);
/* INTERNAL AUTHENTICATE with the authentication key, same input forms. */
card_rv opgp_internal_auth (struct card *card, struct opgp *o, const uint8_t *in, size_t len,
                            uint8_t *out, size_t *out_len);
/* PSO: DECIPHER of an RSA cryptogram (padding indicator 00 prepended): the plaintext. */
card_rv opgp_decipher_rsa (struct card *card, struct opgp *o, const uint8_t *in, size_t len,
                           uint8_t *out, size_t *out_len);
/* PSO: DECIPHER as ECDH with the peer's POINT (NIST/brainpool uncompressed; X25519 32 bytes)
 * in the cipher DO A6 { 7F49 { 86 } }: the shared secret (x coordinate). */
card_rv opgp_ecdh (struct card *card, struct opgp *o, const uint8_t *point, size_t len,
                   uint8_t *out, size_t *out_len);
/* DigestInfo of HASH for the digest MD_NID (SHA-1, SHA-224/256/384/512) into OUT (83 bytes
 * suffice). */
card_rv opgp_digest_info (int md_nid, const uint8_t *hash, size_t hash_len, uint8_t *out,
                          size_t *out_len);

/* ---- openpgp-cert.c: cardholder certificates (7F21) ---- */
/* The certificate of slot KEY: 3.x selects its occurrence with SELECT DATA (AUT 0, DEC 1,
 * SIG 2, reset to 0 afterwards); 2.x has one certificate (AUT); others CARD_E_NOT_SUPPORTED.
 * CARD_E_NOT_FOUND when empty. */
card_rv opgp_read_cert (struct card *card, struct opgp *o, enum opgp_key key, uint8_t **der,
                        size_t *len);
/* Write (DER != NULL) or delete the certificate of slot KEY (PW3 verified). */
card_rv opgp_write_cert (struct card *card, struct opgp *o, enum opgp_key key, const uint8_t *der,
                         size_t len);

#endif /* TSR_APDU_OPENPGP_H */
