/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * src/keyusage.c: the usage a key was generated with, kept in its slot's alias (and so
 * in the pairing store) and applied to the slot's key objects in every later process:
 * the card signs, decrypts and derives with any slot, so what an application asked for
 * at generation is what the key is for, whatever the slot's default. The public and the
 * private key of the pair always agree (CKA_SIGN / CKA_VERIFY, CKA_DECRYPT and CKA_UNWRAP
 * / CKA_ENCRYPT and CKA_WRAP for RSA, CKA_DERIVE on both for EC). A slot whose key can do
 * less (card_slot.limit: OpenPGP's signature key signs only) never shows more.
 */
#include "config.h"

#include "src/provision.h"

void
tsr_alias_usage_set (struct tsr_alias *alias, int sign, int dec)
{
	alias->usage = 0;
	if (sign >= 0)
		alias->usage |= TSR_USAGE_SIGN_SET | (sign ? TSR_USAGE_SIGN : 0);
	if (dec >= 0)
		alias->usage |= TSR_USAGE_DEC_SET | (dec ? TSR_USAGE_DEC : 0);
}

void
tsr_alias_usage_apply (struct tsr_object *o, const struct tsr_alias *alias)
{
	bool sign = (alias->usage & TSR_USAGE_SIGN) != 0, dec = (alias->usage & TSR_USAGE_DEC) != 0;
	bool rsa = o->key_type == CKK_RSA, priv = o->klass == CKO_PRIVATE_KEY;

	if (o->klass != CKO_PRIVATE_KEY && o->klass != CKO_PUBLIC_KEY)
		return;
	if (alias->usage & TSR_USAGE_SIGN_SET)
		tsr_attr_set_bool (o, priv ? CKA_SIGN : CKA_VERIFY, sign);
	if (alias->usage & TSR_USAGE_DEC_SET) {
		tsr_attr_set_bool (o, priv ? CKA_DECRYPT : CKA_ENCRYPT, rsa && dec);
		tsr_attr_set_bool (o, priv ? CKA_UNWRAP : CKA_WRAP, rsa && dec);
		tsr_attr_set_bool (o, CKA_DERIVE, !rsa && dec);
	}
}

void
tsr_usage_limit (const struct card_slot *desc, bool *sign, bool *decrypt, bool *derive)
{
	if (desc == NULL || desc->limit == 0)
		return;
	if (!(desc->limit & CARD_USE_SIGN))
		*sign = false;
	if (!(desc->limit & CARD_USE_DECRYPT))
		*decrypt = *derive = false;
}

void
tsr_objects_usage_limit_inlock (CK_SLOT_ID slot_id, uint8_t ref)
{
	struct tsr_slot *slot = tsr_slot_get_inlock (slot_id);
	const struct card_slot *desc;
	size_t i;

	desc = slot != NULL && slot->token != NULL ? card_slot_by_ref (slot->token->card, ref) : NULL;
	if (desc == NULL || desc->limit == 0)
		return;
	for (i = 0; i < tsr.n_objects; i++) {
		struct tsr_object *o = tsr.objects[i];
		bool priv = o->klass == CKO_PRIVATE_KEY;
		if (o->slot_id != slot_id || o->session != 0 || o->key_ref != ref ||
		    (o->klass != CKO_PRIVATE_KEY && o->klass != CKO_PUBLIC_KEY))
			continue;
		if (!(desc->limit & CARD_USE_SIGN))
			tsr_attr_set_bool (o, priv ? CKA_SIGN : CKA_VERIFY, false);
		if (!(desc->limit & CARD_USE_DECRYPT)) {
			tsr_attr_set_bool (o, priv ? CKA_DECRYPT : CKA_ENCRYPT, false);
			tsr_attr_set_bool (o, priv ? CKA_UNWRAP : CKA_WRAP, false);
			tsr_attr_set_bool (o, CKA_DERIVE, false);
		}
	}
}
