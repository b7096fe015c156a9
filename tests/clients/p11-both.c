/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tests/clients/p11-both.c: one application using several tokens of the module at once, the
 * way a mail client with a PIV card and an OpenPGP card (or one YubiKey with both
 * applications) does: it loads $TESSERA_MODULE with dlopen (C_GetInterface), logs in to each
 * token with that token's own PIN, and signs with one key per token in the order given on the
 * command line, each signature verified with OpenSSL against a public key from a file; it also
 * derives ECDH / X25519 secrets. NSS's tools (certutil, cmsutil) use one token per run, which
 * is why this exists (tests/clients/openpgp-apps.sh, openpgp.sh).
 *
 * usage: p11-both STEP...   (run in order; the first failure ends the run)
 *   login:SEL:PIN            a session on token SEL, C_Login(CKU_USER, PIN)
 *   sign:SEL:ID:PUB          sign a fresh random message with the private key of CKA_ID ID (hex)
 *                            on SEL (RSA: CKM_SHA256_RSA_PKCS, EC: CKM_ECDSA over SHA-256,
 *                            Ed25519: CKM_EDDSA); a key with CKA_ALWAYS_AUTHENTICATE gets
 *                            C_Login(CKU_CONTEXT_SPECIFIC) with SEL's PIN; the signature must
 *                            verify against PUB (a PEM public key or certificate)
 *   sign-noctx:SEL:ID:PUB    the same without the context-specific login
 *   derive:SEL:ID:PEER:OUT   CKM_ECDH1_DERIVE (CKD_NULL) of the key ID with the peer's PEM
 *                            public key; the secret's CKA_VALUE into the file OUT
 *   logout:SEL               C_Logout
 * SEL: the first token whose model (CK_TOKEN_INFO.model) contains SEL, e.g. "OpenPGP", "YubiKey".
 * Each step prints "passed STEP" or "FAIL STEP: why" (with the CKR_ name; a login's PIN shown as
 * "(PIN)"); exit status 0 when all
 * passed, 1 at the first failure, 2 for bad usage.
 */
#include "config.h"

#include "src/pkcs11-3.h"

#include <dlfcn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#define MAX_TOKENS 8

struct token {
	char sel[64];
	CK_SLOT_ID slot;
	CK_SESSION_HANDLE session;
	char pin[64];
};

static CK_FUNCTION_LIST_3_0 *f;
static struct token tokens[MAX_TOKENS];
static size_t n_tokens;
static char why[256];

static const char *
rv_name (CK_RV rv)
{
	switch (rv) {
	case CKR_OK: return "CKR_OK";
	case CKR_USER_NOT_LOGGED_IN: return "CKR_USER_NOT_LOGGED_IN";
	case CKR_USER_ALREADY_LOGGED_IN: return "CKR_USER_ALREADY_LOGGED_IN";
	case CKR_PIN_INCORRECT: return "CKR_PIN_INCORRECT";
	case CKR_OPERATION_NOT_INITIALIZED: return "CKR_OPERATION_NOT_INITIALIZED";
	case CKR_KEY_TYPE_INCONSISTENT: return "CKR_KEY_TYPE_INCONSISTENT";
	case CKR_MECHANISM_INVALID: return "CKR_MECHANISM_INVALID";
	case CKR_DEVICE_ERROR: return "CKR_DEVICE_ERROR";
	case CKR_FUNCTION_FAILED: return "CKR_FUNCTION_FAILED";
	case CKR_SESSION_HANDLE_INVALID: return "CKR_SESSION_HANDLE_INVALID";
	case CKR_TOKEN_NOT_PRESENT: return "CKR_TOKEN_NOT_PRESENT";
	default: return "CKR_(other)";
	}
}

/* Records a failed call in WHY; returns false. */
static bool
failed (const char *call, CK_RV rv)
{
	snprintf (why, sizeof why, "%s: %s (0x%lx)", call, rv_name (rv), (unsigned long)rv);
	return false;
}

static bool
load_module (void)
{
	CK_RV (*get_interface) (CK_UTF8CHAR_PTR, CK_VERSION_PTR, CK_INTERFACE_PTR_PTR, CK_FLAGS);
	CK_C_INITIALIZE_ARGS args = { NULL, NULL, NULL, NULL, CKF_OS_LOCKING_OK, NULL };
	CK_INTERFACE *iface = NULL;
	const char *path = getenv ("TESSERA_MODULE");
	void *module;
	CK_RV rv;

	module = path ? dlopen (path, RTLD_NOW | RTLD_LOCAL) : NULL;
	if (module == NULL) {
		fprintf (stderr, "p11-both: cannot load TESSERA_MODULE: %s\n", path ? dlerror () : "unset");
		return false;
	}
	*(void **)&get_interface = dlsym (module, "C_GetInterface");
	if (get_interface == NULL || get_interface ((CK_UTF8CHAR_PTR)"PKCS 11", NULL, &iface, 0) != CKR_OK) {
		fprintf (stderr, "p11-both: no PKCS 11 interface\n");
		return false;
	}
	f = iface->pFunctionList;
	rv = f->C_Initialize (&args);
	if (rv != CKR_OK) {
		fprintf (stderr, "p11-both: C_Initialize: %s\n", rv_name (rv));
		return false;
	}
	return true;
}

/* The first slot whose token model contains SEL, into *SLOT. */
static bool
find_slot (const char *sel, CK_SLOT_ID *slot)
{
	CK_SLOT_ID slots[32];
	CK_ULONG n = 32, i;
	CK_TOKEN_INFO ti;
	char model[sizeof ti.model + 1];
	CK_RV rv;

	rv = f->C_GetSlotList (CK_TRUE, slots, &n);
	if (rv != CKR_OK)
		return failed ("C_GetSlotList", rv);
	for (i = 0; i < n; i++) {
		if (f->C_GetTokenInfo (slots[i], &ti) != CKR_OK)
			continue;
		memcpy (model, ti.model, sizeof ti.model);
		model[sizeof ti.model] = '\0';
		if (strstr (model, sel) != NULL) {
			*slot = slots[i];
			return true;
		}
	}
	snprintf (why, sizeof why, "no token whose model contains \"%s\"", sel);
	return false;
}

/* The token SEL, with an open session; NULL (WHY set) when there is none. */
static struct token *
token (const char *sel)
{
	struct token *t;
	CK_RV rv;
	size_t i;

	for (i = 0; i < n_tokens; i++)
		if (strcmp (tokens[i].sel, sel) == 0)
			return &tokens[i];
	if (n_tokens == MAX_TOKENS || strlen (sel) >= sizeof t->sel) {
		snprintf (why, sizeof why, "too many tokens");
		return NULL;
	}
	t = &tokens[n_tokens];
	memset (t, 0, sizeof *t);
	strcpy (t->sel, sel);
	if (!find_slot (sel, &t->slot))
		return NULL;
	rv = f->C_OpenSession (t->slot, CKF_SERIAL_SESSION, NULL, NULL, &t->session);
	if (rv != CKR_OK) {
		failed ("C_OpenSession", rv);
		return NULL;
	}
	n_tokens++;
	return t;
}

/* The private key of CKA_ID ID_HEX on T, into *KEY. */
static bool
find_key (struct token *t, const char *id_hex, CK_OBJECT_HANDLE *key)
{
	CK_OBJECT_CLASS klass = CKO_PRIVATE_KEY;
	unsigned char id[32];
	long len = 0;
	unsigned char *bin = OPENSSL_hexstr2buf (id_hex, &len);
	CK_ATTRIBUTE tmpl[] = { { CKA_CLASS, &klass, sizeof klass }, { CKA_ID, id, 0 } };
	CK_ULONG count = 0;
	CK_RV rv;

	if (bin == NULL || len < 1 || (size_t)len > sizeof id) {
		OPENSSL_free (bin);
		snprintf (why, sizeof why, "bad key ID %s", id_hex);
		return false;
	}
	memcpy (id, bin, (size_t)len);
	OPENSSL_free (bin);
	tmpl[1].ulValueLen = (CK_ULONG)len;
	rv = f->C_FindObjectsInit (t->session, tmpl, 2);
	if (rv != CKR_OK)
		return failed ("C_FindObjectsInit", rv);
	rv = f->C_FindObjects (t->session, key, 1, &count);
	f->C_FindObjectsFinal (t->session);
	if (rv != CKR_OK)
		return failed ("C_FindObjects", rv);
	if (count != 1) {
		snprintf (why, sizeof why, "no private key with CKA_ID %s on \"%s\"", id_hex, t->sel);
		return false;
	}
	return true;
}

/* A public key from a PEM file (public key or certificate). Owned by the caller. */
static EVP_PKEY *
read_pub (const char *path)
{
	FILE *fp = fopen (path, "r");
	EVP_PKEY *pk = NULL;
	X509 *cert;

	if (fp == NULL)
		return NULL;
	pk = PEM_read_PUBKEY (fp, NULL, NULL, NULL);
	if (pk == NULL) {
		rewind (fp);
		cert = PEM_read_X509 (fp, NULL, NULL, NULL);
		pk = cert ? X509_get_pubkey (cert) : NULL;
		X509_free (cert);
	}
	fclose (fp);
	return pk;
}

/* A PKCS #11 ECDSA signature (r || s) as DER, into DER (at most 160 bytes); its length or 0. */
static size_t
ecdsa_der (const unsigned char *sig, size_t len, unsigned char *der)
{
	ECDSA_SIG *es = ECDSA_SIG_new ();
	BIGNUM *r = BN_bin2bn (sig, (int)(len / 2), NULL), *s = BN_bin2bn (sig + len / 2, (int)(len / 2), NULL);
	unsigned char *p = der;
	int n = 0;

	if (es != NULL && r != NULL && s != NULL && ECDSA_SIG_set0 (es, r, s) == 1) {
		r = s = NULL;
		if (i2d_ECDSA_SIG (es, NULL) <= 160)
			n = i2d_ECDSA_SIG (es, &p);
	}
	BN_free (r);
	BN_free (s);
	ECDSA_SIG_free (es);
	return n > 0 ? (size_t)n : 0;
}

/* Does SIG verify for MSG under the public key in the file PUB (digest as for KEY_TYPE)? */
static bool
verify (const char *pub, CK_KEY_TYPE key_type, const unsigned char *msg, size_t msg_len,
        const unsigned char *sig, size_t sig_len)
{
	EVP_PKEY *pk = read_pub (pub);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new ();
	unsigned char der[160];
	bool ok = false;

	if (key_type == CKK_EC) {
		sig_len = ecdsa_der (sig, sig_len, der);
		sig = der;
	}
	if (pk == NULL || ctx == NULL)
		snprintf (why, sizeof why, "cannot read the public key %s", pub);
	else if (EVP_DigestVerifyInit (ctx, NULL, key_type == CKK_EC_EDWARDS ? NULL : EVP_sha256 (), NULL, pk) != 1 ||
	         EVP_DigestVerify (ctx, sig, sig_len, msg, msg_len) != 1)
		snprintf (why, sizeof why, "OpenSSL: the signature does not verify against %s", pub);
	else
		ok = true;
	EVP_MD_CTX_free (ctx);
	EVP_PKEY_free (pk);
	return ok;
}

/* sign:SEL:ID:PUB and sign-noctx:SEL:ID:PUB (CONTEXT_LOGIN false). */
static bool
step_sign (const char *sel, const char *id, const char *pub, bool context_login)
{
	struct token *t = token (sel);
	CK_OBJECT_HANDLE key;
	CK_KEY_TYPE kt = 0;
	CK_BBOOL always = CK_FALSE;
	CK_ATTRIBUTE attrs[] = { { CKA_KEY_TYPE, &kt, sizeof kt }, { CKA_ALWAYS_AUTHENTICATE, &always, sizeof always } };
	CK_MECHANISM mech = { CKM_SHA256_RSA_PKCS, NULL, 0 };
	unsigned char msg[64], digest[32], sig[1024];
	CK_BYTE_PTR in = msg;
	CK_ULONG in_len = sizeof msg, sig_len = sizeof sig;
	CK_RV rv;

	if (t == NULL || !find_key (t, id, &key))
		return false;
	rv = f->C_GetAttributeValue (t->session, key, attrs, 2);
	if (rv != CKR_OK)
		return failed ("C_GetAttributeValue", rv);
	if (RAND_bytes (msg, sizeof msg) != 1)
		return failed ("RAND_bytes", CKR_FUNCTION_FAILED);
	if (kt == CKK_EC) {   /* CKM_ECDSA signs a hash made here */
		mech.mechanism = CKM_ECDSA;
		EVP_Digest (msg, sizeof msg, digest, NULL, EVP_sha256 (), NULL);
		in = digest;
		in_len = sizeof digest;
	} else if (kt == CKK_EC_EDWARDS) {
		mech.mechanism = CKM_EDDSA;
	}
	rv = f->C_SignInit (t->session, &mech, key);
	if (rv != CKR_OK)
		return failed ("C_SignInit", rv);
	if (always && context_login) {
		rv = f->C_Login (t->session, CKU_CONTEXT_SPECIFIC, (CK_UTF8CHAR_PTR)t->pin, strlen (t->pin));
		if (rv != CKR_OK)
			return failed ("C_Login(CKU_CONTEXT_SPECIFIC)", rv);
	}
	rv = f->C_Sign (t->session, in, in_len, sig, &sig_len);
	if (rv != CKR_OK)
		return failed ("C_Sign", rv);
	return verify (pub, kt, msg, sizeof msg, sig, sig_len);
}

/* The raw public value a PKCS #11 ECDH takes (an EC point, or X25519's 32 bytes) of the PEM
 * public key PEER, into OUT (at most 133 bytes); its length or 0. */
static size_t
peer_point (const char *peer, unsigned char *out)
{
	EVP_PKEY *pk = read_pub (peer);
	size_t len = 0;

	if (pk != NULL && EVP_PKEY_get_octet_string_param (pk, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, out, 133,
	                                                   &len) != 1)
		len = 0;
	EVP_PKEY_free (pk);
	return len;
}

/* derive:SEL:ID:PEER:OUT */
static bool
step_derive (const char *sel, const char *id, const char *peer, const char *out)
{
	struct token *t = token (sel);
	CK_OBJECT_HANDLE key, secret;
	unsigned char point[133], value[128];
	CK_ECDH1_DERIVE_PARAMS params = { CKD_NULL, 0, NULL, 0, point };
	CK_MECHANISM mech = { CKM_ECDH1_DERIVE, &params, sizeof params };
	CK_OBJECT_CLASS klass = CKO_SECRET_KEY;
	CK_KEY_TYPE kt = CKK_GENERIC_SECRET;
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	CK_ATTRIBUTE tmpl[] = { { CKA_CLASS, &klass, sizeof klass }, { CKA_KEY_TYPE, &kt, sizeof kt },
	                        { CKA_TOKEN, &no, 1 }, { CKA_SENSITIVE, &no, 1 }, { CKA_EXTRACTABLE, &yes, 1 } };
	CK_ATTRIBUTE val = { CKA_VALUE, value, sizeof value };
	FILE *fp;
	CK_RV rv;

	if (t == NULL || !find_key (t, id, &key))
		return false;
	params.ulPublicDataLen = peer_point (peer, point);
	if (params.ulPublicDataLen == 0) {
		snprintf (why, sizeof why, "cannot read the peer key %s", peer);
		return false;
	}
	rv = f->C_DeriveKey (t->session, &mech, key, tmpl, 5, &secret);
	if (rv != CKR_OK)
		return failed ("C_DeriveKey", rv);
	rv = f->C_GetAttributeValue (t->session, secret, &val, 1);
	if (rv != CKR_OK)
		return failed ("C_GetAttributeValue(CKA_VALUE)", rv);
	fp = fopen (out, "wb");
	if (fp == NULL || fwrite (value, 1, val.ulValueLen, fp) != val.ulValueLen) {
		if (fp != NULL)
			fclose (fp);
		snprintf (why, sizeof why, "cannot write %s", out);
		return false;
	}
	return fclose (fp) == 0;
}

static bool
step_login (const char *sel, const char *pin)
{
	struct token *t = token (sel);
	CK_RV rv;

	if (t == NULL)
		return false;
	if (strlen (pin) >= sizeof t->pin) {
		snprintf (why, sizeof why, "PIN too long");
		return false;
	}
	strcpy (t->pin, pin);
	rv = f->C_Login (t->session, CKU_USER, (CK_UTF8CHAR_PTR)pin, strlen (pin));
	return rv == CKR_OK || failed ("C_Login(CKU_USER)", rv);
}

static bool
step_logout (const char *sel)
{
	struct token *t = token (sel);
	CK_RV rv;

	if (t == NULL)
		return false;
	rv = f->C_Logout (t->session);
	return rv == CKR_OK || failed ("C_Logout", rv);
}

/* One STEP (its fields separated by ':', at most 5). */
static bool
run_step (char *step)
{
	char *v[5] = { NULL };
	size_t n = 0;
	char *p = step, *colon;

	while (n < 5) {
		v[n++] = p;
		colon = strchr (p, ':');
		if (colon == NULL)
			break;
		*colon = '\0';
		p = colon + 1;
	}
	snprintf (why, sizeof why, "bad step (see the usage in tests/clients/p11-both.c)");
	if (strcmp (v[0], "login") == 0 && n == 3)
		return step_login (v[1], v[2]);
	if (strcmp (v[0], "sign") == 0 && n == 4)
		return step_sign (v[1], v[2], v[3], true);
	if (strcmp (v[0], "sign-noctx") == 0 && n == 4)
		return step_sign (v[1], v[2], v[3], false);
	if (strcmp (v[0], "derive") == 0 && n == 5)
		return step_derive (v[1], v[2], v[3], v[4]);
	if (strcmp (v[0], "logout") == 0 && n == 2)
		return step_logout (v[1]);
	return false;
}

/* STEP as printed: a login's PIN left out. */
static const char *
shown (const char *step, char *buf, size_t size)
{
	const char *pin = strncmp (step, "login:", 6) == 0 ? strrchr (step, ':') : NULL;

	if (pin == NULL)
		return step;
	snprintf (buf, size, "%.*s:(PIN)", (int)(pin - step), step);
	return buf;
}

int
main (int argc, char **argv)
{
	char step[1024], show[1024];
	int i;

	if (argc < 2) {
		fprintf (stderr, "usage: p11-both STEP... (see tests/clients/p11-both.c)\n");
		return 2;
	}
	if (!load_module ())
		return 1;
	for (i = 1; i < argc; i++) {
		snprintf (step, sizeof step, "%s", argv[i]);
		why[0] = '\0';
		if (!run_step (step)) {
			printf ("FAIL %s: %s\n", shown (argv[i], show, sizeof show), why);
			f->C_Finalize (NULL);
			return 1;
		}
		printf ("passed %s\n", shown (argv[i], show, sizeof show));
	}
	f->C_Finalize (NULL);
	return 0;
}
