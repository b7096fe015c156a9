/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* attest.c: YubiKey ATTESTATION (INS F9): an X.509 certificate for a key generated on the card,
 * signed by the card's attestation key (slot F9, certificate in object 5FFF01). Extensions use
 * Yubico's attestation OIDs (1.3.6.1.4.1.41482.3.x). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "apdu.h"
#include "crypto.h"

static int add_ext(X509 *x, const char *oid, const uint8_t *v, size_t n)
{
	ASN1_OBJECT *obj = OBJ_txt2obj(oid, 1);
	ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
	X509_EXTENSION *ext = NULL;
	int rc = -1;

	if (obj == NULL || os == NULL || ASN1_OCTET_STRING_set(os, v, (int)n) != 1)
		goto out;
	ext = X509_EXTENSION_create_by_OBJ(NULL, obj, 0, os);
	if (ext == NULL || X509_add_ext(x, ext, -1) != 1)
		goto out;
	rc = 0;
out:
	X509_EXTENSION_free(ext);
	ASN1_OCTET_STRING_free(os);
	ASN1_OBJECT_free(obj);
	return rc;
}

/* Add a standard extension given in OpenSSL's configuration syntax. */
static int add_conf_ext(X509 *x, int nid, const char *value)
{
	X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, NULL, nid, value);
	int rc = (ext != NULL && X509_add_ext(x, ext, -1) == 1) ? 0 : -1;

	X509_EXTENSION_free(ext);
	return rc;
}

static X509_NAME *cn_name(const char *cn)
{
	X509_NAME *n = X509_NAME_new();

	if (n != NULL && X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0) != 1) {
		X509_NAME_free(n);
		n = NULL;
	}
	return n;
}

/* An unsigned certificate for KEY named CN, issued by ISSUER (NULL: self-issued).
 * Caller owns the result; NULL on failure. */
static X509 *new_cert(EVP_PKEY *key, const char *cn, X509_NAME *issuer)
{
	X509 *x = X509_new();
	X509_NAME *subj = cn_name(cn);
	uint8_t serial[16];
	BIGNUM *bn = NULL;
	int ok = 0;

	if (x == NULL || subj == NULL || cs_crypto_random(serial, sizeof(serial)) < 0)
		goto out;
	serial[0] &= 0x7F;
	bn = BN_bin2bn(serial, sizeof(serial), NULL);
	ok = bn != NULL && X509_set_version(x, 2) == 1 &&
	     BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) != NULL &&
	     X509_set_subject_name(x, subj) == 1 &&
	     X509_set_issuer_name(x, issuer ? issuer : subj) == 1 &&
	     X509_gmtime_adj(X509_getm_notBefore(x), 0) != NULL &&
	     X509_gmtime_adj(X509_getm_notAfter(x), 20L * 365 * 24 * 3600) != NULL &&
	     X509_set_pubkey(x, key) == 1;
out:
	BN_free(bn);
	X509_NAME_free(subj);
	if (!ok) {
		X509_free(x);
		x = NULL;
	}
	return x;
}

static int store_cert(struct cs_card *c, X509 *x)
{
	struct cs_object *o = cs_object_find(c, 0x5FFF01);
	unsigned char *der = NULL;
	int n = i2d_X509(x, &der), rc = -1;

	if (o != NULL && n > 0)
		rc = cs_object_set(o, der, (size_t)n);
	OPENSSL_free(der);
	return rc;
}

int cs_attest_ensure(struct cs_card *c)
{
	struct cs_key *k = &c->keys[cs_slot_index(SLOT_ATTEST)];
	struct cs_object *o = cs_object_find(c, 0x5FFF01);
	X509 *x = NULL;
	int rc = -1;

	if (k->pkey != NULL && (o == NULL || o->data != NULL))
		return 0;
	if (k->pkey == NULL) {
		k->pkey = cs_crypto_generate(ALG_RSA2048);
		if (k->pkey == NULL)
			goto out;
		k->alg = ALG_RSA2048;
		k->pin_policy = PIN_NEVER;
		k->touch_policy = TOUCH_NEVER;
		k->origin = ORIGIN_GENERATED;
		c->dirty = true;
	}
	x = new_cert(k->pkey, "cardsim PIV Attestation", NULL);
	/* As on a YubiKey, the f9 certificate is a CA: it issues the attestation certificates. */
	if (x == NULL || add_conf_ext(x, NID_basic_constraints, "critical,CA:TRUE") < 0 ||
	    add_conf_ext(x, NID_key_usage, "critical,keyCertSign") < 0 ||
	    X509_sign(x, k->pkey, EVP_sha256()) <= 0 || store_cert(c, x) < 0)
		goto out;
	c->dirty = true;
	rc = 0;
out:
	X509_free(x);
	return rc;
}

/* The attestation certificate of the F9 key, as parsed from 5FFF01 (caller owns it). */
static X509 *attest_issuer(struct cs_card *c)
{
	struct cs_object *o = cs_object_find(c, 0x5FFF01);
	const unsigned char *p;

	if (cs_attest_ensure(c) < 0 || o == NULL || o->data == NULL)
		return NULL;
	p = o->data;
	return d2i_X509(NULL, &p, (long)o->len);
}

static int attest_exts(struct cs_card *c, X509 *x, const struct cs_key *k)
{
	static const uint8_t fw[3] = { 5, 4, 3 };
	uint8_t policy[2] = { k->pin_policy, k->touch_policy }, form = 0x01;
	uint8_t serial[6] = { 0x02, 0x04, (uint8_t)(c->serial >> 24), (uint8_t)(c->serial >> 16),
			      (uint8_t)(c->serial >> 8), (uint8_t)c->serial };

	if (add_ext(x, "1.3.6.1.4.1.41482.3.3", fw, 3) < 0 ||
	    add_ext(x, "1.3.6.1.4.1.41482.3.7", serial, sizeof(serial)) < 0 ||
	    add_ext(x, "1.3.6.1.4.1.41482.3.8", policy, 2) < 0 ||
	    add_ext(x, "1.3.6.1.4.1.41482.3.9", &form, 1) < 0)
		return -1;
	return 0;
}

uint16_t cs_yk_attest(struct cs_card *c, const struct cs_apdu *a, struct cs_buf *out)
{
	int idx = cs_slot_index(a->p1);
	X509 *issuer = NULL, *x = NULL;
	unsigned char *der = NULL;
	char cn[64];
	uint16_t sw = SW_WRONG_P1P2;
	int n;

	if (idx < 0 || a->p1 == SLOT_ATTEST || a->p2 != 0)
		goto out;
	/* A YubiKey 5 answers 6A80 for an empty slot and for an imported key. */
	sw = SW_WRONG_DATA;
	if (c->keys[idx].pkey == NULL || c->keys[idx].origin != ORIGIN_GENERATED)
		goto out;
	sw = SW_UNKNOWN;
	snprintf(cn, sizeof(cn), "YubiKey PIV Attestation %02x", a->p1);
	issuer = attest_issuer(c);
	if (issuer == NULL)
		goto out;
	x = new_cert(c->keys[idx].pkey, cn, X509_get_subject_name(issuer));
	if (x == NULL || attest_exts(c, x, &c->keys[idx]) < 0 ||
	    X509_sign(x, c->keys[cs_slot_index(SLOT_ATTEST)].pkey, EVP_sha256()) <= 0)
		goto out;
	n = i2d_X509(x, &der);
	if (n > 0 && cs_buf_append(out, der, (size_t)n) == 0)
		sw = SW_OK;
out:
	OPENSSL_free(der);
	X509_free(x);
	X509_free(issuer);
	return sw;
}
