/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * apdu/openpgp-algo.c: algorithm attributes of the OpenPGP card (3.4, 4.4.3.10):
 * RSA (01, modulus bits, exponent bits, import format) or an elliptic curve
 * (ECDH 12, ECDSA 13, EdDSA 16, then the curve's OID, then optionally the import
 * format 00 or FF), and the curves the card may name.
 */
#include "config.h"

#include "apdu/openpgp.h"

#include <assert.h>
#include <string.h>

struct curve {
	enum opgp_curve curve;
	size_t bytes;
	uint8_t oid[10];
	size_t oid_len;
};

static const struct curve curves[] = {
	{ OPGP_CURVE_P256, 32, { 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07 }, 8 },
	{ OPGP_CURVE_P384, 48, { 0x2B, 0x81, 0x04, 0x00, 0x22 }, 5 },
	{ OPGP_CURVE_P521, 66, { 0x2B, 0x81, 0x04, 0x00, 0x23 }, 5 },
	{ OPGP_CURVE_BP256, 32, { 0x2B, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x07 }, 9 },
	{ OPGP_CURVE_BP384, 48, { 0x2B, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x0B }, 9 },
	{ OPGP_CURVE_BP512, 64, { 0x2B, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x0D }, 9 },
	{ OPGP_CURVE_ED25519, 32, { 0x2B, 0x06, 0x01, 0x04, 0x01, 0xDA, 0x47, 0x0F, 0x01 }, 9 },
	{ OPGP_CURVE_X25519, 32, { 0x2B, 0x06, 0x01, 0x04, 0x01, 0x97, 0x55, 0x01, 0x05, 0x01 }, 10 },
};

static const struct curve *
find_curve (enum opgp_curve c)
{
	size_t i;

	for (i = 0; i < sizeof curves / sizeof curves[0]; i++) {
		if (curves[i].curve == c)
			return &curves[i];
	}
	return NULL;
}

const uint8_t *
opgp_curve_oid (enum opgp_curve curve, size_t *len)
{
	const struct curve *c = find_curve (curve);

	*len = c != NULL ? c->oid_len : 0;
	return c != NULL ? c->oid : NULL;
}

size_t
opgp_curve_bytes (enum opgp_curve curve)
{
	const struct curve *c = find_curve (curve);

	return c != NULL ? c->bytes : 0;
}

enum opgp_curve
opgp_curve_from_oid (const uint8_t *oid, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof curves / sizeof curves[0]; i++) {
		if (curves[i].oid_len == len && memcmp (curves[i].oid, oid, len) == 0)
			return curves[i].curve;
	}
	return OPGP_CURVE_NONE;
}

static card_rv
parse_rsa (const uint8_t *a, size_t len, struct opgp_algo *out)
{
	if (len != 5 && len != 6)
		return CARD_E_INVALID_DATA;
	out->rsa_bits = (unsigned)a[1] << 8 | a[2];
	out->rsa_e_bits = (unsigned)a[3] << 8 | a[4];
	out->rsa_format = len == 6 ? a[5] : 0;
	if (out->rsa_bits < 512 || out->rsa_e_bits == 0 || out->rsa_e_bits > 64 || out->rsa_format > 3)
		return CARD_E_INVALID_DATA;
	return CARD_OK;
}

static card_rv
algo_parse (const uint8_t *a, size_t len, struct opgp_algo *out)
{
	enum opgp_curve curve;

	assert (out != NULL);
	memset (out, 0, sizeof *out);
	if (a == NULL || len < 2)
		return CARD_E_INVALID_DATA;
	out->id = a[0];
	if (a[0] == OPGP_ALGO_RSA)
		return parse_rsa (a, len, out);
	if (a[0] != OPGP_ALGO_ECDH && a[0] != OPGP_ALGO_ECDSA && a[0] != OPGP_ALGO_EDDSA)
		return CARD_E_NOT_SUPPORTED;
	/* The OID, then perhaps the import format byte: no supported OID ends in 00 or FF. */
	curve = opgp_curve_from_oid (a + 1, len - 1);
	if (curve == OPGP_CURVE_NONE && (a[len - 1] == 0x00 || a[len - 1] == 0xFF)) {
		curve = opgp_curve_from_oid (a + 1, len - 2);
		out->ec_import_pub = a[len - 1] == 0xFF;
	}
	if (curve == OPGP_CURVE_NONE)
		return CARD_E_NOT_SUPPORTED;
	if ((a[0] == OPGP_ALGO_EDDSA) != (curve == OPGP_CURVE_ED25519) ||
	    (curve == OPGP_CURVE_X25519 && a[0] != OPGP_ALGO_ECDH))
		return CARD_E_INVALID_DATA;
	out->curve = curve;
	return CARD_OK;
}

/* Attributes not understood leave *OUT all zero (id 0: nothing to use or to generate). */
card_rv
opgp_algo_parse (const uint8_t *a, size_t len, struct opgp_algo *out)
{
	card_rv rv = algo_parse (a, len, out);

	if (rv != CARD_OK)
		memset (out, 0, sizeof *out);
	return rv;
}

card_rv
opgp_algo_encode (const struct opgp_algo *algo, uint8_t *out, size_t *len)
{
	const uint8_t *oid;
	size_t oid_len, need;

	assert (algo != NULL && out != NULL && len != NULL);
	if (algo->id == OPGP_ALGO_RSA) {
		if (*len < 6 || algo->rsa_bits > 0xFFFF || algo->rsa_e_bits == 0 || algo->rsa_format > 3)
			return CARD_E_INVALID_DATA;
		out[0] = OPGP_ALGO_RSA;
		out[1] = (uint8_t)(algo->rsa_bits >> 8);
		out[2] = (uint8_t)algo->rsa_bits;
		out[3] = (uint8_t)(algo->rsa_e_bits >> 8);
		out[4] = (uint8_t)algo->rsa_e_bits;
		out[5] = algo->rsa_format;
		*len = 6;
		return CARD_OK;
	}
	oid = opgp_curve_oid (algo->curve, &oid_len);
	need = 1 + oid_len + (algo->ec_import_pub ? 1 : 0);
	if (oid == NULL || *len < need ||
	    (algo->id != OPGP_ALGO_ECDH && algo->id != OPGP_ALGO_ECDSA && algo->id != OPGP_ALGO_EDDSA))
		return CARD_E_INVALID_DATA;
	out[0] = algo->id;
	memcpy (out + 1, oid, oid_len);
	if (algo->ec_import_pub)
		out[1 + oid_len] = 0xFF;
	*len = need;
	return CARD_OK;
}
