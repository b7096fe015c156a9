/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* crypto.h: the card's cryptography on top of OpenSSL 3 (libcrypto). */
#ifndef CARDSIM_CRYPTO_H
#define CARDSIM_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "buf.h"

bool cs_alg_is_rsa(uint8_t alg);
bool cs_alg_is_ec(uint8_t alg);
unsigned cs_alg_rsa_bits(uint8_t alg);   /* 0 when not RSA */
size_t cs_alg_ec_bytes(uint8_t alg);     /* field size; 0 when not EC */
size_t cs_alg_mgm_keylen(uint8_t alg);   /* 0 when not a symmetric (management key) alg */
size_t cs_alg_block(uint8_t alg);        /* cipher block size, 0 when not symmetric */

int cs_crypto_random(uint8_t *p, size_t n); /* 0 or -1 */
/* New key pair for ALG (caller owns it), NULL on failure. */
EVP_PKEY *cs_crypto_generate(uint8_t alg);
/* One ECB block of the management key cipher; 0 or -1. */
int cs_crypto_block(uint8_t alg, const uint8_t *key, const uint8_t *in, uint8_t *out, bool enc);
/* Private-key operations; append the result to OUT. 0 or -1 (bad input or failure). */
int cs_crypto_rsa_raw(EVP_PKEY *k, const uint8_t *in, size_t n, struct cs_buf *out);
int cs_crypto_ecdsa(EVP_PKEY *k, const uint8_t *in, size_t n, struct cs_buf *out);
int cs_crypto_ecdh(EVP_PKEY *k, uint8_t alg, const uint8_t *pt, size_t n, struct cs_buf *out);
/* Appends the public key as PIV TLVs: 81 modulus 82 exponent, or 86 point. 0 or -1. */
int cs_crypto_pubkey_tlv(EVP_PKEY *k, struct cs_buf *out);
/* Builds a private key from YubiKey import components (caller owns it), NULL when invalid.
 * RSA: P, Q, DP, DQ, QINV (public exponent 65537, as the YubiKey requires). */
EVP_PKEY *cs_crypto_import_rsa(uint8_t alg, const uint8_t *const part[5], const size_t len[5]);
EVP_PKEY *cs_crypto_import_ec(uint8_t alg, const uint8_t *d, size_t n);
/* Whether K is a key of algorithm ALG. */
bool cs_crypto_key_is(EVP_PKEY *k, uint8_t alg);

#endif
