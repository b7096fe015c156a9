/*
 * src/login.c: C_Login / C_LoginUser / C_Logout and the PIN functions.
 *
 * The PIV PIN is the user PIN. While the user is logged in the module holds a
 * copy of the PIN (token->pin) so that it can restore the login when another
 * process resets the card or deselects the PIV application between two of our
 * operations; the copy is wiped (OPENSSL_cleanse) at logout, when the last
 * session closes, when the card goes away and at C_Finalize. PINs are never
 * logged. The PIN counter shown by C_GetTokenInfo comes from the last PIN
 * exchange with the card.
 */
#include "config.h"

#include "src/tsr.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

struct tsr_pin_ctx {
	enum card_pin which;
	const uint8_t *pin, *new_pin;
	size_t pin_len, new_len;
	int tries;
};

static card_rv
tsr_card_verify (struct card *card, void *user)
{
	struct tsr_pin_ctx *ctx = user;

	return card->driver->verify_pin (card, ctx->which, ctx->pin, ctx->pin_len, &ctx->tries);
}

static card_rv
tsr_card_change (struct card *card, void *user)
{
	struct tsr_pin_ctx *ctx = user;

	return card->driver->change_pin (card, ctx->which, ctx->pin, ctx->pin_len,
	                                 ctx->new_pin, ctx->new_len, &ctx->tries);
}

/* Record what a PIN exchange told about the counter. */
static void
tsr_token_note_pin_result (struct tsr_token *token, CK_RV rv, int tries)
{
	if (rv == CKR_OK)
		token->pin_tries_left = token->pin_tries_max;
	else if (rv == CKR_PIN_LOCKED)
		token->pin_tries_left = 0;
	else if (rv == CKR_PIN_INCORRECT && tries >= 0)
		token->pin_tries_left = tries;
}

static CK_RV
tsr_check_pin_len (const struct tsr_token *token, CK_ULONG len)
{
	CK_ULONG min = token->info.pin_min > 0 ? (CK_ULONG)token->info.pin_min : 6;
	CK_ULONG max = token->info.pin_max > 0 ? (CK_ULONG)token->info.pin_max : 8;

	return len < min || len > max ? CKR_PIN_LEN_RANGE : CKR_OK;
}

/* CKU_CONTEXT_SPECIFIC: authorise the current private-key operation of S. */
static CK_RV
tsr_login_context_inlock (struct tsr_session *s, struct tsr_slot *slot, struct tsr_pin_ctx *ctx)
{
	struct tsr_op *op = s->ops[TSR_OP_SIGN] != NULL ? s->ops[TSR_OP_SIGN] : s->ops[TSR_OP_DECRYPT];
	CK_RV rv;

	if (op == NULL) {
		rv = CKR_OPERATION_NOT_INITIALIZED;
		goto out;
	}
	if (!slot->token->user_logged_in) {
		rv = CKR_USER_NOT_LOGGED_IN;
		goto out;
	}
	rv = tsr_card_call_inlock (slot, tsr_card_verify, ctx);
	if (slot->token != NULL)
		tsr_token_note_pin_result (slot->token, rv, ctx->tries);
	if (rv != CKR_OK)
		goto out;
	/* Kept for the operation itself: the card wants the PIN right before a
	 * PIN-always key is used, in the same transaction. */
	free (op->context_pin);
	op->context_pin = malloc (ctx->pin_len);
	if (op->context_pin == NULL) {
		rv = CKR_HOST_MEMORY;
		goto out;
	}
	memcpy (op->context_pin, ctx->pin, ctx->pin_len);
	op->context_pin_len = ctx->pin_len;
	op->context_login = true;
out:
	return rv;
}

static CK_RV
tsr_login_user_inlock (struct tsr_slot *slot, struct tsr_pin_ctx *ctx)
{
	struct tsr_token *token = slot->token;
	CK_RV rv;

	if (token->user_logged_in) {
		rv = CKR_USER_ALREADY_LOGGED_IN;
		goto out;
	}
	rv = tsr_card_call_inlock (slot, tsr_card_verify, ctx);
	tsr_token_note_pin_result (token, rv, ctx->tries);
	if (rv != CKR_OK)
		goto out;
	token->pin = malloc (ctx->pin_len);
	if (token->pin == NULL) {
		rv = CKR_HOST_MEMORY;
		goto out;
	}
	memcpy (token->pin, ctx->pin, ctx->pin_len);
	token->pin_len = ctx->pin_len;
	token->user_logged_in = true;
out:
	return rv;
}

CK_RV
C_Login (CK_SESSION_HANDLE hSession, CK_USER_TYPE userType, CK_UTF8CHAR_PTR pPin, CK_ULONG ulPinLen)
{
	struct tsr_pin_ctx ctx = { CARD_PIN_USER, pPin, NULL, ulPinLen, 0, -1 };
	struct tsr_session *s;
	struct tsr_slot *slot;
	CK_RV rv;

	rv = tsr_enter ();
	if (rv != CKR_OK)
		return rv;
	rv = tsr_session_token_inlock (hSession, &s, &slot, NULL);
	if (rv != CKR_OK)
		goto out;
	if (userType != CKU_USER && userType != CKU_SO && userType != CKU_CONTEXT_SPECIFIC) {
		rv = CKR_USER_TYPE_INVALID;
		goto out;
	}
	if (!tsr_check (pPin != NULL)) {
		/* no protected authentication path (PIN pad) yet */
		rv = CKR_ARGUMENTS_BAD;
		goto out;
	}
	rv = tsr_check_pin_len (slot->token, ulPinLen);
	if (rv != CKR_OK)
		goto out;
	if (userType == CKU_SO) {
		/* The PIV PUK is no login; SO services come with the write path. */
		rv = slot->token->user_logged_in ? CKR_USER_ANOTHER_ALREADY_LOGGED_IN : CKR_FUNCTION_NOT_SUPPORTED;
		goto out;
	}
	if (userType == CKU_CONTEXT_SPECIFIC)
		rv = tsr_login_context_inlock (s, slot, &ctx);
	else
		rv = tsr_login_user_inlock (slot, &ctx);
	tsr_log ("p11", "C_Login(%lu) session %lu: 0x%lx", (unsigned long)userType,
	         (unsigned long)hSession, (unsigned long)rv);
out:
	tsr_leave ();
	return rv;
}

CK_RV
C_LoginUser (CK_SESSION_HANDLE hSession, CK_USER_TYPE userType, CK_UTF8CHAR_PTR pPin,
             CK_ULONG ulPinLen, CK_UTF8CHAR_PTR pUsername, CK_ULONG ulUsernameLen)
{
	/* PIV has no user names: a name, if given, is ignored. */
	(void)pUsername;
	(void)ulUsernameLen;
	return C_Login (hSession, userType, pPin, ulPinLen);
}

static card_rv
tsr_card_logout (struct card *card, void *user)
{
	(void)user;
	return card->driver->logout (card);
}

CK_RV
C_Logout (CK_SESSION_HANDLE hSession)
{
	struct tsr_session *s;
	struct tsr_slot *slot;
	CK_RV rv;

	rv = tsr_enter ();
	if (rv != CKR_OK)
		return rv;
	rv = tsr_session_token_inlock (hSession, &s, &slot, NULL);
	if (rv != CKR_OK)
		goto out;
	if (!slot->token->user_logged_in) {
		rv = CKR_USER_NOT_LOGGED_IN;
		goto out;
	}
	tsr_token_forget_login (slot->token);
	/* Best effort: the card forgets the PIN too (a failure does not keep us logged in). */
	(void)tsr_card_call_inlock (slot, tsr_card_logout, NULL);
	tsr_sessions_end_private_ops_inlock (slot->id);
out:
	tsr_leave ();
	return rv;
}

CK_RV
C_InitPIN (CK_SESSION_HANDLE hSession, CK_UTF8CHAR_PTR pPin, CK_ULONG ulPinLen)
{
	struct tsr_session *s;
	CK_RV rv;

	rv = tsr_enter ();
	if (rv != CKR_OK)
		return rv;
	rv = tsr_session_token_inlock (hSession, &s, NULL, NULL);
	if (rv != CKR_OK)
		goto out;
	if (!tsr_check (pPin != NULL || ulPinLen == 0)) {
		rv = CKR_ARGUMENTS_BAD;
		goto out;
	}
	/* C_InitPIN needs the SO (PUK + unblock): that comes with the write path. */
	rv = (s->flags & CKF_RW_SESSION) ? CKR_USER_NOT_LOGGED_IN : CKR_SESSION_READ_ONLY;
out:
	tsr_leave ();
	return rv;
}

CK_RV
C_SetPIN (CK_SESSION_HANDLE hSession, CK_UTF8CHAR_PTR pOldPin, CK_ULONG ulOldLen,
          CK_UTF8CHAR_PTR pNewPin, CK_ULONG ulNewLen)
{
	struct tsr_pin_ctx ctx = { CARD_PIN_USER, pOldPin, pNewPin, ulOldLen, ulNewLen, -1 };
	struct tsr_session *s;
	struct tsr_slot *slot;
	struct tsr_token *token;
	CK_RV rv;

	rv = tsr_enter ();
	if (rv != CKR_OK)
		return rv;
	rv = tsr_session_token_inlock (hSession, &s, &slot, &token);
	if (rv != CKR_OK)
		goto out;
	if (!tsr_check (pOldPin != NULL && pNewPin != NULL)) {
		rv = CKR_ARGUMENTS_BAD;
		goto out;
	}
	if (!(s->flags & CKF_RW_SESSION)) {
		rv = CKR_SESSION_READ_ONLY;
		goto out;
	}
	rv = tsr_check_pin_len (token, ulNewLen);
	if (rv == CKR_OK)
		rv = tsr_check_pin_len (token, ulOldLen) == CKR_OK ? CKR_OK : CKR_PIN_INCORRECT;
	if (rv != CKR_OK)
		goto out;
	rv = tsr_card_call_inlock (slot, tsr_card_change, &ctx);
	if (slot->token == NULL || slot->lost)
		goto out;
	tsr_token_note_pin_result (token, rv, ctx.tries);
	if (rv == CKR_OK && token->user_logged_in) {
		/* keep holding the PIN that is now valid */
		uint8_t *pin = malloc (ulNewLen);
		if (pin != NULL)
			memcpy (pin, pNewPin, ulNewLen);
		tsr_token_forget_login (token);
		token->pin = pin;
		token->pin_len = pin != NULL ? ulNewLen : 0;
		token->user_logged_in = pin != NULL;
	}
out:
	tsr_leave ();
	return rv;
}
