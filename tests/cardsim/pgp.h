/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pgp.h: the simulated OpenPGP card application (OpenPGP smart card application 3.4): its
 * state, the command handlers and their helpers, shared by tests/cardsim/pgp*.c.
 *
 * Three key slots (0 signature B6, 1 decryption B8, 2 authentication A4), each with its
 * algorithm attributes (C1..C3), key, fingerprint, CA fingerprint, generation date and one
 * cardholder certificate (7F21, selected by SELECT DATA occurrence 2, 1, 0); PW1 (used as 81
 * for PSO:CDS and 82 for the rest), PW3 and the resetting code with their retry counters; the
 * simple data objects; the signature counter; the life cycle (TERMINATE DF / ACTIVATE FILE).
 */
#ifndef CARDSIM_PGP_H
#define CARDSIM_PGP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <openssl/evp.h>

#include "apdu.h"
#include "buf.h"
#include "card.h"

#define PGP_NKEYS 3
#define PGP_PW_MAX 127          /* maximum length of PW1, PW3 and the resetting code (C4) */
#define PGP_PW_TRIES 3
#define PGP_ATTR_MAX 16
#define PGP_NDOS 10
#define PGP_CERT_MAX 2048       /* C0 bytes 5-6 */
#define PGP_SPECIAL_MAX 255     /* C0 bytes 7-8: login data, URL, private DOs, KDF-DO */
#define PGP_CHALLENGE_MAX 255   /* C0 bytes 3-4 */
#define PGP_EXT_MAX 2048        /* 7F66: longest command data and response data */

#define SW_TERMINATED 0x6285    /* selected file in termination state */

/* Algorithm identifiers of the attributes (RFC 4880 / 6637 / 8032 numbering). */
#define PGP_ALG_RSA   0x01
#define PGP_ALG_ECDH  0x12
#define PGP_ALG_ECDSA 0x13
#define PGP_ALG_EDDSA 0x16

enum cs_pgp_kind { PGP_KIND_NONE, PGP_KIND_RSA, PGP_KIND_P256, PGP_KIND_P384, PGP_KIND_ED25519,
		   PGP_KIND_X25519 };

/* What a slot's algorithm attributes say. */
struct cs_pgp_alg {
	uint8_t id;           /* PGP_ALG_* */
	enum cs_pgp_kind kind;
	unsigned rsa_bits;
	uint8_t rsa_format;   /* import format: 00 std, 01 std+n, 02 crt, 03 crt+n */
};

struct cs_pgp_key {
	EVP_PKEY *pkey;       /* owned; NULL = no key */
	uint8_t attr[PGP_ATTR_MAX];
	size_t attr_len;
	uint8_t status;       /* key information (DE): 0 none, 1 generated, 2 imported */
	uint8_t fpr[20], ca_fpr[20], time[4];
	uint8_t *cert;        /* owned cardholder certificate (7F21 occurrence), NULL = empty */
	size_t cert_len;
};

struct cs_pgp_pw {
	uint8_t ref[PGP_PW_MAX];
	size_t len;           /* 0: not set (resetting code only) */
	uint8_t left;
};

struct cs_pgp {
	/* persistent */
	struct cs_pgp_key keys[PGP_NKEYS];
	struct cs_pgp_pw pw1, rc, pw3;
	uint8_t pw1_multi;    /* C4 byte 1: 00 PW1 valid for one PSO:CDS, 01 several */
	uint32_t sig_count;   /* 93, 3 bytes */
	struct cs_object dos[PGP_NDOS];
	bool terminated;
	/* volatile */
	bool selected;
	bool pw1_81, pw1_82, pw3_ok;
	uint8_t cert_occ;     /* SELECT DATA occurrence of 7F21: 0 AUT, 1 DEC, 2 SIG */
};

/* pgp.c: state, factory defaults and the dispatcher. */
struct cs_pgp *cs_pgp_new(void);             /* NULL when out of memory; free with cs_pgp_free */
void cs_pgp_free(struct cs_pgp *p);          /* NULL accepted */
void cs_pgp_factory(struct cs_pgp *p);       /* factory state (ACTIVATE FILE after TERMINATE) */
void cs_pgp_power(struct cs_pgp *p);         /* clears the volatile state */
/* The application identifier with version 3.4, manufacturer and serial (16 bytes). */
void cs_pgp_aid(const struct cs_card *c, uint8_t aid[16]);
/* Whether A (SELECT by DF name) names this card's OpenPGP application. */
bool cs_pgp_aid_matches(const struct cs_card *c, const struct cs_apdu *a);
uint16_t cs_pgp_dispatch(struct cs_card *c, const struct cs_apdu *a, struct cs_buf *out);

/* Handlers, by file. */
cs_handler cs_pgp_get_data, cs_pgp_put_data, cs_pgp_select_data;            /* pgp_data.c */
cs_handler cs_pgp_verify, cs_pgp_change, cs_pgp_reset_retry;                /* pgp_pin.c */
cs_handler cs_pgp_generate, cs_pgp_import;                                  /* pgp_keys.c */
cs_handler cs_pgp_pso, cs_pgp_internal_auth;                                /* pgp_ops.c */

/* pgp_do.c: the constructed and simple data objects as GET DATA answers them. */
int cs_pgp_put_6e(const struct cs_card *c, struct cs_buf *out);
int cs_pgp_put_65(const struct cs_pgp *p, struct cs_buf *out);
int cs_pgp_put_7a(const struct cs_pgp *p, struct cs_buf *out);
int cs_pgp_put_fa(struct cs_buf *out);
int cs_pgp_put_c4(const struct cs_pgp *p, struct cs_buf *out);
int cs_pgp_historical(const struct cs_card *c, struct cs_buf *out);
struct cs_object *cs_pgp_do_find(struct cs_pgp *p, unsigned tag);
bool cs_pgp_do_valid(unsigned tag, const uint8_t *v, size_t n); /* length and format of a PUT */

/* pgp_pin.c: the KDF-DO's effect on the passwords (PUT DATA F9). */
void cs_pgp_kdf_changed(struct cs_pgp *p, const uint8_t *kdf, size_t n);

/* pgp_attr.c: algorithm attributes. */
/* 0 and *ALG when the attributes A are valid for key slot SLOT, else -1. */
int cs_pgp_attr_parse(const uint8_t *a, size_t n, int slot, struct cs_pgp_alg *alg);
/* The attributes of slot SLOT (parsed from the stored bytes; they are always valid). */
void cs_pgp_slot_alg(const struct cs_pgp *p, int slot, struct cs_pgp_alg *alg);
/* Slot of a control reference template tag (B6 0, B8 1, A4 2), -1 otherwise. */
int cs_pgp_crt_slot(unsigned tag);
/* Deletes the key of SLOT with its fingerprint, date and status; resets the signature counter
 * for slot 0. Marks the card dirty. */
void cs_pgp_key_clear(struct cs_card *c, int slot);
/* Stores K (ownership taken) in SLOT with STATUS (1 generated, 2 imported). */
void cs_pgp_key_store(struct cs_card *c, int slot, EVP_PKEY *k, uint8_t status);

/* pgp_crypto.c: the card's cryptography (OpenSSL). All return 0 or -1 unless said. */
EVP_PKEY *cs_pgp_crypto_generate(const struct cs_pgp_alg *alg);  /* owned, NULL on failure */
bool cs_pgp_crypto_key_is(EVP_PKEY *k, const struct cs_pgp_alg *alg);
/* Appends the children of 7F49: 81 n 82 e (RSA), 86 point (EC: 04||X||Y, 25519: 32 bytes). */
int cs_pgp_crypto_pubkey(EVP_PKEY *k, struct cs_buf *out);
/* PSO:CDS / INTERNAL AUTHENTICATE: RSA PKCS#1 v1.5 type 1 over IN, ECDSA over the hash IN
 * as r||s, Ed25519 over the message IN. */
int cs_pgp_crypto_sign(EVP_PKEY *k, const struct cs_pgp_alg *alg, const uint8_t *in, size_t n,
		       struct cs_buf *out);
/* RSA decryption with PKCS#1 v1.5 padding removed. */
int cs_pgp_crypto_rsa_decrypt(EVP_PKEY *k, const uint8_t *in, size_t n, struct cs_buf *out);
/* ECDH with the peer's point (NIST: uncompressed; X25519: 32 bytes): the shared secret. */
int cs_pgp_crypto_ecdh(EVP_PKEY *k, const struct cs_pgp_alg *alg, const uint8_t *pt, size_t n,
		       struct cs_buf *out);

/* pgp_import.c: private keys from the 5F48 components of a key import. */
#define PGP_NPARTS 9
/* The components by tag - 0x91: RSA 91 e, 92 p, 93 q, 94 1/q mod p, 95 dp, 96 dq, 97 n;
 * EC 92 private key, 99 public key. NULL when absent; they point into the command. */
struct cs_pgp_parts {
	const uint8_t *v[PGP_NPARTS];
	size_t len[PGP_NPARTS];
};
EVP_PKEY *cs_pgp_import_rsa(const struct cs_pgp_alg *alg, const struct cs_pgp_parts *parts);
EVP_PKEY *cs_pgp_import_ec(const struct cs_pgp_alg *alg, const struct cs_pgp_parts *parts);

/* pgp_state.c: the application's records in the state file ("pgp-..."). */
int cs_pgp_state_save(FILE *f, const struct cs_pgp *p);
/* One record (tokens T[0..NT)): true when valid. */
bool cs_pgp_state_line(struct cs_pgp *p, char **t, int nt);

#endif
