/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tests/faults/check.c: the fresh process of the fault matrix that checks the card after a
 * fault (`fault-matrix check DIR PIN CERTS`): the module loaded anew (NSS's flags) reads
 * the card; the user logs in with PIN; no PIN or PUK counter is low; every private key does
 * what it is for (signs and the signature verifies, decrypts what its public key encrypted,
 * derives); every certificate is byte for byte what was written (9E: one of CERTS, a
 * comma-separated list of files or "absent"); the pairing file is well-formed. Exit status
 * 0 when all holds, else 1 with the reason on stderr.
 */
#include "config.h"

#include "tests/faults/faults.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *why;
static char why_buf[256];

/* Note why the card is not consistent: WHAT, and a number (a CKA_ID, a count, flags). */
static bool
fail (const char *what, unsigned long n)
{
	snprintf (why_buf, sizeof why_buf, "%s (0x%lx)", what, n);
	why = why_buf;
	return false;
}

static bool
file_equals (const char *path, const unsigned char *der, size_t len)
{
	unsigned char buf[8192];
	FILE *fp = fopen (path, "rb");
	size_t n = fp != NULL ? fread (buf, 1, sizeof buf, fp) : 0;

	if (fp != NULL)
		fclose (fp);
	return n == len && memcmp (buf, der, len) == 0;
}

/* Certificate of CKA_ID ID: one of ALLOWED (comma-separated files, or "absent"). */
static bool
check_cert (CK_SESSION_HANDLE s, CK_BYTE id, const char *allowed)
{
	CK_OBJECT_HANDLE h = p11_find (s, CKO_CERTIFICATE, id);
	unsigned char *der = NULL;
	size_t len = h != 0 ? p11_value (s, h, &der) : 0;
	char list[2048], *item, *save = NULL;
	bool ok = false;

	snprintf (list, sizeof list, "%s", allowed);
	for (item = strtok_r (list, ",", &save); item != NULL && !ok; item = strtok_r (NULL, ",", &save))
		ok = strcmp (item, "absent") == 0 ? h == 0 : (h != 0 && file_equals (item, der, len));
	free (der);
	return ok || fail ("a certificate is not one of the expected, CKA_ID", id);
}

static bool
check_decrypt (CK_SESSION_HANDLE s, CK_OBJECT_HANDLE priv, CK_BYTE id)
{
	static const CK_BYTE msg[] = "sixteen bytes...";
	CK_MECHANISM m = { CKM_RSA_PKCS, NULL, 0 };
	CK_BYTE enc[512], out[512];
	CK_ULONG elen = sizeof enc, olen = sizeof out;
	CK_OBJECT_HANDLE pub = p11_find (s, CKO_PUBLIC_KEY, id);

	if (pub == 0 || f->C_EncryptInit (s, &m, pub) != CKR_OK ||
	    f->C_Encrypt (s, (CK_BYTE_PTR)msg, sizeof msg - 1, enc, &elen) != CKR_OK ||
	    f->C_DecryptInit (s, &m, priv) != CKR_OK || f->C_Decrypt (s, enc, elen, out, &olen) != CKR_OK ||
	    olen != sizeof msg - 1 || memcmp (out, msg, olen) != 0)
		return fail ("a key does not decrypt, CKA_ID", id);
	return true;
}

static bool
check_derive (CK_SESSION_HANDLE s, CK_OBJECT_HANDLE priv, CK_BYTE id)
{
	EVP_PKEY *peer = EVP_PKEY_Q_keygen (NULL, NULL, "EC", "P-256");
	unsigned char point[65];
	size_t plen = 0;
	CK_ECDH1_DERIVE_PARAMS params = { CKD_NULL, 0, NULL, sizeof point, point };
	CK_MECHANISM m = { CKM_ECDH1_DERIVE, &params, sizeof params };
	CK_OBJECT_CLASS sk = CKO_SECRET_KEY;
	CK_KEY_TYPE gen = CKK_GENERIC_SECRET;
	CK_ATTRIBUTE t[] = { { CKA_CLASS, &sk, sizeof sk }, { CKA_KEY_TYPE, &gen, sizeof gen } };
	CK_OBJECT_HANDLE h = 0;
	CK_RV rv;

	EVP_PKEY_get_octet_string_param (peer, "pub", point, sizeof point, &plen);
	EVP_PKEY_free (peer);
	rv = f->C_DeriveKey (s, &m, priv, t, 2, &h);
	return rv == CKR_OK || fail ("a key does not derive, CKA_ID", id);
}

/* Every private key does what its usage says. */
static bool
check_keys (CK_SESSION_HANDLE s, const char *pin)
{
	CK_OBJECT_CLASS pk = CKO_PRIVATE_KEY;
	CK_ATTRIBUTE t = { CKA_CLASS, &pk, sizeof pk };
	CK_OBJECT_HANDLE keys[32];
	CK_ULONG n = 0, i;
	bool ok = true, verified;

	if (f->C_FindObjectsInit (s, &t, 1) != CKR_OK || f->C_FindObjects (s, keys, 32, &n) != CKR_OK)
		return fail ("no private keys", n);
	(void)f->C_FindObjectsFinal (s);
	for (i = 0; i < n && ok; i++) {
		CK_BYTE id = 0;
		CK_BBOOL sign = 0, dec = 0, derive = 0;
		CK_ATTRIBUTE a[] = { { CKA_ID, &id, 1 }, { CKA_SIGN, &sign, 1 }, { CKA_DECRYPT, &dec, 1 },
		                     { CKA_DERIVE, &derive, 1 } };
		if (f->C_GetAttributeValue (s, keys[i], a, 4) != CKR_OK)
			return fail ("key attributes unreadable, index", i);
		if (sign && (p11_sign (s, id, pin, &verified) != CKR_OK || !verified))
			ok = fail ("a key does not sign (or its signature does not verify), CKA_ID", id);
		if (ok && dec)
			ok = check_decrypt (s, keys[i], id);
		if (ok && derive)
			ok = check_derive (s, keys[i], id);
	}
	return ok && (n >= 5 || fail ("too few private keys", n));
}

/* slot XX fpr <40 hex> id <hex|-> label <hex|-> subject <hex|-> [usage XX], slots unique. */
static bool
check_pairing (const char *serial)
{
	char path[1024], line[8192], seen[256] = { 0 };
	const char *dir = getenv ("TESSERA_CACHE_DIR");
	unsigned slot;
	FILE *fp;
	bool ok = true;

	snprintf (path, sizeof path, "%s/pairing-piv-%s", dir != NULL ? dir : ".", serial);   /* a PIV card */
	fp = fopen (path, "r");
	if (fp == NULL)
		return true;   /* nothing stored yet */
	while (ok && fgets (line, sizeof line, fp) != NULL) {
		char fpr[64], id[256], label[256], subj[4096], extra[64] = "";
		int n = sscanf (line, "slot %2x fpr %63s id %255s label %255s subject %4095s %63s", &slot, fpr, id,
		                label, subj, extra);
		if (n < 5 || strlen (fpr) != 40 || strspn (fpr, "0123456789abcdef") != 40 || seen[slot]++)
			ok = fail ("pairing file: a bad line, slot", slot);
		if (ok && n == 6 && strcmp (extra, "usage") != 0)
			ok = fail ("pairing file: an unknown field, slot", slot);
	}
	fclose (fp);
	return ok;
}

int
fm_check_main (int argc, char **argv)
{
	CK_TOKEN_INFO ti;
	CK_SLOT_ID slot;
	CK_SESSION_HANDLE s;
	char serial[17];
	const char *pin, *certs;
	bool ok;

	if (argc != 3)
		return 2;
	pin = argv[1];
	certs = argv[2];
	module_load (true);
	slot = p11_slot ();
	s = slot != 0 ? p11_session (slot) : 0;
	ok = s != 0 || fail ("no session", 0);
	if (ok && f->C_Login (s, CKU_USER, (CK_UTF8CHAR_PTR)pin, (CK_ULONG)strlen (pin)) != CKR_OK)
		ok = fail ("C_Login fails with the PIN the card holds", 0);
	if (ok && (f->C_GetTokenInfo (slot, &ti) != CKR_OK ||
	           (ti.flags & (CKF_USER_PIN_COUNT_LOW | CKF_USER_PIN_FINAL_TRY | CKF_USER_PIN_LOCKED |
	                        CKF_SO_PIN_COUNT_LOW | CKF_SO_PIN_FINAL_TRY | CKF_SO_PIN_LOCKED)) != 0))
		ok = fail ("a PIN counter is low, token flags", ti.flags);
	ok = ok && check_keys (s, pin);
	ok = ok && check_cert (s, ID_9E, certs);
	if (ok) {
		char path[600];
		const char *dir = argv[0];
		static const struct { CK_BYTE id; const char *file; } prov[] = {
			{ ID_9A, "9a" }, { ID_9C, "9c" }, { ID_9D, "9d" }, { ID_82, "82" } };
		size_t i;
		for (i = 0; ok && i < sizeof prov / sizeof prov[0]; i++) {
			snprintf (path, sizeof path, "%s/prov/%s.cert.der", dir, prov[i].file);
			ok = check_cert (s, prov[i].id, path);
		}
	}
	token_serial (slot, serial);
	ok = ok && check_pairing (serial);
	module_unload ();
	if (!ok)
		fprintf (stderr, "fresh check: %s\n", why);
	return ok ? 0 : 1;
}
