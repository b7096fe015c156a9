/*
 * src/inittoken.c: C_InitToken, where the card offers a reset.
 *
 * A YubiKey returns its PIV application to the factory state (RESET) once both
 * the PIN and the PUK are blocked; other PIV cards are initialised by their
 * issuer (CKR_FUNCTION_NOT_SUPPORTED). The SO PIN given becomes the new PUK (or,
 * as 32, 48 or 64 hex digits, the new management key); the label is ignored
 * (PIV has none). The token is read again afterwards.
 */
#include "config.h"

#include "src/login.h"

#include <string.h>

#include <openssl/crypto.h>

#include "src/admin.h"
#include "src/conf.h"
#include "src/pinpolicy.h"

#define TSR_DEFAULT_PUK "12345678"

struct tsr_reset_ctx {
	const uint8_t *so_pin;
	size_t so_pin_len;
	uint8_t key[TSR_CONF_MAX_KEY];   /* the SO PIN as a management key; wiped */
	size_t key_len;
	bool not_blocked;                /* the card refuses: PIN or PUK still usable */
};

/* After the reset: the SO PIN replaces the factory PUK or management key. */
static card_rv
tsr_card_set_so_secret (struct card *card, struct tsr_reset_ctx *ctx)
{
	const size_t dlen = strlen (TSR_DEFAULT_PUK);
	card_rv crv;

	if (ctx->key_len > 0) {
		crv = card->driver->admin_auth (card, tsr_admin_default_key, sizeof tsr_admin_default_key);
		if (crv == CARD_OK)
			crv = card->driver->set_admin_key (card, ctx->key, ctx->key_len);
		return crv;
	}
	if (ctx->so_pin_len == dlen && memcmp (ctx->so_pin, TSR_DEFAULT_PUK, dlen) == 0)
		return CARD_OK;
	return card->driver->change_pin (card, CARD_PIN_SO, (const uint8_t *)TSR_DEFAULT_PUK, dlen,
	                                 ctx->so_pin, ctx->so_pin_len, NULL);
}

static card_rv
tsr_card_reset (struct card *card, void *user)
{
	struct tsr_reset_ctx *ctx = user;
	int verified = 0, pin_tries = -1, puk_tries = -1;
	card_rv crv;

	if (card->driver->pin_status (card, CARD_PIN_USER, &verified, &pin_tries) == CARD_OK &&
	    card->driver->pin_status (card, CARD_PIN_SO, &verified, &puk_tries) == CARD_OK &&
	    (pin_tries != 0 || puk_tries > 0)) {
		/* a YubiKey resets only with both blocked (an unknown PUK counter: let it judge) */
		ctx->not_blocked = true;
		return CARD_OK;
	}
	crv = card->driver->reset (card);
	if (crv == CARD_OK)
		crv = tsr_card_set_so_secret (card, ctx);
	return crv;
}

static CK_RV
tsr_init_token_inlock (struct tsr_slot *slot, const uint8_t *pin, CK_ULONG len)
{
	struct tsr_reset_ctx ctx;
	CK_ULONG all = 0, rw = 0;
	CK_RV rv;

	memset (&ctx, 0, sizeof ctx);
	ctx.so_pin = pin;
	ctx.so_pin_len = len;
	tsr_sessions_count_inlock (slot->id, &all, &rw);
	if (all > 0) {
		rv = CKR_SESSION_EXISTS;
		goto out;
	}
	if (!slot->token->info.can_reset || slot->token->card->driver->reset == NULL) {
		rv = CKR_FUNCTION_NOT_SUPPORTED;
		goto out;
	}
	if (!tsr_so_pin_is_key (pin, len, ctx.key, &ctx.key_len)) {
		rv = tsr_pin_new_check (slot->token, tsr_conf_get ()->pin_policy, CARD_PIN_SO, pin, len);
		if (rv != CKR_OK)
			goto out;
	}
	rv = tsr_card_call_flags_inlock (slot, tsr_card_reset, &ctx, TSR_CALL_ONCE);
	if (rv == CKR_OK && ctx.not_blocked) {
		tsr_log ("p11", "slot %lu: C_InitToken: the card resets only once PIN and PUK are blocked",
		         (unsigned long)slot->id);
		rv = CKR_FUNCTION_FAILED;
		goto out;
	}
	tsr_log ("p11", "slot %lu: C_InitToken: card reset: 0x%lx", (unsigned long)slot->id,
	         (unsigned long)rv);
	/* whatever happened after the reset, what we know of the card is stale */
	if (slot->token != NULL)
		tsr_slot_drop_token_inlock (slot);
out:
	OPENSSL_cleanse (&ctx, sizeof ctx);
	return rv;
}

CK_RV
C_InitToken (CK_SLOT_ID slotID, CK_UTF8CHAR_PTR pPin, CK_ULONG ulPinLen, CK_UTF8CHAR_PTR pLabel)
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
	if (!tsr_check (pLabel != NULL && (pPin != NULL || ulPinLen == 0))) {
		rv = CKR_ARGUMENTS_BAD;
		goto out;
	}
	if (pPin == NULL) {
		rv = CKR_FUNCTION_NOT_SUPPORTED;   /* no PIN pad */
		goto out;
	}
	rv = tsr_slot_ensure_token_inlock (slot);
	if (rv == CKR_OK)
		rv = tsr_init_token_inlock (slot, pPin, ulPinLen);
out:
	tsr_leave ();
	return rv;
}
