/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * apdu/piv-keys.c: list the key slots of a PIV card: certificates (GET DATA),
 * the key history object (which retired slots are worth reading), and on
 * YubiKey 5.3+ the metadata of the slots that matter (algorithm, policies,
 * origin, public key). APDUs are kept few: retired slots are read only when the
 * key history says they hold certificates (or when there is no key history),
 * and metadata is asked only for the four main slots and retired slots with a
 * certificate (or announced by the key history as holding a key).
 *
 * A card with metadata and no key history (a YubiKey: neither it nor its tools
 * keep that object) may hold retired keys without a certificate, e.g. generated
 * by tessera. There each retired slot is asked for its metadata first and its
 * certificate read only when it holds a key: 20 GET METADATA + one GET DATA per
 * retired key, where a card without metadata costs 20 GET DATA + nothing.
 * (A certificate left in a retired slot without its key is not listed there.)
 */
#include "config.h"

#include "apdu/piv.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "apdu/log.h"
#include "apdu/tlv.h"

#define CERTINFO_COMPRESSED 0x01

static size_t
slot_index (uint8_t ref)
{
	const struct piv_slot *slot = piv_slot_by_ref (ref);

	assert (slot != NULL);
	return (size_t)(slot - piv_slots);
}

void
piv_remember_alg (struct card *card, uint8_t ref, enum card_alg alg)
{
	if (piv_slot_by_ref (ref) != NULL)
		piv_data (card)->alg[slot_index (ref)] = alg;
}

enum card_alg
piv_key_alg (struct card *card, uint8_t ref)
{
	struct piv_metadata meta;
	struct apdu_resp resp;
	enum card_alg alg;

	if (piv_slot_by_ref (ref) == NULL)
		return CARD_ALG_NONE;
	alg = piv_data (card)->alg[slot_index (ref)];
	if (alg != CARD_ALG_NONE || !card->info.has_metadata)
		return alg;
	memset (&resp, 0, sizeof resp);
	if (piv_get_metadata (card, ref, &resp, &meta) == CARD_OK) {
		alg = piv_alg_to_card (meta.alg);
		piv_remember_alg (card, ref, alg);
	}
	apdu_resp_clear (&resp);
	return alg;
}

/* The certificate object's value (53 contents) → key->cert_der. */
static card_rv
take_cert (struct card_key *key, const uint8_t *obj, size_t len)
{
	struct tlv cert, info;
	tlv_rv trv;

	trv = tlv_find (obj, len, 0x70, &cert);
	if (trv != TLV_OK) {
		tsr_log ("piv", "certificate object of %02X has no 70 tag", key->ref);
		return CARD_E_BAD_RESPONSE;
	}
	trv = tlv_find (obj, len, 0x71, &info);
	if (trv == TLV_OK && info.len >= 1 && (info.value[0] & CERTINFO_COMPRESSED)) {
		tsr_log ("piv", "certificate of %02X is compressed: not supported, skipped", key->ref);
		return CARD_OK;
	}
	if (cert.len == 0)
		return CARD_OK;
	key->cert_der = malloc (cert.len);
	if (key->cert_der == NULL)
		return CARD_E_NO_MEMORY;
	memcpy (key->cert_der, cert.value, cert.len);
	key->cert_len = cert.len;
	key->alg = piv_cert_alg (cert.value, cert.len);
	if (key->alg == CARD_ALG_NONE)
		tsr_log ("piv", "certificate of %02X: key algorithm not recognised", key->ref);
	return CARD_OK;
}

static card_rv
read_cert (struct card *card, struct card_key *key, const struct piv_slot *slot)
{
	uint8_t *obj = NULL;
	size_t len = 0;
	card_rv rv;

	rv = piv_get_data (card, slot->cert_tag, 0, &obj, &len);
	if (rv == CARD_E_NOT_FOUND || rv == CARD_E_SECURITY) {
		rv = CARD_OK;
		goto out;
	}
	if (rv == CARD_OK && len > 0)
		rv = take_cert (key, obj, len);
out:
	free (obj);
	return rv;
}

static enum card_pin_policy
pin_policy (uint8_t value, enum card_pin_policy dflt)
{
	switch (value) {
	case 1: return CARD_PIN_POLICY_NEVER;
	case 2: return CARD_PIN_POLICY_ONCE;
	case 3: return CARD_PIN_POLICY_ALWAYS;
	default: return dflt;
	}
}

static enum card_touch_policy
touch_policy (uint8_t value)
{
	switch (value) {
	case 2: return CARD_TOUCH_POLICY_ALWAYS;
	case 3: return CARD_TOUCH_POLICY_CACHED;
	default: return CARD_TOUCH_POLICY_NEVER;
	}
}

/* Metadata of the key in KEY's slot: policies, origin, algorithm, public key. */
static card_rv
read_metadata (struct card *card, struct card_key *key)
{
	struct piv_metadata meta;
	struct apdu_resp resp;
	card_rv rv;

	memset (&resp, 0, sizeof resp);
	rv = piv_get_metadata (card, key->ref, &resp, &meta);
	if (rv == CARD_E_NOT_FOUND) {
		key->has_key = 0;    /* a certificate without its key */
		key->meta_known = 1;
		rv = CARD_OK;
		goto out;
	}
	if (rv != CARD_OK)
		goto out;
	key->has_key = 1;
	key->meta_known = 1;
	key->pin_policy = pin_policy (meta.pin_policy, key->pin_policy);
	key->touch_policy = touch_policy (meta.touch_policy);
	key->origin_generated = meta.origin == 1 ? 1 : meta.origin == 2 ? 0 : -1;
	if (piv_alg_to_card (meta.alg) != CARD_ALG_NONE)
		key->alg = piv_alg_to_card (meta.alg);
	if (meta.pubkey != NULL && key->alg != CARD_ALG_NONE && key->spki_der == NULL) {
		rv = piv_pubkey_to_spki (key->alg, meta.pubkey, meta.pubkey_len,
		                         &key->spki_der, &key->spki_len);
		if (rv == CARD_E_BAD_RESPONSE) {
			/* one unusable template does not make the card unusable: the
			 * certificate's key stands in, or without one the key is left out */
			tsr_log ("piv", "slot %02X: public key template unusable: %s", key->ref,
			         key->cert_der != NULL ? "using the certificate's key" : "key left out");
			if (key->cert_der == NULL)
				key->has_key = 0;
			rv = CARD_OK;
		}
		if (rv == CARD_E_NOT_SUPPORTED)
			rv = CARD_OK;
	}
out:
	apdu_resp_clear (&resp);
	return rv;
}

card_rv
piv_key_meta (struct card *card, struct card_key *key)
{
	card_rv rv;

	if (card == NULL || card->driver_data == NULL || key == NULL || piv_slot_by_ref (key->ref) == NULL)
		return CARD_E_INTERNAL;
	if (!card->info.has_metadata)
		return CARD_E_NOT_SUPPORTED;
	rv = read_metadata (card, key);
	if (rv == CARD_OK && !key->has_key)
		rv = CARD_E_NOT_FOUND;
	if (rv == CARD_OK)
		piv_remember_alg (card, key->ref, key->alg);
	return rv;
}

/* How to read one slot. */
struct slot_plan {
	int with_cert;          /* read its certificate */
	int meta;               /* 0 never, 1 when a certificate was found (unless lazy), 2 always,
	                           3 when none was found (a key without one), or unless lazy */
	int meta_first;         /* metadata first, the certificate only when it holds a key */
	int lazy;               /* the metadata of a slot with a certificate waits for key_meta() */
};

/* Read one slot into KEY as PLAN says. */
static card_rv
read_slot (struct card *card, const struct piv_slot *slot, struct card_key *key,
           const struct slot_plan *plan)
{
	enum card_alg alg;
	card_rv rv = CARD_OK;

	memset (key, 0, sizeof *key);
	key->ref = slot->ref;
	key->pin_policy = piv_card_slots[slot - piv_slots].pin_policy;
	key->touch_policy = CARD_TOUCH_POLICY_NEVER;
	key->origin_generated = -1;
	if (plan->meta_first) {
		rv = read_metadata (card, key);
		if (rv != CARD_OK || !key->has_key)
			goto out;
		alg = key->alg;
		rv = read_cert (card, key, slot);
		if (key->alg == CARD_ALG_NONE)
			key->alg = alg;   /* the metadata's word when the certificate's key is unknown */
		goto out;
	}
	if (plan->with_cert)
		rv = read_cert (card, key, slot);
	if (rv != CARD_OK)
		goto out;
	key->has_key = key->cert_der != NULL;
	if (plan->meta == 2 || (plan->meta == 1 && key->cert_der != NULL && !plan->lazy) ||
	    (plan->meta == 3 && (key->cert_der == NULL || !plan->lazy)))
		rv = read_metadata (card, key);
out:
	return rv;
}

/* How many retired slots to read for certificates (on card) and for metadata only
 * (keys with off-card certificates), from the key history object. *NO_HISTORY is
 * set when the card has none (then *ON_CARD covers every retired slot). */
static card_rv
retired_counts (struct card *card, size_t *on_card, size_t *off_card, int *no_history)
{
	uint8_t *obj = NULL;
	size_t len = 0;
	struct tlv t;
	card_rv rv;

	*on_card = PIV_NUM_RETIRED;
	*off_card = 0;
	*no_history = 0;
	rv = piv_get_data (card, PIV_OBJ_KEY_HISTORY, 0, &obj, &len);
	if (rv == CARD_E_NOT_FOUND || rv == CARD_E_SECURITY) {
		tsr_log ("piv", "no key history object: reading every retired slot%s",
		         card->info.has_metadata ? " (metadata first)" : "");
		*no_history = 1;
		rv = CARD_OK;
		goto out;
	}
	if (rv != CARD_OK)
		goto out;
	*on_card = 0;
	if (tlv_find (obj, len, 0xC1, &t) == TLV_OK && t.len == 1)
		*on_card = t.value[0];
	if (tlv_find (obj, len, 0xC2, &t) == TLV_OK && t.len == 1)
		*off_card = t.value[0];
	if (*on_card > PIV_NUM_RETIRED)
		*on_card = PIV_NUM_RETIRED;
	if (*off_card > PIV_NUM_RETIRED - *on_card)
		*off_card = PIV_NUM_RETIRED - *on_card;
	tsr_log ("piv", "key history: %zu retired keys with certificates on card, %zu off card",
	         *on_card, *off_card);
out:
	free (obj);
	return rv;
}

/* The plan for slot I (PIV order: the four main slots, then 82..95); 0 to skip it. */
static int
plan_slot (struct card *card, size_t i, size_t on_card, size_t off_card, int no_history,
           const struct card_list_hints *hints, struct slot_plan *plan)
{
	int retired = i >= 4;
	size_t r = i - 4;
	int meta = card->info.has_metadata;

	memset (plan, 0, sizeof *plan);
	if (hints != NULL && CARD_REF_BIT (hints->empty, piv_slots[i].ref))
		return 0;   /* believed empty: not probed */
	plan->lazy = hints != NULL && hints->lazy_meta;
	if (retired && no_history && meta && !(plan->lazy && CARD_REF_BIT (hints->cert, piv_slots[i].ref))) {
		plan->meta_first = 1;
		return 1;
	}
	plan->with_cert = !retired || r < on_card;
	if (retired && r >= on_card && r < on_card + off_card)
		plan->meta = meta ? 2 : 0;   /* a key announced with an off-card certificate */
	else
		plan->meta = meta ? (retired ? 1 : 2) : 0;
	if (meta && plan->lazy && (!retired || no_history))
		plan->meta = 3;   /* metadata only to find a key without certificate */
	return plan->with_cert || plan->meta;
}

card_rv
piv_list_keys (struct card *card, struct card_list_hints *hints, struct card_key **keys, size_t *count)
{
	struct card_key *list = NULL;
	struct slot_plan plan;
	size_t n = 0, i, on_card = PIV_NUM_RETIRED, off_card = 0;
	int no_history = 1;
	card_rv rv = CARD_OK;

	if (card == NULL || card->driver_data == NULL || keys == NULL || count == NULL)
		return CARD_E_INTERNAL;
	*keys = NULL;
	*count = 0;
	list = calloc (PIV_NUM_SLOTS, sizeof *list);
	if (list == NULL) {
		rv = CARD_E_NO_MEMORY;
		goto out;
	}
	if (hints == NULL || !hints->no_index)
		rv = retired_counts (card, &on_card, &off_card, &no_history);
	if (rv != CARD_OK)
		goto out;
	if (hints != NULL)
		hints->has_index = hints->no_index ? -1 : !no_history;
	for (i = 0; i < PIV_NUM_SLOTS; i++) {
		if (!plan_slot (card, i, on_card, off_card, no_history, hints, &plan))
			continue;
		if (hints != NULL)
			CARD_REF_BIT_SET (hints->probed, piv_slots[i].ref);
		rv = read_slot (card, &piv_slots[i], &list[n], &plan);
		if (rv != CARD_OK) {
			n++;   /* free what this slot holds */
			goto out;
		}
		piv_remember_alg (card, list[n].ref, list[n].alg);
		if (list[n].has_key || list[n].cert_der != NULL)
			n++;
		else
			card_keys_clear (&list[n]);   /* the entry is reused */
	}
	*keys = list;
	*count = n;
	list = NULL;
	n = 0;
	tsr_log ("piv", "list_keys: %zu slots in use", *count);
out:
	card_keys_free (list, n);
	return rv;
}
