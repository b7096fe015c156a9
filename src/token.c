/*
 * src/token.c: a token is a card we know, opened once per insertion: the card's
 * identity, its key list (read once and cached as objects: no APDU for
 * C_FindObjects / C_GetAttributeValue), the login state and the PIN counter kept
 * from the last PIN exchange (C_GetTokenInfo sends no APDU).
 *
 * Every card operation goes through tsr_card_call_inlock: one PC/SC transaction;
 * after a reset by another process (card_begin's was_reset) the held PIN of a
 * logged-in user is verified again before the operation, and an operation that
 * fails with "security status not satisfied" while logged in (the PIN state was
 * lost some other way) is retried once after re-selecting and re-verifying.
 * A command the card may already have executed (TSR_CALL_ONCE: PIN changes, writes,
 * key generation and import) is never sent again: the state is made right before it
 * instead, and a PIN change without a clear answer forgets the PINs held.
 */
#include "config.h"

#include "src/tsr.h"
#include "src/admin.h"
#include "src/provision.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/x509.h>

CK_RV
tsr_ckr_from_card (card_rv crv)
{
	switch (crv) {
	case CARD_OK: return CKR_OK;
	case CARD_E_REMOVED: return CKR_DEVICE_REMOVED;
	case CARD_E_NO_SERVICE:
	case CARD_E_COMM:
	case CARD_E_BAD_RESPONSE:
	case CARD_E_NOT_FOUND:
	case CARD_E_INTERNAL: return CKR_DEVICE_ERROR;
	case CARD_E_SECURITY: return CKR_USER_NOT_LOGGED_IN;
	case CARD_E_PIN_INCORRECT: return CKR_PIN_INCORRECT;
	case CARD_E_PIN_LOCKED: return CKR_PIN_LOCKED;
	case CARD_E_PIN_LEN: return CKR_PIN_LEN_RANGE;
	case CARD_E_PIN_INVALID: return CKR_PIN_INVALID;
	case CARD_E_AUTH_FAILED: return CKR_PIN_INCORRECT;
	case CARD_E_NOT_SUPPORTED: return CKR_FUNCTION_NOT_SUPPORTED;
	case CARD_E_INVALID_DATA: return CKR_DATA_INVALID;
	case CARD_E_NO_SPACE: return CKR_DEVICE_MEMORY;
	case CARD_E_NO_MEMORY: return CKR_HOST_MEMORY;
	}
	return CKR_DEVICE_ERROR;
}

void
tsr_token_forget_login (struct tsr_token *token)
{
	if (token == NULL)
		return;
	if (token->pin != NULL) {
		OPENSSL_cleanse (token->pin, token->pin_len);
		free (token->pin);
	}
	token->pin = NULL;
	token->pin_len = 0;
	token->user_logged_in = false;
	if (token->so_secret != NULL) {
		OPENSSL_cleanse (token->so_secret, token->so_secret_len);
		free (token->so_secret);
	}
	token->so_secret = NULL;
	token->so_secret_len = 0;
	token->so_logged_in = false;
	token->so_with_key = false;
}

void
tsr_token_free (struct tsr_token *token)
{
	if (token == NULL)
		return;
	tsr_token_forget_login (token);
	if (token->card != NULL)
		tsr_backend->card_close (token->card);
	free (token);
}

static card_rv
tsr_restore_login (struct card *card, struct tsr_token *token)
{
	int tries = -1;
	card_rv crv;

	crv = card->driver->verify_pin (card, CARD_PIN_USER, token->pin, token->pin_len, &tries);
	if (crv == CARD_E_PIN_INCORRECT || crv == CARD_E_PIN_LOCKED) {
		/* The PIN was changed or blocked behind our back: the login is over. */
		tsr_log ("p11", "restoring the login failed: %d", (int)crv);
		token->pin_tries_left = crv == CARD_E_PIN_LOCKED ? 0 : tries;
		tsr_token_forget_login (token);
		crv = CARD_E_SECURITY;
	}
	return crv;
}

/* What a card answers when it is no longer in the state we left it in: the PIV
 * application deselected (INS not supported, file not found) or the PIN forgotten. */
static bool
tsr_card_state_lost (card_rv crv)
{
	return crv == CARD_E_SECURITY || crv == CARD_E_NOT_SUPPORTED || crv == CARD_E_NOT_FOUND;
}

/* Before a command that is never sent twice: PIV selected, and a logged-in user's PIN
 * verified again only if the card forgot it (an empty VERIFY asks; no try is spent). A
 * "state lost" answer to the command itself is then the card's real answer. */
static card_rv
tsr_card_state_ensure (struct card *card, struct tsr_token *token)
{
	int verified = 0, tries = -1;
	card_rv crv;

	crv = card->driver->reselect (card);
	if (crv == CARD_OK && token->user_logged_in &&
	    (card->driver->pin_status (card, CARD_PIN_USER, &verified, &tries) != CARD_OK || !verified))
		crv = tsr_restore_login (card, token);
	return crv;
}

/* A PIN-changing command ended without a clear answer (no answer, a malformed one, or
 * an unexpected status word): the card may have done it, so the PINs held are doubtful.
 * Forget them (the application logs in again) rather than ever try a stale one, and
 * read the counter again. */
static void
tsr_card_pin_doubt (struct card *card, struct tsr_token *token, card_rv crv)
{
	int verified = 0, tries = -1;

	if (crv == CARD_OK || crv == CARD_E_PIN_INCORRECT || crv == CARD_E_PIN_LOCKED ||
	    crv == CARD_E_PIN_LEN || crv == CARD_E_PIN_INVALID || crv == CARD_E_REMOVED)
		return;
	tsr_log ("p11", "a PIN change ended without a clear answer (%s): login forgotten, not retried",
	         card_rv_name (crv));
	tsr_token_forget_login (token);
	if (card->driver->reselect (card) == CARD_OK &&
	    card->driver->pin_status (card, CARD_PIN_USER, &verified, &tries) == CARD_OK)
		token->pin_tries_left = tries;
}

CK_RV
tsr_card_call_inlock (struct tsr_slot *slot, tsr_card_fn fn, void *user)
{
	return tsr_card_call_flags_inlock (slot, fn, user, 0);
}

CK_RV
tsr_card_call_flags_inlock (struct tsr_slot *slot, tsr_card_fn fn, void *user, unsigned flags)
{
	struct tsr_token *token = slot->token;
	struct card *card;
	int was_reset = 0;
	card_rv crv;

	assert (token != NULL);
	card = token->card;
	crv = tsr_backend->card_begin (card, &was_reset);
	if (crv != CARD_OK)
		goto out;
	if (was_reset && token->user_logged_in) {
		tsr_log ("p11", "slot %lu: card reset by somebody else: login restored", (unsigned long)slot->id);
		crv = tsr_restore_login (card, token);
	}
	if (crv == CARD_OK && (flags & TSR_CALL_ONCE))
		crv = tsr_card_state_ensure (card, token);
	if (crv == CARD_OK)
		crv = fn (card, user);
	if (flags & TSR_CALL_CHANGES_PIN)
		tsr_card_pin_doubt (card, token, crv);
	if (tsr_card_state_lost (crv) && !(flags & TSR_CALL_ONCE)) {
		/* another application deselected PIV or logged the card out, without a reset */
		tsr_log ("p11", "slot %lu: card state lost (%d): re-select%s and retry", (unsigned long)slot->id,
		         (int)crv, token->user_logged_in ? ", re-verify" : "");
		crv = card->driver->reselect (card);
		if (crv == CARD_OK && token->user_logged_in)
			crv = tsr_restore_login (card, token);
		if (crv == CARD_OK)
			crv = fn (card, user);
	}
	tsr_backend->card_end (card);
out:
	if (crv == CARD_E_COMM) {
		/* no answer: was the card pulled out? (pcscd may not know yet: then it is
		 * a device error now, and the monitor reports the removal later) */
		tsr.in_card_call = true;
		tsr_slots_refresh_inlock ();
		tsr.in_card_call = false;
		if (!slot->card_present || slot->lost)
			crv = CARD_E_REMOVED;
	}
	if (crv == CARD_E_REMOVED || crv == CARD_E_NO_SERVICE) {
		tsr_log ("p11", "slot %lu: card operation: %s", (unsigned long)slot->id,
		         crv == CARD_E_REMOVED ? "card removed" : "PC/SC service gone");
		slot->lost = true;
	}
	return tsr_ckr_from_card (crv);
}

/* The token label: the PIV authentication certificate's subject CN (or the card
 * model) and the card serial, e.g. "Alice Smith #12345678", at most 32 bytes. */
static void
tsr_token_label (struct tsr_token *token, const struct card_key *keys, size_t n_keys)
{
	char base[128] = "", suffix[40] = "";
	size_t i, room, len;

	for (i = 0; i < n_keys && base[0] == '\0'; i++) {
		const unsigned char *p = keys[i].cert_der;
		X509 *x;
		unsigned char *cn = NULL;
		int idx;
		if (keys[i].ref != 0x9A || p == NULL)
			continue;
		x = X509_new_ex (tsr_ossl (), NULL);
		if (x != NULL && d2i_X509 (&x, &p, (long)keys[i].cert_len) == NULL) {
			X509_free (x);
			x = NULL;
		}
		idx = x ? X509_NAME_get_index_by_NID (X509_get_subject_name (x), NID_commonName, -1) : -1;
		if (idx >= 0 && ASN1_STRING_to_UTF8 (&cn, X509_NAME_ENTRY_get_data (
		            X509_NAME_get_entry (X509_get_subject_name (x), idx))) > 0)
			snprintf (base, sizeof base, "%s", (char *)cn);
		OPENSSL_free (cn);
		X509_free (x);
	}
	if (base[0] == '\0')
		snprintf (base, sizeof base, "%s", token->info.model[0] ? token->info.model : "PIV card");
	if (token->info.serial[0] != '\0')
		snprintf (suffix, sizeof suffix, " #%.16s", token->info.serial);
	room = 32 - strlen (suffix);
	len = strlen (base);
	if (len > room) {
		len = room;
		while (len > 0 && ((unsigned char)base[len] & 0xC0) == 0x80)
			len--;
	}
	while (len > 0 && base[len - 1] == ' ')
		len--;
	assert (len + strlen (suffix) < sizeof token->label);
	memcpy (token->label, base, len);
	memcpy (token->label + len, suffix, strlen (suffix) + 1);
}

/* What the keys tell about the mechanisms and key sizes of the token. */
static void
tsr_token_capabilities_inlock (struct tsr_token *token, CK_SLOT_ID slot_id)
{
	size_t i;

	for (i = 0; i < tsr.n_objects; i++) {
		const struct tsr_object *o = tsr.objects[i];
		CK_ULONG bits = o->key_bits;
		if (o->slot_id != slot_id || !o->card_key || bits == 0)
			continue;
		if (o->key_type == CKK_RSA) {
			if (!token->has_rsa || bits < token->rsa_min_bits)
				token->rsa_min_bits = bits;
			if (!token->has_rsa || bits > token->rsa_max_bits)
				token->rsa_max_bits = bits;
			token->has_rsa = true;
		} else if (o->key_type == CKK_EC) {
			if (!token->has_ec || bits < token->ec_min_bits)
				token->ec_min_bits = bits;
			if (!token->has_ec || bits > token->ec_max_bits)
				token->ec_max_bits = bits;
			token->has_ec = true;
		}
	}
}

static CK_RV
tsr_token_store_objects_inlock (CK_SLOT_ID slot_id, const struct card_key *keys, size_t n_keys)
{
	struct tsr_object **objs = NULL;
	size_t n_objs = 0, i;
	CK_RV rv = CKR_OK;

	for (i = 0; i < n_keys && rv == CKR_OK; i++)
		rv = tsr_objects_from_card_key (&keys[i], slot_id, &objs, &n_objs);
	for (i = 0; i < n_objs; i++) {
		if (rv == CKR_OK)
			rv = tsr_object_store_inlock (objs[i], NULL);
		else
			tsr_object_free (objs[i]);
	}
	free (objs);
	if (rv == CKR_OK) {
		struct tsr_object *profile = tsr_object_profile_new (slot_id);
		rv = profile != NULL ? tsr_object_store_inlock (profile, NULL) : CKR_HOST_MEMORY;
	}
	return rv;
}

struct tsr_open_ctx {
	struct card_key *keys;
	size_t n_keys;
	int tries;
	int puk_tries;
};

static card_rv
tsr_token_read (struct card *card, void *user)
{
	struct tsr_open_ctx *ctx = user;
	int verified = 0;
	card_rv crv;

	crv = card->driver->list_keys (card, &ctx->keys, &ctx->n_keys);
	if (crv != CARD_OK)
		return crv;
	if (card->driver->pin_status (card, CARD_PIN_USER, &verified, &ctx->tries) != CARD_OK)
		ctx->tries = -1;
	if (card->driver->pin_status (card, CARD_PIN_SO, &verified, &ctx->puk_tries) != CARD_OK)
		ctx->puk_tries = -1;   /* known from YubiKey metadata only */
	return CARD_OK;
}

CK_RV
tsr_token_open_inlock (struct tsr_slot *slot, struct tsr_token **out)
{
	struct tsr_open_ctx ctx = { NULL, 0, -1, -1 };
	struct tsr_token *token = NULL;
	struct card *card = NULL;
	card_rv crv;
	CK_RV rv;

	crv = tsr_backend->card_open (slot->reader_name, &card);
	if (crv != CARD_OK) {
		tsr_log ("p11", "slot %lu: card_open: %d", (unsigned long)slot->id, (int)crv);
		rv = crv == CARD_E_NOT_SUPPORTED ? CKR_TOKEN_NOT_RECOGNIZED : tsr_ckr_from_card (crv);
		goto out;
	}
	token = calloc (1, sizeof *token);
	if (token == NULL) {
		tsr_backend->card_close (card);
		rv = CKR_HOST_MEMORY;
		goto out;
	}
	token->card = card;
	token->info = card->info;
	token->generation = slot->card_generation;
	slot->token = token;   /* tsr_card_call_inlock works on the slot's token */
	rv = tsr_card_call_inlock (slot, tsr_token_read, &ctx);
	slot->token = NULL;
	slot->lost = false;
	if (rv == CKR_OK)
		rv = tsr_token_store_objects_inlock (slot->id, ctx.keys, ctx.n_keys);
	if (rv != CKR_OK)
		goto out;
	token->pin_tries_left = ctx.tries;
	token->pin_tries_max = ctx.tries > 3 ? ctx.tries : 3;
	token->puk_tries_left = ctx.puk_tries;
	token->puk_tries_max = ctx.puk_tries > 3 ? ctx.puk_tries : 3;
	tsr_token_label (token, ctx.keys, ctx.n_keys);
	tsr_token_capabilities_inlock (token, slot->id);
	tsr_pairing_apply_inlock (slot->id, token->info.serial);   /* aliases set by applications */
	tsr_log ("p11", "slot %lu: token \"%s\" (%s, serial %s), %zu key slots, PIN tries %d",
	         (unsigned long)slot->id, token->label, token->info.model, token->info.serial,
	         ctx.n_keys, ctx.tries);
	slot->open_failed = CKR_OK;
	*out = token;
	token = NULL;
out:
	if (ctx.keys != NULL)
		tsr_backend->keys_free (ctx.keys, ctx.n_keys);
	if (token != NULL) {
		tsr_objects_drop_slot_inlock (slot->id);
		tsr_token_free (token);
	}
	return rv;
}

CK_RV
tsr_token_for_status_inlock (struct tsr_slot *slot)
{
	if (slot->token == NULL && slot->card_present && slot->open_failed != CKR_OK &&
	    slot->open_failed_generation == slot->card_generation)
		return slot->open_failed;   /* retried by the next operation, not here */
	return tsr_slot_ensure_token_inlock (slot);
}

static void
tsr_token_flags (const struct tsr_token *token, CK_FLAGS *flags)
{
	*flags = CKF_RNG | CKF_LOGIN_REQUIRED | CKF_USER_PIN_INITIALIZED | CKF_TOKEN_INITIALIZED;
	if (token->pin_tries_left == 0)
		*flags |= CKF_USER_PIN_LOCKED;
	else if (token->pin_tries_left == 1)
		*flags |= CKF_USER_PIN_FINAL_TRY | CKF_USER_PIN_COUNT_LOW;
	else if (token->pin_tries_left > 0 && token->pin_tries_left < token->pin_tries_max)
		*flags |= CKF_USER_PIN_COUNT_LOW;
	tsr_admin_token_flags (token, flags);   /* SO counter, write protection */
}

CK_RV
C_GetTokenInfo (CK_SLOT_ID slotID, CK_TOKEN_INFO_PTR pInfo)
{
	struct tsr_slot *slot;
	struct tsr_token *token;
	const char *serial;
	CK_RV rv;

	rv = tsr_enter ();
	if (rv != CKR_OK)
		return rv;
	if (!tsr_check (pInfo != NULL)) {
		rv = CKR_ARGUMENTS_BAD;
		goto out;
	}
	rv = tsr_slot_find_inlock (slotID, &slot);
	if (rv != CKR_OK)
		goto out;
	rv = tsr_token_for_status_inlock (slot);
	if (rv != CKR_OK)
		goto out;
	token = slot->token;
	memset (pInfo, 0, sizeof *pInfo);
	tsr_pad (pInfo->label, sizeof pInfo->label, token->label);
	tsr_pad (pInfo->manufacturerID, sizeof pInfo->manufacturerID, token->info.manufacturer);
	tsr_pad (pInfo->model, sizeof pInfo->model, token->info.model);
	serial = token->info.serial;
	if (strlen (serial) > sizeof pInfo->serialNumber)
		serial += strlen (serial) - sizeof pInfo->serialNumber;
	tsr_pad (pInfo->serialNumber, sizeof pInfo->serialNumber, serial);
	tsr_token_flags (token, &pInfo->flags);
	pInfo->ulMaxSessionCount = CK_EFFECTIVELY_INFINITE;
	pInfo->ulMaxRwSessionCount = CK_EFFECTIVELY_INFINITE;
	tsr_sessions_count_inlock (slot->id, &pInfo->ulSessionCount, &pInfo->ulRwSessionCount);
	pInfo->ulMaxPinLen = token->info.pin_max > 0 ? (CK_ULONG)token->info.pin_max : 8;
	pInfo->ulMinPinLen = token->info.pin_min > 0 ? (CK_ULONG)token->info.pin_min : 6;
	pInfo->ulTotalPublicMemory = CK_UNAVAILABLE_INFORMATION;
	pInfo->ulFreePublicMemory = CK_UNAVAILABLE_INFORMATION;
	pInfo->ulTotalPrivateMemory = CK_UNAVAILABLE_INFORMATION;
	pInfo->ulFreePrivateMemory = CK_UNAVAILABLE_INFORMATION;
	pInfo->firmwareVersion.major = token->info.version[0];
	pInfo->firmwareVersion.minor = token->info.version[1];
	tsr_pad (pInfo->utcTime, sizeof pInfo->utcTime, "");
out:
	tsr_leave ();
	return rv;
}
