/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * apdu/openpgp-ops.c: the OpenPGP card's private-key operations (3.4, 7.2.10-13):
 * PSO: COMPUTE DIGITAL SIGNATURE (signature key), INTERNAL AUTHENTICATE
 * (authentication key), PSO: DECIPHER with an RSA cryptogram behind the padding
 * indicator 00 or as ECDH with the cipher DO A6 { 7F49 { 86 point } }; and the
 * DigestInfo an RSA signature is made over.
 */
#include "config.h"

#include "apdu/openpgp-int.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/obj_mac.h>

#include "apdu/buf.h"
#include "apdu/log.h"
#include "apdu/tlv.h"

/* The size of a signature of ALGO, 0 if unknown. */
static size_t
sig_size (const struct opgp_algo *algo)
{
	if (algo->id == OPGP_ALGO_RSA)
		return algo->rsa_bits / 8;
	if (algo->curve == OPGP_CURVE_ED25519)
		return 64;
	return 2 * opgp_curve_bytes (algo->curve);
}

/* Sends INS P1 P2 with IN and copies the answer to OUT (*out_len: size in, length out). */
static card_rv
run (struct card *card, struct opgp *o, uint8_t ins, uint8_t p1, uint8_t p2, const uint8_t *in,
     size_t len, int sensitive_out, struct apdu_resp *resp)
{
	struct apdu apdu;

	opgp_apdu (&apdu, ins, p1, p2);
	apdu.data = in;
	apdu.data_len = len;
	apdu.ne = APDU_EXT_MAX_NE;
	apdu.sensitive = sensitive_out;
	return opgp_exchange (card, o, &apdu, resp, NULL);
}

static card_rv
copy_out (const uint8_t *v, size_t n, uint8_t *out, size_t *out_len)
{
	if (n > *out_len) {
		tsr_log ("openpgp", "result of %zu bytes does not fit %zu", n, *out_len);
		return CARD_E_INVALID_DATA;
	}
	memcpy (out, v, n);
	*out_len = n;
	return CARD_OK;
}

static card_rv
sign_with (struct card *card, struct opgp *o, enum opgp_key key, uint8_t ins, uint8_t p1, uint8_t p2,
           const uint8_t *in, size_t len, uint8_t *out, size_t *out_len)
{
	struct apdu_resp resp;
	size_t want = sig_size (&o->ard.algo[key]);
	card_rv rv;

	assert (card != NULL && o != NULL && out != NULL && out_len != NULL);
	if (in == NULL || len == 0)
		return CARD_E_INVALID_DATA;
	if (want == 0)
		return CARD_E_NOT_SUPPORTED;
	rv = run (card, o, ins, p1, p2, in, len, 0, &resp);
	if (rv == CARD_OK && resp.len != want) {
		tsr_log ("openpgp", "signature of %zu bytes where %zu were due", resp.len, want);
		rv = CARD_E_BAD_RESPONSE;
	}
	if (rv == CARD_OK)
		rv = copy_out (resp.data, resp.len, out, out_len);
	apdu_resp_clear (&resp);
	return rv;
}

card_rv
opgp_sign (struct card *card, struct opgp *o, const uint8_t *in, size_t len, uint8_t *out, size_t *out_len)
{
	return sign_with (card, o, OPGP_KEY_SIG, OPGP_INS_PSO, 0x9E, 0x9A, in, len, out, out_len);
}

card_rv
opgp_internal_auth (struct card *card, struct opgp *o, const uint8_t *in, size_t len, uint8_t *out,
                    size_t *out_len)
{
	return sign_with (card, o, OPGP_KEY_AUT, OPGP_INS_INT_AUTH, 0x00, 0x00, in, len, out, out_len);
}

card_rv
opgp_decipher_rsa (struct card *card, struct opgp *o, const uint8_t *in, size_t len, uint8_t *out,
                   size_t *out_len)
{
	size_t k = o->ard.algo[OPGP_KEY_DEC].rsa_bits / 8;
	struct apdu_resp resp;
	uint8_t *data;
	card_rv rv;

	assert (card != NULL && o != NULL && out != NULL && out_len != NULL);
	if (o->ard.algo[OPGP_KEY_DEC].id != OPGP_ALGO_RSA)
		return CARD_E_NOT_SUPPORTED;
	if (in == NULL || len == 0 || len > k)
		return CARD_E_INVALID_DATA;
	data = calloc (1, 1 + k);
	if (data == NULL)
		return CARD_E_NO_MEMORY;
	/* padding indicator 00, then the cryptogram at the modulus' size */
	memcpy (data + 1 + k - len, in, len);
	rv = run (card, o, OPGP_INS_PSO, 0x80, 0x86, data, 1 + k, 1, &resp);
	if (rv == CARD_OK)
		rv = copy_out (resp.data, resp.len, out, out_len);
	apdu_resp_clear (&resp);
	free (data);
	return rv;
}

card_rv
opgp_ecdh (struct card *card, struct opgp *o, const uint8_t *point, size_t len, uint8_t *out,
           size_t *out_len)
{
	const struct opgp_algo *algo = &o->ard.algo[OPGP_KEY_DEC];
	size_t bytes = opgp_curve_bytes (algo->curve), m6, m7;
	struct apdu_resp resp;
	struct apdu_buf cdo;
	card_rv rv;

	assert (card != NULL && o != NULL && out != NULL && out_len != NULL);
	if (algo->id != OPGP_ALGO_ECDH || bytes == 0)
		return CARD_E_NOT_SUPPORTED;
	if (algo->curve == OPGP_CURVE_X25519 && len == 33 && point != NULL && point[0] == 0x40)
		point++, len--;
	if (point == NULL || (algo->curve == OPGP_CURVE_X25519 ? len != 32 : len != 1 + 2 * bytes || point[0] != 0x04))
		return CARD_E_INVALID_DATA;
	apdu_buf_init (&cdo);
	m6 = tlv_begin (&cdo, 0xA6);
	m7 = tlv_begin (&cdo, 0x7F49);
	tlv_put (&cdo, 0x86, point, len);
	tlv_end (&cdo, m7);
	tlv_end (&cdo, m6);
	rv = CARD_E_NO_MEMORY;
	if (!apdu_buf_failed (&cdo))
		rv = run (card, o, OPGP_INS_PSO, 0x80, 0x86, cdo.data, cdo.len, 1, &resp);
	apdu_buf_clear (&cdo);
	if (rv != CARD_OK)
		return rv;
	/* The x coordinate; some cards answer the whole point 04 || x || y. */
	if (resp.len == 1 + 2 * bytes && resp.data[0] == 0x04 && algo->curve != OPGP_CURVE_X25519)
		rv = copy_out (resp.data + 1, bytes, out, out_len);
	else if (resp.len == bytes)
		rv = copy_out (resp.data, bytes, out, out_len);
	else
		rv = CARD_E_BAD_RESPONSE;
	apdu_resp_clear (&resp);
	return rv;
}

card_rv
opgp_digest_info (int md_nid, const uint8_t *hash, size_t hash_len, uint8_t *out, size_t *out_len)
{
	/* DER of DigestInfo up to the OCTET STRING's length: AlgorithmIdentifier with NULL. */
	static const struct {
		int nid;
		size_t hash_len;
		uint8_t prefix[19];
		size_t prefix_len;
	} infos[] = {
		{ NID_sha1, 20, { 0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2B, 0x0E, 0x03, 0x02, 0x1A, 0x05, 0x00,
		                  0x04, 0x14 }, 15 },
		{ NID_sha224, 28, { 0x30, 0x2D, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04,
		                    0x02, 0x04, 0x05, 0x00, 0x04, 0x1C }, 19 },
		{ NID_sha256, 32, { 0x30, 0x31, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04,
		                    0x02, 0x01, 0x05, 0x00, 0x04, 0x20 }, 19 },
		{ NID_sha384, 48, { 0x30, 0x41, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04,
		                    0x02, 0x02, 0x05, 0x00, 0x04, 0x30 }, 19 },
		{ NID_sha512, 64, { 0x30, 0x51, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04,
		                    0x02, 0x03, 0x05, 0x00, 0x04, 0x40 }, 19 },
	};
	size_t i;

	assert (out != NULL && out_len != NULL);
	for (i = 0; i < sizeof infos / sizeof infos[0]; i++) {
		if (infos[i].nid != md_nid)
			continue;
		if (hash == NULL || hash_len != infos[i].hash_len || *out_len < infos[i].prefix_len + hash_len)
			return CARD_E_INVALID_DATA;
		memcpy (out, infos[i].prefix, infos[i].prefix_len);
		memcpy (out + infos[i].prefix_len, hash, hash_len);
		*out_len = infos[i].prefix_len + hash_len;
		return CARD_OK;
	}
	return CARD_E_NOT_SUPPORTED;
}
