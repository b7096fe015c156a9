/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * src/encrypt.c: C_EncryptInit / C_Encrypt / C_EncryptUpdate / C_EncryptFinal
 * with an RSA public key, in software (PKCS #1 v1.5, OAEP, raw).
 */
#include "config.h"

#include "src/tsr.h"
#include "src/opapi.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rsa.h>

static CK_RV
tsr_encrypt_compute (struct tsr_op *op, EVP_PKEY *pub, const uint8_t *in, size_t len)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey (tsr_ossl (), pub, NULL);
	size_t k = (size_t)EVP_PKEY_get_size (pub), out_len = k;
	uint8_t *block = NULL, *label = NULL;
	int pad = op->mech == CKM_RSA_X_509 ? RSA_NO_PADDING :
	          op->mech == CKM_RSA_PKCS_OAEP ? RSA_PKCS1_OAEP_PADDING : RSA_PKCS1_PADDING;
	CK_RV rv = CKR_FUNCTION_FAILED;

	op->result = malloc (k);
	if (ctx == NULL || op->result == NULL) {
		rv = CKR_HOST_MEMORY;
		goto out;
	}
	if (pad == RSA_NO_PADDING) {
		if (len > k) {
			rv = CKR_DATA_LEN_RANGE;
			goto out;
		}
		block = calloc (1, k);
		if (block == NULL) {
			rv = CKR_HOST_MEMORY;
			goto out;
		}
		memcpy (block + k - len, in, len);
		in = block;
		len = k;
	} else if ((pad == RSA_PKCS1_PADDING && len + 11 > k) ||
	           (pad == RSA_PKCS1_OAEP_PADDING && len + 2 * (size_t)EVP_MD_get_size (op->md) + 2 > k)) {
		rv = CKR_DATA_LEN_RANGE;
		goto out;
	}
	if (EVP_PKEY_encrypt_init (ctx) <= 0 || EVP_PKEY_CTX_set_rsa_padding (ctx, pad) <= 0)
		goto out;
	if (pad == RSA_PKCS1_OAEP_PADDING) {
		if (EVP_PKEY_CTX_set_rsa_oaep_md (ctx, op->md) <= 0 ||
		    EVP_PKEY_CTX_set_rsa_mgf1_md (ctx, op->mgf1_md) <= 0)
			goto out;
		if (op->label_len > 0) {
			label = OPENSSL_memdup (op->label, op->label_len);
			if (label == NULL || EVP_PKEY_CTX_set0_rsa_oaep_label (ctx, label, (int)op->label_len) <= 0)
				goto out;
			label = NULL;   /* owned by ctx now */
		}
	}
	if (EVP_PKEY_encrypt (ctx, op->result, &out_len, in, len) <= 0) {
		rv = CKR_DATA_INVALID;
		goto out;
	}
	op->result_len = out_len;
	op->has_result = true;
	rv = CKR_OK;
out:
	OPENSSL_free (label);
	free (block);
	EVP_PKEY_CTX_free (ctx);
	return rv;
}

static CK_RV
tsr_encrypt_finish (CK_SESSION_HANDLE h, CK_BYTE_PTR data, CK_ULONG data_len, bool single,
                    CK_BYTE_PTR out, CK_ULONG_PTR out_len)
{
	struct tsr_session *s;
	struct tsr_object *key;
	struct tsr_op *op = NULL;
	bool keep;
	CK_RV rv;

	rv = tsr_enter ();
	if (rv != CKR_OK)
		return rv;
	rv = tsr_op_finish_start_inlock (h, TSR_OP_ENCRYPT, data, data_len, single, out_len, &s, &op, &key, &keep);
	if (rv != CKR_OK)
		goto out;
	if (!op->has_result) {
		rv = single ? tsr_op_update (op, data, data_len) : CKR_OK;
		if (rv == CKR_OK)
			rv = tsr_encrypt_compute (op, key->pub, op->buf, op->buf_len);
		if (rv != CKR_OK)
			goto out;
	}
	rv = tsr_op_deliver (op, out, out_len);
	keep = tsr_op_keeps_going (rv, out);
out:
	if (!keep)
		tsr_session_end_op_inlock (s, TSR_OP_ENCRYPT);
	tsr_leave ();
	return rv;
}

CK_RV
C_EncryptInit (CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism, CK_OBJECT_HANDLE hKey)
{
	return tsr_op_init_api (hSession, TSR_OP_ENCRYPT, pMechanism, hKey);
}

CK_RV
C_Encrypt (CK_SESSION_HANDLE hSession, CK_BYTE_PTR pData, CK_ULONG ulDataLen,
           CK_BYTE_PTR pEncryptedData, CK_ULONG_PTR pulEncryptedDataLen)
{
	return tsr_encrypt_finish (hSession, pData, ulDataLen, true, pEncryptedData, pulEncryptedDataLen);
}

CK_RV
C_EncryptUpdate (CK_SESSION_HANDLE hSession, CK_BYTE_PTR pPart, CK_ULONG ulPartLen,
                 CK_BYTE_PTR pEncryptedPart, CK_ULONG_PTR pulEncryptedPartLen)
{
	/* RSA is single-block: parts are collected, output comes at C_EncryptFinal */
	(void)pEncryptedPart;
	return tsr_op_collect_api (hSession, TSR_OP_ENCRYPT, pPart, ulPartLen, pulEncryptedPartLen);
}

CK_RV
C_EncryptFinal (CK_SESSION_HANDLE hSession, CK_BYTE_PTR pLastEncryptedPart,
                CK_ULONG_PTR pulLastEncryptedPartLen)
{
	return tsr_encrypt_finish (hSession, NULL, 0, false, pLastEncryptedPart, pulLastEncryptedPartLen);
}
