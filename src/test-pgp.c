/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * src/test-pgp.c: the front end on the mock's OpenPGP-like card (test-mock.h): RSA
 * through the card's own PKCS #1 v1.5 padding (no raw RSA: PSS, OAEP and raw RSA are
 * neither listed nor accepted), the context-specific PIN (CARD_PIN_CONTEXT) of a
 * PIN-always key, key generation templates for Ed25519, X25519 and the new curves, and
 * the import of Ed25519 and X25519 keys. Every result is checked with OpenSSL.
 */
#include "config.h"

#include "src/test-mock.h"
#include "src/test-p11.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

static CK_FUNCTION_LIST_PTR f;
static CK_SLOT_ID slot;
static CK_SESSION_HANDLE sess;
static CK_UTF8CHAR pin[] = MOCK_PIN;

static CK_BYTE oid_ed25519[] = { 0x06, 0x03, 0x2B, 0x65, 0x70 };
static CK_BYTE oid_x25519[] = { 0x06, 0x03, 0x2B, 0x65, 0x6E };
static CK_BYTE oid_p521[] = { 0x06, 0x05, 0x2B, 0x81, 0x04, 0x00, 0x23 };
static CK_BYTE name_curve25519[] = { 0x13, 0x0A, 'c', 'u', 'r', 'v', 'e', '2', '5', '5', '1', '9' };

static void
init_profile (enum mock_profile profile)
{
	mock_open_session (profile, &f, &slot, &sess);
}

static void setup_rsa (void) { init_profile (MOCK_PROFILE_PGP_RSA); }
static void setup_ecc (void) { init_profile (MOCK_PROFILE_PGP_ECC); }
static void setup_piv (void) { init_profile (MOCK_PROFILE_PIV); }

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

static bool
listed (CK_MECHANISM_TYPE mech)
{
	CK_MECHANISM_TYPE list[64];
	CK_ULONG n = 64, i;

	ck_assert_int_eq (f->C_GetMechanismList (slot, list, &n), CKR_OK);
	for (i = 0; i < n; i++) {
		if (list[i] == mech)
			return true;
	}
	return false;
}

/* ---- RSA on a card that pads itself ---- */

START_TEST (test_rsa_mechs)
{
	static const CK_MECHANISM_TYPE raw_only[] = {
		CKM_RSA_X_509, CKM_RSA_PKCS_PSS, CKM_RSA_PKCS_OAEP, CKM_SHA1_RSA_PKCS_PSS, CKM_SHA224_RSA_PKCS_PSS,
		CKM_SHA256_RSA_PKCS_PSS, CKM_SHA384_RSA_PKCS_PSS, CKM_SHA512_RSA_PKCS_PSS,
	};
	CK_MECHANISM_INFO mi;
	size_t i;

	for (i = 0; i < sizeof raw_only / sizeof raw_only[0]; i++) {
		ck_assert_msg (!listed (raw_only[i]), "mechanism 0x%lx listed", (unsigned long)raw_only[i]);
		ck_assert_int_eq (f->C_GetMechanismInfo (slot, raw_only[i], &mi), CKR_MECHANISM_INVALID);
	}
	ck_assert (listed (CKM_RSA_PKCS) && listed (CKM_SHA1_RSA_PKCS) && listed (CKM_SHA512_RSA_PKCS));
	ck_assert_int_eq (f->C_GetMechanismInfo (slot, CKM_RSA_PKCS, &mi), CKR_OK);
	ck_assert_uint_eq (mi.flags, CKF_HW | CKF_SIGN | CKF_VERIFY | CKF_ENCRYPT | CKF_DECRYPT | CKF_UNWRAP);
	ck_assert_uint_eq (mi.ulMinKeySize, 2048);
	/* the P-521 key of 03; EdDSA because the card can generate Ed25519 keys */
	ck_assert_int_eq (f->C_GetMechanismInfo (slot, CKM_ECDSA_SHA512, &mi), CKR_OK);
	ck_assert_uint_eq (mi.ulMaxKeySize, 521);
	ck_assert (listed (CKM_ECDH1_DERIVE) && listed (CKM_EDDSA) && listed (CKM_EC_MONTGOMERY_KEY_PAIR_GEN));
}
END_TEST

static void
openssl_verify_pkcs1 (uint8_t ref, const CK_BYTE *hash, const CK_BYTE *sig, CK_ULONG len)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new (mock_key_by_ref (ref)->key, NULL);

	ck_assert_int_eq (EVP_PKEY_verify_init (ctx), 1);
	ck_assert_int_gt (EVP_PKEY_CTX_set_rsa_padding (ctx, RSA_PKCS1_PADDING), 0);
	ck_assert_int_gt (EVP_PKEY_CTX_set_signature_md (ctx, EVP_sha256 ()), 0);
	ck_assert_int_eq (EVP_PKEY_verify (ctx, sig, len, hash, 32), 1);
	EVP_PKEY_CTX_free (ctx);
}

/* Sign DATA with MECH and the PIN-always key 01, after its context-specific login. */
static CK_RV
sign_always (CK_MECHANISM_TYPE mech, const CK_BYTE *data, CK_ULONG len, CK_BYTE *sig, CK_ULONG *sig_len)
{
	CK_MECHANISM m = { mech, NULL, 0 };

	ck_assert_int_eq (f->C_SignInit (sess, &m, p11_find (f, sess, CKO_PRIVATE_KEY, 1)), CKR_OK);
	mock.last_verify = CARD_PIN_SO;
	ck_assert_int_eq (f->C_Login (sess, CKU_CONTEXT_SPECIFIC, pin, 6), CKR_OK);
	ck_assert_int_eq (mock.last_verify, CARD_PIN_CONTEXT);
	return f->C_Sign (sess, (CK_BYTE_PTR)data, len, sig, sig_len);
}

START_TEST (test_rsa_sign)
{
	static const CK_BYTE di_sha256[19] = { 0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65,
	                                       0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20 };
	CK_RSA_PKCS_PSS_PARAMS pss = { CKM_SHA256, CKG_MGF1_SHA256, 32 };
	CK_MECHANISM m_sha = { CKM_SHA256_RSA_PKCS, NULL, 0 }, m_pss = { CKM_RSA_PKCS_PSS, &pss, sizeof pss };
	CK_MECHANISM m_x509 = { CKM_RSA_X_509, NULL, 0 };
	CK_BYTE msg[] = "signed by the card's own padding", hash[32], di[51], sig[512], sig2[512], big[246];
	CK_ULONG len = sizeof sig, len2 = sizeof sig2;
	CK_OBJECT_HANDLE key;
	int ops;

	EVP_Digest (msg, sizeof msg - 1, hash, NULL, EVP_sha256 (), NULL);
	memcpy (di, di_sha256, sizeof di_sha256);
	memcpy (di + 19, hash, 32);
	login ();
	key = p11_find (f, sess, CKO_PRIVATE_KEY, 1);

	/* PIN always: nothing without the context-specific login */
	ck_assert_int_eq (f->C_SignInit (sess, &m_sha, key), CKR_OK);
	ck_assert_int_eq (f->C_Sign (sess, msg, sizeof msg - 1, sig, &len), CKR_USER_NOT_LOGGED_IN);

	/* a length query costs no card operation */
	ops = mock.private_ops;
	ck_assert_int_eq (f->C_SignInit (sess, &m_sha, key), CKR_OK);
	ck_assert_int_eq (f->C_Sign (sess, msg, sizeof msg - 1, NULL, &len), CKR_OK);
	ck_assert_uint_eq (len, 256);
	ck_assert_int_eq (mock.private_ops, ops);
	ck_assert_int_eq (f->C_Login (sess, CKU_CONTEXT_SPECIFIC, pin, 6), CKR_OK);
	ck_assert_int_eq (f->C_Sign (sess, msg, sizeof msg - 1, sig, &len), CKR_OK);
	ck_assert_int_eq (mock.private_ops, ops + 1);
	ck_assert_uint_eq (len, 256);
	openssl_verify_pkcs1 (0x01, hash, sig, len);

	/* the card is given the DigestInfo; the context-specific login is for CARD_PIN_CONTEXT */
	len = sizeof sig;
	ck_assert_int_eq (sign_always (CKM_SHA256_RSA_PKCS, msg, sizeof msg - 1, sig, &len), CKR_OK);
	openssl_verify_pkcs1 (0x01, hash, sig, len);
	/* another command came between the login and the signature: the PIN is verified again
	 * right before, for CARD_PIN_CONTEXT (this card signs after no other) */
	ck_assert_int_eq (f->C_SignInit (sess, &m_sha, key), CKR_OK);
	ck_assert_int_eq (f->C_Login (sess, CKU_CONTEXT_SPECIFIC, pin, 6), CKR_OK);
	mock.always_ok = false;
	mock.last_verify = CARD_PIN_SO;
	len = sizeof sig;
	ck_assert_int_eq (f->C_Sign (sess, msg, sizeof msg - 1, sig, &len), CKR_OK);
	ck_assert_int_eq (mock.last_verify, CARD_PIN_CONTEXT);
	openssl_verify_pkcs1 (0x01, hash, sig, len);

	/* CKM_RSA_PKCS over the DigestInfo: the same signature (PKCS #1 v1.5 is deterministic) */
	ck_assert_int_eq (sign_always (CKM_RSA_PKCS, di, sizeof di, sig2, &len2), CKR_OK);
	ck_assert_uint_eq (len2, len);
	ck_assert_mem_eq (sig, sig2, len);
	ck_assert_int_eq (f->C_VerifyInit (sess, &m_sha, p11_find (f, sess, CKO_PUBLIC_KEY, 1)), CKR_OK);
	ck_assert_int_eq (f->C_Verify (sess, msg, sizeof msg - 1, sig, len), CKR_OK);

	/* more than a PKCS #1 v1.5 block holds */
	memset (big, 0x11, sizeof big);
	len2 = sizeof sig2;
	ck_assert_int_eq (sign_always (CKM_RSA_PKCS, big, sizeof big, sig2, &len2), CKR_DATA_LEN_RANGE);

	/* what needs raw RSA is refused for this key */
	ck_assert_int_eq (f->C_SignInit (sess, &m_pss, key), CKR_MECHANISM_INVALID);
	ck_assert_int_eq (f->C_SignInit (sess, &m_x509, key), CKR_MECHANISM_INVALID);

	/* a card fault is caught by the check with the public key */
	mock.fault = true;
	len2 = sizeof sig2;
	ck_assert_int_eq (sign_always (CKM_SHA256_RSA_PKCS, msg, sizeof msg - 1, sig2, &len2), CKR_DEVICE_ERROR);
}
END_TEST

static size_t
openssl_encrypt (const CK_BYTE *in, size_t in_len, CK_BYTE *out)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new (mock_key_by_ref (0x02)->key, NULL);
	size_t len = 512;

	ck_assert_int_eq (EVP_PKEY_encrypt_init (ctx), 1);
	ck_assert_int_gt (EVP_PKEY_CTX_set_rsa_padding (ctx, RSA_PKCS1_PADDING), 0);
	ck_assert_int_eq (EVP_PKEY_encrypt (ctx, out, &len, in, in_len), 1);
	EVP_PKEY_CTX_free (ctx);
	return len;
}

START_TEST (test_rsa_decrypt)
{
	CK_RSA_PKCS_OAEP_PARAMS oaep = { CKM_SHA256, CKG_MGF1_SHA256, CKZ_DATA_SPECIFIED, NULL, 0 };
	CK_MECHANISM m_pkcs = { CKM_RSA_PKCS, NULL, 0 }, m_oaep = { CKM_RSA_PKCS_OAEP, &oaep, sizeof oaep };
	CK_MECHANISM m_x509 = { CKM_RSA_X_509, NULL, 0 };
	CK_BYTE secret[32], enc[512], out[512];
	CK_OBJECT_CLASS sk = CKO_SECRET_KEY;
	CK_KEY_TYPE kt = CKK_AES;
	CK_ATTRIBUTE templ[] = { { CKA_CLASS, &sk, sizeof sk }, { CKA_KEY_TYPE, &kt, sizeof kt } };
	CK_ATTRIBUTE val = { CKA_VALUE, out, sizeof out };
	CK_OBJECT_HANDLE key, pub, aes;
	CK_ULONG len;
	size_t n;
	int ops;

	memset (secret, 0xa5, sizeof secret);
	login ();
	key = p11_find (f, sess, CKO_PRIVATE_KEY, 2);
	pub = p11_find (f, sess, CKO_PUBLIC_KEY, 2);

	n = openssl_encrypt (secret, sizeof secret, enc);
	ck_assert_int_eq (f->C_DecryptInit (sess, &m_pkcs, key), CKR_OK);
	ops = mock.private_ops;
	len = 4;
	ck_assert_int_eq (f->C_Decrypt (sess, enc, n, out, &len), CKR_BUFFER_TOO_SMALL);
	ck_assert_uint_eq (len, 32);
	ck_assert_int_eq (f->C_Decrypt (sess, enc, n, out, &len), CKR_OK);
	ck_assert_int_eq (mock.private_ops, ops + 1);   /* the card was asked once */
	ck_assert_mem_eq (out, secret, 32);

	/* C_UnwrapKey, and a ciphertext whose padding the card finds wrong */
	ck_assert_int_eq (f->C_UnwrapKey (sess, &m_pkcs, key, enc, n, templ, 2, &aes), CKR_OK);
	ck_assert_int_eq (f->C_GetAttributeValue (sess, aes, &val, 1), CKR_OK);
	ck_assert_uint_eq (val.ulValueLen, 32);
	ck_assert_mem_eq (out, secret, 32);
	enc[17] ^= 0x40;
	ck_assert_int_eq (f->C_UnwrapKey (sess, &m_pkcs, key, enc, n, templ, 2, &aes), CKR_WRAPPED_KEY_INVALID);
	ck_assert_int_eq (f->C_DecryptInit (sess, &m_pkcs, key), CKR_OK);
	len = sizeof out;
	ck_assert_int_eq (f->C_Decrypt (sess, enc, n, out, &len), CKR_ENCRYPTED_DATA_INVALID);

	/* C_Encrypt with the public key in software, back through the card */
	ck_assert_int_eq (f->C_EncryptInit (sess, &m_pkcs, pub), CKR_OK);
	len = sizeof enc;
	ck_assert_int_eq (f->C_Encrypt (sess, secret, 20, enc, &len), CKR_OK);
	ck_assert_int_eq (f->C_DecryptInit (sess, &m_pkcs, key), CKR_OK);
	len = sizeof out;
	ck_assert_int_eq (f->C_Decrypt (sess, enc, 256, out, &len), CKR_OK);
	ck_assert_uint_eq (len, 20);
	ck_assert_mem_eq (out, secret, 20);

	/* OAEP and raw decryption need raw RSA: refused for this key */
	ck_assert_int_eq (f->C_DecryptInit (sess, &m_oaep, key), CKR_MECHANISM_INVALID);
	ck_assert_int_eq (f->C_DecryptInit (sess, &m_x509, key), CKR_MECHANISM_INVALID);
	ck_assert_int_eq (f->C_EncryptInit (sess, &m_oaep, pub), CKR_MECHANISM_INVALID);
}
END_TEST

/* PIV: a context-specific login is a VERIFY for CARD_PIN_CONTEXT too. */
START_TEST (test_context_pin_piv)
{
	CK_MECHANISM m = { CKM_ECDSA, NULL, 0 };
	CK_BYTE hash[32] = { 1, 2, 3 }, sig[64];
	CK_ULONG len = sizeof sig;

	login ();
	ck_assert_int_eq (mock.last_verify, CARD_PIN_USER);
	ck_assert_int_eq (f->C_SignInit (sess, &m, p11_find (f, sess, CKO_PRIVATE_KEY, 2)), CKR_OK);
	ck_assert_int_eq (f->C_Login (sess, CKU_CONTEXT_SPECIFIC, pin, 6), CKR_OK);
	ck_assert_int_eq (mock.last_verify, CARD_PIN_CONTEXT);
	ck_assert_int_eq (f->C_Sign (sess, hash, sizeof hash, sig, &len), CKR_OK);
}
END_TEST

/* ---- key generation and import ---- */

/* C_GenerateKeyPair with MECH, CKA_EC_PARAMS PARAMS, and (when ID) a CKA_ID; USE is CKA_SIGN
 * or CKA_DERIVE (0: no usage said) set TRUE in the private template. */
static CK_RV
generate (CK_MECHANISM_TYPE mech, CK_BYTE *params, CK_ULONG params_len, const CK_BYTE *id,
          CK_ATTRIBUTE_TYPE use, CK_OBJECT_HANDLE *pub, CK_OBJECT_HANDLE *priv)
{
	CK_MECHANISM m = { mech, NULL, 0 };
	CK_BBOOL yes = CK_TRUE;
	CK_ATTRIBUTE pubt[] = { { CKA_EC_PARAMS, params, params_len }, { CKA_TOKEN, &yes, 1 } };
	CK_ATTRIBUTE privt[] = { { CKA_TOKEN, &yes, 1 }, { CKA_PRIVATE, &yes, 1 }, { CKA_SENSITIVE, &yes, 1 },
	                         { use, &yes, 1 }, { CKA_ID, (void *)id, 1 } };
	CK_ULONG n = use != 0 ? 4 : 3;

	if (id != NULL) {
		privt[n] = privt[4];
		n++;
	}
	return f->C_GenerateKeyPair (sess, &m, pubt, 2, privt, n, pub, priv);
}

/* The public key object PUB is the mock key of REF: CKA_EC_POINT / CKA_PUBLIC_KEY_INFO. */
static void
check_pub_is_card_key (CK_OBJECT_HANDLE pub, uint8_t ref)
{
	CK_BYTE buf[512];
	unsigned char *der = NULL;
	CK_ATTRIBUTE a = { CKA_PUBLIC_KEY_INFO, buf, sizeof buf };
	int n = i2d_PUBKEY (mock_key_by_ref (ref)->key, &der);

	ck_assert_int_eq (f->C_GetAttributeValue (sess, pub, &a, 1), CKR_OK);
	ck_assert_uint_eq (a.ulValueLen, (CK_ULONG)n);
	ck_assert_mem_eq (buf, der, (size_t)n);
	OPENSSL_free (der);
}

/* The agreement of a new X25519 peer with the key of handle KEY (card slot REF), checked
 * against OpenSSL's. */
static void
check_x25519 (CK_OBJECT_HANDLE key, uint8_t ref)
{
	EVP_PKEY *peer = EVP_PKEY_Q_keygen (NULL, NULL, "X25519");
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new (peer, NULL);
	CK_BYTE raw[32], expect[32], got[64];
	size_t raw_len = 32, elen = 32;
	CK_ECDH1_DERIVE_PARAMS params = { CKD_NULL, 0, NULL, 32, raw };
	CK_MECHANISM m = { CKM_ECDH1_DERIVE, &params, sizeof params };
	CK_OBJECT_CLASS sk = CKO_SECRET_KEY;
	CK_KEY_TYPE kt = CKK_GENERIC_SECRET;
	CK_ULONG vlen = 32;
	CK_BBOOL no = CK_FALSE;
	CK_ATTRIBUTE templ[] = { { CKA_CLASS, &sk, sizeof sk }, { CKA_KEY_TYPE, &kt, sizeof kt },
	                         { CKA_VALUE_LEN, &vlen, sizeof vlen }, { CKA_SENSITIVE, &no, 1 } };
	CK_ATTRIBUTE val = { CKA_VALUE, got, sizeof got };
	CK_OBJECT_HANDLE derived;

	ck_assert_int_eq (EVP_PKEY_get_raw_public_key (peer, raw, &raw_len), 1);
	ck_assert_int_eq (EVP_PKEY_derive_init (ctx), 1);
	ck_assert_int_eq (EVP_PKEY_derive_set_peer (ctx, mock_key_by_ref (ref)->key), 1);
	ck_assert_int_eq (EVP_PKEY_derive (ctx, expect, &elen), 1);
	ck_assert_int_eq (f->C_DeriveKey (sess, &m, key, templ, 4, &derived), CKR_OK);
	ck_assert_int_eq (f->C_GetAttributeValue (sess, derived, &val, 1), CKR_OK);
	ck_assert_uint_eq (val.ulValueLen, 32);
	ck_assert_mem_eq (got, expect, 32);
	EVP_PKEY_CTX_free (ctx);
	EVP_PKEY_free (peer);
}

/* Ed25519 signature with handle KEY, checked by OpenSSL with the mock key of REF. */
static void
check_ed25519 (CK_OBJECT_HANDLE key, uint8_t ref, bool always)
{
	CK_MECHANISM m = { CKM_EDDSA, NULL, 0 };
	CK_BYTE msg[] = "a new key's first signature", sig[64];
	CK_ULONG len = sizeof sig;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new ();

	ck_assert_int_eq (f->C_SignInit (sess, &m, key), CKR_OK);
	if (always)
		ck_assert_int_eq (f->C_Login (sess, CKU_CONTEXT_SPECIFIC, pin, 6), CKR_OK);
	ck_assert_int_eq (f->C_Sign (sess, msg, sizeof msg - 1, sig, &len), CKR_OK);
	ck_assert_int_eq (EVP_DigestVerifyInit (ctx, NULL, NULL, NULL, mock_key_by_ref (ref)->key), 1);
	ck_assert_int_eq (EVP_DigestVerify (ctx, sig, len, msg, sizeof msg - 1), 1);
	EVP_MD_CTX_free (ctx);
}

START_TEST (test_keygen)
{
	static const CK_BYTE id1 = 1, id2 = 2, id3 = 3;
	CK_BYTE name_edwards[] = { 0x13, 0x0C, 'e', 'd', 'w', 'a', 'r', 'd', 's', '2', '5', '5', '1', '9' };
	CK_OBJECT_HANDLE pub = 0, priv = 0;
	CK_BYTE buf[64];
	CK_ATTRIBUTE params = { CKA_EC_PARAMS, buf, sizeof buf };
	int calls;

	login ();
	/* what a template cannot ask of these key types: nothing reaches the card */
	calls = mock.generate_calls;
	ck_assert_int_eq (generate (CKM_EC_EDWARDS_KEY_PAIR_GEN, oid_x25519, sizeof oid_x25519, NULL, CKA_SIGN, &pub,
	                            &priv), CKR_CURVE_NOT_SUPPORTED);
	ck_assert_int_eq (generate (CKM_EC_KEY_PAIR_GEN, oid_ed25519, sizeof oid_ed25519, NULL, CKA_SIGN, &pub, &priv),
	                  CKR_CURVE_NOT_SUPPORTED);
	ck_assert_int_eq (generate (CKM_EC_MONTGOMERY_KEY_PAIR_GEN, oid_x25519, sizeof oid_x25519, &id1, 0, &pub,
	                            &priv), CKR_CURVE_NOT_SUPPORTED);   /* 01 holds no X25519 key */
	ck_assert_int_eq (generate (CKM_EC_EDWARDS_KEY_PAIR_GEN, NULL, 0, NULL, CKA_SIGN, &pub, &priv),
	                  CKR_ATTRIBUTE_VALUE_INVALID);
	ck_assert_int_eq (mock.generate_calls, calls);

	/* without CKA_ID, a usage whose slot holds a key: refused, the key kept (no spare slots) */
	ck_assert_int_eq (generate (CKM_EC_EDWARDS_KEY_PAIR_GEN, oid_ed25519, sizeof oid_ed25519, NULL, CKA_SIGN, &pub,
	                            &priv), CKR_DEVICE_MEMORY);
	ck_assert_int_eq (generate (CKM_EC_MONTGOMERY_KEY_PAIR_GEN, name_curve25519, sizeof name_curve25519, NULL, 0,
	                            &pub, &priv), CKR_DEVICE_MEMORY);
	ck_assert_int_eq (mock.generate_calls, calls);

	/* Ed25519 by OID into the signature slot, named; a PIN-always slot, its key too */
	ck_assert_int_eq (generate (CKM_EC_EDWARDS_KEY_PAIR_GEN, oid_ed25519, sizeof oid_ed25519, &id1, CKA_SIGN, &pub,
	                            &priv), CKR_OK);
	ck_assert_int_eq (mock.last_alg, CARD_ALG_ED25519);
	ck_assert_uint_eq (p11_ulong (f, sess, pub, CKA_KEY_TYPE), CKK_EC_EDWARDS);
	ck_assert_uint_eq (p11_ulong (f, sess, priv, CKA_KEY_GEN_MECHANISM), CKM_EC_EDWARDS_KEY_PAIR_GEN);
	ck_assert_int_eq (f->C_GetAttributeValue (sess, pub, &params, 1), CKR_OK);
	ck_assert_uint_eq (params.ulValueLen, sizeof oid_ed25519);
	ck_assert_mem_eq (buf, oid_ed25519, sizeof oid_ed25519);
	check_pub_is_card_key (pub, 0x01);
	check_ed25519 (priv, 0x01, true);
	/* the curve by name (PKCS #11 3.0's PrintableString): the same */
	ck_assert_int_eq (generate (CKM_EC_EDWARDS_KEY_PAIR_GEN, name_edwards, sizeof name_edwards, &id1, CKA_SIGN,
	                            &pub, &priv), CKR_OK);
	check_pub_is_card_key (pub, 0x01);
	/* a usage the key type cannot have (pkcs11-tool asks SIGN and DERIVE of every EC key):
	 * the key is made without it */
	ck_assert_int_eq (generate (CKM_EC_EDWARDS_KEY_PAIR_GEN, oid_ed25519, sizeof oid_ed25519, &id1, CKA_DERIVE,
	                            &pub, &priv), CKR_OK);
	ck_assert (!p11_bool (f, sess, priv, CKA_DERIVE));
	ck_assert_int_eq (generate (CKM_EC_MONTGOMERY_KEY_PAIR_GEN, oid_x25519, sizeof oid_x25519, &id2, CKA_SIGN,
	                            &pub, &priv), CKR_OK);
	ck_assert (!p11_bool (f, sess, priv, CKA_SIGN));
	ck_assert (p11_bool (f, sess, priv, CKA_DERIVE));

	/* X25519, by name, into the decryption slot */
	ck_assert_int_eq (generate (CKM_EC_MONTGOMERY_KEY_PAIR_GEN, name_curve25519, sizeof name_curve25519, &id2, 0,
	                            &pub, &priv), CKR_OK);
	ck_assert_int_eq (mock.last_alg, CARD_ALG_X25519);
	ck_assert_uint_eq (p11_ulong (f, sess, priv, CKA_KEY_TYPE), CKK_EC_MONTGOMERY);
	ck_assert_uint_eq (p11_find (f, sess, CKO_PRIVATE_KEY, 2), priv);
	check_pub_is_card_key (pub, 0x02);
	check_x25519 (priv, 0x02);
	/* the name as OpenSC 0.23's pkcs11-tool sends it (its length counts a NUL not sent) */
	name_curve25519[1] = 0x0B;
	ck_assert_int_eq (generate (CKM_EC_MONTGOMERY_KEY_PAIR_GEN, name_curve25519, sizeof name_curve25519, &id2, 0,
	                            &pub, &priv), CKR_OK);
	name_curve25519[1] = 0x0A;
	ck_assert_int_eq (mock.last_alg, CARD_ALG_X25519);
	check_pub_is_card_key (pub, 0x02);

	/* P-521 into 03 by CKA_ID */
	ck_assert_int_eq (generate (CKM_EC_KEY_PAIR_GEN, oid_p521, sizeof oid_p521, &id3, CKA_SIGN, &pub, &priv),
	                  CKR_OK);
	ck_assert_int_eq (mock.last_alg, CARD_ALG_EC_P521);
	params.ulValueLen = sizeof buf;
	ck_assert_int_eq (f->C_GetAttributeValue (sess, pub, &params, 1), CKR_OK);
	ck_assert_uint_eq (params.ulValueLen, sizeof oid_p521);
	ck_assert_mem_eq (buf, oid_p521, sizeof oid_p521);
	check_pub_is_card_key (pub, 0x03);
}
END_TEST

/* C_CreateObject of an Ed25519 or X25519 private key (CKA_VALUE: RFC 8032 / 7748's 32 bytes). */
static CK_RV
import (CK_KEY_TYPE kt, CK_BYTE *oid, EVP_PKEY *key, size_t value_len, CK_BYTE id, CK_OBJECT_HANDLE *h)
{
	CK_OBJECT_CLASS klass = CKO_PRIVATE_KEY;
	CK_BBOOL yes = CK_TRUE;
	CK_BYTE value[32];
	size_t len = sizeof value;
	CK_ATTRIBUTE t[] = { { CKA_CLASS, &klass, sizeof klass }, { CKA_KEY_TYPE, &kt, sizeof kt },
	                     { CKA_TOKEN, &yes, 1 }, { CKA_EC_PARAMS, oid, 5 }, { CKA_ID, &id, 1 },
	                     { CKA_VALUE, value, value_len } };
	CK_RV rv;

	ck_assert_int_eq (EVP_PKEY_get_raw_private_key (key, value, &len), 1);
	rv = f->C_CreateObject (sess, t, 6, h);
	OPENSSL_cleanse (value, sizeof value);
	return rv;
}

START_TEST (test_import)
{
	EVP_PKEY *ed = EVP_PKEY_Q_keygen (NULL, NULL, "ED25519"), *x = EVP_PKEY_Q_keygen (NULL, NULL, "X25519");
	unsigned char *want = NULL;
	CK_OBJECT_HANDLE priv;
	CK_BYTE buf[512];
	CK_ATTRIBUTE info = { CKA_PUBLIC_KEY_INFO, buf, sizeof buf };
	int n, calls;

	login ();
	calls = mock.generate_calls;
	ck_assert_int_eq (import (CKK_EC_EDWARDS, oid_ed25519, ed, 31, 3, &priv), CKR_ATTRIBUTE_VALUE_INVALID);
	ck_assert_int_eq (mock.generate_calls, calls);

	/* Ed25519 into 03: its public key is the one OpenSSL computes, and it signs */
	ck_assert_int_eq (import (CKK_EC_EDWARDS, oid_ed25519, ed, 32, 3, &priv), CKR_OK);
	ck_assert_int_eq (mock.last_alg, CARD_ALG_ED25519);
	n = i2d_PUBKEY (ed, &want);
	ck_assert_int_eq (f->C_GetAttributeValue (sess, p11_find (f, sess, CKO_PUBLIC_KEY, 3), &info, 1), CKR_OK);
	ck_assert_uint_eq (info.ulValueLen, (CK_ULONG)n);
	ck_assert_mem_eq (buf, want, (size_t)n);
	OPENSSL_free (want);
	ck_assert_uint_eq (p11_ulong (f, sess, priv, CKA_KEY_GEN_MECHANISM), CK_UNAVAILABLE_INFORMATION);
	check_ed25519 (priv, 0x03, false);

	/* X25519 into 02: the agreement of the card is OpenSSL's with the same key */
	ck_assert_int_eq (import (CKK_EC_MONTGOMERY, oid_x25519, x, 32, 2, &priv), CKR_OK);
	ck_assert_int_eq (mock.last_alg, CARD_ALG_X25519);
	check_x25519 (priv, 0x02);
	ck_assert_int_eq (EVP_PKEY_eq (mock_key_by_ref (0x02)->key, x), 1);
	EVP_PKEY_free (ed);
	EVP_PKEY_free (x);
}
END_TEST

static Suite *
pgp_suite (void)
{
	Suite *s = suite_create ("openpgp-like");
	TCase *rsa = tcase_create ("rsa"), *ecc = tcase_create ("ecc"), *piv = tcase_create ("piv");

	tcase_set_timeout (rsa, 60);
	tcase_add_checked_fixture (rsa, setup_rsa, teardown);
	tcase_add_test (rsa, test_rsa_mechs);
	tcase_add_test (rsa, test_rsa_sign);
	tcase_add_test (rsa, test_rsa_decrypt);
	suite_add_tcase (s, rsa);
	tcase_set_timeout (ecc, 60);
	tcase_add_checked_fixture (ecc, setup_ecc, teardown);
	tcase_add_test (ecc, test_keygen);
	tcase_add_test (ecc, test_import);
	suite_add_tcase (s, ecc);
	tcase_set_timeout (piv, 60);
	tcase_add_checked_fixture (piv, setup_piv, teardown);
	tcase_add_test (piv, test_context_pin_piv);
	suite_add_tcase (s, piv);
	return s;
}

int
main (void)
{
	SRunner *sr = srunner_create (pgp_suite ());
	int failed;

	srunner_run_all (sr, CK_ENV);
	failed = srunner_ntests_failed (sr);
	srunner_free (sr);
	mock_teardown ();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
