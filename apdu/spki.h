/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * apdu/spki.h: SubjectPublicKeyInfo DER built from the parts of a public key a card returns
 * (its 7F49 template), for every card family.
 *
 * Built byte by byte, not through an EVP_PKEY: in OpenSSL 3.0 EVP_PKEY_CTX_new_from_name /
 * _from_pkey hand RSA and EC to an ENGINE that the application made the default
 * (ENGINE_set_default, as `openssl -engine pkcs11` does) whatever library context they are
 * given, and such an ENGINE cannot import keys. The front end parses the result in the
 * module's own context (apdu_libctx), which checks the key itself.
 */
#ifndef TSR_APDU_SPKI_H
#define TSR_APDU_SPKI_H

#include <stddef.h>
#include <stdint.h>

#include "apdu/card.h"

/* An RSA key of BITS bits from its modulus N and exponent E (big-endian, leading zeros
 * allowed): CARD_E_BAD_RESPONSE unless N has exactly BITS bits and E 1..8 bytes. *spki is
 * owned by the caller (free()). */
card_rv apdu_spki_rsa (const uint8_t *n, size_t n_len, const uint8_t *e, size_t e_len, size_t bits,
                       uint8_t **spki, size_t *spki_len);
/* An EC key on the curve CURVE_OID (its OBJECT IDENTIFIER's contents) from its uncompressed
 * POINT (04 X Y): CARD_E_BAD_RESPONSE unless POINT is 1 + 2 * COORD_BYTES bytes starting 04. */
card_rv apdu_spki_ec (const uint8_t *curve_oid, size_t oid_len, size_t coord_bytes, const uint8_t *point,
                      size_t point_len, uint8_t **spki, size_t *spki_len);
/* A key whose algorithm has no parameters (Ed25519, X25519: RFC 8410) and whose public key is
 * KEY as it is. */
card_rv apdu_spki_raw (const uint8_t *alg_oid, size_t alg_len, const uint8_t *key, size_t key_len,
                       uint8_t **spki, size_t *spki_len);

#endif /* TSR_APDU_SPKI_H */
