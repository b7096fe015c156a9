/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tests/api/test-api.c: the module as an application sees it. It dlopen()s
 * $TESSERA_MODULE and reaches it only through C_GetInterface / C_GetFunctionList,
 * against the card simulator of tests/testbed provisioned by yubico-piv-tool
 * (test-api.sh): RSA 2048 in 9A, EC P-256 in 9C (PIN always), RSA 2048 in 9D,
 * EC P-256 with keyAgreement in 82. Every signature and decryption is checked by
 * OpenSSL against the certificates in $CARD_DIR.
 */
#include "config.h"

#include "src/pkcs11-3.h"

#include <check.h>
#include <stdbool.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

static void *module;
static CK_FUNCTION_LIST_3_0 *f;
static CK_SLOT_ID slot;
static CK_SESSION_HANDLE sess;
static CK_UTF8CHAR pin[] = "123456";

/* ---- helpers ---- */

static X509 *
load_cert (const char *slotname)
{
	char path[512];
	FILE *fp;
	X509 *x;

	snprintf (path, sizeof path, "%s/%s.cert.pem", getenv ("CARD_DIR"), slotname);
	fp = fopen (path, "r");
	ck_assert_msg (fp != NULL, "%s", path);
	x = PEM_read_X509 (fp, NULL, NULL, NULL);
	fclose (fp);
	ck_assert_ptr_nonnull (x);
	return x;
}

static void
ctl (const char *cmd)
{
	char line[1024];
	const char *paths = getenv ("CARDSIM_CONTROL");
	char first[512];

	ck_assert_ptr_nonnull (paths);
	sscanf (paths, "%511s", first);
	snprintf (line, sizeof line, "\"%s\" ctl \"%s\" %s >/dev/null", getenv ("CARDSIM"), first, cmd);
	ck_assert_int_eq (system (line), 0);
}

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
	ck_assert_ptr_nonnull (get_interface);
	/* Firefox's order: fork-safe first (we do not claim it), then any */
	ck_assert_int_eq (get_interface ((CK_UTF8CHAR_PTR)"PKCS 11", NULL, &iface, CKF_INTERFACE_FORK_SAFE),
	                  CKR_ARGUMENTS_BAD);
	ck_assert_int_eq (get_interface ((CK_UTF8CHAR_PTR)"PKCS 11", NULL, &iface, 0), CKR_OK);
	f = iface->pFunctionList;
	ck_assert_int_eq (f->version.major, 3);
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

static CK_OBJECT_HANDLE
key (CK_OBJECT_CLASS klass, CK_BYTE id)
{
	CK_ATTRIBUTE t[] = { { CKA_CLASS, &klass, sizeof klass }, { CKA_ID, &id, 1 } };
	CK_OBJECT_HANDLE h[64];

	ck_assert_int_eq (find (t, 2, h), 1);
	return h[0];
}

static void
verify (const char *slotname, const EVP_MD *md, int pad, const uint8_t *tbs, size_t tbs_len,
        const uint8_t *sig, size_t sig_len)
{
	X509 *x = load_cert (slotname);
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new (X509_get0_pubkey (x), NULL);
	uint8_t der[160], *p = der;
	int der_len;

	if (pad == 0) {   /* ECDSA r||s → DER */
		ECDSA_SIG *es = ECDSA_SIG_new ();
		ECDSA_SIG_set0 (es, BN_bin2bn (sig, (int)sig_len / 2, NULL), BN_bin2bn (sig + sig_len / 2, (int)sig_len / 2, NULL));
		der_len = i2d_ECDSA_SIG (es, &p);
		ECDSA_SIG_free (es);
		sig = der;
		sig_len = (size_t)der_len;
	}
	ck_assert_int_eq (EVP_PKEY_verify_init (ctx), 1);
	if (pad != 0) {
		ck_assert_int_gt (EVP_PKEY_CTX_set_rsa_padding (ctx, pad), 0);
		if (pad == RSA_PKCS1_PSS_PADDING)
			ck_assert_int_gt (EVP_PKEY_CTX_set_rsa_pss_saltlen (ctx, RSA_PSS_SALTLEN_AUTO), 0);
	}
	if (md != NULL)
		ck_assert_int_gt (EVP_PKEY_CTX_set_signature_md (ctx, md), 0);
	ck_assert_msg (EVP_PKEY_verify (ctx, sig, sig_len, tbs, tbs_len) == 1, "OpenSSL rejects the signature");
	EVP_PKEY_CTX_free (ctx);
	X509_free (x);
}

/* ---- tests ---- */

START_TEST (test_slot_token)
{
	CK_SLOT_INFO si;
	CK_TOKEN_INFO ti;
	CK_INFO info;
	char label[33];
	int i;

	ck_assert_int_eq (f->C_GetInfo (&info), CKR_OK);
	ck_assert_int_eq (f->C_GetSlotInfo (slot, &si), CKR_OK);
	ck_assert_uint_eq (si.flags, CKF_TOKEN_PRESENT | CKF_REMOVABLE_DEVICE | CKF_HW_SLOT);
	for (i = 0; i < 64; i++)
		ck_assert_int_ne (si.slotDescription[i], 0);
	ck_assert_int_eq (f->C_GetTokenInfo (slot, &ti), CKR_OK);
	memcpy (label, ti.label, 32);
	label[32] = '\0';
	ck_assert_msg (strncmp (label, "Alice Example #", 15) == 0, "label [%s]", label);
	for (i = 0; i < 32; i++)
		ck_assert_int_ne (ti.label[i], 0);
	ck_assert (ti.flags & CKF_LOGIN_REQUIRED);
	ck_assert (ti.flags & CKF_RNG);
	ck_assert (ti.flags & CKF_TOKEN_INITIALIZED);
	ck_assert_uint_eq (ti.ulSessionCount, 1);
}
END_TEST

START_TEST (test_objects)
{
	CK_OBJECT_CLASS cert = CKO_CERTIFICATE, profile = CKO_PROFILE;
	CK_ATTRIBUTE certs[] = { { CKA_CLASS, &cert, sizeof cert } };
	CK_ATTRIBUTE prof[] = { { CKA_CLASS, &profile, sizeof profile } };
	CK_OBJECT_HANDLE h[64];
	X509 *x = load_cert ("9a");
	unsigned char *issuer = NULL, *serial = NULL, *der = NULL;
	int il = i2d_X509_NAME (X509_get_issuer_name (x), &issuer);
	int sl = i2d_ASN1_INTEGER (X509_get_serialNumber (x), &serial);
	int dl = i2d_X509 (x, &der);
	CK_ATTRIBUTE by_is[] = { { CKA_CLASS, &cert, sizeof cert }, { CKA_ISSUER, issuer, (CK_ULONG)il },
	                         { CKA_SERIAL_NUMBER, serial, (CK_ULONG)sl } };
	CK_BYTE value[4096], id = 0;
	CK_ATTRIBUTE get[] = { { CKA_VALUE, value, sizeof value }, { CKA_ID, &id, 1 } };

	ck_assert_uint_eq (find (certs, 1, NULL), 4);
	ck_assert_uint_eq (find (prof, 1, NULL), 1);
	ck_assert_uint_eq (find (by_is, 3, h), 1);
	ck_assert_int_eq (f->C_GetAttributeValue (sess, h[0], get, 2), CKR_OK);
	ck_assert_uint_eq (get[0].ulValueLen, (CK_ULONG)dl);
	ck_assert (memcmp (value, der, (size_t)dl) == 0);
	ck_assert_uint_eq (id, 1);   /* 9A ↔ CKA_ID 01, as OpenSC and ykcs11 */
	key (CKO_CERTIFICATE, 2);
	key (CKO_CERTIFICATE, 3);
	key (CKO_PUBLIC_KEY, 3);
	key (CKO_CERTIFICATE, 5);    /* retired 82 */
	login ();
	key (CKO_PRIVATE_KEY, 1);
	OPENSSL_free (issuer);
	OPENSSL_free (serial);
	OPENSSL_free (der);
	X509_free (x);
}
END_TEST

START_TEST (test_login_states)
{
	CK_UTF8CHAR wrong[] = "000000";
	CK_SESSION_INFO si;
	CK_TOKEN_INFO ti;

	ck_assert_int_eq (f->C_GetSessionInfo (sess, &si), CKR_OK);
	ck_assert_uint_eq (si.state, CKS_RW_PUBLIC_SESSION);
	ck_assert_int_eq (f->C_Login (sess, CKU_USER, wrong, 6), CKR_PIN_INCORRECT);
	ck_assert_int_eq (f->C_GetTokenInfo (slot, &ti), CKR_OK);
	ck_assert (ti.flags & CKF_USER_PIN_COUNT_LOW);
	login ();
	ck_assert_int_eq (f->C_GetTokenInfo (slot, &ti), CKR_OK);
	ck_assert (!(ti.flags & CKF_USER_PIN_COUNT_LOW));
	ck_assert_int_eq (f->C_GetSessionInfo (sess, &si), CKR_OK);
	ck_assert_uint_eq (si.state, CKS_RW_USER_FUNCTIONS);
	/* C_SetPIN as the user, while logged in: the new PIN is the one held from now on */
	{
		CK_UTF8CHAR newpin[] = "24681357";
		ck_assert_int_eq (f->C_SetPIN (sess, pin, 6, newpin, 8), CKR_OK);
		ck_assert_int_eq (system ("yubico-piv-tool -a status >/dev/null 2>&1"), 0);   /* card reset */
		ck_assert_int_eq (f->C_Logout (sess), CKR_OK);
		ck_assert_int_eq (f->C_Login (sess, CKU_USER, pin, 6), CKR_PIN_INCORRECT);
		ck_assert_int_eq (f->C_Login (sess, CKU_USER, newpin, 8), CKR_OK);
		ck_assert_int_eq (f->C_SetPIN (sess, newpin, 8, pin, 6), CKR_OK);
	}
	ck_assert_int_eq (f->C_Logout (sess), CKR_OK);
	ck_assert_int_eq (f->C_GetSessionInfo (sess, &si), CKR_OK);
	ck_assert_uint_eq (si.state, CKS_RW_PUBLIC_SESSION);
}
END_TEST

static CK_ULONG
sign (CK_MECHANISM *m, CK_OBJECT_HANDLE k, const uint8_t *data, size_t len, uint8_t *sig, bool parts)
{
	CK_ULONG sl = 512;

	ck_assert_int_eq (f->C_SignInit (sess, m, k), CKR_OK);
	if (parts) {
		ck_assert_int_eq (f->C_SignUpdate (sess, (CK_BYTE_PTR)data, 3), CKR_OK);
		ck_assert_int_eq (f->C_SignUpdate (sess, (CK_BYTE_PTR)data + 3, 4), CKR_OK);
		ck_assert_int_eq (f->C_SignUpdate (sess, (CK_BYTE_PTR)data + 7, len - 7), CKR_OK);
		ck_assert_int_eq (f->C_SignFinal (sess, sig, &sl), CKR_OK);
	} else {
		ck_assert_int_eq (f->C_Sign (sess, (CK_BYTE_PTR)data, len, sig, &sl), CKR_OK);
	}
	return sl;
}

START_TEST (test_sign_rsa)
{
	static const struct { CK_MECHANISM_TYPE m, h; CK_ULONG mgf; const char *md; } pss[] = {
		{ CKM_SHA256_RSA_PKCS_PSS, CKM_SHA256, CKG_MGF1_SHA256, "SHA256" },
		{ CKM_SHA384_RSA_PKCS_PSS, CKM_SHA384, CKG_MGF1_SHA384, "SHA384" },
		{ CKM_SHA512_RSA_PKCS_PSS, CKM_SHA512, CKG_MGF1_SHA512, "SHA512" },
		{ CKM_SHA1_RSA_PKCS_PSS, CKM_SHA_1, CKG_MGF1_SHA1, "SHA1" },
	};
	static const struct { CK_MECHANISM_TYPE m; const char *md; } pkcs[] = {
		{ CKM_SHA1_RSA_PKCS, "SHA1" }, { CKM_SHA224_RSA_PKCS, "SHA224" }, { CKM_SHA256_RSA_PKCS, "SHA256" },
		{ CKM_SHA384_RSA_PKCS, "SHA384" }, { CKM_SHA512_RSA_PKCS, "SHA512" },
	};
	const uint8_t msg[] = "GET / HTTP/1.1 TLS transcript";
	uint8_t sig[512], hash[64];
	unsigned int hl;
	CK_OBJECT_HANDLE k;
	size_t i;

	login ();
	k = key (CKO_PRIVATE_KEY, 1);
	for (i = 0; i < sizeof pss / sizeof pss[0]; i++) {
		CK_RSA_PKCS_PSS_PARAMS p = { pss[i].h, pss[i].mgf, (CK_ULONG)EVP_MD_get_size (EVP_get_digestbyname (pss[i].md)) };
		CK_MECHANISM m = { pss[i].m, &p, sizeof p };
		CK_MECHANISM raw = { CKM_RSA_PKCS_PSS, &p, sizeof p };
		const EVP_MD *md = EVP_get_digestbyname (pss[i].md);
		CK_ULONG sl = sign (&m, k, msg, sizeof msg, sig, true);   /* TLS 1.3: multi-part */
		EVP_Digest (msg, sizeof msg, hash, &hl, md, NULL);
		verify ("9a", md, RSA_PKCS1_PSS_PADDING, hash, hl, sig, sl);
		sl = sign (&raw, k, hash, hl, sig, false);                /* TLS 1.2: raw PSS */
		verify ("9a", md, RSA_PKCS1_PSS_PADDING, hash, hl, sig, sl);
	}
	for (i = 0; i < sizeof pkcs / sizeof pkcs[0]; i++) {
		CK_MECHANISM m = { pkcs[i].m, NULL, 0 };
		const EVP_MD *md = EVP_get_digestbyname (pkcs[i].md);
		CK_ULONG sl = sign (&m, k, msg, sizeof msg, sig, i % 2 == 0);
		EVP_Digest (msg, sizeof msg, hash, &hl, md, NULL);
		verify ("9a", md, RSA_PKCS1_PADDING, hash, hl, sig, sl);
	}
	{
		/* CKM_RSA_PKCS over a DigestInfo (TLS 1.2 without PSS) */
		CK_MECHANISM m = { CKM_RSA_PKCS, NULL, 0 };
		uint8_t di[51] = { 0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04,
		                   0x02, 0x01, 0x05, 0x00, 0x04, 0x20 };
		CK_ULONG sl;
		EVP_Digest (msg, sizeof msg, di + 19, &hl, EVP_sha256 (), NULL);
		sl = sign (&m, k, di, sizeof di, sig, false);
		verify ("9a", EVP_sha256 (), RSA_PKCS1_PADDING, di + 19, 32, sig, sl);
	}
}
END_TEST

START_TEST (test_sign_ecdsa)
{
	const uint8_t msg[] = "an S/MIME message";
	uint8_t sig[128], hash[64];
	CK_MECHANISM m = { CKM_ECDSA_SHA256, NULL, 0 }, raw = { CKM_ECDSA, NULL, 0 };
	CK_OBJECT_HANDLE k;
	CK_BBOOL always = CK_FALSE;
	CK_ATTRIBUTE a = { CKA_ALWAYS_AUTHENTICATE, &always, 1 };
	CK_ULONG sl = sizeof sig;
	unsigned int hl;

	login ();
	k = key (CKO_PRIVATE_KEY, 2);
	ck_assert_int_eq (f->C_GetAttributeValue (sess, k, &a, 1), CKR_OK);
	ck_assert_int_eq (always, CK_TRUE);   /* 9C: the YubiKey's PIN policy */
	ck_assert_int_eq (f->C_SignInit (sess, &m, k), CKR_OK);
	ck_assert_int_eq (f->C_Login (sess, CKU_CONTEXT_SPECIFIC, pin, 6), CKR_OK);
	ck_assert_int_eq (f->C_Sign (sess, (CK_BYTE_PTR)msg, sizeof msg, sig, &sl), CKR_OK);
	ck_assert_uint_eq (sl, 64);
	EVP_Digest (msg, sizeof msg, hash, &hl, EVP_sha256 (), NULL);
	verify ("9c", NULL, 0, hash, hl, sig, sl);
	EVP_Digest (msg, sizeof msg, hash, &hl, EVP_sha384 (), NULL);
	ck_assert_int_eq (f->C_SignInit (sess, &raw, k), CKR_OK);
	ck_assert_int_eq (f->C_Login (sess, CKU_CONTEXT_SPECIFIC, pin, 6), CKR_OK);
	sl = sizeof sig;
	ck_assert_int_eq (f->C_Sign (sess, hash, hl, sig, &sl), CKR_OK);
	verify ("9c", NULL, 0, hash, hl, sig, sl);
	/* without the context-specific login the card is not even asked */
	ck_assert_int_eq (f->C_SignInit (sess, &raw, k), CKR_OK);
	sl = sizeof sig;
	ck_assert_int_eq (f->C_Sign (sess, hash, hl, sig, &sl), CKR_USER_NOT_LOGGED_IN);
}
END_TEST

static size_t
encrypt_to (const char *slotname, int pad, const EVP_MD *md, const uint8_t *in, size_t len, uint8_t *out)
{
	X509 *x = load_cert (slotname);
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new (X509_get0_pubkey (x), NULL);
	size_t ol = 512;

	ck_assert_int_eq (EVP_PKEY_encrypt_init (ctx), 1);
	ck_assert_int_gt (EVP_PKEY_CTX_set_rsa_padding (ctx, pad), 0);
	if (md != NULL) {
		ck_assert_int_gt (EVP_PKEY_CTX_set_rsa_oaep_md (ctx, md), 0);
		ck_assert_int_gt (EVP_PKEY_CTX_set_rsa_mgf1_md (ctx, md), 0);
	}
	ck_assert_int_eq (EVP_PKEY_encrypt (ctx, out, &ol, in, len), 1);
	EVP_PKEY_CTX_free (ctx);
	X509_free (x);
	return ol;
}

START_TEST (test_decrypt_unwrap)
{
	CK_RSA_PKCS_OAEP_PARAMS o1 = { CKM_SHA_1, CKG_MGF1_SHA1, CKZ_DATA_SPECIFIED, NULL, 0 };
	CK_RSA_PKCS_OAEP_PARAMS o256 = { CKM_SHA256, CKG_MGF1_SHA256, CKZ_DATA_SPECIFIED, NULL, 0 };
	CK_MECHANISM pkcs = { CKM_RSA_PKCS, NULL, 0 }, oaep1 = { CKM_RSA_PKCS_OAEP, &o1, sizeof o1 };
	CK_MECHANISM oaep256 = { CKM_RSA_PKCS_OAEP, &o256, sizeof o256 };
	CK_OBJECT_CLASS sk = CKO_SECRET_KEY;
	CK_KEY_TYPE aes = CKK_AES;
	CK_ATTRIBUTE templ[] = { { CKA_CLASS, &sk, sizeof sk }, { CKA_KEY_TYPE, &aes, sizeof aes } };
	uint8_t secret[32], enc[512], out[512];
	CK_ATTRIBUTE val = { CKA_VALUE, out, sizeof out };
	CK_OBJECT_HANDLE k, pub, unwrapped;
	CK_ULONG ol;
	size_t el;

	memset (secret, 0x42, sizeof secret);
	login ();
	k = key (CKO_PRIVATE_KEY, 3);
	pub = key (CKO_PUBLIC_KEY, 3);
	el = encrypt_to ("9d", RSA_PKCS1_PADDING, NULL, secret, 32, enc);
	ck_assert_int_eq (f->C_DecryptInit (sess, &pkcs, k), CKR_OK);
	ol = sizeof out;
	ck_assert_int_eq (f->C_Decrypt (sess, enc, el, out, &ol), CKR_OK);
	ck_assert_uint_eq (ol, 32);
	ck_assert (memcmp (out, secret, 32) == 0);
	el = encrypt_to ("9d", RSA_PKCS1_OAEP_PADDING, EVP_sha1 (), secret, 20, enc);
	ck_assert_int_eq (f->C_DecryptInit (sess, &oaep1, k), CKR_OK);
	ol = sizeof out;
	ck_assert_int_eq (f->C_Decrypt (sess, enc, el, out, &ol), CKR_OK);
	ck_assert_uint_eq (ol, 20);
	ck_assert (memcmp (out, secret, 20) == 0);
	el = encrypt_to ("9d", RSA_PKCS1_OAEP_PADDING, EVP_sha256 (), secret, 32, enc);
	ck_assert_int_eq (f->C_UnwrapKey (sess, &oaep256, k, enc, el, templ, 2, &unwrapped), CKR_OK);
	ck_assert_int_eq (f->C_GetAttributeValue (sess, unwrapped, &val, 1), CKR_OK);
	ck_assert_uint_eq (val.ulValueLen, 32);
	ck_assert (memcmp (out, secret, 32) == 0);
	/* C_Encrypt with the public key in software, decrypted by the card */
	ck_assert_int_eq (f->C_EncryptInit (sess, &oaep256, pub), CKR_OK);
	ol = sizeof enc;
	ck_assert_int_eq (f->C_Encrypt (sess, secret, 16, enc, &ol), CKR_OK);
	ck_assert_int_eq (f->C_DecryptInit (sess, &oaep256, k), CKR_OK);
	el = ol;
	ol = sizeof out;
	ck_assert_int_eq (f->C_Decrypt (sess, enc, el, out, &ol), CKR_OK);
	ck_assert_uint_eq (ol, 16);
	ck_assert (memcmp (out, secret, 16) == 0);
}
END_TEST

START_TEST (test_ecdh)
{
	X509 *x = load_cert ("82");
	EVP_PKEY *peer = EVP_PKEY_Q_keygen (NULL, NULL, "EC", "P-256");
	unsigned char point[65], expect[32], got[64];
	size_t plen = 0, elen = sizeof expect;
	CK_ECDH1_DERIVE_PARAMS params = { CKD_NULL, 0, NULL, 65, point };
	CK_MECHANISM m = { CKM_ECDH1_DERIVE, &params, sizeof params };
	CK_OBJECT_CLASS sk = CKO_SECRET_KEY;
	CK_KEY_TYPE kt = CKK_GENERIC_SECRET;
	CK_ATTRIBUTE templ[] = { { CKA_CLASS, &sk, sizeof sk }, { CKA_KEY_TYPE, &kt, sizeof kt } };
	CK_ATTRIBUTE val = { CKA_VALUE, got, sizeof got };
	CK_OBJECT_HANDLE derived;
	EVP_PKEY_CTX *ctx;

	EVP_PKEY_get_octet_string_param (peer, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof point, &plen);
	ctx = EVP_PKEY_CTX_new (peer, NULL);
	EVP_PKEY_derive_init (ctx);
	EVP_PKEY_derive_set_peer (ctx, X509_get0_pubkey (x));
	ck_assert_int_eq (EVP_PKEY_derive (ctx, expect, &elen), 1);
	EVP_PKEY_CTX_free (ctx);
	EVP_PKEY_free (peer);
	X509_free (x);
	login ();
	ck_assert_int_eq (f->C_DeriveKey (sess, &m, key (CKO_PRIVATE_KEY, 5), templ, 2, &derived), CKR_OK);
	ck_assert_int_eq (f->C_GetAttributeValue (sess, derived, &val, 1), CKR_OK);
	ck_assert_uint_eq (val.ulValueLen, 32);
	ck_assert (memcmp (got, expect, 32) == 0);
}
END_TEST

START_TEST (test_random_digest)
{
	CK_BYTE r[32], d[32];
	CK_ULONG dl = sizeof d;
	CK_MECHANISM m = { CKM_SHA256, NULL, 0 };
	uint8_t expect[32];

	ck_assert_int_eq (f->C_GenerateRandom (sess, r, sizeof r), CKR_OK);   /* no login: Firefox start-up */
	ck_assert_int_eq (f->C_SeedRandom (sess, r, sizeof r), CKR_RANDOM_SEED_NOT_SUPPORTED);
	ck_assert_int_eq (f->C_DigestInit (sess, &m), CKR_OK);
	ck_assert_int_eq (f->C_DigestUpdate (sess, r, 10), CKR_OK);
	ck_assert_int_eq (f->C_DigestUpdate (sess, r + 10, 22), CKR_OK);
	ck_assert_int_eq (f->C_DigestFinal (sess, d, &dl), CKR_OK);
	EVP_Digest (r, 32, expect, NULL, EVP_sha256 (), NULL);
	ck_assert (memcmp (d, expect, 32) == 0);
}
END_TEST

START_TEST (test_other_process)
{
	CK_MECHANISM m = { CKM_SHA256_RSA_PKCS, NULL, 0 };
	const uint8_t msg[] = "after somebody else used the card";
	uint8_t sig[512], hash[32];
	CK_OBJECT_HANDLE k;
	CK_ULONG sl;
	CK_SESSION_INFO si;

	login ();
	k = key (CKO_PRIVATE_KEY, 1);
	/* another application talks to the card (and resets it on disconnect) */
	ck_assert_int_eq (system ("yubico-piv-tool -a status >/dev/null 2>&1"), 0);
	ck_assert_int_eq (f->C_GetSessionInfo (sess, &si), CKR_OK);
	ck_assert_uint_eq (si.state, CKS_RW_USER_FUNCTIONS);
	sl = sign (&m, k, msg, sizeof msg, sig, false);
	EVP_Digest (msg, sizeof msg, hash, NULL, EVP_sha256 (), NULL);
	verify ("9a", EVP_sha256 (), RSA_PKCS1_PADDING, hash, 32, sig, sl);
	/* the card lost its volatile state (application deselected, PIN forgotten) */
	ctl ("reset");
	sl = sign (&m, k, msg, sizeof msg, sig, false);
	verify ("9a", EVP_sha256 (), RSA_PKCS1_PADDING, hash, 32, sig, sl);
}
END_TEST

START_TEST (test_errors)
{
	CK_MECHANISM m = { CKM_SHA256_RSA_PKCS, NULL, 0 };
	uint8_t sig[512] = { 0 };
	CK_ULONG sl = sizeof sig;
	CK_OBJECT_HANDLE k;
	CK_SESSION_INFO si;
	CK_SLOT_ID ev;
	CK_SLOT_INFO slot_info;
	int i;

	login ();
	k = key (CKO_PRIVATE_KEY, 1);
	/* the card fails (an unexpected status word): CKR_DEVICE_ERROR, the next operation works */
	ctl ("fail 1 sw:6F00");
	ck_assert_int_eq (f->C_SignInit (sess, &m, k), CKR_OK);
	ck_assert_int_eq (f->C_Sign (sess, sig, 20, sig, &sl), CKR_DEVICE_ERROR);
	/* card removed mid-operation: CKR_DEVICE_REMOVED, the slot's sessions end */
	while (f->C_WaitForSlotEvent (CKF_DONT_BLOCK, &ev, NULL) == CKR_OK)
		;
	ck_assert_int_eq (f->C_SignInit (sess, &m, k), CKR_OK);
	ctl ("remove");
	sleep (1);   /* pcscd notices; the module has not been called since */
	sl = sizeof sig;
	ck_assert_int_eq (f->C_Sign (sess, sig, 20, sig, &sl), CKR_DEVICE_REMOVED);
	ck_assert_int_eq (f->C_GetSessionInfo (sess, &si), CKR_SESSION_HANDLE_INVALID);
	ck_assert_int_eq (f->C_GetSlotInfo (slot, &slot_info), CKR_OK);
	ck_assert_uint_eq (slot_info.flags & CKF_TOKEN_PRESENT, 0);
	ck_assert_int_eq (f->C_WaitForSlotEvent (CKF_DONT_BLOCK, &ev, NULL), CKR_OK);
	ck_assert_uint_eq (ev, slot);
	ctl ("insert");
	for (i = 0; i < 100; i++) {
		if (f->C_GetSlotInfo (slot, &slot_info) == CKR_OK && (slot_info.flags & CKF_TOKEN_PRESENT))
			break;
		usleep (50000);
	}
	ck_assert (slot_info.flags & CKF_TOKEN_PRESENT);
	ck_assert_int_eq (f->C_OpenSession (slot, CKF_SERIAL_SESSION, NULL, NULL, &sess), CKR_OK);
	ck_assert_int_eq (f->C_GetSessionInfo (sess, &si), CKR_OK);
	ck_assert_uint_eq (si.state, CKS_RO_PUBLIC_SESSION);
	login ();
	sl = sign (&m, key (CKO_PRIVATE_KEY, 1), sig, 20, sig, false);
	ck_assert_uint_eq (sl, 256);
}
END_TEST

START_TEST (test_arguments)
{
	CK_MECHANISM m = { CKM_SHA256_RSA_PKCS, NULL, 0 };
	CK_ULONG n;
	CK_BYTE b[256];
	CK_OBJECT_HANDLE h;

	ck_assert_int_eq (f->C_Initialize (NULL), CKR_CRYPTOKI_ALREADY_INITIALIZED);
	ck_assert_int_eq (f->C_GetInfo (NULL), CKR_ARGUMENTS_BAD);
	ck_assert_int_eq (f->C_GetSlotList (CK_TRUE, NULL, NULL), CKR_ARGUMENTS_BAD);
	ck_assert_int_eq (f->C_GetSlotInfo (slot, NULL), CKR_ARGUMENTS_BAD);
	ck_assert_int_eq (f->C_GetTokenInfo (slot, NULL), CKR_ARGUMENTS_BAD);
	ck_assert_int_eq (f->C_GetTokenInfo (9999, (CK_TOKEN_INFO *)b), CKR_SLOT_ID_INVALID);
	ck_assert_int_eq (f->C_GetMechanismList (slot, NULL, NULL), CKR_ARGUMENTS_BAD);
	ck_assert_int_eq (f->C_GetMechanismInfo (slot, CKM_RSA_PKCS, NULL), CKR_ARGUMENTS_BAD);
	ck_assert_int_eq (f->C_OpenSession (slot, CKF_SERIAL_SESSION, NULL, NULL, NULL), CKR_ARGUMENTS_BAD);
	ck_assert_int_eq (f->C_OpenSession (slot, CKF_RW_SESSION, NULL, NULL, &h), CKR_SESSION_PARALLEL_NOT_SUPPORTED);
	ck_assert_int_eq (f->C_GetSessionInfo (0, (CK_SESSION_INFO *)b), CKR_SESSION_HANDLE_INVALID);
	ck_assert_int_eq (f->C_GetSessionInfo (sess, NULL), CKR_ARGUMENTS_BAD);
	ck_assert_int_eq (f->C_FindObjectsInit (sess, NULL, 1), CKR_ARGUMENTS_BAD);
	ck_assert_int_eq (f->C_FindObjects (sess, &h, 1, &n), CKR_OPERATION_NOT_INITIALIZED);
	ck_assert_int_eq (f->C_SignInit (sess, NULL, 1), CKR_ARGUMENTS_BAD);
	ck_assert_int_eq (f->C_SignInit (sess, &m, 0), CKR_KEY_HANDLE_INVALID);
	ck_assert_int_eq (f->C_Sign (sess, b, 1, b, &n), CKR_OPERATION_NOT_INITIALIZED);
	ck_assert_int_eq (f->C_GenerateRandom (sess, NULL, 4), CKR_ARGUMENTS_BAD);
	ck_assert_int_eq (f->C_WaitForSlotEvent (CKF_DONT_BLOCK, NULL, NULL), CKR_ARGUMENTS_BAD);
	ck_assert_int_eq (f->C_GenerateKeyPair (sess, &m, NULL, 0, NULL, 0, &h, &h), CKR_MECHANISM_INVALID);
	ck_assert_int_eq (f->C_MessageSignInit (sess, &m, 1), CKR_FUNCTION_NOT_SUPPORTED);
	ck_assert_int_eq (f->C_Login (sess, CKU_USER, pin, 3), CKR_PIN_LEN_RANGE);
	ck_assert_int_eq (f->C_Finalize (b), CKR_ARGUMENTS_BAD);
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

START_TEST (test_slot_events)
{
	CK_SLOT_ID ev;
	CK_RV rv = 0xffff;
	pthread_t t;

	while (f->C_WaitForSlotEvent (CKF_DONT_BLOCK, &ev, NULL) == CKR_OK)
		;
	ck_assert_int_eq (f->C_WaitForSlotEvent (CKF_DONT_BLOCK, &ev, NULL), CKR_NO_EVENT);
	/* NSS's monitoring thread: blocked until the card goes */
	ck_assert_int_eq (pthread_create (&t, NULL, waiter, &rv), 0);
	usleep (300000);
	ck_assert_int_eq (rv, 0xffff);
	ctl ("remove");
	pthread_join (t, NULL);
	ck_assert_int_eq (rv, CKR_OK);
	ctl ("insert");
	/* C_Finalize wakes a blocked wait: CKR_CRYPTOKI_NOT_INITIALIZED */
	rv = 0xffff;
	while (f->C_WaitForSlotEvent (CKF_DONT_BLOCK, &ev, NULL) == CKR_OK)
		;
	ck_assert_int_eq (pthread_create (&t, NULL, waiter, &rv), 0);
	usleep (300000);
	ck_assert_int_eq (f->C_Finalize (NULL), CKR_OK);
	pthread_join (t, NULL);
	ck_assert_int_eq (rv, CKR_CRYPTOKI_NOT_INITIALIZED);
}
END_TEST

int
main (void)
{
	Suite *s = suite_create ("api");
	TCase *tc = tcase_create ("module");
	SRunner *sr;
	int failed;

	tcase_set_timeout (tc, 120);
	tcase_add_checked_fixture (tc, setup, teardown);
	tcase_add_test (tc, test_slot_token);
	tcase_add_test (tc, test_objects);
	tcase_add_test (tc, test_login_states);
	tcase_add_test (tc, test_sign_rsa);
	tcase_add_test (tc, test_sign_ecdsa);
	tcase_add_test (tc, test_decrypt_unwrap);
	tcase_add_test (tc, test_ecdh);
	tcase_add_test (tc, test_random_digest);
	tcase_add_test (tc, test_other_process);
	tcase_add_test (tc, test_errors);
	tcase_add_test (tc, test_arguments);
	tcase_add_test (tc, test_slot_events);
	suite_add_tcase (s, tc);
	sr = srunner_create (s);
	srunner_set_fork_status (sr, CK_NOFORK);   /* one process, like an application */
	srunner_run_all (sr, CK_ENV);
	failed = srunner_ntests_failed (sr);
	srunner_free (sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
