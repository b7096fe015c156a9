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
#include "apdu/spki.h"
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

static const uint8_t oid_p256[] = { 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07 };
static const uint8_t oid_p384[] = { 0x2B, 0x81, 0x04, 0x00, 0x22 };

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

	if (tlv_find (tmpl, tmpl_len, 0x81, &n) != TLV_OK || tlv_find (tmpl, tmpl_len, 0x82, &e) != TLV_OK)
		return CARD_E_BAD_RESPONSE;
	return apdu_spki_rsa (n.value, n.len, e.value, e.len, rsa_bits (alg), spki, spki_len);
}

static card_rv
ec_spki (enum card_alg alg, const uint8_t *tmpl, size_t tmpl_len, uint8_t **spki, size_t *spki_len)
{
	struct tlv point;

	if (tlv_find (tmpl, tmpl_len, 0x86, &point) != TLV_OK)
		return CARD_E_BAD_RESPONSE;
	if (alg == CARD_ALG_EC_P256)
		return apdu_spki_ec (oid_p256, sizeof oid_p256, 32, point.value, point.len, spki, spki_len);
	return apdu_spki_ec (oid_p384, sizeof oid_p384, 48, point.value, point.len, spki, spki_len);
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
