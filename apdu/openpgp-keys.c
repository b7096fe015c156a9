/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * apdu/openpgp-keys.c: the OpenPGP card's key slots: reading a public key
 * (GENERATE ASYMMETRIC KEY PAIR P1=81), changing the algorithm attributes (PUT
 * DATA C1..C3, where C0 allows it), generating a key (P1=80) and then writing its
 * fingerprint (C7..C9) and generation date (CE..D0), which the card leaves to the
 * host (3.4, 7.2.14).
 */
#include "config.h"

#include "apdu/openpgp-int.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "apdu/log.h"

/* GENERATE ASYMMETRIC KEY PAIR with P1; the answer's public key as SPKI. */
static card_rv
generate_cmd (struct card *card, struct opgp *o, enum opgp_key key, uint8_t p1, uint8_t **spki,
              size_t *spki_len)
{
	uint8_t crt[2] = { opgp_crt (key), 0x00 };
	struct apdu apdu;
	struct apdu_resp resp;
	card_rv rv;

	opgp_apdu (&apdu, OPGP_INS_GENERATE, p1, 0x00);
	apdu.data = crt;
	apdu.data_len = sizeof crt;
	apdu.ne = APDU_EXT_MAX_NE;
	rv = opgp_exchange (card, o, &apdu, &resp, NULL);
	if (rv == CARD_OK)
		rv = opgp_pubkey_to_spki (&o->ard.algo[key], resp.data, resp.len, spki, spki_len);
	apdu_resp_clear (&resp);
	return rv;
}

card_rv
opgp_read_pubkey (struct card *card, struct opgp *o, enum opgp_key key, uint8_t **spki, size_t *spki_len)
{
	assert (card != NULL && o != NULL && spki != NULL && spki_len != NULL);
	*spki = NULL;
	*spki_len = 0;
	if ((unsigned)key >= OPGP_NKEYS)
		return CARD_E_INVALID_DATA;
	if (o->ard.algo[key].id == 0)
		return CARD_E_NOT_SUPPORTED;   /* attributes not understood */
	return generate_cmd (card, o, key, 0x81, spki, spki_len);
}

card_rv
opgp_set_algo (struct card *card, struct opgp *o, enum opgp_key key, const struct opgp_algo *algo)
{
	struct opgp_algo a;
	uint8_t attr[16];
	size_t len = sizeof attr;
	card_rv rv;

	assert (card != NULL && o != NULL && algo != NULL);
	if ((unsigned)key >= OPGP_NKEYS)
		return CARD_E_INVALID_DATA;
	a = *algo;
	if (a.id == OPGP_ALGO_RSA && a.rsa_e_bits == 0)
		a.rsa_e_bits = o->ard.algo[key].rsa_e_bits ? o->ard.algo[key].rsa_e_bits : 32;
	rv = opgp_algo_encode (&a, attr, &len);
	if (rv != CARD_OK)
		return rv;
	if (len == o->ard.attr_len[key] && memcmp (attr, o->ard.attr[key], len) == 0)
		return CARD_OK;
	if (!(o->ard.caps.flags & OPGP_CAP_ALGO_CHANGE)) {
		tsr_log ("openpgp", "slot %d: the card does not change algorithm attributes", (int)key + 1);
		return CARD_E_NOT_SUPPORTED;
	}
	rv = opgp_put_data (card, o, (uint16_t)(0xC1 + key), 0, attr, len, 0);
	if (rv == CARD_OK)
		rv = opgp_refresh (card, o);
	return rv;
}

card_rv
opgp_set_fingerprint (struct card *card, struct opgp *o, enum opgp_key key, const uint8_t fpr[20],
                      uint32_t timestamp)
{
	uint8_t t[4] = { (uint8_t)(timestamp >> 24), (uint8_t)(timestamp >> 16), (uint8_t)(timestamp >> 8),
	                 (uint8_t)timestamp };
	card_rv rv;

	assert (card != NULL && o != NULL && fpr != NULL);
	if ((unsigned)key >= OPGP_NKEYS)
		return CARD_E_INVALID_DATA;
	rv = opgp_put_data (card, o, (uint16_t)(0xC7 + key), 0, fpr, 20, 0);
	if (rv == CARD_OK)
		rv = opgp_put_data (card, o, (uint16_t)(0xCE + key), 0, t, sizeof t, 0);
	if (rv == CARD_OK) {
		memcpy (o->ard.fpr[key], fpr, 20);
		o->ard.gen_time[key] = timestamp;
	}
	return rv;
}

/* Fingerprint and date of the new key SPKI in slot KEY, written to the card. */
card_rv
opgp_store_fingerprint (struct card *card, struct opgp *o, enum opgp_key key, const uint8_t *spki,
                        size_t spki_len, uint32_t timestamp)
{
	uint8_t fpr[20];
	card_rv rv;

	rv = opgp_fingerprint (&o->ard.algo[key], key, spki, spki_len, timestamp, fpr);
	if (rv == CARD_OK)
		rv = opgp_set_fingerprint (card, o, key, fpr, timestamp);
	if (rv != CARD_OK)
		tsr_log ("openpgp", "slot %d: fingerprint not stored: %s", (int)key + 1, card_rv_name (rv));
	return rv;
}

card_rv
opgp_generate (struct card *card, struct opgp *o, enum opgp_key key, const struct opgp_algo *algo,
               uint32_t timestamp, uint8_t **spki, size_t *spki_len)
{
	card_rv rv = CARD_OK;

	assert (card != NULL && o != NULL && spki != NULL && spki_len != NULL);
	*spki = NULL;
	*spki_len = 0;
	if ((unsigned)key >= OPGP_NKEYS)
		return CARD_E_INVALID_DATA;
	if (algo != NULL)
		rv = opgp_set_algo (card, o, key, algo);
	if (rv == CARD_OK && o->ard.algo[key].id == 0)
		rv = CARD_E_NOT_SUPPORTED;
	if (rv == CARD_OK)
		rv = generate_cmd (card, o, key, 0x80, spki, spki_len);
	if (rv == CARD_OK)
		rv = opgp_store_fingerprint (card, o, key, *spki, *spki_len, timestamp);
	if (rv == CARD_OK)
		rv = opgp_refresh (card, o);
	if (rv != CARD_OK) {
		free (*spki);
		*spki = NULL;
		*spki_len = 0;
	}
	return rv;
}
