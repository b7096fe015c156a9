/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * src/login.c: C_Login / C_LoginUser / C_Logout: the two roles (see login.h).
 *
 * The card's user PIN is CKU_USER, its SO PIN (PIV: the PUK) CKU_SO. While the user
 * is logged in the module holds a copy of the PIN (token->pin) so that it can restore
 * the login when another process resets the card or deselects the card's application
 * between two of our operations; the SO's PIN or admin key is held the same way
 * (token->so_secret). Both are wiped (OPENSSL_cleanse) at logout, when the last
 * session closes, when the card goes away and at C_Finalize, and never logged.
 * The counters shown by C_GetTokenInfo come from the last exchange with the card.
 * With pin_policy = fips a failed login costs one second, slept after the
 * module lock is released.
 */
#include "config.h"

#include "src/login.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "src/admin.h"
#include "src/cache.h"
#include "src/conf.h"
#include "src/pinpolicy.h"

card_rv
tsr_card_verify (struct card *card, void *user)
{
	struct tsr_pin_ctx *ctx = user;

	return card->driver->verify_pin (card, ctx->which, ctx->pin, ctx->pin_len, &ctx->tries);
}

card_rv
tsr_card_change (struct card *card, void *user)
{
	struct tsr_pin_ctx *ctx = user;

	return card->driver->change_pin (card, ctx->which, ctx->pin, ctx->pin_len,
	                                 ctx->new_pin, ctx->new_len, &ctx->tries);
}

card_rv
tsr_card_unblock (struct card *card, void *user)
{
	struct tsr_pin_ctx *ctx = user;

	return card->driver->unblock_pin (card, ctx->pin, ctx->pin_len, ctx->new_pin, ctx->new_len,
	                                  &ctx->tries);
}

CK_RV
tsr_pin_rv (CK_RV rv, int tries)
{
	return rv == CKR_PIN_INCORRECT && tries == 0 ? CKR_PIN_LOCKED : rv;
}

void
tsr_token_note_pin_result (struct tsr_slot *slot, enum card_pin which, CK_RV rv, int tries)
{
	struct tsr_token *token = slot->token;
	int *left, max, before;

	if (token == NULL)
		return;
	left = which == CARD_PIN_SO ? &token->puk_tries_left : &token->pin_tries_left;
	max = which == CARD_PIN_SO ? token->puk_tries_max : token->pin_tries_max;
	before = *left;
	if (rv == CKR_OK)
		*left = max;
	else if (rv == CKR_PIN_LOCKED)
		*left = 0;
	else if (rv == CKR_PIN_INCORRECT && tries >= 0)
		*left = tries;
	if (which == CARD_PIN_SO && *left != before)
		tsr_cache_note_puk_inlock (slot, *left);   /* not read at every start (cache.h) */
}

uint8_t *
tsr_pin_dup (const uint8_t *pin, size_t len)
{
	uint8_t *copy = malloc (len);

	if (copy != NULL)
		memcpy (copy, pin, len);
	return copy;
}

CK_RV
tsr_token_hold_so_secret (struct tsr_token *token, const uint8_t *secret, size_t len, bool is_key)
{
	uint8_t *copy = malloc (len > 0 ? len : 1);

	if (copy == NULL)
		return CKR_HOST_MEMORY;
	memcpy (copy, secret, len);
	if (token->so_secret != NULL) {
		OPENSSL_cleanse (token->so_secret, token->so_secret_len);
		free (token->so_secret);
	}
	token->so_secret = copy;
	token->so_secret_len = len;
	token->so_with_key = is_key;
	return CKR_OK;
}

bool
tsr_pin_policy_fips (void)
{
	return tsr_conf_get ()->pin_policy == TSR_PIN_POLICY_FIPS;
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
	ctx->which = CARD_PIN_CONTEXT;   /* the user PIN, for the key's next operation */
	rv = tsr_card_call_inlock (slot, s->handle, tsr_card_verify, ctx);
	rv = tsr_pin_rv (rv, ctx->tries);   /* after the call: it sets the counter */
	if (slot->token != NULL)
		tsr_token_note_pin_result (slot, CARD_PIN_USER, rv, ctx->tries);
	if (rv != CKR_OK)
		goto out;
	/* Kept for the operation itself: the card wants the PIN right before a
	 * PIN-always key is used, in the same transaction. */
	if (op->context_pin != NULL)
		OPENSSL_cleanse (op->context_pin, op->context_pin_len);
	free (op->context_pin);
	op->context_pin = tsr_pin_dup (ctx->pin, ctx->pin_len);
	if (op->context_pin == NULL) {
		rv = CKR_HOST_MEMORY;
		goto out;
	}
	op->context_pin_len = ctx->pin_len;
	op->context_login = true;
out:
	return rv;
}

struct tsr_user_login_ctx {
	struct tsr_pin_ctx *pin;
	bool ask_admin;              /* whether the card keeps a PIN-protected admin key is not known */
	bool admin_asked;            /* out: it was asked... */
	bool admin_key_protected;    /* out: ...and this is the answer */
};

/* VERIFY, then, once per card (the card cache remembers it), whether the card keeps a
 * PIN-protected admin key: C_GetTokenInfo's write protection is decided from that without
 * an APDU. */
static card_rv
tsr_card_verify_user (struct card *card, void *user)
{
	struct tsr_user_login_ctx *ctx = user;
	card_rv crv = tsr_card_verify (card, ctx->pin);
	uint8_t key[TSR_CONF_MAX_KEY];
	size_t key_len = 0;

	if (crv == CARD_OK && ctx->ask_admin && card_can (card, CARD_OP_PROTECTED_ADMIN_KEY)) {
		ctx->admin_asked = true;
		ctx->admin_key_protected = tsr_admin_protected_key (card, key, &key_len) == 0;
	}
	OPENSSL_cleanse (key, sizeof key);
	return crv;
}

static CK_RV
tsr_login_user_inlock (struct tsr_slot *slot, CK_SESSION_HANDLE session, struct tsr_pin_ctx *ctx)
{
	struct tsr_user_login_ctx uctx = { ctx, !slot->token->admin_known, false, false };
	struct tsr_token *token = slot->token;
	CK_RV rv;

	if (token->user_logged_in) {
		rv = CKR_USER_ALREADY_LOGGED_IN;
		goto out;
	}
	rv = tsr_card_call_inlock (slot, session, tsr_card_verify_user, &uctx);
	rv = tsr_pin_rv (rv, ctx->tries);   /* after the call: it sets the counter */
	if (slot->token != token)
		goto out;
	if (uctx.admin_asked) {
		token->admin_known = true;
		token->admin_key_protected = uctx.admin_key_protected;
		tsr_cache_note_admin_inlock (slot, uctx.admin_key_protected);
	}
	tsr_token_note_pin_result (slot, CARD_PIN_USER, rv, ctx->tries);
	if (rv != CKR_OK)
		goto out;
	if (token->user_logged_in || token->so_logged_in) {
		/* another thread logged in while the card checked the PIN */
		rv = token->user_logged_in ? CKR_USER_ALREADY_LOGGED_IN : CKR_USER_ANOTHER_ALREADY_LOGGED_IN;
		goto out;
	}
	token->pin = tsr_pin_dup (ctx->pin, ctx->pin_len);
	if (token->pin == NULL) {
		rv = CKR_HOST_MEMORY;
		goto out;
	}
	token->pin_len = ctx->pin_len;
	token->user_logged_in = true;
out:
	return rv;
}

struct tsr_so_key_ctx {
	const uint8_t *key;
	size_t key_len;
};

static card_rv
tsr_card_admin_auth (struct card *card, void *user)
{
	struct tsr_so_key_ctx *ctx = user;

	return card->driver->admin_auth (card, ctx->key, ctx->key_len);
}

/* The SO's secret checked on the card: an admin key (where the SO may log in with it)
 * by authenticating, the SO PIN by the driver's check (PIV: the PUK changed to itself). */
static CK_RV
tsr_login_so_check_inlock (struct tsr_slot *slot, CK_SESSION_HANDLE session, const uint8_t *pin, CK_ULONG len,
                           bool *is_key)
{
	struct tsr_pin_ctx ctx = { CARD_PIN_SO, pin, NULL, len, 0, -1 };
	struct tsr_so_key_ctx kctx;
	uint8_t key[TSR_CONF_MAX_KEY];
	size_t key_len = 0;
	CK_RV rv;

	*is_key = slot->token->info.so_admin_key && card_can (slot->token->card, CARD_OP_ADMIN_AUTH) &&
	          tsr_so_pin_is_key (pin, len, key, &key_len);
	if (*is_key) {
		kctx.key = key;
		kctx.key_len = key_len;
		rv = tsr_card_call_inlock (slot, session, tsr_card_admin_auth, &kctx);
		goto out;
	}
	rv = tsr_pin_card_check (slot->token, CARD_PIN_SO, pin, len);
	if (rv != CKR_OK)
		goto out;
	rv = tsr_card_call_inlock (slot, session, tsr_card_verify, &ctx);
	rv = tsr_pin_rv (rv, ctx.tries);   /* after the call: it sets the counter */
	if (slot->token != NULL)
		tsr_token_note_pin_result (slot, CARD_PIN_SO, rv, ctx.tries);
out:
	OPENSSL_cleanse (key, sizeof key);
	return rv;
}

static CK_RV
tsr_login_so_inlock (struct tsr_slot *slot, CK_SESSION_HANDLE session, const uint8_t *pin, CK_ULONG len)
{
	CK_ULONG all = 0, rw = 0;
	bool is_key = false;
	CK_RV rv;

	if (slot->token->so_logged_in) {
		rv = CKR_USER_ALREADY_LOGGED_IN;
		goto out;
	}
	if (slot->token->user_logged_in) {
		rv = CKR_USER_ANOTHER_ALREADY_LOGGED_IN;
		goto out;
	}
	tsr_sessions_count_inlock (slot->id, &all, &rw);
	if (all > rw) {
		rv = CKR_SESSION_READ_ONLY_EXISTS;
		goto out;
	}
	rv = tsr_login_so_check_inlock (slot, session, pin, len, &is_key);
	if (rv == CKR_OK && slot->token == NULL)
		rv = CKR_DEVICE_REMOVED;
	if (rv == CKR_OK && (slot->token->so_logged_in || slot->token->user_logged_in))
		rv = slot->token->so_logged_in ? CKR_USER_ALREADY_LOGGED_IN : CKR_USER_ANOTHER_ALREADY_LOGGED_IN;
	if (rv != CKR_OK)
		goto out;
	rv = tsr_token_hold_so_secret (slot->token, pin, len, is_key);
	if (rv == CKR_OK && is_key) {
		/* the key in binary, as tsr_admin_auth_inlock wants it */
		size_t key_len = 0;
		(void)tsr_so_pin_is_key (pin, len, slot->token->so_secret, &key_len);
		slot->token->so_secret_len = key_len;
	}
	slot->token->so_logged_in = rv == CKR_OK;
out:
	return rv;
}

CK_RV
C_Login (CK_SESSION_HANDLE hSession, CK_USER_TYPE userType, CK_UTF8CHAR_PTR pPin, CK_ULONG ulPinLen)
{
	struct tsr_pin_ctx ctx = { CARD_PIN_USER, pPin, NULL, ulPinLen, 0, -1 };
	struct tsr_session *s;
	struct tsr_slot *slot;
	bool fips = false;
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
	fips = tsr_pin_policy_fips ();
	if (userType != CKU_SO)
		rv = tsr_pin_card_check (slot->token, userType == CKU_CONTEXT_SPECIFIC ? CARD_PIN_CONTEXT : CARD_PIN_USER,
		                         pPin, ulPinLen);
	if (rv == CKR_OK && userType == CKU_SO)
		rv = tsr_login_so_inlock (slot, hSession, pPin, ulPinLen);
	else if (rv == CKR_OK && userType == CKU_CONTEXT_SPECIFIC) {
		ctx.which = CARD_PIN_CONTEXT;
		rv = tsr_login_context_inlock (s, slot, &ctx);
	}
	else if (rv == CKR_OK && slot->token->so_logged_in)
		rv = CKR_USER_ANOTHER_ALREADY_LOGGED_IN;
	else if (rv == CKR_OK)
		rv = tsr_login_user_inlock (slot, hSession, &ctx);
	tsr_log ("p11", "C_Login(%lu) session %lu: 0x%lx", (unsigned long)userType,
	         (unsigned long)hSession, (unsigned long)rv);
out:
	tsr_leave ();
	if (fips && tsr_pin_failed (rv))
		tsr_pin_fail_delay ();
	return rv;
}

CK_RV
C_LoginUser (CK_SESSION_HANDLE hSession, CK_USER_TYPE userType, CK_UTF8CHAR_PTR pPin,
             CK_ULONG ulPinLen, CK_UTF8CHAR_PTR pUsername, CK_ULONG ulUsernameLen)
{
	/* Cards have no user names: a name, if given, is ignored. */
	(void)pUsername;
	(void)ulUsernameLen;
	return C_Login (hSession, userType, pPin, ulPinLen);
}

static card_rv
tsr_card_logout (struct card *card, void *user)
{
	bool so = *(bool *)user;

	/* The user: the card forgets the PIN. The SO: re-selecting drops a management
	 * key authentication too. */
	return so ? card->driver->reselect (card) : card->driver->logout (card);
}

CK_RV
C_Logout (CK_SESSION_HANDLE hSession)
{
	struct tsr_session *s;
	struct tsr_slot *slot;
	bool so;
	CK_RV rv;

	rv = tsr_enter ();
	if (rv != CKR_OK)
		return rv;
	rv = tsr_session_token_inlock (hSession, &s, &slot, NULL);
	if (rv != CKR_OK)
		goto out;
	if (!slot->token->user_logged_in && !slot->token->so_logged_in) {
		rv = CKR_USER_NOT_LOGGED_IN;
		goto out;
	}
	so = slot->token->so_logged_in;
	tsr_token_forget_login (slot->token);
	/* Best effort: the card forgets the PIN too (a failure does not keep us logged in). */
	(void)tsr_card_call_inlock (slot, 0, tsr_card_logout, &so);
	tsr_sessions_end_private_ops_inlock (slot->id);
out:
	tsr_leave ();
	return rv;
}
