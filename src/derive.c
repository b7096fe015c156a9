/*
 * src/derive.c: keys made from a card's private key: C_DeriveKey with ECDH
 * (CKM_ECDH1_DERIVE, CKM_ECDH1_COFACTOR_DERIVE: the same for the NIST curves,
 * whose cofactor is 1; KDF CKD_NULL) and C_UnwrapKey with RSA PKCS #1 v1.5 or
 * OAEP. The result is a session secret key (AES, DES3, generic) that every
 * session of the application can use.
 */
#include "config.h"

#include "src/tsr.h"
#include "src/attrrules.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

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

/* The peer's public point: raw uncompressed, or wrapped in a DER OCTET STRING. */
static CK_RV
tsr_ecdh_point (const CK_ECDH1_DERIVE_PARAMS *p, size_t field, const uint8_t **point, size_t *len)
{
	const uint8_t *d = p->pPublicData;
	size_t n = p->ulPublicDataLen;

	if (d == NULL || n == 0)
		return CKR_MECHANISM_PARAM_INVALID;
	if (n == 2 * field + 1 && d[0] == 0x04) {
		*point = d;
		*len = n;
		return CKR_OK;
	}
	if (n == 2 * field + 3 && d[0] == 0x04 && d[1] == 2 * field + 1 && d[2] == 0x04) {
		*point = d + 2;
		*len = n - 2;
		return CKR_OK;
	}
	return CKR_MECHANISM_PARAM_INVALID;
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
	uint8_t secret[66];
	size_t point_len = 0, secret_len = sizeof secret, field;
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
	if (params == NULL || pMechanism->ulParameterLen != sizeof *params || params->kdf != CKD_NULL ||
	    params->ulSharedDataLen != 0 || field == 0 || field > sizeof secret) {
		rv = CKR_MECHANISM_PARAM_INVALID;
		goto out;
	}
	rv = tsr_ecdh_point (params, field, &point, &point_len);
	if (rv == CKR_OK)
		rv = tsr_card_ecdh_inlock (s, key, point, point_len, secret, &secret_len);
	if (rv == CKR_OK)
		rv = tsr_secret_key_create_inlock (s, pTemplate, ulAttributeCount, secret, secret_len, key, phKey);
out:
	OPENSSL_cleanse (secret, sizeof secret);
	tsr_op_free (op);
	tsr_leave ();
	return rv;
}
