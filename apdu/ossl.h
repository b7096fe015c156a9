/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * apdu/ossl.h: the module's own OpenSSL library context.
 *
 * A PKCS #11 module must not depend on how its host application configured
 * OpenSSL (an ENGINE made the default for RSA and EC, providers, properties,
 * OPENSSL_CONF). All software crypto of the module, here and in src/, runs in
 * one private OSSL_LIB_CTX with the default provider loaded explicitly: pass
 * apdu_libctx() to every *_ex / *_from_* / *_fetch OpenSSL call.
 *
 * The context is reference counted: every open card holds a reference
 * (card_open / card_close), and so does the front end between C_Initialize and
 * C_Finalize. It is created by the first reference and freed with the last one.
 */
#ifndef TSR_APDU_OSSL_H
#define TSR_APDU_OSSL_H

#include <openssl/types.h>

#include "apdu/card.h"

/* Take a reference, creating the context (and loading its default provider) on
 * the first one. CARD_E_INTERNAL if OpenSSL cannot: then no reference is held.
 * Thread-safe. */
card_rv apdu_ossl_ref (void);

/* Drop a reference taken by apdu_ossl_ref; the last one frees the context. */
void apdu_ossl_unref (void);

/* The context: valid while the caller (or an open card it uses) holds a
 * reference; NULL when nobody does. Not owned by the caller. */
OSSL_LIB_CTX *apdu_libctx (void);

#endif /* TSR_APDU_OSSL_H */
