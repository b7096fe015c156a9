/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * src/decrypt.c: C_DecryptInit / C_Decrypt / C_DecryptUpdate / C_DecryptFinal
 * with a card RSA key (the card does the raw operation, the padding is checked
 * here: PKCS #1 v1.5, OAEP, or none for CKM_RSA_X_509; a card without raw RSA
 * removes the PKCS #1 v1.5 padding itself, and only CKM_RSA_PKCS is offered for it,
 * mech.c). The plaintext is kept
 * in the operation after the card answered, so a short buffer costs no second
 * card operation; a length query (NULL buffer) answers the modulus size.
 */
#include "config.h"

#include "src/tsr.h"
#include "src/opapi.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

/* A card that removes the padding: PLAIN (K bytes) receives the plaintext. */
static CK_RV
tsr_rsa_decrypt_pkcs1_inlock (struct tsr_session *s, struct tsr_op *op, struct tsr_object *key,
                              const uint8_t *in, size_t k, uint8_t *plain, size_t *out_len)
{
	CK_RV rv;

	if (op->mech != CKM_RSA_PKCS)
		return CKR_MECHANISM_INVALID;   /* OAEP, raw: not offered for such a card (mech.c) */
	*out_len = k;
	rv = tsr_card_op_inlock (s, key, op, TSR_PRIV_RSA_DECRYPT_PKCS1, in, k, plain, out_len);
	if (rv == CKR_DATA_INVALID)   /* the card found no valid padding */
		rv = CKR_ENCRYPTED_DATA_INVALID;
	if (rv == CKR_OK && *out_len + 11 > k)
		rv = CKR_DEVICE_ERROR;   /* more than a PKCS #1 v1.5 block can hold */
	return rv;
}

/* A card with raw RSA: the padding is checked here. RAW and PLAIN are K bytes. */
static CK_RV
tsr_rsa_decrypt_raw_inlock (struct tsr_session *s, struct tsr_op *op, struct tsr_object *key,
                            const uint8_t *in, size_t k, uint8_t *raw, uint8_t *plain, size_t *out_len)
{
	size_t raw_len = k;
	CK_RV rv;

	rv = tsr_card_op_inlock (s, key, op, TSR_PRIV_RSA, in, k, raw, &raw_len);
	if (rv != CKR_OK)
		return rv;
	if (raw_len < k) {   /* the card may drop leading zeros */
		memmove (raw + k - raw_len, raw, raw_len);
		memset (raw, 0, k - raw_len);
	}
	if (op->mech == CKM_RSA_X_509) {
		memcpy (plain, raw, k);
		*out_len = k;
	} else if (op->mech == CKM_RSA_PKCS_OAEP) {
		rv = tsr_rsa_unpad_oaep (raw, k, op->md, op->mgf1_md, op->label, op->label_len, plain, out_len);
	} else {
		rv = tsr_rsa_unpad_pkcs1 (raw, k, plain, out_len);
	}
	return rv;
}

CK_RV
tsr_rsa_decrypt_inlock (struct tsr_session *s, struct tsr_op *op, struct tsr_object *key,
                        const uint8_t *in, size_t in_len, uint8_t **out, size_t *out_len)
{
	struct tsr_slot *slot = tsr_slot_get_inlock (s->slot_id);
	size_t k = (key->key_bits + 7) / 8;
	uint8_t *raw = malloc (k ? k : 1), *plain = malloc (k ? k : 1);
	CK_RV rv;

	if (raw == NULL || plain == NULL) {
		rv = CKR_HOST_MEMORY;
		goto out;
	}
	if (k == 0 || in_len != k) {
		rv = CKR_ENCRYPTED_DATA_LEN_RANGE;
		goto out;
	}
	if (slot == NULL || slot->token == NULL)
		rv = CKR_DEVICE_REMOVED;
	else if (tsr_token_rsa_raw (slot->token))
		rv = tsr_rsa_decrypt_raw_inlock (s, op, key, in, k, raw, plain, out_len);
	else
		rv = tsr_rsa_decrypt_pkcs1_inlock (s, op, key, in, k, plain, out_len);
	if (rv == CKR_OK) {
		*out = plain;
		plain = NULL;
	}
out:
	if (raw != NULL)
		OPENSSL_cleanse (raw, k);
	if (plain != NULL)
		OPENSSL_cleanse (plain, k);
	free (raw);
	free (plain);
	return rv;
}

static CK_RV
tsr_decrypt_finish (CK_SESSION_HANDLE h, CK_BYTE_PTR data, CK_ULONG data_len, bool single,
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
	rv = tsr_op_finish_start_inlock (h, TSR_OP_DECRYPT, data, data_len, single, out_len, &s, &op, &key, &keep);
	if (rv != CKR_OK)
		goto out;
	if (!op->has_result && out == NULL) {
		*out_len = (key->key_bits + 7) / 8;
		keep = true;
		goto out;
	}
	if (!op->has_result) {
		rv = single ? tsr_op_update (op, data, data_len) : CKR_OK;
		if (rv == CKR_OK)
			rv = tsr_rsa_decrypt_inlock (s, op, key, op->buf, op->buf_len, &op->result, &op->result_len);
		if (rv != CKR_OK)
			goto out;
		op->has_result = true;
	}
	rv = tsr_op_deliver (op, out, out_len);
	keep = tsr_op_keeps_going (rv, out);
out:
	if (!keep)
		tsr_session_end_op_inlock (s, TSR_OP_DECRYPT);
	tsr_leave ();
	return rv;
}

CK_RV
C_DecryptInit (CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism, CK_OBJECT_HANDLE hKey)
{
	return tsr_op_init_api (hSession, TSR_OP_DECRYPT, pMechanism, hKey);
}

CK_RV
C_Decrypt (CK_SESSION_HANDLE hSession, CK_BYTE_PTR pEncryptedData, CK_ULONG ulEncryptedDataLen,
           CK_BYTE_PTR pData, CK_ULONG_PTR pulDataLen)
{
	return tsr_decrypt_finish (hSession, pEncryptedData, ulEncryptedDataLen, true, pData, pulDataLen);
}

CK_RV
C_DecryptUpdate (CK_SESSION_HANDLE hSession, CK_BYTE_PTR pEncryptedPart, CK_ULONG ulEncryptedPartLen,
                 CK_BYTE_PTR pPart, CK_ULONG_PTR pulPartLen)
{
	(void)pPart;
	return tsr_op_collect_api (hSession, TSR_OP_DECRYPT, pEncryptedPart, ulEncryptedPartLen, pulPartLen);
}

CK_RV
C_DecryptFinal (CK_SESSION_HANDLE hSession, CK_BYTE_PTR pLastPart, CK_ULONG_PTR pulLastPartLen)
{
	return tsr_decrypt_finish (hSession, NULL, 0, false, pLastPart, pulLastPartLen);
}
