/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * src/pin.c: C_InitPIN and C_SetPIN.
 *
 * C_InitPIN (SO with the PUK): RESET RETRY COUNTER, which unblocks the user PIN
 * and sets the new one. C_SetPIN as the SO changes the SO's secret (the PUK, or
 * the management key when the SO logged in with it); otherwise (user or public
 * session) it changes the user PIN, the card checking the old one. New PINs
 * follow the card's rules and, with pin_policy = fips, the FIPS rule
 * (pinpolicy.h), before anything is sent; in that mode a failure costs a second.
 */
#include "config.h"

#include "src/login.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "src/conf.h"
#include "src/pinpolicy.h"

/* Hold the user PIN that is now valid (after a change or an unblock while logged in). */
static void
tsr_token_replace_pin (struct tsr_token *token, const uint8_t *pin, size_t len)
{
	uint8_t *copy;

	if (!token->user_logged_in)
		return;
	copy = tsr_pin_dup (pin, len);
	OPENSSL_cleanse (token->pin, token->pin_len);
	free (token->pin);
	token->pin = copy;
	token->pin_len = copy != NULL ? len : 0;
	token->user_logged_in = copy != NULL;
}

static CK_RV
tsr_init_pin_inlock (struct tsr_slot *slot, CK_SESSION_HANDLE session, const uint8_t *pin, CK_ULONG len)
{
	struct tsr_token *token = slot->token;
	struct tsr_pin_ctx ctx = { CARD_PIN_SO, NULL, pin, 0, len, -1 };
	uint8_t *puk = NULL;
	CK_RV rv;

	if (!token->so_logged_in) {
		rv = CKR_USER_NOT_LOGGED_IN;
		goto out;
	}
	if (token->so_with_key || !card_can (token->card, CARD_OP_UNBLOCK_PIN)) {
		/* the PIN is unblocked with the SO PIN, not with an admin key */
		tsr_log ("p11", "C_InitPIN needs an SO login with the SO PIN, on a card that unblocks PINs");
		rv = CKR_FUNCTION_NOT_SUPPORTED;
		goto out;
	}
	rv = tsr_pin_new_check (token, tsr_conf_get ()->pin_policy, CARD_PIN_USER, pin, len);
	if (rv != CKR_OK)
		goto out;
	/* a copy: the module lock is released during the call, and a C_Logout may wipe it */
	puk = tsr_pin_dup (token->so_secret, token->so_secret_len);
	if (puk == NULL) {
		rv = CKR_HOST_MEMORY;
		goto out;
	}
	ctx.pin = puk;
	ctx.pin_len = token->so_secret_len;
	rv = tsr_card_call_flags_inlock (slot, session, tsr_card_unblock, &ctx, TSR_CALL_ONCE | TSR_CALL_CHANGES_PIN);
	rv = tsr_pin_rv (rv, ctx.tries);   /* after the call: it sets the counter */
	if (slot->token != token)
		goto out;
	/* the counter in the answer is the PUK's */
	tsr_token_note_pin_result (slot, CARD_PIN_SO, rv, ctx.tries);
	if (rv == CKR_OK)
		tsr_token_note_pin_result (slot, CARD_PIN_USER, rv, -1);
out:
	if (puk != NULL) {
		OPENSSL_cleanse (puk, ctx.pin_len);
		free (puk);
	}
	return rv;
}

CK_RV
C_InitPIN (CK_SESSION_HANDLE hSession, CK_UTF8CHAR_PTR pPin, CK_ULONG ulPinLen)
{
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
	if (!tsr_check (pPin != NULL)) {
		/* no protected authentication path (PIN pad) yet */
		rv = CKR_ARGUMENTS_BAD;
		goto out;
	}
	if (!(s->flags & CKF_RW_SESSION)) {
		rv = CKR_SESSION_READ_ONLY;
		goto out;
	}
	fips = tsr_pin_policy_fips ();
	rv = tsr_init_pin_inlock (slot, hSession, pPin, ulPinLen);
	tsr_log ("p11", "C_InitPIN session %lu: 0x%lx", (unsigned long)hSession, (unsigned long)rv);
out:
	tsr_leave ();
	if (fips && tsr_pin_failed (rv))
		tsr_pin_fail_delay ();
	return rv;
}

struct tsr_set_key_ctx {
	const uint8_t *old_key, *new_key;
	size_t old_len, new_len;
};

static card_rv
tsr_card_set_admin_key (struct card *card, void *user)
{
	struct tsr_set_key_ctx *ctx = user;
	card_rv crv;

	if (!card_can (card, CARD_OP_SET_ADMIN_KEY) || !card_can (card, CARD_OP_ADMIN_AUTH))
		return CARD_E_NOT_SUPPORTED;
	crv = card->driver->admin_auth (card, ctx->old_key, ctx->old_len);
	if (crv == CARD_OK)
		crv = card->driver->set_admin_key (card, ctx->new_key, ctx->new_len);
	return crv;
}

/* The SO logged in with the management key: both "PINs" are keys in hex. */
static CK_RV
tsr_set_so_key_inlock (struct tsr_slot *slot, CK_SESSION_HANDLE session, const uint8_t *old_pin,
                       CK_ULONG old_len, const uint8_t *new_pin, CK_ULONG new_len)
{
	uint8_t old_key[TSR_CONF_MAX_KEY], new_key[TSR_CONF_MAX_KEY];
	struct tsr_set_key_ctx ctx = { old_key, new_key, 0, 0 };
	CK_RV rv;

	if (!tsr_so_pin_is_key (old_pin, old_len, old_key, &ctx.old_len)) {
		rv = CKR_PIN_INCORRECT;
		goto out;
	}
	if (!tsr_so_pin_is_key (new_pin, new_len, new_key, &ctx.new_len)) {
		rv = CKR_PIN_LEN_RANGE;   /* not 32, 48 or 64 hex digits */
		goto out;
	}
	rv = tsr_card_call_flags_inlock (slot, session, tsr_card_set_admin_key, &ctx,
	                                 TSR_CALL_ONCE | TSR_CALL_CHANGES_PIN);
	if (rv == CKR_OK && slot->token != NULL)
		rv = tsr_token_hold_so_secret (slot->token, new_key, ctx.new_len, true);
out:
	OPENSSL_cleanse (old_key, sizeof old_key);
	OPENSSL_cleanse (new_key, sizeof new_key);
	return rv;
}

/* Change the PUK (SO) or the user PIN (anyone else) on the card. */
static CK_RV
tsr_set_pin_inlock (struct tsr_slot *slot, CK_SESSION_HANDLE session, enum card_pin which,
                    const uint8_t *old_pin, CK_ULONG old_len, const uint8_t *new_pin, CK_ULONG new_len)
{
	struct tsr_pin_ctx ctx = { which, old_pin, new_pin, old_len, new_len, -1 };
	struct tsr_token *token = slot->token;
	CK_RV rv;

	rv = tsr_pin_new_check (token, tsr_conf_get ()->pin_policy, which, new_pin, new_len);
	if (rv != CKR_OK)
		goto out;
	if (tsr_pin_card_check (token, which, old_pin, old_len) != CKR_OK) {
		rv = CKR_PIN_INCORRECT;   /* the card could not hold such an old PIN */
		goto out;
	}
	rv = tsr_card_call_flags_inlock (slot, session, tsr_card_change, &ctx, TSR_CALL_ONCE | TSR_CALL_CHANGES_PIN);
	rv = tsr_pin_rv (rv, ctx.tries);   /* after the call: it sets the counter */
	if (slot->token != token)
		goto out;
	tsr_token_note_pin_result (slot, which, rv, ctx.tries);
	if (rv == CKR_OK && which == CARD_PIN_SO)
		rv = tsr_token_hold_so_secret (token, new_pin, new_len, false);
	else if (rv == CKR_OK)
		tsr_token_replace_pin (token, new_pin, new_len);
out:
	return rv;
}

CK_RV
C_SetPIN (CK_SESSION_HANDLE hSession, CK_UTF8CHAR_PTR pOldPin, CK_ULONG ulOldLen,
          CK_UTF8CHAR_PTR pNewPin, CK_ULONG ulNewLen)
{
	struct tsr_session *s;
	struct tsr_slot *slot;
	struct tsr_token *token;
	bool fips = false;
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
	fips = tsr_pin_policy_fips ();
	if (token->so_logged_in && token->so_with_key)
		rv = tsr_set_so_key_inlock (slot, hSession, pOldPin, ulOldLen, pNewPin, ulNewLen);
	else
		rv = tsr_set_pin_inlock (slot, hSession, token->so_logged_in ? CARD_PIN_SO : CARD_PIN_USER,
		                         pOldPin, ulOldLen, pNewPin, ulNewLen);
	tsr_log ("p11", "C_SetPIN session %lu: 0x%lx", (unsigned long)hSession, (unsigned long)rv);
out:
	tsr_leave ();
	if (fips && tsr_pin_failed (rv))
		tsr_pin_fail_delay ();
	return rv;
}
