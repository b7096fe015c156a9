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

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/x509.h>

#include "apdu/log.h"
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
	cert = d2i_X509 (NULL, &p, (long)len);
	if (cert == NULL)
		goto out;
	pkey = X509_get0_pubkey (cert);
	if (pkey != NULL)
		alg = pkey_alg (pkey);
out:
	X509_free (cert);
	return alg;
}

/* Build an EVP_PKEY of type NAME from PARAMS and encode its SubjectPublicKeyInfo. */
static card_rv
params_to_spki (const char *name, OSSL_PARAM *params, uint8_t **spki, size_t *spki_len)
{
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;
	unsigned char *der = NULL;
	int n;
	card_rv rv = CARD_E_BAD_RESPONSE;

	ctx = EVP_PKEY_CTX_new_from_name (NULL, name, NULL);
	if (ctx == NULL || EVP_PKEY_fromdata_init (ctx) != 1 ||
	    EVP_PKEY_fromdata (ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1)
		goto out;
	n = i2d_PUBKEY (pkey, &der);
	if (n <= 0)
		goto out;
	*spki = malloc ((size_t)n);
	if (*spki == NULL) {
		rv = CARD_E_NO_MEMORY;
		goto out;
	}
	memcpy (*spki, der, (size_t)n);
	*spki_len = (size_t)n;
	rv = CARD_OK;
out:
	OPENSSL_free (der);
	EVP_PKEY_free (pkey);
	EVP_PKEY_CTX_free (ctx);
	return rv;
}

static card_rv
rsa_spki (const uint8_t *tmpl, size_t tmpl_len, uint8_t **spki, size_t *spki_len)
{
	struct tlv n, e;
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	BIGNUM *bn_n = NULL, *bn_e = NULL;
	card_rv rv = CARD_E_BAD_RESPONSE;

	if (tlv_find (tmpl, tmpl_len, 0x81, &n) != TLV_OK ||
	    tlv_find (tmpl, tmpl_len, 0x82, &e) != TLV_OK || n.len == 0 || e.len == 0 ||
	    n.len > 1024 || e.len > 8)
		goto out;
	bn_n = BN_bin2bn (n.value, (int)n.len, NULL);
	bn_e = BN_bin2bn (e.value, (int)e.len, NULL);
	bld = OSSL_PARAM_BLD_new ();
	if (bn_n == NULL || bn_e == NULL || bld == NULL ||
	    OSSL_PARAM_BLD_push_BN (bld, OSSL_PKEY_PARAM_RSA_N, bn_n) != 1 ||
	    OSSL_PARAM_BLD_push_BN (bld, OSSL_PKEY_PARAM_RSA_E, bn_e) != 1 ||
	    (params = OSSL_PARAM_BLD_to_param (bld)) == NULL) {
		rv = CARD_E_NO_MEMORY;
		goto out;
	}
	rv = params_to_spki ("RSA", params, spki, spki_len);
out:
	OSSL_PARAM_free (params);
	OSSL_PARAM_BLD_free (bld);
	BN_free (bn_n);
	BN_free (bn_e);
	return rv;
}

static card_rv
ec_spki (enum card_alg alg, const uint8_t *tmpl, size_t tmpl_len, uint8_t **spki, size_t *spki_len)
{
	struct tlv point;
	char group[32];
	size_t want = alg == CARD_ALG_EC_P256 ? 65 : 97;
	OSSL_PARAM params[3];

	if (tlv_find (tmpl, tmpl_len, 0x86, &point) != TLV_OK || point.len != want ||
	    point.value[0] != 0x04)
		return CARD_E_BAD_RESPONSE;
	strcpy (group, alg == CARD_ALG_EC_P256 ? SN_X9_62_prime256v1 : SN_secp384r1);
	params[0] = OSSL_PARAM_construct_utf8_string (OSSL_PKEY_PARAM_GROUP_NAME, group, 0);
	params[1] = OSSL_PARAM_construct_octet_string (OSSL_PKEY_PARAM_PUB_KEY,
	                                               (void *)point.value, point.len);
	params[2] = OSSL_PARAM_construct_end ();
	return params_to_spki ("EC", params, spki, spki_len);
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
		rv = rsa_spki (tmpl, tmpl_len, spki, spki_len);
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
