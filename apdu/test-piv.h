/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * apdu/test-piv.h: helpers shared by the PIV driver tests (test-piv*.c):
 * scripted card opening, long chained exchanges, test keys and certificates.
 */
#ifndef TSR_APDU_TEST_PIV_H
#define TSR_APDU_TEST_PIV_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "apdu/card.h"

#define SELECT_PIV "00 A4 04 00 0B A0 00 00 03 08 00 00 10 00 01 00 00"
#define APT "61 11 4F 06 00 00 10 00 01 00 79 07 4F 05 A0 00 00 03 08"
#define GET_VERSION "00 FD 00 00 00"
#define GET_SERIAL "00 F8 00 00 00"
#define GET_CHUID "00 CB 3F FF 05 5C 03 5F C1 02 00"
#define GET_KEY_HISTORY "00 CB 3F FF 05 5C 03 5F C1 0C 00"

/* Open a plain PIV card (CHUID with a GUID) / a YubiKey MAJOR.MINOR.0 with serial
 * 12345678 through the mock reader, and start a transaction. */
struct card *tp_open_plain (void);
struct card *tp_open_yubikey (int major, int minor);
/* End the transaction, close, assert the script was used up exactly. */
void tp_close (struct card *card);

/* Expect the command CLA INS P1 P2 (HEADER, hex) with DATA sent by command chaining in
 * 255-byte pieces (each answered 90 00); the last piece carries Le LE (-1: none) and
 * is answered LAST_RESP (hex). */
void tp_expect_chained (const char *header, const uint8_t *data, size_t len, int le,
                        const char *last_resp);
/* Expect CMD (hex) and answer DATA by response chaining: 256-byte pieces with 61 xx,
 * fetched by GET RESPONSE, the last with 90 00. CMD NULL: the first piece answers a
 * GET RESPONSE with Le 00 (after a command answered 61 00). */
void tp_serve_long (const char *cmd, const uint8_t *data, size_t len);

/* Keys: a fixed RSA-2048 key, a fresh EC key on GROUP ("P-256", "P-384"). Owned. */
EVP_PKEY *tp_rsa_key (void);
EVP_PKEY *tp_ec_key (const char *group);
/* A self-signed certificate of KEY with a comment of PAD bytes (to make it large).
 * DER owned by the caller (free()). */
uint8_t *tp_cert (EVP_PKEY *key, size_t pad, size_t *len);
/* The public key as a 7F49 template body (81 n 82 e / 86 point), owned (free()). */
uint8_t *tp_pubkey_template (EVP_PKEY *key, size_t *len);

/* Concatenate hex and binary: a growable byte string for building responses. */
struct tp_bytes {
	uint8_t *data;
	size_t len;
};
void tp_add_hex (struct tp_bytes *b, const char *hex);
void tp_add (struct tp_bytes *b, const uint8_t *data, size_t len);
/* Append a TLV header: TAG (1..3 bytes) and the BER length LEN. */
void tp_add_header (struct tp_bytes *b, uint32_t tag, size_t len);
void tp_bytes_free (struct tp_bytes *b);

#endif /* TSR_APDU_TEST_PIV_H */
