/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * apdu/openpgp-spki.c: the OpenPGP card's public keys: a public key template
 * (7F49: 81 modulus, 82 exponent; or 86 point) as SubjectPublicKeyInfo DER, and
 * the OpenPGP v4 fingerprint of a key (RFC 4880 12.2; RFC 6637 for ECC; EdDSA and
 * Curve25519 points with the 0x40 prefix), which the host writes to the card
 * after generating or importing a key.
 */
#include "config.h"

#include "apdu/openpgp.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "apdu/buf.h"
#include "apdu/log.h"
#include "apdu/ossl.h"
#include "apdu/spki.h"
#include "apdu/tlv.h"

static const uint8_t oid_ed25519[] = { 0x2B, 0x65, 0x70 };
static const uint8_t oid_x25519[] = { 0x2B, 0x65, 0x6E };

static card_rv
rsa_spki (const struct opgp_algo *algo, const struct tlv *tpl, uint8_t **spki, size_t *spki_len)
{
	struct tlv n, e;

	if (tlv_find_child (tpl, 0x81, &n) != TLV_OK || tlv_find_child (tpl, 0x82, &e) != TLV_OK)
		return CARD_E_BAD_RESPONSE;
	return apdu_spki_rsa (n.value, n.len, e.value, e.len, algo->rsa_bits, spki, spki_len);
}

static card_rv
ec_spki (const struct opgp_algo *algo, const struct tlv *tpl, uint8_t **spki, size_t *spki_len)
{
	size_t bytes = opgp_curve_bytes (algo->curve), oid_len = 0;
	const uint8_t *oid = opgp_curve_oid (algo->curve, &oid_len);
	struct tlv pt;

	if (tlv_find_child (tpl, 0x86, &pt) != TLV_OK)
		return CARD_E_BAD_RESPONSE;
	if (algo->curve == OPGP_CURVE_ED25519 || algo->curve == OPGP_CURVE_X25519) {
		if (pt.len == 33 && pt.value[0] == 0x40)   /* OpenPGP's native point prefix */
			pt.value++, pt.len--;
		if (pt.len != 32)
			return CARD_E_BAD_RESPONSE;
		if (algo->curve == OPGP_CURVE_ED25519)
			return apdu_spki_raw (oid_ed25519, sizeof oid_ed25519, pt.value, 32, spki, spki_len);
		return apdu_spki_raw (oid_x25519, sizeof oid_x25519, pt.value, 32, spki, spki_len);
	}
	return apdu_spki_ec (oid, oid_len, bytes, pt.value, pt.len, spki, spki_len);
}

card_rv
opgp_pubkey_to_spki (const struct opgp_algo *algo, const uint8_t *tmpl, size_t len,
                     uint8_t **spki, size_t *spki_len)
{
	struct tlv tpl;
	card_rv rv;

	assert (algo != NULL && spki != NULL && spki_len != NULL);
	*spki = NULL;
	*spki_len = 0;
	if (tmpl == NULL || len == 0)
		return CARD_E_BAD_RESPONSE;
	if (tlv_expect (tmpl, len, 0x7F49, 0, &tpl) != TLV_OK) {
		tpl.tag = 0x7F49;
		tpl.constructed = 1;
		tpl.value = tmpl;
		tpl.len = len;
	}
	if (algo->id == OPGP_ALGO_RSA)
		rv = rsa_spki (algo, &tpl, spki, spki_len);
	else if (algo->curve != OPGP_CURVE_NONE)
		rv = ec_spki (algo, &tpl, spki, spki_len);
	else
		rv = CARD_E_NOT_SUPPORTED;
	if (rv == CARD_E_BAD_RESPONSE)
		tsr_log ("openpgp", "public key template does not fit the attributes (algorithm %02X)", algo->id);
	return rv;
}

/* ---- fingerprints ---- */

/* An OpenPGP MPI: bit count, then the magnitude without leading zero bytes. */
static void
put_mpi (struct apdu_buf *b, const uint8_t *v, size_t len)
{
	unsigned bits;
	uint8_t top;

	while (len > 0 && v[0] == 0)
		v++, len--;
	bits = (unsigned)(len * 8);
	for (top = len ? v[0] : 0x80; len && !(top & 0x80); top <<= 1)
		bits--;
	apdu_buf_add_byte (b, (uint8_t)(bits >> 8));
	apdu_buf_add_byte (b, (uint8_t)bits);
	apdu_buf_add (b, v, len);
}

static card_rv
put_bn_mpi (EVP_PKEY *pk, const char *name, struct apdu_buf *b)
{
	BIGNUM *bn = NULL;
	uint8_t tmp[1024];
	int n;

	if (EVP_PKEY_get_bn_param (pk, name, &bn) != 1)
		return CARD_E_INVALID_DATA;
	n = BN_num_bytes (bn);
	if (n <= 0 || (size_t)n > sizeof tmp) {
		BN_free (bn);
		return CARD_E_INVALID_DATA;
	}
	BN_bn2bin (bn, tmp);
	put_mpi (b, tmp, (size_t)n);
	BN_free (bn);
	return CARD_OK;
}

/* The ECC key material: OID, point MPI, and for ECDH the KDF parameters. */
static card_rv
put_ecc (const struct opgp_algo *algo, int ecdh, EVP_PKEY *pk, struct apdu_buf *b)
{
	uint8_t pt[1 + 2 * 66];
	size_t oid_len = 0, n = 0, bits;
	const uint8_t *oid = opgp_curve_oid (algo->curve, &oid_len);

	if (oid == NULL)
		return CARD_E_NOT_SUPPORTED;
	if (algo->curve == OPGP_CURVE_ED25519 || algo->curve == OPGP_CURVE_X25519) {
		pt[0] = 0x40;
		n = 32;
		if (EVP_PKEY_get_raw_public_key (pk, pt + 1, &n) != 1 || n != 32)
			return CARD_E_INVALID_DATA;
		n = 33;
	} else if (EVP_PKEY_get_octet_string_param (pk, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, pt, sizeof pt, &n) != 1) {
		return CARD_E_INVALID_DATA;
	}
	apdu_buf_add_byte (b, (uint8_t)oid_len);
	apdu_buf_add (b, oid, oid_len);
	put_mpi (b, pt, n);
	if (ecdh) {
		/* RFC 6637 KDF parameters: SHA-256/AES-128 up to 256-bit curves, SHA-384/AES-192
		 * up to 384, else SHA-512/AES-256. */
		bits = opgp_curve_bytes (algo->curve) * 8;
		apdu_buf_add (b, "\x03\x01", 2);
		apdu_buf_add (b, bits <= 256 ? "\x08\x07" : bits <= 384 ? "\x09\x08" : "\x0A\x09", 2);
	}
	return CARD_OK;
}

card_rv
opgp_fingerprint (const struct opgp_algo *algo, enum opgp_key key, const uint8_t *spki,
                  size_t spki_len, uint32_t timestamp, uint8_t fpr[20])
{
	const unsigned char *p = spki;
	EVP_PKEY *pk = d2i_PUBKEY_ex (NULL, &p, (long)spki_len, apdu_libctx (), NULL);
	struct apdu_buf body;
	uint8_t algo_id, hdr[3];
	unsigned int mdlen = 0;
	EVP_MD *sha1 = EVP_MD_fetch (apdu_libctx (), "SHA1", NULL);
	EVP_MD_CTX *md = NULL;
	card_rv rv = CARD_E_INVALID_DATA;

	apdu_buf_init (&body);
	if (pk == NULL || algo == NULL)
		goto out;
	algo_id = algo->id == OPGP_ALGO_RSA ? 1 : key == OPGP_KEY_DEC ? 18 :
	          algo->curve == OPGP_CURVE_ED25519 ? 22 : 19;
	apdu_buf_add_byte (&body, 4);
	apdu_buf_add_byte (&body, (uint8_t)(timestamp >> 24));
	apdu_buf_add_byte (&body, (uint8_t)(timestamp >> 16));
	apdu_buf_add_byte (&body, (uint8_t)(timestamp >> 8));
	apdu_buf_add_byte (&body, (uint8_t)timestamp);
	apdu_buf_add_byte (&body, algo_id);
	if (algo_id == 1) {
		rv = put_bn_mpi (pk, OSSL_PKEY_PARAM_RSA_N, &body);
		if (rv == CARD_OK)
			rv = put_bn_mpi (pk, OSSL_PKEY_PARAM_RSA_E, &body);
	} else {
		rv = put_ecc (algo, algo_id == 18, pk, &body);
	}
	if (rv != CARD_OK)
		goto out;
	rv = CARD_E_NO_MEMORY;
	if (apdu_buf_failed (&body) || body.len > 0xFFFF || sha1 == NULL || (md = EVP_MD_CTX_new ()) == NULL)
		goto out;
	hdr[0] = 0x99;
	hdr[1] = (uint8_t)(body.len >> 8);
	hdr[2] = (uint8_t)body.len;
	rv = CARD_E_INTERNAL;
	if (EVP_DigestInit_ex2 (md, sha1, NULL) != 1 || EVP_DigestUpdate (md, hdr, 3) != 1 ||
	    EVP_DigestUpdate (md, body.data, body.len) != 1 || EVP_DigestFinal_ex (md, fpr, &mdlen) != 1 ||
	    mdlen != 20)
		goto out;
	rv = CARD_OK;
out:
	EVP_MD_CTX_free (md);
	EVP_MD_free (sha1);
	EVP_PKEY_free (pk);
	apdu_buf_clear (&body);
	return rv;
}
