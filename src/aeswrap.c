/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * src/aeswrap.c: C_UnwrapKey with CKM_AES_KEY_WRAP (RFC 3394) and a session AES key,
 * in software (OpenSSL). NSS 3.12x decrypts ECDH S/MIME (RFC 5753) by deriving the
 * key-encryption key on the token of the card's key (C_DeriveKey with the X9.63 KDF,
 * derive.c) and then unwrapping the content key with it on that same token; it has
 * no fallback. No private key is involved: the KEK is a session secret.
 */
#include "config.h"

#include "src/tsr.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

/* The unwrapping key: a secret AES key the session sees, allowed to unwrap. Its value is
 * borrowed from the object. */
static CK_RV
tsr_aes_kek_inlock (struct tsr_session *s, CK_OBJECT_HANDLE handle, const CK_ATTRIBUTE **value)
{
	struct tsr_object *kek;
	CK_RV rv;

	rv = tsr_object_get_inlock (s, handle, &kek);
	if (rv != CKR_OK)
		return CKR_UNWRAPPING_KEY_HANDLE_INVALID;
	if (kek->klass != CKO_SECRET_KEY || kek->key_type != CKK_AES)
		return CKR_UNWRAPPING_KEY_TYPE_INCONSISTENT;
	if (!tsr_attr_bool (kek, CKA_UNWRAP, false))
		return CKR_KEY_FUNCTION_NOT_PERMITTED;
	*value = tsr_attr_find (kek, CKA_VALUE);
	if (*value == NULL || ((*value)->ulValueLen != 16 && (*value)->ulValueLen != 24 &&
	                       (*value)->ulValueLen != 32))
		return CKR_UNWRAPPING_KEY_SIZE_RANGE;
	return CKR_OK;
}

CK_RV
tsr_aes_unwrap_inlock (struct tsr_session *s, const CK_MECHANISM *m, CK_OBJECT_HANDLE kek,
                       const uint8_t *in, size_t in_len, const CK_ATTRIBUTE *templ, CK_ULONG count,
                       CK_OBJECT_HANDLE *out)
{
	static const char *const names[] = { "AES-128-WRAP", "AES-192-WRAP", "AES-256-WRAP" };
	const CK_ATTRIBUTE *key = NULL;
	EVP_CIPHER *cipher = NULL;
	EVP_CIPHER_CTX *ctx = NULL;
	uint8_t plain[64];
	int n = 0, fin = 0;
	CK_RV rv;

	if (m->ulParameterLen != 0 && (m->pParameter == NULL || m->ulParameterLen != 8))
		return CKR_MECHANISM_PARAM_INVALID;
	if (in_len < 24 || in_len % 8 != 0 || in_len - 8 > sizeof plain)
		return CKR_WRAPPED_KEY_LEN_RANGE;
	rv = tsr_aes_kek_inlock (s, kek, &key);
	if (rv != CKR_OK)
		return rv;
	cipher = EVP_CIPHER_fetch (tsr_ossl (), names[(key->ulValueLen - 16) / 8], NULL);
	ctx = EVP_CIPHER_CTX_new ();
	if (cipher == NULL || ctx == NULL ||
	    !EVP_DecryptInit_ex2 (ctx, cipher, key->pValue, m->ulParameterLen == 8 ? m->pParameter : NULL, NULL)) {
		rv = CKR_FUNCTION_FAILED;
		goto out;
	}
	/* the integrity check of RFC 3394 fails on a wrong key or altered data */
	if (!EVP_DecryptUpdate (ctx, plain, &n, in, (int)in_len) ||
	    !EVP_DecryptFinal_ex (ctx, plain + n, &fin)) {
		rv = CKR_WRAPPED_KEY_INVALID;
		goto out;
	}
	rv = tsr_secret_key_create_inlock (s, templ, count, plain, (size_t)(n + fin), NULL, out);
out:
	OPENSSL_cleanse (plain, sizeof plain);
	EVP_CIPHER_CTX_free (ctx);
	EVP_CIPHER_free (cipher);
	tsr_log ("p11", "C_UnwrapKey: AES key wrap with key %lu: 0x%lx", (unsigned long)kek, (unsigned long)rv);
	return rv;
}
