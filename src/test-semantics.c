/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * src/test-semantics.c: PKCS #11 rules the front end must keep whatever an application
 * asks (mock card): attributes that latch (CKA_SENSITIVE, CKA_EXTRACTABLE) and the ones
 * that follow them, what C_CopyObject may change, every attribute of every object class
 * answerable, key value lengths, CK_BBOOL / CK_ULONG values of the wrong length, single-part
 * calls after multi-part ones, a failed *Update ending its operation, ECDSA over nothing,
 * start-up slot events, and the usage attributes of a key pair agreeing.
 */
#include "config.h"

#include "src/test-mock.h"
#include "src/test-p11.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>

static CK_FUNCTION_LIST_PTR f;
static CK_SLOT_ID slot;
static CK_SESSION_HANDLE sess;
static CK_UTF8CHAR pin[] = MOCK_PIN;
static CK_BBOOL yes = CK_TRUE, no = CK_FALSE;

static void
init_with (int readers, CK_FLAGS flags)
{
	CK_C_INITIALIZE_ARGS args = { NULL, NULL, NULL, NULL, flags, NULL };

	tsr_set_backend (&mock_backend);
	mock_setup (readers, true);
	ck_assert_int_eq (tsr_get_function_list (&f), CKR_OK);
	ck_assert_int_eq (f->C_Initialize (&args), CKR_OK);
}

static void
setup (void)
{
	CK_SLOT_ID slots[4];
	CK_ULONG n = 4;

	init_with (1, CKF_LIBRARY_CANT_CREATE_OS_THREADS | CKF_OS_LOCKING_OK);
	ck_assert_int_eq (f->C_GetSlotList (CK_TRUE, slots, &n), CKR_OK);
	ck_assert_int_eq (n, 1);
	slot = slots[0];
	ck_assert_int_eq (f->C_OpenSession (slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &sess), CKR_OK);
	ck_assert_int_eq (f->C_Login (sess, CKU_USER, pin, 6), CKR_OK);
}

static void
teardown (void)
{
	if (tsr.initialized)
		f->C_Finalize (NULL);
}

static CK_RV
set_bool (CK_OBJECT_HANDLE h, CK_ATTRIBUTE_TYPE type, CK_BBOOL value)
{
	CK_ATTRIBUTE a = { type, &value, sizeof value };

	return f->C_SetAttributeValue (sess, h, &a, 1);
}

/* ECDH with the mock card's key 82 into a secret key of 32 bytes with SENSITIVE and
 * EXTRACTABLE as given. */
static CK_OBJECT_HANDLE
derive (CK_BBOOL sensitive, CK_BBOOL extractable)
{
	EVP_PKEY *peer = EVP_PKEY_Q_keygen (NULL, NULL, "EC", "P-256");
	unsigned char point[65];
	size_t plen = 0;
	CK_ECDH1_DERIVE_PARAMS params = { CKD_NULL, 0, NULL, 65, point };
	CK_MECHANISM m = { CKM_ECDH1_DERIVE, &params, sizeof params };
	CK_OBJECT_CLASS sk = CKO_SECRET_KEY;
	CK_KEY_TYPE kt = CKK_GENERIC_SECRET;
	CK_ULONG vlen = 32;
	CK_ATTRIBUTE templ[] = { { CKA_CLASS, &sk, sizeof sk }, { CKA_KEY_TYPE, &kt, sizeof kt },
	                         { CKA_VALUE_LEN, &vlen, sizeof vlen }, { CKA_SENSITIVE, &sensitive, 1 },
	                         { CKA_EXTRACTABLE, &extractable, 1 } };
	CK_OBJECT_HANDLE h = 0;

	EVP_PKEY_get_octet_string_param (peer, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof point, &plen);
	EVP_PKEY_free (peer);
	ck_assert_uint_eq (plen, 65);
	ck_assert_int_eq (f->C_DeriveKey (sess, &m, p11_find (f, sess, CKO_PRIVATE_KEY, 5), templ, 5, &h), CKR_OK);
	return h;
}

static CK_RV
value_of (CK_OBJECT_HANDLE h)
{
	CK_BYTE buf[64];
	CK_ATTRIBUTE a = { CKA_VALUE, buf, sizeof buf };

	return f->C_GetAttributeValue (sess, h, &a, 1);
}

/* Defect 1: SENSITIVE only FALSE -> TRUE, EXTRACTABLE only TRUE -> FALSE; ALWAYS_SENSITIVE
 * and NEVER_EXTRACTABLE read-only, and never made TRUE by a later change. */
START_TEST (test_latching_set)
{
	CK_OBJECT_HANDLE k = derive (CK_TRUE, CK_FALSE), open;

	ck_assert_int_eq (value_of (k), CKR_ATTRIBUTE_SENSITIVE);
	ck_assert_int_eq (set_bool (k, CKA_SENSITIVE, CK_FALSE), CKR_ATTRIBUTE_READ_ONLY);
	ck_assert_int_eq (set_bool (k, CKA_EXTRACTABLE, CK_TRUE), CKR_ATTRIBUTE_READ_ONLY);
	ck_assert_int_eq (set_bool (k, CKA_ALWAYS_SENSITIVE, CK_FALSE), CKR_ATTRIBUTE_READ_ONLY);
	ck_assert_int_eq (set_bool (k, CKA_NEVER_EXTRACTABLE, CK_FALSE), CKR_ATTRIBUTE_READ_ONLY);
	ck_assert_int_eq (value_of (k), CKR_ATTRIBUTE_SENSITIVE);
	ck_assert_uint_eq (p11_bool (f, sess, k, CKA_SENSITIVE), CK_TRUE);
	ck_assert_uint_eq (p11_bool (f, sess, k, CKA_EXTRACTABLE), CK_FALSE);
	/* derived from a card key generated on the card: never outside it */
	ck_assert_uint_eq (p11_bool (f, sess, k, CKA_ALWAYS_SENSITIVE), CK_TRUE);
	ck_assert_uint_eq (p11_bool (f, sess, k, CKA_NEVER_EXTRACTABLE), CK_TRUE);
	ck_assert_int_eq (set_bool (k, CKA_SENSITIVE, CK_TRUE), CKR_OK);   /* no change is fine */

	open = derive (CK_FALSE, CK_TRUE);
	ck_assert_int_eq (value_of (open), CKR_OK);
	ck_assert_uint_eq (p11_bool (f, sess, open, CKA_ALWAYS_SENSITIVE), CK_FALSE);
	ck_assert_uint_eq (p11_bool (f, sess, open, CKA_NEVER_EXTRACTABLE), CK_FALSE);
	ck_assert_int_eq (set_bool (open, CKA_SENSITIVE, CK_TRUE), CKR_OK);
	ck_assert_int_eq (set_bool (open, CKA_EXTRACTABLE, CK_FALSE), CKR_OK);
	ck_assert_int_eq (value_of (open), CKR_ATTRIBUTE_SENSITIVE);
	/* it was seen in the clear: the two history attributes stay FALSE */
	ck_assert_uint_eq (p11_bool (f, sess, open, CKA_ALWAYS_SENSITIVE), CK_FALSE);
	ck_assert_uint_eq (p11_bool (f, sess, open, CKA_NEVER_EXTRACTABLE), CK_FALSE);
	ck_assert_int_eq (set_bool (open, CKA_SENSITIVE, CK_FALSE), CKR_ATTRIBUTE_READ_ONLY);
	ck_assert_int_eq (set_bool (open, CKA_EXTRACTABLE, CK_TRUE), CKR_ATTRIBUTE_READ_ONLY);
	ck_assert_int_eq (value_of (open), CKR_ATTRIBUTE_SENSITIVE);
}
END_TEST

/* Defect 1 by C_CopyObject, and a template naming the history attributes at creation. */
START_TEST (test_latching_copy)
{
	CK_OBJECT_HANDLE k = derive (CK_TRUE, CK_FALSE), copy = 0;
	CK_ATTRIBUTE unsens = { CKA_SENSITIVE, &no, 1 }, extract = { CKA_EXTRACTABLE, &yes, 1 };
	CK_ATTRIBUTE always = { CKA_ALWAYS_SENSITIVE, &no, 1 }, label = { CKA_LABEL, (char *)"copy", 4 };
	CK_OBJECT_CLASS sk = CKO_SECRET_KEY;
	CK_KEY_TYPE kt = CKK_AES;
	CK_BYTE v[16] = { 1 };
	CK_ATTRIBUTE made[] = { { CKA_CLASS, &sk, sizeof sk }, { CKA_KEY_TYPE, &kt, sizeof kt },
	                        { CKA_VALUE, v, sizeof v }, { CKA_NEVER_EXTRACTABLE, &yes, 1 } };

	ck_assert_int_eq (f->C_CopyObject (sess, k, &unsens, 1, &copy), CKR_ATTRIBUTE_READ_ONLY);
	ck_assert_int_eq (f->C_CopyObject (sess, k, &extract, 1, &copy), CKR_ATTRIBUTE_READ_ONLY);
	ck_assert_int_eq (f->C_CopyObject (sess, k, &always, 1, &copy), CKR_ATTRIBUTE_READ_ONLY);
	ck_assert_int_eq (f->C_CopyObject (sess, k, &label, 1, &copy), CKR_OK);
	ck_assert_int_eq (value_of (copy), CKR_ATTRIBUTE_SENSITIVE);
	ck_assert_uint_eq (p11_bool (f, sess, copy, CKA_ALWAYS_SENSITIVE), CK_TRUE);
	ck_assert_int_eq (f->C_CreateObject (sess, made, 4, &copy), CKR_ATTRIBUTE_READ_ONLY);
}
END_TEST

/* Defect 2: a copy keeps what the object is. */
START_TEST (test_copy_keeps_identity)
{
	CK_OBJECT_CLASS data = CKO_DATA, pubk = CKO_PUBLIC_KEY;
	CK_KEY_TYPE rsa = CKK_RSA;
	CK_ATTRIBUTE t[] = { { CKA_CLASS, &data, sizeof data }, { CKA_VALUE, (char *)"hello", 5 } };
	CK_ATTRIBUTE klass = { CKA_CLASS, &pubk, sizeof pubk }, kt = { CKA_KEY_TYPE, &rsa, sizeof rsa };
	CK_ATTRIBUTE value = { CKA_VALUE, (char *)"other", 5 }, label = { CKA_LABEL, (char *)"mine", 4 };
	CK_ATTRIBUTE find = { CKA_CLASS, &pubk, sizeof pubk };
	CK_OBJECT_HANDLE h, copy = 0, found[16];
	CK_ULONG n = 0, before;

	ck_assert_int_eq (f->C_FindObjectsInit (sess, &find, 1), CKR_OK);
	ck_assert_int_eq (f->C_FindObjects (sess, found, 16, &before), CKR_OK);
	ck_assert_int_eq (f->C_FindObjectsFinal (sess), CKR_OK);
	ck_assert_int_eq (f->C_CreateObject (sess, t, 2, &h), CKR_OK);
	ck_assert_int_eq (f->C_CopyObject (sess, h, &klass, 1, &copy), CKR_ATTRIBUTE_READ_ONLY);
	ck_assert_int_eq (f->C_CopyObject (sess, h, &kt, 1, &copy), CKR_ATTRIBUTE_READ_ONLY);
	ck_assert_int_eq (f->C_CopyObject (sess, h, &value, 1, &copy), CKR_ATTRIBUTE_READ_ONLY);
	ck_assert_int_eq (f->C_CopyObject (sess, h, &label, 1, &copy), CKR_OK);
	ck_assert_int_eq (f->C_FindObjectsInit (sess, &find, 1), CKR_OK);
	ck_assert_int_eq (f->C_FindObjects (sess, found, 16, &n), CKR_OK);
	ck_assert_int_eq (f->C_FindObjectsFinal (sess), CKR_OK);
	ck_assert_uint_eq (n, before);   /* no data object passes for a public key */
	/* MODIFIABLE / COPYABLE may only be taken away by a copy */
	label.type = CKA_COPYABLE;
	label.pValue = &no;
	label.ulValueLen = 1;
	ck_assert_int_eq (f->C_CopyObject (sess, h, &label, 1, &copy), CKR_OK);
	ck_assert_int_eq (f->C_CopyObject (sess, copy, NULL, 0, &h), CKR_ACTION_PROHIBITED);
	label.pValue = &yes;
	ck_assert_int_eq (set_bool (copy, CKA_COPYABLE, CK_TRUE), CKR_ATTRIBUTE_READ_ONLY);
}
END_TEST

/* Every attribute PKCS #11 (2.40 / 3.0) gives an object of its class is answerable: a value,
 * or CKR_ATTRIBUTE_SENSITIVE for a secret. */
static void
assert_answers (CK_OBJECT_HANDLE h, const CK_ATTRIBUTE_TYPE *types, size_t n, const char *what)
{
	size_t i;

	for (i = 0; i < n; i++) {
		CK_ATTRIBUTE a = { types[i], NULL, 0 };
		CK_RV rv = f->C_GetAttributeValue (sess, h, &a, 1);
		ck_assert_msg (rv == CKR_OK || rv == CKR_ATTRIBUTE_SENSITIVE,
		               "%s: attribute 0x%lx: rv 0x%lx", what, (unsigned long)types[i], (unsigned long)rv);
	}
}

#define N(a) (sizeof (a) / sizeof (a)[0])

static const CK_ATTRIBUTE_TYPE storage_attrs[] = {
	CKA_CLASS, CKA_TOKEN, CKA_PRIVATE, CKA_MODIFIABLE, CKA_LABEL, CKA_COPYABLE, CKA_DESTROYABLE,
};
static const CK_ATTRIBUTE_TYPE key_attrs[] = {
	CKA_KEY_TYPE, CKA_ID, CKA_START_DATE, CKA_END_DATE, CKA_DERIVE, CKA_LOCAL, CKA_KEY_GEN_MECHANISM,
	CKA_ALLOWED_MECHANISMS,
};
static const CK_ATTRIBUTE_TYPE secret_attrs[] = {
	CKA_SENSITIVE, CKA_ENCRYPT, CKA_DECRYPT, CKA_SIGN, CKA_VERIFY, CKA_WRAP, CKA_UNWRAP, CKA_EXTRACTABLE,
	CKA_ALWAYS_SENSITIVE, CKA_NEVER_EXTRACTABLE, CKA_CHECK_VALUE, CKA_WRAP_WITH_TRUSTED, CKA_TRUSTED,
	CKA_WRAP_TEMPLATE, CKA_UNWRAP_TEMPLATE, CKA_VALUE, CKA_VALUE_LEN,
};
static const CK_ATTRIBUTE_TYPE public_attrs[] = {
	CKA_SUBJECT, CKA_ENCRYPT, CKA_VERIFY, CKA_VERIFY_RECOVER, CKA_WRAP, CKA_TRUSTED, CKA_WRAP_TEMPLATE,
	CKA_PUBLIC_KEY_INFO,
};
static const CK_ATTRIBUTE_TYPE private_attrs[] = {
	CKA_SUBJECT, CKA_SENSITIVE, CKA_DECRYPT, CKA_SIGN, CKA_SIGN_RECOVER, CKA_UNWRAP, CKA_EXTRACTABLE,
	CKA_ALWAYS_SENSITIVE, CKA_NEVER_EXTRACTABLE, CKA_WRAP_WITH_TRUSTED, CKA_UNWRAP_TEMPLATE,
	CKA_ALWAYS_AUTHENTICATE, CKA_PUBLIC_KEY_INFO,
};
static const CK_ATTRIBUTE_TYPE rsa_attrs[] = { CKA_MODULUS, CKA_PUBLIC_EXPONENT };
static const CK_ATTRIBUTE_TYPE rsa_pub_attrs[] = { CKA_MODULUS_BITS };
static const CK_ATTRIBUTE_TYPE rsa_priv_attrs[] = {
	CKA_PRIVATE_EXPONENT, CKA_PRIME_1, CKA_PRIME_2, CKA_EXPONENT_1, CKA_EXPONENT_2, CKA_COEFFICIENT,
};
static const CK_ATTRIBUTE_TYPE ec_attrs[] = { CKA_EC_PARAMS };
static const CK_ATTRIBUTE_TYPE ec_pub_attrs[] = { CKA_EC_POINT };
static const CK_ATTRIBUTE_TYPE cert_attrs[] = {
	CKA_CERTIFICATE_TYPE, CKA_TRUSTED, CKA_CERTIFICATE_CATEGORY, CKA_CHECK_VALUE, CKA_START_DATE,
	CKA_END_DATE, CKA_PUBLIC_KEY_INFO, CKA_SUBJECT, CKA_ID, CKA_ISSUER, CKA_SERIAL_NUMBER, CKA_VALUE,
	CKA_URL, CKA_HASH_OF_SUBJECT_PUBLIC_KEY, CKA_HASH_OF_ISSUER_PUBLIC_KEY, CKA_JAVA_MIDP_SECURITY_DOMAIN,
	CKA_NAME_HASH_ALGORITHM,
};
static const CK_ATTRIBUTE_TYPE data_attrs[] = { CKA_APPLICATION, CKA_OBJECT_ID, CKA_VALUE };

/* All the attributes of object H of class KLASS (key type KT for keys). */
static void
assert_complete (CK_OBJECT_HANDLE h, CK_OBJECT_CLASS klass, CK_KEY_TYPE kt, const char *what)
{
	assert_answers (h, storage_attrs, N (storage_attrs), what);
	if (klass == CKO_DATA)
		assert_answers (h, data_attrs, N (data_attrs), what);
	if (klass == CKO_CERTIFICATE)
		assert_answers (h, cert_attrs, N (cert_attrs), what);
	if (klass == CKO_SECRET_KEY || klass == CKO_PUBLIC_KEY || klass == CKO_PRIVATE_KEY)
		assert_answers (h, key_attrs, N (key_attrs), what);
	if (klass == CKO_SECRET_KEY)
		assert_answers (h, secret_attrs, N (secret_attrs), what);
	if (klass == CKO_PUBLIC_KEY)
		assert_answers (h, public_attrs, N (public_attrs), what);
	if (klass == CKO_PRIVATE_KEY)
		assert_answers (h, private_attrs, N (private_attrs), what);
	if (klass != CKO_PUBLIC_KEY && klass != CKO_PRIVATE_KEY)
		return;
	if (kt == CKK_RSA)
		assert_answers (h, rsa_attrs, N (rsa_attrs), what);
	if (kt == CKK_RSA && klass == CKO_PUBLIC_KEY)
		assert_answers (h, rsa_pub_attrs, N (rsa_pub_attrs), what);
	if (kt == CKK_RSA && klass == CKO_PRIVATE_KEY)
		assert_answers (h, rsa_priv_attrs, N (rsa_priv_attrs), what);
	if (kt == CKK_EC)
		assert_answers (h, ec_attrs, N (ec_attrs), what);
	if (kt == CKK_EC && klass == CKO_PUBLIC_KEY)
		assert_answers (h, ec_pub_attrs, N (ec_pub_attrs), what);
}

/* Defect 3: every object the module makes answers every attribute of its class. */
START_TEST (test_every_attribute)
{
	CK_OBJECT_CLASS sk = CKO_SECRET_KEY, data = CKO_DATA, pubk = CKO_PUBLIC_KEY;
	CK_KEY_TYPE aes = CKK_AES, rsa = CKK_RSA;
	CK_BYTE v[16] = { 1, 2, 3 }, e[] = { 1, 0, 1 }, mod[256];
	CK_ATTRIBUTE st[] = { { CKA_CLASS, &sk, sizeof sk }, { CKA_KEY_TYPE, &aes, sizeof aes },
	                      { CKA_VALUE, v, sizeof v } };
	CK_ATTRIBUTE dt[] = { { CKA_CLASS, &data, sizeof data }, { CKA_VALUE, (char *)"x", 1 } };
	CK_ATTRIBUTE pt[] = { { CKA_CLASS, &pubk, sizeof pubk }, { CKA_KEY_TYPE, &rsa, sizeof rsa },
	                      { CKA_MODULUS, mod, sizeof mod }, { CKA_PUBLIC_EXPONENT, e, sizeof e } };
	CK_OBJECT_HANDLE h, all[32];
	CK_ULONG n = 0, i;
	BIGNUM *bn = NULL;

	ck_assert_int_eq (f->C_CreateObject (sess, st, 3, &h), CKR_OK);
	assert_complete (h, CKO_SECRET_KEY, CKK_AES, "created AES key");
	ck_assert_uint_eq (p11_bool (f, sess, h, CKA_ALWAYS_SENSITIVE), CK_FALSE);
	ck_assert_uint_eq (p11_bool (f, sess, h, CKA_NEVER_EXTRACTABLE), CK_FALSE);
	assert_complete (derive (CK_TRUE, CK_FALSE), CKO_SECRET_KEY, CKK_GENERIC_SECRET, "derived key");
	ck_assert_int_eq (f->C_CreateObject (sess, dt, 2, &h), CKR_OK);
	assert_complete (h, CKO_DATA, CK_UNAVAILABLE_INFORMATION, "data object");
	EVP_PKEY_get_bn_param (mock_key_by_ref (0x9A)->key, OSSL_PKEY_PARAM_RSA_N, &bn);
	ck_assert_int_eq (BN_bn2binpad (bn, mod, sizeof mod), (int)sizeof mod);
	BN_free (bn);
	ck_assert_int_eq (f->C_CreateObject (sess, pt, 4, &h), CKR_OK);
	assert_complete (h, CKO_PUBLIC_KEY, CKK_RSA, "created RSA public key");

	/* the card's objects */
	ck_assert_int_eq (f->C_FindObjectsInit (sess, NULL, 0), CKR_OK);
	ck_assert_int_eq (f->C_FindObjects (sess, all, 32, &n), CKR_OK);
	ck_assert_int_eq (f->C_FindObjectsFinal (sess), CKR_OK);
	ck_assert_uint_ge (n, 15);
	for (i = 0; i < n; i++) {
		CK_OBJECT_CLASS klass = 0;
		CK_KEY_TYPE kt = CK_UNAVAILABLE_INFORMATION;
		CK_ATTRIBUTE a[] = { { CKA_CLASS, &klass, sizeof klass }, { CKA_KEY_TYPE, &kt, sizeof kt } };
		char what[64];
		(void)f->C_GetAttributeValue (sess, all[i], a, 2);
		snprintf (what, sizeof what, "object %lu (class %lu)", (unsigned long)all[i], (unsigned long)klass);
		if (klass != CKO_PROFILE)
			assert_complete (all[i], klass, kt, what);
	}
}
END_TEST

/* Defect 3: a key value must have a length its key type allows. */
START_TEST (test_secret_value_length)
{
	static const struct { CK_KEY_TYPE kt; CK_ULONG len; CK_RV rv; } cases[] = {
		{ CKK_DES, 0, CKR_ATTRIBUTE_VALUE_INVALID }, { CKK_DES, 7, CKR_ATTRIBUTE_VALUE_INVALID },
		{ CKK_DES, 8, CKR_OK }, { CKK_DES2, 24, CKR_ATTRIBUTE_VALUE_INVALID }, { CKK_DES2, 16, CKR_OK },
		{ CKK_DES3, 16, CKR_ATTRIBUTE_VALUE_INVALID }, { CKK_DES3, 24, CKR_OK },
		{ CKK_AES, 0, CKR_ATTRIBUTE_VALUE_INVALID }, { CKK_AES, 15, CKR_ATTRIBUTE_VALUE_INVALID },
		{ CKK_AES, 32, CKR_OK }, { CKK_GENERIC_SECRET, 0, CKR_ATTRIBUTE_VALUE_INVALID },
		{ CKK_GENERIC_SECRET, 1, CKR_OK },
	};
	CK_OBJECT_CLASS sk = CKO_SECRET_KEY;
	CK_BYTE v[32] = { 0 };
	CK_OBJECT_HANDLE h;
	size_t i;

	for (i = 0; i < N (cases); i++) {
		CK_KEY_TYPE kt = cases[i].kt;
		CK_ATTRIBUTE t[] = { { CKA_CLASS, &sk, sizeof sk }, { CKA_KEY_TYPE, &kt, sizeof kt },
		                     { CKA_VALUE, cases[i].len ? v : NULL, cases[i].len } };
		ck_assert_msg (f->C_CreateObject (sess, t, 3, &h) == cases[i].rv, "key type 0x%lx, %lu bytes",
		               (unsigned long)kt, (unsigned long)cases[i].len);
	}
}
END_TEST

/* Defect 5: a CK_BBOOL or CK_ULONG of the wrong length is an invalid value, never FALSE. */
START_TEST (test_value_lengths)
{
	CK_OBJECT_CLASS data = CKO_DATA;
	CK_ULONG big = 1;
	CK_BYTE four[4] = { 1, 0, 0, 0 };
	CK_ATTRIBUTE t0[] = { { CKA_CLASS, &data, sizeof data }, { CKA_TOKEN, &yes, 0 } };
	CK_ATTRIBUTE t4[] = { { CKA_CLASS, &data, sizeof data }, { CKA_PRIVATE, four, 4 } };
	CK_ATTRIBUTE c4[] = { { CKA_CLASS, &data, 4 } };
	CK_ATTRIBUTE ok[] = { { CKA_CLASS, &data, sizeof data } };
	CK_ATTRIBUTE d4 = { CKA_MODIFIABLE, four, 4 }, l = { CKA_VALUE_LEN, &big, 1 };
	CK_OBJECT_HANDLE h, copy;

	ck_assert_int_eq (f->C_CreateObject (sess, t0, 2, &h), CKR_ATTRIBUTE_VALUE_INVALID);
	ck_assert_int_eq (f->C_CreateObject (sess, t4, 2, &h), CKR_ATTRIBUTE_VALUE_INVALID);
	ck_assert_int_eq (f->C_CreateObject (sess, c4, 1, &h), CKR_ATTRIBUTE_VALUE_INVALID);
	ck_assert_int_eq (f->C_CreateObject (sess, ok, 1, &h), CKR_OK);
	ck_assert_int_eq (f->C_CopyObject (sess, h, &d4, 1, &copy), CKR_ATTRIBUTE_VALUE_INVALID);
	d4.type = CKA_LABEL;   /* bytes: any length */
	ck_assert_int_eq (f->C_SetAttributeValue (sess, h, &d4, 1), CKR_OK);
	d4.type = CKA_DERIVE;
	ck_assert_int_eq (f->C_SetAttributeValue (sess, h, &d4, 1), CKR_ATTRIBUTE_VALUE_INVALID);
	ck_assert_int_eq (f->C_SetAttributeValue (sess, h, &l, 1), CKR_ATTRIBUTE_VALUE_INVALID);
	{
		/* a CK_ULONG at an odd address (found by fuzz-templ: a misaligned load, UB) */
		CK_BYTE raw[sizeof (CK_ULONG) + 1];
		CK_ATTRIBUTE odd = { CKA_CLASS, raw + 1, sizeof (CK_ULONG) };
		memcpy (raw + 1, &data, sizeof data);
		ck_assert_int_eq (f->C_CreateObject (sess, &odd, 1, &h), CKR_OK);
	}
	{
		/* and in the template of a derived key */
		EVP_PKEY *peer = EVP_PKEY_Q_keygen (NULL, NULL, "EC", "P-256");
		unsigned char point[65];
		size_t plen = 0;
		CK_ECDH1_DERIVE_PARAMS params = { CKD_NULL, 0, NULL, 65, point };
		CK_MECHANISM m = { CKM_ECDH1_DERIVE, &params, sizeof params };
		CK_OBJECT_CLASS sk = CKO_SECRET_KEY;
		CK_KEY_TYPE kt = CKK_GENERIC_SECRET;
		CK_ATTRIBUTE templ[] = { { CKA_CLASS, &sk, sizeof sk }, { CKA_KEY_TYPE, &kt, sizeof kt },
		                         { CKA_SENSITIVE, four, 4 } };
		EVP_PKEY_get_octet_string_param (peer, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof point, &plen);
		EVP_PKEY_free (peer);
		ck_assert_int_eq (f->C_DeriveKey (sess, &m, p11_find (f, sess, CKO_PRIVATE_KEY, 5), templ, 3, &h),
		                  CKR_ATTRIBUTE_VALUE_INVALID);
	}
}
END_TEST

/* Defect 4: C_X after C_XUpdate is CKR_OPERATION_ACTIVE; a failed C_XUpdate ends the operation. */
START_TEST (test_single_after_multi)
{
	CK_MECHANISM sha = { CKM_SHA256, NULL, 0 }, sig = { CKM_SHA256_RSA_PKCS, NULL, 0 };
	CK_MECHANISM enc = { CKM_RSA_PKCS, NULL, 0 };
	CK_BYTE data[4] = "abc", out[512];
	CK_ULONG len = sizeof out;
	CK_OBJECT_HANDLE priv = p11_find (f, sess, CKO_PRIVATE_KEY, 1), pub = p11_find (f, sess, CKO_PUBLIC_KEY, 1);
	CK_FUNCTION_LIST *l = f;

	ck_assert_int_eq (l->C_DigestInit (sess, &sha), CKR_OK);
	ck_assert_int_eq (l->C_DigestUpdate (sess, data, 3), CKR_OK);
	ck_assert_int_eq (l->C_Digest (sess, data, 3, out, &len), CKR_OPERATION_ACTIVE);
	ck_assert_int_eq (l->C_SignInit (sess, &sig, priv), CKR_OK);
	ck_assert_int_eq (l->C_SignUpdate (sess, data, 3), CKR_OK);
	len = sizeof out;
	ck_assert_int_eq (l->C_Sign (sess, data, 3, out, &len), CKR_OPERATION_ACTIVE);
	ck_assert_int_eq (l->C_VerifyInit (sess, &sig, pub), CKR_OK);
	ck_assert_int_eq (l->C_VerifyUpdate (sess, data, 3), CKR_OK);
	ck_assert_int_eq (l->C_Verify (sess, data, 3, out, 256), CKR_OPERATION_ACTIVE);
	ck_assert_int_eq (l->C_EncryptInit (sess, &enc, pub), CKR_OK);
	len = sizeof out;
	ck_assert_int_eq (l->C_EncryptUpdate (sess, data, 3, out, &len), CKR_OK);
	len = sizeof out;
	ck_assert_int_eq (l->C_Encrypt (sess, data, 3, out, &len), CKR_OPERATION_ACTIVE);
	ck_assert_int_eq (l->C_DecryptInit (sess, &enc, priv), CKR_OK);
	len = sizeof out;
	ck_assert_int_eq (l->C_DecryptUpdate (sess, out, 256, out, &len), CKR_OK);
	len = sizeof out;
	ck_assert_int_eq (l->C_Decrypt (sess, out, 256, out, &len), CKR_OPERATION_ACTIVE);

	/* each of those calls ended its operation */
	len = sizeof out;
	ck_assert_int_eq (l->C_DigestFinal (sess, out, &len), CKR_OPERATION_NOT_INITIALIZED);
	ck_assert_int_eq (l->C_SignFinal (sess, out, &len), CKR_OPERATION_NOT_INITIALIZED);
	ck_assert_int_eq (l->C_VerifyFinal (sess, out, 256), CKR_OPERATION_NOT_INITIALIZED);

	/* a failed update ends the operation */
	ck_assert_int_eq (l->C_SignInit (sess, &sig, priv), CKR_OK);
	ck_assert_int_eq (l->C_SignUpdate (sess, NULL, 5), CKR_ARGUMENTS_BAD);
	ck_assert_int_eq (l->C_SignUpdate (sess, data, 3), CKR_OPERATION_NOT_INITIALIZED);
	ck_assert_int_eq (l->C_DigestInit (sess, &sha), CKR_OK);
	ck_assert_int_eq (l->C_DigestUpdate (sess, NULL, 5), CKR_ARGUMENTS_BAD);
	ck_assert_int_eq (l->C_DigestUpdate (sess, data, 3), CKR_OPERATION_NOT_INITIALIZED);
	ck_assert_int_eq (l->C_VerifyInit (sess, &sig, pub), CKR_OK);
	ck_assert_int_eq (l->C_VerifyUpdate (sess, NULL, 5), CKR_ARGUMENTS_BAD);
	ck_assert_int_eq (l->C_VerifyUpdate (sess, data, 3), CKR_OPERATION_NOT_INITIALIZED);
	ck_assert_int_eq (l->C_EncryptInit (sess, &enc, pub), CKR_OK);
	len = sizeof out;
	ck_assert_int_eq (l->C_EncryptUpdate (sess, NULL, 5, out, &len), CKR_ARGUMENTS_BAD);
	ck_assert_int_eq (l->C_EncryptUpdate (sess, data, 3, out, &len), CKR_OPERATION_NOT_INITIALIZED);
	ck_assert_int_eq (l->C_DecryptInit (sess, &enc, priv), CKR_OK);
	ck_assert_int_eq (l->C_DecryptUpdate (sess, NULL, 5, out, &len), CKR_ARGUMENTS_BAD);
	ck_assert_int_eq (l->C_DecryptUpdate (sess, data, 3, out, &len), CKR_OPERATION_NOT_INITIALIZED);
	/* single-part calls still work after all that */
	ck_assert_int_eq (l->C_DigestInit (sess, &sha), CKR_OK);
	len = sizeof out;
	ck_assert_int_eq (l->C_Digest (sess, data, 3, out, &len), CKR_OK);
	ck_assert_uint_eq (len, 32);
}
END_TEST

/* Defect 6: raw ECDSA over no data is a length error (no memcpy from NULL). */
START_TEST (test_ecdsa_empty)
{
	CK_MECHANISM m = { CKM_ECDSA, NULL, 0 }, x509 = { CKM_RSA_X_509, NULL, 0 };
	CK_BYTE sig[512], empty[1] = { 0 };
	CK_ULONG len = sizeof sig;
	CK_OBJECT_HANDLE key = p11_find (f, sess, CKO_PRIVATE_KEY, 4);   /* 9E, PIN never */

	ck_assert_int_eq (f->C_SignInit (sess, &m, key), CKR_OK);
	ck_assert_int_eq (f->C_Sign (sess, NULL, 0, sig, &len), CKR_DATA_LEN_RANGE);
	ck_assert_int_eq (f->C_SignInit (sess, &m, key), CKR_OK);
	len = sizeof sig;
	ck_assert_int_eq (f->C_Sign (sess, empty, 0, sig, &len), CKR_DATA_LEN_RANGE);
	ck_assert_int_eq (f->C_SignInit (sess, &m, key), CKR_OK);
	len = sizeof sig;
	ck_assert_int_eq (f->C_SignFinal (sess, sig, &len), CKR_DATA_LEN_RANGE);
	/* raw RSA of nothing: the integer 0, a defined result */
	ck_assert_int_eq (f->C_SignInit (sess, &x509, p11_find (f, sess, CKO_PRIVATE_KEY, 1)), CKR_OK);
	len = sizeof sig;
	ck_assert_int_eq (f->C_Sign (sess, NULL, 0, sig, &len), CKR_OK);
	ck_assert_uint_eq (len, 256);
}
END_TEST

/* Defect 13: the public and private key of one pair agree on every usage they share. */
START_TEST (test_pair_usage)
{
	static const struct { CK_ATTRIBUTE_TYPE priv, pub; } pairs[] = {
		{ CKA_SIGN, CKA_VERIFY }, { CKA_SIGN_RECOVER, CKA_VERIFY_RECOVER }, { CKA_DECRYPT, CKA_ENCRYPT },
		{ CKA_UNWRAP, CKA_WRAP }, { CKA_DERIVE, CKA_DERIVE },
	};
	static const CK_BYTE ids[] = { 1, 2, 3, 4, 5 };
	size_t i, j;

	for (i = 0; i < sizeof ids; i++) {
		CK_OBJECT_HANDLE priv = p11_find (f, sess, CKO_PRIVATE_KEY, ids[i]), pub = p11_find (f, sess, CKO_PUBLIC_KEY, ids[i]);
		for (j = 0; j < N (pairs); j++)
			ck_assert_msg (p11_bool (f, sess, priv, pairs[j].priv) == p11_bool (f, sess, pub, pairs[j].pub),
			               "key %u: private 0x%lx and public 0x%lx disagree", ids[i],
			               (unsigned long)pairs[j].priv, (unsigned long)pairs[j].pub);
	}
	ck_assert_uint_eq (p11_bool (f, sess, p11_find (f, sess, CKO_PUBLIC_KEY, 5), CKA_DERIVE), CK_TRUE);
}
END_TEST

/* Defect 8: a PIN change whose answer was lost (the card did it, then a "security status
 * not satisfied" came back) is not sent again, and the module does not try the old PIN:
 * the retry counter stays where it is, and the application logs in again. */
START_TEST (test_no_resend_of_pin_change)
{
	CK_MECHANISM m = { CKM_SHA256_RSA_PKCS, NULL, 0 };
	CK_SESSION_INFO info;
	CK_OBJECT_HANDLE key = p11_find (f, sess, CKO_PRIVATE_KEY, 1);
	CK_RV rv;

	mock.change_lost = CARD_E_SECURITY;
	mock.pin_verified = false;   /* the card forgot the PIN (or PIV was deselected) */
	rv = f->C_SetPIN (sess, pin, 6, (CK_UTF8CHAR_PTR)"654321", 6);
	ck_assert_int_ne (rv, CKR_OK);
	ck_assert_int_ne (rv, CKR_PIN_INCORRECT);
	ck_assert_int_eq (mock.change_calls, 1);      /* sent once */
	ck_assert_str_eq (mock.pin, "654321");        /* and done by the card */
	ck_assert_int_eq (mock.pin_tries, 3);         /* no try burnt */
	/* the held PIN is the old one: the login is over, it is never tried */
	ck_assert_int_eq (f->C_GetSessionInfo (sess, &info), CKR_OK);
	ck_assert_uint_eq (info.state, CKS_RW_PUBLIC_SESSION);
	ck_assert_int_ne (f->C_SignInit (sess, &m, key), CKR_OK);   /* not logged in: no private op */
	ck_assert_int_eq (mock.pin_tries, 3);
	ck_assert_int_eq (f->C_Login (sess, CKU_USER, (CK_UTF8CHAR_PTR)"654321", 6), CKR_OK);
	ck_assert_int_eq (mock.pin_tries, 3);
}
END_TEST

/* Defect 12: right after C_Initialize, events only for the slots with a card; none is lost. */
static void
startup_events (CK_FLAGS flags)
{
	CK_SLOT_ID ev = 0, slots[4];
	CK_ULONG n = 4;

	if (tsr.initialized)
		f->C_Finalize (NULL);
	init_with (2, flags);   /* reader 0 with the card, reader 1 empty */
	ck_assert_int_eq (f->C_GetSlotList (CK_TRUE, slots, &n), CKR_OK);
	ck_assert_uint_eq (n, 1);
	ck_assert_int_eq (f->C_WaitForSlotEvent (CKF_DONT_BLOCK, &ev, NULL), CKR_OK);
	ck_assert_uint_eq (ev, slots[0]);
	ck_assert_int_eq (f->C_WaitForSlotEvent (CKF_DONT_BLOCK, &ev, NULL), CKR_NO_EVENT);
	mock_card_remove ();
	if (flags & CKF_LIBRARY_CANT_CREATE_OS_THREADS)
		ck_assert_int_eq (f->C_WaitForSlotEvent (CKF_DONT_BLOCK, &ev, NULL), CKR_OK);
	else
		ck_assert_int_eq (f->C_WaitForSlotEvent (0, &ev, NULL), CKR_OK);
	ck_assert_uint_eq (ev, slots[0]);
	ck_assert_int_eq (f->C_Finalize (NULL), CKR_OK);
}

START_TEST (test_startup_events)
{
	startup_events (CKF_LIBRARY_CANT_CREATE_OS_THREADS | CKF_OS_LOCKING_OK);
	startup_events (CKF_OS_LOCKING_OK);
}
END_TEST

static Suite *
semantics_suite (void)
{
	Suite *s = suite_create ("semantics");
	TCase *tc = tcase_create ("rules");

	/* each test takes well under a second alone; room for a loaded machine and valgrind */
	tcase_set_timeout (tc, 60);
	tcase_add_checked_fixture (tc, setup, teardown);
	tcase_add_test (tc, test_latching_set);
	tcase_add_test (tc, test_latching_copy);
	tcase_add_test (tc, test_copy_keeps_identity);
	tcase_add_test (tc, test_every_attribute);
	tcase_add_test (tc, test_secret_value_length);
	tcase_add_test (tc, test_value_lengths);
	tcase_add_test (tc, test_single_after_multi);
	tcase_add_test (tc, test_ecdsa_empty);
	tcase_add_test (tc, test_pair_usage);
	tcase_add_test (tc, test_startup_events);
	tcase_add_test (tc, test_no_resend_of_pin_change);
	suite_add_tcase (s, tc);
	return s;
}

int
main (void)
{
	SRunner *sr = srunner_create (semantics_suite ());
	int failed;

	mock_keys_make ();
	srunner_run_all (sr, CK_ENV);
	failed = srunner_ntests_failed (sr);
	srunner_free (sr);
	mock_teardown ();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
