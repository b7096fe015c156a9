/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * src/certobj.c: the token objects of one card key slot, derived with OpenSSL
 * from the slot's certificate (or the public key the card reported).
 *
 * Everything per slot comes from the card driver's slot descriptor (struct
 * card_slot): CKA_ID is the slot's number as one byte (the scheme OpenSC and
 * ykcs11 share, so PKCS #11 URIs keep working), shared by certificate, public key
 * and private key and unique on the token; the labels; the default usage and PIN
 * policy.
 *
 * Usage: with a keyUsage extension, sign = digitalSignature|nonRepudiation|
 * keyCertSign|cRLSign, decrypt/unwrap = keyEncipherment|dataEncipherment (RSA),
 * derive = keyAgreement (EC). Without it, the slot's purpose (card_slot.usage).
 */
#include "config.h"

#include "src/tsr.h"
#include "src/conf.h"
#include "src/provision.h"
#include "src/keyalg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/core_names.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

struct tsr_usage {
	bool sign, decrypt, derive;
};

struct tsr_labels {
	char cert[64], pub[64], priv[64];
};

static void
tsr_labels_for_slot (const struct card_slot *desc, struct tsr_labels *l)
{
	snprintf (l->cert, sizeof l->cert, "%s", desc->cert_label);
	snprintf (l->pub, sizeof l->pub, "%s pubkey", desc->key_label);
	snprintf (l->priv, sizeof l->priv, "%s key", desc->key_label);
}

/* What the key type allows at all: Ed25519 only signs, X25519 only agrees on keys. */
static void
tsr_usage_for (const struct card_slot *desc, X509 *x, CK_KEY_TYPE kt, struct tsr_usage *u)
{
	uint32_t ku = x != NULL ? X509_get_key_usage (x) : UINT32_MAX;
	bool can_sign = kt != CKK_EC_MONTGOMERY, can_derive = kt == CKK_EC || kt == CKK_EC_MONTGOMERY;

	if (ku != UINT32_MAX) {
		u->sign = can_sign && (ku & (KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION | KU_KEY_CERT_SIGN | KU_CRL_SIGN)) != 0;
		u->decrypt = kt == CKK_RSA && (ku & (KU_KEY_ENCIPHERMENT | KU_DATA_ENCIPHERMENT)) != 0;
		u->derive = can_derive && (ku & KU_KEY_AGREEMENT) != 0;
	} else {
		u->sign = can_sign && (desc->usage & CARD_USE_SIGN) != 0;
		u->decrypt = kt == CKK_RSA && (desc->usage & CARD_USE_DECRYPT) != 0;
		u->derive = can_derive && (desc->usage & CARD_USE_DECRYPT) != 0;
	}
	tsr_usage_limit (desc, &u->sign, &u->decrypt, &u->derive);
}

/* Set an attribute to the DER of an OpenSSL object (i2d function F). */
#define TSR_SET_DER(obj, type, f, val) do { \
	unsigned char *der_ = NULL; \
	int len_ = (val) != NULL ? f ((val), &der_) : -1; \
	if (len_ >= 0) tsr_attr_set ((obj), (type), der_, (CK_ULONG)len_); \
	else tsr_attr_set ((obj), (type), NULL, 0); \
	OPENSSL_free (der_); \
} while (0)

static void
tsr_set_date (struct tsr_object *obj, CK_ATTRIBUTE_TYPE type, const ASN1_TIME *t)
{
	struct tm tm;
	char buf[16];
	CK_DATE d;

	if (t == NULL || !ASN1_TIME_to_tm (t, &tm)) {
		tsr_attr_set (obj, type, NULL, 0);
		return;
	}
	snprintf (buf, sizeof buf, "%04d%02d%02d", (tm.tm_year + 1900) % 10000, (tm.tm_mon + 1) % 100,
	          tm.tm_mday % 100);
	memcpy (d.year, buf, 4);
	memcpy (d.month, buf + 4, 2);
	memcpy (d.day, buf + 6, 2);
	tsr_attr_set (obj, type, &d, sizeof d);
}

static void
tsr_set_bn (struct tsr_object *obj, CK_ATTRIBUTE_TYPE type, EVP_PKEY *pk, const char *name)
{
	BIGNUM *bn = NULL;
	unsigned char *buf = NULL;
	int len;

	if (EVP_PKEY_get_bn_param (pk, name, &bn) && (len = BN_num_bytes (bn)) > 0 &&
	    (buf = malloc ((size_t)len)) != NULL) {
		BN_bn2bin (bn, buf);
		tsr_attr_set (obj, type, buf, (CK_ULONG)len);
	} else {
		obj->oom = true;
	}
	free (buf);
	BN_free (bn);
}

/* Key-type attributes shared by public and private key objects. EC: CKA_EC_PARAMS is the
 * named curve of the SPKI's parameters, CKA_EC_POINT the point as a DER OCTET STRING.
 * Ed25519 and X25519 (PKCS #11 3.0, RFC 8410): CKA_EC_PARAMS is the SPKI's algorithm
 * OID itself (id-Ed25519, id-X25519), CKA_EC_POINT the 32-byte public key in an OCTET
 * STRING. */
static void
tsr_set_key_material (struct tsr_object *obj, EVP_PKEY *pk, X509_PUBKEY *xpub, bool with_point)
{
	const unsigned char *point = NULL;
	X509_ALGOR *alg = NULL;
	ASN1_OBJECT *aobj = NULL;
	int point_len = 0;

	obj->key_type = tsr_key_type_of_pkey (pk);
	obj->key_bits = tsr_key_bits_of_pkey (pk);
	if (obj->key_type == CKK_RSA) {
		tsr_set_bn (obj, CKA_MODULUS, pk, OSSL_PKEY_PARAM_RSA_N);
		tsr_set_bn (obj, CKA_PUBLIC_EXPONENT, pk, OSSL_PKEY_PARAM_RSA_E);
		tsr_attr_set_ulong (obj, CKA_MODULUS_BITS, obj->key_bits);
	} else if (obj->key_type != CK_UNAVAILABLE_INFORMATION) {
		const void *pval = NULL;
		int ptype = 0;
		X509_PUBKEY_get0_param (&aobj, &point, &point_len, &alg, xpub);
		X509_ALGOR_get0 (NULL, &ptype, &pval, alg);
		if (obj->key_type != CKK_EC)
			TSR_SET_DER (obj, CKA_EC_PARAMS, i2d_ASN1_OBJECT, (const ASN1_OBJECT *)aobj);
		else if (ptype == V_ASN1_OBJECT)
			TSR_SET_DER (obj, CKA_EC_PARAMS, i2d_ASN1_OBJECT, (const ASN1_OBJECT *)pval);
		if (with_point && point != NULL) {
			ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new ();
			if (os != NULL && ASN1_OCTET_STRING_set (os, point, point_len))
				TSR_SET_DER (obj, CKA_EC_POINT, i2d_ASN1_OCTET_STRING, os);
			ASN1_OCTET_STRING_free (os);
		}
	}
	tsr_attr_set_ulong (obj, CKA_KEY_TYPE, obj->key_type);
	TSR_SET_DER (obj, CKA_PUBLIC_KEY_INFO, i2d_X509_PUBKEY, xpub);
}

static void
tsr_set_common (struct tsr_object *obj, CK_SLOT_ID slot_id, const char *label, uint8_t id, bool priv)
{
	obj->slot_id = slot_id;
	obj->is_private = priv;
	tsr_attr_set_bool (obj, CKA_TOKEN, true);
	tsr_attr_set_bool (obj, CKA_PRIVATE, priv);
	tsr_attr_set_bool (obj, CKA_MODIFIABLE, true);    /* CKA_ID, CKA_LABEL, CKA_SUBJECT (setattr.c) */
	tsr_attr_set_bool (obj, CKA_COPYABLE, false);
	tsr_attr_set_bool (obj, CKA_DESTROYABLE, obj->klass == CKO_CERTIFICATE);   /* certwrite.c */
	tsr_attr_set (obj, CKA_LABEL, label, (CK_ULONG)strlen (label));
	tsr_attr_set (obj, CKA_ID, &id, 1);
}

/* What the card's metadata says of a key (origin, PIN policy): the attributes that
 * follow from it, on a public or private key object. */
static void
tsr_set_key_meta (struct tsr_object *obj, const struct card_key *key, const struct card_slot *desc)
{
	CK_ULONG gen = CK_UNAVAILABLE_INFORMATION;
	enum card_pin_policy policy = key->pin_policy != CARD_PIN_POLICY_DEFAULT ? key->pin_policy
	                                                                         : desc->pin_policy;

	if (key->origin_generated == 1)
		gen = tsr_keygen_mech_of (obj->key_type);
	tsr_attr_set_bool (obj, CKA_LOCAL, key->origin_generated == 1);
	tsr_attr_set_ulong (obj, CKA_KEY_GEN_MECHANISM, gen);
	obj->meta_pending = !key->meta_known;
	if (obj->klass != CKO_PRIVATE_KEY)
		return;
	obj->always_auth = policy == CARD_PIN_POLICY_ALWAYS;
	tsr_attr_set_bool (obj, CKA_ALWAYS_SENSITIVE, key->origin_generated == 1);
	tsr_attr_set_bool (obj, CKA_NEVER_EXTRACTABLE, key->origin_generated == 1);
	/* pin_always_keys = login_pin: the module verifies the login PIN before each use */
	tsr_attr_set_bool (obj, CKA_ALWAYS_AUTHENTICATE,
	                   obj->always_auth && tsr_conf_get ()->pin_always_keys != TSR_PIN_ALWAYS_LOGIN_PIN);
}

void
tsr_objects_apply_meta_inlock (CK_SLOT_ID slot_id, const struct card_key *key, const struct card_slot *desc)
{
	size_t i;

	for (i = 0; i < tsr.n_objects; i++) {
		struct tsr_object *o = tsr.objects[i];
		if (o->slot_id == slot_id && o->session == 0 && o->key_ref == key->ref &&
		    (o->klass == CKO_PUBLIC_KEY || o->klass == CKO_PRIVATE_KEY))
			tsr_set_key_meta (o, key, desc);
	}
}

static void
tsr_set_key_common (struct tsr_object *obj, const struct card_key *key, const struct card_slot *desc, X509 *x)
{
	tsr_attr_set (obj, CKA_START_DATE, NULL, 0);
	tsr_attr_set (obj, CKA_END_DATE, NULL, 0);
	tsr_set_key_meta (obj, key, desc);
	if (x != NULL)
		TSR_SET_DER (obj, CKA_SUBJECT, i2d_X509_NAME, X509_get_subject_name (x));
	else
		tsr_attr_set (obj, CKA_SUBJECT, NULL, 0);
}

static struct tsr_object *
tsr_cert_object (const struct card_key *key, uint8_t number, X509 *x, CK_SLOT_ID slot_id, const char *label)
{
	struct tsr_object *obj = tsr_object_new (CKO_CERTIFICATE);
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	if (obj == NULL)
		return NULL;
	tsr_set_common (obj, slot_id, label, number, false);
	tsr_attr_set_ulong (obj, CKA_CERTIFICATE_TYPE, CKC_X_509);
	tsr_attr_set_bool (obj, CKA_TRUSTED, false);
	tsr_attr_set_ulong (obj, CKA_CERTIFICATE_CATEGORY, 1 /* token user */);
	tsr_attr_set (obj, CKA_VALUE, key->cert_der, (CK_ULONG)key->cert_len);
	if (EVP_Digest (key->cert_der, key->cert_len, md, &mdlen, tsr_md_sha (1), NULL))
		tsr_attr_set (obj, CKA_CHECK_VALUE, md, 3);
	TSR_SET_DER (obj, CKA_SUBJECT, i2d_X509_NAME, X509_get_subject_name (x));
	TSR_SET_DER (obj, CKA_ISSUER, i2d_X509_NAME, X509_get_issuer_name (x));
	TSR_SET_DER (obj, CKA_SERIAL_NUMBER, i2d_ASN1_INTEGER, X509_get0_serialNumber (x));
	TSR_SET_DER (obj, CKA_PUBLIC_KEY_INFO, i2d_X509_PUBKEY, X509_get_X509_PUBKEY (x));
	tsr_set_date (obj, CKA_START_DATE, X509_get0_notBefore (x));
	tsr_set_date (obj, CKA_END_DATE, X509_get0_notAfter (x));
	tsr_attr_set (obj, CKA_URL, NULL, 0);
	if (X509_pubkey_digest (x, tsr_md_sha (1), md, &mdlen))
		tsr_attr_set (obj, CKA_HASH_OF_SUBJECT_PUBLIC_KEY, md, mdlen);
	tsr_attr_set (obj, CKA_HASH_OF_ISSUER_PUBLIC_KEY, NULL, 0);
	tsr_attr_set_ulong (obj, CKA_JAVA_MIDP_SECURITY_DOMAIN, 0);
	tsr_attr_set_ulong (obj, CKA_NAME_HASH_ALGORITHM, CKM_SHA_1);
	return obj;
}

static struct tsr_object *
tsr_pub_object (const struct card_key *key, const struct card_slot *desc, X509 *x, X509_PUBKEY *xpub,
                EVP_PKEY *pk, CK_SLOT_ID slot_id, const char *label, const struct tsr_usage *u)
{
	struct tsr_object *obj = tsr_object_new (CKO_PUBLIC_KEY);

	if (obj == NULL)
		return NULL;
	tsr_set_common (obj, slot_id, label, desc->number, false);
	tsr_set_key_material (obj, pk, xpub, true);
	tsr_set_key_common (obj, key, desc, x);
	tsr_attr_set_bool (obj, CKA_ENCRYPT, u->decrypt);
	tsr_attr_set_bool (obj, CKA_WRAP, u->decrypt);
	tsr_attr_set_bool (obj, CKA_VERIFY, u->sign);
	tsr_attr_set_bool (obj, CKA_VERIFY_RECOVER, false);
	tsr_attr_set_bool (obj, CKA_DERIVE, u->derive);   /* as its private key (ECDH) */
	tsr_attr_set_bool (obj, CKA_TRUSTED, false);
	if (EVP_PKEY_up_ref (pk))
		obj->pub = pk;
	return obj;
}

static struct tsr_object *
tsr_priv_object (const struct card_key *key, const struct card_slot *desc, X509 *x, X509_PUBKEY *xpub,
                 EVP_PKEY *pk, CK_SLOT_ID slot_id, const char *label, const struct tsr_usage *u)
{
	struct tsr_object *obj = tsr_object_new (CKO_PRIVATE_KEY);

	if (obj == NULL)
		return NULL;
	tsr_set_common (obj, slot_id, label, desc->number, true);
	obj->card_key = true;
	obj->key_ref = key->ref;
	if (pk != NULL) {
		tsr_set_key_material (obj, pk, xpub, false);
		if (EVP_PKEY_up_ref (pk))
			obj->pub = pk;
	} else {
		const struct tsr_keyalg *a = tsr_keyalg (key->alg);
		obj->key_type = a != NULL ? a->kt : CKK_RSA;
		obj->key_bits = a != NULL ? a->bits : 0;
		tsr_attr_set_ulong (obj, CKA_KEY_TYPE, obj->key_type);
	}
	tsr_attr_set_bool (obj, CKA_SENSITIVE, true);
	tsr_attr_set_bool (obj, CKA_EXTRACTABLE, false);
	tsr_set_key_common (obj, key, desc, x);
	tsr_attr_set_bool (obj, CKA_SIGN, u->sign);
	tsr_attr_set_bool (obj, CKA_SIGN_RECOVER, false);
	tsr_attr_set_bool (obj, CKA_DECRYPT, u->decrypt);
	tsr_attr_set_bool (obj, CKA_UNWRAP, u->decrypt);
	tsr_attr_set_bool (obj, CKA_DERIVE, u->derive);
	tsr_attr_set_bool (obj, CKA_WRAP_WITH_TRUSTED, false);
	return obj;
}

static CK_RV
tsr_objs_append (struct tsr_object ***objs, size_t *n, struct tsr_object *obj)
{
	struct tsr_object **a;

	if (obj == NULL || obj->oom) {
		tsr_object_free (obj);
		return CKR_HOST_MEMORY;
	}
	a = realloc (*objs, (*n + 1) * sizeof *a);
	if (a == NULL) {
		tsr_object_free (obj);
		return CKR_HOST_MEMORY;
	}
	a[(*n)++] = obj;
	*objs = a;
	return CKR_OK;
}

CK_RV
tsr_objects_from_card_key (const struct card *card, const struct card_key *key, CK_SLOT_ID slot_id,
                           struct tsr_object ***objs, size_t *n_objs)
{
	const struct card_slot *desc = card_slot_by_ref (card, key->ref);
	const unsigned char *p;
	X509 *x = NULL;
	X509_PUBKEY *xpub = NULL, *own = NULL;
	EVP_PKEY *pk = NULL;
	struct tsr_labels labels;
	struct tsr_usage usage = { false, false, false };
	CK_KEY_TYPE kt = CK_UNAVAILABLE_INFORMATION;
	size_t first = *n_objs, i;
	CK_RV rv = CKR_OK;

	if (desc == NULL) {
		tsr_log ("p11", "key %02X: not a slot of the card's driver: ignored", key->ref);
		return CKR_OK;
	}
	tsr_labels_for_slot (desc, &labels);
	if (key->cert_der != NULL) {
		p = key->cert_der;
		x = X509_new_ex (tsr_ossl (), NULL);
		if (x != NULL && d2i_X509 (&x, &p, (long)key->cert_len) == NULL) {
			X509_free (x);
			x = NULL;
		}
		if (x == NULL)
			tsr_log ("p11", "key %02X: certificate does not parse: ignored", key->ref);
	}
	if (x != NULL) {
		/* the certificate's own, not a copy: X509_PUBKEY_dup (OpenSSL 3.0) writes the BIT
		 * STRING of every other EC key back with unused bits (keyfpr.c) */
		xpub = X509_get_X509_PUBKEY (x);
	} else if (key->spki_der != NULL) {
		p = key->spki_der;
		own = X509_PUBKEY_new_ex (tsr_ossl (), NULL);
		if (own != NULL && d2i_X509_PUBKEY (&own, &p, (long)key->spki_len) == NULL) {
			X509_PUBKEY_free (own);
			own = NULL;
		}
		xpub = own;
	}
	if (xpub != NULL)
		pk = X509_PUBKEY_get (xpub);
	if (pk != NULL && tsr_key_type_of_pkey (pk) == CK_UNAVAILABLE_INFORMATION) {
		tsr_log ("p11", "key %02X: a public key of a type this module does not know: no key objects",
		         key->ref);
		EVP_PKEY_free (pk);
		pk = NULL;
	}
	if (pk != NULL)
		kt = tsr_key_type_of_pkey (pk);
	else if (tsr_keyalg (key->alg) != NULL)
		kt = tsr_keyalg (key->alg)->kt;
	tsr_usage_for (desc, x, kt, &usage);
	if (x != NULL)
		rv = tsr_objs_append (objs, n_objs, tsr_cert_object (key, desc->number, x, slot_id, labels.cert));
	if (rv == CKR_OK && pk != NULL)
		rv = tsr_objs_append (objs, n_objs, tsr_pub_object (key, desc, x, xpub, pk, slot_id,
		                                                     labels.pub, &usage));
	if (rv == CKR_OK && key->has_key && (pk != NULL || tsr_keyalg (key->alg) != NULL))
		rv = tsr_objs_append (objs, n_objs, tsr_priv_object (key, desc, x, xpub, pk, slot_id,
		                                                      labels.priv, &usage));
	for (i = first; i < *n_objs; i++)
		(*objs)[i]->key_ref = key->ref;   /* the objects of one card slot (provision.h) */
	EVP_PKEY_free (pk);
	X509_PUBKEY_free (own);
	X509_free (x);
	return rv;
}

struct tsr_object *
tsr_object_profile_new (CK_SLOT_ID slot_id)
{
	struct tsr_object *obj = tsr_object_new (CKO_PROFILE);

	if (obj == NULL)
		return NULL;
	obj->slot_id = slot_id;
	tsr_attr_set_bool (obj, CKA_TOKEN, true);
	tsr_attr_set_bool (obj, CKA_PRIVATE, false);
	tsr_attr_set_bool (obj, CKA_MODIFIABLE, false);
	tsr_attr_set_bool (obj, CKA_COPYABLE, false);
	tsr_attr_set_bool (obj, CKA_DESTROYABLE, false);
	tsr_attr_set_ulong (obj, CKA_PROFILE_ID, CKP_PUBLIC_CERTIFICATES_TOKEN);
	if (obj->oom) {
		tsr_object_free (obj);
		obj = NULL;
	}
	return obj;
}
