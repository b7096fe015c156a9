/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * src/cardcall.c: one card operation (tsr_card_call_inlock), without the module
 * lock.
 *
 * The caller holds the module lock. The call counts itself in token->calls (so
 * nothing of the token is freed meanwhile, grave.c), takes a copy of the PIN the
 * module holds for the login, releases the module lock and takes the token's io
 * lock; then one transaction: after a reset by another process the login is
 * restored from the copy, FN runs, and an operation that fails with "security
 * status not satisfied" (or "not found" / "not supported": our application was
 * deselected) is retried once after re-selecting and re-verifying, unless the caller
 * says it must never run twice (TSR_CALL_ONCE: the state is restored before it instead). io is given
 * back, the module lock taken again, and what the card said is applied: a login
 * the card no longer accepts is forgotten, a card found gone drops its token at
 * once, a token replaced meanwhile or a session closed meanwhile is reported.
 */
#include "config.h"

#include "src/tsr.h"
#include "src/login.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

/* What one call carries across the unlocked part. */
struct tsr_call {
	CK_SLOT_ID slot_id;
	struct tsr_slot *first;         /* the reader's first slot (slots are never freed while the
	                                   module is initialised): its `selected` is atomic */
	bool shared;                    /* several applications of the card are in use */
	uint8_t *pin;                   /* copy of the held PIN (NULL: not logged in), wiped */
	size_t pin_len;
	bool login_lost;                /* restoring the login failed: PIN changed or blocked */
	int tries;                      /* the PIN counter then, -1 unknown */
	unsigned flags;                 /* TSR_CALL_* */
	bool pin_doubt;                 /* a PIN change ended without a clear answer */
	int doubt_tries;                /* the PIN counter read after it, -1 unknown */
};

static card_rv
tsr_restore_login (struct card *card, struct tsr_call *call)
{
	int tries = -1;
	card_rv crv;

	crv = card->driver->verify_pin (card, CARD_PIN_USER, call->pin, call->pin_len, &tries);
	if (crv == CARD_E_PIN_INCORRECT || crv == CARD_E_PIN_LOCKED) {
		/* The PIN was changed or blocked behind our back: the login is over. */
		tsr_log ("p11", "slot %lu: restoring the login failed: %s", (unsigned long)call->slot_id,
		         card_rv_name (crv));
		call->login_lost = true;
		call->tries = crv == CARD_E_PIN_LOCKED ? 0 : tries;
		OPENSSL_cleanse (call->pin, call->pin_len);
		free (call->pin);
		call->pin = NULL;
		call->pin_len = 0;
		crv = CARD_E_SECURITY;
	}
	return crv;
}

/* What a card answers when it is no longer in the state we left it in: its
 * application deselected (INS not supported, file not found) or the PIN forgotten. */
static bool
tsr_card_state_lost (card_rv crv)
{
	return crv == CARD_E_SECURITY || crv == CARD_E_NOT_SUPPORTED || crv == CARD_E_NOT_FOUND;
}

/* Before a command that is never sent twice: the application selected, and a logged-in
 * user's PIN verified again only if the card forgot it (an empty VERIFY asks; no try is
 * spent). A "state lost" answer to the command itself is then the card's real answer. */
static card_rv
tsr_card_state_ensure (struct card *card, struct tsr_call *call)
{
	int verified = 0, tries = -1;
	card_rv crv;

	crv = card->driver->reselect (card);
	if (crv == CARD_OK && call->pin != NULL &&
	    (card->driver->pin_status (card, CARD_PIN_USER, &verified, &tries) != CARD_OK || !verified))
		crv = tsr_restore_login (card, call);
	return crv;
}

/* A PIN-changing command ended without a clear answer (no answer, a malformed one, or an
 * unexpected status word): the card may have done it, so the PINs held are doubtful. They
 * are forgotten after the call (the application logs in again) rather than ever tried
 * stale, and the counter is read again. */
static void
tsr_card_pin_doubt (struct card *card, struct tsr_call *call, card_rv crv)
{
	int verified = 0, tries = -1;

	if (crv == CARD_OK || crv == CARD_E_PIN_INCORRECT || crv == CARD_E_PIN_LOCKED ||
	    crv == CARD_E_PIN_LEN || crv == CARD_E_PIN_INVALID || crv == CARD_E_REMOVED)
		return;
	tsr_log ("p11", "slot %lu: a PIN change ended without a clear answer (%s): login forgotten, not retried",
	         (unsigned long)call->slot_id, card_rv_name (crv));
	call->pin_doubt = true;
	call->doubt_tries = -1;
	if (card->driver->reselect (card) == CARD_OK &&
	    card->driver->pin_status (card, CARD_PIN_USER, &verified, &tries) == CARD_OK)
		call->doubt_tries = tries;
}

/* The card I/O of one call: the token's io lock is held, the module lock is not. */
static card_rv
tsr_card_io (struct card *card, struct tsr_call *call, tsr_card_fn fn, void *user)
{
	int was_reset = 0;
	card_rv crv;

	crv = tsr_backend->card_begin (card, &was_reset);
	if (crv != CARD_OK)
		return crv;
	if (!was_reset && call->shared &&
	    __atomic_load_n (&call->first->selected, __ATOMIC_RELAXED) != call->slot_id) {
		/* another application of this card was used since: ours again, and its PIN */
		tsr_log ("p11", "slot %lu: selecting this token's application again", (unsigned long)call->slot_id);
		crv = card->driver->reselect (card);
		was_reset = crv == CARD_OK;
	}
	if (was_reset && call->pin != NULL && crv == CARD_OK) {
		tsr_log ("p11", "slot %lu: card reset or application switched: login restored",
		         (unsigned long)call->slot_id);
		crv = tsr_restore_login (card, call);
	}
	if (call->shared)
		__atomic_store_n (&call->first->selected, call->slot_id, __ATOMIC_RELAXED);
	if (crv == CARD_OK && (call->flags & TSR_CALL_ONCE))
		crv = tsr_card_state_ensure (card, call);
	if (crv == CARD_OK)
		crv = fn (card, user);
	if (call->flags & TSR_CALL_CHANGES_PIN)
		tsr_card_pin_doubt (card, call, crv);
	if (tsr_card_state_lost (crv) && !(call->flags & TSR_CALL_ONCE)) {
		/* another application deselected ours or logged the card out, without a reset */
		tsr_log ("p11", "slot %lu: card state lost (%s): re-select%s and retry",
		         (unsigned long)call->slot_id, card_rv_name (crv), call->pin != NULL ? ", re-verify" : "");
		crv = card->driver->reselect (card);
		if (crv == CARD_OK && call->pin != NULL)
			crv = tsr_restore_login (card, call);
		if (crv == CARD_OK)
			crv = fn (card, user);
	}
	tsr_backend->card_end (card);
	return crv;
}

void
tsr_token_wait_io_inlock (struct tsr_token *token)
{
	tsr_unlock ();
	tsr_mutex_lock (token->io);
	tsr_mutex_unlock (token->io);
	tsr_lock ();
}

/* After the call, with the module lock again: the card's word on the login. */
static void
tsr_call_apply_login_inlock (struct tsr_token *token, const struct tsr_call *call)
{
	if (call->pin_doubt) {
		tsr_token_forget_login (token);
		tsr_sessions_end_private_ops_inlock (call->slot_id);
		token->pin_tries_left = call->doubt_tries;
		return;
	}
	if (!call->login_lost)
		return;
	token->pin_tries_left = call->tries;
	tsr_token_forget_login (token);
	tsr_sessions_end_private_ops_inlock (call->slot_id);
}

static bool
tsr_session_open_inlock (CK_SESSION_HANDLE handle)
{
	struct tsr_session *s;

	return tsr_session_get_inlock (handle, &s) == CKR_OK;
}

/* After the call, with the module lock again (and the call still counted, so that
 * what a drop retires is not freed under the caller): what the card said. */
static CK_RV
tsr_call_finish_inlock (struct tsr_slot *slot, struct tsr_token *token, CK_SESSION_HANDLE session,
                        card_rv crv)
{
	CK_RV rv;

	if (crv == CARD_E_COMM && slot->token == token) {
		/* no answer: was the card pulled out? (pcscd may not know yet: then it is
		 * a device error now, and the monitor reports the removal later) */
		tsr_slots_refresh_inlock ();
		if (!slot->card_present || slot->card_generation != token->generation)
			crv = CARD_E_REMOVED;
	}
	if ((crv == CARD_E_REMOVED || crv == CARD_E_NO_SERVICE) && slot->token == token) {
		tsr_log ("p11", "slot %lu: card operation: %s", (unsigned long)slot->id,
		         crv == CARD_E_REMOVED ? "card removed" : "PC/SC service gone");
		tsr_slot_drop_token_inlock (slot);
	}
	rv = tsr_ckr_from_card (crv);
	if (slot->token != token) {
		rv = CKR_DEVICE_REMOVED;   /* the token went away while the card worked */
	} else if (session != 0 && !tsr_session_open_inlock (session)) {
		tsr_log ("p11", "slot %lu: session %lu closed during a card operation", (unsigned long)slot->id,
		         (unsigned long)session);
		rv = CKR_SESSION_CLOSED;
	}
	return rv;
}

CK_RV
tsr_card_call_inlock (struct tsr_slot *slot, CK_SESSION_HANDLE session, tsr_card_fn fn, void *user)
{
	return tsr_card_call_flags_inlock (slot, session, fn, user, 0);
}

CK_RV
tsr_card_call_flags_inlock (struct tsr_slot *slot, CK_SESSION_HANDLE session, tsr_card_fn fn, void *user,
                            unsigned flags)
{
	struct tsr_token *token = slot->token;
	struct tsr_call call = { slot->id, slot->first, tsr_apps_shared (slot), NULL, 0, false, -1, flags, false, -1 };
	card_rv crv;
	CK_RV rv;

	assert (token != NULL);
	if (token->user_logged_in && token->pin != NULL) {
		call.pin = tsr_pin_dup (token->pin, token->pin_len);
		if (call.pin == NULL)
			return CKR_HOST_MEMORY;
		call.pin_len = token->pin_len;
	}
	token->calls++;
	tsr_unlock ();
	tsr_mutex_lock (token->io);
	crv = tsr_card_io (token->card, &call, fn, user);
	tsr_mutex_unlock (token->io);
	tsr_lock ();
	if (slot->token == token)
		tsr_call_apply_login_inlock (token, &call);
	if (call.pin != NULL) {
		OPENSSL_cleanse (call.pin, call.pin_len);
		free (call.pin);
	}
	rv = tsr_call_finish_inlock (slot, token, session, crv);
	token->calls--;
	return rv;
}
