/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tests/testkeys.h: ready-made RSA-2048 keys for the unit tests (testkeys.c).
 */
#ifndef TSR_TESTKEYS_H
#define TSR_TESTKEYS_H

#include <openssl/evp.h>

#define TESTKEYS_RSA_N 8

/* Key I (mod TESTKEYS_RSA_N) of the pool, a new object owned by the caller (NULL when out
 * of memory). */
EVP_PKEY *testkey_rsa (unsigned i);
/* The next key of the pool: TESTKEYS_RSA_N calls in a row give different keys. */
EVP_PKEY *testkey_rsa_next (void);

#endif /* TSR_TESTKEYS_H */
