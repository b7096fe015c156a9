/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * src/derive.c: keys made from a card's private key: C_DeriveKey with ECDH
 * (CKM_ECDH1_DERIVE with EC and X25519 keys, CKM_ECDH1_COFACTOR_DERIVE with EC keys:
 * the same for the NIST and brainpool curves, whose cofactor is 1; KDF CKD_NULL, or
 * the ANSI X9.63 KDF CKD_SHA1_KDF ..
 * CKD_SHA512_KDF over the card's shared secret, done here with OpenSSL: NSS 3.12x
 * asks for it to decrypt ECDH S/MIME (RFC 5753) and has no fallback there) and
 * C_UnwrapKey with RSA PKCS #1 v1.5 or OAEP (or, with a session AES key, AES key
 * wrap: aeswrap.c). The result is a session secret key
 * (AES, DES3, generic) that every session of the application can use.
 */
#include "config.h"

#include "src/tsr.h"
#include "src/provision.h"
#include "src/attrrules.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/kdf.h>

CK_RV
C_UnwrapKey (CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism, CK_OBJECT_HANDLE hUnwrappingKey,
             CK_BYTE_PTR pWrappedKey, CK_ULONG ulWrappedKeyLen, CK_ATTRIBUTE_PTR pTemplate,
             CK_ULONG ulAttributeCount, CK_OBJECT_HANDLE_PTR phKey)
{
	struct tsr_session *s;
	struct tsr_object *key;
	struct tsr_op *op = NULL;
	uint8_t *plain = NULL;
	size_t plain_len = 0;
	CK_RV rv;

	rv = tsr_enter ();
	if (rv != CKR_OK)
		return rv;
	rv = tsr_session_token_inlock (hSession, &s, NULL, NULL);
	if (rv != CKR_OK)
		goto out;
	if (!tsr_check (pMechanism != NULL && pWrappedKey != NULL && phKey != NULL &&
	                (pTemplate != NULL || ulAttributeCount == 0))) {
		rv = CKR_ARGUMENTS_BAD;
		goto out;
	}
	rv = tsr_templ_check_new (pTemplate, ulAttributeCount);   /* before the card is asked */
	if (rv != CKR_OK)
		goto out;
	if (pMechanism->mechanism == CKM_AES_KEY_WRAP) {   /* a session key, in software */
		rv = tsr_aes_unwrap_inlock (s, pMechanism, hUnwrappingKey, pWrappedKey, ulWrappedKeyLen,
		                            pTemplate, ulAttributeCount, phKey);
		goto out;
	}
	rv = tsr_op_new_inlock (s, TSR_OP_UNWRAP, pMechanism, hUnwrappingKey, &op);
	if (rv == CKR_KEY_HANDLE_INVALID)
		rv = CKR_UNWRAPPING_KEY_HANDLE_INVALID;
	if (rv != CKR_OK)
		goto out;
	if (tsr_object_get_inlock (s, hUnwrappingKey, &key) != CKR_OK) {
		rv = CKR_UNWRAPPING_KEY_HANDLE_INVALID;
		goto out;
	}
	rv = tsr_rsa_decrypt_inlock (s, op, key, pWrappedKey, ulWrappedKeyLen, &plain, &plain_len);
	if (rv == CKR_ENCRYPTED_DATA_LEN_RANGE)
		rv = CKR_WRAPPED_KEY_LEN_RANGE;
	else if (rv == CKR_ENCRYPTED_DATA_INVALID)
		rv = CKR_WRAPPED_KEY_INVALID;
	if (rv != CKR_OK)
		goto out;
	rv = tsr_secret_key_create_inlock (s, pTemplate, ulAttributeCount, plain, plain_len, NULL, phKey);
out:
	if (plain != NULL)
		OPENSSL_cleanse (plain, plain_len);
	free (plain);
	tsr_op_free (op);
	tsr_leave ();
	return rv;
}

/* The peer's public key: EC the uncompressed point (04 || X || Y, each FIELD bytes),
 * X25519 its FIELD (32) bytes; raw, or wrapped in a DER OCTET STRING (CKA_EC_POINT's
 * form, with a long length from P-521 on). */
static CK_RV
tsr_ecdh_point (const CK_ECDH1_DERIVE_PARAMS *p, CK_KEY_TYPE kt, size_t field, const uint8_t **point,
                size_t *len)
{
	const uint8_t *d = p->pPublicData;
	size_t n = p->ulPublicDataLen, want = kt == CKK_EC_MONTGOMERY ? field : 2 * field + 1, hdr = 0;

	if (d == NULL || n == 0)
		return CKR_MECHANISM_PARAM_INVALID;
	if (n == want + 2 && d[0] == 0x04 && want < 0x80 && d[1] == want)
		hdr = 2;
	else if (n == want + 3 && d[0] == 0x04 && want >= 0x80 && want < 0x100 && d[1] == 0x81 && d[2] == want)
		hdr = 3;
	else if (n != want)
		return CKR_MECHANISM_PARAM_INVALID;
	if (kt != CKK_EC_MONTGOMERY && d[hdr] != 0x04)
		return CKR_MECHANISM_PARAM_INVALID;   /* compressed points are not taken */
	*point = d + hdr;
	*len = want;
	return CKR_OK;
}

static const EVP_MD *
tsr_md_of_kdf (CK_ULONG kdf)
{
	switch (kdf) {
	case CKD_SHA1_KDF: return tsr_md_sha (1);
	case CKD_SHA224_KDF: return tsr_md_sha (224);
	case CKD_SHA256_KDF: return tsr_md_sha (256);
	case CKD_SHA384_KDF: return tsr_md_sha (384);
	case CKD_SHA512_KDF: return tsr_md_sha (512);
	default: return NULL;
	}
}

static bool
tsr_ecdh_params_ok (const CK_MECHANISM *m)
{
	const CK_ECDH1_DERIVE_PARAMS *p = m->pParameter;

	if (p == NULL || m->ulParameterLen != sizeof *p)
		return false;
	if (p->kdf == CKD_NULL)
		return p->ulSharedDataLen == 0;
	return tsr_md_of_kdf (p->kdf) != NULL && (p->ulSharedDataLen == 0 || p->pSharedData != NULL);
}

/* The length a KDF derives for the template: its CKA_VALUE_LEN, or the key type's fixed
 * length (DES3, DES2), at most MAX bytes, into *WANT. */
static CK_RV
tsr_ecdh_kdf_len (const CK_ATTRIBUTE *templ, CK_ULONG count, size_t max, size_t *want)
{
	CK_ULONG len = 0, kt = CKK_GENERIC_SECRET;

	(void)tsr_templ_ulong_of (templ, count, CKA_KEY_TYPE, &kt);
	if (tsr_templ_ulong_of (templ, count, CKA_VALUE_LEN, &len) != 1)
		len = kt == CKK_DES3 ? 24 : kt == CKK_DES2 ? 16 : 0;
	*want = len;
	if (len == 0)
		return CKR_TEMPLATE_INCOMPLETE;
	return len > max ? CKR_TEMPLATE_INCONSISTENT : CKR_OK;
}

/* The X9.63 KDF of the shared secret Z into OUT: tsr_ecdh_kdf_len bytes (at most *LEN);
 * *LEN set to it. */
static CK_RV
tsr_ecdh_kdf (const CK_ECDH1_DERIVE_PARAMS *p, const CK_ATTRIBUTE *templ, CK_ULONG count,
              const uint8_t *z, size_t z_len, uint8_t *out, size_t *len)
{
	size_t want = 0;
	OSSL_PARAM params[4], *q = params;
	EVP_KDF *kdf = NULL;
	EVP_KDF_CTX *ctx = NULL;
	CK_RV rv;

	rv = tsr_ecdh_kdf_len (templ, count, *len, &want);
	if (rv != CKR_OK)
		goto out;
	*q++ = OSSL_PARAM_construct_utf8_string (OSSL_KDF_PARAM_DIGEST,
	                                         (char *)EVP_MD_get0_name (tsr_md_of_kdf (p->kdf)), 0);
	*q++ = OSSL_PARAM_construct_octet_string (OSSL_KDF_PARAM_KEY, (void *)z, z_len);
	if (p->ulSharedDataLen > 0)
		*q++ = OSSL_PARAM_construct_octet_string (OSSL_KDF_PARAM_INFO, p->pSharedData, p->ulSharedDataLen);
	*q = OSSL_PARAM_construct_end ();
	kdf = EVP_KDF_fetch (tsr_ossl (), "X963KDF", NULL);
	ctx = kdf != NULL ? EVP_KDF_CTX_new (kdf) : NULL;
	if (ctx == NULL || EVP_KDF_derive (ctx, out, want, params) != 1) {
		tsr_log ("p11", "C_DeriveKey: X9.63 KDF failed");
		rv = CKR_FUNCTION_FAILED;
		goto out;
	}
	*len = want;
out:
	EVP_KDF_CTX_free (ctx);
	EVP_KDF_free (kdf);
	return rv;
}

CK_RV
C_DeriveKey (CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism, CK_OBJECT_HANDLE hBaseKey,
             CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulAttributeCount, CK_OBJECT_HANDLE_PTR phKey)
{
	const CK_ECDH1_DERIVE_PARAMS *params;
	struct tsr_session *s;
	struct tsr_object *key;
	struct tsr_op *op = NULL;
	const uint8_t *point = NULL;
	uint8_t secret[66], derived[64];
	size_t point_len = 0, secret_len = sizeof secret, derived_len = sizeof derived, field, kdf_len;
	CK_RV rv;

	rv = tsr_enter ();
	if (rv != CKR_OK)
		return rv;
	rv = tsr_session_token_inlock (hSession, &s, NULL, NULL);
	if (rv != CKR_OK)
		goto out;
	if (!tsr_check (pMechanism != NULL && phKey != NULL && (pTemplate != NULL || ulAttributeCount == 0))) {
		rv = CKR_ARGUMENTS_BAD;
		goto out;
	}
	rv = tsr_templ_check_new (pTemplate, ulAttributeCount);   /* before the card is asked */
	if (rv != CKR_OK)
		goto out;
	rv = tsr_op_new_inlock (s, TSR_OP_DERIVE, pMechanism, hBaseKey, &op);
	if (rv != CKR_OK)
		goto out;
	(void)tsr_object_get_inlock (s, hBaseKey, &key);
	params = pMechanism->pParameter;
	field = (key->key_bits + 7) / 8;
	if (!tsr_ecdh_params_ok (pMechanism) || field == 0 || field > sizeof secret) {
		rv = CKR_MECHANISM_PARAM_INVALID;
		goto out;
	}
	rv = tsr_ecdh_point (params, key->key_type, field, &point, &point_len);
	if (rv == CKR_OK && params->kdf != CKD_NULL)   /* the derived key's length, before the card is asked */
		rv = tsr_ecdh_kdf_len (pTemplate, ulAttributeCount, derived_len, &kdf_len);
	if (rv == CKR_OK)
		rv = tsr_card_op_inlock (s, key, NULL, TSR_PRIV_ECDH, point, point_len, secret, &secret_len);
	if (rv == CKR_OK && params->kdf != CKD_NULL) {
		rv = tsr_ecdh_kdf (params, pTemplate, ulAttributeCount, secret, secret_len, derived, &derived_len);
		if (rv == CKR_OK)
			rv = tsr_secret_key_create_inlock (s, pTemplate, ulAttributeCount, derived, derived_len, key, phKey);
	} else if (rv == CKR_OK) {
		rv = tsr_secret_key_create_inlock (s, pTemplate, ulAttributeCount, secret, secret_len, key, phKey);
	}
out:
	OPENSSL_cleanse (secret, sizeof secret);
	OPENSSL_cleanse (derived, sizeof derived);
	tsr_op_free (op);
	tsr_leave ();
	return rv;
}
