/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * src/keymeta.c: a card key's metadata, read when first needed.
 *
 * At token open the driver lists keys with a certificate without their metadata
 * (card_list_hints.lazy_meta): their objects get the slot's defaults (PIN policy,
 * unknown origin) and meta_pending. The card's word is asked (driver->key_meta, one
 * APDU) when an application reads an attribute that depends on it, or before the key's
 * first private-key operation, and is then set on the slot's key objects in place
 * (handles stay) and kept in the card cache.
 */
#include "config.h"

#include "src/tsr.h"
#include "src/cache.h"

#include <string.h>

bool
tsr_attr_from_meta (CK_ATTRIBUTE_TYPE type)
{
	switch (type) {
	case CKA_ALWAYS_AUTHENTICATE:
	case CKA_LOCAL:
	case CKA_KEY_GEN_MECHANISM:
	case CKA_ALWAYS_SENSITIVE:
	case CKA_NEVER_EXTRACTABLE:
		return true;
	default:
		return false;
	}
}

static card_rv
tsr_card_key_meta (struct card *card, void *user)
{
	return card->driver->key_meta (card, user);
}

CK_RV
tsr_key_meta_resolve_inlock (struct tsr_session *s, struct tsr_object *obj)
{
	struct tsr_slot *slot = tsr_slot_get_inlock (obj->slot_id);
	const struct card_slot *desc;
	struct card_key key;
	CK_RV rv = CKR_OK;

	if (!obj->meta_pending || obj->session != 0)
		return CKR_OK;
	if (slot == NULL || slot->token == NULL)
		return CKR_DEVICE_REMOVED;
	desc = card_slot_by_ref (slot->token->card, obj->key_ref);
	if (desc == NULL)
		return CKR_GENERAL_ERROR;
	memset (&key, 0, sizeof key);
	key.ref = obj->key_ref;
	key.pin_policy = desc->pin_policy;
	key.touch_policy = CARD_TOUCH_POLICY_NEVER;
	key.origin_generated = -1;
	if (card_can (slot->token->card, CARD_OP_KEY_META))
		rv = tsr_card_call_inlock (slot, s->handle, tsr_card_key_meta, &key);
	if (rv == CKR_DEVICE_ERROR && key.meta_known) {
		rv = CKR_OK;   /* no key behind the certificate: the defaults stand */
	} else if (rv != CKR_OK) {
		tsr_log ("p11", "key %02X: metadata: 0x%lx", obj->key_ref, (unsigned long)rv);
		goto out;
	}
	key.meta_known = 1;
	tsr_objects_apply_meta_inlock (slot->id, &key, desc);
	tsr_cache_note_meta_inlock (slot, &key);
out:
	card_keys_clear (&key);
	return rv;
}
