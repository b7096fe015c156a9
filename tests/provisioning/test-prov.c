/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tests/provisioning/test-prov.c: the write path as an application sees it (the
 * module through dlopen + C_GetInterface), against an empty simulated YubiKey
 * 5.4 (test-prov.sh): key generation with the slot rules, refused templates,
 * aliases set by C_SetAttributeValue and their pairing store, certificates
 * written and deleted, read-only sessions and logins. The tests run in order on
 * one card; each one initialises the module again (a restart of the application).
 */
#include "config.h"

#include "src/pkcs11-3.h"

#include <check.h>
#include <dlfcn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

static void *module;
static CK_FUNCTION_LIST_3_0 *f;
static CK_SLOT_ID slot;
static CK_SESSION_HANDLE sess;
static CK_UTF8CHAR pin[] = "123456";
static CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
static const CK_BYTE p256[] = { 0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07 };
static const CK_BYTE p521[] = { 0x06, 0x05, 0x2B, 0x81, 0x04, 0x00, 0x23 };
static const CK_BYTE sha_id[20] = { 0xA1, 0xA2, 0xA3, 0xA4, 0xA5, 0xA6, 0xA7, 0xA8, 0xA9, 0xAA,
                                    0xAB, 0xAC, 0xAD, 0xAE, 0xAF, 0xB0, 0xB1, 0xB2, 0xB3, 0xB4 };

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

static CK_ULONG
find (CK_SESSION_HANDLE s, CK_ATTRIBUTE *t, CK_ULONG n, CK_OBJECT_HANDLE *out)
{
	CK_OBJECT_HANDLE buf[64];
	CK_ULONG count = 0;

	ck_assert_int_eq (f->C_FindObjectsInit (s, t, n), CKR_OK);
	ck_assert_int_eq (f->C_FindObjects (s, out ? out : buf, 64, &count), CKR_OK);
	ck_assert_int_eq (f->C_FindObjectsFinal (s), CKR_OK);
	return count;
}

static CK_ULONG
count_class (CK_OBJECT_CLASS klass)
{
	CK_ATTRIBUTE t[] = { { CKA_CLASS, &klass, sizeof klass } };
	return find (sess, t, 1, NULL);
}

/* The CKA_ID of an object into ID (at most 64 bytes); its length. */
static CK_ULONG
get_id (CK_SESSION_HANDLE s, CK_OBJECT_HANDLE h, CK_BYTE *id)
{
	CK_ATTRIBUTE a = { CKA_ID, id, 64 };
	ck_assert_int_eq (f->C_GetAttributeValue (s, h, &a, 1), CKR_OK);
	return a.ulValueLen;
}

/* C_GenerateKeyPair with an NSS-like template (no CKA_ID, no CKA_LABEL) plus EXTRA private attributes. */
static CK_RV
gen (bool rsa, CK_ULONG bits, const CK_BYTE *curve, size_t curve_len, bool sign, bool dec,
     CK_ATTRIBUTE *extra, CK_ULONG n_extra, CK_OBJECT_HANDLE *pub, CK_OBJECT_HANDLE *priv)
{
	CK_MECHANISM m = { rsa ? CKM_RSA_PKCS_KEY_PAIR_GEN : CKM_EC_KEY_PAIR_GEN, NULL, 0 };
	CK_BYTE e[] = { 1, 0, 1 };
	CK_BBOOL s = sign ? CK_TRUE : CK_FALSE, d = dec ? CK_TRUE : CK_FALSE;
	CK_ATTRIBUTE pubt[] = { { CKA_TOKEN, &yes, 1 }, { CKA_VERIFY, &s, 1 },
	                        rsa ? (CK_ATTRIBUTE){ CKA_MODULUS_BITS, &bits, sizeof bits }
	                            : (CK_ATTRIBUTE){ CKA_EC_PARAMS, (void *)curve, (CK_ULONG)curve_len },
	                        { CKA_PUBLIC_EXPONENT, e, rsa ? 3 : 0 } };
	CK_ATTRIBUTE privt[12] = { { CKA_TOKEN, &yes, 1 }, { CKA_PRIVATE, &yes, 1 }, { CKA_SENSITIVE, &yes, 1 },
	                           { CKA_SIGN, &s, 1 }, { rsa ? CKA_DECRYPT : CKA_DERIVE, &d, 1 },
	                           { CKA_UNWRAP, rsa ? &d : &no, 1 } };
	CK_ULONG i, j, n = 6;

	for (i = 0; i < n_extra; i++) {   /* an extra attribute replaces the one of its type */
		for (j = 0; j < n && privt[j].type != extra[i].type; j++)
			;
		privt[j] = extra[i];
		n += j == n;
	}
	return f->C_GenerateKeyPair (sess, &m, pubt, rsa ? 4 : 3, privt, n, pub, priv);
}

static void
login (void)
{
	ck_assert_int_eq (f->C_Login (sess, CKU_USER, pin, 6), CKR_OK);
}

START_TEST (test_mechanisms)
{
	CK_MECHANISM_INFO info;

	ck_assert_int_eq (f->C_GetMechanismInfo (slot, CKM_RSA_PKCS_KEY_PAIR_GEN, &info), CKR_OK);
	ck_assert (info.flags & CKF_GENERATE_KEY_PAIR);
	ck_assert_uint_eq (info.ulMaxKeySize, 2048);   /* a YubiKey 5.4: no RSA 3072/4096 */
	ck_assert_int_eq (f->C_GetMechanismInfo (slot, CKM_EC_KEY_PAIR_GEN, &info), CKR_OK);
	ck_assert (info.flags & CKF_GENERATE_KEY_PAIR);
	ck_assert_uint_eq (info.ulMinKeySize, 256);
	ck_assert_uint_eq (info.ulMaxKeySize, 384);
	/* NSS asks these for the usage of new keys, on a card without keys yet */
	ck_assert_int_eq (f->C_GetMechanismInfo (slot, CKM_RSA_PKCS, &info), CKR_OK);
	ck_assert_int_eq (f->C_GetMechanismInfo (slot, CKM_ECDSA, &info), CKR_OK);
}
END_TEST

START_TEST (test_write_needs_login_and_rw)
{
	CK_SESSION_HANDLE ro;
	CK_OBJECT_HANDLE pub = 0, priv = 0;

	ck_assert_int_eq (gen (true, 2048, NULL, 0, true, true, NULL, 0, &pub, &priv), CKR_USER_NOT_LOGGED_IN);
	login ();
	ck_assert_int_eq (f->C_OpenSession (slot, CKF_SERIAL_SESSION, NULL, NULL, &ro), CKR_OK);
	{
		CK_SESSION_HANDLE keep = sess;
		sess = ro;
		ck_assert_int_eq (gen (true, 2048, NULL, 0, true, true, NULL, 0, &pub, &priv), CKR_SESSION_READ_ONLY);
		sess = keep;
	}
	ck_assert_uint_eq (count_class (CKO_PRIVATE_KEY), 0);
}
END_TEST

START_TEST (test_refused_templates)
{
	CK_OBJECT_HANDLE pub = 0, priv = 0;
	CK_ATTRIBUTE extractable[] = { { CKA_EXTRACTABLE, &yes, 1 } };
	CK_ATTRIBUTE session_key[] = { { CKA_TOKEN, &no, 1 } };
	CK_BYTE four[4] = { 1, 0, 0, 0 };
	CK_ATTRIBUTE bad_bool[] = { { CKA_TOKEN, four, 4 } };   /* not a CK_BBOOL: never FALSE */
	CK_OBJECT_CLASS wrong = CKO_SECRET_KEY;
	CK_ATTRIBUTE klass[] = { { CKA_CLASS, &wrong, sizeof wrong } };

	login ();
	ck_assert_int_eq (gen (true, 1536, NULL, 0, true, true, NULL, 0, &pub, &priv), CKR_KEY_SIZE_RANGE);
	ck_assert_int_eq (gen (true, 4096, NULL, 0, true, true, NULL, 0, &pub, &priv), CKR_KEY_SIZE_RANGE);
	ck_assert_int_eq (gen (false, 0, p521, sizeof p521, true, true, NULL, 0, &pub, &priv), CKR_CURVE_NOT_SUPPORTED);
	ck_assert_int_eq (gen (false, 0, p256, 3, true, true, NULL, 0, &pub, &priv), CKR_ATTRIBUTE_VALUE_INVALID);
	ck_assert_int_eq (gen (true, 2048, NULL, 0, true, true, extractable, 1, &pub, &priv), CKR_ATTRIBUTE_VALUE_INVALID);
	ck_assert_int_eq (gen (true, 2048, NULL, 0, true, true, session_key, 1, &pub, &priv), CKR_ATTRIBUTE_VALUE_INVALID);
	ck_assert_int_eq (gen (true, 2048, NULL, 0, true, true, klass, 1, &pub, &priv), CKR_TEMPLATE_INCONSISTENT);
	ck_assert_int_eq (gen (true, 2048, NULL, 0, true, true, bad_bool, 1, &pub, &priv), CKR_ATTRIBUTE_VALUE_INVALID);
	{
		/* no CKA_TOKEN: a session key pair, which a card cannot hold (nothing written) */
		CK_MECHANISM m = { CKM_EC_KEY_PAIR_GEN, NULL, 0 };
		CK_ATTRIBUTE pubt[] = { { CKA_EC_PARAMS, (void *)p256, sizeof p256 } };
		CK_ATTRIBUTE privt[] = { { CKA_SIGN, &yes, 1 } };
		ck_assert_int_eq (f->C_GenerateKeyPair (sess, &m, pubt, 1, privt, 1, &pub, &priv), CKR_TEMPLATE_INCONSISTENT);
	}
	ck_assert_uint_eq (count_class (CKO_PRIVATE_KEY), 0);
	ck_assert_uint_eq (count_class (CKO_PUBLIC_KEY), 0);
}
END_TEST

/* NSS: generate without CKA_ID, then set CKA_ID = SHA-1 of the public key on both keys. */
START_TEST (test_generate_nss_way)
{
	CK_OBJECT_HANDLE pub = 0, priv = 0, h[8];
	CK_SESSION_HANDLE other;
	CK_BYTE id[64];
	CK_ATTRIBUTE set = { CKA_ID, (void *)sha_id, sizeof sha_id };
	CK_ATTRIBUTE by_id[] = { { CKA_ID, (void *)sha_id, sizeof sha_id } };
	CK_BBOOL sign = CK_FALSE;
	CK_ATTRIBUTE usage = { CKA_SIGN, &sign, 1 };

	login ();
	ck_assert_int_eq (f->C_OpenSession (slot, CKF_SERIAL_SESSION, NULL, NULL, &other), CKR_OK);
	ck_assert_int_eq (gen (true, 2048, NULL, 0, true, true, NULL, 0, &pub, &priv), CKR_OK);
	ck_assert_uint_eq (get_id (sess, priv, id), 1);
	ck_assert_uint_eq (id[0], 0x01);   /* sign and decrypt: 9A */
	ck_assert_int_eq (f->C_GetAttributeValue (sess, priv, &usage, 1), CKR_OK);
	ck_assert_uint_eq (sign, CK_TRUE);
	ck_assert_int_eq (f->C_SetAttributeValue (sess, priv, &set, 1), CKR_OK);
	ck_assert_int_eq (f->C_SetAttributeValue (sess, pub, &set, 1), CKR_OK);
	/* visible at once in another session, on both keys */
	ck_assert_uint_eq (find (other, by_id, 1, h), 2);
	ck_assert_uint_eq (get_id (other, pub, id), sizeof sha_id);
	/* what the card cannot change */
	usage.pValue = &no;
	ck_assert_int_eq (f->C_SetAttributeValue (sess, priv, &usage, 1), CKR_ATTRIBUTE_READ_ONLY);
	ck_assert_int_eq (f->C_SetAttributeValue (other, priv, &set, 1), CKR_SESSION_READ_ONLY);
}
END_TEST

/* After a restart the alias is back (pairing store), in a file of mode 0600. */
START_TEST (test_alias_survives_restart)
{
	CK_ATTRIBUTE by_id[] = { { CKA_ID, (void *)sha_id, sizeof sha_id } };
	CK_OBJECT_CLASS pk = CKO_PRIVATE_KEY;
	CK_ATTRIBUTE priv_by_id[] = { { CKA_ID, (void *)sha_id, sizeof sha_id }, { CKA_CLASS, &pk, sizeof pk } };
	char path[600];
	struct stat st;
	CK_TOKEN_INFO ti;
	char serial[17];

	ck_assert_uint_eq (find (sess, by_id, 1, NULL), 1);   /* the public key, without login */
	login ();
	ck_assert_uint_eq (find (sess, priv_by_id, 2, NULL), 1);
	ck_assert_int_eq (f->C_GetTokenInfo (slot, &ti), CKR_OK);
	memcpy (serial, ti.serialNumber, 16);
	serial[16] = '\0';
	*strchr (serial, ' ') = '\0';
	snprintf (path, sizeof path, "%s/pairing-piv-%s", getenv ("TESSERA_CACHE_DIR"), serial);
	ck_assert_msg (stat (path, &st) == 0, "%s", path);
	ck_assert_uint_eq (st.st_mode & 0777, 0600);
}
END_TEST

/* The pairing file of a PIV card as earlier versions named it ("pairing-SERIAL") is read;
 * a FIFO in the file's place is no alias and does not block the token's start. */
START_TEST (test_alias_legacy_file_and_fifo)
{
	CK_ATTRIBUTE by_id[] = { { CKA_ID, (void *)sha_id, sizeof sha_id } };
	const char *dir = getenv ("TESSERA_CACHE_DIR");
	char path[600], legacy[600], aside[620], serial[17];
	CK_TOKEN_INFO ti;

	ck_assert_int_eq (f->C_GetTokenInfo (slot, &ti), CKR_OK);
	memcpy (serial, ti.serialNumber, 16);
	serial[16] = '\0';
	*strchr (serial, ' ') = '\0';
	snprintf (path, sizeof path, "%s/pairing-piv-%s", dir, serial);
	snprintf (legacy, sizeof legacy, "%s/pairing-%s", dir, serial);
	snprintf (aside, sizeof aside, "%s.aside", path);
	teardown ();
	ck_assert_int_eq (rename (path, legacy), 0);
	setup ();
	ck_assert_uint_eq (find (sess, by_id, 1, NULL), 1);
	teardown ();
	ck_assert_int_eq (rename (legacy, aside), 0);
	ck_assert_int_eq (mkfifo (path, 0600), 0);
	setup ();
	ck_assert_uint_eq (find (sess, by_id, 1, NULL), 0);
	teardown ();
	ck_assert_int_eq (unlink (path), 0);
	ck_assert_int_eq (rename (aside, path), 0);
	setup ();
	ck_assert_uint_eq (find (sess, by_id, 1, NULL), 1);
}
END_TEST

START_TEST (test_slot_choice)
{
	CK_OBJECT_HANDLE pub = 0, priv = 0, keep_priv;
	CK_BYTE id[64], id82 = 0x05;
	CK_ATTRIBUTE named[] = { { CKA_ID, &id82, 1 } };
	CK_ATTRIBUTE taken = { CKA_ID, (void *)sha_id, sizeof sha_id };

	login ();
	ck_assert_int_eq (gen (false, 0, p256, sizeof p256, true, false, NULL, 0, &pub, &priv), CKR_OK);
	get_id (sess, priv, id);
	ck_assert_uint_eq (id[0], 0x02);   /* sign only: 9C */
	ck_assert_int_eq (f->C_SetAttributeValue (sess, priv, &taken, 1), CKR_ATTRIBUTE_VALUE_INVALID);
	ck_assert_int_eq (gen (false, 0, p256, sizeof p256, false, true, NULL, 0, &pub, &priv), CKR_OK);
	get_id (sess, priv, id);
	ck_assert_uint_eq (id[0], 0x03);   /* derive only: 9D */
	ck_assert_int_eq (gen (true, 2048, NULL, 0, true, true, NULL, 0, &pub, &priv), CKR_OK);
	get_id (sess, priv, id);
	ck_assert_uint_eq (id[0], 0x05);   /* 9A in use: the first retired slot, 82 */
	keep_priv = priv;
	ck_assert_int_eq (gen (true, 2048, NULL, 0, true, true, NULL, 0, &pub, &priv), CKR_OK);
	get_id (sess, priv, id);
	ck_assert_uint_eq (id[0], 0x06);   /* 83 */
	/* named by CKA_ID: 82 is overwritten; its old objects are gone */
	ck_assert_int_eq (gen (false, 0, p256, sizeof p256, true, true, named, 1, &pub, &priv), CKR_OK);
	get_id (sess, priv, id);
	ck_assert_uint_eq (id[0], 0x05);
	ck_assert_int_eq (f->C_GetAttributeValue (sess, keep_priv, named, 1), CKR_OBJECT_HANDLE_INVALID);
	ck_assert_uint_eq (count_class (CKO_PRIVATE_KEY), 5);
}
END_TEST

/* A retired-slot key the application wants for decryption only (no certificate yet). */
START_TEST (test_usage_kept)
{
	CK_OBJECT_HANDLE pub = 0, priv = 0;
	CK_BYTE id84 = 0x07;
	CK_ATTRIBUTE named[] = { { CKA_ID, &id84, 1 } };

	login ();
	ck_assert_int_eq (gen (true, 2048, NULL, 0, false, true, named, 1, &pub, &priv), CKR_OK);
}
END_TEST

static CK_RV
sign_init (CK_BYTE id, CK_MECHANISM_TYPE mech)
{
	CK_OBJECT_CLASS pk = CKO_PRIVATE_KEY;
	CK_ATTRIBUTE t[] = { { CKA_ID, &id, 1 }, { CKA_CLASS, &pk, sizeof pk } };
	CK_MECHANISM m = { mech, NULL, 0 };
	CK_OBJECT_HANDLE h[4];
	CK_BYTE sig[512];
	CK_ULONG len = sizeof sig;
	CK_RV rv;

	ck_assert_uint_eq (find (sess, t, 2, h), 1);
	rv = f->C_SignInit (sess, &m, h[0]);
	if (rv == CKR_OK)
		ck_assert_int_eq (f->C_Sign (sess, (CK_BYTE_PTR)"data", 4, sig, &len), CKR_OK);
	return rv;
}

static CK_BBOOL
attr_bool (CK_OBJECT_CLASS klass, CK_BYTE id, CK_ATTRIBUTE_TYPE type)
{
	CK_ATTRIBUTE t[] = { { CKA_ID, &id, 1 }, { CKA_CLASS, &klass, sizeof klass } };
	CK_OBJECT_HANDLE h[4];
	CK_BBOOL b = 0xAA;
	CK_ATTRIBUTE a = { type, &b, 1 };

	ck_assert_uint_eq (find (sess, t, 2, h), 1);
	ck_assert_int_eq (f->C_GetAttributeValue (sess, h[0], &a, 1), CKR_OK);
	return b;
}

/* In the next process a generated key keeps the usage it was made with (pairing store),
 * and a retired-slot key without certificate signs, as the card does; key pairs agree. */
START_TEST (test_usage_after_restart)
{
	login ();
	ck_assert_int_eq (sign_init (0x06, CKM_SHA256_RSA_PKCS), CKR_OK);    /* 83: sign and decrypt */
	ck_assert_int_eq (sign_init (0x05, CKM_ECDSA_SHA256), CKR_OK);       /* 82: sign and derive */
	ck_assert_int_eq (sign_init (0x07, CKM_SHA256_RSA_PKCS), CKR_KEY_FUNCTION_NOT_PERMITTED);
	ck_assert_uint_eq (attr_bool (CKO_PRIVATE_KEY, 0x07, CKA_DECRYPT), CK_TRUE);
	ck_assert_uint_eq (attr_bool (CKO_PUBLIC_KEY, 0x07, CKA_VERIFY), CK_FALSE);
	ck_assert_uint_eq (attr_bool (CKO_PRIVATE_KEY, 0x05, CKA_DERIVE), CK_TRUE);
	ck_assert_uint_eq (attr_bool (CKO_PUBLIC_KEY, 0x05, CKA_DERIVE), CK_TRUE);
	ck_assert_uint_eq (attr_bool (CKO_PUBLIC_KEY, 0x03, CKA_DERIVE), CK_TRUE);   /* 9D, ECDH */
}
END_TEST

/* A certificate for the 9A key (found by its public key), written, listed, deleted. */
START_TEST (test_certificate)
{
	CK_OBJECT_CLASS pk = CKO_PUBLIC_KEY, cc = CKO_CERTIFICATE;
	CK_BYTE spki[1024], der[2048], id[64];
	CK_ATTRIBUTE by_id[] = { { CKA_ID, (void *)sha_id, sizeof sha_id }, { CKA_CLASS, &pk, sizeof pk } };
	CK_ATTRIBUTE get = { CKA_PUBLIC_KEY_INFO, spki, sizeof spki };
	CK_OBJECT_HANDLE h[4], cert = 0, priv;
	const unsigned char *p = spki;
	EVP_PKEY *pub, *ca = EVP_PKEY_Q_keygen (NULL, NULL, "EC", "P-256");
	X509 *x = X509_new ();
	unsigned char *q = der;
	int len;
	char label[] = "my certificate";
	CK_CERTIFICATE_TYPE x509 = CKC_X_509;
	CK_ATTRIBUTE templ[] = { { CKA_CLASS, &cc, sizeof cc }, { CKA_TOKEN, &yes, 1 },
	                         { CKA_CERTIFICATE_TYPE, &x509, sizeof x509 }, { CKA_LABEL, label, sizeof label - 1 },
	                         { CKA_VALUE, der, 0 } };
	CK_ATTRIBUTE by_class[] = { { CKA_CLASS, &cc, sizeof cc } };
	CK_SESSION_HANDLE ro;

	ck_assert_uint_eq (find (sess, by_id, 2, h), 1);
	ck_assert_int_eq (f->C_GetAttributeValue (sess, h[0], &get, 1), CKR_OK);
	pub = d2i_PUBKEY (NULL, &p, (long)get.ulValueLen);
	ck_assert_ptr_nonnull (pub);
	X509_set_version (x, 2);
	ASN1_INTEGER_set (X509_get_serialNumber (x), 7);
	X509_NAME_add_entry_by_txt (X509_get_subject_name (x), "CN", MBSTRING_ASC, (const unsigned char *)"Provisioned", -1, -1, 0);
	X509_set_issuer_name (x, X509_get_subject_name (x));
	X509_gmtime_adj (X509_getm_notBefore (x), 0);
	X509_gmtime_adj (X509_getm_notAfter (x), 86400);
	X509_set_pubkey (x, pub);
	ck_assert_int_gt (X509_sign (x, ca, EVP_sha256 ()), 0);
	len = i2d_X509 (x, &q);
	templ[4].ulValueLen = (CK_ULONG)len;
	ck_assert_int_eq (f->C_CreateObject (sess, templ, 5, &cert), CKR_USER_NOT_LOGGED_IN);
	login ();
	ck_assert_int_eq (f->C_OpenSession (slot, CKF_SERIAL_SESSION, NULL, NULL, &ro), CKR_OK);
	ck_assert_int_eq (f->C_CreateObject (ro, templ, 5, &cert), CKR_SESSION_READ_ONLY);
	ck_assert_int_eq (f->C_CreateObject (sess, templ, 5, &cert), CKR_OK);
	/* the certificate shares the key's alias, so NSS pairs them */
	ck_assert_uint_eq (get_id (ro, cert, id), sizeof sha_id);
	ck_assert_int_eq (memcmp (id, sha_id, sizeof sha_id), 0);
	ck_assert_uint_eq (find (ro, by_class, 1, NULL), 1);
	ck_assert_int_eq (f->C_DestroyObject (ro, cert), CKR_SESSION_READ_ONLY);
	/* keys cannot be deleted from a PIV card */
	pk = CKO_PRIVATE_KEY;
	ck_assert_uint_eq (find (sess, by_id, 2, h), 1);
	priv = h[0];
	ck_assert_int_eq (f->C_DestroyObject (sess, priv), CKR_ACTION_PROHIBITED);
	/* keep it for the next test */
	X509_free (x);
	EVP_PKEY_free (pub);
	EVP_PKEY_free (ca);
}
END_TEST

START_TEST (test_certificate_after_restart)
{
	CK_OBJECT_CLASS cc = CKO_CERTIFICATE;
	CK_ATTRIBUTE by_id[] = { { CKA_ID, (void *)sha_id, sizeof sha_id }, { CKA_CLASS, &cc, sizeof cc } };
	CK_OBJECT_HANDLE h[4];
	char label[64];
	CK_ATTRIBUTE get = { CKA_LABEL, label, sizeof label };

	ck_assert_uint_eq (find (sess, by_id, 2, h), 1);
	ck_assert_int_eq (f->C_GetAttributeValue (sess, h[0], &get, 1), CKR_OK);
	ck_assert_uint_eq (get.ulValueLen, strlen ("my certificate"));
	ck_assert_int_eq (memcmp (label, "my certificate", get.ulValueLen), 0);
	login ();
	ck_assert_int_eq (f->C_DestroyObject (sess, h[0]), CKR_OK);
	ck_assert_uint_eq (find (sess, by_id, 2, h), 0);
}
END_TEST

int
main (void)
{
	Suite *s = suite_create ("provisioning");
	TCase *tc = tcase_create ("write path");
	SRunner *sr;
	int failed;

	tcase_set_timeout (tc, 120);
	tcase_add_checked_fixture (tc, setup, teardown);
	tcase_add_test (tc, test_mechanisms);
	tcase_add_test (tc, test_write_needs_login_and_rw);
	tcase_add_test (tc, test_refused_templates);
	tcase_add_test (tc, test_generate_nss_way);
	tcase_add_test (tc, test_alias_survives_restart);
	tcase_add_test (tc, test_alias_legacy_file_and_fifo);
	tcase_add_test (tc, test_slot_choice);
	tcase_add_test (tc, test_usage_kept);
	tcase_add_test (tc, test_usage_after_restart);
	tcase_add_test (tc, test_certificate);
	tcase_add_test (tc, test_certificate_after_restart);
	suite_add_tcase (s, tc);
	sr = srunner_create (s);
	srunner_set_fork_status (sr, CK_NOFORK);   /* one process, like an application */
	srunner_run_all (sr, CK_ENV);
	failed = srunner_ntests_failed (sr);
	srunner_free (sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
