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

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "src/conf.h"

int
tsr_admin_protected_key (struct tsr_token *token, struct card *card, uint8_t key[32], size_t *key_len)
{
	if (!card_can (card, CARD_OP_PROTECTED_ADMIN_KEY) ||
	    card->driver->protected_admin_key (card, key, key_len) != CARD_OK)
		return -1;
	token->admin_key_protected = true;
	return 0;
}

/* Try one key. Stops the search (*done) on success or on an error that is not
 * "wrong key" (card removed, communication). */
static CK_RV
try_key (struct card *card, const char *what, const uint8_t *key, size_t key_len, bool *done)
{
	card_rv crv = card->driver->admin_auth (card, key, key_len);

	tsr_log ("p11", "management key from %s: card_rv %d", what, (int)crv);
	*done = crv != CARD_E_AUTH_FAILED && crv != CARD_E_INVALID_DATA && crv != CARD_E_SECURITY;
	return crv == CARD_OK ? CKR_OK : tsr_ckr_from_card (crv);
}

CK_RV
tsr_admin_auth_inlock (struct tsr_slot *slot, struct card *card)
{
	struct tsr_token *token = slot->token;
	const struct tsr_conf *conf = tsr_conf_get ();
	const struct tsr_conf_mgm_key *ck;
	uint8_t key[32];
	size_t key_len = 0;
	bool done = false;
	CK_RV rv = CKR_TOKEN_WRITE_PROTECTED;

	if (token == NULL || (!token->user_logged_in && !token->so_logged_in)) {
		rv = CKR_USER_NOT_LOGGED_IN;
		goto out;
	}
	if (!card_can (card, CARD_OP_ADMIN_AUTH)) {
		rv = CKR_OK;   /* the card needs no admin credential beyond the login */
		goto out;
	}
	if (token->so_logged_in && (token->so_with_key || token->info.so_pin_is_admin))
		rv = try_key (card, "the SO login", token->so_secret, token->so_secret_len, &done);
	if (!done && token->user_logged_in && tsr_admin_protected_key (token, card, key, &key_len) == 0)
		rv = try_key (card, "the card (PIN-protected)", key, key_len, &done);
	ck = tsr_conf_mgm_key (conf, token->info.serial);
	if (!done && ck != NULL)
		rv = try_key (card, "the configuration", ck->key, ck->key_len, &done);
	if (!done && conf->allow_default_mgm_key && card->driver->default_admin_key != NULL) {
		rv = try_key (card, "the default", card->driver->default_admin_key,
		              card->driver->default_admin_key_len, &done);
		if (rv == CKR_OK)
			tsr_log ("p11", "warning: card %s still has the well-known default management key: "
			         "anyone holding it can rewrite it", token->info.serial);
	}
	if (!done)
		rv = CKR_TOKEN_WRITE_PROTECTED;
out:
	OPENSSL_cleanse (key, sizeof key);
	return rv;
}

bool
tsr_admin_key_available (const struct tsr_token *token)
{
	const struct tsr_conf *conf = tsr_conf_get ();

	if (!card_can (token->card, CARD_OP_ADMIN_AUTH))
		return true;
	return (token->so_logged_in && (token->so_with_key || token->info.so_pin_is_admin)) ||
	       token->admin_key_protected || tsr_conf_mgm_key (conf, token->info.serial) != NULL ||
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
