/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * src/opapi.c: the API-edge halves shared by C_SignInit / C_VerifyInit /
 * C_EncryptInit / C_DecryptInit / C_DigestInit and their *Update functions.
 */
#include "config.h"

#include "src/tsr.h"

#include "src/opapi.h"

CK_RV
tsr_op_get_inlock (CK_SESSION_HANDLE h, enum tsr_op_kind kind, struct tsr_session **s, struct tsr_op **op)
{
	CK_RV rv = tsr_session_token_inlock (h, s, NULL, NULL);

	if (rv != CKR_OK)
		return rv;
	*op = (*s)->ops[kind];
	return *op != NULL ? CKR_OK : CKR_OPERATION_NOT_INITIALIZED;
}

CK_RV
tsr_op_init_api (CK_SESSION_HANDLE h, enum tsr_op_kind kind, CK_MECHANISM_PTR mech, CK_OBJECT_HANDLE key)
{
	struct tsr_session *s;
	struct tsr_op *op = NULL;
	CK_RV rv;

	rv = tsr_enter ();
	if (rv != CKR_OK)
		return rv;
	rv = tsr_session_token_inlock (h, &s, NULL, NULL);
	if (rv != CKR_OK)
		goto out;
	if (!tsr_check (mech != NULL)) {
		rv = CKR_ARGUMENTS_BAD;
		goto out;
	}
	if (s->ops[kind] != NULL) {
		rv = CKR_OPERATION_ACTIVE;
		goto out;
	}
	rv = tsr_op_new_inlock (s, kind, mech, key, &op);
	if (rv != CKR_OK)
		goto out;
	rv = tsr_session_start_op_inlock (s, kind, op);
	if (rv == CKR_OK)
		op = NULL;
out:
	tsr_log ("p11", "init op %d mechanism 0x%lx key %lu: 0x%lx", (int)kind,
	         mech != NULL ? (unsigned long)mech->mechanism : 0UL, (unsigned long)key, (unsigned long)rv);
	tsr_op_free (op);
	tsr_leave ();
	return rv;
}

CK_RV
tsr_op_update_api (CK_SESSION_HANDLE h, enum tsr_op_kind kind, CK_BYTE_PTR data, CK_ULONG len)
{
	struct tsr_session *s;
	struct tsr_op *op;
	CK_RV rv;

	rv = tsr_enter ();
	if (rv != CKR_OK)
		return rv;
	rv = tsr_op_get_inlock (h, kind, &s, &op);
	if (rv != CKR_OK)
		goto out;
	/* a failed update ends the operation, bad arguments included */
	if (!tsr_check (data != NULL || len == 0))
		rv = CKR_ARGUMENTS_BAD;
	op->multipart = true;
	if (rv == CKR_OK)
		rv = tsr_op_update (op, data, len);
	if (rv != CKR_OK)
		tsr_session_end_op_inlock (s, kind);
out:
	tsr_leave ();
	return rv;
}

CK_RV
tsr_op_abort_api (CK_SESSION_HANDLE h, enum tsr_op_kind kind, CK_RV why)
{
	struct tsr_session *s;
	struct tsr_op *op;
	CK_RV rv;

	rv = tsr_enter ();
	if (rv != CKR_OK)
		return rv;
	rv = tsr_op_get_inlock (h, kind, &s, &op);
	if (rv == CKR_OK) {
		tsr_session_end_op_inlock (s, kind);
		rv = why;
	}
	tsr_leave ();
	return rv;
}

CK_RV
tsr_op_collect_api (CK_SESSION_HANDLE h, enum tsr_op_kind kind, CK_BYTE_PTR data, CK_ULONG len,
                    CK_ULONG_PTR out_len)
{
	CK_RV rv;

	if (!tsr_check (out_len != NULL))
		return tsr_op_abort_api (h, kind, CKR_ARGUMENTS_BAD);
	rv = tsr_op_update_api (h, kind, data, len);
	if (rv == CKR_OK)
		*out_len = 0;
	return rv;
}

bool
tsr_op_keeps_going (CK_RV rv, const void *out)
{
	return rv == CKR_BUFFER_TOO_SMALL || (rv == CKR_OK && out == NULL);
}

CK_RV
tsr_op_input (struct tsr_op *op, uint8_t *hash, const uint8_t **data, size_t *len)
{
	unsigned int hlen = 0;

	if (op->mdctx != NULL) {
		if (!EVP_DigestFinal_ex (op->mdctx, hash, &hlen))
			return CKR_FUNCTION_FAILED;
		*data = hash;
		*len = hlen;
	} else {
		*data = op->buf;
		*len = op->buf_len;
	}
	return CKR_OK;
}

CK_RV
tsr_op_single_check (const struct tsr_op *op, bool single)
{
	if (single && op->multipart) {
		tsr_log ("p11", "single-part call after a multi-part update: operation ended");
		return CKR_OPERATION_ACTIVE;
	}
	return CKR_OK;
}

struct tsr_object *
tsr_op_key_inlock (struct tsr_session *s, struct tsr_op *op)
{
	struct tsr_object *key = NULL;

	if (tsr_object_get_inlock (s, op->key, &key) != CKR_OK)
		return NULL;
	return key;
}

CK_RV
tsr_op_finish_start_inlock (CK_SESSION_HANDLE h, enum tsr_op_kind kind, const void *data,
                            CK_ULONG data_len, bool single, const CK_ULONG *out_len,
                            struct tsr_session **s, struct tsr_op **op, struct tsr_object **key,
                            bool *keep)
{
	CK_RV rv;

	*keep = false;
	rv = tsr_op_get_inlock (h, kind, s, op);
	if (rv != CKR_OK) {
		*keep = true;
		goto out;
	}
	if (!tsr_check (out_len != NULL && (!single || data != NULL || data_len == 0))) {
		rv = CKR_ARGUMENTS_BAD;
		goto out;
	}
	rv = tsr_op_single_check (*op, single);
	if (rv != CKR_OK)
		goto out;
	*key = tsr_op_key_inlock (*s, *op);
	if (*key == NULL)
		rv = CKR_KEY_HANDLE_INVALID;
out:
	return rv;
}
