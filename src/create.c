/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * src/create.c: session objects made by the application (C_CreateObject,
 * C_CopyObject) and by C_UnwrapKey / C_DeriveKey (secret keys), and token objects
 * written to the card: X.509 certificates (certwrite.c) and private keys imported
 * into a card slot where the card can (import.c). Other token objects cannot be
 * stored on a card (CKR_TOKEN_WRITE_PROTECTED). Private keys are never created
 * in software.
 */
#include "config.h"

#include "src/tsr.h"
#include "src/attrrules.h"
#include "src/keyalg.h"
#include "src/provision.h"

#include <stdlib.h>
#include <string.h>

static const CK_ATTRIBUTE *
tsr_templ_find (const CK_ATTRIBUTE *templ, CK_ULONG count, CK_ATTRIBUTE_TYPE type)
{
	CK_ULONG i;

	for (i = 0; i < count; i++) {
		if (templ[i].type == type)
			return &templ[i];
	}
	return NULL;
}

static bool
tsr_templ_ulong (const CK_ATTRIBUTE *templ, CK_ULONG count, CK_ATTRIBUTE_TYPE type, CK_ULONG *value)
{
	const CK_ATTRIBUTE *a = tsr_templ_find (templ, count, type);

	if (a == NULL || a->ulValueLen != sizeof (CK_ULONG) || a->pValue == NULL)
		return false;
	memcpy (value, a->pValue, sizeof *value);   /* the application's buffer may be unaligned */
	return true;
}

static bool
tsr_templ_bool (const CK_ATTRIBUTE *templ, CK_ULONG count, CK_ATTRIBUTE_TYPE type, bool dflt)
{
	const CK_ATTRIBUTE *a = tsr_templ_find (templ, count, type);

	if (a == NULL || a->ulValueLen != sizeof (CK_BBOOL) || a->pValue == NULL)
		return dflt;
	return *(const CK_BBOOL *)a->pValue != CK_FALSE;
}

/* A session object of class KLASS from TEMPL with defaults. *out owned by the caller. */
static CK_RV
tsr_session_object_new (struct tsr_session *s, CK_OBJECT_CLASS klass, const CK_ATTRIBUTE *templ,
                        CK_ULONG count, struct tsr_object **out)
{
	struct tsr_object *obj;
	struct tsr_slot *slot = tsr_slot_get_inlock (s->slot_id);
	CK_ULONG i;
	CK_RV rv = CKR_OK;

	for (i = 0; i < count; i++) {
		if (templ[i].pValue == NULL && templ[i].ulValueLen > 0)
			return CKR_ARGUMENTS_BAD;
	}
	if (tsr_templ_bool (templ, count, CKA_TOKEN, false))
		return CKR_TOKEN_WRITE_PROTECTED;
	if (tsr_templ_bool (templ, count, CKA_PRIVATE, false) &&
	    (slot == NULL || slot->token == NULL || !slot->token->user_logged_in))
		return CKR_USER_NOT_LOGGED_IN;
	obj = tsr_object_new (klass);
	if (obj == NULL)
		return CKR_HOST_MEMORY;
	obj->slot_id = s->slot_id;
	obj->session = s->handle;
	tsr_attr_set_bool (obj, CKA_TOKEN, false);
	tsr_attr_set_bool (obj, CKA_PRIVATE, false);
	tsr_attr_set_bool (obj, CKA_MODIFIABLE, true);
	tsr_attr_set_bool (obj, CKA_COPYABLE, true);
	tsr_attr_set_bool (obj, CKA_DESTROYABLE, true);
	tsr_attr_set (obj, CKA_LABEL, NULL, 0);
	if (klass == CKO_SECRET_KEY || klass == CKO_PUBLIC_KEY) {
		tsr_attr_set (obj, CKA_ID, NULL, 0);
		tsr_attr_set_bool (obj, CKA_LOCAL, false);
		tsr_attr_set_bool (obj, CKA_DERIVE, false);
		tsr_attr_set_bool (obj, CKA_ENCRYPT, klass == CKO_PUBLIC_KEY);
		tsr_attr_set_bool (obj, CKA_VERIFY, klass == CKO_PUBLIC_KEY);
		tsr_attr_set_bool (obj, CKA_WRAP, false);
	}
	if (klass == CKO_SECRET_KEY) {
		tsr_attr_set_bool (obj, CKA_SENSITIVE, false);
		tsr_attr_set_bool (obj, CKA_EXTRACTABLE, true);
		tsr_attr_set_bool (obj, CKA_DECRYPT, false);
		tsr_attr_set_bool (obj, CKA_SIGN, false);
		tsr_attr_set_bool (obj, CKA_UNWRAP, false);
	}
	for (i = 0; i < count; i++)
		tsr_attr_set (obj, templ[i].type, templ[i].pValue, templ[i].ulValueLen);
	obj->is_private = tsr_attr_bool (obj, CKA_PRIVATE, false);
	if (obj->oom)
		rv = CKR_HOST_MEMORY;
	if (rv == CKR_OK)
		*out = obj;
	else
		tsr_object_free (obj);
	return rv;
}

static CK_RV
tsr_check_secret_len (CK_KEY_TYPE kt, size_t len)
{
	switch (kt) {
	case CKK_AES: return len == 16 || len == 24 || len == 32 ? CKR_OK : CKR_WRAPPED_KEY_LEN_RANGE;
	case CKK_DES: return len == 8 ? CKR_OK : CKR_WRAPPED_KEY_LEN_RANGE;
	case CKK_DES3: return len == 24 ? CKR_OK : CKR_WRAPPED_KEY_LEN_RANGE;
	case CKK_DES2: return len == 16 ? CKR_OK : CKR_WRAPPED_KEY_LEN_RANGE;
	case CKK_GENERIC_SECRET: return len > 0 ? CKR_OK : CKR_WRAPPED_KEY_LEN_RANGE;
	default: return CKR_TEMPLATE_INCONSISTENT;
	}
}

CK_RV
tsr_secret_key_create_inlock (struct tsr_session *s, const CK_ATTRIBUTE *templ, CK_ULONG count,
                              const uint8_t *value, size_t value_len, const struct tsr_object *base,
                              CK_OBJECT_HANDLE *handle)
{
	struct tsr_object *obj = NULL;
	CK_ULONG klass = CKO_SECRET_KEY, kt = CKK_GENERIC_SECRET, want_len;
	bool derived = base != NULL;
	CK_RV rv;

	if (tsr_templ_ulong (templ, count, CKA_CLASS, &klass) && klass != CKO_SECRET_KEY)
		return CKR_TEMPLATE_INCONSISTENT;
	if (!tsr_templ_ulong (templ, count, CKA_KEY_TYPE, &kt) && !derived)
		return CKR_TEMPLATE_INCOMPLETE;
	if (tsr_templ_find (templ, count, CKA_VALUE) != NULL)
		return CKR_TEMPLATE_INCONSISTENT;
	if (derived) {
		/* ECDH with CKD_NULL: a shorter key keeps the rightmost bytes of the secret */
		if (tsr_templ_ulong (templ, count, CKA_VALUE_LEN, &want_len)) {
			if (want_len == 0 || want_len > value_len)
				return CKR_TEMPLATE_INCONSISTENT;
			value += value_len - want_len;
			value_len = want_len;
		} else if (kt == CKK_AES && value_len > 32) {
			value += value_len - 32;
			value_len = 32;
		}
	}
	rv = tsr_check_secret_len (kt, value_len);
	if (rv != CKR_OK)
		return derived && rv == CKR_WRAPPED_KEY_LEN_RANGE ? CKR_TEMPLATE_INCONSISTENT : rv;
	rv = tsr_session_object_new (s, CKO_SECRET_KEY, templ, count, &obj);
	if (rv != CKR_OK)
		return rv;
	/* A derived key may unwrap unless its template says otherwise: NSS derives the
	 * key-encryption key of ECDH S/MIME asking CKA_WRAP only, then unwraps with it. */
	if (derived && tsr_templ_find (templ, count, CKA_UNWRAP) == NULL)
		tsr_attr_set_bool (obj, CKA_UNWRAP, true);
	obj->key_type = kt;
	tsr_attr_set_ulong (obj, CKA_KEY_TYPE, kt);
	tsr_attr_set (obj, CKA_VALUE, value, (CK_ULONG)value_len);
	tsr_attr_set_ulong (obj, CKA_VALUE_LEN, (CK_ULONG)value_len);
	/* A derived key was never outside if its base never was and it is sensitive (not
	 * extractable) itself; an unwrapped key was outside. Later changes never raise them. */
	tsr_attr_set_bool (obj, CKA_ALWAYS_SENSITIVE, derived && tsr_attr_bool (base, CKA_ALWAYS_SENSITIVE, false) &&
	                                              tsr_attr_bool (obj, CKA_SENSITIVE, false));
	tsr_attr_set_bool (obj, CKA_NEVER_EXTRACTABLE, derived && tsr_attr_bool (base, CKA_NEVER_EXTRACTABLE, false) &&
	                                               !tsr_attr_bool (obj, CKA_EXTRACTABLE, true));
	tsr_attr_set_ulong (obj, CKA_KEY_GEN_MECHANISM, derived ? CKM_ECDH1_DERIVE : CK_UNAVAILABLE_INFORMATION);
	if (obj->oom) {
		tsr_object_free (obj);
		return CKR_HOST_MEMORY;
	}
	return tsr_object_store_inlock (obj, handle);
}

static CK_RV
tsr_create_public_key (struct tsr_object *obj)
{
	const CK_ATTRIBUTE *kt = tsr_attr_find (obj, CKA_KEY_TYPE);

	if (kt == NULL || kt->ulValueLen != sizeof (CK_ULONG))
		return CKR_TEMPLATE_INCOMPLETE;
	obj->key_type = *(const CK_ULONG *)kt->pValue;
	if (obj->key_type != CKK_RSA && obj->key_type != CKK_EC && obj->key_type != CKK_EC_EDWARDS &&
	    obj->key_type != CKK_EC_MONTGOMERY)
		return CKR_ATTRIBUTE_VALUE_INVALID;
	obj->pub = tsr_object_build_pub (obj);
	if (obj->pub == NULL)
		return CKR_TEMPLATE_INCONSISTENT;
	obj->key_bits = tsr_key_bits_of_pkey (obj->pub);
	return CKR_OK;
}

CK_RV
C_CreateObject (CK_SESSION_HANDLE hSession, CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount,
                CK_OBJECT_HANDLE_PTR phObject)
{
	struct tsr_session *s;
	struct tsr_object *obj = NULL;
	const CK_ATTRIBUTE *v;
	CK_ULONG klass, kt;
	CK_RV rv;

	rv = tsr_enter ();
	if (rv != CKR_OK)
		return rv;
	rv = tsr_session_token_inlock (hSession, &s, NULL, NULL);
	if (rv != CKR_OK)
		goto out;
	if (!tsr_check ((pTemplate != NULL || ulCount == 0) && phObject != NULL)) {
		rv = CKR_ARGUMENTS_BAD;
		goto out;
	}
	rv = tsr_templ_check_new (pTemplate, ulCount);
	if (rv != CKR_OK)
		goto out;
	if (!tsr_templ_ulong (pTemplate, ulCount, CKA_CLASS, &klass)) {
		rv = CKR_TEMPLATE_INCOMPLETE;
		goto out;
	}
	if (tsr_templ_bool (pTemplate, ulCount, CKA_TOKEN, false) &&
	    (klass == CKO_CERTIFICATE || klass == CKO_PRIVATE_KEY)) {
		rv = tsr_create_token_object_inlock (s, klass, pTemplate, ulCount, phObject);
		goto out;
	}
	if (klass == CKO_SECRET_KEY) {
		v = tsr_templ_find (pTemplate, ulCount, CKA_VALUE);
		if (v == NULL || !tsr_templ_ulong (pTemplate, ulCount, CKA_KEY_TYPE, &kt)) {
			rv = CKR_TEMPLATE_INCOMPLETE;
			goto out;
		}
		rv = tsr_secret_len_check (kt, v->ulValueLen);
		if (rv == CKR_OK)
			rv = tsr_session_object_new (s, klass, pTemplate, ulCount, &obj);
		if (rv == CKR_OK) {
			obj->key_type = kt;
			tsr_attr_set_ulong (obj, CKA_VALUE_LEN, v->ulValueLen);
		}
	} else if (klass == CKO_PUBLIC_KEY || klass == CKO_CERTIFICATE || klass == CKO_DATA) {
		rv = tsr_session_object_new (s, klass, pTemplate, ulCount, &obj);
		if (rv == CKR_OK && klass == CKO_PUBLIC_KEY)
			rv = tsr_create_public_key (obj);
	} else {
		rv = CKR_ATTRIBUTE_VALUE_INVALID;  /* no private keys in software, no other classes */
	}
	if (rv != CKR_OK)
		goto out;
	rv = tsr_object_store_inlock (obj, phObject);
	obj = NULL;
out:
	tsr_object_free (obj);
	tsr_leave ();
	return rv;
}

CK_RV
C_CopyObject (CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject, CK_ATTRIBUTE_PTR pTemplate,
              CK_ULONG ulCount, CK_OBJECT_HANDLE_PTR phNewObject)
{
	struct tsr_session *s;
	struct tsr_object *obj, *copy = NULL;
	CK_RV rv;

	rv = tsr_enter ();
	if (rv != CKR_OK)
		return rv;
	rv = tsr_session_get_inlock (hSession, &s);
	if (rv != CKR_OK)
		goto out;
	if (!tsr_check ((pTemplate != NULL || ulCount == 0) && phNewObject != NULL)) {
		rv = CKR_ARGUMENTS_BAD;
		goto out;
	}
	rv = tsr_object_handle_inlock (s, hObject, &obj);
	if (rv == CKR_OK)
		rv = tsr_templ_check (pTemplate, ulCount);
	for (CK_ULONG i = 0; i < ulCount && rv == CKR_OK; i++)
		rv = tsr_attr_change_check (obj, &pTemplate[i], true);
	if (rv != CKR_OK)
		goto out;
	if (!tsr_attr_bool (obj, CKA_COPYABLE, false)) {
		rv = CKR_ACTION_PROHIBITED;
		goto out;
	}
	rv = tsr_session_object_new (s, obj->klass, obj->attrs, obj->n_attrs, &copy);
	if (rv != CKR_OK)
		goto out;
	copy->key_type = obj->key_type;
	copy->key_bits = obj->key_bits;
	if (obj->pub != NULL && EVP_PKEY_up_ref (obj->pub))
		copy->pub = obj->pub;
	for (CK_ULONG i = 0; i < ulCount; i++)
		tsr_attr_set (copy, pTemplate[i].type, pTemplate[i].pValue, pTemplate[i].ulValueLen);
	if (tsr_attr_bool (copy, CKA_TOKEN, false)) {
		rv = CKR_TOKEN_WRITE_PROTECTED;
		goto out;
	}
	copy->is_private = tsr_attr_bool (copy, CKA_PRIVATE, false);
	if (copy->oom) {
		rv = CKR_HOST_MEMORY;
		goto out;
	}
	rv = tsr_object_store_inlock (copy, phNewObject);
	copy = NULL;
out:
	tsr_object_free (copy);
	tsr_leave ();
	return rv;
}

/* A token object given to C_CreateObject: a certificate for a card slot, or a
 * private key imported into one (the card's import command). */
CK_RV
tsr_create_token_object_inlock (struct tsr_session *s, CK_OBJECT_CLASS klass, const CK_ATTRIBUTE *templ,
                                CK_ULONG count, CK_OBJECT_HANDLE *handle)
{
	CK_ULONG i;

	for (i = 0; i < count; i++) {
		if (templ[i].pValue == NULL && templ[i].ulValueLen > 0)
			return CKR_ARGUMENTS_BAD;
	}
	if (klass == CKO_CERTIFICATE)
		return tsr_create_token_cert_inlock (s, templ, count, handle);
	return tsr_import_key_inlock (s, templ, count, handle);
}
