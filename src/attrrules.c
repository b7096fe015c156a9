/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * src/attrrules.c: the PKCS #11 rules for attribute values in templates, whatever object
 * they make or change (attrrules.h):
 * - value shapes: a CK_BBOOL is one byte, a CK_ULONG sizeof (CK_ULONG); anything else
 *   is CKR_ATTRIBUTE_VALUE_INVALID, never read as FALSE;
 * - what only the module sets (CKA_LOCAL, CKA_KEY_GEN_MECHANISM, CKA_ALWAYS_SENSITIVE,
 *   CKA_NEVER_EXTRACTABLE): no template names them at creation (CKR_ATTRIBUTE_READ_ONLY);
 * - what a session object lets C_SetAttributeValue and C_CopyObject change: CKA_SENSITIVE
 *   only FALSE -> TRUE, CKA_EXTRACTABLE only TRUE -> FALSE (and the two history attributes
 *   never follow such a change up); CKA_COPYABLE / CKA_DESTROYABLE only TRUE -> FALSE,
 *   CKA_MODIFIABLE and CKA_PRIVATE (FALSE -> TRUE) on copy only; what makes an object what
 *   it is (class, key type, value, key material) never;
 * - the lengths a secret key's value may have for its key type.
 */
#include "config.h"

#include "src/attrrules.h"

#include <string.h>

enum tsr_attr_shape { TSR_SHAPE_BYTES, TSR_SHAPE_BOOL, TSR_SHAPE_ULONG };

static enum tsr_attr_shape
tsr_attr_shape (CK_ATTRIBUTE_TYPE type)
{
	switch (type) {
	case CKA_TOKEN: case CKA_PRIVATE: case CKA_MODIFIABLE: case CKA_COPYABLE: case CKA_DESTROYABLE:
	case CKA_TRUSTED: case CKA_SENSITIVE: case CKA_ENCRYPT: case CKA_DECRYPT: case CKA_WRAP:
	case CKA_UNWRAP: case CKA_SIGN: case CKA_SIGN_RECOVER: case CKA_VERIFY: case CKA_VERIFY_RECOVER:
	case CKA_DERIVE: case CKA_EXTRACTABLE: case CKA_LOCAL: case CKA_NEVER_EXTRACTABLE:
	case CKA_ALWAYS_SENSITIVE: case CKA_WRAP_WITH_TRUSTED: case CKA_ALWAYS_AUTHENTICATE:
	case CKA_RESET_ON_INIT: case CKA_HAS_RESET:
		return TSR_SHAPE_BOOL;
	case CKA_CLASS: case CKA_CERTIFICATE_TYPE: case CKA_CERTIFICATE_CATEGORY: case CKA_KEY_TYPE:
	case CKA_MODULUS_BITS: case CKA_VALUE_BITS: case CKA_VALUE_LEN: case CKA_KEY_GEN_MECHANISM:
	case CKA_JAVA_MIDP_SECURITY_DOMAIN: case CKA_NAME_HASH_ALGORITHM: case CKA_PRIME_BITS:
	case CKA_SUB_PRIME_BITS: case CKA_MECHANISM_TYPE: case CKA_HW_FEATURE_TYPE: case CKA_PROFILE_ID:
		return TSR_SHAPE_ULONG;
	default:
		return TSR_SHAPE_BYTES;
	}
}

CK_RV
tsr_templ_check (const CK_ATTRIBUTE *templ, CK_ULONG count)
{
	CK_ULONG i;

	for (i = 0; i < count; i++) {
		const CK_ATTRIBUTE *t = &templ[i];
		enum tsr_attr_shape shape = tsr_attr_shape (t->type);
		if (t->pValue == NULL && t->ulValueLen > 0)
			return CKR_ARGUMENTS_BAD;
		if ((shape == TSR_SHAPE_BOOL && t->ulValueLen != sizeof (CK_BBOOL)) ||
		    (shape == TSR_SHAPE_ULONG && t->ulValueLen != sizeof (CK_ULONG))) {
			tsr_log ("p11", "attribute 0x%lx: a value of %lu bytes is not a %s", (unsigned long)t->type,
			         (unsigned long)t->ulValueLen, shape == TSR_SHAPE_BOOL ? "CK_BBOOL" : "CK_ULONG");
			return CKR_ATTRIBUTE_VALUE_INVALID;
		}
	}
	return CKR_OK;
}

/* Set by the module only: a creation template may not name them. */
static bool
tsr_attr_module_set (CK_ATTRIBUTE_TYPE type)
{
	return type == CKA_LOCAL || type == CKA_KEY_GEN_MECHANISM || type == CKA_ALWAYS_SENSITIVE ||
	       type == CKA_NEVER_EXTRACTABLE;
}

CK_RV
tsr_templ_check_new (const CK_ATTRIBUTE *templ, CK_ULONG count)
{
	CK_RV rv = tsr_templ_check (templ, count);
	CK_ULONG i;

	for (i = 0; i < count && rv == CKR_OK; i++) {
		if (tsr_attr_module_set (templ[i].type))
			rv = CKR_ATTRIBUTE_READ_ONLY;
	}
	return rv;
}

/* What makes an object what it is: never changed after creation. */
static bool
tsr_attr_fixed (CK_ATTRIBUTE_TYPE type)
{
	switch (type) {
	case CKA_CLASS: case CKA_KEY_TYPE: case CKA_CERTIFICATE_TYPE: case CKA_VALUE: case CKA_VALUE_LEN:
	case CKA_MODULUS: case CKA_MODULUS_BITS: case CKA_PUBLIC_EXPONENT: case CKA_EC_PARAMS:
	case CKA_EC_POINT: case CKA_PUBLIC_KEY_INFO: case CKA_CHECK_VALUE: case CKA_ALWAYS_AUTHENTICATE:
		return true;
	default:
		return tsr_attr_module_set (type);
	}
}

static bool
tsr_same (const CK_ATTRIBUTE *cur, const CK_ATTRIBUTE *t)
{
	return cur != NULL && cur->ulValueLen == t->ulValueLen &&
	       (t->ulValueLen == 0 || memcmp (cur->pValue, t->pValue, t->ulValueLen) == 0);
}

CK_RV
tsr_attr_change_check (const struct tsr_object *obj, const CK_ATTRIBUTE *t, bool copy)
{
	bool to_true = tsr_attr_shape (t->type) == TSR_SHAPE_BOOL && t->ulValueLen == sizeof (CK_BBOOL) &&
	               *(const CK_BBOOL *)t->pValue != CK_FALSE;

	if (copy && tsr_same (tsr_attr_find (obj, t->type), t))
		return CKR_OK;   /* a copy template may repeat what the object is */
	switch (t->type) {
	case CKA_SENSITIVE:              /* latches TRUE */
		return to_true ? CKR_OK : CKR_ATTRIBUTE_READ_ONLY;
	case CKA_EXTRACTABLE:            /* latch FALSE */
	case CKA_COPYABLE:
	case CKA_DESTROYABLE:
		return !to_true ? CKR_OK : CKR_ATTRIBUTE_READ_ONLY;
	case CKA_MODIFIABLE:             /* a copy may be made read-only */
		return copy && !to_true ? CKR_OK : CKR_ATTRIBUTE_READ_ONLY;
	case CKA_PRIVATE:                /* a copy may be made private */
		return copy && to_true ? CKR_OK : CKR_ATTRIBUTE_READ_ONLY;
	case CKA_TOKEN:                  /* a copy may say; C_CopyObject refuses token copies */
		return copy ? CKR_OK : CKR_ATTRIBUTE_READ_ONLY;
	default:
		return tsr_attr_fixed (t->type) ? CKR_ATTRIBUTE_READ_ONLY : CKR_OK;
	}
}

CK_RV
tsr_secret_len_check (CK_KEY_TYPE kt, size_t len)
{
	switch (kt) {
	case CKK_DES: return len == 8 ? CKR_OK : CKR_ATTRIBUTE_VALUE_INVALID;
	case CKK_DES2: return len == 16 ? CKR_OK : CKR_ATTRIBUTE_VALUE_INVALID;
	case CKK_DES3: return len == 24 ? CKR_OK : CKR_ATTRIBUTE_VALUE_INVALID;
	case CKK_AES: return len == 16 || len == 24 || len == 32 ? CKR_OK : CKR_ATTRIBUTE_VALUE_INVALID;
	case CKK_GENERIC_SECRET: return len > 0 ? CKR_OK : CKR_ATTRIBUTE_VALUE_INVALID;
	default: return len > 0 ? CKR_OK : CKR_ATTRIBUTE_VALUE_INVALID;   /* only kept, never used here */
	}
}

CK_RV
tsr_keypair_templates_check (const CK_ATTRIBUTE *pub, CK_ULONG npub, const CK_ATTRIBUTE *priv, CK_ULONG npriv)
{
	CK_RV rv = tsr_templ_check_new (pub, npub);
	const CK_ATTRIBUTE *token = NULL;
	CK_ULONG i;

	if (rv == CKR_OK)
		rv = tsr_templ_check_new (priv, npriv);
	for (i = 0; i < npriv; i++) {
		if (priv[i].type == CKA_TOKEN)
			token = &priv[i];
	}
	if (rv == CKR_OK && token == NULL) {
		tsr_log ("p11", "generate: no CKA_TOKEN in the private key's template: a card holds no session keys");
		rv = CKR_TEMPLATE_INCONSISTENT;
	}
	return rv;
}
