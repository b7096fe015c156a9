/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * src/keyalg.h: the key algorithms of the card-neutral layer (enum card_alg) as
 * PKCS #11 and OpenSSL name them (keyalg.c): key type, size, curve OID.
 */
#ifndef TSR_KEYALG_H
#define TSR_KEYALG_H

#include "src/tsr.h"

struct tsr_keyalg {
	enum card_alg alg;
	CK_KEY_TYPE kt;             /* CKK_RSA, CKK_EC, CKK_EC_EDWARDS, CKK_EC_MONTGOMERY */
	CK_ULONG bits;              /* RSA: modulus bits; curves: the field's size in bits, as
	                               CK_MECHANISM_INFO counts it (P-521: 521, 25519: 255) */
	int nid;                    /* OpenSSL: the curve (EC), the key type (Ed25519, X25519); 0 RSA */
	const char *name;           /* OpenSSL: the group (EC) or key type name; NULL for RSA */
	const uint8_t *oid;         /* CKA_EC_PARAMS: DER of the curve's OBJECT IDENTIFIER (RFC 5480,
	                               RFC 5639, RFC 8410); NULL for RSA */
	size_t oid_len;
	const char *curve_name;     /* the PrintableString PKCS #11 3.0 also allows in CKA_EC_PARAMS
	                               of Edwards and Montgomery keys ("edwards25519"), or NULL */
};

/* The entry of ALG, or NULL (CARD_ALG_NONE, or a value out of range). */
const struct tsr_keyalg *tsr_keyalg (enum card_alg alg);
/* The I-th entry, for walking the table; NULL past the end. */
const struct tsr_keyalg *tsr_keyalg_at (size_t i);
/* The algorithm of key type KT whose CKA_EC_PARAMS is PARAMS (the curve's OID, or for
 * Edwards and Montgomery keys the curve's name as a PrintableString), or NULL. */
const struct tsr_keyalg *tsr_keyalg_by_params (CK_KEY_TYPE kt, const uint8_t *params, size_t len);
/* The algorithm of the public key PK (RSA by its size), or NULL. */
const struct tsr_keyalg *tsr_keyalg_of_pkey (EVP_PKEY *pk);
/* The PKCS #11 key type of PK: CKK_RSA, CKK_EC, CKK_EC_EDWARDS (Ed25519), CKK_EC_MONTGOMERY
 * (X25519), else CK_UNAVAILABLE_INFORMATION. */
CK_KEY_TYPE tsr_key_type_of_pkey (EVP_PKEY *pk);
/* The key size of PK as CK_MECHANISM_INFO counts it (RSA modulus, curve field bits). */
CK_ULONG tsr_key_bits_of_pkey (EVP_PKEY *pk);
/* The key pair generation mechanism of KT (CKM_EC_EDWARDS_KEY_PAIR_GEN ...). */
CK_MECHANISM_TYPE tsr_keygen_mech_of (CK_KEY_TYPE kt);

#endif /* TSR_KEYALG_H */
