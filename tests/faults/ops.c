/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tests/faults/ops.c: the operations of the fault matrix, each with the state it starts
 * from (prepare), the call under faults (run: and did a CKR_OK really do it?) and what is
 * noted or undone afterwards (settle). Everything but run happens without faults.
 */
#include "config.h"

#include "tests/faults/faults.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

struct fm_state fm;

static unsigned char plain[64], cipher[256], secret[32], point[65];
static size_t cipher_len, secret_len;
static unsigned char *der_a, *der_b;
static size_t len_a, len_b;

static EVP_PKEY *
pub_of_cert (const char *path)
{
	FILE *fp = fopen (path, "r");
	X509 *x = fp != NULL ? PEM_read_X509 (fp, NULL, NULL, NULL) : NULL;
	EVP_PKEY *k = x != NULL ? X509_get_pubkey (x) : NULL;

	if (fp != NULL)
		fclose (fp);
	X509_free (x);
	if (k == NULL)
		tap_bail ("cannot read a provisioned certificate");
	return k;
}

static unsigned char *
read_file (const char *path, size_t *len)
{
	FILE *fp = fopen (path, "rb");
	unsigned char *buf = malloc (65536);

	*len = fp != NULL && buf != NULL ? fread (buf, 1, 65536, fp) : 0;
	if (fp != NULL)
		fclose (fp);
	if (*len == 0)
		tap_bail ("cannot read a certificate file");
	return buf;
}

/* A second certificate for 9E's key (signed by a throw-away key), written to DIR/9e-b.der. */
static void
make_cert_b (EVP_PKEY *pub9e)
{
	EVP_PKEY *ca = EVP_PKEY_Q_keygen (NULL, NULL, "EC", "P-256");
	X509 *x = X509_new ();
	X509_NAME *name = X509_NAME_new ();
	unsigned char *p;
	FILE *fp;

	X509_set_version (x, 2);
	ASN1_INTEGER_set (X509_get_serialNumber (x), 4242);
	X509_NAME_add_entry_by_txt (name, "CN", MBSTRING_ASC, (const unsigned char *)"fault matrix", -1, -1, 0);
	X509_set_subject_name (x, name);
	X509_set_issuer_name (x, name);
	X509_gmtime_adj (X509_getm_notBefore (x), 0);
	X509_gmtime_adj (X509_getm_notAfter (x), 86400L);
	X509_set_pubkey (x, pub9e);
	X509_sign (x, ca, EVP_sha256 ());
	len_b = (size_t)i2d_X509 (x, NULL);
	der_b = p = malloc (len_b);
	i2d_X509 (x, &p);
	fp = fopen (fm.cert_b, "wb");
	if (fp == NULL || fwrite (der_b, 1, len_b, fp) != len_b)
		tap_bail ("cannot write the second certificate");
	fclose (fp);
	X509_NAME_free (name);
	X509_free (x);
	EVP_PKEY_free (ca);
}

void
fm_ops_init (const char *dir)
{
	char path[512];
	EVP_PKEY *k82, *k9d, *k9e, *peer = EVP_PKEY_Q_keygen (NULL, NULL, "EC", "P-256");
	EVP_PKEY_CTX *ctx;
	size_t plen = 0;

	fm.dir = dir;
	snprintf (fm.cert_a, sizeof fm.cert_a, "%s/prov/9e.cert.der", dir);
	snprintf (fm.cert_b, sizeof fm.cert_b, "%s/9e-b.der", dir);
	der_a = read_file (fm.cert_a, &len_a);
	snprintf (path, sizeof path, "%s/prov/82.cert.pem", dir);
	k82 = pub_of_cert (path);
	snprintf (path, sizeof path, "%s/prov/9d.cert.pem", dir);
	k9d = pub_of_cert (path);
	snprintf (path, sizeof path, "%s/prov/9e.cert.pem", dir);
	k9e = pub_of_cert (path);
	make_cert_b (k9e);
	/* RSA decryption of a known plaintext with 82 */
	RAND_bytes (plain, sizeof plain);
	cipher_len = sizeof cipher;
	ctx = EVP_PKEY_CTX_new (k82, NULL);
	if (EVP_PKEY_encrypt_init (ctx) != 1 || EVP_PKEY_CTX_set_rsa_padding (ctx, RSA_PKCS1_PADDING) != 1 ||
	    EVP_PKEY_encrypt (ctx, cipher, &cipher_len, plain, sizeof plain) != 1)
		tap_bail ("RSA encryption");
	EVP_PKEY_CTX_free (ctx);
	/* ECDH with 9D: a peer whose secret we know */
	EVP_PKEY_get_octet_string_param (peer, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof point, &plen);
	secret_len = sizeof secret;
	ctx = EVP_PKEY_CTX_new (peer, NULL);
	if (plen != sizeof point || EVP_PKEY_derive_init (ctx) != 1 || EVP_PKEY_derive_set_peer (ctx, k9d) != 1 ||
	    EVP_PKEY_derive (ctx, secret, &secret_len) != 1)
		tap_bail ("ECDH");
	EVP_PKEY_CTX_free (ctx);
	EVP_PKEY_free (peer);
	EVP_PKEY_free (k9d);
	EVP_PKEY_free (k82);
	EVP_PKEY_free (k9e);
}

static void
nothing (void)
{
}

static void
settle_nothing (CK_RV rv)
{
	(void)rv;
}

/* ---- C_Login ---- */

static void
login_prepare (void)
{
	(void)f->C_Logout (fm.sess);
}

static CK_RV
login_run (bool *really)
{
	CK_SESSION_INFO info;
	CK_RV rv = f->C_Login (fm.sess, CKU_USER, (CK_UTF8CHAR_PTR)PIN, 6);

	*really = f->C_GetSessionInfo (fm.sess, &info) == CKR_OK && info.state == CKS_RW_USER_FUNCTIONS;
	return rv;
}

/* ---- C_Sign ---- */

static CK_RV
sign_9a (bool *really)
{
	return p11_sign (fm.sess, ID_9A, PIN, really);
}

static CK_RV
sign_9e (bool *really)
{
	return p11_sign (fm.sess, ID_9E, PIN, really);
}

static CK_RV
sign_9c (bool *really)
{
	return p11_sign (fm.sess, ID_9C, PIN, really);
}

/* ---- C_Decrypt, C_DeriveKey ---- */

static CK_RV
decrypt_run (bool *really)
{
	CK_MECHANISM m = { CKM_RSA_PKCS, NULL, 0 };
	CK_BYTE out[256];
	CK_ULONG len = sizeof out;
	CK_RV rv;

	rv = f->C_DecryptInit (fm.sess, &m, p11_find (fm.sess, CKO_PRIVATE_KEY, ID_82));
	if (rv == CKR_OK)
		rv = f->C_Decrypt (fm.sess, cipher, (CK_ULONG)cipher_len, out, &len);
	*really = rv == CKR_OK && len == sizeof plain && memcmp (out, plain, len) == 0;
	return rv;
}

static CK_RV
derive_run (bool *really)
{
	CK_ECDH1_DERIVE_PARAMS params = { CKD_NULL, 0, NULL, sizeof point, point };
	CK_MECHANISM m = { CKM_ECDH1_DERIVE, &params, sizeof params };
	CK_OBJECT_CLASS sk = CKO_SECRET_KEY;
	CK_KEY_TYPE gen = CKK_GENERIC_SECRET;
	CK_ATTRIBUTE t[] = { { CKA_CLASS, &sk, sizeof sk }, { CKA_KEY_TYPE, &gen, sizeof gen } };
	CK_BYTE got[64];
	CK_ATTRIBUTE val = { CKA_VALUE, got, sizeof got };
	CK_OBJECT_HANDLE h = 0;
	CK_RV rv;

	rv = f->C_DeriveKey (fm.sess, &m, p11_find (fm.sess, CKO_PRIVATE_KEY, ID_9D), t, 2, &h);
	*really = rv == CKR_OK && f->C_GetAttributeValue (fm.sess, h, &val, 1) == CKR_OK &&
	          val.ulValueLen == secret_len && memcmp (got, secret, secret_len) == 0;
	if (h != 0)
		(void)f->C_DestroyObject (fm.sess, h);
	return rv;
}

/* ---- C_GenerateKeyPair into 83 ---- */

static CK_RV
generate_run (bool *really)
{
	static const CK_BYTE p256[] = { 0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07 };
	CK_BBOOL yes = CK_TRUE;
	CK_BYTE id = ID_83;
	CK_MECHANISM m = { CKM_EC_KEY_PAIR_GEN, NULL, 0 };
	CK_ATTRIBUTE pubt[] = { { CKA_TOKEN, &yes, 1 }, { CKA_EC_PARAMS, (void *)p256, sizeof p256 },
	                        { CKA_VERIFY, &yes, 1 }, { CKA_ID, &id, 1 } };
	CK_ATTRIBUTE privt[] = { { CKA_TOKEN, &yes, 1 }, { CKA_PRIVATE, &yes, 1 }, { CKA_SIGN, &yes, 1 },
	                         { CKA_ID, &id, 1 }, { CKA_LABEL, (void *)"fault matrix", 12 } };
	CK_OBJECT_HANDLE pub = 0, priv = 0;
	CK_RV rv;

	rv = f->C_GenerateKeyPair (fm.sess, &m, pubt, 4, privt, 5, &pub, &priv);
	*really = rv == CKR_OK && p11_find (fm.sess, CKO_PRIVATE_KEY, ID_83) == priv &&
	          p11_find (fm.sess, CKO_PUBLIC_KEY, ID_83) == pub;
	return rv;
}

/* ---- certificate write and delete (9E) ---- */

static bool
cert_is (const unsigned char *der, size_t len)
{
	CK_OBJECT_HANDLE h = p11_find (fm.sess, CKO_CERTIFICATE, ID_9E);
	unsigned char *got = NULL;
	size_t n = h != 0 ? p11_value (fm.sess, h, &got) : 0;
	bool same = der == NULL ? h == 0 : n == len && memcmp (got, der, len) == 0;

	free (got);
	return same;
}

static CK_RV
write_cert (const unsigned char *der, size_t len)
{
	CK_OBJECT_CLASS cc = CKO_CERTIFICATE;
	CK_CERTIFICATE_TYPE ct = CKC_X_509;
	CK_BBOOL yes = CK_TRUE;
	CK_BYTE id = ID_9E;
	CK_ATTRIBUTE t[] = { { CKA_CLASS, &cc, sizeof cc }, { CKA_CERTIFICATE_TYPE, &ct, sizeof ct },
	                     { CKA_TOKEN, &yes, 1 }, { CKA_ID, &id, 1 }, { CKA_VALUE, (void *)der, (CK_ULONG)len } };
	CK_OBJECT_HANDLE h;

	return f->C_CreateObject (fm.sess, t, 5, &h);
}

/* 9E holds certificate A, as provisioned (written again: the card may hold B). */
static void
cert_prepare (void)
{
	if (write_cert (der_a, len_a) != CKR_OK || !cert_is (der_a, len_a))
		tap_bail ("cannot write the provisioned 9E certificate back");
}

static CK_RV
cert_write_run (bool *really)
{
	CK_RV rv = write_cert (der_b, len_b);

	*really = rv == CKR_OK && cert_is (der_b, len_b);
	return rv;
}

static CK_RV
cert_delete_run (bool *really)
{
	CK_OBJECT_HANDLE h = p11_find (fm.sess, CKO_CERTIFICATE, ID_9E);
	CK_RV rv = f->C_DestroyObject (fm.sess, h);

	*really = rv == CKR_OK && cert_is (NULL, 0);
	return rv;
}

/* ---- C_SetPIN, C_InitPIN ---- */

/* The card's PIN back to PIN (no fault), from whichever it is. */
static void
pin_back (void)
{
	const char *now = fm_card_pin ();

	if (now == NULL)
		tap_bail ("the card's PIN is none of the three");
	if (strcmp (now, PIN) != 0 &&
	    f->C_SetPIN (fm.sess, (CK_UTF8CHAR_PTR)now, 6, (CK_UTF8CHAR_PTR)PIN, 6) != CKR_OK)
		tap_bail ("cannot set the PIN back");
}

static CK_RV
set_pin_run (bool *really)
{
	CK_RV rv = f->C_SetPIN (fm.sess, (CK_UTF8CHAR_PTR)PIN, 6, (CK_UTF8CHAR_PTR)PIN_NEW, 6);
	const char *now = fm_card_pin ();

	*really = rv == CKR_OK && now != NULL && strcmp (now, PIN_NEW) == 0;
	return rv;
}

static void
set_pin_settle (CK_RV rv)
{
	(void)rv;
	pin_back ();
}

static void
init_pin_prepare (void)
{
	(void)f->C_Logout (fm.sess);
	if (f->C_Login (fm.sess, CKU_SO, (CK_UTF8CHAR_PTR)PUK, 8) != CKR_OK)
		tap_bail ("SO login with the PUK");
}

static CK_RV
init_pin_run (bool *really)
{
	CK_RV rv = f->C_InitPIN (fm.sess, (CK_UTF8CHAR_PTR)PIN_INIT, 6);
	const char *now = fm_card_pin ();

	*really = rv == CKR_OK && now != NULL && strcmp (now, PIN_INIT) == 0;
	return rv;
}

static void
init_pin_settle (CK_RV rv)
{
	(void)rv;
	(void)f->C_Logout (fm.sess);
	pin_back ();
}

const struct fm_op fm_ops[] = {
	{ "C_Login", false, login_prepare, login_run, settle_nothing },
	{ "C_Sign RSA (9A)", false, nothing, sign_9a, settle_nothing },
	{ "C_Sign EC (9E)", false, nothing, sign_9e, settle_nothing },
	{ "C_Sign PIN-always (9C)", false, nothing, sign_9c, settle_nothing },
	{ "C_Decrypt (82)", false, nothing, decrypt_run, settle_nothing },
	{ "C_DeriveKey (9D)", false, nothing, derive_run, settle_nothing },
	{ "C_GenerateKeyPair (83)", true, nothing, generate_run, settle_nothing },
	{ "certificate write (9E)", true, cert_prepare, cert_write_run, settle_nothing },
	{ "certificate delete (9E)", true, cert_prepare, cert_delete_run, settle_nothing },
	{ "C_SetPIN", true, nothing, set_pin_run, set_pin_settle },
	{ "C_InitPIN", true, init_pin_prepare, init_pin_run, init_pin_settle },
};
const size_t fm_n_ops = sizeof fm_ops / sizeof fm_ops[0];
