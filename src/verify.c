/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * src/verify.c: C_VerifyInit / C_Verify / C_VerifyUpdate / C_VerifyFinal with a
 * public key, in software (OpenSSL). ECDSA signatures are r||s of the curve's size;
 * CKM_EDDSA (pure Ed25519) signatures R||S over the whole message.
 */
#include "config.h"

#include "src/tsr.h"
#include "src/opapi.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/ec.h>
#include <openssl/rsa.h>

/* RSA_PKCS and RSA_X_509: recover the signed block and compare. */
static CK_RV
tsr_verify_recover (struct tsr_op *op, EVP_PKEY *pub, const uint8_t *data, size_t len,
                    const uint8_t *sig, size_t sig_len)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey (tsr_ossl (), pub, NULL);
	size_t k = (size_t)EVP_PKEY_get_size (pub), out_len = k;
	uint8_t *out = malloc (k);
	CK_RV rv = CKR_SIGNATURE_INVALID;
	bool x509 = op->mech == CKM_RSA_X_509;

	if (ctx == NULL || out == NULL) {
		rv = CKR_HOST_MEMORY;
		goto out;
	}
	if (EVP_PKEY_verify_recover_init (ctx) <= 0 ||
	    EVP_PKEY_CTX_set_rsa_padding (ctx, x509 ? RSA_NO_PADDING : RSA_PKCS1_PADDING) <= 0 ||
	    EVP_PKEY_verify_recover (ctx, out, &out_len, sig, sig_len) <= 0)
		goto out;
	if (x509) {
		/* compare as numbers: the data zero-extended to the modulus size */
		if (len <= out_len && memcmp (out + out_len - len, data, len) == 0) {
			size_t i;
			rv = CKR_OK;
			for (i = 0; i < out_len - len; i++)
				if (out[i] != 0)
					rv = CKR_SIGNATURE_INVALID;
		}
	} else if (out_len == len && memcmp (out, data, len) == 0) {
		rv = CKR_OK;
	}
out:
	free (out);
	EVP_PKEY_CTX_free (ctx);
	return rv;
}

/* r||s → DER ECDSA-Sig-Value. *der owned by the caller (OPENSSL_free). */
static CK_RV
tsr_ecdsa_sig_der (const uint8_t *sig, size_t sig_len, uint8_t **der, int *der_len)
{
	ECDSA_SIG *es = ECDSA_SIG_new ();
	BIGNUM *r = BN_bin2bn (sig, (int)(sig_len / 2), NULL);
	BIGNUM *s = BN_bin2bn (sig + sig_len / 2, (int)(sig_len / 2), NULL);
	CK_RV rv = CKR_HOST_MEMORY;

	if (es != NULL && r != NULL && s != NULL && ECDSA_SIG_set0 (es, r, s)) {
		r = s = NULL;
		*der = NULL;
		*der_len = i2d_ECDSA_SIG (es, der);
		if (*der_len > 0)
			rv = CKR_OK;
	}
	BN_free (r);
	BN_free (s);
	ECDSA_SIG_free (es);
	return rv;
}

/* Pure EdDSA over the message. */
static CK_RV
tsr_verify_eddsa (EVP_PKEY *pub, const uint8_t *data, size_t len, const uint8_t *sig, size_t sig_len)
{
	static const uint8_t empty[1];
	EVP_MD_CTX *ctx = EVP_MD_CTX_new ();
	CK_RV rv = CKR_SIGNATURE_INVALID;

	if (ctx == NULL)
		rv = CKR_HOST_MEMORY;
	else if (EVP_DigestVerifyInit_ex (ctx, NULL, NULL, tsr_ossl (), NULL, pub, NULL) == 1 &&
	         EVP_DigestVerify (ctx, sig, sig_len, data != NULL ? data : empty, len) == 1)
		rv = CKR_OK;
	EVP_MD_CTX_free (ctx);
	return rv;
}

static CK_RV
tsr_verify_compute (struct tsr_op *op, struct tsr_object *key, const uint8_t *data, size_t len,
                    const uint8_t *sig, size_t sig_len)
{
	EVP_PKEY_CTX *ctx = NULL;
	uint8_t *der = NULL;
	int der_len = 0;
	bool pair = key->key_type == CKK_EC || key->key_type == CKK_EC_EDWARDS;
	size_t expect = pair ? 2 * ((key->key_bits + 7) / 8) : (key->key_bits + 7) / 8;
	CK_RV rv;

	if (sig_len != expect)
		return CKR_SIGNATURE_LEN_RANGE;
	if (key->key_type == CKK_EC_EDWARDS)
		return tsr_verify_eddsa (key->pub, data, len, sig, sig_len);
	if (op->mech == CKM_RSA_PKCS || op->mech == CKM_RSA_X_509)
		return tsr_verify_recover (op, key->pub, data, len, sig, sig_len);
	if (key->key_type == CKK_EC) {
		rv = tsr_ecdsa_sig_der (sig, sig_len, &der, &der_len);
		if (rv != CKR_OK)
			return rv;
		sig = der;
		sig_len = (size_t)der_len;
	}
	rv = CKR_SIGNATURE_INVALID;
	ctx = EVP_PKEY_CTX_new_from_pkey (tsr_ossl (), key->pub, NULL);
	if (ctx == NULL || EVP_PKEY_verify_init (ctx) <= 0)
		goto out;
	if (key->key_type == CKK_RSA) {
		bool pss = op->mgf1_md != NULL;
		if (len != (size_t)EVP_MD_get_size (op->md)) {
			rv = CKR_DATA_LEN_RANGE;
			goto out;
		}
		if (EVP_PKEY_CTX_set_rsa_padding (ctx, pss ? RSA_PKCS1_PSS_PADDING : RSA_PKCS1_PADDING) <= 0 ||
		    EVP_PKEY_CTX_set_signature_md (ctx, op->md) <= 0 ||
		    (pss && (EVP_PKEY_CTX_set_rsa_mgf1_md (ctx, op->mgf1_md) <= 0 ||
		             EVP_PKEY_CTX_set_rsa_pss_saltlen (ctx, (int)op->salt_len) <= 0)))
			goto out;
	}
	if (EVP_PKEY_verify (ctx, sig, sig_len, data, len) == 1)
		rv = CKR_OK;
out:
	OPENSSL_free (der);
	EVP_PKEY_CTX_free (ctx);
	return rv;
}

static CK_RV
tsr_verify_finish (CK_SESSION_HANDLE h, CK_BYTE_PTR data, CK_ULONG data_len, bool single,
                   CK_BYTE_PTR sig, CK_ULONG sig_len)
{
	uint8_t hash[EVP_MAX_MD_SIZE];
	struct tsr_session *s;
	struct tsr_object *key;
	struct tsr_op *op = NULL;
	const uint8_t *in;
	size_t in_len;
	CK_RV rv;

	rv = tsr_enter ();
	if (rv != CKR_OK)
		return rv;
	rv = tsr_op_get_inlock (h, TSR_OP_VERIFY, &s, &op);
	if (rv != CKR_OK) {
		op = NULL;
		goto out;
	}
	if (!tsr_check (sig != NULL && (!single || data != NULL || data_len == 0))) {
		rv = CKR_ARGUMENTS_BAD;
		goto out;
	}
	rv = tsr_op_single_check (op, single);
	if (rv != CKR_OK)
		goto out;
	key = tsr_op_key_inlock (s, op);
	rv = key != NULL ? CKR_OK : CKR_KEY_HANDLE_INVALID;
	if (rv == CKR_OK && single)
		rv = tsr_op_update (op, data, data_len);
	if (rv == CKR_OK)
		rv = tsr_op_input (op, hash, &in, &in_len);
	if (rv == CKR_OK)
		rv = tsr_verify_compute (op, key, in, in_len, sig, sig_len);
out:
	if (op != NULL)
		tsr_session_end_op_inlock (s, TSR_OP_VERIFY);
	tsr_leave ();
	return rv;
}

CK_RV
C_VerifyInit (CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism, CK_OBJECT_HANDLE hKey)
{
	return tsr_op_init_api (hSession, TSR_OP_VERIFY, pMechanism, hKey);
}

CK_RV
C_Verify (CK_SESSION_HANDLE hSession, CK_BYTE_PTR pData, CK_ULONG ulDataLen,
          CK_BYTE_PTR pSignature, CK_ULONG ulSignatureLen)
{
	return tsr_verify_finish (hSession, pData, ulDataLen, true, pSignature, ulSignatureLen);
}

CK_RV
C_VerifyUpdate (CK_SESSION_HANDLE hSession, CK_BYTE_PTR pPart, CK_ULONG ulPartLen)
{
	return tsr_op_update_api (hSession, TSR_OP_VERIFY, pPart, ulPartLen);
}

CK_RV
C_VerifyFinal (CK_SESSION_HANDLE hSession, CK_BYTE_PTR pSignature, CK_ULONG ulSignatureLen)
{
	return tsr_verify_finish (hSession, NULL, 0, false, pSignature, ulSignatureLen);
}
