/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * src/test-algs.c: the key algorithms beyond PIV's, on the mock's OpenPGP-like card
 * (test-mock.h): Ed25519 and X25519 objects and attributes, CKM_EDDSA signatures and
 * X25519 key agreement checked by OpenSSL, P-521 and brainpool ECDSA and ECDH, and the
 * mechanism lists of the PIV-like and the OpenPGP-like token.
 */
#include "config.h"

#include "src/test-mock.h"
#include "src/test-p11.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/kdf.h>
#include <openssl/x509.h>

static CK_FUNCTION_LIST_PTR f;
static CK_SLOT_ID slot;
static CK_SESSION_HANDLE sess;
static CK_UTF8CHAR pin[] = MOCK_PIN;

static const CK_BYTE oid_ed25519[] = { 0x06, 0x03, 0x2B, 0x65, 0x70 };
static const CK_BYTE oid_x25519[] = { 0x06, 0x03, 0x2B, 0x65, 0x6E };
static const CK_BYTE oid_bp384[] = { 0x06, 0x09, 0x2B, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x0B };
static const CK_BYTE oid_p521[] = { 0x06, 0x05, 0x2B, 0x81, 0x04, 0x00, 0x23 };

static void
init_profile (enum mock_profile profile)
{
	mock_open_session (profile, &f, &slot, &sess);
}

static void setup_ecc (void) { init_profile (MOCK_PROFILE_PGP_ECC); }
static void setup_rsa (void) { init_profile (MOCK_PROFILE_PGP_RSA); }
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

/* The attribute into BUF (at most 512 bytes); its length. */
static CK_ULONG
get_bytes (CK_OBJECT_HANDLE h, CK_ATTRIBUTE_TYPE type, CK_BYTE *buf)
{
	CK_ATTRIBUTE a = { type, buf, 512 };

	ck_assert_int_eq (f->C_GetAttributeValue (sess, h, &a, 1), CKR_OK);
	return a.ulValueLen;
}

/* CKA_EC_PARAMS and CKA_EC_POINT of an Ed25519 / X25519 key object: the RFC 8410 OID,
 * and the 32 bytes of the mock key in an OCTET STRING. */
static void
check_ecx_attrs (CK_OBJECT_HANDLE h, const CK_BYTE *oid, EVP_PKEY *key, bool with_point)
{
	CK_BYTE buf[512], raw[32];
	size_t raw_len = sizeof raw;
	CK_ULONG len;

	len = get_bytes (h, CKA_EC_PARAMS, buf);
	ck_assert_uint_eq (len, 5);
	ck_assert_mem_eq (buf, oid, 5);
	if (!with_point)
		return;
	ck_assert_int_eq (EVP_PKEY_get_raw_public_key (key, raw, &raw_len), 1);
	len = get_bytes (h, CKA_EC_POINT, buf);
	ck_assert_uint_eq (len, 34);
	ck_assert_uint_eq (buf[0], 0x04);
	ck_assert_uint_eq (buf[1], 32);
	ck_assert_mem_eq (buf + 2, raw, 32);
}

START_TEST (test_ecx_objects)
{
	CK_OBJECT_HANDLE pub, priv, cert;
	CK_BYTE buf[512];
	unsigned char *der = NULL;
	CK_ULONG len;
	int der_len;
	CK_TOKEN_INFO ti;

	/* Ed25519 in 01, with its certificate: the certificate names the token */
	ck_assert_int_eq (f->C_GetTokenInfo (slot, &ti), CKR_OK);
	ck_assert (memcmp (ti.label, "Carol Signature #00065678       ", 32) == 0);
	cert = p11_find (f, sess, CKO_CERTIFICATE, 1);
	ck_assert_uint_ne (cert, 0);
	pub = p11_find (f, sess, CKO_PUBLIC_KEY, 1);
	ck_assert_uint_ne (pub, 0);
	ck_assert_uint_eq (p11_ulong (f, sess, pub, CKA_KEY_TYPE), CKK_EC_EDWARDS);
	check_ecx_attrs (pub, oid_ed25519, mock_key_by_ref (0x01)->key, true);
	ck_assert (p11_bool (f, sess, pub, CKA_VERIFY));
	ck_assert (!p11_bool (f, sess, pub, CKA_ENCRYPT));
	ck_assert (!p11_bool (f, sess, pub, CKA_DERIVE));
	der_len = i2d_PUBKEY (mock_key_by_ref (0x01)->key, &der);
	len = get_bytes (pub, CKA_PUBLIC_KEY_INFO, buf);
	ck_assert_uint_eq (len, (CK_ULONG)der_len);
	ck_assert_mem_eq (buf, der, len);
	OPENSSL_free (der);
	der = NULL;
	ck_assert_uint_eq (p11_find (f, sess, CKO_PRIVATE_KEY, 1), 0);   /* private: after login */

	/* X25519 in 02, without a certificate: the card's public key */
	ck_assert_uint_eq (p11_find (f, sess, CKO_CERTIFICATE, 2), 0);
	pub = p11_find (f, sess, CKO_PUBLIC_KEY, 2);
	ck_assert_uint_ne (pub, 0);
	ck_assert_uint_eq (p11_ulong (f, sess, pub, CKA_KEY_TYPE), CKK_EC_MONTGOMERY);
	check_ecx_attrs (pub, oid_x25519, mock_key_by_ref (0x02)->key, true);
	ck_assert (!p11_bool (f, sess, pub, CKA_VERIFY));
	der_len = i2d_PUBKEY (mock_key_by_ref (0x02)->key, &der);
	len = get_bytes (pub, CKA_PUBLIC_KEY_INFO, buf);
	ck_assert_uint_eq (len, (CK_ULONG)der_len);
	ck_assert_mem_eq (buf, der, len);
	OPENSSL_free (der);

	/* brainpoolP384r1 in 03 */
	pub = p11_find (f, sess, CKO_PUBLIC_KEY, 3);
	ck_assert_uint_eq (p11_ulong (f, sess, pub, CKA_KEY_TYPE), CKK_EC);
	len = get_bytes (pub, CKA_EC_PARAMS, buf);
	ck_assert_uint_eq (len, sizeof oid_bp384);
	ck_assert_mem_eq (buf, oid_bp384, len);
	len = get_bytes (pub, CKA_EC_POINT, buf);
	ck_assert_uint_eq (len, 2 + 97);

	login ();
	priv = p11_find (f, sess, CKO_PRIVATE_KEY, 1);
	ck_assert_uint_eq (p11_ulong (f, sess, priv, CKA_KEY_TYPE), CKK_EC_EDWARDS);
	check_ecx_attrs (priv, oid_ed25519, NULL, false);
	ck_assert (p11_bool (f, sess, priv, CKA_SIGN));
	ck_assert (!p11_bool (f, sess, priv, CKA_DERIVE));
	ck_assert (!p11_bool (f, sess, priv, CKA_DECRYPT));
	ck_assert_uint_eq (p11_ulong (f, sess, priv, CKA_KEY_GEN_MECHANISM), CKM_EC_EDWARDS_KEY_PAIR_GEN);
	priv = p11_find (f, sess, CKO_PRIVATE_KEY, 2);
	ck_assert_uint_eq (p11_ulong (f, sess, priv, CKA_KEY_TYPE), CKK_EC_MONTGOMERY);
	check_ecx_attrs (priv, oid_x25519, NULL, false);
	ck_assert (p11_bool (f, sess, priv, CKA_DERIVE));
	ck_assert (!p11_bool (f, sess, priv, CKA_SIGN));
	ck_assert_uint_eq (p11_ulong (f, sess, priv, CKA_KEY_GEN_MECHANISM), CKM_EC_MONTGOMERY_KEY_PAIR_GEN);
	priv = p11_find (f, sess, CKO_PRIVATE_KEY, 3);
	ck_assert (p11_bool (f, sess, priv, CKA_SIGN));
	ck_assert (p11_bool (f, sess, priv, CKA_DERIVE));
}
END_TEST

/* OpenSSL's word on an Ed25519 signature by the mock key of REF. */
static int
ed25519_verify (uint8_t ref, const CK_BYTE *msg, size_t len, const CK_BYTE *sig, size_t sig_len)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new ();
	int ok;

	ck_assert_int_eq (EVP_DigestVerifyInit (ctx, NULL, NULL, NULL, mock_key_by_ref (ref)->key), 1);
	ok = EVP_DigestVerify (ctx, sig, sig_len, msg, len);
	EVP_MD_CTX_free (ctx);
	return ok;
}

START_TEST (test_eddsa)
{
	CK_MECHANISM m = { CKM_EDDSA, NULL, 0 };
	CK_EDDSA_PARAMS pure = { CK_FALSE, 0, NULL }, ph = { CK_TRUE, 0, NULL };
	CK_EDDSA_PARAMS ctx = { CK_FALSE, 3, (CK_BYTE_PTR)"abc" };
	CK_MECHANISM m_pure = { CKM_EDDSA, &pure, sizeof pure }, m_ph = { CKM_EDDSA, &ph, sizeof ph };
	CK_MECHANISM m_ctx = { CKM_EDDSA, &ctx, sizeof ctx }, m_ecdsa = { CKM_ECDSA, NULL, 0 };
	CK_BYTE msg[] = "a message to sign with Ed25519, longer than a hash of it", sig[128], sig2[128];
	CK_ULONG len, len2;
	CK_OBJECT_HANDLE key, pub, bp;
	int ops;

	login ();
	key = p11_find (f, sess, CKO_PRIVATE_KEY, 1);
	pub = p11_find (f, sess, CKO_PUBLIC_KEY, 1);
	bp = p11_find (f, sess, CKO_PRIVATE_KEY, 3);

	/* single part; the length is known without the card */
	ops = mock.private_ops;
	ck_assert_int_eq (f->C_SignInit (sess, &m, key), CKR_OK);
	ck_assert_int_eq (f->C_Sign (sess, msg, sizeof msg - 1, NULL, &len), CKR_OK);
	ck_assert_uint_eq (len, 64);
	ck_assert_int_eq (mock.private_ops, ops);
	ck_assert_int_eq (f->C_Sign (sess, msg, sizeof msg - 1, sig, &len), CKR_OK);
	ck_assert_uint_eq (len, 64);
	ck_assert_int_eq (ed25519_verify (0x01, msg, sizeof msg - 1, sig, len), 1);

	/* multi-part, with CK_EDDSA_PARAMS for pure Ed25519: the same (deterministic) signature */
	ck_assert_int_eq (f->C_SignInit (sess, &m_pure, key), CKR_OK);
	ck_assert_int_eq (f->C_SignUpdate (sess, msg, 10), CKR_OK);
	ck_assert_int_eq (f->C_SignUpdate (sess, msg + 10, sizeof msg - 11), CKR_OK);
	len2 = sizeof sig2;
	ck_assert_int_eq (f->C_SignFinal (sess, sig2, &len2), CKR_OK);
	ck_assert_uint_eq (len2, 64);
	ck_assert_mem_eq (sig, sig2, 64);

	/* the empty message is a message */
	ck_assert_int_eq (f->C_SignInit (sess, &m, key), CKR_OK);
	len2 = sizeof sig2;
	ck_assert_int_eq (f->C_Sign (sess, msg, 0, sig2, &len2), CKR_OK);
	ck_assert_int_eq (ed25519_verify (0x01, msg, 0, sig2, len2), 1);

	/* C_Verify with the public key, in software */
	ck_assert_int_eq (f->C_VerifyInit (sess, &m, pub), CKR_OK);
	ck_assert_int_eq (f->C_Verify (sess, msg, sizeof msg - 1, sig, 64), CKR_OK);
	sig[5] ^= 1;
	ck_assert_int_eq (f->C_VerifyInit (sess, &m, pub), CKR_OK);
	ck_assert_int_eq (f->C_Verify (sess, msg, sizeof msg - 1, sig, 64), CKR_SIGNATURE_INVALID);
	ck_assert_int_eq (f->C_VerifyInit (sess, &m, pub), CKR_OK);
	ck_assert_int_eq (f->C_Verify (sess, msg, sizeof msg - 1, sig, 63), CKR_SIGNATURE_LEN_RANGE);

	/* Ed25519ph, Ed25519ctx: other algorithms; EdDSA with an EC key, ECDSA with Ed25519 */
	ck_assert_int_eq (f->C_SignInit (sess, &m_ph, key), CKR_MECHANISM_PARAM_INVALID);
	ck_assert_int_eq (f->C_SignInit (sess, &m_ctx, key), CKR_MECHANISM_PARAM_INVALID);
	ck_assert_int_eq (f->C_SignInit (sess, &m, bp), CKR_KEY_TYPE_INCONSISTENT);
	ck_assert_int_eq (f->C_SignInit (sess, &m_ecdsa, key), CKR_KEY_TYPE_INCONSISTENT);

	/* a card that signs wrong is caught by the check with the public key */
	mock.fault = true;
	ck_assert_int_eq (f->C_SignInit (sess, &m, key), CKR_OK);
	len = sizeof sig;
	ck_assert_int_eq (f->C_Sign (sess, msg, sizeof msg - 1, sig, &len), CKR_DEVICE_ERROR);
}
END_TEST

/* The secret OpenSSL agrees on between PEER and the mock key of REF into OUT; its length. */
static size_t
agree (EVP_PKEY *peer, uint8_t ref, CK_BYTE *out, size_t room)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new (peer, NULL);

	ck_assert_int_eq (EVP_PKEY_derive_init (ctx), 1);
	ck_assert_int_eq (EVP_PKEY_derive_set_peer (ctx, mock_key_by_ref (ref)->key), 1);
	ck_assert_int_eq (EVP_PKEY_derive (ctx, out, &room), 1);
	EVP_PKEY_CTX_free (ctx);
	return room;
}

/* C_DeriveKey with PARAMS on KEY: the CKA_VALUE of the new key into OUT; its length. */
static CK_ULONG
derive (CK_MECHANISM_TYPE mech, CK_ECDH1_DERIVE_PARAMS *params, CK_OBJECT_HANDLE key, CK_ULONG vlen,
        CK_BYTE *out, CK_RV want)
{
	CK_MECHANISM m = { mech, params, sizeof *params };
	CK_OBJECT_CLASS sk = CKO_SECRET_KEY;
	CK_KEY_TYPE kt = CKK_GENERIC_SECRET;
	CK_BBOOL no = CK_FALSE;
	CK_ATTRIBUTE templ[] = { { CKA_CLASS, &sk, sizeof sk }, { CKA_KEY_TYPE, &kt, sizeof kt },
	                         { CKA_VALUE_LEN, &vlen, sizeof vlen }, { CKA_SENSITIVE, &no, 1 } };
	CK_OBJECT_HANDLE derived = 0;

	ck_assert_int_eq (f->C_DeriveKey (sess, &m, key, templ, 4, &derived), want);
	if (want != CKR_OK)
		return 0;
	return get_bytes (derived, CKA_VALUE, out);
}

START_TEST (test_x25519_derive)
{
	EVP_PKEY *peer = EVP_PKEY_Q_keygen (NULL, NULL, "X25519");
	CK_BYTE raw[34] = { 0x04, 0x20 }, expect[64], got[512];
	size_t raw_len = 32, elen;
	CK_ECDH1_DERIVE_PARAMS params = { CKD_NULL, 0, NULL, 32, raw + 2 };
	CK_OBJECT_HANDLE key;
	CK_ULONG n;

	ck_assert_int_eq (EVP_PKEY_get_raw_public_key (peer, raw + 2, &raw_len), 1);
	elen = agree (peer, 0x02, expect, sizeof expect);
	ck_assert_uint_eq (elen, 32);
	login ();
	key = p11_find (f, sess, CKO_PRIVATE_KEY, 2);

	/* the peer's key raw, and as CKA_EC_POINT (DER OCTET STRING) */
	n = derive (CKM_ECDH1_DERIVE, &params, key, 32, got, CKR_OK);
	ck_assert_uint_eq (n, 32);
	ck_assert_mem_eq (got, expect, 32);
	params.pPublicData = raw;
	params.ulPublicDataLen = 34;
	memset (got, 0, sizeof got);
	n = derive (CKM_ECDH1_DERIVE, &params, key, 32, got, CKR_OK);
	ck_assert_mem_eq (got, expect, 32);

	/* the X9.63 KDF over the card's secret */
	{
		CK_BYTE kdf[16];
		EVP_KDF *k = EVP_KDF_fetch (NULL, "X963KDF", NULL);
		EVP_KDF_CTX *kc = EVP_KDF_CTX_new (k);
		OSSL_PARAM p[] = { OSSL_PARAM_construct_utf8_string ("digest", (char *)"SHA256", 0),
		                   OSSL_PARAM_construct_octet_string ("key", expect, 32),
		                   OSSL_PARAM_construct_end () };
		ck_assert_int_eq (EVP_KDF_derive (kc, kdf, sizeof kdf, p), 1);
		EVP_KDF_CTX_free (kc);
		EVP_KDF_free (k);
		params.kdf = CKD_SHA256_KDF;
		n = derive (CKM_ECDH1_DERIVE, &params, key, 16, got, CKR_OK);
		ck_assert_uint_eq (n, 16);
		ck_assert_mem_eq (got, kdf, 16);
		params.kdf = CKD_NULL;
	}

	/* a key of the wrong length; the cofactor variant, for EC keys only */
	params.pPublicData = raw + 2;
	params.ulPublicDataLen = 31;
	derive (CKM_ECDH1_DERIVE, &params, key, 32, got, CKR_MECHANISM_PARAM_INVALID);
	params.ulPublicDataLen = 32;
	derive (CKM_ECDH1_COFACTOR_DERIVE, &params, key, 32, got, CKR_KEY_TYPE_INCONSISTENT);
	/* an Ed25519 key agrees on nothing */
	derive (CKM_ECDH1_DERIVE, &params, p11_find (f, sess, CKO_PRIVATE_KEY, 1), 32, got, CKR_KEY_TYPE_INCONSISTENT);
	EVP_PKEY_free (peer);
}
END_TEST

/* ECDSA with the mock EC key of REF (curve CURVE, FIELD bytes) and ECDH with a peer on
 * the same curve, its point wrapped as CKA_EC_POINT (long DER length from P-521 on). */
static void
check_ec_key (uint8_t ref, CK_BYTE id, const char *curve, size_t field)
{
	CK_MECHANISM m = { CKM_ECDSA_SHA512, NULL, 0 };
	CK_BYTE msg[] = "sign me on a long curve", sig[256], hash[64], point[140], got[512], expect[80];
	CK_ULONG len = sizeof sig;
	size_t plen = 0, hdr, elen;
	CK_OBJECT_HANDLE key = p11_find (f, sess, CKO_PRIVATE_KEY, id), pub = p11_find (f, sess, CKO_PUBLIC_KEY, id);
	EVP_PKEY *peer = EVP_PKEY_Q_keygen (NULL, NULL, "EC", curve);
	CK_ECDH1_DERIVE_PARAMS params = { CKD_NULL, 0, NULL, 0, point };
	ECDSA_SIG *es = ECDSA_SIG_new ();
	unsigned char *der = NULL;
	EVP_PKEY_CTX *ctx;
	int der_len;

	ck_assert_int_eq (f->C_SignInit (sess, &m, key), CKR_OK);
	ck_assert_int_eq (f->C_Sign (sess, msg, sizeof msg - 1, sig, &len), CKR_OK);
	ck_assert_uint_eq (len, 2 * field);
	ck_assert_int_eq (f->C_VerifyInit (sess, &m, pub), CKR_OK);
	ck_assert_int_eq (f->C_Verify (sess, msg, sizeof msg - 1, sig, len), CKR_OK);
	/* OpenSSL's word: r||s as an ECDSA-Sig-Value over SHA-512 of the message */
	ECDSA_SIG_set0 (es, BN_bin2bn (sig, (int)field, NULL), BN_bin2bn (sig + field, (int)field, NULL));
	der_len = i2d_ECDSA_SIG (es, &der);
	EVP_Digest (msg, sizeof msg - 1, hash, NULL, EVP_sha512 (), NULL);
	ctx = EVP_PKEY_CTX_new (mock_key_by_ref (ref)->key, NULL);
	ck_assert_int_eq (EVP_PKEY_verify_init (ctx), 1);
	ck_assert_int_eq (EVP_PKEY_verify (ctx, der, (size_t)der_len, hash, 64), 1);
	EVP_PKEY_CTX_free (ctx);
	OPENSSL_free (der);
	ECDSA_SIG_free (es);

	hdr = 2 * field + 1 < 0x80 ? 2 : 3;
	point[0] = 0x04;
	point[hdr - 2 + 1] = (CK_BYTE)(2 * field + 1);
	if (hdr == 3)
		point[1] = 0x81;
	EVP_PKEY_get_octet_string_param (peer, OSSL_PKEY_PARAM_PUB_KEY, point + hdr, sizeof point - hdr, &plen);
	ck_assert_uint_eq (plen, 2 * field + 1);
	params.ulPublicDataLen = hdr + plen;
	elen = agree (peer, ref, expect, sizeof expect);
	ck_assert_uint_eq (elen, field);
	ck_assert_uint_eq (derive (CKM_ECDH1_DERIVE, &params, key, (CK_ULONG)field, got, CKR_OK), field);
	ck_assert_mem_eq (got, expect, field);
	EVP_PKEY_free (peer);
}

START_TEST (test_brainpool)
{
	login ();
	check_ec_key (0x03, 3, "brainpoolP384r1", 48);
}
END_TEST

START_TEST (test_p521)
{
	CK_OBJECT_HANDLE pub;
	CK_BYTE buf[512];

	pub = p11_find (f, sess, CKO_PUBLIC_KEY, 3);
	ck_assert_uint_eq (get_bytes (pub, CKA_EC_PARAMS, buf), sizeof oid_p521);
	ck_assert_mem_eq (buf, oid_p521, sizeof oid_p521);
	login ();
	check_ec_key (0x03, 3, "P-521", 66);
}
END_TEST

/* Is MECH in the token's mechanism list? */
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

START_TEST (test_mechs_piv)
{
	CK_ULONG n = 0;

	/* as before: the whole RSA and EC table, nothing of Ed25519 or X25519 */
	ck_assert_int_eq (f->C_GetMechanismList (slot, NULL, &n), CKR_OK);
	ck_assert_uint_eq (n, 28);
	ck_assert (listed (CKM_RSA_PKCS_PSS) && listed (CKM_RSA_PKCS_OAEP) && listed (CKM_RSA_X_509));
	ck_assert (listed (CKM_ECDH1_COFACTOR_DERIVE));
	ck_assert (!listed (CKM_EDDSA) && !listed (CKM_EC_EDWARDS_KEY_PAIR_GEN) &&
	           !listed (CKM_EC_MONTGOMERY_KEY_PAIR_GEN));
}
END_TEST

START_TEST (test_mechs_ecc)
{
	CK_MECHANISM_INFO mi;

	ck_assert_int_eq (f->C_GetMechanismInfo (slot, CKM_EDDSA, &mi), CKR_OK);
	ck_assert_uint_eq (mi.flags, CKF_HW | CKF_SIGN | CKF_VERIFY);
	ck_assert_uint_eq (mi.ulMinKeySize, 255);
	ck_assert_uint_eq (mi.ulMaxKeySize, 255);
	/* ECDH: X25519 (255) and the curves held or generable (up to P-521) */
	ck_assert_int_eq (f->C_GetMechanismInfo (slot, CKM_ECDH1_DERIVE, &mi), CKR_OK);
	ck_assert (mi.flags & CKF_DERIVE);
	ck_assert_uint_eq (mi.ulMinKeySize, 255);
	ck_assert_uint_eq (mi.ulMaxKeySize, 521);
	ck_assert_int_eq (f->C_GetMechanismInfo (slot, CKM_EC_EDWARDS_KEY_PAIR_GEN, &mi), CKR_OK);
	ck_assert (mi.flags & CKF_GENERATE_KEY_PAIR);
	ck_assert_int_eq (f->C_GetMechanismInfo (slot, CKM_EC_MONTGOMERY_KEY_PAIR_GEN, &mi), CKR_OK);
	ck_assert_uint_eq (mi.ulMaxKeySize, 255);
	ck_assert_int_eq (f->C_GetMechanismInfo (slot, CKM_ECDSA, &mi), CKR_OK);
	ck_assert_uint_eq (mi.ulMinKeySize, 256);
	ck_assert_uint_eq (mi.ulMaxKeySize, 521);
	/* RSA only generable, and this card pads itself: PKCS #1 v1.5 only */
	ck_assert (listed (CKM_RSA_PKCS) && listed (CKM_SHA256_RSA_PKCS) && listed (CKM_RSA_PKCS_KEY_PAIR_GEN));
	ck_assert (!listed (CKM_RSA_PKCS_PSS) && !listed (CKM_SHA256_RSA_PKCS_PSS) && !listed (CKM_RSA_PKCS_OAEP) &&
	           !listed (CKM_RSA_X_509));
}
END_TEST

/* A session Ed25519 public key (C_CreateObject) verifies the card's signature. */
START_TEST (test_session_ed25519_pub)
{
	CK_OBJECT_CLASS klass = CKO_PUBLIC_KEY;
	CK_KEY_TYPE kt = CKK_EC_EDWARDS;
	CK_BYTE point[34] = { 0x04, 0x20 }, msg[] = "verify me", sig[64];
	size_t raw_len = 32;
	CK_BBOOL yes = CK_TRUE;
	CK_ATTRIBUTE t[] = { { CKA_CLASS, &klass, sizeof klass }, { CKA_KEY_TYPE, &kt, sizeof kt },
	                     { CKA_EC_PARAMS, (void *)oid_ed25519, sizeof oid_ed25519 },
	                     { CKA_EC_POINT, point, sizeof point }, { CKA_VERIFY, &yes, 1 } };
	CK_MECHANISM m = { CKM_EDDSA, NULL, 0 };
	CK_OBJECT_HANDLE h;
	CK_ULONG len = sizeof sig;

	ck_assert_int_eq (EVP_PKEY_get_raw_public_key (mock_key_by_ref (0x01)->key, point + 2, &raw_len), 1);
	ck_assert_int_eq (f->C_CreateObject (sess, t, 5, &h), CKR_OK);
	login ();
	ck_assert_int_eq (f->C_SignInit (sess, &m, p11_find (f, sess, CKO_PRIVATE_KEY, 1)), CKR_OK);
	ck_assert_int_eq (f->C_Sign (sess, msg, sizeof msg - 1, sig, &len), CKR_OK);
	ck_assert_int_eq (f->C_VerifyInit (sess, &m, h), CKR_OK);
	ck_assert_int_eq (f->C_Verify (sess, msg, sizeof msg - 1, sig, len), CKR_OK);
	ck_assert_int_eq (f->C_VerifyInit (sess, &m, h), CKR_OK);
	ck_assert_int_eq (f->C_Verify (sess, msg, sizeof msg - 2, sig, len), CKR_SIGNATURE_INVALID);
}
END_TEST

static Suite *
algs_suite (void)
{
	Suite *s = suite_create ("algs");
	TCase *ecc = tcase_create ("openpgp-ecc"), *rsa = tcase_create ("openpgp-rsa"), *piv = tcase_create ("piv");

	tcase_set_timeout (ecc, 60);
	tcase_add_checked_fixture (ecc, setup_ecc, teardown);
	tcase_add_test (ecc, test_ecx_objects);
	tcase_add_test (ecc, test_eddsa);
	tcase_add_test (ecc, test_x25519_derive);
	tcase_add_test (ecc, test_brainpool);
	tcase_add_test (ecc, test_mechs_ecc);
	tcase_add_test (ecc, test_session_ed25519_pub);
	suite_add_tcase (s, ecc);
	tcase_set_timeout (rsa, 60);
	tcase_add_checked_fixture (rsa, setup_rsa, teardown);
	tcase_add_test (rsa, test_p521);
	suite_add_tcase (s, rsa);
	tcase_set_timeout (piv, 60);
	tcase_add_checked_fixture (piv, setup_piv, teardown);
	tcase_add_test (piv, test_mechs_piv);
	suite_add_tcase (s, piv);
	return s;
}

int
main (void)
{
	SRunner *sr = srunner_create (algs_suite ());
	int failed;

	srunner_run_all (sr, CK_ENV);
	failed = srunner_ntests_failed (sr);
	srunner_free (sr);
	mock_teardown ();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
