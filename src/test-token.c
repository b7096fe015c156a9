/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * src/test-token.c: the front end with a (mock) card: token info and PIN
 * counters, sessions and login states, objects and attributes, searches, every
 * mechanism checked by OpenSSL against the card's keys, PIN-always, restoring the
 * login after a reset by another process, card removal, slot events, threads.
 */
#include "config.h"

#include "src/test-mock.h"
#include "src/test-p11.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

static CK_FUNCTION_LIST_PTR f;
static CK_SLOT_ID slot;
static CK_SESSION_HANDLE sess;
static CK_UTF8CHAR pin[] = MOCK_PIN;

static void
init_with (CK_FLAGS flags)
{
	CK_C_INITIALIZE_ARGS args = { NULL, NULL, NULL, NULL, flags, NULL };
	CK_SLOT_ID slots[4];
	CK_ULONG n = 4;

	tsr_set_backend (&mock_backend);
	mock_setup (2, true);
	ck_assert_int_eq (tsr_get_function_list (&f), CKR_OK);
	ck_assert_int_eq (f->C_Initialize (&args), CKR_OK);
	ck_assert_int_eq (f->C_GetSlotList (CK_TRUE, slots, &n), CKR_OK);
	ck_assert_int_eq (n, 1);
	slot = slots[0];
	ck_assert_int_eq (f->C_OpenSession (slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &sess), CKR_OK);
}

static void
setup (void)
{
	/* as NSS does: no thread of ours, OS locking */
	init_with (CKF_LIBRARY_CANT_CREATE_OS_THREADS | CKF_OS_LOCKING_OK);
}

static void
teardown (void)
{
	if (tsr.initialized)
		f->C_Finalize (NULL);
}

static void
login (void)
{
	ck_assert_int_eq (f->C_Login (sess, CKU_USER, pin, 6), CKR_OK);
}

/* Find the objects matching TEMPL; returns how many (handles in OUT, up to 32). */
static CK_ULONG
find (CK_ATTRIBUTE *templ, CK_ULONG count, CK_OBJECT_HANDLE *out)
{
	CK_OBJECT_HANDLE buf[32];
	CK_ULONG n = 0;

	ck_assert_int_eq (f->C_FindObjectsInit (sess, templ, count), CKR_OK);
	ck_assert_int_eq (f->C_FindObjects (sess, out ? out : buf, 32, &n), CKR_OK);
	ck_assert_int_eq (f->C_FindObjectsFinal (sess), CKR_OK);
	return n;
}

static CK_OBJECT_HANDLE
find_key (CK_OBJECT_CLASS klass, CK_BYTE id)
{
	CK_ATTRIBUTE t[] = { { CKA_CLASS, &klass, sizeof klass }, { CKA_ID, &id, 1 } };
	CK_OBJECT_HANDLE h[32];

	ck_assert_int_eq (find (t, 2, h), 1);
	return h[0];
}

START_TEST (test_token_info)
{
	CK_TOKEN_INFO ti;
	CK_SLOT_INFO si;
	CK_SESSION_INFO info;
	CK_SESSION_HANDLE ro;
	int calls;

	calls = mock.card_calls;
	ck_assert_int_eq (f->C_GetTokenInfo (slot, &ti), CKR_OK);
	ck_assert (memcmp (ti.label, "Alice Test #12345678            ", 32) == 0);
	ck_assert (memcmp (ti.manufacturerID, "Yubico ", 7) == 0);
	ck_assert (memcmp (ti.serialNumber, "12345678        ", 16) == 0);
	ck_assert_uint_eq (ti.flags, CKF_RNG | CKF_LOGIN_REQUIRED | CKF_USER_PIN_INITIALIZED | CKF_TOKEN_INITIALIZED);
	ck_assert_uint_eq (ti.ulSessionCount, 1);
	ck_assert_uint_eq (ti.ulRwSessionCount, 1);
	ck_assert_uint_eq (ti.ulMinPinLen, 6);
	ck_assert_uint_eq (ti.ulMaxPinLen, 8);
	ck_assert_int_eq (f->C_OpenSession (slot, CKF_SERIAL_SESSION, NULL, NULL, &ro), CKR_OK);
	ck_assert_int_eq (f->C_GetTokenInfo (slot, &ti), CKR_OK);
	ck_assert_uint_eq (ti.ulSessionCount, 2);
	ck_assert_uint_eq (ti.ulRwSessionCount, 1);
	ck_assert_int_eq (f->C_GetSlotInfo (slot, &si), CKR_OK);
	ck_assert_uint_eq (si.flags, CKF_TOKEN_PRESENT | CKF_REMOVABLE_DEVICE | CKF_HW_SLOT);
	ck_assert_int_eq (f->C_GetSessionInfo (ro, &info), CKR_OK);
	/* none of these talked to the card */
	ck_assert_int_eq (mock.card_calls, calls);
}
END_TEST

START_TEST (test_sessions_and_login)
{
	CK_SESSION_HANDLE ro, other;
	CK_SESSION_INFO info;

	ck_assert_int_eq (f->C_OpenSession (slot, CKF_SERIAL_SESSION, NULL, NULL, &ro), CKR_OK);
	ck_assert_int_ne (ro, 0);
	ck_assert_int_ne (ro, sess);
	ck_assert_int_eq (f->C_GetSessionInfo (ro, NULL), CKR_ARGUMENTS_BAD);
	ck_assert_int_eq (f->C_GetSessionInfo (ro, &info), CKR_OK);
	ck_assert_uint_eq (info.state, CKS_RO_PUBLIC_SESSION);
	ck_assert_uint_eq (info.flags, CKF_SERIAL_SESSION);
	ck_assert_uint_eq (info.slotID, slot);
	ck_assert_int_eq (f->C_GetSessionInfo (sess, &info), CKR_OK);
	ck_assert_uint_eq (info.state, CKS_RW_PUBLIC_SESSION);
	ck_assert_int_eq (f->C_Logout (sess), CKR_USER_NOT_LOGGED_IN);
	ck_assert_int_eq (f->C_Login (ro, CKU_USER, pin, 6), CKR_OK);   /* the login is the application's */
	ck_assert_int_eq (f->C_Login (sess, CKU_USER, pin, 6), CKR_USER_ALREADY_LOGGED_IN);
	ck_assert_int_eq (f->C_GetSessionInfo (sess, &info), CKR_OK);
	ck_assert_uint_eq (info.state, CKS_RW_USER_FUNCTIONS);
	ck_assert_int_eq (f->C_GetSessionInfo (ro, &info), CKR_OK);
	ck_assert_uint_eq (info.state, CKS_RO_USER_FUNCTIONS);
	ck_assert_int_eq (f->C_Logout (ro), CKR_OK);
	ck_assert_int_eq (f->C_GetSessionInfo (sess, &info), CKR_OK);
	ck_assert_uint_eq (info.state, CKS_RW_PUBLIC_SESSION);
	ck_assert (!mock.pin_verified);   /* the card forgot the PIN too */
	/* closing the last session ends the login */
	login ();
	ck_assert_int_eq (f->C_CloseSession (ro), CKR_OK);
	ck_assert_int_eq (f->C_CloseSession (ro), CKR_SESSION_HANDLE_INVALID);
	ck_assert_int_eq (f->C_CloseAllSessions (slot), CKR_OK);
	ck_assert_int_eq (f->C_GetSessionInfo (sess, &info), CKR_SESSION_HANDLE_INVALID);
	ck_assert_int_eq (f->C_OpenSession (slot, CKF_SERIAL_SESSION, NULL, NULL, &other), CKR_OK);
	ck_assert_int_gt (other, ro);   /* handles are counters, never reused */
	ck_assert_int_eq (f->C_GetSessionInfo (other, &info), CKR_OK);
	ck_assert_uint_eq (info.state, CKS_RO_PUBLIC_SESSION);
	sess = other;
}
END_TEST

START_TEST (test_pin_counters)
{
	CK_UTF8CHAR wrong[] = "654321";
	CK_TOKEN_INFO ti;
	int calls;

	calls = mock.card_calls;
	ck_assert_int_eq (f->C_Login (sess, CKU_USER, wrong, 3), CKR_PIN_LEN_RANGE);
	ck_assert_int_eq (f->C_Login (sess, CKU_USER, NULL, 6), CKR_ARGUMENTS_BAD);
	ck_assert_int_eq (f->C_Login (sess, 77, pin, 6), CKR_USER_TYPE_INVALID);
	ck_assert_int_eq (mock.card_calls, calls);
	ck_assert_int_eq (f->C_Login (sess, CKU_USER, wrong, 6), CKR_PIN_INCORRECT);
	ck_assert_int_eq (f->C_GetTokenInfo (slot, &ti), CKR_OK);
	ck_assert_uint_eq (ti.flags & (CKF_USER_PIN_COUNT_LOW | CKF_USER_PIN_FINAL_TRY | CKF_USER_PIN_LOCKED),
	                   CKF_USER_PIN_COUNT_LOW);
	ck_assert_int_eq (f->C_Login (sess, CKU_USER, wrong, 6), CKR_PIN_INCORRECT);
	ck_assert_int_eq (f->C_GetTokenInfo (slot, &ti), CKR_OK);
	ck_assert (ti.flags & CKF_USER_PIN_FINAL_TRY);
	login ();
	ck_assert_int_eq (f->C_GetTokenInfo (slot, &ti), CKR_OK);
	ck_assert_uint_eq (ti.flags & (CKF_USER_PIN_COUNT_LOW | CKF_USER_PIN_FINAL_TRY | CKF_USER_PIN_LOCKED), 0);
	ck_assert_int_eq (f->C_Logout (sess), CKR_OK);
	ck_assert_int_eq (f->C_Login (sess, CKU_USER, wrong, 6), CKR_PIN_INCORRECT);
	ck_assert_int_eq (f->C_Login (sess, CKU_USER, wrong, 6), CKR_PIN_INCORRECT);
	ck_assert_int_eq (f->C_Login (sess, CKU_USER, wrong, 6), CKR_PIN_LOCKED);
	ck_assert_int_eq (f->C_GetTokenInfo (slot, &ti), CKR_OK);
	ck_assert (ti.flags & CKF_USER_PIN_LOCKED);
	ck_assert_int_eq (f->C_Login (sess, CKU_USER, pin, 6), CKR_PIN_LOCKED);
}
END_TEST

static void
der_of_cert (uint8_t ref, unsigned char **der, int *len)
{
	*der = NULL;
	*len = i2d_X509 (mock_key_by_ref (ref)->cert, der);
	ck_assert_int_gt (*len, 0);
}

START_TEST (test_find)
{
	CK_OBJECT_CLASS cert = CKO_CERTIFICATE, profile = CKO_PROFILE, trust = 0xCE534353UL;
	CK_BBOOL yes = CK_TRUE;
	CK_BYTE id = 1;
	CK_ATTRIBUTE all[] = { { CKA_TOKEN, &yes, 1 } };
	CK_ATTRIBUTE certs[] = { { CKA_CLASS, &cert, sizeof cert } };
	CK_ATTRIBUTE byid[] = { { CKA_ID, &id, 1 } };
	CK_ATTRIBUTE prof[] = { { CKA_CLASS, &profile, sizeof profile } };
	CK_ATTRIBUTE nss[] = { { CKA_CLASS, &trust, sizeof trust } };
	CK_ATTRIBUTE label[] = { { CKA_LABEL, (void *)"Certificate for PIV Authentication", 34 } };
	CK_OBJECT_HANDLE h[32];
	X509 *x = mock_key_by_ref (0x9A)->cert;
	unsigned char *issuer = NULL, *serial = NULL, *subject = NULL, *der = NULL;
	int il = i2d_X509_NAME (X509_get_issuer_name (x), &issuer);
	int sl = i2d_ASN1_INTEGER (X509_get_serialNumber (x), &serial);
	int subl = i2d_X509_NAME (X509_get_subject_name (x), &subject);
	int dl;
	CK_PROFILE_ID pid = 0;
	CK_ATTRIBUTE get_pid = { CKA_PROFILE_ID, &pid, sizeof pid };
	int calls = mock.card_calls;

	der_of_cert (0x9A, &der, &dl);
	{
		CK_ATTRIBUTE by_is[] = { { CKA_CLASS, &cert, sizeof cert }, { CKA_ISSUER, issuer, (CK_ULONG)il },
		                         { CKA_SERIAL_NUMBER, serial, (CK_ULONG)sl } };
		CK_ATTRIBUTE by_value[] = { { CKA_VALUE, der, (CK_ULONG)dl } };
		CK_ATTRIBUTE by_subject[] = { { CKA_SUBJECT, subject, (CK_ULONG)subl } };

		/* 5 certificates, 5 public keys, the profile; private keys need a login */
		ck_assert_uint_eq (find (all, 1, NULL), 11);
		ck_assert_uint_eq (find (NULL, 0, NULL), 11);
		ck_assert_uint_eq (find (certs, 1, NULL), 5);
		ck_assert_uint_eq (find (byid, 1, NULL), 2);
		ck_assert_uint_eq (find (by_is, 3, h), 1);
		ck_assert_uint_eq (find (by_value, 1, NULL), 1);
		ck_assert_uint_eq (find (label, 1, NULL), 1);
		ck_assert_uint_eq (find (by_subject, 1, NULL), 2);   /* certificate, public key */
		ck_assert_uint_eq (find (nss, 1, NULL), 0);
		ck_assert_uint_eq (find (prof, 1, h), 1);
		ck_assert_int_eq (f->C_GetAttributeValue (sess, h[0], &get_pid, 1), CKR_OK);
		ck_assert_uint_eq (pid, CKP_PUBLIC_CERTIFICATES_TOKEN);
		ck_assert_int_eq (mock.card_calls, calls);   /* all from the cache */
		login ();
		ck_assert_uint_eq (find (all, 1, NULL), 16);
		ck_assert_uint_eq (find (byid, 1, NULL), 3);
		ck_assert_uint_eq (find (by_subject, 1, NULL), 3);
	}
	ck_assert_int_eq (f->C_FindObjects (sess, h, 1, NULL), CKR_ARGUMENTS_BAD);
	ck_assert_int_eq (f->C_FindObjectsFinal (sess), CKR_OPERATION_NOT_INITIALIZED);
	ck_assert_int_eq (f->C_FindObjectsInit (sess, NULL, 0), CKR_OK);
	ck_assert_int_eq (f->C_FindObjectsInit (sess, NULL, 0), CKR_OPERATION_ACTIVE);
	OPENSSL_free (issuer);
	OPENSSL_free (serial);
	OPENSSL_free (subject);
	OPENSSL_free (der);
}
END_TEST

START_TEST (test_attributes)
{
	CK_OBJECT_HANDLE priv, pub, ecpub;
	CK_BYTE modulus[512], small[4], value[8], point[128];
	CK_ATTRIBUTE t[3];
	BIGNUM *n = NULL;
	unsigned char nbin[256];
	size_t plen = 0;
	unsigned char raw[80];
	CK_RV rv;

	pub = find_key (CKO_PUBLIC_KEY, 1);
	ck_assert_int_eq (f->C_GetAttributeValue (sess, pub, NULL, 1), CKR_ARGUMENTS_BAD);
	t[0].type = CKA_MODULUS; t[0].pValue = NULL; t[0].ulValueLen = 0;
	ck_assert_int_eq (f->C_GetAttributeValue (sess, pub, t, 1), CKR_OK);
	ck_assert_uint_eq (t[0].ulValueLen, 256);
	t[0].pValue = modulus; t[0].ulValueLen = sizeof modulus;
	t[1].type = 0x7fffff00UL; t[1].pValue = value; t[1].ulValueLen = sizeof value;
	t[2].type = CKA_PUBLIC_EXPONENT; t[2].pValue = small; t[2].ulValueLen = 1;
	rv = f->C_GetAttributeValue (sess, pub, t, 3);
	/* either error may be reported; every attribute is processed */
	ck_assert (rv == CKR_ATTRIBUTE_TYPE_INVALID || rv == CKR_BUFFER_TOO_SMALL);
	ck_assert_uint_eq (t[0].ulValueLen, 256);
	ck_assert_uint_eq (t[1].ulValueLen, CK_UNAVAILABLE_INFORMATION);
	ck_assert_uint_eq (t[2].ulValueLen, CK_UNAVAILABLE_INFORMATION);
	EVP_PKEY_get_bn_param (mock_key_by_ref (0x9A)->key, OSSL_PKEY_PARAM_RSA_N, &n);
	BN_bn2binpad (n, nbin, 256);
	BN_free (n);
	ck_assert (memcmp (modulus, nbin, 256) == 0);

	/* private keys: invisible before login, then sensitive, card-resident, usage from slot/KU */
	{
		CK_OBJECT_CLASS pk = CKO_PRIVATE_KEY;
		CK_ATTRIBUTE c = { CKA_CLASS, &pk, sizeof pk };
		ck_assert_uint_eq (find (&c, 1, NULL), 0);
	}
	login ();
	priv = find_key (CKO_PRIVATE_KEY, 1);
	t[0].type = CKA_VALUE; t[0].pValue = value; t[0].ulValueLen = sizeof value;
	ck_assert_int_eq (f->C_GetAttributeValue (sess, priv, t, 1), CKR_ATTRIBUTE_SENSITIVE);
	ck_assert_uint_eq (t[0].ulValueLen, CK_UNAVAILABLE_INFORMATION);
	t[0].type = CKA_MODULUS; t[0].pValue = modulus; t[0].ulValueLen = sizeof modulus;
	ck_assert_int_eq (f->C_GetAttributeValue (sess, priv, t, 1), CKR_OK);   /* NSS reads it for the size */
	ck_assert (memcmp (modulus, nbin, 256) == 0);
	ck_assert_int_eq (p11_bool (f, sess, priv, CKA_SENSITIVE), CK_TRUE);
	ck_assert_int_eq (p11_bool (f, sess, priv, CKA_EXTRACTABLE), CK_FALSE);
	ck_assert_int_eq (p11_bool (f, sess, priv, CKA_PRIVATE), CK_TRUE);
	ck_assert_int_eq (p11_bool (f, sess, priv, CKA_TOKEN), CK_TRUE);
	ck_assert_int_eq (p11_bool (f, sess, priv, CKA_LOCAL), CK_TRUE);
	ck_assert_int_eq (p11_bool (f, sess, priv, CKA_ALWAYS_AUTHENTICATE), CK_FALSE);
	ck_assert_int_eq (p11_bool (f, sess, priv, CKA_SIGN), CK_TRUE);      /* 9A, no key usage: slot default */
	ck_assert_int_eq (p11_bool (f, sess, priv, CKA_DECRYPT), CK_TRUE);
	ck_assert_int_eq (p11_bool (f, sess, find_key (CKO_PRIVATE_KEY, 2), CKA_ALWAYS_AUTHENTICATE), CK_TRUE);
	ck_assert_int_eq (p11_bool (f, sess, find_key (CKO_PRIVATE_KEY, 2), CKA_DERIVE), CK_FALSE);
	ck_assert_int_eq (p11_bool (f, sess, find_key (CKO_PRIVATE_KEY, 3), CKA_SIGN), CK_FALSE);   /* keyEncipherment only */
	ck_assert_int_eq (p11_bool (f, sess, find_key (CKO_PRIVATE_KEY, 3), CKA_UNWRAP), CK_TRUE);
	ck_assert_int_eq (p11_bool (f, sess, find_key (CKO_PRIVATE_KEY, 5), CKA_DERIVE), CK_TRUE);
	ck_assert_int_eq (f->C_SetAttributeValue (sess, priv, t, 1), CKR_ATTRIBUTE_READ_ONLY);   /* setattr.c */
	ck_assert_int_eq (f->C_DestroyObject (sess, priv), CKR_ACTION_PROHIBITED);   /* PIV keys stay */

	/* EC public key: CKA_EC_POINT is the DER OCTET STRING of the uncompressed point */
	ecpub = find_key (CKO_PUBLIC_KEY, 2);
	t[0].type = CKA_EC_POINT; t[0].pValue = point; t[0].ulValueLen = sizeof point;
	ck_assert_int_eq (f->C_GetAttributeValue (sess, ecpub, t, 1), CKR_OK);
	ck_assert_uint_eq (t[0].ulValueLen, 67);
	EVP_PKEY_get_octet_string_param (mock_key_by_ref (0x9C)->key, OSSL_PKEY_PARAM_PUB_KEY, raw, sizeof raw, &plen);
	ck_assert_uint_eq (plen, 65);
	ck_assert (point[0] == 0x04 && point[1] == 65 && memcmp (point + 2, raw, 65) == 0);
}
END_TEST

static void
openssl_verify (uint8_t ref, const EVP_MD *md, int pad, const uint8_t *tbs, size_t tbs_len,
                const uint8_t *sig, size_t sig_len)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new (mock_key_by_ref (ref)->key, NULL);

	ck_assert_int_eq (EVP_PKEY_verify_init (ctx), 1);
	if (pad != 0) {
		ck_assert_int_gt (EVP_PKEY_CTX_set_rsa_padding (ctx, pad), 0);
		if (pad == RSA_PKCS1_PSS_PADDING)
			ck_assert_int_gt (EVP_PKEY_CTX_set_rsa_pss_saltlen (ctx, 32), 0);
	}
	if (md != NULL)
		ck_assert_int_gt (EVP_PKEY_CTX_set_signature_md (ctx, md), 0);
	ck_assert_int_eq (EVP_PKEY_verify (ctx, sig, sig_len, tbs, tbs_len), 1);
	EVP_PKEY_CTX_free (ctx);
}

START_TEST (test_sign_rsa)
{
	CK_RSA_PKCS_PSS_PARAMS pss = { CKM_SHA256, CKG_MGF1_SHA256, 32 };
	CK_MECHANISM m_pkcs = { CKM_RSA_PKCS, NULL, 0 };
	CK_MECHANISM m_sha = { CKM_SHA256_RSA_PKCS, NULL, 0 };
	CK_MECHANISM m_pss = { CKM_RSA_PKCS_PSS, &pss, sizeof pss };
	CK_MECHANISM m_shapss = { CKM_SHA256_RSA_PKCS_PSS, &pss, sizeof pss };
	CK_BYTE msg[] = "the quick brown fox", hash[32], sig[512];
	CK_ULONG len;
	CK_OBJECT_HANDLE key, pub;
	int ops;

	EVP_Digest (msg, sizeof msg - 1, hash, NULL, EVP_sha256 (), NULL);
	key = find_key (CKO_PUBLIC_KEY, 1);   /* no private key visible yet */
	ck_assert_int_eq (f->C_SignInit (sess, &m_pkcs, key), CKR_KEY_TYPE_INCONSISTENT);
	login ();
	key = find_key (CKO_PRIVATE_KEY, 1);
	pub = find_key (CKO_PUBLIC_KEY, 1);

	/* TLS 1.3: SHA256_RSA_PKCS_PSS, three updates; a length query costs no card operation */
	ops = mock.private_ops;
	ck_assert_int_eq (f->C_SignInit (sess, &m_shapss, key), CKR_OK);
	ck_assert_int_eq (f->C_SignInit (sess, &m_shapss, key), CKR_OPERATION_ACTIVE);
	ck_assert_int_eq (f->C_SignUpdate (sess, msg, 4), CKR_OK);
	ck_assert_int_eq (f->C_SignUpdate (sess, msg + 4, 6), CKR_OK);
	ck_assert_int_eq (f->C_SignUpdate (sess, msg + 10, sizeof msg - 11), CKR_OK);
	ck_assert_int_eq (f->C_SignFinal (sess, NULL, &len), CKR_OK);
	ck_assert_uint_eq (len, 256);
	len = 10;
	ck_assert_int_eq (f->C_SignFinal (sess, sig, &len), CKR_BUFFER_TOO_SMALL);
	ck_assert_int_eq (mock.private_ops, ops);
	len = sizeof sig;
	ck_assert_int_eq (f->C_SignFinal (sess, sig, &len), CKR_OK);
	ck_assert_int_eq (mock.private_ops, ops + 1);
	openssl_verify (0x9A, EVP_sha256 (), RSA_PKCS1_PSS_PADDING, hash, 32, sig, len);
	ck_assert_int_eq (f->C_SignFinal (sess, sig, &len), CKR_OPERATION_NOT_INITIALIZED);

	/* TLS 1.2: raw PSS over the hash */
	ck_assert_int_eq (f->C_SignInit (sess, &m_pss, key), CKR_OK);
	len = sizeof sig;
	ck_assert_int_eq (f->C_Sign (sess, hash, 32, sig, &len), CKR_OK);
	openssl_verify (0x9A, EVP_sha256 (), RSA_PKCS1_PSS_PADDING, hash, 32, sig, len);
	ck_assert_int_eq (f->C_VerifyInit (sess, &m_pss, pub), CKR_OK);
	ck_assert_int_eq (f->C_Verify (sess, hash, 32, sig, len), CKR_OK);
	sig[7] ^= 1;
	ck_assert_int_eq (f->C_VerifyInit (sess, &m_pss, pub), CKR_OK);
	ck_assert_int_eq (f->C_Verify (sess, hash, 32, sig, len), CKR_SIGNATURE_INVALID);

	/* SHA256_RSA_PKCS, and RSA_PKCS over a DigestInfo: the same signature */
	ck_assert_int_eq (f->C_SignInit (sess, &m_sha, key), CKR_OK);
	len = sizeof sig;
	ck_assert_int_eq (f->C_Sign (sess, msg, sizeof msg - 1, sig, &len), CKR_OK);
	openssl_verify (0x9A, EVP_sha256 (), RSA_PKCS1_PADDING, hash, 32, sig, len);
	ck_assert_int_eq (f->C_VerifyInit (sess, &m_sha, pub), CKR_OK);
	ck_assert_int_eq (f->C_VerifyUpdate (sess, msg, 5), CKR_OK);
	ck_assert_int_eq (f->C_VerifyUpdate (sess, msg + 5, sizeof msg - 6), CKR_OK);
	ck_assert_int_eq (f->C_VerifyFinal (sess, sig, len), CKR_OK);
	{
		CK_BYTE di[51] = { 0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04,
		                   0x02, 0x01, 0x05, 0x00, 0x04, 0x20 };
		CK_BYTE sig2[512];
		CK_ULONG len2 = sizeof sig2;
		memcpy (di + 19, hash, 32);
		ck_assert_int_eq (f->C_SignInit (sess, &m_pkcs, key), CKR_OK);
		ck_assert_int_eq (f->C_Sign (sess, di, sizeof di, sig2, &len2), CKR_OK);
		ck_assert_uint_eq (len2, len);
		ck_assert (memcmp (sig, sig2, len) == 0);
		ck_assert_int_eq (f->C_VerifyInit (sess, &m_pkcs, pub), CKR_OK);
		ck_assert_int_eq (f->C_Verify (sess, di, sizeof di, sig2, len2), CKR_OK);
	}
}
END_TEST

/* A key's metadata (PIN policy, origin) is read from the card when first needed, once:
 * an attribute that depends on it, or the key's first operation. */
START_TEST (test_meta_when_needed)
{
	CK_BBOOL always = CK_FALSE, local = CK_FALSE;
	CK_BYTE label[64];
	CK_ATTRIBUTE l = { CKA_LABEL, label, sizeof label };
	CK_ATTRIBUTE a[] = { { CKA_ALWAYS_AUTHENTICATE, &always, sizeof always },
	                     { CKA_LOCAL, &local, sizeof local } };
	CK_MECHANISM m = { CKM_SHA256_RSA_PKCS, NULL, 0 };
	CK_OBJECT_HANDLE sign_key, auth_key;

	login ();
	sign_key = find_key (CKO_PRIVATE_KEY, 2);
	auth_key = find_key (CKO_PRIVATE_KEY, 1);
	ck_assert_int_eq (mock.meta_calls, 0);   /* not at token open */
	ck_assert_int_eq (f->C_GetAttributeValue (sess, sign_key, &l, 1), CKR_OK);
	ck_assert_int_eq (mock.meta_calls, 0);   /* a label needs no metadata */
	ck_assert_int_eq (f->C_GetAttributeValue (sess, sign_key, a, 2), CKR_OK);
	ck_assert_int_eq (mock.meta_calls, 1);
	ck_assert_int_eq (always, CK_TRUE);      /* the card's word: PIN always */
	ck_assert_int_eq (local, CK_TRUE);       /* generated on the card */
	ck_assert_int_eq (f->C_GetAttributeValue (sess, sign_key, a, 2), CKR_OK);
	ck_assert_int_eq (mock.meta_calls, 1);   /* once */
	ck_assert_int_eq (f->C_SignInit (sess, &m, auth_key), CKR_OK);
	ck_assert_int_eq (mock.meta_calls, 2);   /* before the key's first operation */
	ck_assert_int_eq (f->C_SignInit (sess, &m, auth_key), CKR_OPERATION_ACTIVE);
	ck_assert_int_eq (mock.meta_calls, 2);
}
END_TEST

/* A signature the card computed wrong (a fault, or another key than the module believes)
 * is never returned: it is checked with the public key first. */
START_TEST (test_wrong_signature_withheld)
{
	CK_MECHANISM rsa = { CKM_SHA256_RSA_PKCS, NULL, 0 }, ec = { CKM_ECDSA, NULL, 0 };
	CK_BYTE sig[512], hash[32] = { 1, 2, 3 };
	CK_ULONG len = sizeof sig;
	CK_OBJECT_HANDLE key;

	login ();
	key = find_key (CKO_PRIVATE_KEY, 1);
	mock.fault = true;
	ck_assert_int_eq (f->C_SignInit (sess, &rsa, key), CKR_OK);
	ck_assert_int_eq (f->C_Sign (sess, hash, sizeof hash, sig, &len), CKR_DEVICE_ERROR);
	len = sizeof sig;
	ck_assert_int_eq (f->C_SignInit (sess, &rsa, key), CKR_OK);
	ck_assert_int_eq (f->C_Sign (sess, hash, sizeof hash, sig, &len), CKR_OK);   /* no fault now */
	key = find_key (CKO_PRIVATE_KEY, 4);
	mock.fault = true;
	len = sizeof sig;
	ck_assert_int_eq (f->C_SignInit (sess, &ec, key), CKR_OK);
	ck_assert_int_eq (f->C_Sign (sess, hash, sizeof hash, sig, &len), CKR_DEVICE_ERROR);
}
END_TEST

START_TEST (test_sign_ecdsa_always)
{
	CK_MECHANISM m = { CKM_ECDSA_SHA256, NULL, 0 };
	CK_BYTE msg[] = "hello", sig[128], der[128], *p = der;
	CK_ULONG len = sizeof sig;
	CK_OBJECT_HANDLE key, pub, h[32];
	CK_TOKEN_INFO ti;
	CK_SESSION_INFO si;
	ECDSA_SIG *es = ECDSA_SIG_new ();
	int der_len;

	login ();
	key = find_key (CKO_PRIVATE_KEY, 2);
	pub = find_key (CKO_PUBLIC_KEY, 2);
	ck_assert_int_eq (f->C_SignInit (sess, &m, key), CKR_OK);
	ck_assert_int_eq (f->C_Sign (sess, msg, 5, sig, &len), CKR_USER_NOT_LOGGED_IN);   /* PIN always */
	ck_assert_int_eq (f->C_Login (sess, CKU_CONTEXT_SPECIFIC, pin, 6), CKR_OPERATION_NOT_INITIALIZED);
	ck_assert_int_eq (f->C_SignInit (sess, &m, key), CKR_OK);
	ck_assert_int_eq (f->C_Login (sess, CKU_CONTEXT_SPECIFIC, pin, 6), CKR_OK);
	/* calls in between do not disturb the PIN-always state */
	ck_assert_int_eq (f->C_GetTokenInfo (slot, &ti), CKR_OK);
	ck_assert_int_eq (f->C_GetSessionInfo (sess, &si), CKR_OK);
	ck_assert_uint_eq (find (NULL, 0, h), 16);
	len = sizeof sig;
	ck_assert_int_eq (f->C_Sign (sess, msg, 5, sig, &len), CKR_OK);
	ck_assert_uint_eq (len, 64);
	ECDSA_SIG_set0 (es, BN_bin2bn (sig, 32, NULL), BN_bin2bn (sig + 32, 32, NULL));
	der_len = i2d_ECDSA_SIG (es, &p);
	ECDSA_SIG_free (es);
	{
		CK_BYTE hash[32];
		EVP_Digest (msg, 5, hash, NULL, EVP_sha256 (), NULL);
		openssl_verify (0x9C, NULL, 0, hash, 32, der, (size_t)der_len);
	}
	ck_assert_int_eq (f->C_VerifyInit (sess, &m, pub), CKR_OK);
	ck_assert_int_eq (f->C_Verify (sess, msg, 5, sig, len), CKR_OK);
	/* the authorisation was for one operation */
	ck_assert_int_eq (f->C_SignInit (sess, &m, key), CKR_OK);
	len = sizeof sig;
	ck_assert_int_eq (f->C_Sign (sess, msg, 5, sig, &len), CKR_USER_NOT_LOGGED_IN);
}
END_TEST

static size_t
openssl_encrypt (int pad, const uint8_t *in, size_t in_len, uint8_t *out, bool label)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new (mock_key_by_ref (0x9D)->key, NULL);
	size_t len = 256;

	ck_assert_int_eq (EVP_PKEY_encrypt_init (ctx), 1);
	ck_assert_int_gt (EVP_PKEY_CTX_set_rsa_padding (ctx, pad), 0);
	if (pad == RSA_PKCS1_OAEP_PADDING) {
		ck_assert_int_gt (EVP_PKEY_CTX_set_rsa_oaep_md (ctx, EVP_sha256 ()), 0);
		ck_assert_int_gt (EVP_PKEY_CTX_set_rsa_mgf1_md (ctx, EVP_sha256 ()), 0);
		if (label)
			ck_assert_int_gt (EVP_PKEY_CTX_set0_rsa_oaep_label (ctx, OPENSSL_memdup ("abc", 3), 3), 0);
	}
	ck_assert_int_eq (EVP_PKEY_encrypt (ctx, out, &len, in, in_len), 1);
	EVP_PKEY_CTX_free (ctx);
	return len;
}

START_TEST (test_decrypt_unwrap)
{
	CK_RSA_PKCS_OAEP_PARAMS oaep = { CKM_SHA256, CKG_MGF1_SHA256, CKZ_DATA_SPECIFIED, (void *)"abc", 3 };
	CK_MECHANISM m_oaep = { CKM_RSA_PKCS_OAEP, &oaep, sizeof oaep };
	CK_MECHANISM m_pkcs = { CKM_RSA_PKCS, NULL, 0 };
	CK_BYTE secret[32], enc[256], out[256];
	CK_ULONG len;
	CK_OBJECT_HANDLE key, pub, aes;
	CK_OBJECT_CLASS sk = CKO_SECRET_KEY;
	CK_KEY_TYPE kt = CKK_AES;
	CK_ATTRIBUTE templ[] = { { CKA_CLASS, &sk, sizeof sk }, { CKA_KEY_TYPE, &kt, sizeof kt } };
	CK_ATTRIBUTE val = { CKA_VALUE, out, sizeof out };
	size_t n;
	int ops;

	memset (secret, 0x5a, sizeof secret);
	login ();
	key = find_key (CKO_PRIVATE_KEY, 3);
	pub = find_key (CKO_PUBLIC_KEY, 3);
	n = openssl_encrypt (RSA_PKCS1_OAEP_PADDING, secret, 32, enc, true);
	ck_assert_int_eq (f->C_DecryptInit (sess, &m_oaep, key), CKR_OK);
	ops = mock.private_ops;
	len = 4;
	ck_assert_int_eq (f->C_Decrypt (sess, enc, n, out, &len), CKR_BUFFER_TOO_SMALL);
	ck_assert_uint_eq (len, 32);
	ck_assert_int_eq (f->C_Decrypt (sess, enc, n, out, &len), CKR_OK);
	ck_assert_int_eq (mock.private_ops, ops + 1);   /* the card was asked once */
	ck_assert (memcmp (out, secret, 32) == 0);

	n = openssl_encrypt (RSA_PKCS1_PADDING, secret, 32, enc, false);
	ck_assert_int_eq (f->C_UnwrapKey (sess, &m_pkcs, key, enc, n, templ, 2, &aes), CKR_OK);
	ck_assert_int_eq (f->C_GetAttributeValue (sess, aes, &val, 1), CKR_OK);
	ck_assert_uint_eq (val.ulValueLen, 32);
	ck_assert (memcmp (out, secret, 32) == 0);
	enc[10] ^= 1;
	ck_assert_int_eq (f->C_UnwrapKey (sess, &m_pkcs, key, enc, n, templ, 2, &aes), CKR_WRAPPED_KEY_INVALID);

	/* C_Encrypt with the public key, in software, then back through the card */
	ck_assert_int_eq (f->C_EncryptInit (sess, &m_oaep, pub), CKR_OK);
	len = sizeof enc;
	ck_assert_int_eq (f->C_Encrypt (sess, secret, 20, enc, &len), CKR_OK);
	ck_assert_uint_eq (len, 256);
	ck_assert_int_eq (f->C_DecryptInit (sess, &m_oaep, key), CKR_OK);
	ck_assert_int_eq (f->C_DecryptUpdate (sess, enc, 100, out, &n), CKR_OK);
	ck_assert_int_eq (f->C_DecryptUpdate (sess, enc + 100, 156, out, &n), CKR_OK);
	len = sizeof out;
	ck_assert_int_eq (f->C_DecryptFinal (sess, out, &len), CKR_OK);
	ck_assert_uint_eq (len, 20);
	ck_assert (memcmp (out, secret, 20) == 0);
}
END_TEST

START_TEST (test_ecdh)
{
	EVP_PKEY *peer = EVP_PKEY_Q_keygen (NULL, NULL, "EC", "P-256");
	unsigned char point[65], expect[32], got[64];
	size_t plen = 0, elen = sizeof expect;
	CK_ECDH1_DERIVE_PARAMS params = { CKD_NULL, 0, NULL, 65, point };
	CK_MECHANISM m = { CKM_ECDH1_DERIVE, &params, sizeof params };
	CK_OBJECT_CLASS sk = CKO_SECRET_KEY;
	CK_KEY_TYPE kt = CKK_GENERIC_SECRET;
	CK_ULONG vlen = 32;
	CK_BBOOL no = CK_FALSE;
	CK_ATTRIBUTE templ[] = { { CKA_CLASS, &sk, sizeof sk }, { CKA_KEY_TYPE, &kt, sizeof kt },
	                         { CKA_VALUE_LEN, &vlen, sizeof vlen }, { CKA_SENSITIVE, &no, 1 } };
	CK_ATTRIBUTE val = { CKA_VALUE, got, sizeof got };
	CK_OBJECT_HANDLE key, derived;
	EVP_PKEY_CTX *ctx;

	EVP_PKEY_get_octet_string_param (peer, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof point, &plen);
	ck_assert_uint_eq (plen, 65);
	ctx = EVP_PKEY_CTX_new (peer, NULL);
	EVP_PKEY_derive_init (ctx);
	EVP_PKEY_derive_set_peer (ctx, mock_key_by_ref (0x82)->key);
	ck_assert_int_eq (EVP_PKEY_derive (ctx, expect, &elen), 1);
	EVP_PKEY_CTX_free (ctx);
	EVP_PKEY_free (peer);

	login ();
	key = find_key (CKO_PRIVATE_KEY, 5);
	ck_assert_int_eq (f->C_DeriveKey (sess, &m, key, templ, 4, &derived), CKR_OK);
	ck_assert_int_eq (f->C_GetAttributeValue (sess, derived, &val, 1), CKR_OK);
	ck_assert_uint_eq (val.ulValueLen, 32);
	ck_assert (memcmp (got, expect, 32) == 0);
	/* the NIST curves have cofactor 1: the cofactor variant agrees */
	m.mechanism = CKM_ECDH1_COFACTOR_DERIVE;
	val.ulValueLen = sizeof got;
	memset (got, 0, sizeof got);
	ck_assert_int_eq (f->C_DeriveKey (sess, &m, key, templ, 4, &derived), CKR_OK);
	ck_assert_int_eq (f->C_GetAttributeValue (sess, derived, &val, 1), CKR_OK);
	ck_assert (memcmp (got, expect, 32) == 0);
	/* visible to the other sessions of the application, gone with its session */
	{
		CK_SESSION_HANDLE other;
		ck_assert_int_eq (f->C_OpenSession (slot, CKF_SERIAL_SESSION, NULL, NULL, &other), CKR_OK);
		ck_assert_int_eq (f->C_GetAttributeValue (other, derived, &val, 1), CKR_OK);
		ck_assert_int_eq (f->C_CloseSession (sess), CKR_OK);
		ck_assert_int_eq (f->C_GetAttributeValue (other, derived, &val, 1), CKR_OBJECT_HANDLE_INVALID);
		sess = other;
	}
}
END_TEST

START_TEST (test_never_without_login)
{
	CK_MECHANISM m = { CKM_SHA256_RSA_PKCS, NULL, 0 };
	CK_BYTE sig[512] = { 0 };
	CK_ULONG len = sizeof sig;
	CK_OBJECT_HANDLE key;
	int ops;

	login ();
	key = find_key (CKO_PRIVATE_KEY, 1);
	ck_assert_int_eq (f->C_SignInit (sess, &m, key), CKR_OK);
	ck_assert_int_eq (f->C_Logout (sess), CKR_OK);   /* ends private-key operations */
	ck_assert_int_eq (f->C_Sign (sess, sig, 10, sig, &len), CKR_OPERATION_NOT_INITIALIZED);
	/* somebody else verified the PIN on the card: still no private-key operation for us */
	mock.pin_verified = true;
	ops = mock.private_ops;
	ck_assert_int_eq (f->C_SignInit (sess, &m, key), CKR_USER_NOT_LOGGED_IN);
	ck_assert_int_eq (mock.private_ops, ops);
}
END_TEST

START_TEST (test_restore_after_reset)
{
	CK_MECHANISM m = { CKM_SHA256_RSA_PKCS, NULL, 0 };
	CK_BYTE sig[512] = { 0 };
	CK_ULONG len;
	CK_OBJECT_HANDLE key;
	int verifies;

	login ();
	key = find_key (CKO_PRIVATE_KEY, 1);
	/* another process reset the card: the module re-verifies the PIN it holds */
	mock.reset_pending = true;
	verifies = mock.verify_calls;
	ck_assert_int_eq (f->C_SignInit (sess, &m, key), CKR_OK);
	len = sizeof sig;
	ck_assert_int_eq (f->C_Sign (sess, sig, 10, sig, &len), CKR_OK);
	ck_assert_int_eq (mock.verify_calls, verifies + 1);
	/* another process logged the card out (no reset seen): retried after re-verifying */
	mock.pin_verified = false;
	ck_assert_int_eq (f->C_SignInit (sess, &m, key), CKR_OK);
	len = sizeof sig;
	ck_assert_int_eq (f->C_Sign (sess, sig, 10, sig, &len), CKR_OK);
	ck_assert_int_eq (mock.verify_calls, verifies + 2);
}
END_TEST

START_TEST (test_removal)
{
	CK_MECHANISM m = { CKM_SHA256_RSA_PKCS, NULL, 0 };
	CK_BYTE sig[512] = { 0 };
	CK_ULONG len = sizeof sig;
	CK_OBJECT_HANDLE key;
	CK_SESSION_INFO info;
	CK_SLOT_INFO si;
	CK_SLOT_ID ev;
	CK_TOKEN_INFO ti;

	/* drain the start-up events */
	while (f->C_WaitForSlotEvent (CKF_DONT_BLOCK, &ev, NULL) == CKR_OK)
		;
	login ();
	key = find_key (CKO_PRIVATE_KEY, 1);
	ck_assert_int_eq (f->C_SignInit (sess, &m, key), CKR_OK);
	mock.card_present = false;   /* pulled out: nobody has noticed yet */
	ck_assert_int_eq (f->C_Sign (sess, sig, 10, sig, &len), CKR_DEVICE_REMOVED);
	ck_assert_int_eq (f->C_GetSessionInfo (sess, &info), CKR_SESSION_HANDLE_INVALID);
	mock_card_remove ();
	ck_assert_int_eq (f->C_GetSlotInfo (slot, &si), CKR_OK);
	ck_assert_uint_eq (si.flags & CKF_TOKEN_PRESENT, 0);
	ck_assert_int_eq (f->C_GetTokenInfo (slot, &ti), CKR_TOKEN_NOT_PRESENT);
	ck_assert_int_eq (f->C_WaitForSlotEvent (CKF_DONT_BLOCK, &ev, NULL), CKR_OK);
	ck_assert_uint_eq (ev, slot);
	ck_assert_int_eq (f->C_WaitForSlotEvent (CKF_DONT_BLOCK, &ev, NULL), CKR_NO_EVENT);
	mock_card_insert ();
	ck_assert_int_eq (f->C_WaitForSlotEvent (CKF_DONT_BLOCK, &ev, NULL), CKR_OK);
	ck_assert_uint_eq (ev, slot);   /* the same slot ID */
	ck_assert_int_eq (f->C_OpenSession (slot, CKF_SERIAL_SESSION, NULL, NULL, &sess), CKR_OK);
	ck_assert_int_eq (f->C_GetSessionInfo (sess, &info), CKR_OK);
	ck_assert_uint_eq (info.state, CKS_RO_PUBLIC_SESSION);   /* the login went with the card */
	ck_assert_int_eq (f->C_SignInit (sess, &m, key), CKR_KEY_HANDLE_INVALID);   /* old objects gone */
}
END_TEST

static void *
waiter (void *arg)
{
	CK_SLOT_ID ev = 0;
	CK_RV *rv = arg;

	*rv = f->C_WaitForSlotEvent (0, &ev, NULL);
	return NULL;
}

static void
wait_for_waiter (void)
{
	int i;

	for (i = 0; i < 500 && mock.wait_calls == 0; i++)
		usleep (2000);
	ck_assert_int_eq (mock.wait_calls, 1);
}

START_TEST (test_wait_blocking)
{
	CK_SLOT_ID ev;
	pthread_t t;
	CK_RV rv = 0xffff;

	while (f->C_WaitForSlotEvent (CKF_DONT_BLOCK, &ev, NULL) == CKR_OK)
		;
	/* NSS mode: the waiting thread runs the monitor; an insertion wakes it */
	ck_assert_int_eq (pthread_create (&t, NULL, waiter, &rv), 0);
	wait_for_waiter ();
	mock_card_remove ();
	pthread_join (t, NULL);
	ck_assert_int_eq (rv, CKR_OK);
	/* C_Finalize wakes a blocked wait, which returns CKR_CRYPTOKI_NOT_INITIALIZED */
	ck_assert_int_eq (pthread_create (&t, NULL, waiter, &rv), 0);
	wait_for_waiter ();
	ck_assert_int_eq (f->C_Finalize (NULL), CKR_OK);
	pthread_join (t, NULL);
	ck_assert_int_eq (rv, CKR_CRYPTOKI_NOT_INITIALIZED);
}
END_TEST

START_TEST (test_wait_thread_mode)
{
	CK_SLOT_ID ev;
	pthread_t t;
	CK_RV rv = 0xffff;

	f->C_Finalize (NULL);
	init_with (CKF_OS_LOCKING_OK);   /* the monitor runs in a module thread */
	while (f->C_WaitForSlotEvent (CKF_DONT_BLOCK, &ev, NULL) == CKR_OK)
		;
	ck_assert_int_eq (pthread_create (&t, NULL, waiter, &rv), 0);
	usleep (20000);
	mock_card_remove ();
	pthread_join (t, NULL);
	ck_assert_int_eq (rv, CKR_OK);
	ck_assert_int_eq (pthread_create (&t, NULL, waiter, &rv), 0);
	usleep (20000);
	ck_assert_int_eq (f->C_Finalize (NULL), CKR_OK);
	pthread_join (t, NULL);
	ck_assert_int_eq (rv, CKR_CRYPTOKI_NOT_INITIALIZED);
}
END_TEST

static void *
signer (void *arg)
{
	CK_MECHANISM m = { CKM_SHA256_RSA_PKCS, NULL, 0 };
	CK_OBJECT_HANDLE key = *(CK_OBJECT_HANDLE *)arg;
	CK_SESSION_HANDLE h;
	CK_BYTE sig[512] = { 0 };
	CK_ULONG len;
	int i;
	long bad = 0;

	for (i = 0; i < 10; i++) {
		len = sizeof sig;
		if (f->C_OpenSession (slot, CKF_SERIAL_SESSION, NULL, NULL, &h) != CKR_OK ||
		    f->C_SignInit (h, &m, key) != CKR_OK || f->C_Sign (h, sig, 20, sig, &len) != CKR_OK ||
		    len != 256 || f->C_CloseSession (h) != CKR_OK)
			bad++;
	}
	return (void *)bad;
}

START_TEST (test_many_threads)
{
	pthread_t t[4];
	CK_OBJECT_HANDLE key;
	void *bad;
	int i;

	f->C_Finalize (NULL);
	init_with (CKF_OS_LOCKING_OK);
	login ();
	key = find_key (CKO_PRIVATE_KEY, 1);
	for (i = 0; i < 4; i++)
		ck_assert_int_eq (pthread_create (&t[i], NULL, signer, &key), 0);
	for (i = 0; i < 4; i++) {
		pthread_join (t[i], &bad);
		ck_assert_ptr_null (bad);
	}
}
END_TEST

START_TEST (test_random_digest_mechs)
{
	CK_BYTE a[32], b[32], d[64];
	CK_ULONG len = sizeof d, n = 0;
	CK_MECHANISM sha = { CKM_SHA256, NULL, 0 };
	CK_MECHANISM_TYPE list[64];
	CK_MECHANISM_INFO mi;
	static const CK_BYTE abc[32] = { 0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40, 0xde,
	                                 0x5d, 0xae, 0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c,
	                                 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad };

	ck_assert_int_eq (f->C_GenerateRandom (sess, a, sizeof a), CKR_OK);   /* no login */
	ck_assert_int_eq (f->C_GenerateRandom (sess, b, sizeof b), CKR_OK);
	ck_assert (memcmp (a, b, sizeof a) != 0);
	ck_assert_int_eq (f->C_SeedRandom (sess, a, sizeof a), CKR_RANDOM_SEED_NOT_SUPPORTED);
	ck_assert_int_eq (f->C_DigestInit (sess, &sha), CKR_OK);
	ck_assert_int_eq (f->C_Digest (sess, (CK_BYTE_PTR)"abc", 3, d, &len), CKR_OK);
	ck_assert_uint_eq (len, 32);
	ck_assert (memcmp (d, abc, 32) == 0);

	ck_assert_int_eq (f->C_GetMechanismList (slot, NULL, &n), CKR_OK);
	ck_assert_uint_eq (n, 28);   /* RSA and EC keys on this card: the whole table */
	ck_assert_int_eq (f->C_GetMechanismList (slot, list, &n), CKR_OK);
	ck_assert_int_eq (f->C_GetMechanismInfo (slot, CKM_RSA_PKCS_PSS, &mi), CKR_OK);
	ck_assert_uint_eq (mi.ulMinKeySize, 2048);
	ck_assert (mi.flags & CKF_SIGN);
	ck_assert_int_eq (f->C_GetMechanismInfo (slot, CKM_ECDH1_DERIVE, &mi), CKR_OK);
	ck_assert_uint_eq (mi.ulMaxKeySize, 256);
	ck_assert_int_eq (f->C_GetMechanismInfo (slot, CKM_AES_CBC, &mi), CKR_MECHANISM_INVALID);
}
END_TEST

START_TEST (test_open_failure_backoff)
{
	CK_TOKEN_INFO ti;
	CK_SLOT_INFO si;
	int opens;

	/* a card that cannot be read is not read again at every call (NSS polls) */
	mock.open_fails = true;
	mock_card_remove ();
	mock_card_insert ();
	opens = mock.open_calls;
	ck_assert_int_eq (f->C_GetTokenInfo (slot, &ti), CKR_DEVICE_ERROR);
	ck_assert_int_eq (mock.open_calls, opens + 1);
	ck_assert_int_eq (f->C_GetTokenInfo (slot, &ti), CKR_DEVICE_ERROR);
	ck_assert_int_eq (f->C_GetSlotInfo (slot, &si), CKR_OK);
	ck_assert (si.flags & CKF_TOKEN_PRESENT);
	ck_assert_int_eq (mock.open_calls, opens + 1);
	/* a new insertion is read at once */
	mock.open_fails = false;
	mock_card_remove ();
	mock_card_insert ();
	ck_assert_int_eq (f->C_GetTokenInfo (slot, &ti), CKR_OK);
}
END_TEST

START_TEST (test_open_failure_status_calls)
{
	CK_TOKEN_INFO ti;
	CK_SLOT_ID list[4];
	CK_ULONG n = 4;
	CK_SESSION_HANDLE h;
	int opens;

	/* after the backoff, status calls still do not read a failing card again:
	 * the next operation that needs the token does */
	mock.open_fails = true;
	mock_card_remove ();
	mock_card_insert ();
	opens = mock.open_calls;
	ck_assert_int_eq (f->C_GetTokenInfo (slot, &ti), CKR_DEVICE_ERROR);
	ck_assert_int_eq (mock.open_calls, opens + 1);
	usleep ((TSR_OPEN_RETRY_S * 1000 + 200) * 1000);
	ck_assert_int_eq (f->C_GetTokenInfo (slot, &ti), CKR_DEVICE_ERROR);
	ck_assert_int_eq (f->C_GetSlotList (CK_TRUE, list, &n), CKR_OK);
	ck_assert_int_eq (mock.open_calls, opens + 1);
	mock.open_fails = false;
	ck_assert_int_eq (f->C_OpenSession (slot, CKF_SERIAL_SESSION, NULL, NULL, &h), CKR_OK);
	ck_assert_int_eq (mock.open_calls, opens + 2);
	ck_assert_int_eq (f->C_GetTokenInfo (slot, &ti), CKR_OK);
	ck_assert_int_eq (f->C_CloseSession (h), CKR_OK);
}
END_TEST

static Suite *
token_suite (void)
{
	Suite *s = suite_create ("token");
	TCase *tc = tcase_create ("card");

	tcase_set_timeout (tc, 60);
	tcase_add_checked_fixture (tc, setup, teardown);
	tcase_add_test (tc, test_token_info);
	tcase_add_test (tc, test_sessions_and_login);
	tcase_add_test (tc, test_pin_counters);
	tcase_add_test (tc, test_find);
	tcase_add_test (tc, test_attributes);
	tcase_add_test (tc, test_sign_rsa);
	tcase_add_test (tc, test_sign_ecdsa_always);
	tcase_add_test (tc, test_decrypt_unwrap);
	tcase_add_test (tc, test_ecdh);
	tcase_add_test (tc, test_never_without_login);
	tcase_add_test (tc, test_restore_after_reset);
	tcase_add_test (tc, test_removal);
	tcase_add_test (tc, test_wait_blocking);
	tcase_add_test (tc, test_wait_thread_mode);
	tcase_add_test (tc, test_many_threads);
	tcase_add_test (tc, test_random_digest_mechs);
	tcase_add_test (tc, test_open_failure_backoff);
	tcase_add_test (tc, test_open_failure_status_calls);
	tcase_add_test (tc, test_meta_when_needed);
	tcase_add_test (tc, test_wrong_signature_withheld);
	suite_add_tcase (s, tc);
	return s;
}

int
main (void)
{
	SRunner *sr = srunner_create (token_suite ());
	int failed;

	mock_keys_make ();   /* once, before the runner forks (see test_fixture_is_cheap) */
	srunner_run_all (sr, CK_ENV);
	failed = srunner_ntests_failed (sr);
	srunner_free (sr);
	mock_teardown ();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
