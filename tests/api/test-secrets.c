/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tests/api/test-secrets.c: no secret reaches the debug log (test-secrets.sh runs it with
 * TESSERA_DEBUG=all against an empty simulated YubiKey). Each operation that handles a
 * secret runs, then the log is searched for the secret's bytes as the APDU trace would
 * print them ("AB CD EF ..."): private keys imported (RSA primes and exponents, the EC
 * scalar), the plaintext of C_Decrypt, the shared secret of C_DeriveKey (ECDH), the
 * management key and its challenge / response, the PIN. The log must hold the trace of
 * those commands (else the test proves nothing).
 */
#include "config.h"

#include "src/pkcs11-3.h"

#include <check.h>
#include <dlfcn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

static void *module;
static CK_FUNCTION_LIST_3_0 *f;
static CK_SESSION_HANDLE sess;
static CK_BBOOL yes = CK_TRUE;
static const CK_BYTE p256[] = { 0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07 };
static EVP_PKEY *rsa_key, *ec_key;

static void
setup (void)
{
	CK_RV (*get_interface) (CK_UTF8CHAR_PTR, CK_VERSION_PTR, CK_INTERFACE_PTR_PTR, CK_FLAGS);
	CK_INTERFACE *iface = NULL;
	CK_SLOT_ID slots[4];
	CK_ULONG n = 4;

	module = dlopen (getenv ("TESSERA_MODULE"), RTLD_NOW | RTLD_LOCAL);
	ck_assert_msg (module != NULL, "dlopen: %s", dlerror ());
	*(void **)&get_interface = dlsym (module, "C_GetInterface");
	ck_assert_int_eq (get_interface ((CK_UTF8CHAR_PTR)"PKCS 11", NULL, &iface, 0), CKR_OK);
	f = iface->pFunctionList;
	ck_assert_int_eq (f->C_Initialize (NULL), CKR_OK);
	ck_assert_int_eq (f->C_GetSlotList (CK_TRUE, slots, &n), CKR_OK);
	ck_assert_uint_ge (n, 1);
	ck_assert_int_eq (f->C_OpenSession (slots[0], CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &sess), CKR_OK);
	ck_assert_int_eq (f->C_Login (sess, CKU_USER, (CK_UTF8CHAR_PTR)"123456", 6), CKR_OK);
}

static void
teardown (void)
{
	f->C_Finalize (NULL);
	dlclose (module);
}

/* The whole log (owned by the caller). */
static char *
read_log (void)
{
	FILE *fp = fopen (getenv ("TESSERA_LOG"), "r");
	char *text;
	long n;

	ck_assert_ptr_nonnull (fp);
	fseek (fp, 0, SEEK_END);
	n = ftell (fp);
	rewind (fp);
	text = calloc (1, (size_t)n + 1);
	ck_assert_ptr_nonnull (text);
	ck_assert_uint_eq (fread (text, 1, (size_t)n, fp), (size_t)n);
	fclose (fp);
	return text;
}

/* Is any run of 6 bytes of SECRET in LOG, as the trace prints bytes ("0A 1B 2C ...")? */
static void
assert_not_logged (const char *log, const uint8_t *secret, size_t len, const char *what)
{
	char needle[6 * 3];
	size_t i, j;

	ck_assert_uint_ge (len, 6);
	for (i = 0; i + 6 <= len; i++) {
		for (j = 0; j < 6; j++)
			snprintf (needle + 3 * j, 4, j < 5 ? "%02X " : "%02X", secret[i + j]);
		ck_assert_msg (strstr (log, needle) == NULL, "%s is in the log (\"%s\" at byte %zu)", what, needle, i);
	}
}

/* Every GENERAL AUTHENTICATE (decipher, ECDH, signatures, the management key's witness,
 * challenge and response) is traced without its data, and so is the answer that follows. */
static void
assert_general_auth_redacted (const char *log)
{
	const char *p = log, *nl, *q;
	int seen = 0;

	while ((p = strstr (p, "apdu: > 00 87 ")) != NULL) {
		nl = strchr (p, '\n');
		ck_assert_ptr_nonnull (nl);
		ck_assert_msg (memmem (p, (size_t)(nl - p), "redacted", 8) != NULL || nl - p <= 30,
		               "GENERAL AUTHENTICATE in the clear: %.*s", (int)(nl - p), p);
		q = strstr (nl, "apdu: < ");
		ck_assert_ptr_nonnull (q);
		/* "< [N bytes redacted] SW1 SW2" or a bare status word "< 6A 80 (2 bytes)" */
		ck_assert_msg (strncmp (q + 8, "[", 1) == 0 || strncmp (q + 13, " (2 bytes)", 10) == 0,
		               "the answer to GENERAL AUTHENTICATE in the clear: %.60s", q);
		seen++;
		p = nl;
	}
	ck_assert_int_ge (seen, 4);   /* witness, answer, decipher, ECDH at least */
}

static size_t
bn_param (EVP_PKEY *key, const char *name, uint8_t *out, size_t len)
{
	BIGNUM *bn = NULL;
	int n;

	ck_assert_int_eq (EVP_PKEY_get_bn_param (key, name, &bn), 1);
	n = len ? BN_bn2binpad (bn, out, (int)len) : BN_bn2bin (bn, out);
	BN_clear_free (bn);
	ck_assert_int_gt (n, 0);
	return (size_t)n;
}

/* C_CreateObject of the private key into card slot ID (RSA with its CRT parts, or EC). */
static CK_OBJECT_HANDLE
import (EVP_PKEY *key, CK_BYTE id)
{
	static uint8_t bufs[8][512];
	static const char *const rsa[] = { OSSL_PKEY_PARAM_RSA_N, OSSL_PKEY_PARAM_RSA_E, OSSL_PKEY_PARAM_RSA_D,
	                                   OSSL_PKEY_PARAM_RSA_FACTOR1, OSSL_PKEY_PARAM_RSA_FACTOR2,
	                                   OSSL_PKEY_PARAM_RSA_EXPONENT1, OSSL_PKEY_PARAM_RSA_EXPONENT2,
	                                   OSSL_PKEY_PARAM_RSA_COEFFICIENT1 };
	static const CK_ATTRIBUTE_TYPE rsa_types[] = { CKA_MODULUS, CKA_PUBLIC_EXPONENT, CKA_PRIVATE_EXPONENT,
	                                               CKA_PRIME_1, CKA_PRIME_2, CKA_EXPONENT_1, CKA_EXPONENT_2,
	                                               CKA_COEFFICIENT };
	CK_OBJECT_CLASS klass = CKO_PRIVATE_KEY;
	bool is_rsa = EVP_PKEY_get_base_id (key) == EVP_PKEY_RSA;
	CK_KEY_TYPE kt = is_rsa ? CKK_RSA : CKK_EC;
	CK_ATTRIBUTE t[16] = { { CKA_CLASS, &klass, sizeof klass }, { CKA_KEY_TYPE, &kt, sizeof kt },
	                       { CKA_TOKEN, &yes, 1 }, { CKA_ID, &id, 1 },
	                       { is_rsa ? CKA_DECRYPT : CKA_DERIVE, &yes, 1 } };
	CK_ULONG n = 5, i;
	CK_OBJECT_HANDLE h = 0;

	if (is_rsa) {
		for (i = 0; i < 8; i++) {
			t[n].type = rsa_types[i];
			t[n].pValue = bufs[i];
			t[n++].ulValueLen = bn_param (key, rsa[i], bufs[i], 0);
		}
	} else {
		t[n].type = CKA_EC_PARAMS;
		t[n].pValue = (void *)p256;
		t[n++].ulValueLen = sizeof p256;
		t[n].type = CKA_VALUE;
		t[n].pValue = bufs[0];
		t[n++].ulValueLen = bn_param (key, OSSL_PKEY_PARAM_PRIV_KEY, bufs[0], 32);
	}
	ck_assert_int_eq (f->C_CreateObject (sess, t, n, &h), CKR_OK);
	return h;
}

START_TEST (test_import_decrypt_derive)
{
	uint8_t plain[200], enc[256], out[256], secret[32], got[32], point[65], part[512];
	size_t enc_len = sizeof enc, secret_len = sizeof secret, plen = 0, n;
	CK_ULONG out_len = sizeof out;
	CK_MECHANISM pkcs = { CKM_RSA_PKCS, NULL, 0 };
	CK_ECDH1_DERIVE_PARAMS params = { CKD_NULL, 0, NULL, sizeof point, point };
	CK_MECHANISM ecdh = { CKM_ECDH1_DERIVE, &params, sizeof params };
	CK_OBJECT_CLASS sk = CKO_SECRET_KEY;
	CK_KEY_TYPE gen = CKK_GENERIC_SECRET;
	CK_ATTRIBUTE dt[] = { { CKA_CLASS, &sk, sizeof sk }, { CKA_KEY_TYPE, &gen, sizeof gen } };
	CK_ATTRIBUTE val = { CKA_VALUE, got, sizeof got };
	CK_OBJECT_HANDLE rsa_h, ec_h, derived;
	EVP_PKEY *peer = EVP_PKEY_Q_keygen (NULL, NULL, "EC", "P-256");
	EVP_PKEY_CTX *ctx;
	char *log;
	const char *const parts[] = { OSSL_PKEY_PARAM_RSA_D, OSSL_PKEY_PARAM_RSA_FACTOR1, OSSL_PKEY_PARAM_RSA_FACTOR2,
	                              OSSL_PKEY_PARAM_RSA_EXPONENT1, OSSL_PKEY_PARAM_RSA_EXPONENT2,
	                              OSSL_PKEY_PARAM_RSA_COEFFICIENT1 };
	size_t i;

	rsa_h = import (rsa_key, 0x03);   /* 9D */
	ec_h = import (ec_key, 0x05);     /* 82 */

	/* RSA decryption of a known plaintext */
	ck_assert_int_eq (RAND_bytes (plain, sizeof plain), 1);
	ctx = EVP_PKEY_CTX_new (rsa_key, NULL);
	ck_assert_int_eq (EVP_PKEY_encrypt_init (ctx), 1);
	ck_assert_int_eq (EVP_PKEY_CTX_set_rsa_padding (ctx, RSA_PKCS1_PADDING), 1);
	ck_assert_int_eq (EVP_PKEY_encrypt (ctx, enc, &enc_len, plain, sizeof plain), 1);
	EVP_PKEY_CTX_free (ctx);
	ck_assert_int_eq (f->C_DecryptInit (sess, &pkcs, rsa_h), CKR_OK);
	ck_assert_int_eq (f->C_Decrypt (sess, enc, (CK_ULONG)enc_len, out, &out_len), CKR_OK);
	ck_assert_uint_eq (out_len, sizeof plain);
	ck_assert_mem_eq (out, plain, sizeof plain);

	/* ECDH with a peer whose secret we know */
	EVP_PKEY_get_octet_string_param (peer, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof point, &plen);
	ck_assert_uint_eq (plen, sizeof point);
	ctx = EVP_PKEY_CTX_new (peer, NULL);
	ck_assert_int_eq (EVP_PKEY_derive_init (ctx), 1);
	ck_assert_int_eq (EVP_PKEY_derive_set_peer (ctx, ec_key), 1);
	ck_assert_int_eq (EVP_PKEY_derive (ctx, secret, &secret_len), 1);
	EVP_PKEY_CTX_free (ctx);
	EVP_PKEY_free (peer);
	ck_assert_int_eq (f->C_DeriveKey (sess, &ecdh, ec_h, dt, 2, &derived), CKR_OK);
	ck_assert_int_eq (f->C_GetAttributeValue (sess, derived, &val, 1), CKR_OK);
	ck_assert_mem_eq (got, secret, sizeof secret);

	log = read_log ();
	/* the operations were traced: the search below means something */
	ck_assert_ptr_nonnull (strstr (log, "> 00 FE"));        /* IMPORT ASYMMETRIC KEY */
	ck_assert_ptr_nonnull (strstr (log, "> 00 87 07 9D"));  /* RSA decipher */
	ck_assert_ptr_nonnull (strstr (log, "> 00 87 11 82"));  /* ECDH */
	ck_assert_ptr_nonnull (strstr (log, " 9B "));           /* management key authentication */
	assert_not_logged (log, plain, sizeof plain, "the RSA plaintext");
	assert_not_logged (log, secret, sizeof secret, "the ECDH shared secret");
	for (i = 0; i < sizeof parts / sizeof parts[0]; i++) {
		n = bn_param (rsa_key, parts[i], part, 0);
		assert_not_logged (log, part, n, parts[i]);
	}
	n = bn_param (ec_key, OSSL_PKEY_PARAM_PRIV_KEY, part, 32);
	assert_not_logged (log, part, n, "the EC private key");
	/* the default management key, and no challenge / response of the admin authentication */
	assert_not_logged (log, (const uint8_t *)"\x01\x02\x03\x04\x05\x06\x07\x08\x01\x02\x03\x04", 12,
	                   "the management key");
	assert_general_auth_redacted (log);
	assert_not_logged (log, (const uint8_t *)"123456", 6, "the PIN");
	free (log);
}
END_TEST

int
main (void)
{
	Suite *s = suite_create ("secrets");
	TCase *tc = tcase_create ("log");
	SRunner *sr;
	int failed;

	rsa_key = EVP_PKEY_Q_keygen (NULL, NULL, "RSA", (size_t)2048);
	ec_key = EVP_PKEY_Q_keygen (NULL, NULL, "EC", "P-256");
	tcase_set_timeout (tc, 120);
	tcase_add_checked_fixture (tc, setup, teardown);
	tcase_add_test (tc, test_import_decrypt_derive);
	suite_add_tcase (s, tc);
	sr = srunner_create (s);
	srunner_set_fork_status (sr, CK_NOFORK);
	srunner_run_all (sr, CK_ENV);
	failed = srunner_ntests_failed (sr);
	srunner_free (sr);
	EVP_PKEY_free (rsa_key);
	EVP_PKEY_free (ec_key);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
