/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * src/token.c: a token is a card we know, read once per insertion when a call
 * first needs it (without the module lock: slot->opening meanwhile): the card's
 * identity, its key list (cached as objects: no APDU for C_FindObjects /
 * C_GetAttributeValue), the login state and the PIN counter kept from the last
 * PIN exchange (C_GetTokenInfo sends no APDU once the token is read). Card
 * operations go through tsr_card_call_inlock (cardcall.c).
 * A command the card may already have executed (TSR_CALL_ONCE: PIN changes, writes,
 * key generation and import) is never sent again (cardcall.c).
 */
#include "config.h"

#include "src/tsr.h"
#include "src/admin.h"
#include "src/provision.h"
#include "src/cache.h"
#include "src/store.h"

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
	case CARD_E_REFUSED: return CKR_FUNCTION_FAILED;
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
	assert (token->calls == 0 && token->n_graves == 0);
	tsr_token_forget_login (token);
	if (token->keys != NULL)
		tsr_backend->keys_free (token->keys, token->n_keys);
	if (token->card != NULL)
		tsr_backend->card_close (token->card);
	tsr_mutex_free (token->io);
	free (token);
}

/* The token label: the cardholder's name where the card keeps one, else the subject CN
 * of the certificate in the slot the driver names for it (CARD_SLOT_LABEL_CERT), else the
 * card model; then the card serial: "Alice Smith #12345678", at most 32 bytes. */
static void
tsr_token_label_base (const struct card *card, const struct card_key *keys, size_t n_keys,
                      char *base, size_t size)
{
	size_t i;

	snprintf (base, size, "%s", card->info.holder);
	for (i = 0; i < n_keys && base[0] == '\0'; i++) {
		const struct card_slot *desc = card_slot_by_ref (card, keys[i].ref);
		const unsigned char *p = keys[i].cert_der;
		X509 *x;
		unsigned char *cn = NULL;
		int idx;
		if (desc == NULL || !(desc->flags & CARD_SLOT_LABEL_CERT) || p == NULL)
			continue;
		x = X509_new_ex (tsr_ossl (), NULL);
		if (x != NULL && d2i_X509 (&x, &p, (long)keys[i].cert_len) == NULL) {
			X509_free (x);
			x = NULL;
		}
		idx = x ? X509_NAME_get_index_by_NID (X509_get_subject_name (x), NID_commonName, -1) : -1;
		if (idx >= 0 && ASN1_STRING_to_UTF8 (&cn, X509_NAME_ENTRY_get_data (
		            X509_NAME_get_entry (X509_get_subject_name (x), idx))) > 0)
			snprintf (base, size, "%s", (char *)cn);
		OPENSSL_free (cn);
		X509_free (x);
	}
	if (base[0] == '\0')
		snprintf (base, size, "%s", card->info.model[0] ? card->info.model : card->driver->name);
}

/* APP: the application's name in a reader's other slots (apps.c), NULL in its first: the
 * two tokens of one card would otherwise carry the same holder and serial, and NSS finds
 * a token by its label ("Alice Example openpgp #12345678"). */
static void
tsr_token_label (struct tsr_token *token, const char *app, const struct card_key *keys, size_t n_keys)
{
	char base[128] = "", suffix[64] = "";
	size_t room, len;

	tsr_token_label_base (token->card, keys, n_keys, base, sizeof base);
	if (app != NULL && app[0] != '\0')
		snprintf (suffix, sizeof suffix, " %.12s", app);
	if (token->info.serial[0] != '\0')
		snprintf (suffix + strlen (suffix), sizeof suffix - strlen (suffix), " #%.16s", token->info.serial);
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
		} else if (o->key_type == CKK_EC_EDWARDS) {
			token->has_ed = true;
		} else if (o->key_type == CKK_EC_MONTGOMERY) {
			token->has_x = true;
		}
	}
}

static CK_RV
tsr_token_store_objects_inlock (CK_SLOT_ID slot_id, const struct card *card, const struct card_key *keys,
                                size_t n_keys)
{
	struct tsr_object **objs = NULL;
	size_t n_objs = 0, i;
	CK_RV rv = CKR_OK;

	for (i = 0; i < n_keys && rv == CKR_OK; i++)
		rv = tsr_objects_from_card_key (card, &keys[i], slot_id, &objs, &n_objs);
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

/* Fewer user PIN tries left than this (or an unknown count): the SO PIN's are read too. */
#define TSR_PIN_TRIES_LOW 3

struct tsr_open_ctx {
	struct card_key *keys;           /* owned */
	size_t n_keys;
	int tries;
	int puk_tries;
	char insertion[TSR_CACHE_INSERTION_MAX];
	int admin_protected;             /* the cache's word: 1, 0, -1 unknown */
	char app[CARD_APP_NAME];         /* the application to open ("": the first found) */
	bool first;                      /* a reader's first slot: may discover the applications */
	char apps[CARD_MAX_APPS][CARD_APP_NAME];   /* what discovery found... */
	size_t n_apps;
	bool discovered;                 /* ...when it ran */
	uint8_t atr[READER_MAX_ATR];
	size_t atr_len;
};

/* List the keys, with what the card cache knows (cache.h), and update it. */
static card_rv
tsr_token_list (struct card *card, struct tsr_open_ctx *ctx)
{
	struct card_list_hints hints;
	struct tsr_cache cache;
	char id[64];
	card_rv crv;

	tsr_store_card_id (card, id, sizeof id);
	tsr_cache_load (id, &cache);
	tsr_cache_hints (&cache, card, ctx->insertion, &hints);
	crv = card->driver->list_keys (card, &hints, &ctx->keys, &ctx->n_keys);
	if (crv != CARD_OK)
		return crv;
	tsr_cache_apply_meta (&cache, ctx->keys, ctx->n_keys);
	if (id[0] != '\0') {
		tsr_cache_note_list (&cache, ctx->insertion, &hints, ctx->keys, ctx->n_keys);
		(void)tsr_cache_save (&cache);
	}
	ctx->admin_protected = cache.admin_protected;
	ctx->puk_tries = cache.puk_tries;   /* the SO PIN's counter: known from SO exchanges only */
	return CARD_OK;
}

static card_rv
tsr_token_read (struct card *card, void *user)
{
	struct tsr_open_ctx *ctx = user;
	int verified = 0;
	card_rv crv;

	crv = tsr_token_list (card, ctx);
	if (crv != CARD_OK)
		return crv;
	if (card->driver->pin_status (card, CARD_PIN_USER, &verified, &ctx->tries) != CARD_OK)
		ctx->tries = -1;
	/* The SO PIN's counter matters when the user's is spent (can it be unblocked?): read then;
	 * otherwise the last one known (card cache) saves an APDU at every start. */
	if (ctx->tries < TSR_PIN_TRIES_LOW &&
	    card->driver->pin_status (card, CARD_PIN_SO, &verified, &ctx->puk_tries) != CARD_OK)
		ctx->puk_tries = -1;
	return CARD_OK;
}

/* Open the application to read: the slot's; or, in a reader's first slot whose card's
 * applications are not known (or whose known first one is not there), the first of those
 * discovered. Unlocked. */
static card_rv
tsr_token_open_app (const char *reader, struct tsr_open_ctx *ctx, struct card **card)
{
	card_rv crv = CARD_E_NOT_SUPPORTED;
	int all;

	if (tsr_backend->card_discover == NULL)
		return tsr_backend->card_open (reader, NULL, card);
	if (ctx->app[0] != '\0')
		crv = tsr_backend->card_open (reader, ctx->app, card);
	/* unknown: the first family assumed (its probe tells); not there: every family asked */
	for (all = ctx->app[0] != '\0'; all <= 1 && crv == CARD_E_NOT_SUPPORTED && ctx->first; all++) {
		crv = tsr_backend->card_discover (reader, all, ctx->apps, &ctx->n_apps);
		if (crv != CARD_OK)
			return crv;
		ctx->discovered = true;
		if (ctx->n_apps == 0)
			return CARD_E_NOT_SUPPORTED;
		snprintf (ctx->app, sizeof ctx->app, "%s", ctx->apps[0]);
		crv = tsr_backend->card_open (reader, ctx->app, card);
	}
	return crv;
}

/* Connect to the card in READER and read it into TOKEN and CTX: the token's io lock is
 * held, the module lock is not. */
static card_rv
tsr_token_read_card (const char *reader, CK_SLOT_ID slot_id, struct tsr_token *token,
                     struct tsr_open_ctx *ctx)
{
	int was_reset = 0;
	card_rv crv;

	crv = tsr_token_open_app (reader, ctx, &token->card);
	if (crv != CARD_OK) {
		tsr_log ("p11", "slot %lu: card_open: %s", (unsigned long)slot_id, card_rv_name (crv));
		token->card = NULL;
		return crv;
	}
	ctx->atr_len = sizeof ctx->atr;
	if (token->card->reader == NULL ||
	    token->card->reader->get_atr (token->card->conn, ctx->atr, &ctx->atr_len) != READER_OK)
		ctx->atr_len = 0;
	crv = tsr_backend->card_begin (token->card, &was_reset);
	if (crv != CARD_OK)
		return crv;
	crv = tsr_token_read (token->card, ctx);
	tsr_backend->card_end (token->card);
	return crv;
}

CK_RV
tsr_token_open_inlock (struct tsr_slot *slot, struct tsr_token **out)
{
	struct tsr_open_ctx ctx;
	char reader[READER_MAX_NAME];
	const char *app = tsr_slot_app_inlock (slot);
	struct tsr_token *token;
	card_rv crv;
	CK_RV rv;

	*out = NULL;
	memset (&ctx, 0, sizeof ctx);
	ctx.tries = ctx.puk_tries = ctx.admin_protected = -1;
	snprintf (ctx.app, sizeof ctx.app, "%s", app != NULL ? app : "");
	ctx.first = slot->first == slot;
	token = calloc (1, sizeof *token);
	if (token == NULL)
		return CKR_HOST_MEMORY;
	rv = tsr_mutex_new (&token->io);
	if (rv != CKR_OK) {
		free (token);
		return rv;
	}
	token->generation = slot->card_generation;
	snprintf (reader, sizeof reader, "%s", slot->reader_name);
	tsr_cache_insertion (slot->reader_name, slot->event_count, ctx.insertion, sizeof ctx.insertion);
	token->calls++;
	slot->opening = token;
	tsr_unlock ();
	tsr_mutex_lock (token->io);
	crv = tsr_token_read_card (reader, slot->id, token, &ctx);
	tsr_mutex_unlock (token->io);
	tsr_lock ();
	token->calls--;
	slot->opening = NULL;
	if (ctx.discovered && slot->card_generation == token->generation)
		tsr_apps_found_inlock (slot, ctx.apps, ctx.n_apps, ctx.atr, ctx.atr_len);
	if (crv == CARD_OK)
		__atomic_store_n (&slot->first->selected, slot->id, __ATOMIC_RELAXED);
	if (crv != CARD_OK) {
		rv = crv == CARD_E_NOT_SUPPORTED ? CKR_TOKEN_NOT_RECOGNIZED : tsr_ckr_from_card (crv);
		tsr_backend->keys_free (ctx.keys, ctx.n_keys);
		tsr_token_retire_inlock (token);
		return rv;
	}
	token->info = token->card->info;
	tsr_store_card_id (token->card, token->store_id, sizeof token->store_id);
	token->keys = ctx.keys;
	token->n_keys = ctx.n_keys;
	token->pin_tries_left = ctx.tries;
	token->pin_tries_max = ctx.tries > 3 ? ctx.tries : 3;
	token->puk_tries_left = ctx.puk_tries;
	token->puk_tries_max = ctx.puk_tries > 3 ? ctx.puk_tries : 3;
	token->admin_known = ctx.admin_protected != -1;
	token->admin_key_protected = ctx.admin_protected == 1;
	*out = token;
	return CKR_OK;
}

CK_RV
tsr_token_install_inlock (struct tsr_slot *slot)
{
	struct tsr_token *token = slot->token;
	CK_RV rv;

	rv = tsr_token_store_objects_inlock (slot->id, token->card, token->keys, token->n_keys);
	if (rv != CKR_OK)
		goto out;
	tsr_token_label (token, slot->first != slot ? slot->app : NULL, token->keys, token->n_keys);
	tsr_token_capabilities_inlock (token, slot->id);
	tsr_pairing_apply_inlock (slot->id, token->store_id);   /* aliases set by applications */
	tsr_log ("p11", "slot %lu: token \"%s\" (%s, serial %s), %zu key slots, PIN tries %d",
	         (unsigned long)slot->id, token->label, token->info.model, token->info.serial,
	         token->n_keys, token->pin_tries_left);
	slot->open_failed = CKR_OK;
out:
	tsr_backend->keys_free (token->keys, token->n_keys);
	token->keys = NULL;
	token->n_keys = 0;
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
