/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * src/slotobj.c: the token objects of one card slot (certificate, public key,
 * private key: tsr_object.key_ref), their shared alias (CKA_ID, CKA_LABEL,
 * CKA_SUBJECT), and the checks every write makes.
 *
 * After a write the slot's objects are rebuilt at once in the one object table,
 * so every session sees the change; objects of other slots keep their handles.
 */
#include "config.h"

#include "src/provision.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

/* The token objects of card slot REF (any class when KLASS is CK_UNAVAILABLE_INFORMATION). */
static bool
tsr_is_ref_object (const struct tsr_object *o, CK_SLOT_ID slot_id, uint8_t ref, CK_OBJECT_CLASS klass)
{
	return o->slot_id == slot_id && o->session == 0 && o->key_ref == ref &&
	       (o->klass == CKO_CERTIFICATE || o->klass == CKO_PUBLIC_KEY || o->klass == CKO_PRIVATE_KEY) &&
	       (klass == CK_UNAVAILABLE_INFORMATION || o->klass == klass);
}

bool
tsr_slot_key_fpr_inlock (CK_SLOT_ID slot_id, uint8_t ref, uint8_t fpr[TSR_FPR_LEN])
{
	size_t i;

	for (i = 0; i < tsr.n_objects; i++) {
		const struct tsr_object *o = tsr.objects[i];
		const CK_ATTRIBUTE *a;
		if (!tsr_is_ref_object (o, slot_id, ref, CK_UNAVAILABLE_INFORMATION) || o->klass == CKO_CERTIFICATE)
			continue;
		a = tsr_attr_find (o, CKA_PUBLIC_KEY_INFO);
		if (a != NULL && a->ulValueLen > 0 && tsr_fpr_of_spki (a->pValue, a->ulValueLen, fpr))
			return true;
	}
	return false;
}

void
tsr_slot_alias_inlock (struct tsr_slot *slot, uint8_t ref, struct tsr_alias *alias)
{
	struct tsr_alias *stored = NULL;
	size_t n = 0, i;

	memset (alias, 0, sizeof *alias);
	alias->ref = ref;
	if (!tsr_slot_key_fpr_inlock (slot->id, ref, alias->fpr) || slot->token == NULL ||
	    tsr_pairing_load (slot->token->store_id, &stored, &n) != CKR_OK)
		return;
	for (i = 0; i < n; i++) {
		if (stored[i].ref == ref && memcmp (stored[i].fpr, alias->fpr, sizeof alias->fpr) == 0)
			*alias = stored[i];
	}
	free (stored);
}

void
tsr_alias_apply_objects_inlock (CK_SLOT_ID slot_id, const struct tsr_alias *alias)
{
	size_t i;

	for (i = 0; i < tsr.n_objects; i++) {
		struct tsr_object *o = tsr.objects[i];
		if (!tsr_is_ref_object (o, slot_id, alias->ref, CK_UNAVAILABLE_INFORMATION))
			continue;
		if (alias->id_len > 0)
			tsr_attr_set (o, CKA_ID, alias->id, (CK_ULONG)alias->id_len);
		if (alias->label[0] != '\0')
			tsr_attr_set (o, CKA_LABEL, alias->label, (CK_ULONG)strlen (alias->label));
		if (alias->subject_len > 0 && o->klass != CKO_CERTIFICATE)
			tsr_attr_set (o, CKA_SUBJECT, alias->subject, (CK_ULONG)alias->subject_len);
		tsr_alias_usage_apply (o, alias);   /* keyusage.c */
	}
	tsr_objects_usage_limit_inlock (slot_id, alias->ref);
}

bool
tsr_id_taken_inlock (CK_SLOT_ID slot_id, uint8_t ref, const void *id, size_t len)
{
	size_t i;

	for (i = 0; i < tsr.n_objects; i++) {
		const struct tsr_object *o = tsr.objects[i];
		const CK_ATTRIBUTE *a;
		if (o->slot_id != slot_id || o->session != 0 || o->key_ref == ref)
			continue;
		a = tsr_attr_find (o, CKA_ID);
		if (a != NULL && a->ulValueLen == len && (len == 0 || memcmp (a->pValue, id, len) == 0))
			return true;
	}
	return false;
}

uint8_t
tsr_ref_from_id_inlock (CK_SLOT_ID slot_id, const void *id, size_t len)
{
	size_t i;

	if (len == 1) {
		/* the one-byte scheme: a slot's number (card_slot.number) */
		struct tsr_slot *slot = tsr_slot_get_inlock (slot_id);
		const struct card_slot *desc = NULL;
		if (slot != NULL && slot->token != NULL)
			desc = card_slot_by_number (slot->token->card, *(const uint8_t *)id);
		return desc != NULL ? desc->ref : 0;
	}
	for (i = 0; i < tsr.n_objects; i++) {
		const struct tsr_object *o = tsr.objects[i];
		const CK_ATTRIBUTE *a;
		if (!tsr_is_ref_object (o, slot_id, o->key_ref, CK_UNAVAILABLE_INFORMATION) || o->key_ref == 0)
			continue;
		a = tsr_attr_find (o, CKA_ID);
		if (a != NULL && a->ulValueLen == len && len > 0 && memcmp (a->pValue, id, len) == 0)
			return o->key_ref;
	}
	return 0;
}

bool
tsr_slot_ref_used_inlock (CK_SLOT_ID slot_id, uint8_t ref, CK_OBJECT_CLASS klass)
{
	size_t i;

	for (i = 0; i < tsr.n_objects; i++) {
		if (tsr_is_ref_object (tsr.objects[i], slot_id, ref, klass))
			return true;
	}
	return false;
}

void
tsr_slot_ref_drop_inlock (CK_SLOT_ID slot_id, uint8_t ref, CK_OBJECT_CLASS klass)
{
	size_t i = 0;

	while (i < tsr.n_objects) {
		if (tsr_is_ref_object (tsr.objects[i], slot_id, ref, klass)) {
			struct tsr_object *o = tsr.objects[i];
			tsr.objects[i] = tsr.objects[--tsr.n_objects];
			tsr_retire_inlock (tsr_slot_owner_inlock (slot_id), TSR_GRAVE_OBJECT, o);
		} else {
			i++;
		}
	}
}

CK_RV
tsr_slot_ref_store_inlock (struct tsr_slot *slot, const struct card_key *key, unsigned want,
                           const struct tsr_alias *alias, CK_OBJECT_HANDLE *pub,
                           CK_OBJECT_HANDLE *priv, CK_OBJECT_HANDLE *cert)
{
	struct tsr_object **objs = NULL;
	size_t n = 0, i;
	CK_OBJECT_HANDLE h = 0;
	CK_RV rv;

	rv = tsr_objects_from_card_key (slot->token->card, key, slot->id, &objs, &n);
	for (i = 0; i < n; i++) {
		struct tsr_object *o = objs[i];
		CK_OBJECT_CLASS klass = o->klass;
		if (rv != CKR_OK || !(want & TSR_WANT (klass))) {
			tsr_object_free (o);
			continue;
		}
		o->key_ref = key->ref;
		rv = tsr_object_store_inlock (o, &h);
		if (rv == CKR_OK && klass == CKO_PUBLIC_KEY && pub != NULL)
			*pub = h;
		if (rv == CKR_OK && klass == CKO_PRIVATE_KEY && priv != NULL)
			*priv = h;
		if (rv == CKR_OK && klass == CKO_CERTIFICATE && cert != NULL)
			*cert = h;
	}
	free (objs);
	if (rv == CKR_OK && alias != NULL)
		tsr_alias_apply_objects_inlock (slot->id, alias);
	return rv;
}

CK_RV
tsr_write_check_inlock (struct tsr_session *s, struct tsr_slot **slot)
{
	struct tsr_slot *sl = tsr_slot_get_inlock (s->slot_id);

	if (sl == NULL || sl->token == NULL)
		return CKR_DEVICE_REMOVED;
	if (!(s->flags & CKF_RW_SESSION))
		return CKR_SESSION_READ_ONLY;
	if (!sl->token->user_logged_in && !sl->token->so_logged_in)
		return CKR_USER_NOT_LOGGED_IN;
	*slot = sl;
	return CKR_OK;
}

const CK_ATTRIBUTE *
tsr_templ_attr (const CK_ATTRIBUTE *templ, CK_ULONG count, CK_ATTRIBUTE_TYPE type)
{
	CK_ULONG i;

	for (i = 0; templ != NULL && i < count; i++) {
		if (templ[i].type == type)
			return &templ[i];
	}
	return NULL;
}

int
tsr_templ_bool_of (const CK_ATTRIBUTE *templ, CK_ULONG count, CK_ATTRIBUTE_TYPE type)
{
	const CK_ATTRIBUTE *a = tsr_templ_attr (templ, count, type);

	if (a == NULL)
		return -1;
	if (a->pValue == NULL || a->ulValueLen != sizeof (CK_BBOOL))
		return -2;
	return *(const CK_BBOOL *)a->pValue != CK_FALSE;
}

int
tsr_templ_ulong_of (const CK_ATTRIBUTE *templ, CK_ULONG count, CK_ATTRIBUTE_TYPE type, CK_ULONG *value)
{
	const CK_ATTRIBUTE *a = tsr_templ_attr (templ, count, type);

	if (a == NULL)
		return -1;
	if (a->pValue == NULL || a->ulValueLen != sizeof (CK_ULONG))
		return -2;
	memcpy (value, a->pValue, sizeof *value);   /* the application's buffer may be unaligned */
	return 1;
}
