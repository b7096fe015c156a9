/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * apdu/piv-pubkey.c: PIV algorithm identifiers, and public keys: the algorithm
 * of a certificate's key, and a card's public-key template (7F49 contents:
 * 81 modulus / 82 exponent, or 86 EC point) as SubjectPublicKeyInfo DER.
 */
#include "config.h"

#include "apdu/piv.h"

#include <assert.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "apdu/buf.h"
#include "apdu/log.h"
#include "apdu/ossl.h"
#include "apdu/tlv.h"

enum card_alg
piv_alg_to_card (uint8_t piv_alg)
{
	switch (piv_alg) {
	case PIV_ALG_RSA1024: return CARD_ALG_RSA1024;
	case PIV_ALG_RSA2048: return CARD_ALG_RSA2048;
	case PIV_ALG_RSA3072: return CARD_ALG_RSA3072;
	case PIV_ALG_RSA4096: return CARD_ALG_RSA4096;
	case PIV_ALG_ECC_P256: return CARD_ALG_EC_P256;
	case PIV_ALG_ECC_P384: return CARD_ALG_EC_P384;
	default: return CARD_ALG_NONE;
	}
}

uint8_t
piv_alg_from_card (enum card_alg alg)
{
	switch (alg) {
	case CARD_ALG_RSA1024: return PIV_ALG_RSA1024;
	case CARD_ALG_RSA2048: return PIV_ALG_RSA2048;
	case CARD_ALG_RSA3072: return PIV_ALG_RSA3072;
	case CARD_ALG_RSA4096: return PIV_ALG_RSA4096;
	case CARD_ALG_EC_P256: return PIV_ALG_ECC_P256;
	case CARD_ALG_EC_P384: return PIV_ALG_ECC_P384;
	case CARD_ALG_NONE:
	default: return 0;
	}
}

static enum card_alg
pkey_alg (EVP_PKEY *pkey)
{
	char group[64];
	size_t glen = 0;

	switch (EVP_PKEY_get_base_id (pkey)) {
	case EVP_PKEY_RSA:
		switch (EVP_PKEY_get_bits (pkey)) {
		case 1024: return CARD_ALG_RSA1024;
		case 2048: return CARD_ALG_RSA2048;
		case 3072: return CARD_ALG_RSA3072;
		case 4096: return CARD_ALG_RSA4096;
		default: return CARD_ALG_NONE;
		}
	case EVP_PKEY_EC:
		if (EVP_PKEY_get_group_name (pkey, group, sizeof group, &glen) != 1)
			return CARD_ALG_NONE;
		if (strcmp (group, SN_X9_62_prime256v1) == 0)
			return CARD_ALG_EC_P256;
		if (strcmp (group, SN_secp384r1) == 0)
			return CARD_ALG_EC_P384;
		return CARD_ALG_NONE;
	default:
		return CARD_ALG_NONE;
	}
}

enum card_alg
piv_cert_alg (const uint8_t *der, size_t len)
{
	const unsigned char *p = der;
	X509 *cert = NULL;
	EVP_PKEY *pkey;
	enum card_alg alg = CARD_ALG_NONE;

	if (der == NULL || len == 0 || len > LONG_MAX)
		goto out;
	cert = X509_new_ex (apdu_libctx (), NULL);
	if (cert == NULL || d2i_X509 (&cert, &p, (long)len) == NULL)
		goto out;
	pkey = X509_get0_pubkey (cert);
	if (pkey != NULL)
		alg = pkey_alg (pkey);
out:
	X509_free (cert);
	return alg;
}

/*
 * SubjectPublicKeyInfo DER is built here byte by byte, not through an EVP_PKEY:
 * in OpenSSL 3.0 EVP_PKEY_CTX_new_from_name / _from_pkey hand RSA and EC to an
 * ENGINE that the application made the default (ENGINE_set_default, as
 * `openssl -engine pkcs11` does) whatever library context they are given, and
 * such an ENGINE cannot import keys. The front end parses the result in the
 * module's own context (apdu_libctx), which checks the key itself.
 */
static const uint8_t oid_rsa[] = { 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01 };
static const uint8_t oid_ec[] = { 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01 };
static const uint8_t oid_p256[] = { 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07 };
static const uint8_t oid_p384[] = { 0x2B, 0x81, 0x04, 0x00, 0x22 };

/* A positive DER INTEGER from big-endian unsigned bytes; 0 if the value is zero. */
static int
put_uint (struct apdu_buf *buf, const uint8_t *v, size_t len)
{
	size_t mark;

	while (len > 0 && v[0] == 0) {
		v++;
		len--;
	}
	if (len == 0)
		return 0;
	mark = tlv_begin (buf, 0x02);
	if (v[0] & 0x80)
		apdu_buf_add_byte (buf, 0x00);
	apdu_buf_add (buf, v, len);
	tlv_end (buf, mark);
	return 1;
}

/* SEQUENCE { AlgorithmIdentifier, BIT STRING { 00, KEY } } where KEY is the
 * already encoded key in BODY; the result is handed to *spki (owned: free()). */
static card_rv
spki_wrap (const uint8_t *alg_oid, size_t alg_len, const uint8_t *param_oid, size_t param_len,
           const struct apdu_buf *body, uint8_t **spki, size_t *spki_len)
{
	struct apdu_buf out;
	size_t seq, algid, bits;
	card_rv rv = CARD_OK;

	apdu_buf_init (&out);
	seq = tlv_begin (&out, 0x30);
	algid = tlv_begin (&out, 0x30);
	tlv_put (&out, 0x06, alg_oid, alg_len);
	if (param_oid != NULL)
		tlv_put (&out, 0x06, param_oid, param_len);
	else
		tlv_put (&out, 0x05, NULL, 0);
	tlv_end (&out, algid);
	bits = tlv_begin (&out, 0x03);
	apdu_buf_add_byte (&out, 0x00);
	apdu_buf_add (&out, body->data, body->len);
	tlv_end (&out, bits);
	tlv_end (&out, seq);
	*spki = apdu_buf_steal (&out, spki_len);
	if (*spki == NULL)
		rv = CARD_E_NO_MEMORY;
	apdu_buf_clear (&out);
	return rv;
}

static size_t
rsa_bits (enum card_alg alg)
{
	switch (alg) {
	case CARD_ALG_RSA1024: return 1024;
	case CARD_ALG_RSA2048: return 2048;
	case CARD_ALG_RSA3072: return 3072;
	case CARD_ALG_RSA4096: return 4096;
	default: return 0;
	}
}

static card_rv
rsa_spki (enum card_alg alg, const uint8_t *tmpl, size_t tmpl_len, uint8_t **spki, size_t *spki_len)
{
	struct tlv n, e;
	struct apdu_buf key;
	size_t seq;
	card_rv rv = CARD_E_BAD_RESPONSE;

	apdu_buf_init (&key);
	if (tlv_find (tmpl, tmpl_len, 0x81, &n) != TLV_OK ||
	    tlv_find (tmpl, tmpl_len, 0x82, &e) != TLV_OK || e.len == 0 || e.len > 8)
		goto out;
	while (n.len > 0 && n.value[0] == 0) {
		n.value++;
		n.len--;
	}
	/* the modulus has exactly the key's size: its top bit is set */
	if (n.len * 8 != rsa_bits (alg) || !(n.value[0] & 0x80))
		goto out;
	seq = tlv_begin (&key, 0x30);
	put_uint (&key, n.value, n.len);
	if (!put_uint (&key, e.value, e.len))
		goto out;
	tlv_end (&key, seq);
	if (apdu_buf_failed (&key)) {
		rv = CARD_E_NO_MEMORY;
		goto out;
	}
	rv = spki_wrap (oid_rsa, sizeof oid_rsa, NULL, 0, &key, spki, spki_len);
out:
	apdu_buf_clear (&key);
	return rv;
}

static card_rv
ec_spki (enum card_alg alg, const uint8_t *tmpl, size_t tmpl_len, uint8_t **spki, size_t *spki_len)
{
	struct tlv point;
	struct apdu_buf key;
	size_t want = alg == CARD_ALG_EC_P256 ? 65 : 97;
	card_rv rv;

	if (tlv_find (tmpl, tmpl_len, 0x86, &point) != TLV_OK || point.len != want ||
	    point.value[0] != 0x04)
		return CARD_E_BAD_RESPONSE;
	apdu_buf_init (&key);
	apdu_buf_add (&key, point.value, point.len);
	if (alg == CARD_ALG_EC_P256)
		rv = spki_wrap (oid_ec, sizeof oid_ec, oid_p256, sizeof oid_p256, &key, spki, spki_len);
	else
		rv = spki_wrap (oid_ec, sizeof oid_ec, oid_p384, sizeof oid_p384, &key, spki, spki_len);
	apdu_buf_clear (&key);
	return rv;
}

card_rv
piv_pubkey_to_spki (enum card_alg alg, const uint8_t *tmpl, size_t tmpl_len,
                    uint8_t **spki, size_t *spki_len)
{
	card_rv rv;

	assert (spki != NULL && spki_len != NULL);
	*spki = NULL;
	*spki_len = 0;
	switch (alg) {
	case CARD_ALG_RSA1024:
	case CARD_ALG_RSA2048:
	case CARD_ALG_RSA3072:
	case CARD_ALG_RSA4096:
		rv = rsa_spki (alg, tmpl, tmpl_len, spki, spki_len);
		break;
	case CARD_ALG_EC_P256:
	case CARD_ALG_EC_P384:
		rv = ec_spki (alg, tmpl, tmpl_len, spki, spki_len);
		break;
	case CARD_ALG_NONE:
	default:
		rv = CARD_E_NOT_SUPPORTED;
		break;
	}
	if (rv == CARD_E_BAD_RESPONSE)
		tsr_log ("piv", "public key template unusable for algorithm %d", (int)alg);
	return rv;
}
