/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * src/object.c: the object table (token objects built once per card insertion,
 * session objects created by the application, by C_UnwrapKey or C_DeriveKey),
 * object handles (counters, never 0, never reused), visibility, and the object
 * management functions.
 *
 * Session objects are visible to every session of their slot (NSS expects keys
 * unwrapped in one session to be usable in another) and are destroyed with the
 * session that created them, or with the token.
 */
#include "config.h"

#include "src/tsr.h"
#include "src/attrrules.h"
#include "src/keyalg.h"
#include "src/provision.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/param_build.h>
#include <openssl/x509.h>

CK_RV
tsr_object_store_inlock (struct tsr_object *obj, CK_OBJECT_HANDLE *handle)
{
	struct tsr_object **objects;

	tsr_object_complete (obj);   /* every attribute of its class answerable */
	objects = obj->oom ? NULL : realloc (tsr.objects, (tsr.n_objects + 1) * sizeof *objects);
	if (objects == NULL) {
		tsr_object_free (obj);
		return CKR_HOST_MEMORY;
	}
	tsr.objects = objects;
	obj->handle = tsr.next_object++;
	tsr.objects[tsr.n_objects++] = obj;
	if (handle != NULL)
		*handle = obj->handle;
	return CKR_OK;
}

static struct tsr_object *
tsr_object_lookup_inlock (CK_OBJECT_HANDLE handle, size_t *index)
{
	size_t i;

	for (i = 0; i < tsr.n_objects; i++) {
		if (tsr.objects[i]->handle == handle) {
			if (index != NULL)
				*index = i;
			return tsr.objects[i];
		}
	}
	return NULL;
}

bool
tsr_object_visible_inlock (struct tsr_session *s, const struct tsr_object *obj)
{
	struct tsr_slot *slot;

	if (obj->slot_id != s->slot_id)
		return false;
	if (!obj->is_private)
		return true;
	slot = tsr_slot_get_inlock (s->slot_id);
	return slot != NULL && slot->token != NULL && slot->token->user_logged_in;
}

CK_RV
tsr_object_get_inlock (struct tsr_session *s, CK_OBJECT_HANDLE handle, struct tsr_object **obj)
{
	struct tsr_object *o = tsr_object_lookup_inlock (handle, NULL);

	if (o == NULL || o->slot_id != s->slot_id)
		return CKR_OBJECT_HANDLE_INVALID;
	if (!tsr_object_visible_inlock (s, o))
		return CKR_USER_NOT_LOGGED_IN;
	*obj = o;
	return CKR_OK;
}

CK_RV
tsr_object_handle_inlock (struct tsr_session *s, CK_OBJECT_HANDLE handle, struct tsr_object **obj)
{
	return tsr_object_get_inlock (s, handle, obj) == CKR_OK ? CKR_OK : CKR_OBJECT_HANDLE_INVALID;
}

static void
tsr_objects_drop_if_inlock (bool (*pred) (const struct tsr_object *, CK_ULONG), CK_ULONG arg)
{
	size_t i = 0;

	while (i < tsr.n_objects) {
		if (pred (tsr.objects[i], arg)) {
			struct tsr_object *o = tsr.objects[i];
			tsr.objects[i] = tsr.objects[--tsr.n_objects];
			tsr_retire_inlock (tsr_slot_owner_inlock (o->slot_id), TSR_GRAVE_OBJECT, o);
		} else {
			i++;
		}
	}
}

static bool
tsr_object_of_slot (const struct tsr_object *obj, CK_ULONG slot_id)
{
	return obj->slot_id == slot_id;
}

static bool
tsr_object_of_session (const struct tsr_object *obj, CK_ULONG session)
{
	return obj->session == session;
}

void
tsr_objects_drop_slot_inlock (CK_SLOT_ID slot_id)
{
	tsr_objects_drop_if_inlock (tsr_object_of_slot, slot_id);
}

void
tsr_objects_drop_session_inlock (CK_SESSION_HANDLE session)
{
	if (session != 0)
		tsr_objects_drop_if_inlock (tsr_object_of_session, session);
}

static EVP_PKEY *
tsr_pub_from_params (const char *type, OSSL_PARAM_BLD *bld)
{
	OSSL_PARAM *params = bld != NULL ? OSSL_PARAM_BLD_to_param (bld) : NULL;
	EVP_PKEY_CTX *ctx = params != NULL ? EVP_PKEY_CTX_new_from_name (tsr_ossl (), type, NULL) : NULL;
	EVP_PKEY *pk = NULL;

	if (ctx != NULL && EVP_PKEY_fromdata_init (ctx) > 0)
		(void)EVP_PKEY_fromdata (ctx, &pk, EVP_PKEY_PUBLIC_KEY, params);
	EVP_PKEY_CTX_free (ctx);
	OSSL_PARAM_free (params);
	return pk;
}

static EVP_PKEY *
tsr_pub_ec (const CK_ATTRIBUTE *params, const CK_ATTRIBUTE *point)
{
	const unsigned char *p = params->pValue;
	ASN1_OBJECT *oid = d2i_ASN1_OBJECT (NULL, &p, (long)params->ulValueLen);
	ASN1_OCTET_STRING *os = NULL;
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new ();
	const char *curve = oid != NULL ? OBJ_nid2sn (OBJ_obj2nid (oid)) : NULL;
	const unsigned char *pt = point->pValue;
	size_t pt_len = point->ulValueLen;
	EVP_PKEY *pk = NULL;

	/* CKA_EC_POINT is a DER OCTET STRING; accept a raw point too */
	p = point->pValue;
	if (pt_len > 0 && pt[0] == 0x04 && (os = d2i_ASN1_OCTET_STRING (NULL, &p, (long)pt_len)) != NULL &&
	    p == pt + pt_len) {
		pt = ASN1_STRING_get0_data (os);
		pt_len = (size_t)ASN1_STRING_length (os);
	}
	if (curve != NULL && bld != NULL &&
	    OSSL_PARAM_BLD_push_utf8_string (bld, OSSL_PKEY_PARAM_GROUP_NAME, curve, 0) &&
	    OSSL_PARAM_BLD_push_octet_string (bld, OSSL_PKEY_PARAM_PUB_KEY, pt, pt_len))
		pk = tsr_pub_from_params ("EC", bld);
	OSSL_PARAM_BLD_free (bld);
	ASN1_OCTET_STRING_free (os);
	ASN1_OBJECT_free (oid);
	return pk;
}

/* Ed25519 / X25519 (key type KT): CKA_EC_POINT is the 32-byte key in a DER OCTET STRING
 * (or raw), CKA_EC_PARAMS the curve (keyalg.c). */
static EVP_PKEY *
tsr_pub_ecx (CK_KEY_TYPE kt, const CK_ATTRIBUTE *params, const CK_ATTRIBUTE *point)
{
	const struct tsr_keyalg *a = tsr_keyalg_by_params (kt, params->pValue, params->ulValueLen);
	const unsigned char *pt = point->pValue;
	size_t len = point->ulValueLen;

	if (a == NULL || pt == NULL)
		return NULL;
	if (len == 34 && pt[0] == 0x04 && pt[1] == 32) {
		pt += 2;
		len = 32;
	}
	return len == 32 ? EVP_PKEY_new_raw_public_key_ex (tsr_ossl (), a->name, NULL, pt, len) : NULL;
}

EVP_PKEY *
tsr_object_build_pub (const struct tsr_object *obj)
{
	const CK_ATTRIBUTE *info = tsr_attr_find (obj, CKA_PUBLIC_KEY_INFO);
	const CK_ATTRIBUTE *a, *b;
	EVP_PKEY *pk = NULL;

	if (info != NULL && info->ulValueLen > 0) {
		const unsigned char *p = info->pValue;
		return d2i_PUBKEY_ex (NULL, &p, (long)info->ulValueLen, tsr_ossl (), NULL);
	}
	if (obj->key_type == CKK_RSA && (a = tsr_attr_find (obj, CKA_MODULUS)) != NULL &&
	    (b = tsr_attr_find (obj, CKA_PUBLIC_EXPONENT)) != NULL) {
		OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new ();
		BIGNUM *n = BN_bin2bn (a->pValue, (int)a->ulValueLen, NULL);
		BIGNUM *e = BN_bin2bn (b->pValue, (int)b->ulValueLen, NULL);
		if (bld != NULL && n != NULL && e != NULL && OSSL_PARAM_BLD_push_BN (bld, OSSL_PKEY_PARAM_RSA_N, n) &&
		    OSSL_PARAM_BLD_push_BN (bld, OSSL_PKEY_PARAM_RSA_E, e))
			pk = tsr_pub_from_params ("RSA", bld);
		OSSL_PARAM_BLD_free (bld);
		BN_free (n);
		BN_free (e);
	} else if (obj->key_type == CKK_EC && (a = tsr_attr_find (obj, CKA_EC_PARAMS)) != NULL &&
	           (b = tsr_attr_find (obj, CKA_EC_POINT)) != NULL) {
		pk = tsr_pub_ec (a, b);
	} else if ((obj->key_type == CKK_EC_EDWARDS || obj->key_type == CKK_EC_MONTGOMERY) &&
	           (a = tsr_attr_find (obj, CKA_EC_PARAMS)) != NULL && (b = tsr_attr_find (obj, CKA_EC_POINT)) != NULL) {
		pk = tsr_pub_ecx (obj->key_type, a, b);
	}
	return pk;
}

/* Attributes a card key's metadata decides, asked before it was read: read it now. */
static CK_RV
tsr_attrs_meta_inlock (struct tsr_session *s, struct tsr_object *obj, const CK_ATTRIBUTE *t, CK_ULONG n)
{
	CK_ULONG i;

	for (i = 0; obj->meta_pending && i < n; i++) {
		if (tsr_attr_from_meta (t[i].type))
			return tsr_key_meta_resolve_inlock (s, obj);
	}
	return CKR_OK;
}

CK_RV
C_GetAttributeValue (CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject,
                     CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount)
{
	struct tsr_session *s;
	struct tsr_object *obj;
	CK_ULONG i;
	CK_RV rv;

	rv = tsr_enter ();
	if (rv != CKR_OK)
		return rv;
	rv = tsr_session_get_inlock (hSession, &s);
	if (rv != CKR_OK)
		goto out;
	if (!tsr_check (pTemplate != NULL || ulCount == 0)) {
		rv = CKR_ARGUMENTS_BAD;
		goto out;
	}
	rv = tsr_object_handle_inlock (s, hObject, &obj);
	if (rv != CKR_OK)
		goto out;
	rv = tsr_attrs_meta_inlock (s, obj, pTemplate, ulCount);
	if (rv != CKR_OK)
		goto out;
	for (i = 0; i < ulCount; i++) {
		CK_ATTRIBUTE *t = &pTemplate[i];
		const CK_ATTRIBUTE *a = tsr_attr_find (obj, t->type);
		if (tsr_attr_is_sensitive (obj, t->type)) {
			t->ulValueLen = CK_UNAVAILABLE_INFORMATION;
			rv = CKR_ATTRIBUTE_SENSITIVE;
		} else if (a == NULL) {
			t->ulValueLen = CK_UNAVAILABLE_INFORMATION;
			rv = CKR_ATTRIBUTE_TYPE_INVALID;
		} else if (t->pValue == NULL) {
			t->ulValueLen = a->ulValueLen;
		} else if (t->ulValueLen < a->ulValueLen) {
			t->ulValueLen = CK_UNAVAILABLE_INFORMATION;
			rv = CKR_BUFFER_TOO_SMALL;
		} else {
			if (a->ulValueLen > 0)
				memcpy (t->pValue, a->pValue, a->ulValueLen);
			t->ulValueLen = a->ulValueLen;
		}
	}
out:
	tsr_leave ();
	return rv;
}

CK_RV
C_SetAttributeValue (CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject,
                     CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount)
{
	struct tsr_session *s;
	struct tsr_object *obj;
	CK_ULONG i;
	CK_RV rv;

	rv = tsr_enter ();
	if (rv != CKR_OK)
		return rv;
	rv = tsr_session_get_inlock (hSession, &s);
	if (rv != CKR_OK)
		goto out;
	if (!tsr_check (pTemplate != NULL || ulCount == 0)) {
		rv = CKR_ARGUMENTS_BAD;
		goto out;
	}
	rv = tsr_object_handle_inlock (s, hObject, &obj);
	if (rv != CKR_OK)
		goto out;
	rv = tsr_templ_check (pTemplate, ulCount);
	if (rv != CKR_OK)
		goto out;
	if (obj->session == 0) {
		/* the card's objects: aliases only (setattr.c) */
		rv = tsr_setattr_token_inlock (s, obj, pTemplate, ulCount);
		goto out;
	}
	if (!tsr_attr_bool (obj, CKA_MODIFIABLE, true)) {
		rv = CKR_ACTION_PROHIBITED;
		goto out;
	}
	for (i = 0; i < ulCount && rv == CKR_OK; i++)
		rv = tsr_attr_change_check (obj, &pTemplate[i], false);
	if (rv != CKR_OK)
		goto out;
	for (i = 0; i < ulCount; i++)
		tsr_attr_set (obj, pTemplate[i].type, pTemplate[i].pValue, pTemplate[i].ulValueLen);
	rv = obj->oom ? CKR_HOST_MEMORY : CKR_OK;
out:
	tsr_leave ();
	return rv;
}

CK_RV
C_DestroyObject (CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject)
{
	struct tsr_session *s;
	struct tsr_object *obj;
	size_t index = 0;
	CK_RV rv;

	rv = tsr_enter ();
	if (rv != CKR_OK)
		return rv;
	rv = tsr_session_get_inlock (hSession, &s);
	if (rv != CKR_OK)
		goto out;
	rv = tsr_object_handle_inlock (s, hObject, &obj);
	if (rv != CKR_OK)
		goto out;
	if (obj->session == 0) {
		rv = tsr_destroy_token_object_inlock (s, obj);   /* certwrite.c */
		goto out;
	}
	(void)tsr_object_lookup_inlock (hObject, &index);
	tsr.objects[index] = tsr.objects[--tsr.n_objects];
	tsr_retire_inlock (tsr_slot_owner_inlock (obj->slot_id), TSR_GRAVE_OBJECT, obj);
out:
	tsr_leave ();
	return rv;
}

CK_RV
C_GetObjectSize (CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject, CK_ULONG_PTR pulSize)
{
	struct tsr_session *s;
	struct tsr_object *obj;
	CK_ULONG i, size = 0;
	CK_RV rv;

	rv = tsr_enter ();
	if (rv != CKR_OK)
		return rv;
	rv = tsr_session_get_inlock (hSession, &s);
	if (rv != CKR_OK)
		goto out;
	if (!tsr_check (pulSize != NULL)) {
		rv = CKR_ARGUMENTS_BAD;
		goto out;
	}
	rv = tsr_object_handle_inlock (s, hObject, &obj);
	if (rv != CKR_OK)
		goto out;
	for (i = 0; i < obj->n_attrs; i++)
		size += obj->attrs[i].ulValueLen;
	*pulSize = size;
out:
	tsr_leave ();
	return rv;
}
