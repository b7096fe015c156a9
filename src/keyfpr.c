/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * src/keyfpr.c: the fingerprint of a public key, as the pairing store keeps it.
 * Every writer and reader of a stored fingerprint uses these functions (key
 * generation and import, C_SetAttributeValue, certificate import, token open),
 * never a hash of whatever bytes it happens to hold.
 *
 * The fingerprint is the SHA-1 of the key's canonical SubjectPublicKeyInfo DER:
 *
 *   SEQUENCE { AlgorithmIdentifier, BIT STRING { 0 unused bits, key } }
 *   RSA: rsaEncryption, NULL parameters; key SEQUENCE { INTEGER n, INTEGER e }, minimal
 *   EC:  id-ecPublicKey, the curve's OID; key the uncompressed point 04 || X || Y, each
 *        coordinate the field's full size (a leading zero byte of X or Y is kept)
 *   Ed25519, X25519 (RFC 8410): id-Ed25519 / id-X25519, no parameters; key the 32 bytes
 *
 * That is the SPKI a PIV card's public-key template turns into (piv_pubkey_to_spki) and
 * the one a certificate for the key carries, so the fingerprints stored before this
 * file existed keep their meaning. The same key given any other way has the same
 * fingerprint: from a certificate, from a CKA_EC_POINT (DER OCTET STRING or raw point;
 * for Ed25519 and X25519 with CKA_EC_PARAMS the RFC 8410 OID or PKCS #11 3.0's curve
 * name), from a compressed point, or from an SPKI whose BIT STRING declares unused bits.
 * The last one is real: OpenSSL 3.0's X509_PUBKEY_dup loses the BIT STRING's
 * "bits left" flag, and i2d_X509_PUBKEY then counts the trailing zero bits of the last
 * byte as unused, which for an EC key is every key whose Y is even (one in two).
 *
 * The key is parsed by OpenSSL's decoders in the module's own library context and
 * written again by its encoder (no EVP_PKEY_CTX: see apdu/ossl.c on ENGINEs).
 */
#include "config.h"

#include "src/provision.h"
#include "src/keyalg.h"

#include <limits.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

/* SHA-1 of the canonical SPKI of PK. */
static bool
tsr_fpr_of_pkey (EVP_PKEY *pk, uint8_t fpr[TSR_FPR_LEN])
{
	unsigned char *der = NULL;
	unsigned int len = 0;
	int n;
	bool ok = false;

	if (EVP_PKEY_get_base_id (pk) == EVP_PKEY_EC &&
	    !EVP_PKEY_set_utf8_string_param (pk, OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT,
	                                     OSSL_PKEY_EC_POINT_CONVERSION_FORMAT_UNCOMPRESSED))
		goto out;
	n = i2d_PUBKEY (pk, &der);
	if (n <= 0)
		goto out;
	ok = EVP_Digest (der, (size_t)n, fpr, &len, tsr_md_sha (1), NULL) && len == TSR_FPR_LEN;
out:
	OPENSSL_free (der);
	return ok;
}

bool
tsr_fpr_of_spki (const uint8_t *der, size_t len, uint8_t fpr[TSR_FPR_LEN])
{
	const unsigned char *p = der;
	EVP_PKEY *pk;
	bool ok = false;

	if (der == NULL || len == 0 || len > LONG_MAX)
		return false;
	pk = d2i_PUBKEY_ex (NULL, &p, (long)len, tsr_ossl (), NULL);
	if (pk != NULL && p == der + len)
		ok = tsr_fpr_of_pkey (pk, fpr);
	EVP_PKEY_free (pk);
	return ok;
}

bool
tsr_fpr_of_cert (const uint8_t *der, size_t len, uint8_t fpr[TSR_FPR_LEN])
{
	const unsigned char *p = der;
	X509 *x = NULL;
	EVP_PKEY *pk;
	bool ok = false;

	if (der == NULL || len == 0 || len > LONG_MAX)
		return false;
	x = X509_new_ex (tsr_ossl (), NULL);
	if (x == NULL || d2i_X509 (&x, &p, (long)len) == NULL)
		goto out;
	pk = X509_get0_pubkey (x);   /* owned by x */
	if (pk != NULL)
		ok = tsr_fpr_of_pkey (pk, fpr);
out:
	X509_free (x);
	return ok;
}

/* The fingerprint of POINT (as it would stand in the SPKI's BIT STRING) on CURVE: an EC
 * named curve, or the algorithm of an Ed25519 / X25519 key (RFC 8410: no parameters). */
static bool
tsr_fpr_of_curve_point (const ASN1_OBJECT *curve, const uint8_t *point, size_t point_len,
                        uint8_t fpr[TSR_FPR_LEN])
{
	int nid = OBJ_obj2nid (curve);
	bool ecx = nid == NID_ED25519 || nid == NID_X25519;
	ASN1_OBJECT *oid = ecx ? NULL : OBJ_dup (curve);
	unsigned char *enc = OPENSSL_memdup (point, point_len), *spki = NULL;
	X509_PUBKEY *xpub = X509_PUBKEY_new_ex (tsr_ossl (), NULL);
	int n;
	bool ok = false;

	if ((oid == NULL && !ecx) || enc == NULL || xpub == NULL || point_len > INT_MAX)
		goto out;
	if (ecx ? !X509_PUBKEY_set0_param (xpub, OBJ_nid2obj (nid), V_ASN1_UNDEF, NULL, enc, (int)point_len)
	        : !X509_PUBKEY_set0_param (xpub, OBJ_nid2obj (NID_X9_62_id_ecPublicKey), V_ASN1_OBJECT, oid,
	                                   enc, (int)point_len))
		goto out;
	oid = NULL;   /* owned by xpub now, and so is enc */
	enc = NULL;
	n = i2d_X509_PUBKEY (xpub, &spki);
	ok = n > 0 && tsr_fpr_of_spki (spki, (size_t)n, fpr);   /* parsing checks the point */
out:
	OPENSSL_free (spki);
	OPENSSL_free (enc);
	X509_PUBKEY_free (xpub);
	ASN1_OBJECT_free (oid);
	return ok;
}

bool
tsr_fpr_of_ec_point (const uint8_t *params, size_t params_len, const uint8_t *point, size_t point_len,
                     uint8_t fpr[TSR_FPR_LEN])
{
	const unsigned char *p = params, *q = point;
	ASN1_OBJECT *curve = NULL;
	ASN1_OCTET_STRING *os = NULL;
	bool ok = false;

	if (params == NULL || point == NULL || params_len == 0 || params_len > LONG_MAX ||
	    point_len == 0 || point_len > LONG_MAX)
		return false;
	if (params[0] == 0x13) {   /* PKCS #11 3.0: an Edwards or Montgomery curve by name */
		const struct tsr_keyalg *a = tsr_keyalg_by_params (CKK_EC_EDWARDS, params, params_len);
		if (a == NULL)
			a = tsr_keyalg_by_params (CKK_EC_MONTGOMERY, params, params_len);
		if (a == NULL)
			goto out;
		params = p = a->oid;
		params_len = a->oid_len;
	}
	curve = d2i_ASN1_OBJECT (NULL, &p, (long)params_len);
	if (curve == NULL || p != params + params_len)
		goto out;
	/* CKA_EC_POINT is a DER OCTET STRING; a raw point (04 || X || Y) is taken too. The
	 * two cannot be mistaken for each other: a DER-wrapped point is two bytes longer
	 * than a point, and no real curve has valid points of both lengths. */
	os = d2i_ASN1_OCTET_STRING (NULL, &q, (long)point_len);
	if (os != NULL && q == point + point_len)
		ok = tsr_fpr_of_curve_point (curve, ASN1_STRING_get0_data (os), (size_t)ASN1_STRING_length (os), fpr);
	if (!ok)
		ok = tsr_fpr_of_curve_point (curve, point, point_len, fpr);
out:
	ASN1_OCTET_STRING_free (os);
	ASN1_OBJECT_free (curve);
	return ok;
}
