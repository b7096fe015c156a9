/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * src/sign.c: C_SignInit / C_Sign / C_SignUpdate / C_SignFinal with a card key.
 * Hashing (CKM_SHA*_RSA_PKCS*, CKM_ECDSA_SHA*) and padding (PKCS #1 v1.5, PSS)
 * are done here; the card does the raw RSA operation or ECDSA over the hash. A
 * card without raw RSA pads itself: it is given the DigestInfo (or CKM_RSA_PKCS's
 * data), and only PKCS #1 v1.5 is offered for it (mech.c). CKM_EDDSA (pure Ed25519)
 * gives the card the whole message, collected here (at most 64 KiB).
 * The signature length is known in advance, so a length query or a short
 * buffer never costs a card operation (nor a PIN-always authorisation).
 */
#include "config.h"

#include "src/tsr.h"
#include "src/opapi.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>

static size_t
tsr_sig_len (const struct tsr_object *key)
{
	size_t bytes = (key->key_bits + 7) / 8;

	return key->key_type == CKK_EC || key->key_type == CKK_EC_EDWARDS ? 2 * bytes : bytes;
}

/* RSA on a card that pads itself: it gets the DigestInfo, or CKM_RSA_PKCS's data. */
static CK_RV
tsr_sign_rsa_pkcs1_inlock (struct tsr_session *s, struct tsr_op *op, struct tsr_object *key,
                           const uint8_t *data, size_t len, size_t k, uint8_t *sig, size_t *sig_len)
{
	uint8_t di[128];
	size_t di_len = 0;
	CK_RV rv = CKR_OK;

	if (op->mech != CKM_RSA_PKCS && tsr_md_of_sign_mech (op->mech) == NULL)
		return CKR_MECHANISM_INVALID;   /* PSS, raw: not offered for such a card (mech.c) */
	if (op->mech != CKM_RSA_PKCS) {
		rv = tsr_digest_info (op->md, data, len, di, &di_len);
		data = di;
		len = di_len;
	}
	if (rv == CKR_OK && len + 11 > k)
		rv = CKR_DATA_LEN_RANGE;
	if (rv == CKR_OK)
		rv = tsr_card_op_inlock (s, key, op, TSR_PRIV_RSA_SIGN_PKCS1, data, len, sig, sig_len);
	if (rv == CKR_OK)
		rv = tsr_sigcheck_pkcs1 (key, data, len, sig, *sig_len);
	return rv;
}

/* The encoded message for the card's raw RSA operation (K bytes into EM). */
static CK_RV
tsr_sign_rsa_encode (struct tsr_op *op, struct tsr_object *key, const uint8_t *data, size_t len,
                     uint8_t *em, size_t k)
{
	uint8_t di[128];
	size_t di_len = 0;
	CK_RV rv;

	switch (op->mech) {
	case CKM_RSA_PKCS:
		return tsr_rsa_pad_pkcs1_sign (data, len, em, k);
	case CKM_RSA_X_509:
		if (len > k)
			return CKR_DATA_LEN_RANGE;
		memset (em, 0, k - len);
		if (len > 0)   /* no input: the integer 0 (and DATA may be NULL) */
			memcpy (em + k - len, data, len);
		return CKR_OK;
	case CKM_SHA1_RSA_PKCS: case CKM_SHA224_RSA_PKCS: case CKM_SHA256_RSA_PKCS:
	case CKM_SHA384_RSA_PKCS: case CKM_SHA512_RSA_PKCS:
		rv = tsr_digest_info (op->md, data, len, di, &di_len);
		return rv == CKR_OK ? tsr_rsa_pad_pkcs1_sign (di, di_len, em, k) : rv;
	default:   /* PSS, raw or with hashing */
		return tsr_rsa_pad_pss (key->pub, op->md, op->mgf1_md, op->salt_len, data, len, em, k);
	}
}

/* ECDSA's input for the card, N bytes into IN: the integer e of the hash (its leftmost
 * BITS bits, BITS the order's size) written so that a card applying the same rule to N
 * bytes finds e again: shifted left by 8N - BITS (P-256, P-384, brainpool: 0, which is the
 * hash's leftmost bytes or the hash zero-extended; P-521: 7). */
static CK_RV
tsr_ecdsa_input (const uint8_t *hash, size_t len, CK_ULONG bits, uint8_t *in, size_t n)
{
	BIGNUM *e = BN_bin2bn (hash, (int)len, NULL);
	CK_RV rv = CKR_HOST_MEMORY;

	if (e != NULL && (8 * len <= bits || BN_rshift (e, e, (int)(8 * len - bits))) &&
	    BN_lshift (e, e, (int)(8 * n - bits)) && BN_bn2binpad (e, in, (int)n) == (int)n)
		rv = CKR_OK;
	BN_free (e);
	return rv;
}

static CK_RV
tsr_sign_compute_inlock (struct tsr_session *s, struct tsr_op *op, struct tsr_object *key,
                         uint8_t *sig, size_t *sig_len)
{
	struct tsr_slot *slot = tsr_slot_get_inlock (s->slot_id);
	uint8_t hash[EVP_MAX_MD_SIZE], in[512];
	const uint8_t *data;
	size_t len, n = (key->key_bits + 7) / 8;
	CK_RV rv;

	if (slot == NULL || slot->token == NULL)
		return CKR_DEVICE_REMOVED;
	rv = tsr_op_input (op, hash, &data, &len);
	if (rv != CKR_OK)
		return rv;
	if (n == 0 || n > sizeof in)
		return CKR_KEY_SIZE_RANGE;
	if (key->key_type == CKK_EC_EDWARDS) {
		rv = tsr_card_op_inlock (s, key, op, TSR_PRIV_EDDSA, data, len, sig, sig_len);
		if (rv == CKR_OK)
			rv = tsr_sigcheck (key, data, len, sig, *sig_len);
	} else if (key->key_type == CKK_RSA && !tsr_token_rsa_raw (slot->token)) {
		rv = tsr_sign_rsa_pkcs1_inlock (s, op, key, data, len, n, sig, sig_len);
	} else if (key->key_type == CKK_RSA) {
		rv = tsr_sign_rsa_encode (op, key, data, len, in, n);
		if (rv == CKR_OK)
			rv = tsr_card_op_inlock (s, key, op, TSR_PRIV_RSA, in, n, sig, sig_len);
		if (rv == CKR_OK)
			rv = tsr_sigcheck (key, in, n, sig, *sig_len);
	} else if (len == 0) {
		rv = CKR_DATA_LEN_RANGE;   /* raw ECDSA over nothing (and DATA may be NULL) */
	} else {
		rv = tsr_ecdsa_input (data, len, key->key_bits, in, n);
		if (rv == CKR_OK)
			rv = tsr_card_op_inlock (s, key, op, TSR_PRIV_ECDSA, in, n, sig, sig_len);
		if (rv == CKR_OK)
			rv = tsr_sigcheck (key, in, n, sig, *sig_len);
	}
	OPENSSL_cleanse (in, sizeof in);
	return rv;
}

/* Finish: length conventions, then the card. DATA (C_Sign) is added first. */
static CK_RV
tsr_sign_finish (CK_SESSION_HANDLE h, CK_BYTE_PTR data, CK_ULONG data_len, bool single,
                 CK_BYTE_PTR sig, CK_ULONG_PTR sig_len)
{
	struct tsr_session *s;
	struct tsr_object *key;
	struct tsr_op *op = NULL;
	bool keep;
	size_t need, got;
	CK_RV rv;

	rv = tsr_enter ();
	if (rv != CKR_OK)
		return rv;
	rv = tsr_op_finish_start_inlock (h, TSR_OP_SIGN, data, data_len, single, sig_len, &s, &op, &key, &keep);
	if (rv != CKR_OK)
		goto out;
	need = tsr_sig_len (key);
	if (sig == NULL || *sig_len < need) {
		rv = sig == NULL ? CKR_OK : CKR_BUFFER_TOO_SMALL;
		*sig_len = need;
		keep = true;
		goto out;
	}
	rv = single ? tsr_op_update (op, data, data_len) : CKR_OK;
	got = *sig_len;
	if (rv == CKR_OK)
		rv = tsr_sign_compute_inlock (s, op, key, sig, &got);
	if (rv == CKR_OK)
		*sig_len = got;
out:
	if (!keep)
		tsr_session_end_op_inlock (s, TSR_OP_SIGN);
	tsr_leave ();
	return rv;
}

CK_RV
C_SignInit (CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism, CK_OBJECT_HANDLE hKey)
{
	return tsr_op_init_api (hSession, TSR_OP_SIGN, pMechanism, hKey);
}

CK_RV
C_Sign (CK_SESSION_HANDLE hSession, CK_BYTE_PTR pData, CK_ULONG ulDataLen,
        CK_BYTE_PTR pSignature, CK_ULONG_PTR pulSignatureLen)
{
	return tsr_sign_finish (hSession, pData, ulDataLen, true, pSignature, pulSignatureLen);
}

CK_RV
C_SignUpdate (CK_SESSION_HANDLE hSession, CK_BYTE_PTR pPart, CK_ULONG ulPartLen)
{
	return tsr_op_update_api (hSession, TSR_OP_SIGN, pPart, ulPartLen);
}

CK_RV
C_SignFinal (CK_SESSION_HANDLE hSession, CK_BYTE_PTR pSignature, CK_ULONG_PTR pulSignatureLen)
{
	return tsr_sign_finish (hSession, NULL, 0, false, pSignature, pulSignatureLen);
}
