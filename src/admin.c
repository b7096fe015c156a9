/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * src/admin.c: the management key for writes (see admin.h).
 *
 * tessera writes to a token only in a session where the user or the SO is
 * logged in, whatever the card itself would accept. Where the card wants an admin
 * credential for writes (driver->admin_auth; PIV: the management key), it is
 * searched in a fixed order (the SO login, the card's PIN-protected key, the
 * configuration per card serial, the driver's well-known default unless denied);
 * every key tried is wiped afterwards and none is ever logged.
 */
#include "config.h"

#include "src/admin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "src/cache.h"
#include "src/conf.h"

/* The credentials a write may try, copied from the module's state before the card
 * call (the module lock is not held while the card works). Wiped afterwards. */
struct tsr_admin_creds {
	bool needed;                     /* the card wants an admin credential */
	uint8_t so[TSR_ADMIN_MAX];       /* the SO login's secret, when it is the credential */
	size_t so_len;
	bool try_protected;              /* the user is logged in: the card's PIN-protected key */
	uint8_t conf[TSR_CONF_MAX_KEY];  /* the configuration's key for this card */
	size_t conf_len;
	bool try_default;
	char serial[33];                 /* for the warning */
	bool found_protected;            /* out: the card keeps a PIN-protected key */
};

int
tsr_admin_protected_key (struct card *card, uint8_t key[32], size_t *key_len)
{
	if (!card_can (card, CARD_OP_PROTECTED_ADMIN_KEY) ||
	    card->driver->protected_admin_key (card, key, key_len) != CARD_OK)
		return -1;
	return 0;
}

/* Try one key. Stops the search (*done) on success or on an error that is not
 * "wrong key" (card removed, communication). */
static CK_RV
try_key (struct card *card, const char *what, const uint8_t *key, size_t key_len, bool *done)
{
	card_rv crv = card->driver->admin_auth (card, key, key_len);

	tsr_log ("p11", "admin key from %s: %s", what, card_rv_name (crv));
	*done = crv != CARD_E_AUTH_FAILED && crv != CARD_E_INVALID_DATA && crv != CARD_E_SECURITY &&
	        crv != CARD_E_PIN_INCORRECT;
	return crv == CARD_OK ? CKR_OK : tsr_ckr_from_card (crv);
}

/* The admin key configured for the token's card (management_key.SERIAL), or NULL. Not where
 * the admin credential is the SO PIN: a PIN with a retry counter is never guessed from a key
 * configured for another application of the card (both may carry the same serial). */
static const struct tsr_conf_mgm_key *
tsr_admin_conf_key (const struct tsr_token *token, const struct tsr_conf *conf)
{
	return token->info.so_pin_is_admin ? NULL : tsr_conf_mgm_key (conf, token->info.serial);
}

static CK_RV
tsr_admin_creds_inlock (const struct tsr_token *token, struct tsr_admin_creds *c)
{
	const struct tsr_conf *conf = tsr_conf_get ();
	const struct tsr_conf_mgm_key *ck;

	memset (c, 0, sizeof *c);
	if (token == NULL || (!token->user_logged_in && !token->so_logged_in))
		return CKR_USER_NOT_LOGGED_IN;
	c->needed = card_can (token->card, CARD_OP_ADMIN_AUTH);
	if (token->so_logged_in && (token->so_with_key || token->info.so_pin_is_admin) &&
	    token->so_secret_len <= sizeof c->so) {
		memcpy (c->so, token->so_secret, token->so_secret_len);
		c->so_len = token->so_secret_len;
	}
	c->try_protected = token->user_logged_in;
	ck = tsr_admin_conf_key (token, conf);
	if (ck != NULL) {
		memcpy (c->conf, ck->key, ck->key_len);
		c->conf_len = ck->key_len;
	}
	c->try_default = conf->allow_default_mgm_key;
	snprintf (c->serial, sizeof c->serial, "%s", token->info.serial);
	return CKR_OK;
}

/* Inside the card call: the credentials in their order (see admin.h). */
static CK_RV
tsr_admin_auth_card (struct card *card, struct tsr_admin_creds *c)
{
	uint8_t key[32];
	size_t key_len = 0;
	bool done = false;
	CK_RV rv = CKR_TOKEN_WRITE_PROTECTED;

	if (!c->needed)
		return CKR_OK;   /* the card needs no admin credential beyond the login */
	if (c->so_len > 0)
		rv = try_key (card, "the SO login", c->so, c->so_len, &done);
	if (!done && c->try_protected && tsr_admin_protected_key (card, key, &key_len) == 0) {
		c->found_protected = true;
		rv = try_key (card, "the card (PIN-protected)", key, key_len, &done);
	}
	if (!done && c->conf_len > 0)
		rv = try_key (card, "the configuration", c->conf, c->conf_len, &done);
	if (!done && c->try_default && card->driver->default_admin_key != NULL) {
		rv = try_key (card, "the default", card->driver->default_admin_key,
		              card->driver->default_admin_key_len, &done);
		if (rv == CKR_OK)
			tsr_log ("p11", "warning: card %s still has the well-known default admin key: "
			         "anyone holding it can rewrite it", c->serial);
	}
	if (!done)
		rv = CKR_TOKEN_WRITE_PROTECTED;
	OPENSSL_cleanse (key, sizeof key);
	return rv;
}

struct tsr_admin_ctx {
	struct tsr_admin_creds creds;
	tsr_card_fn fn;
	void *user;
	CK_RV admin_rv;
};

static card_rv
tsr_admin_then (struct card *card, void *user)
{
	struct tsr_admin_ctx *ctx = user;

	ctx->admin_rv = tsr_admin_auth_card (card, &ctx->creds);
	if (ctx->admin_rv != CKR_OK)
		return CARD_E_AUTH_FAILED;
	return ctx->fn (card, ctx->user);
}

CK_RV
tsr_admin_call_inlock (struct tsr_slot *slot, CK_SESSION_HANDLE session, tsr_card_fn fn, void *user)
{
	struct tsr_token *token = slot->token;
	struct tsr_admin_ctx ctx;
	CK_RV rv;

	ctx.fn = fn;
	ctx.user = user;
	ctx.admin_rv = CKR_OK;
	rv = tsr_admin_creds_inlock (token, &ctx.creds);
	if (rv != CKR_OK)
		goto out;
	rv = tsr_card_call_flags_inlock (slot, session, tsr_admin_then, &ctx, TSR_CALL_ONCE);   /* writes */
	if (ctx.creds.found_protected && !token->admin_key_protected && slot->token == token) {
		token->admin_key_protected = true;
		token->admin_known = true;
		tsr_cache_note_admin_inlock (slot, true);
	}
	if (ctx.admin_rv != CKR_OK && rv != CKR_DEVICE_REMOVED && rv != CKR_SESSION_CLOSED)
		rv = ctx.admin_rv;
out:
	OPENSSL_cleanse (&ctx.creds, sizeof ctx.creds);
	return rv;
}

bool
tsr_admin_key_available (const struct tsr_token *token)
{
	const struct tsr_conf *conf = tsr_conf_get ();

	if (!card_can (token->card, CARD_OP_ADMIN_AUTH))
		return true;
	return (token->so_logged_in && (token->so_with_key || token->info.so_pin_is_admin)) ||
	       token->admin_key_protected || tsr_admin_conf_key (token, conf) != NULL ||
	       (conf->allow_default_mgm_key && token->card->driver->default_admin_key != NULL);
}

void
tsr_admin_token_flags (const struct tsr_token *token, CK_FLAGS *flags)
{
	if (token->puk_tries_left == 0)
		*flags |= CKF_SO_PIN_LOCKED;
	else if (token->puk_tries_left == 1)
		*flags |= CKF_SO_PIN_FINAL_TRY | CKF_SO_PIN_COUNT_LOW;
	else if (token->puk_tries_left > 0 && token->puk_tries_left < token->puk_tries_max)
		*flags |= CKF_SO_PIN_COUNT_LOW;
	if (!tsr_admin_key_available (token))
		*flags |= CKF_WRITE_PROTECTED;
}
