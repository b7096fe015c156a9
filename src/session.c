/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * src/session.c: sessions. A session is a counter handle (never 0, never reused
 * in the life of the module) bound to one slot; its state (RO/RW × public/user)
 * is computed from the token's login at every C_GetSessionInfo, without an APDU.
 * Login is per token (shared by every session of the application); closing the
 * last session of a token ends the login (PKCS #11 §5.6).
 */
#include "config.h"

#include "src/tsr.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

void
tsr_op_free (struct tsr_op *op)
{
	if (op == NULL)
		return;
	free (op->label);
	EVP_MD_CTX_free (op->mdctx);
	if (op->buf != NULL)
		OPENSSL_cleanse (op->buf, op->buf_len);
	free (op->buf);
	if (op->result != NULL)
		OPENSSL_cleanse (op->result, op->result_len);
	free (op->result);
	if (op->context_pin != NULL)
		OPENSSL_cleanse (op->context_pin, op->context_pin_len);
	free (op->context_pin);
	free (op);
}

void
tsr_session_free (struct tsr_session *s)
{
	int k;

	if (s == NULL)
		return;
	for (k = 0; k < TSR_OP_COUNT; k++)
		tsr_op_free (s->ops[k]);
	tsr_find_free (s->find);
	free (s);
}

CK_RV
tsr_session_get_inlock (CK_SESSION_HANDLE handle, struct tsr_session **s)
{
	size_t i;

	for (i = 0; i < tsr.n_sessions; i++) {
		if (tsr.sessions[i]->handle == handle) {
			*s = tsr.sessions[i];
			return CKR_OK;
		}
	}
	return CKR_SESSION_HANDLE_INVALID;
}

CK_RV
tsr_session_token_inlock (CK_SESSION_HANDLE handle, struct tsr_session **s,
                          struct tsr_slot **slot, struct tsr_token **token)
{
	struct tsr_slot *sl;
	CK_RV rv;

	rv = tsr_session_get_inlock (handle, s);
	if (rv != CKR_OK)
		goto out;
	sl = tsr_slot_get_inlock ((*s)->slot_id);
	assert (sl != NULL);
	if (sl->token == NULL) {
		rv = CKR_DEVICE_REMOVED;   /* sessions end with their token: not reached normally */
		goto out;
	}
	if (slot != NULL)
		*slot = sl;
	if (token != NULL)
		*token = sl->token;
out:
	return rv;
}

/* Remove the session at index I from the table, freeing it and its objects. */
static void
tsr_session_remove_at_inlock (size_t i)
{
	struct tsr_session *s = tsr.sessions[i];

	tsr_objects_drop_session_inlock (s->handle);
	tsr.sessions[i] = tsr.sessions[--tsr.n_sessions];
	s->closed = true;
	tsr_retire_inlock (tsr_slot_owner_inlock (s->slot_id), TSR_GRAVE_SESSION, s);
}

static bool
tsr_slot_has_sessions_inlock (CK_SLOT_ID slot_id)
{
	size_t i;

	for (i = 0; i < tsr.n_sessions; i++) {
		if (tsr.sessions[i]->slot_id == slot_id)
			return true;
	}
	return false;
}

static card_rv
tsr_card_logout (struct card *card, void *user)
{
	(void)user;
	return card->driver->logout (card);
}

/* The last session of a token closed: the application's login ends. */
static void
tsr_slot_end_login_inlock (struct tsr_slot *slot)
{
	if (slot->token == NULL || !slot->token->user_logged_in)
		return;
	tsr_token_forget_login (slot->token);
	(void)tsr_card_call_inlock (slot, 0, tsr_card_logout, NULL);
}

void
tsr_sessions_close_slot_inlock (CK_SLOT_ID slot_id)
{
	size_t i = 0;

	while (i < tsr.n_sessions) {
		if (tsr.sessions[i]->slot_id == slot_id)
			tsr_session_remove_at_inlock (i);
		else
			i++;
	}
}

void
tsr_sessions_free_inlock (void)
{
	while (tsr.n_sessions > 0)
		tsr_session_remove_at_inlock (tsr.n_sessions - 1);
	free (tsr.sessions);
	tsr.sessions = NULL;
}

void
tsr_sessions_count_inlock (CK_SLOT_ID slot_id, CK_ULONG *all, CK_ULONG *rw)
{
	size_t i;

	*all = *rw = 0;
	for (i = 0; i < tsr.n_sessions; i++) {
		if (tsr.sessions[i]->slot_id != slot_id)
			continue;
		(*all)++;
		if (tsr.sessions[i]->flags & CKF_RW_SESSION)
			(*rw)++;
	}
}

CK_RV
tsr_session_start_op_inlock (struct tsr_session *s, enum tsr_op_kind kind, struct tsr_op *op)
{
	if (s->ops[kind] != NULL)
		return CKR_OPERATION_ACTIVE;
	s->ops[kind] = op;
	return CKR_OK;
}

void
tsr_session_end_op_inlock (struct tsr_session *s, enum tsr_op_kind kind)
{
	if (s->closed)
		return;   /* retired with its operations (grave.c) */
	tsr_retire_inlock (tsr_slot_owner_inlock (s->slot_id), TSR_GRAVE_OP, s->ops[kind]);
	s->ops[kind] = NULL;
}

void
tsr_sessions_end_private_ops_inlock (CK_SLOT_ID slot_id)
{
	size_t i;

	for (i = 0; i < tsr.n_sessions; i++) {
		struct tsr_session *s = tsr.sessions[i];
		if (s->slot_id != slot_id)
			continue;
		tsr_session_end_op_inlock (s, TSR_OP_SIGN);
		tsr_session_end_op_inlock (s, TSR_OP_DECRYPT);
	}
}

CK_RV
C_OpenSession (CK_SLOT_ID slotID, CK_FLAGS flags, CK_VOID_PTR pApplication,
               CK_NOTIFY Notify, CK_SESSION_HANDLE_PTR phSession)
{
	struct tsr_session **sessions, *s = NULL;
	struct tsr_slot *slot;
	CK_RV rv;

	(void)pApplication;
	(void)Notify;   /* no callbacks: the module never surrenders control */
	rv = tsr_enter ();
	if (rv != CKR_OK)
		return rv;
	if (!tsr_check (phSession != NULL)) {
		rv = CKR_ARGUMENTS_BAD;
		goto out;
	}
	if (!(flags & CKF_SERIAL_SESSION)) {
		rv = CKR_SESSION_PARALLEL_NOT_SUPPORTED;
		goto out;
	}
	rv = tsr_slot_find_inlock (slotID, &slot);
	if (rv != CKR_OK)
		goto out;
	rv = tsr_slot_ensure_token_inlock (slot);
	if (rv != CKR_OK)
		goto out;
	if (slot->token->so_logged_in && !(flags & CKF_RW_SESSION)) {
		rv = CKR_SESSION_READ_WRITE_SO_EXISTS;
		goto out;
	}
	sessions = realloc (tsr.sessions, (tsr.n_sessions + 1) * sizeof *sessions);
	s = calloc (1, sizeof *s);
	if (sessions != NULL)
		tsr.sessions = sessions;
	if (sessions == NULL || s == NULL) {
		free (s);
		rv = CKR_HOST_MEMORY;
		goto out;
	}
	s->handle = tsr.next_session++;
	s->slot_id = slot->id;
	s->flags = CKF_SERIAL_SESSION | (flags & CKF_RW_SESSION);
	tsr.sessions[tsr.n_sessions++] = s;
	*phSession = s->handle;
	tsr_log ("p11", "C_OpenSession: slot %lu, session %lu (%s)", (unsigned long)slotID,
	         (unsigned long)s->handle, (flags & CKF_RW_SESSION) ? "RW" : "RO");
out:
	tsr_leave ();
	return rv;
}

CK_RV
C_CloseSession (CK_SESSION_HANDLE hSession)
{
	struct tsr_slot *slot;
	CK_SLOT_ID slot_id;
	size_t i;
	CK_RV rv;

	rv = tsr_enter ();
	if (rv != CKR_OK)
		return rv;
	rv = CKR_SESSION_HANDLE_INVALID;
	for (i = 0; i < tsr.n_sessions; i++) {
		if (tsr.sessions[i]->handle != hSession)
			continue;
		slot_id = tsr.sessions[i]->slot_id;
		tsr_session_remove_at_inlock (i);
		slot = tsr_slot_get_inlock (slot_id);
		if (slot != NULL && !tsr_slot_has_sessions_inlock (slot_id))
			tsr_slot_end_login_inlock (slot);
		rv = CKR_OK;
		break;
	}
	tsr_leave ();
	return rv;
}

CK_RV
C_CloseAllSessions (CK_SLOT_ID slotID)
{
	struct tsr_slot *slot;
	CK_RV rv;

	rv = tsr_enter ();
	if (rv != CKR_OK)
		return rv;
	slot = tsr_slot_get_inlock (slotID);
	if (slot == NULL) {
		rv = CKR_SLOT_ID_INVALID;
		goto out;
	}
	tsr_sessions_close_slot_inlock (slotID);
	tsr_slot_end_login_inlock (slot);
out:
	tsr_leave ();
	return rv;
}

CK_RV
C_GetSessionInfo (CK_SESSION_HANDLE hSession, CK_SESSION_INFO_PTR pInfo)
{
	struct tsr_session *s;
	struct tsr_token *token;
	bool rw, user;
	CK_RV rv;

	rv = tsr_enter ();
	if (rv != CKR_OK)
		return rv;
	if (!tsr_check (pInfo != NULL)) {
		rv = CKR_ARGUMENTS_BAD;
		goto out;
	}
	tsr_slots_refresh_inlock ();
	rv = tsr_session_token_inlock (hSession, &s, NULL, &token);
	if (rv != CKR_OK)
		goto out;
	rw = (s->flags & CKF_RW_SESSION) != 0;
	user = token->user_logged_in;
	memset (pInfo, 0, sizeof *pInfo);
	pInfo->slotID = s->slot_id;
	pInfo->flags = s->flags;
	pInfo->state = rw ? (user ? CKS_RW_USER_FUNCTIONS : CKS_RW_PUBLIC_SESSION)
	                  : (user ? CKS_RO_USER_FUNCTIONS : CKS_RO_PUBLIC_SESSION);
	if (token->so_logged_in)
		pInfo->state = CKS_RW_SO_FUNCTIONS;   /* the SO has RW sessions only */
	pInfo->ulDeviceError = 0;
out:
	tsr_leave ();
	return rv;
}

CK_RV
C_SessionCancel (CK_SESSION_HANDLE hSession, CK_FLAGS flags)
{
	struct tsr_session *s;
	CK_RV rv;

	rv = tsr_enter ();
	if (rv != CKR_OK)
		return rv;
	rv = tsr_session_get_inlock (hSession, &s);
	if (rv != CKR_OK)
		goto out;
	if (flags & CKF_SIGN)
		tsr_session_end_op_inlock (s, TSR_OP_SIGN);
	if (flags & CKF_VERIFY)
		tsr_session_end_op_inlock (s, TSR_OP_VERIFY);
	if (flags & CKF_ENCRYPT)
		tsr_session_end_op_inlock (s, TSR_OP_ENCRYPT);
	if (flags & CKF_DECRYPT)
		tsr_session_end_op_inlock (s, TSR_OP_DECRYPT);
	if (flags & CKF_DIGEST)
		tsr_session_end_op_inlock (s, TSR_OP_DIGEST);
	if (flags & CKF_FIND_OBJECTS) {
		tsr_find_free (s->find);
		s->find = NULL;
	}
out:
	tsr_leave ();
	return rv;
}
