/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * src/digest.c: C_DigestInit / C_Digest / C_DigestUpdate / C_DigestKey /
 * C_DigestFinal: SHA-1 and SHA-2 in software.
 */
#include "config.h"

#include "src/tsr.h"
#include "src/opapi.h"

#include <string.h>

CK_RV
C_DigestInit (CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism)
{
	return tsr_op_init_api (hSession, TSR_OP_DIGEST, pMechanism, 0);
}

static CK_RV
tsr_digest_finish (CK_SESSION_HANDLE h, CK_BYTE_PTR data, CK_ULONG data_len, bool single,
                   CK_BYTE_PTR out, CK_ULONG_PTR out_len)
{
	struct tsr_session *s;
	struct tsr_op *op = NULL;
	unsigned int n = 0;
	bool keep = false;
	CK_ULONG need;
	CK_RV rv;

	rv = tsr_enter ();
	if (rv != CKR_OK)
		return rv;
	rv = tsr_op_get_inlock (h, TSR_OP_DIGEST, &s, &op);
	if (rv != CKR_OK) {
		keep = true;
		goto out;
	}
	if (!tsr_check (out_len != NULL && (!single || data != NULL || data_len == 0))) {
		rv = CKR_ARGUMENTS_BAD;
		goto out;
	}
	rv = tsr_op_single_check (op, single);
	if (rv != CKR_OK)
		goto out;
	need = (CK_ULONG)EVP_MD_get_size (op->md);
	if (out == NULL || *out_len < need) {
		rv = out == NULL ? CKR_OK : CKR_BUFFER_TOO_SMALL;
		*out_len = need;
		keep = true;
		goto out;
	}
	rv = single ? tsr_op_update (op, data, data_len) : CKR_OK;
	if (rv == CKR_OK && !EVP_DigestFinal_ex (op->mdctx, out, &n))
		rv = CKR_FUNCTION_FAILED;
	if (rv == CKR_OK)
		*out_len = n;
out:
	if (!keep)
		tsr_session_end_op_inlock (s, TSR_OP_DIGEST);
	tsr_leave ();
	return rv;
}

CK_RV
C_Digest (CK_SESSION_HANDLE hSession, CK_BYTE_PTR pData, CK_ULONG ulDataLen,
          CK_BYTE_PTR pDigest, CK_ULONG_PTR pulDigestLen)
{
	return tsr_digest_finish (hSession, pData, ulDataLen, true, pDigest, pulDigestLen);
}

CK_RV
C_DigestUpdate (CK_SESSION_HANDLE hSession, CK_BYTE_PTR pPart, CK_ULONG ulPartLen)
{
	return tsr_op_update_api (hSession, TSR_OP_DIGEST, pPart, ulPartLen);
}

CK_RV
C_DigestKey (CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hKey)
{
	struct tsr_session *s;
	struct tsr_object *key;
	struct tsr_op *op;
	const CK_ATTRIBUTE *v;
	CK_RV rv;

	rv = tsr_enter ();
	if (rv != CKR_OK)
		return rv;
	rv = tsr_op_get_inlock (hSession, TSR_OP_DIGEST, &s, &op);
	if (rv != CKR_OK)
		goto out;
	rv = tsr_object_get_inlock (s, hKey, &key);
	if (rv != CKR_OK) {
		rv = CKR_KEY_HANDLE_INVALID;
		goto out;
	}
	/* Only a session secret key has a value here; card keys never leave the card. */
	v = tsr_attr_find (key, CKA_VALUE);
	if (key->klass != CKO_SECRET_KEY || v == NULL) {
		rv = CKR_KEY_INDIGESTIBLE;
		goto out;
	}
	rv = tsr_op_update (op, v->pValue, v->ulValueLen);
out:
	tsr_leave ();
	return rv;
}

CK_RV
C_DigestFinal (CK_SESSION_HANDLE hSession, CK_BYTE_PTR pDigest, CK_ULONG_PTR pulDigestLen)
{
	return tsr_digest_finish (hSession, NULL, 0, false, pDigest, pulDigestLen);
}
