/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tests/provisioning/test-import.c: private keys made by OpenSSL imported into the card
 * by C_CreateObject (the module through dlopen + C_GetInterface), against an empty
 * simulated YubiKey 5.4 (test-import.sh): an RSA-2048 key named by CKA_ID and a P-256
 * key placed by its usage, each used by the card to sign and checked with OpenSSL's
 * public key (and the RSA key decrypting what OpenSSL encrypted); templates the card
 * cannot take refused without changing the card; the keys listed again after a restart,
 * and a certificate written later paired with its imported key. With TEST_IMPORT_CARD=nist (a PIV card without the YubiKey commands)
 * the one test is that import is refused with CKR_FUNCTION_NOT_SUPPORTED.
 * The tests run in order on one card; each one initialises the module again.
 */
#include "config.h"

#include "src/pkcs11-3.h"

#include <check.h>
#include <dlfcn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

static void *module;
static CK_FUNCTION_LIST_3_0 *f;
static CK_SLOT_ID slot;
static CK_SESSION_HANDLE sess;
static CK_UTF8CHAR pin[] = "123456";
static CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
static const CK_BYTE p256[] = { 0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07 };
static const CK_BYTE p521[] = { 0x06, 0x05, 0x2B, 0x81, 0x04, 0x00, 0x23 };
static EVP_PKEY *rsa_key, *ec_key, *other_rsa;   /* made once in main() */
static const char msg[] = "signed by a key imported into the card";

static void
setup (void)
{
	CK_C_INITIALIZE_ARGS nss = { NULL, NULL, NULL, NULL, CKF_LIBRARY_CANT_CREATE_OS_THREADS | CKF_OS_LOCKING_OK, NULL };
	CK_RV (*get_interface) (CK_UTF8CHAR_PTR, CK_VERSION_PTR, CK_INTERFACE_PTR_PTR, CK_FLAGS);
	CK_INTERFACE *iface = NULL;
	CK_SLOT_ID slots[8];
	CK_ULONG n = 8;

	module = dlopen (getenv ("TESSERA_MODULE"), RTLD_NOW | RTLD_LOCAL);
	ck_assert_msg (module != NULL, "dlopen: %s", dlerror ());
	*(void **)&get_interface = dlsym (module, "C_GetInterface");
	ck_assert_int_eq (get_interface ((CK_UTF8CHAR_PTR)"PKCS 11", NULL, &iface, 0), CKR_OK);
	f = iface->pFunctionList;
	ck_assert_int_eq (f->C_Initialize (&nss), CKR_OK);
	ck_assert_int_eq (f->C_GetSlotList (CK_TRUE, slots, &n), CKR_OK);
	ck_assert_uint_ge (n, 1);
	slot = slots[0];
	ck_assert_int_eq (f->C_OpenSession (slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &sess), CKR_OK);
}

static void
teardown (void)
{
	f->C_Finalize (NULL);
	dlclose (module);
}

static void
login (void)
{
	ck_assert_int_eq (f->C_Login (sess, CKU_USER, pin, 6), CKR_OK);
}

static CK_ULONG
find (CK_ATTRIBUTE *t, CK_ULONG n, CK_OBJECT_HANDLE *out)
{
	CK_OBJECT_HANDLE buf[64];
	CK_ULONG count = 0;

	ck_assert_int_eq (f->C_FindObjectsInit (sess, t, n), CKR_OK);
	ck_assert_int_eq (f->C_FindObjects (sess, out ? out : buf, 64, &count), CKR_OK);
	ck_assert_int_eq (f->C_FindObjectsFinal (sess), CKR_OK);
	return count;
}

static CK_ULONG
count_class (CK_OBJECT_CLASS klass)
{
	CK_ATTRIBUTE t[] = { { CKA_CLASS, &klass, sizeof klass } };
	return find (t, 1, NULL);
}

/* ---------------------------------------------------------------- templates */

/* A private-key template: up to 24 attributes with their values (big numbers owned). */
struct templ {
	CK_ATTRIBUTE a[24];
	CK_ULONG n;
	unsigned char *owned[12];
	size_t n_owned;
	CK_OBJECT_CLASS klass;
	CK_KEY_TYPE kt;
};

static void
put (struct templ *t, CK_ATTRIBUTE_TYPE type, void *value, CK_ULONG len)
{
	CK_ULONG i;

	for (i = 0; i < t->n && t->a[i].type != type; i++)
		;
	ck_assert_uint_lt (i, 24);
	t->a[i] = (CK_ATTRIBUTE){ type, value, len };
	t->n += i == t->n;
}

static void
drop (struct templ *t, CK_ATTRIBUTE_TYPE type)
{
	CK_ULONG i;

	for (i = 0; i < t->n; i++) {
		if (t->a[i].type == type)
			t->a[i] = t->a[--t->n];
	}
}

/* The big-number parameter NAME of KEY as attribute TYPE (PAD: fixed length, 0: minimal). */
static void
put_bn (struct templ *t, CK_ATTRIBUTE_TYPE type, EVP_PKEY *key, const char *name, int pad)
{
	BIGNUM *bn = NULL;
	unsigned char *buf;
	int len;

	ck_assert_int_eq (EVP_PKEY_get_bn_param (key, name, &bn), 1);
	len = pad > 0 ? pad : BN_num_bytes (bn);
	buf = malloc ((size_t)len);
	ck_assert_ptr_nonnull (buf);
	ck_assert_int_eq (BN_bn2binpad (bn, buf, len), len);
	BN_clear_free (bn);
	t->owned[t->n_owned++] = buf;
	put (t, type, buf, (CK_ULONG)len);
}

static CK_ATTRIBUTE *
attr_of (struct templ *t, CK_ATTRIBUTE_TYPE type)
{
	CK_ULONG i;

	for (i = 0; i < t->n && t->a[i].type != type; i++)
		;
	ck_assert_uint_lt (i, t->n);
	return &t->a[i];
}

static void
templ_free (struct templ *t)
{
	size_t i;

	for (i = 0; i < t->n_owned; i++)
		free (t->owned[i]);
}

static void
templ_base (struct templ *t, CK_KEY_TYPE kt)
{
	memset (t, 0, sizeof *t);
	t->klass = CKO_PRIVATE_KEY;
	t->kt = kt;
	put (t, CKA_CLASS, &t->klass, sizeof t->klass);
	put (t, CKA_KEY_TYPE, &t->kt, sizeof t->kt);
	put (t, CKA_TOKEN, &yes, 1);
	put (t, CKA_PRIVATE, &yes, 1);
	put (t, CKA_SENSITIVE, &yes, 1);
	put (t, CKA_SIGN, &yes, 1);
}

/* RSA as pkcs11-tool sends it: every component, the private exponent too. */
static void
templ_rsa (struct templ *t, EVP_PKEY *key)
{
	templ_base (t, CKK_RSA);
	put (t, CKA_DECRYPT, &yes, 1);
	put_bn (t, CKA_MODULUS, key, OSSL_PKEY_PARAM_RSA_N, 0);
	put_bn (t, CKA_PUBLIC_EXPONENT, key, OSSL_PKEY_PARAM_RSA_E, 0);
	put_bn (t, CKA_PRIVATE_EXPONENT, key, OSSL_PKEY_PARAM_RSA_D, 0);
	put_bn (t, CKA_PRIME_1, key, OSSL_PKEY_PARAM_RSA_FACTOR1, 0);
	put_bn (t, CKA_PRIME_2, key, OSSL_PKEY_PARAM_RSA_FACTOR2, 0);
	put_bn (t, CKA_EXPONENT_1, key, OSSL_PKEY_PARAM_RSA_EXPONENT1, 0);
	put_bn (t, CKA_EXPONENT_2, key, OSSL_PKEY_PARAM_RSA_EXPONENT2, 0);
	put_bn (t, CKA_COEFFICIENT, key, OSSL_PKEY_PARAM_RSA_COEFFICIENT1, 0);
}

static void
templ_ec (struct templ *t, EVP_PKEY *key)
{
	templ_base (t, CKK_EC);
	put (t, CKA_DERIVE, &no, 1);
	put (t, CKA_EC_PARAMS, (void *)p256, sizeof p256);
	put_bn (t, CKA_VALUE, key, OSSL_PKEY_PARAM_PRIV_KEY, 32);
}

static CK_RV
create (struct templ *t, CK_OBJECT_HANDLE *h)
{
	return f->C_CreateObject (sess, t->a, t->n, h);
}

/* ---------------------------------------------------------------- sign and verify */

static CK_BBOOL
get_bool (CK_OBJECT_HANDLE h, CK_ATTRIBUTE_TYPE type)
{
	CK_BBOOL v = 2;
	CK_ATTRIBUTE a = { type, &v, 1 };

	ck_assert_int_eq (f->C_GetAttributeValue (sess, h, &a, 1), CKR_OK);
	return v;
}

/* The card signs MSG with PRIV (MECH); OpenSSL verifies with KEY (ECDSA: r||s → DER). */
static void
sign_and_verify (CK_OBJECT_HANDLE priv, CK_MECHANISM_TYPE mech, EVP_PKEY *key)
{
	CK_MECHANISM m = { mech, NULL, 0 };
	unsigned char sig[512], der[128], *q = der;
	CK_ULONG sig_len = sizeof sig;
	EVP_MD_CTX *md = EVP_MD_CTX_new ();
	const unsigned char *s = sig;
	size_t s_len;

	ck_assert_int_eq (f->C_SignInit (sess, &m, priv), CKR_OK);
	if (get_bool (priv, CKA_ALWAYS_AUTHENTICATE))   /* 9C: the PIN for every signature */
		ck_assert_int_eq (f->C_Login (sess, CKU_CONTEXT_SPECIFIC, pin, 6), CKR_OK);
	ck_assert_int_eq (f->C_Sign (sess, (CK_BYTE_PTR)msg, sizeof msg - 1, sig, &sig_len), CKR_OK);
	s_len = sig_len;
	if (mech == CKM_ECDSA_SHA256) {
		ECDSA_SIG *es = ECDSA_SIG_new ();
		ck_assert_uint_eq (sig_len, 64);
		ck_assert_int_eq (ECDSA_SIG_set0 (es, BN_bin2bn (sig, 32, NULL), BN_bin2bn (sig + 32, 32, NULL)), 1);
		s_len = (size_t)i2d_ECDSA_SIG (es, &q);
		s = der;
		ECDSA_SIG_free (es);
	}
	ck_assert_int_eq (EVP_DigestVerifyInit (md, NULL, EVP_sha256 (), NULL, key), 1);
	ck_assert_int_eq (EVP_DigestVerify (md, s, s_len, (const unsigned char *)msg, sizeof msg - 1), 1);
	EVP_MD_CTX_free (md);
}

/* OpenSSL encrypts to KEY (PKCS #1 v1.5); the card decrypts with PRIV. */
static void
encrypt_and_decrypt (CK_OBJECT_HANDLE priv, EVP_PKEY *key)
{
	CK_MECHANISM m = { CKM_RSA_PKCS, NULL, 0 };
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new (key, NULL);
	unsigned char ct[256], pt[256];
	size_t ct_len = sizeof ct;
	CK_ULONG pt_len = sizeof pt;

	ck_assert_int_eq (EVP_PKEY_encrypt_init (ctx), 1);
	ck_assert_int_eq (EVP_PKEY_CTX_set_rsa_padding (ctx, RSA_PKCS1_PADDING), 1);
	ck_assert_int_eq (EVP_PKEY_encrypt (ctx, ct, &ct_len, (const unsigned char *)msg, sizeof msg - 1), 1);
	ck_assert_int_eq (f->C_DecryptInit (sess, &m, priv), CKR_OK);
	ck_assert_int_eq (f->C_Decrypt (sess, ct, (CK_ULONG)ct_len, pt, &pt_len), CKR_OK);
	ck_assert_uint_eq (pt_len, sizeof msg - 1);
	ck_assert_int_eq (memcmp (pt, msg, pt_len), 0);
	EVP_PKEY_CTX_free (ctx);
}

static CK_OBJECT_HANDLE
priv_by_id (CK_BYTE id)
{
	CK_OBJECT_CLASS pk = CKO_PRIVATE_KEY;
	CK_ATTRIBUTE t[] = { { CKA_CLASS, &pk, sizeof pk }, { CKA_ID, &id, 1 } };
	CK_OBJECT_HANDLE h[4];

	ck_assert_uint_eq (find (t, 2, h), 1);
	return h[0];
}

/* ---------------------------------------------------------------- tests */

START_TEST (test_import_rsa_by_id)
{
	struct templ t;
	CK_OBJECT_HANDLE h = 0;
	CK_BYTE id = 0x07, buf[512];
	CK_OBJECT_CLASS pubc = CKO_PUBLIC_KEY;
	CK_ATTRIBUTE pub_t[] = { { CKA_CLASS, &pubc, sizeof pubc }, { CKA_ID, &id, 1 } };
	CK_ATTRIBUTE secret = { CKA_PRIME_1, buf, sizeof buf }, mod = { CKA_MODULUS, buf, sizeof buf };
	CK_OBJECT_HANDLE pub[4];
	BIGNUM *n = NULL;

	templ_rsa (&t, rsa_key);
	put (&t, CKA_ID, &id, 1);   /* 07: retired slot 84 */
	ck_assert_int_eq (create (&t, &h), CKR_USER_NOT_LOGGED_IN);
	login ();
	ck_assert_int_eq (create (&t, &h), CKR_OK);
	ck_assert_uint_eq (h, priv_by_id (0x07));
	ck_assert_uint_eq (get_bool (h, CKA_SENSITIVE), CK_TRUE);
	ck_assert_uint_eq (get_bool (h, CKA_EXTRACTABLE), CK_FALSE);
	ck_assert_uint_eq (get_bool (h, CKA_LOCAL), CK_FALSE);   /* imported, not generated */
	ck_assert_int_ne (f->C_GetAttributeValue (sess, h, &secret, 1), CKR_OK);
	/* its public key object carries the modulus OpenSSL made */
	ck_assert_uint_eq (find (pub_t, 2, pub), 1);
	ck_assert_int_eq (f->C_GetAttributeValue (sess, pub[0], &mod, 1), CKR_OK);
	ck_assert_int_eq (EVP_PKEY_get_bn_param (rsa_key, OSSL_PKEY_PARAM_RSA_N, &n), 1);
	ck_assert_uint_eq (mod.ulValueLen, 256);
	{
		unsigned char want[256];
		BN_bn2binpad (n, want, 256);
		ck_assert_int_eq (memcmp (buf, want, 256), 0);
	}
	BN_free (n);
	sign_and_verify (h, CKM_SHA256_RSA_PKCS, rsa_key);
	encrypt_and_decrypt (h, rsa_key);
	templ_free (&t);
}
END_TEST

START_TEST (test_import_ec_by_usage)
{
	struct templ t;
	CK_OBJECT_HANDLE h = 0;
	CK_BYTE id[64];
	CK_ATTRIBUTE get = { CKA_ID, id, sizeof id };

	login ();
	templ_ec (&t, ec_key);   /* sign only, no CKA_ID: 9C */
	ck_assert_int_eq (create (&t, &h), CKR_OK);
	ck_assert_int_eq (f->C_GetAttributeValue (sess, h, &get, 1), CKR_OK);
	ck_assert_uint_eq (get.ulValueLen, 1);
	ck_assert_uint_eq (id[0], 0x02);
	ck_assert_uint_eq (get_bool (h, CKA_DERIVE), CK_FALSE);
	sign_and_verify (h, CKM_ECDSA_SHA256, ec_key);
	templ_free (&t);
}
END_TEST

/* What the card cannot take is refused before anything is sent: the keys stay as they were. */
START_TEST (test_import_refused)
{
	struct templ t, other;
	CK_OBJECT_HANDLE h = 0;
	CK_BYTE id = 0x01;
	CK_BYTE e3 = 3;
	EVP_PKEY *small = EVP_PKEY_Q_keygen (NULL, NULL, "RSA", (size_t)1536);
	CK_SESSION_HANDLE ro;

	ck_assert_ptr_nonnull (small);
	login ();
	templ_rsa (&t, rsa_key);
	put (&t, CKA_ID, &id, 1);   /* would overwrite 9A */
	put (&t, CKA_EXTRACTABLE, &yes, 1);
	ck_assert_int_eq (create (&t, &h), CKR_ATTRIBUTE_VALUE_INVALID);
	drop (&t, CKA_EXTRACTABLE);
	put (&t, CKA_SENSITIVE, &no, 1);
	ck_assert_int_eq (create (&t, &h), CKR_ATTRIBUTE_VALUE_INVALID);
	put (&t, CKA_SENSITIVE, &yes, 1);
	put (&t, CKA_PUBLIC_EXPONENT, &e3, 1);
	ck_assert_int_eq (create (&t, &h), CKR_ATTRIBUTE_VALUE_INVALID);
	templ_free (&t);

	templ_rsa (&t, rsa_key);
	templ_rsa (&other, other_rsa);
	put (&t, CKA_PRIME_1, attr_of (&other, CKA_PRIME_1)->pValue,
	     attr_of (&other, CKA_PRIME_1)->ulValueLen);   /* a prime of another key */
	ck_assert_int_eq (create (&t, &h), CKR_ATTRIBUTE_VALUE_INVALID);
	drop (&t, CKA_COEFFICIENT);
	ck_assert_int_eq (create (&t, &h), CKR_TEMPLATE_INCOMPLETE);
	templ_free (&t);
	templ_free (&other);

	templ_rsa (&t, small);   /* RSA 1536: not a size of the card */
	ck_assert_int_eq (create (&t, &h), CKR_ATTRIBUTE_VALUE_INVALID);
	templ_free (&t);

	templ_ec (&t, ec_key);
	put (&t, CKA_EC_PARAMS, (void *)p521, sizeof p521);
	ck_assert_int_eq (create (&t, &h), CKR_CURVE_NOT_SUPPORTED);
	put (&t, CKA_EC_PARAMS, (void *)p256, sizeof p256);
	put (&t, CKA_TOKEN, &no, 1);   /* a session private key: not in software */
	ck_assert_int_eq (create (&t, &h), CKR_ATTRIBUTE_VALUE_INVALID);
	put (&t, CKA_TOKEN, &yes, 1);
	ck_assert_int_eq (f->C_OpenSession (slot, CKF_SERIAL_SESSION, NULL, NULL, &ro), CKR_OK);
	ck_assert_int_eq (f->C_CreateObject (ro, t.a, t.n, &h), CKR_SESSION_READ_ONLY);
	templ_free (&t);

	ck_assert_uint_eq (count_class (CKO_PRIVATE_KEY), 2);
	ck_assert_uint_eq (count_class (CKO_PUBLIC_KEY), 2);
	EVP_PKEY_free (small);
}
END_TEST

/* A new start of the module lists both keys (84 has no certificate); a certificate for
 * the imported EC key, written without CKA_ID, lands in its slot and shares its CKA_ID. */
START_TEST (test_import_after_restart)
{
	CK_OBJECT_CLASS cc = CKO_CERTIFICATE;
	CK_CERTIFICATE_TYPE x509 = CKC_X_509;
	unsigned char der[2048], *q = der;
	CK_ATTRIBUTE templ[] = { { CKA_CLASS, &cc, sizeof cc }, { CKA_TOKEN, &yes, 1 },
	                         { CKA_CERTIFICATE_TYPE, &x509, sizeof x509 }, { CKA_VALUE, der, 0 } };
	CK_BYTE id[64];
	CK_ATTRIBUTE get = { CKA_ID, id, sizeof id };
	CK_OBJECT_HANDLE cert = 0;
	X509 *x = X509_new ();
	int len;

	login ();
	/* a retired slot's key without certificate is listed for decryption (certobj.c) */
	encrypt_and_decrypt (priv_by_id (0x07), rsa_key);
	sign_and_verify (priv_by_id (0x02), CKM_ECDSA_SHA256, ec_key);
	X509_set_version (x, 2);
	ASN1_INTEGER_set (X509_get_serialNumber (x), 9);
	X509_NAME_add_entry_by_txt (X509_get_subject_name (x), "CN", MBSTRING_ASC, (const unsigned char *)"Imported", -1, -1, 0);
	X509_set_issuer_name (x, X509_get_subject_name (x));
	X509_gmtime_adj (X509_getm_notBefore (x), 0);
	X509_gmtime_adj (X509_getm_notAfter (x), 86400);
	X509_set_pubkey (x, ec_key);
	ck_assert_int_gt (X509_sign (x, ec_key, EVP_sha256 ()), 0);
	len = i2d_X509 (x, &q);
	templ[3].ulValueLen = (CK_ULONG)len;
	ck_assert_int_eq (f->C_CreateObject (sess, templ, 4, &cert), CKR_OK);
	ck_assert_int_eq (f->C_GetAttributeValue (sess, cert, &get, 1), CKR_OK);
	ck_assert_uint_eq (get.ulValueLen, 1);
	ck_assert_uint_eq (id[0], 0x02);
	X509_free (x);
}
END_TEST

START_TEST (test_import_not_supported)
{
	struct templ t;
	CK_OBJECT_HANDLE h = 0;

	login ();
	templ_ec (&t, ec_key);
	ck_assert_int_eq (create (&t, &h), CKR_FUNCTION_NOT_SUPPORTED);
	ck_assert_uint_eq (count_class (CKO_PRIVATE_KEY), 0);
	templ_free (&t);
}
END_TEST

int
main (void)
{
	const char *card = getenv ("TEST_IMPORT_CARD");
	Suite *s = suite_create ("import");
	TCase *tc = tcase_create ("import");
	SRunner *sr;
	int failed;

	rsa_key = EVP_PKEY_Q_keygen (NULL, NULL, "RSA", (size_t)2048);
	other_rsa = EVP_PKEY_Q_keygen (NULL, NULL, "RSA", (size_t)2048);
	ec_key = EVP_PKEY_Q_keygen (NULL, NULL, "EC", "P-256");
	if (rsa_key == NULL || other_rsa == NULL || ec_key == NULL)
		return EXIT_FAILURE;
	tcase_set_timeout (tc, 120);
	tcase_add_checked_fixture (tc, setup, teardown);
	if (card != NULL && strcmp (card, "nist") == 0) {
		tcase_add_test (tc, test_import_not_supported);
	} else {
		tcase_add_test (tc, test_import_rsa_by_id);
		tcase_add_test (tc, test_import_ec_by_usage);
		tcase_add_test (tc, test_import_refused);
		tcase_add_test (tc, test_import_after_restart);
	}
	suite_add_tcase (s, tc);
	sr = srunner_create (s);
	srunner_set_fork_status (sr, CK_NOFORK);   /* one process, like an application */
	srunner_run_all (sr, CK_ENV);
	failed = srunner_ntests_failed (sr);
	srunner_free (sr);
	EVP_PKEY_free (rsa_key);
	EVP_PKEY_free (other_rsa);
	EVP_PKEY_free (ec_key);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
