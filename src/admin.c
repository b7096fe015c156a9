/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * src/admin.c: the management key for writes (see admin.h).
 *
 * tessera writes to a token only in a session where the user or the SO is
 * logged in, whatever the card itself would accept. The key is searched in a
 * fixed order (SO login with the key, the card's PIN-protected key, the
 * configuration per card serial, the default key unless denied); every key
 * tried is wiped afterwards and none is ever logged.
 */
#include "config.h"

#include "src/admin.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "src/conf.h"

#define TSR_OBJ_ADMIN_DATA 0x5FFF00   /* YubiKey: 80 { 81 flags, ... } */
#define TSR_OBJ_PRINTED    0x5FC109   /* YubiKey: 88 { 89 management key } */
#define TSR_ADMIN_FLAG_KEY_STORED 0x02

const uint8_t tsr_admin_default_key[24] = {
	0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
	0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
	0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
};

/* The value of the first element with one-byte TAG among the BER-TLV elements of
 * [data, data+len): *val points into DATA. 0 when found. */
static int
tlv_child (const uint8_t *data, size_t len, uint8_t tag, const uint8_t **val, size_t *val_len)
{
	size_t pos = 0;

	while (pos + 2 <= len) {
		uint8_t t = data[pos++];
		size_t l = data[pos++];
		if (l == 0x81 || l == 0x82) {
			size_t n = l == 0x81 ? 1 : 2;
			if (pos + n > len)
				return -1;
			l = n == 1 ? data[pos] : (size_t)data[pos] << 8 | data[pos + 1];
			pos += n;
		} else if (l > 0x7F) {
			return -1;
		}
		if (l > len - pos)
			return -1;
		if (t == tag) {
			*val = data + pos;
			*val_len = l;
			return 0;
		}
		pos += l;
	}
	return -1;
}

int
tsr_admin_protected_key (struct tsr_token *token, struct card *card, uint8_t key[32], size_t *key_len)
{
	uint8_t *data = NULL;
	size_t len = 0, v_len, w_len;
	const uint8_t *v, *w;
	int found = -1;

	if (card->driver->read_object (card, TSR_OBJ_ADMIN_DATA, &data, &len) != CARD_OK ||
	    tlv_child (data, len, 0x80, &v, &v_len) != 0 ||
	    tlv_child (v, v_len, 0x81, &w, &w_len) != 0 || w_len < 1 ||
	    !(w[0] & TSR_ADMIN_FLAG_KEY_STORED))
		goto out;
	free (data);
	data = NULL;
	if (card->driver->read_object (card, TSR_OBJ_PRINTED, &data, &len) != CARD_OK ||
	    tlv_child (data, len, 0x88, &v, &v_len) != 0 ||
	    tlv_child (v, v_len, 0x89, &w, &w_len) != 0 ||
	    (w_len != 16 && w_len != 24 && w_len != 32))
		goto out;
	memcpy (key, w, w_len);
	*key_len = w_len;
	token->admin_key_protected = true;
	found = 0;
out:
	if (data != NULL) {
		OPENSSL_cleanse (data, len);
		free (data);
	}
	return found;
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
	if (token->so_logged_in && token->so_with_key)
		rv = try_key (card, "the SO login", token->so_secret, token->so_secret_len, &done);
	if (!done && token->user_logged_in && tsr_admin_protected_key (token, card, key, &key_len) == 0)
		rv = try_key (card, "the card (PIN-protected)", key, key_len, &done);
	ck = tsr_conf_mgm_key (conf, token->info.serial);
	if (!done && ck != NULL)
		rv = try_key (card, "the configuration", ck->key, ck->key_len, &done);
	if (!done && conf->allow_default_mgm_key) {
		rv = try_key (card, "the default", tsr_admin_default_key, sizeof tsr_admin_default_key, &done);
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

	return (token->so_logged_in && token->so_with_key) || token->admin_key_protected ||
	       conf->allow_default_mgm_key || tsr_conf_mgm_key (conf, token->info.serial) != NULL;
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
