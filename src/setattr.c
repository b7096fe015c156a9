/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * src/setattr.c: C_SetAttributeValue on the card's objects (token objects).
 *
 * CKA_ID and CKA_LABEL (any object of a card slot) and CKA_SUBJECT (keys) can be
 * set: they become the alias of the card slot, shared by its certificate, public
 * key and private key (so that NSS finds the key of a certificate by CKA_ID), and
 * are stored in the pairing store of the card's serial (pairing.c). A CKA_ID
 * already used by another slot is refused (CKR_ATTRIBUTE_VALUE_INVALID): it stays
 * unique on the token. Any other attribute is CKR_ATTRIBUTE_READ_ONLY (a
 * certificate's CKA_SUBJECT may be "set" to its own value). Needs a read/write session and a
 * login (user or SO), like every write.
 */
#include "config.h"

#include "src/provision.h"

#include <string.h>

static bool
tsr_same_value (const struct tsr_object *obj, const CK_ATTRIBUTE *t)
{
	const CK_ATTRIBUTE *a = tsr_attr_find (obj, t->type);

	return a != NULL && a->ulValueLen == t->ulValueLen &&
	       (t->ulValueLen == 0 || memcmp (a->pValue, t->pValue, t->ulValueLen) == 0);
}

/* Check one attribute and put it into ALIAS. */
static CK_RV
tsr_setattr_one_inlock (const struct tsr_object *obj, const CK_ATTRIBUTE *t, struct tsr_alias *alias)
{
	if (t->pValue == NULL && t->ulValueLen > 0)
		return CKR_ARGUMENTS_BAD;
	switch (t->type) {
	case CKA_ID:
		if (tsr_same_value (obj, t))
			return CKR_OK;
		if (t->ulValueLen == 0 || t->ulValueLen > sizeof alias->id ||
		    tsr_id_taken_inlock (obj->slot_id, obj->key_ref, t->pValue, t->ulValueLen))
			return CKR_ATTRIBUTE_VALUE_INVALID;
		memcpy (alias->id, t->pValue, t->ulValueLen);
		alias->id_len = t->ulValueLen;
		return CKR_OK;
	case CKA_LABEL:
		if (t->ulValueLen == 0 || t->ulValueLen >= sizeof alias->label ||
		    memchr (t->pValue, '\0', t->ulValueLen) != NULL)
			return CKR_ATTRIBUTE_VALUE_INVALID;
		memcpy (alias->label, t->pValue, t->ulValueLen);
		alias->label[t->ulValueLen] = '\0';
		return CKR_OK;
	case CKA_SUBJECT:
		if (obj->klass == CKO_CERTIFICATE)   /* the certificate's own: only "set" to itself */
			return tsr_same_value (obj, t) ? CKR_OK : CKR_ATTRIBUTE_READ_ONLY;
		if (t->ulValueLen > sizeof alias->subject)
			return CKR_ATTRIBUTE_VALUE_INVALID;
		memcpy (alias->subject, t->pValue, t->ulValueLen);
		alias->subject_len = t->ulValueLen;
		return CKR_OK;
	default:
		return CKR_ATTRIBUTE_READ_ONLY;
	}
}

CK_RV
tsr_setattr_token_inlock (struct tsr_session *s, struct tsr_object *obj,
                          const CK_ATTRIBUTE *templ, CK_ULONG count)
{
	struct tsr_slot *slot = NULL;
	struct tsr_alias alias;
	CK_ULONG i;
	CK_RV rv;

	rv = tsr_write_check_inlock (s, &slot);
	if (rv != CKR_OK)
		return rv;
	if (obj->key_ref == 0) {
		rv = CKR_ACTION_PROHIBITED;   /* not an object of a card slot (profile) */
		goto out;
	}
	tsr_slot_alias_inlock (slot, obj->key_ref, &alias);
	for (i = 0; i < count && rv == CKR_OK; i++)
		rv = tsr_setattr_one_inlock (obj, &templ[i], &alias);
	if (rv != CKR_OK)
		goto out;
	/* the whole template is good: apply it to the slot's objects, then store it */
	tsr_alias_apply_objects_inlock (slot->id, &alias);
	rv = obj->oom ? CKR_HOST_MEMORY : CKR_OK;
	if (rv == CKR_OK && (alias.id_len > 0 || alias.label[0] != '\0' || alias.subject_len > 0))
		rv = tsr_pairing_store (slot->token->store_id, &alias);
out:
	tsr_log ("p11", "set attributes of a card object (key %02X): 0x%lx", obj->key_ref, (unsigned long)rv);
	return rv;
}
