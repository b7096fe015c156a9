/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * src/attrs.c: an object's attribute list: set (copying), find, match, and which
 * attributes are secrets.
 */
#include "config.h"

#include "src/tsr.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

struct tsr_object *
tsr_object_new (CK_OBJECT_CLASS klass)
{
	struct tsr_object *obj = calloc (1, sizeof *obj);

	if (obj == NULL)
		return NULL;
	obj->klass = klass;
	obj->key_type = CK_UNAVAILABLE_INFORMATION;
	tsr_attr_set_ulong (obj, CKA_CLASS, klass);
	if (obj->oom) {
		tsr_object_free (obj);
		obj = NULL;
	}
	return obj;
}

void
tsr_object_free (struct tsr_object *obj)
{
	CK_ULONG i;

	if (obj == NULL)
		return;
	for (i = 0; i < obj->n_attrs; i++) {
		if (obj->attrs[i].pValue != NULL)
			OPENSSL_cleanse (obj->attrs[i].pValue, obj->attrs[i].ulValueLen);
		free (obj->attrs[i].pValue);
	}
	free (obj->attrs);
	EVP_PKEY_free (obj->pub);
	free (obj);
}

const CK_ATTRIBUTE *
tsr_attr_find (const struct tsr_object *obj, CK_ATTRIBUTE_TYPE type)
{
	CK_ULONG i;

	for (i = 0; i < obj->n_attrs; i++) {
		if (obj->attrs[i].type == type)
			return &obj->attrs[i];
	}
	return NULL;
}

void
tsr_attr_set (struct tsr_object *obj, CK_ATTRIBUTE_TYPE type, const void *value, CK_ULONG len)
{
	CK_ATTRIBUTE *attr = (CK_ATTRIBUTE *)tsr_attr_find (obj, type);
	void *copy = NULL;

	if (len > 0) {
		copy = malloc (len);
		if (copy == NULL) {
			obj->oom = true;
			return;
		}
		memcpy (copy, value, len);
	}
	if (attr == NULL) {
		if (obj->n_attrs == obj->attrs_cap) {
			size_t cap = obj->attrs_cap ? obj->attrs_cap * 2 : 16;
			CK_ATTRIBUTE *attrs = realloc (obj->attrs, cap * sizeof *attrs);
			if (attrs == NULL) {
				free (copy);
				obj->oom = true;
				return;
			}
			obj->attrs = attrs;
			obj->attrs_cap = cap;
		}
		attr = &obj->attrs[obj->n_attrs++];
	} else {
		if (attr->pValue != NULL)
			OPENSSL_cleanse (attr->pValue, attr->ulValueLen);
		free (attr->pValue);
	}
	attr->type = type;
	attr->pValue = copy;
	attr->ulValueLen = len;
}

void
tsr_attr_set_bool (struct tsr_object *obj, CK_ATTRIBUTE_TYPE type, bool value)
{
	CK_BBOOL b = value ? CK_TRUE : CK_FALSE;

	tsr_attr_set (obj, type, &b, sizeof b);
}

void
tsr_attr_set_ulong (struct tsr_object *obj, CK_ATTRIBUTE_TYPE type, CK_ULONG value)
{
	tsr_attr_set (obj, type, &value, sizeof value);
}

bool
tsr_attr_bool (const struct tsr_object *obj, CK_ATTRIBUTE_TYPE type, bool dflt)
{
	const CK_ATTRIBUTE *a = tsr_attr_find (obj, type);

	if (a == NULL || a->ulValueLen != sizeof (CK_BBOOL))
		return dflt;
	return *(const CK_BBOOL *)a->pValue != CK_FALSE;
}

bool
tsr_attr_is_sensitive (const struct tsr_object *obj, CK_ATTRIBUTE_TYPE type)
{
	if (obj->klass == CKO_PRIVATE_KEY) {
		switch (type) {
		case CKA_VALUE: case CKA_PRIVATE_EXPONENT: case CKA_PRIME_1: case CKA_PRIME_2:
		case CKA_EXPONENT_1: case CKA_EXPONENT_2: case CKA_COEFFICIENT:
			return true;
		default:
			return false;
		}
	}
	if (obj->klass == CKO_SECRET_KEY && type == CKA_VALUE)
		return tsr_attr_bool (obj, CKA_SENSITIVE, false) || !tsr_attr_bool (obj, CKA_EXTRACTABLE, true);
	return false;
}

bool
tsr_object_matches (const struct tsr_object *obj, const CK_ATTRIBUTE *templ, CK_ULONG count)
{
	CK_ULONG i;

	for (i = 0; i < count; i++) {
		const CK_ATTRIBUTE *a = tsr_attr_find (obj, templ[i].type);
		if (a == NULL || a->ulValueLen != templ[i].ulValueLen || tsr_attr_is_sensitive (obj, a->type))
			return false;
		if (a->ulValueLen > 0 && memcmp (a->pValue, templ[i].pValue, a->ulValueLen) != 0)
			return false;
	}
	return true;
}
