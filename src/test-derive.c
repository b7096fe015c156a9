/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * src/test-derive.c: ECDH with the ANSI X9.63 KDF (CKD_SHA*_KDF and shared data), as NSS
 * 3.12x asks for it to decrypt ECDH S/MIME (RFC 5753): the key made is checked against the
 * KDF computed here by hand (hash of Z, a 32-bit counter and the shared info, block after
 * block) over the shared secret OpenSSL computes with the mock card's key. Then, as NSS does
 * next, the content key unwrapped with that key-encryption key (CKM_AES_KEY_WRAP, RFC 3394),
 * against a wrap made here with OpenSSL.
 */
#include "config.h"

#include "src/test-mock.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/rand.h>

static CK_FUNCTION_LIST_PTR f;
static CK_SESSION_HANDLE sess;
static CK_SLOT_ID slot;
static CK_UTF8CHAR pin[] = MOCK_PIN;
static unsigned char point[65], z[32];

static void
setup (void)
{
	CK_C_INITIALIZE_ARGS args = { NULL, NULL, NULL, NULL,
	                              CKF_LIBRARY_CANT_CREATE_OS_THREADS | CKF_OS_LOCKING_OK, NULL };
	CK_ULONG n = 1;
	EVP_PKEY *peer = EVP_PKEY_Q_keygen (NULL, NULL, "EC", "P-256");
	EVP_PKEY_CTX *ctx;
	size_t plen = 0, zlen = sizeof z;

	tsr_set_backend (&mock_backend);
	mock_setup (1, true);
	ck_assert_int_eq (tsr_get_function_list (&f), CKR_OK);
	ck_assert_int_eq (f->C_Initialize (&args), CKR_OK);
	ck_assert_int_eq (f->C_GetSlotList (CK_TRUE, &slot, &n), CKR_OK);
	ck_assert_int_eq (f->C_OpenSession (slot, CKF_SERIAL_SESSION, NULL, NULL, &sess), CKR_OK);
	ck_assert_int_eq (f->C_Login (sess, CKU_USER, pin, 6), CKR_OK);
	/* the sender's side: an ephemeral key and Z with the card's 82 key (OpenSSL) */
	EVP_PKEY_get_octet_string_param (peer, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof point, &plen);
	ck_assert_uint_eq (plen, 65);
	ctx = EVP_PKEY_CTX_new (peer, NULL);
	EVP_PKEY_derive_init (ctx);
	EVP_PKEY_derive_set_peer (ctx, mock_key_by_ref (0x82)->key);
	ck_assert_int_eq (EVP_PKEY_derive (ctx, z, &zlen), 1);
	ck_assert_uint_eq (zlen, 32);
	EVP_PKEY_CTX_free (ctx);
	EVP_PKEY_free (peer);
}

static void
teardown (void)
{
	if (tsr.initialized)
		f->C_Finalize (NULL);
}

/* X9.63: K = H(Z || 00000001 || info) || H(Z || 00000002 || info) ..., cut to LEN. */
static void
x963 (const EVP_MD *md, const unsigned char *info, size_t info_len, unsigned char *out, size_t len)
{
	unsigned char block[EVP_MAX_MD_SIZE];
	uint32_t counter;
	size_t done = 0;

	for (counter = 1; done < len; counter++) {
		unsigned char c[4] = { (unsigned char)(counter >> 24), (unsigned char)(counter >> 16),
		                       (unsigned char)(counter >> 8), (unsigned char)counter };
		EVP_MD_CTX *h = EVP_MD_CTX_new ();
		unsigned int bl = 0;
		EVP_DigestInit_ex (h, md, NULL);
		EVP_DigestUpdate (h, z, sizeof z);
		EVP_DigestUpdate (h, c, 4);
		EVP_DigestUpdate (h, info, info_len);
		EVP_DigestFinal_ex (h, block, &bl);
		EVP_MD_CTX_free (h);
		memcpy (out + done, block, len - done < bl ? len - done : bl);
		done += len - done < bl ? len - done : bl;
	}
}

static CK_OBJECT_HANDLE
ecdh_key (void)
{
	CK_OBJECT_CLASS klass = CKO_PRIVATE_KEY;
	CK_BYTE id = 5;
	CK_ATTRIBUTE t[] = { { CKA_CLASS, &klass, sizeof klass }, { CKA_ID, &id, 1 } };
	CK_OBJECT_HANDLE h;
	CK_ULONG n = 0;

	ck_assert_int_eq (f->C_FindObjectsInit (sess, t, 2), CKR_OK);
	ck_assert_int_eq (f->C_FindObjects (sess, &h, 1, &n), CKR_OK);
	ck_assert_int_eq (f->C_FindObjectsFinal (sess), CKR_OK);
	ck_assert_uint_eq (n, 1);
	return h;
}

/* C_DeriveKey with KDF, INFO, a key of type KT and (when LEN > 0) CKA_VALUE_LEN LEN;
 * the key's value into OUT. */
static CK_RV
derive (CK_ULONG kdf, unsigned char *info, size_t info_len, CK_KEY_TYPE kt, CK_ULONG len,
        unsigned char *out, CK_ULONG *out_len)
{
	CK_ECDH1_DERIVE_PARAMS params = { kdf, info_len, info_len ? info : NULL, sizeof point, point };
	CK_MECHANISM m = { CKM_ECDH1_DERIVE, &params, sizeof params };
	CK_OBJECT_CLASS sk = CKO_SECRET_KEY;
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	CK_ATTRIBUTE templ[] = { { CKA_CLASS, &sk, sizeof sk }, { CKA_KEY_TYPE, &kt, sizeof kt },
	                         { CKA_SENSITIVE, &no, 1 }, { CKA_UNWRAP, &yes, 1 },
	                         { CKA_VALUE_LEN, &len, sizeof len } };
	CK_ATTRIBUTE val = { CKA_VALUE, out, *out_len };
	CK_OBJECT_HANDLE key;
	CK_RV rv;

	rv = f->C_DeriveKey (sess, &m, ecdh_key (), templ, len > 0 ? 5 : 4, &key);
	if (rv != CKR_OK)
		return rv;
	ck_assert_int_eq (f->C_GetAttributeValue (sess, key, &val, 1), CKR_OK);
	*out_len = val.ulValueLen;
	return CKR_OK;
}

START_TEST (test_kdf_sha256_aes)
{
	/* what NSS sends for an AES-256 key-wrap KEK: SHA-256 KDF, the ECC-CMS-SharedInfo DER */
	unsigned char info[] = { 0x30, 0x12, 0x30, 0x0b, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03,
	                         0x04, 0x01, 0x2d, 0xa2, 0x04, 0x04, 0x02, 0x00, 0x00, 0x01 };
	unsigned char want[32], got[64];
	CK_ULONG got_len = sizeof got;

	x963 (EVP_sha256 (), info, sizeof info, want, sizeof want);
	ck_assert_int_eq (derive (CKD_SHA256_KDF, info, sizeof info, CKK_AES, 32, got, &got_len), CKR_OK);
	ck_assert_uint_eq (got_len, 32);
	ck_assert (memcmp (got, want, 32) == 0);
	ck_assert (memcmp (got, z, 32) != 0);
}
END_TEST

START_TEST (test_kdf_sha1_two_blocks)
{
	/* OpenSSL's default for ECDH CMS: dhSinglePass-stdDH-sha1kdf; 32 bytes are two SHA-1 blocks */
	unsigned char info[] = "shared info";
	unsigned char want[32], got[64];
	CK_ULONG got_len = sizeof got;

	x963 (EVP_sha1 (), info, sizeof info - 1, want, sizeof want);
	ck_assert_int_eq (derive (CKD_SHA1_KDF, info, sizeof info - 1, CKK_GENERIC_SECRET, 32, got, &got_len),
	                  CKR_OK);
	ck_assert_uint_eq (got_len, 32);
	ck_assert (memcmp (got, want, 32) == 0);
	/* no shared info: allowed */
	x963 (EVP_sha384 (), NULL, 0, want, 24);
	got_len = sizeof got;
	ck_assert_int_eq (derive (CKD_SHA384_KDF, NULL, 0, CKK_DES3, 0, got, &got_len), CKR_OK);
	ck_assert_uint_eq (got_len, 24);
	ck_assert (memcmp (got, want, 24) == 0);
}
END_TEST

START_TEST (test_kdf_bad_input)
{
	unsigned char info[] = "x", got[64];
	CK_ULONG got_len = sizeof got;
	int ops = mock.private_ops;

	/* no length: the KDF could make any; refused before the card is asked (a PIN-always
	 * key's context login is not spent on it) */
	ck_assert_int_eq (derive (CKD_SHA256_KDF, NULL, 0, CKK_GENERIC_SECRET, 0, got, &got_len),
	                  CKR_TEMPLATE_INCOMPLETE);
	ck_assert_int_eq (derive (CKD_SHA256_KDF, NULL, 0, CKK_GENERIC_SECRET, 65, got, &got_len),
	                  CKR_TEMPLATE_INCONSISTENT);
	ck_assert_int_eq (mock.private_ops, ops);
	ck_assert_int_eq (derive (CKD_SHA256_KDF, NULL, 0, CKK_AES, 20, got, &got_len),
	                  CKR_TEMPLATE_INCONSISTENT);
	/* an unknown KDF; shared info without a KDF */
	ck_assert_int_eq (derive (0x99, NULL, 0, CKK_AES, 32, got, &got_len), CKR_MECHANISM_PARAM_INVALID);
	ck_assert_int_eq (derive (CKD_NULL, info, 1, CKK_AES, 32, got, &got_len), CKR_MECHANISM_PARAM_INVALID);
	/* CKD_NULL still gives Z itself */
	got_len = sizeof got;
	ck_assert_int_eq (derive (CKD_NULL, NULL, 0, CKK_GENERIC_SECRET, 32, got, &got_len), CKR_OK);
	ck_assert (memcmp (got, z, 32) == 0);
}
END_TEST

/* Wrap KEY (LEN bytes) with KEK (32 bytes) by RFC 3394, here, with OpenSSL. */
static int
wrap (const unsigned char *kek, const unsigned char *key, int len, unsigned char *out)
{
	EVP_CIPHER *c = EVP_CIPHER_fetch (NULL, "AES-256-WRAP", NULL);
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new ();
	int n = 0, fin = 0;

	ck_assert (EVP_EncryptInit_ex2 (ctx, c, kek, NULL, NULL));
	ck_assert (EVP_EncryptUpdate (ctx, out, &n, key, len));
	ck_assert (EVP_EncryptFinal_ex (ctx, out + n, &fin));
	EVP_CIPHER_CTX_free (ctx);
	EVP_CIPHER_free (c);
	return n + fin;
}

/* The KEK as NSS derives it for ECDH S/MIME (template: class, key type AES, CKA_WRAP,
 * CKA_VALUE_LEN 32; SHA-256 KDF), and its value (computed here) in KEK. */
static CK_OBJECT_HANDLE
derive_kek (unsigned char *kek, CK_BBOOL *unwrap)
{
	unsigned char info[] = "ECC-CMS-SharedInfo";
	CK_ECDH1_DERIVE_PARAMS params = { CKD_SHA256_KDF, sizeof info - 1, info, sizeof point, point };
	CK_MECHANISM m = { CKM_ECDH1_DERIVE, &params, sizeof params };
	CK_OBJECT_CLASS sk = CKO_SECRET_KEY;
	CK_KEY_TYPE kt = CKK_AES;
	CK_BBOOL yes = CK_TRUE;
	CK_ULONG len = 32;
	CK_ATTRIBUTE templ[] = { { CKA_CLASS, &sk, sizeof sk }, { CKA_KEY_TYPE, &kt, sizeof kt },
	                         { CKA_WRAP, &yes, 1 }, { CKA_VALUE_LEN, &len, sizeof len },
	                         { CKA_UNWRAP, unwrap, 1 } };
	CK_OBJECT_HANDLE h;

	x963 (EVP_sha256 (), info, sizeof info - 1, kek, 32);
	ck_assert_int_eq (f->C_DeriveKey (sess, &m, ecdh_key (), templ, unwrap != NULL ? 5 : 4, &h), CKR_OK);
	return h;
}

static CK_RV
unwrap (CK_OBJECT_HANDLE kek, unsigned char *wrapped, CK_ULONG wrapped_len, CK_OBJECT_HANDLE *out)
{
	CK_MECHANISM m = { CKM_AES_KEY_WRAP, NULL, 0 };
	CK_OBJECT_CLASS sk = CKO_SECRET_KEY;
	CK_KEY_TYPE kt = CKK_AES;
	CK_BBOOL yes = CK_TRUE;
	CK_ATTRIBUTE templ[] = { { CKA_CLASS, &sk, sizeof sk }, { CKA_KEY_TYPE, &kt, sizeof kt },
	                         { CKA_DECRYPT, &yes, 1 } };

	return f->C_UnwrapKey (sess, &m, kek, wrapped, wrapped_len, templ, 3, out);
}

START_TEST (test_aes_unwrap)
{
	unsigned char kek[32], content_key[32], wrapped[48], got[64];
	CK_ATTRIBUTE val = { CKA_VALUE, got, sizeof got };
	CK_OBJECT_HANDLE h, key;
	CK_MECHANISM_INFO info;
	CK_BBOOL no = CK_FALSE;
	int wl;

	ck_assert_int_eq (f->C_GetMechanismInfo (slot, CKM_AES_KEY_WRAP, &info), CKR_OK);
	ck_assert_uint_eq (info.flags, CKF_UNWRAP);
	h = derive_kek (kek, NULL);
	RAND_bytes (content_key, sizeof content_key);
	wl = wrap (kek, content_key, sizeof content_key, wrapped);
	ck_assert_int_eq (wl, 40);
	ck_assert_int_eq (unwrap (h, wrapped, (CK_ULONG)wl, &key), CKR_OK);
	ck_assert_int_eq (f->C_GetAttributeValue (sess, key, &val, 1), CKR_OK);
	ck_assert_uint_eq (val.ulValueLen, 32);
	ck_assert (memcmp (got, content_key, 32) == 0);
	/* altered data fails RFC 3394's check; lengths that cannot be a wrap */
	wrapped[5] ^= 1;
	ck_assert_int_eq (unwrap (h, wrapped, (CK_ULONG)wl, &key), CKR_WRAPPED_KEY_INVALID);
	ck_assert_int_eq (unwrap (h, wrapped, 20, &key), CKR_WRAPPED_KEY_LEN_RANGE);
	ck_assert_int_eq (unwrap (h, wrapped, 16, &key), CKR_WRAPPED_KEY_LEN_RANGE);
	/* a key the template forbade to unwrap; a card's private key is no AES key */
	h = derive_kek (kek, &no);
	wrapped[5] ^= 1;
	ck_assert_int_eq (unwrap (h, wrapped, (CK_ULONG)wl, &key), CKR_KEY_FUNCTION_NOT_PERMITTED);
	ck_assert_int_eq (unwrap (ecdh_key (), wrapped, (CK_ULONG)wl, &key), CKR_UNWRAPPING_KEY_TYPE_INCONSISTENT);
}
END_TEST

int
main (void)
{
	Suite *s = suite_create ("derive");
	TCase *tc = tcase_create ("x963");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture (tc, setup, teardown);
	tcase_add_test (tc, test_kdf_sha256_aes);
	tcase_add_test (tc, test_kdf_sha1_two_blocks);
	tcase_add_test (tc, test_kdf_bad_input);
	tcase_add_test (tc, test_aes_unwrap);
	suite_add_tcase (s, tc);
	sr = srunner_create (s);
	srunner_run_all (sr, CK_ENV);
	failed = srunner_ntests_failed (sr);
	srunner_free (sr);
	mock_teardown ();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
