/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * src/attrdefaults.c: every attribute PKCS #11 (2.40, 3.0) gives an object of its class is
 * answerable. Objects are made in several places (the card's objects, session objects,
 * secret keys from unwrap and derive); each sets what it knows, and tsr_object_complete
 * (called when an object is stored) adds what is still missing with the class's default:
 * FALSE, an empty value, CK_UNAVAILABLE_INFORMATION for an unknown mechanism, and the
 * SubjectPublicKeyInfo and modulus size of a key whose public half is known.
 */
#include "config.h"

#include "src/attrrules.h"

#include <openssl/x509.h>

/* Which classes an attribute belongs to (bit 1 << class; KEYS = the three key classes). */
#define C(k) (1u << (k))
#define KEYS (C (CKO_PUBLIC_KEY) | C (CKO_PRIVATE_KEY) | C (CKO_SECRET_KEY))
#define STORAGE (C (CKO_DATA) | C (CKO_CERTIFICATE) | KEYS)

enum tsr_dflt { D_FALSE, D_TRUE, D_EMPTY, D_UNAVAILABLE, D_ZERO, D_SHA1 };

static const struct {
	CK_ATTRIBUTE_TYPE type;
	unsigned classes;
	enum tsr_dflt dflt;
} tsr_defaults[] = {
	{ CKA_TOKEN, STORAGE, D_FALSE }, { CKA_PRIVATE, STORAGE, D_FALSE },
	{ CKA_MODIFIABLE, STORAGE, D_TRUE }, { CKA_LABEL, STORAGE, D_EMPTY },
	{ CKA_COPYABLE, STORAGE, D_TRUE }, { CKA_DESTROYABLE, STORAGE, D_TRUE },
	{ CKA_APPLICATION, C (CKO_DATA), D_EMPTY }, { CKA_OBJECT_ID, C (CKO_DATA), D_EMPTY },
	{ CKA_VALUE, C (CKO_DATA) | C (CKO_CERTIFICATE), D_EMPTY },
	{ CKA_TRUSTED, C (CKO_CERTIFICATE) | C (CKO_PUBLIC_KEY) | C (CKO_SECRET_KEY), D_FALSE },
	{ CKA_CERTIFICATE_CATEGORY, C (CKO_CERTIFICATE), D_ZERO },
	{ CKA_CHECK_VALUE, C (CKO_CERTIFICATE) | C (CKO_SECRET_KEY), D_EMPTY },
	{ CKA_START_DATE, C (CKO_CERTIFICATE) | KEYS, D_EMPTY },
	{ CKA_END_DATE, C (CKO_CERTIFICATE) | KEYS, D_EMPTY },
	{ CKA_SUBJECT, C (CKO_CERTIFICATE) | C (CKO_PUBLIC_KEY) | C (CKO_PRIVATE_KEY), D_EMPTY },
	{ CKA_ID, C (CKO_CERTIFICATE) | KEYS, D_EMPTY }, { CKA_ISSUER, C (CKO_CERTIFICATE), D_EMPTY },
	{ CKA_SERIAL_NUMBER, C (CKO_CERTIFICATE), D_EMPTY }, { CKA_URL, C (CKO_CERTIFICATE), D_EMPTY },
	{ CKA_HASH_OF_SUBJECT_PUBLIC_KEY, C (CKO_CERTIFICATE), D_EMPTY },
	{ CKA_HASH_OF_ISSUER_PUBLIC_KEY, C (CKO_CERTIFICATE), D_EMPTY },
	{ CKA_JAVA_MIDP_SECURITY_DOMAIN, C (CKO_CERTIFICATE), D_ZERO },
	{ CKA_NAME_HASH_ALGORITHM, C (CKO_CERTIFICATE), D_SHA1 },
	{ CKA_DERIVE, KEYS, D_FALSE }, { CKA_LOCAL, KEYS, D_FALSE },
	{ CKA_KEY_GEN_MECHANISM, KEYS, D_UNAVAILABLE }, { CKA_ALLOWED_MECHANISMS, KEYS, D_EMPTY },
	{ CKA_ENCRYPT, C (CKO_PUBLIC_KEY) | C (CKO_SECRET_KEY), D_FALSE },
	{ CKA_VERIFY, C (CKO_PUBLIC_KEY) | C (CKO_SECRET_KEY), D_FALSE },
	{ CKA_WRAP, C (CKO_PUBLIC_KEY) | C (CKO_SECRET_KEY), D_FALSE },
	{ CKA_WRAP_TEMPLATE, C (CKO_PUBLIC_KEY) | C (CKO_SECRET_KEY), D_EMPTY },
	{ CKA_VERIFY_RECOVER, C (CKO_PUBLIC_KEY), D_FALSE },
	{ CKA_DECRYPT, C (CKO_PRIVATE_KEY) | C (CKO_SECRET_KEY), D_FALSE },
	{ CKA_SIGN, C (CKO_PRIVATE_KEY) | C (CKO_SECRET_KEY), D_FALSE },
	{ CKA_UNWRAP, C (CKO_PRIVATE_KEY) | C (CKO_SECRET_KEY), D_FALSE },
	{ CKA_UNWRAP_TEMPLATE, C (CKO_PRIVATE_KEY) | C (CKO_SECRET_KEY), D_EMPTY },
	{ CKA_SIGN_RECOVER, C (CKO_PRIVATE_KEY), D_FALSE },
	{ CKA_SENSITIVE, C (CKO_PRIVATE_KEY), D_TRUE }, { CKA_SENSITIVE, C (CKO_SECRET_KEY), D_FALSE },
	{ CKA_EXTRACTABLE, C (CKO_PRIVATE_KEY), D_FALSE }, { CKA_EXTRACTABLE, C (CKO_SECRET_KEY), D_TRUE },
	{ CKA_ALWAYS_SENSITIVE, C (CKO_PRIVATE_KEY) | C (CKO_SECRET_KEY), D_FALSE },
	{ CKA_NEVER_EXTRACTABLE, C (CKO_PRIVATE_KEY) | C (CKO_SECRET_KEY), D_FALSE },
	{ CKA_WRAP_WITH_TRUSTED, C (CKO_PRIVATE_KEY) | C (CKO_SECRET_KEY), D_FALSE },
	{ CKA_ALWAYS_AUTHENTICATE, C (CKO_PRIVATE_KEY), D_FALSE },
};

static void
tsr_attr_default (struct tsr_object *obj, CK_ATTRIBUTE_TYPE type, enum tsr_dflt dflt)
{
	switch (dflt) {
	case D_FALSE: tsr_attr_set_bool (obj, type, false); break;
	case D_TRUE: tsr_attr_set_bool (obj, type, true); break;
	case D_EMPTY: tsr_attr_set (obj, type, NULL, 0); break;
	case D_UNAVAILABLE: tsr_attr_set_ulong (obj, type, CK_UNAVAILABLE_INFORMATION); break;
	case D_ZERO: tsr_attr_set_ulong (obj, type, 0); break;
	case D_SHA1: tsr_attr_set_ulong (obj, type, CKM_SHA_1); break;
	}
}

/* CKA_PUBLIC_KEY_INFO (and an RSA public key's CKA_MODULUS_BITS) from the key's public half. */
static void
tsr_object_complete_pub (struct tsr_object *obj)
{
	unsigned char *der = NULL;
	int len;

	if (tsr_attr_find (obj, CKA_PUBLIC_KEY_INFO) == NULL) {
		len = obj->pub != NULL ? i2d_PUBKEY (obj->pub, &der) : -1;
		tsr_attr_set (obj, CKA_PUBLIC_KEY_INFO, len > 0 ? der : NULL, len > 0 ? (CK_ULONG)len : 0);
		OPENSSL_free (der);
	}
	if (obj->klass == CKO_PUBLIC_KEY && obj->key_type == CKK_RSA &&
	    tsr_attr_find (obj, CKA_MODULUS_BITS) == NULL && obj->key_bits > 0)
		tsr_attr_set_ulong (obj, CKA_MODULUS_BITS, obj->key_bits);
}

void
tsr_object_complete (struct tsr_object *obj)
{
	size_t i;

	if (obj == NULL || obj->klass > CKO_SECRET_KEY)
		return;   /* profiles, mechanisms, vendor classes: what they have */
	for (i = 0; i < sizeof tsr_defaults / sizeof tsr_defaults[0]; i++) {
		if ((tsr_defaults[i].classes & C (obj->klass)) != 0 && tsr_attr_find (obj, tsr_defaults[i].type) == NULL)
			tsr_attr_default (obj, tsr_defaults[i].type, tsr_defaults[i].dflt);
	}
	if (obj->klass == CKO_CERTIFICATE && tsr_attr_find (obj, CKA_CERTIFICATE_TYPE) == NULL)
		tsr_attr_set_ulong (obj, CKA_CERTIFICATE_TYPE, CKC_X_509);
	if (obj->klass == CKO_CERTIFICATE || obj->klass == CKO_PUBLIC_KEY || obj->klass == CKO_PRIVATE_KEY)
		tsr_object_complete_pub (obj);
}
