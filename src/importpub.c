/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * src/importpub.c: the public key of a private key given for import, made before
 * anything is sent to the card: RSA from CKA_MODULUS and CKA_PUBLIC_EXPONENT once
 * p * q = n holds (a template whose parts do not belong together is refused), EC
 * computed from the private scalar (a PKCS #11 EC private key carries no point),
 * Ed25519 and X25519 from the 32-byte private key by OpenSSL.
 *
 * Every BIGNUM that holds a private value is cleared when freed (BN_clear_free).
 */
#include "config.h"

#include "src/provision.h"
#include "src/keyalg.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <openssl/x509.h>

/* The DER SubjectPublicKeyInfo of the key that BLD describes: *spki owned (free()). */
static CK_RV
tsr_spki_from_params (const char *type, OSSL_PARAM_BLD *bld, uint8_t **spki, size_t *spki_len)
{
	OSSL_PARAM *params = OSSL_PARAM_BLD_to_param (bld);
	EVP_PKEY_CTX *ctx = params != NULL ? EVP_PKEY_CTX_new_from_name (tsr_ossl (), type, NULL) : NULL;
	EVP_PKEY *pk = NULL;
	unsigned char *der = NULL;
	int n = 0;
	CK_RV rv = CKR_HOST_MEMORY;

	if (ctx == NULL)
		goto out;
	rv = CKR_ATTRIBUTE_VALUE_INVALID;
	if (EVP_PKEY_fromdata_init (ctx) <= 0 || EVP_PKEY_fromdata (ctx, &pk, EVP_PKEY_PUBLIC_KEY, params) <= 0)
		goto out;
	n = i2d_PUBKEY (pk, &der);
	if (n <= 0)
		goto out;
	*spki = malloc ((size_t)n);
	rv = *spki != NULL ? CKR_OK : CKR_HOST_MEMORY;
	if (rv == CKR_OK) {
		memcpy (*spki, der, (size_t)n);
		*spki_len = (size_t)n;
	}
out:
	OPENSSL_free (der);
	EVP_PKEY_free (pk);
	EVP_PKEY_CTX_free (ctx);
	OSSL_PARAM_free (params);
	return rv;
}

static BIGNUM *
tsr_bn (const uint8_t *p, size_t len)
{
	return p != NULL && len > 0 && len <= 1024 ? BN_bin2bn (p, (int)len, NULL) : NULL;
}

static CK_RV
tsr_import_spki_rsa (const struct card_key_parts *parts, const CK_ATTRIBUTE *modulus,
                     const CK_ATTRIBUTE *exponent, uint8_t **spki, size_t *spki_len)
{
	BIGNUM *n = tsr_bn (modulus->pValue, modulus->ulValueLen);
	BIGNUM *e = tsr_bn (exponent->pValue, exponent->ulValueLen);
	BIGNUM *p = tsr_bn (parts->p, parts->p_len), *q = tsr_bn (parts->q, parts->q_len);
	BIGNUM *pq = BN_new ();
	BN_CTX *bc = BN_CTX_new ();
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new ();
	CK_RV rv = CKR_HOST_MEMORY;

	if (pq == NULL || bc == NULL || bld == NULL)
		goto out;
	rv = CKR_ATTRIBUTE_VALUE_INVALID;
	if (n == NULL || e == NULL || p == NULL || q == NULL || !BN_mul (pq, p, q, bc) || BN_cmp (pq, n) != 0) {
		tsr_log ("p11", "import: the RSA primes do not make the modulus");
		goto out;
	}
	if (OSSL_PARAM_BLD_push_BN (bld, OSSL_PKEY_PARAM_RSA_N, n) && OSSL_PARAM_BLD_push_BN (bld, OSSL_PKEY_PARAM_RSA_E, e))
		rv = tsr_spki_from_params ("RSA", bld, spki, spki_len);
out:
	OSSL_PARAM_BLD_free (bld);
	BN_CTX_free (bc);
	BN_clear_free (pq);
	BN_clear_free (p);
	BN_clear_free (q);
	BN_free (n);
	BN_free (e);
	return rv;
}

/* The uncompressed point d * G on the curve NID into PT (at most 1 + 2 * 66 bytes). */
static CK_RV
tsr_ec_point (int nid, const struct card_key_parts *parts, uint8_t *pt, size_t *pt_len)
{
	EC_GROUP *group = EC_GROUP_new_by_curve_name_ex (tsr_ossl (), NULL, nid);
	EC_POINT *point = group != NULL ? EC_POINT_new (group) : NULL;
	BIGNUM *d = tsr_bn (parts->scalar, parts->scalar_len);
	BN_CTX *bc = BN_CTX_new_ex (tsr_ossl ());
	CK_RV rv = CKR_HOST_MEMORY;

	if (group == NULL || point == NULL || bc == NULL)
		goto out;
	rv = CKR_ATTRIBUTE_VALUE_INVALID;
	if (d == NULL || BN_is_zero (d) || BN_cmp (d, EC_GROUP_get0_order (group)) >= 0) {
		tsr_log ("p11", "import: the EC private value is not a scalar of the curve");
		goto out;
	}
	if (EC_POINT_mul (group, point, d, NULL, NULL, bc) != 1)
		goto out;
	*pt_len = EC_POINT_point2oct (group, point, POINT_CONVERSION_UNCOMPRESSED, pt, *pt_len, bc);
	rv = *pt_len > 0 ? CKR_OK : CKR_FUNCTION_FAILED;
out:
	BN_CTX_free (bc);
	BN_clear_free (d);
	EC_POINT_free (point);
	EC_GROUP_free (group);
	return rv;
}

static CK_RV
tsr_import_spki_ec (int nid, const struct card_key_parts *parts, uint8_t **spki, size_t *spki_len)
{
	uint8_t pt[1 + 2 * 66];
	size_t pt_len = sizeof pt;
	OSSL_PARAM_BLD *bld = NULL;
	CK_RV rv;

	rv = tsr_ec_point (nid, parts, pt, &pt_len);
	if (rv != CKR_OK)
		goto out;
	bld = OSSL_PARAM_BLD_new ();
	rv = CKR_HOST_MEMORY;
	if (bld != NULL && OSSL_PARAM_BLD_push_utf8_string (bld, OSSL_PKEY_PARAM_GROUP_NAME, OBJ_nid2sn (nid), 0) &&
	    OSSL_PARAM_BLD_push_octet_string (bld, OSSL_PKEY_PARAM_PUB_KEY, pt, pt_len))
		rv = tsr_spki_from_params ("EC", bld, spki, spki_len);
out:
	OSSL_PARAM_BLD_free (bld);
	return rv;
}

/* Ed25519, X25519 (OpenSSL key type NAME): the public key of the 32-byte private key. */
static CK_RV
tsr_import_spki_raw (const char *name, const struct card_key_parts *parts, uint8_t **spki, size_t *spki_len)
{
	EVP_PKEY *pk = NULL;
	unsigned char *der = NULL;
	int n = 0;
	CK_RV rv = CKR_ATTRIBUTE_VALUE_INVALID;

	if (parts->scalar == NULL || parts->scalar_len != 32) {
		tsr_log ("p11", "import: the %s private key is not 32 bytes", name);
		goto out;
	}
	/* the private key is cleared when PK is freed */
	pk = EVP_PKEY_new_raw_private_key_ex (tsr_ossl (), name, NULL, parts->scalar, parts->scalar_len);
	n = pk != NULL ? i2d_PUBKEY (pk, &der) : 0;
	if (n <= 0)
		goto out;
	*spki = malloc ((size_t)n);
	rv = *spki != NULL ? CKR_OK : CKR_HOST_MEMORY;
	if (rv == CKR_OK) {
		memcpy (*spki, der, (size_t)n);
		*spki_len = (size_t)n;
	}
out:
	OPENSSL_free (der);
	EVP_PKEY_free (pk);
	return rv;
}

CK_RV
tsr_import_spki (const struct card_key_parts *parts, const CK_ATTRIBUTE *modulus,
                 const CK_ATTRIBUTE *exponent, uint8_t **spki, size_t *spki_len)
{
	const struct tsr_keyalg *a = tsr_keyalg (parts->alg);

	*spki = NULL;
	*spki_len = 0;
	if (a != NULL && a->kt == CKK_EC)
		return tsr_import_spki_ec (a->nid, parts, spki, spki_len);
	if (a != NULL && (a->kt == CKK_EC_EDWARDS || a->kt == CKK_EC_MONTGOMERY))
		return tsr_import_spki_raw (a->name, parts, spki, spki_len);
	if (modulus == NULL || exponent == NULL)
		return CKR_TEMPLATE_INCOMPLETE;
	return tsr_import_spki_rsa (parts, modulus, exponent, spki, spki_len);
}
