/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * apdu/piv-auth.c: private-key operations by GENERAL AUTHENTICATE
 * (00 87 alg ref, 7C dynamic authentication template): raw RSA, ECDSA, ECDH.
 *
 * The algorithm byte comes from the key's algorithm as list_keys() (or
 * generate()) left it, else from YubiKey metadata; when neither is known the
 * input decides: RSA by its length (128 → RSA1024, 256 → RSA2048,
 * 384 → RSA3072, 512 → RSA4096), ECDH by the point's length (65 → P-256,
 * 97 → P-384), ECDSA by the hash length (up to 32 → P-256, else P-384).
 */
#include "config.h"

#include "apdu/piv.h"

#include <assert.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>

#include "apdu/buf.h"
#include "apdu/log.h"
#include "apdu/tlv.h"

card_rv
piv_general_auth (struct card *card, uint8_t alg, uint8_t ref,
                  const uint8_t *tmpl, size_t tmpl_len, uint32_t want,
                  uint8_t **out, size_t *out_len)
{
	struct apdu_buf cmd;
	struct apdu apdu;
	struct apdu_resp resp;
	struct tlv dat, obj;
	card_rv rv;

	assert (card != NULL && out != NULL && out_len != NULL);
	*out = NULL;
	*out_len = 0;
	memset (&resp, 0, sizeof resp);
	apdu_buf_init (&cmd);
	tlv_put (&cmd, 0x7C, tmpl, tmpl_len);
	if (apdu_buf_failed (&cmd)) {
		rv = CARD_E_NO_MEMORY;
		goto out;
	}
	piv_apdu (card, &apdu, PIV_INS_GENERAL_AUTH, alg, ref);
	apdu.data = cmd.data;
	apdu.data_len = cmd.len;
	apdu.ne = PIV_NE_ALL (card);
	rv = apdu_exchange (card, &apdu, &resp, NULL);
	if (rv != CARD_OK)
		goto out;
	if (tlv_expect (resp.data, resp.len, 0x7C, 1, &dat) != TLV_OK ||
	    tlv_find_child (&dat, want, &obj) != TLV_OK) {
		tsr_log ("piv", "GENERAL AUTHENTICATE %02X %02X: no %02X in the answer", alg, ref,
		         (unsigned)want);
		rv = CARD_E_BAD_RESPONSE;
		goto out;
	}
	*out = malloc (obj.len ? obj.len : 1);
	if (*out == NULL) {
		rv = CARD_E_NO_MEMORY;
		goto out;
	}
	memcpy (*out, obj.value, obj.len);
	*out_len = obj.len;
out:
	apdu_resp_clear (&resp);
	apdu_buf_clear (&cmd);
	return rv;
}

/* 7C { 82 00, TAG input } → value of 82. */
static card_rv
auth_with (struct card *card, uint8_t alg, uint8_t ref, uint32_t tag,
           const uint8_t *in, size_t in_len, uint8_t **res, size_t *res_len)
{
	struct apdu_buf tmpl;
	card_rv rv;

	apdu_buf_init (&tmpl);
	tlv_put (&tmpl, 0x82, NULL, 0);
	tlv_put (&tmpl, tag, in, in_len);
	if (apdu_buf_failed (&tmpl))
		rv = CARD_E_NO_MEMORY;
	else
		rv = piv_general_auth (card, alg, ref, tmpl.data, tmpl.len, 0x82, res, res_len);
	apdu_buf_clear (&tmpl);
	return rv;
}

static size_t
rsa_bytes (enum card_alg alg)
{
	switch (alg) {
	case CARD_ALG_RSA1024: return 128;
	case CARD_ALG_RSA2048: return 256;
	case CARD_ALG_RSA3072: return 384;
	case CARD_ALG_RSA4096: return 512;
	default: return 0;
	}
}

static enum card_alg
rsa_alg_for_len (size_t len)
{
	switch (len) {
	case 128: return CARD_ALG_RSA1024;
	case 256: return CARD_ALG_RSA2048;
	case 384: return CARD_ALG_RSA3072;
	case 512: return CARD_ALG_RSA4096;
	default: return CARD_ALG_NONE;
	}
}

static int
slot_ok (struct card *card, uint8_t ref)
{
	return card != NULL && card->driver_data != NULL && piv_slot_by_ref (ref) != NULL;
}

card_rv
piv_rsa_raw (struct card *card, uint8_t ref, const uint8_t *in, size_t in_len,
             uint8_t *out, size_t *out_len)
{
	enum card_alg alg;
	uint8_t *res = NULL;
	size_t res_len = 0;
	card_rv rv;

	if (!slot_ok (card, ref) || in == NULL || out == NULL || out_len == NULL)
		return CARD_E_INTERNAL;
	alg = piv_key_alg (card, ref);
	if (alg == CARD_ALG_NONE)
		alg = rsa_alg_for_len (in_len);
	if (rsa_bytes (alg) == 0 || in_len != rsa_bytes (alg)) {
		rv = CARD_E_INVALID_DATA;   /* not an RSA key, or not the modulus size */
		goto out;
	}
	if (*out_len < in_len) {
		rv = CARD_E_INVALID_DATA;
		goto out;
	}
	rv = auth_with (card, piv_alg_from_card (alg), ref, 0x81, in, in_len, &res, &res_len);
	if (rv != CARD_OK)
		goto out;
	if (res_len > in_len) {
		rv = CARD_E_BAD_RESPONSE;
		goto out;
	}
	/* A result with leading zero bytes dropped is padded back to the modulus size. */
	memset (out, 0, in_len - res_len);
	memcpy (out + in_len - res_len, res, res_len);
	*out_len = in_len;
out:
	if (res != NULL)
		OPENSSL_cleanse (res, res_len);
	free (res);
	return rv;
}

static size_t
ec_bytes (enum card_alg alg)
{
	return alg == CARD_ALG_EC_P256 ? 32 : alg == CARD_ALG_EC_P384 ? 48 : 0;
}

/* DER ECDSA-Sig-Value → r||s, each FIELD bytes. */
static card_rv
der_to_rs (const uint8_t *der, size_t len, size_t field, uint8_t *out)
{
	const unsigned char *p = der;
	ECDSA_SIG *sig;
	const BIGNUM *r, *s;
	card_rv rv = CARD_E_BAD_RESPONSE;

	if (len > INT_MAX)
		return rv;
	sig = d2i_ECDSA_SIG (NULL, &p, (long)len);
	if (sig == NULL || p != der + len)
		goto out;
	ECDSA_SIG_get0 (sig, &r, &s);
	if (BN_bn2binpad (r, out, (int)field) < 0 || BN_bn2binpad (s, out + field, (int)field) < 0)
		goto out;
	rv = CARD_OK;
out:
	ECDSA_SIG_free (sig);
	return rv;
}

card_rv
piv_ecdsa_sign (struct card *card, uint8_t ref, const uint8_t *hash, size_t hash_len,
                uint8_t *out, size_t *out_len)
{
	uint8_t input[48];
	enum card_alg alg;
	uint8_t *res = NULL;
	size_t res_len = 0, field, n;
	card_rv rv;

	if (!slot_ok (card, ref) || hash == NULL || hash_len == 0 || out == NULL || out_len == NULL)
		return CARD_E_INTERNAL;
	alg = piv_key_alg (card, ref);
	if (alg == CARD_ALG_NONE)
		alg = hash_len <= 32 ? CARD_ALG_EC_P256 : CARD_ALG_EC_P384;
	field = ec_bytes (alg);
	if (field == 0 || *out_len < 2 * field) {
		rv = CARD_E_INVALID_DATA;
		goto out;
	}
	/* The card signs exactly FIELD bytes: a longer hash keeps its leftmost bytes
	 * (as ECDSA truncates), a shorter one is left-padded with zeros (same number). */
	n = hash_len < field ? hash_len : field;
	memset (input, 0, field - n);
	memcpy (input + field - n, hash, n);
	rv = auth_with (card, piv_alg_from_card (alg), ref, 0x81, input, field, &res, &res_len);
	if (rv != CARD_OK)
		goto out;
	rv = der_to_rs (res, res_len, field, out);
	if (rv == CARD_OK)
		*out_len = 2 * field;
out:
	free (res);
	return rv;
}

card_rv
piv_ecdh (struct card *card, uint8_t ref, const uint8_t *point, size_t point_len,
          uint8_t *out, size_t *out_len)
{
	enum card_alg alg;
	uint8_t *res = NULL;
	size_t res_len = 0, field;
	card_rv rv;

	if (!slot_ok (card, ref) || point == NULL || out == NULL || out_len == NULL)
		return CARD_E_INTERNAL;
	alg = piv_key_alg (card, ref);
	if (alg == CARD_ALG_NONE)
		alg = point_len == 65 ? CARD_ALG_EC_P256 : point_len == 97 ? CARD_ALG_EC_P384 : alg;
	field = ec_bytes (alg);
	if (field == 0 || point_len != 2 * field + 1 || point[0] != 0x04 || *out_len < field) {
		rv = CARD_E_INVALID_DATA;
		goto out;
	}
	rv = auth_with (card, piv_alg_from_card (alg), ref, 0x85, point, point_len, &res, &res_len);
	if (rv != CARD_OK)
		goto out;
	if (res_len != field) {
		rv = CARD_E_BAD_RESPONSE;
		goto out;
	}
	memcpy (out, res, field);
	*out_len = field;
out:
	if (res != NULL)
		OPENSSL_cleanse (res, res_len);
	free (res);
	return rv;
}
