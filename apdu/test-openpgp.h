/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * apdu/test-openpgp.h: helpers of the OpenPGP library tests (test-openpgp*.c).
 */
#ifndef TSR_APDU_TEST_OPENPGP_H
#define TSR_APDU_TEST_OPENPGP_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "apdu/card.h"
#include "apdu/openpgp.h"

/* A struct card on reader OPS / NAME without a driver, inside a transaction (the
 * library needs no more). Owned: to_close(). */
struct card *to_open (const struct reader_ops *ops, const char *name);
void to_close (struct card *card);

/* The public key of SPKI DER (asserts it parses). Owned. */
EVP_PKEY *to_spki_key (const uint8_t *spki, size_t len);

/* Signature checks with OpenSSL: RSA PKCS#1 v1.5 recovering exactly IN; ECDSA r||s over
 * HASH; Ed25519 over MSG. */
void to_assert_rsa_sig (EVP_PKEY *key, const uint8_t *in, size_t len, const uint8_t *sig, size_t sig_len);
void to_assert_ecdsa_sig (EVP_PKEY *key, const uint8_t *hash, size_t len, const uint8_t *sig, size_t sig_len);
void to_assert_ed25519_sig (EVP_PKEY *key, const uint8_t *msg, size_t len, const uint8_t *sig, size_t sig_len);

/* ECDH / X25519 of PRIV with PEER's public key into OUT; returns the length. */
size_t to_derive (EVP_PKEY *priv, EVP_PKEY *peer, uint8_t *out, size_t size);

#endif /* TSR_APDU_TEST_OPENPGP_H */
