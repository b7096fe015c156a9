/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * src/inittoken.c: C_InitToken, where the card offers a reset.
 *
 * Where the card's driver offers a reset (card_can CARD_OP_RESET; a YubiKey's PIV
 * application, once both PIN and PUK are blocked), the card returns to its factory
 * state and the SO PIN given becomes its SO PIN (or, as 32, 48 or 64 hex digits on a
 * card whose SO may log in with the admin key, its new admin key); elsewhere
 * CKR_FUNCTION_NOT_SUPPORTED. A card that refuses in its present state:
 * CKR_FUNCTION_FAILED. The label is ignored. The token is read again afterwards.
 */
#include "config.h"

#include "src/login.h"

#include <string.h>

#include <openssl/crypto.h>

#include "src/admin.h"
#include "src/conf.h"
#include "src/pinpolicy.h"

struct tsr_reset_ctx {
	const uint8_t *so_pin;
	size_t so_pin_len;
	uint8_t key[TSR_CONF_MAX_KEY];   /* the SO PIN as an admin key; wiped */
	size_t key_len;
};

static card_rv
tsr_card_reset (struct card *card, void *user)
{
	struct tsr_reset_ctx *ctx = user;

	return card->driver->reset (card, ctx->so_pin, ctx->so_pin_len,
	                            ctx->key_len > 0 ? ctx->key : NULL, ctx->key_len);
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
	if (!card_can (slot->token->card, CARD_OP_RESET)) {
		rv = CKR_FUNCTION_NOT_SUPPORTED;
		goto out;
	}
	if (!slot->token->info.so_admin_key || !tsr_so_pin_is_key (pin, len, ctx.key, &ctx.key_len)) {
		ctx.key_len = 0;
		rv = tsr_pin_new_check (slot->token, tsr_conf_get ()->pin_policy, CARD_PIN_SO, pin, len);
		if (rv != CKR_OK)
			goto out;
	}
	rv = tsr_card_call_flags_inlock (slot, 0, tsr_card_reset, &ctx, TSR_CALL_ONCE);
	if (rv == CKR_FUNCTION_FAILED) {
		tsr_log ("p11", "slot %lu: C_InitToken: the card refuses a reset in its present state "
		         "(e.g. only once PIN and PUK are blocked)", (unsigned long)slot->id);
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
