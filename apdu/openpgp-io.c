/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * apdu/openpgp-io.c: talking to the OpenPGP application: SELECT, the choice
 * between extended APDUs and command chaining from the card's historical bytes
 * and extended length information, GET DATA / PUT DATA, reading the application
 * related data and the KDF-DO at open, cardholder data, signature counter, GET
 * CHALLENGE.
 */
#include "config.h"

#include "apdu/openpgp-int.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "apdu/log.h"

static const uint8_t opgp_aid[] = { 0xD2, 0x76, 0x00, 0x01, 0x24, 0x01 };

void
opgp_apdu (struct apdu *apdu, uint8_t ins, uint8_t p1, uint8_t p2)
{
	apdu_init (apdu, 0x00, ins, p1, p2);
}

uint8_t
opgp_crt (enum opgp_key key)
{
	return key == OPGP_KEY_SIG ? 0xB6 : key == OPGP_KEY_DEC ? 0xB8 : 0xA4;
}

card_rv
opgp_sw_rv (uint16_t sw)
{
	if (sw == OPGP_SW_TERMINATED)
		return CARD_E_NOT_SUPPORTED;
	return apdu_sw_rv (sw, NULL);
}

/* Extended pieces of at most MAX bytes, CLA | 10 but for the last. */
static card_rv
send_ext_chained (struct card *card, const struct apdu *apdu, size_t max, struct apdu_resp *resp)
{
	struct apdu piece;
	size_t off = 0;
	card_rv rv;

	while (apdu->data_len - off > max) {
		piece = *apdu;
		piece.cla |= APDU_CLA_CHAIN;
		piece.data = apdu->data + off;
		piece.data_len = max;
		piece.ne = 0;
		rv = apdu_transmit (card, &piece, resp);
		if (rv != CARD_OK || resp->sw != 0x9000)
			return rv;
		apdu_resp_clear (resp);
		off += max;
	}
	piece = *apdu;
	piece.data = apdu->data + off;
	piece.data_len = apdu->data_len - off;
	return apdu_transmit (card, &piece, resp);
}

/* Decide how APDU goes to the card (see openpgp-int.h). */
static card_rv
transmit (struct card *card, const struct opgp *o, struct apdu *apdu, struct apdu_resp *resp)
{
	const struct opgp_ard *ard = &o->ard;
	size_t max_cmd = ard->caps.max_cmd;
	int ext = o->ext && card->extended;   /* the card layer may have fallen back since */

	apdu->extended = 0;
	if (!ext && apdu->ne > APDU_SHORT_MAX_NE)
		apdu->ne = APDU_SHORT_MAX_NE;        /* the rest comes by GET RESPONSE */
	if (apdu->data_len <= APDU_SHORT_MAX_LC && apdu->ne <= APDU_SHORT_MAX_NE)
		return apdu_transmit (card, apdu, resp);
	if (ext) {
		apdu->extended = 1;
		if (max_cmd == 0 || apdu->data_len <= max_cmd)
			return apdu_transmit (card, apdu, resp);
		if (!ard->cmd_chaining) {
			tsr_log ("openpgp", "%zu bytes exceed the card's %zu and it has no chaining",
			         apdu->data_len, max_cmd);
			return CARD_E_INVALID_DATA;
		}
		return send_ext_chained (card, apdu, max_cmd, resp);
	}
	if (apdu->data_len > APDU_SHORT_MAX_LC && !ard->cmd_chaining) {
		tsr_log ("openpgp", "%zu bytes need extended APDUs or command chaining", apdu->data_len);
		return CARD_E_NOT_SUPPORTED;
	}
	return apdu_transmit (card, apdu, resp);   /* short, chained in 255-byte pieces */
}

card_rv
opgp_exchange (struct card *card, const struct opgp *o, struct apdu *apdu, struct apdu_resp *resp,
               uint16_t *sw)
{
	card_rv rv;

	assert (card != NULL && o != NULL && apdu != NULL && resp != NULL);
	memset (resp, 0, sizeof *resp);
	rv = transmit (card, o, apdu, resp);
	if (rv != CARD_OK)
		return rv;
	if (sw != NULL)
		*sw = resp->sw;
	rv = opgp_sw_rv (resp->sw);
	if (rv != CARD_OK) {
		tsr_log ("openpgp", "%02X %02X %02X: SW %04X (%s) → %s", apdu->ins, apdu->p1, apdu->p2,
		         resp->sw, resp->sw == OPGP_SW_TERMINATED ? "terminated" : apdu_sw_name (resp->sw),
		         card_rv_name (rv));
		apdu_resp_clear (resp);
	}
	return rv;
}

card_rv
opgp_select (struct card *card)
{
	struct opgp none;
	struct apdu apdu;
	struct apdu_resp resp;
	card_rv rv;

	memset (&none, 0, sizeof none);
	opgp_apdu (&apdu, OPGP_INS_SELECT, 0x04, 0x00);
	apdu.data = opgp_aid;
	apdu.data_len = sizeof opgp_aid;
	rv = opgp_exchange (card, &none, &apdu, &resp, NULL);
	apdu_resp_clear (&resp);
	return rv;
}

card_rv
opgp_get_data (struct card *card, const struct opgp *o, uint16_t tag, uint8_t **data, size_t *len)
{
	struct apdu apdu;
	struct apdu_resp resp;
	card_rv rv;

	assert (data != NULL && len != NULL);
	*data = NULL;
	*len = 0;
	opgp_apdu (&apdu, OPGP_INS_GET_DATA, (uint8_t)(tag >> 8), (uint8_t)tag);
	apdu.ne = APDU_EXT_MAX_NE;
	rv = opgp_exchange (card, o, &apdu, &resp, NULL);
	if (rv == CARD_OK) {
		*data = resp.data;
		*len = resp.len;
		resp.data = NULL;
	}
	apdu_resp_clear (&resp);
	return rv;
}

card_rv
opgp_put_data (struct card *card, const struct opgp *o, uint16_t tag, int odd, const uint8_t *data,
               size_t len, int sensitive)
{
	struct apdu apdu;
	struct apdu_resp resp;
	card_rv rv;

	opgp_apdu (&apdu, odd ? OPGP_INS_PUT_DATA_ODD : OPGP_INS_PUT_DATA, (uint8_t)(tag >> 8), (uint8_t)tag);
	apdu.data = len > 0 ? data : NULL;
	apdu.data_len = len;
	apdu.sensitive = sensitive;
	rv = opgp_exchange (card, o, &apdu, &resp, NULL);
	apdu_resp_clear (&resp);
	return rv;
}

static card_rv
read_ard (struct card *card, struct opgp *o)
{
	uint8_t *data = NULL;
	size_t len = 0;
	card_rv rv;

	rv = opgp_get_data (card, o, 0x006E, &data, &len);
	if (rv == CARD_OK)
		rv = opgp_parse_ard (data, len, &o->ard);
	free (data);
	return rv;
}

/* The KDF-DO, when C0 says the card has one; unreadable or absent: no KDF. */
static card_rv
read_kdf (struct card *card, struct opgp *o)
{
	uint8_t *data = NULL;
	size_t len = 0;
	card_rv rv;

	memset (&o->kdf, 0, sizeof o->kdf);
	if (!(o->ard.caps.flags & OPGP_CAP_KDF))
		return CARD_OK;
	rv = opgp_get_data (card, o, 0x00F9, &data, &len);
	if (rv == CARD_OK)
		rv = opgp_parse_kdf (data, len, &o->kdf);
	else if (rv == CARD_E_NOT_FOUND || rv == CARD_E_INVALID_DATA)
		rv = CARD_OK;
	free (data);
	if (rv != CARD_OK)
		tsr_log ("openpgp", "KDF-DO unusable: %s", card_rv_name (rv));
	return rv;
}

card_rv
opgp_refresh (struct card *card, struct opgp *o)
{
	card_rv rv;

	assert (card != NULL && o != NULL);
	rv = read_ard (card, o);
	if (rv == CARD_OK)
		rv = read_kdf (card, o);
	return rv;
}

card_rv
opgp_open (struct card *card, int allow_ext, struct opgp *o)
{
	card_rv rv;

	assert (card != NULL && o != NULL);
	memset (o, 0, sizeof *o);
	rv = opgp_select (card);
	if (rv == CARD_OK)
		rv = read_ard (card, o);
	if (rv != CARD_OK)
		return rv;
	o->ext = allow_ext && o->ard.ext_lc_le;
	rv = read_kdf (card, o);
	tsr_log ("openpgp", "OpenPGP card %x.%x, manufacturer %04X, serial %08X, %s APDUs, KDF %s",
	         o->ard.version >> 8, o->ard.version & 0xFF, o->ard.manufacturer, o->ard.serial,
	         o->ext ? "extended" : "short", o->kdf.on ? "on" : "off");
	return rv;
}

card_rv
opgp_read_cardholder (struct card *card, const struct opgp *o, struct opgp_cardholder *out)
{
	uint8_t *data = NULL;
	size_t len = 0;
	card_rv rv;

	rv = opgp_get_data (card, o, 0x0065, &data, &len);
	if (rv == CARD_OK)
		rv = opgp_parse_cardholder (data, len, out);
	free (data);
	return rv;
}

card_rv
opgp_read_sig_counter (struct card *card, const struct opgp *o, uint32_t *count)
{
	uint8_t *data = NULL;
	size_t len = 0;
	card_rv rv;

	rv = opgp_get_data (card, o, 0x007A, &data, &len);
	if (rv == CARD_OK)
		rv = opgp_parse_sig_counter (data, len, count);
	free (data);
	return rv;
}

card_rv
opgp_get_challenge (struct card *card, const struct opgp *o, uint8_t *out, size_t n)
{
	struct apdu apdu;
	struct apdu_resp resp;
	card_rv rv;

	if (!(o->ard.caps.flags & OPGP_CAP_GET_CHALLENGE) || n == 0 ||
	    (o->ard.caps.max_challenge > 0 && n > o->ard.caps.max_challenge))
		return CARD_E_NOT_SUPPORTED;
	opgp_apdu (&apdu, OPGP_INS_CHALLENGE, 0x00, 0x00);
	apdu.ne = n;
	rv = opgp_exchange (card, o, &apdu, &resp, NULL);
	if (rv == CARD_OK && resp.len != n)
		rv = CARD_E_BAD_RESPONSE;
	if (rv == CARD_OK)
		memcpy (out, resp.data, n);
	apdu_resp_clear (&resp);
	return rv;
}
