/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * reader/ccid-slot.c: a card in one slot of a CCID reader (see ccid.h): power
 * on and off, the slot's status, the protocol and its parameters, and one APDU
 * by the reader's exchange level (TPDU: T=0 or T=1 here; short or extended
 * APDU: the reader's). Character-level readers are not supported (logged).
 */
#include "config.h"

#include <string.h>

#include "reader/ccid.h"
#include "reader/log.h"

/* bPowerSelect */
#define POWER_AUTO 0
#define POWER_5V 1
#define POWER_3V 2
#define POWER_1V8 3

/* One XfrBlock for T=0 / T=1. An answer that says the card is absent (a reader
 * flushing the command of a card pulled out) is READER_E_NO_CARD. */
static reader_rv
xfr_tpdu (void *ctx, const uint8_t *out, size_t out_len, uint8_t bwi, uint8_t *resp,
          size_t *resp_len)
{
	struct ccid_card *card = ctx;
	uint8_t p[3] = { bwi, 0, 0 };
	unsigned timeout = CCID_TIMEOUT_XFR_MS * (bwi > 1 ? bwi : 1u);
	struct ccid_answer a;
	reader_rv r;

	r = ccid_exchange (card->dev, card->slot, CCID_PC_XFR_BLOCK, p, out, out_len,
	                   CCID_RDR_DATA_BLOCK, timeout, &a, resp, resp_len);
	if (r == READER_OK && a.icc == CCID_ICC_ABSENT)
		r = READER_E_NO_CARD;
	return r;
}

/* One XfrBlock at APDU level, with wLevelParameter LEVEL. */
static reader_rv
xfr_apdu (void *ctx, const uint8_t *out, size_t out_len, uint16_t level, uint8_t *resp,
          size_t *resp_len, uint8_t *chain)
{
	struct ccid_card *card = ctx;
	uint8_t p[3] = { 0, (uint8_t) level, (uint8_t) (level >> 8) };
	struct ccid_answer a;
	reader_rv r;

	r = ccid_exchange (card->dev, card->slot, CCID_PC_XFR_BLOCK, p, out, out_len,
	                   CCID_RDR_DATA_BLOCK, CCID_TIMEOUT_XFR_MS, &a, resp, resp_len);
	if (r == READER_OK && a.icc == CCID_ICC_ABSENT)
		r = READER_E_NO_CARD;
	*chain = a.specific;
	return r;
}

static struct ccid_link
tpdu_link (struct ccid_card *card)
{
	struct ccid_link link = { xfr_tpdu, card, card->dev->name };

	return link;
}

reader_rv
ccid_slot_status (struct ccid_dev *dev, uint8_t slot, int *present)
{
	struct ccid_answer a;
	reader_rv r;

	r = ccid_exchange (dev, slot, CCID_PC_GET_SLOT_STATUS, NULL, NULL, 0, CCID_RDR_SLOT_STATUS,
	                   CCID_TIMEOUT_CONTROL_MS, &a, NULL, NULL);
	if (r == READER_E_NO_CARD) {
		*present = 0;
		return READER_OK;
	}
	if (r == READER_OK)
		*present = a.icc != CCID_ICC_ABSENT;
	return r;
}

/* IccPowerOn at each voltage the reader offers until the card answers. */
static reader_rv
power_on (struct ccid_card *card)
{
	static const uint8_t order[] = { POWER_5V, POWER_3V, POWER_1V8 };
	const struct ccid_desc *d = &card->dev->desc;
	struct ccid_answer a;
	reader_rv r = READER_E_COMM;
	size_t i;

	for (i = 0; i < sizeof order; i++) {
		uint8_t v = (d->features & CCID_FEAT_AUTO_VOLTAGE) ? POWER_AUTO : order[i];
		uint8_t p[3] = { v, 0, 0 };
		if (v != POWER_AUTO && d->voltage != 0 && !(d->voltage & (1u << (v - 1))))
			continue;
		card->atr_len = sizeof card->atr;
		r = ccid_exchange (card->dev, card->slot, CCID_PC_ICC_POWER_ON, p, NULL, 0,
		                   CCID_RDR_DATA_BLOCK, CCID_TIMEOUT_POWER_ON_MS, &a, card->atr,
		                   &card->atr_len);
		if (r == READER_OK || v == POWER_AUTO || a.error != CCID_ERR_CLASS_NOT_SUPPORTED)
			break;
		(void) ccid_card_power_off (card);
	}
	return r;
}

/* The protocol both the card (ATR) and the reader (dwProtocols) have: the
 * card's specific one, else its first, else the other. -1 for none. */
static int
choose_protocol (const struct ccid_atr *atr, uint32_t reader)
{
	int order[2], i;

	if (atr->specific)
		return (reader & (1u << atr->specific_t)) && atr->specific_t <= 1 ? atr->specific_t : -1;
	order[0] = atr->first_protocol == 1 ? 1 : 0;
	order[1] = 1 - order[0];
	for (i = 0; i < 2; i++) {
		if ((atr->protocols & (1u << order[i])) && (reader & (1u << order[i])))
			return order[i];
	}
	return -1;
}

/* GetParameters; SetParameters when the reader chose another protocol or does
 * not configure itself from the ATR. A refusal is logged, not fatal. */
static void
set_parameters (struct ccid_card *card)
{
	const struct ccid_atr *atr = &card->parsed;
	uint8_t data[7], p[3] = { (uint8_t) card->protocol, 0, 0 }, got[16];
	size_t got_len = sizeof got, len;
	struct ccid_answer a;
	reader_rv r;

	r = ccid_exchange (card->dev, card->slot, CCID_PC_GET_PARAMETERS, NULL, NULL, 0,
	                   CCID_RDR_PARAMETERS, CCID_TIMEOUT_CONTROL_MS, &a, got, &got_len);
	if (r == READER_OK && a.specific == card->protocol &&
	    (card->dev->desc.features & CCID_FEAT_AUTO_PARAMS))
		return;
	tsr_log ("ccid", "%s: parameters for T=%d (the reader had T=%d)", card->dev->name,
	         card->protocol, r == READER_OK ? a.specific : -1);
	data[0] = atr->ta1;
	data[2] = atr->tc1;
	data[4] = 0;                 /* no clock stop */
	if (card->protocol == 0) {
		data[1] = atr->inverse ? 0x02 : 0x00;
		data[3] = atr->wi;
		len = 5;
	} else {
		data[1] = (uint8_t) (0x10 | (atr->crc ? 1 : 0) | (atr->inverse ? 0x02 : 0x00));
		data[3] = (uint8_t) (atr->bwi << 4 | atr->cwi);
		data[5] = card->t1.ifsc;
		data[6] = 0;
		len = 7;
	}
	got_len = sizeof got;
	r = ccid_exchange (card->dev, card->slot, CCID_PC_SET_PARAMETERS, p, data, len,
	                   CCID_RDR_PARAMETERS, CCID_TIMEOUT_CONTROL_MS, &a, got, &got_len);
	if (r != READER_OK && data[0] != 0x11) {
		data[0] = 0x11;          /* the default speed, in case the reader refuses TA1's */
		got_len = sizeof got;
		r = ccid_exchange (card->dev, card->slot, CCID_PC_SET_PARAMETERS, p, data, len,
		                   CCID_RDR_PARAMETERS, CCID_TIMEOUT_CONTROL_MS, &a, got, &got_len);
	}
	if (r != READER_OK)
		tsr_log ("ccid", "%s: SetParameters: %s: going on", card->dev->name, reader_rv_name (r));
}

reader_rv
ccid_card_power_on (struct ccid_card *card, struct ccid_dev *dev, uint8_t slot)
{
	uint32_t level = dev->desc.features & CCID_LEVEL_MASK;
	struct ccid_link link;
	reader_rv r;

	memset (card, 0, sizeof *card);
	card->dev = dev;
	card->slot = slot;
	if (level == CCID_LEVEL_CHAR) {
		tsr_log ("ccid", "%s: a character-level reader: not supported", dev->name);
		return READER_E_COMM;
	}
	r = power_on (card);
	if (r != READER_OK)
		return r;
	if (ccid_atr_parse (card->atr, card->atr_len, &card->parsed) != 0) {
		tsr_log ("ccid", "%s: slot %u: malformed ATR (%zu bytes)", dev->name, slot, card->atr_len);
		return READER_E_COMM;
	}
	card->protocol = choose_protocol (&card->parsed, dev->desc.protocols);
	if (card->protocol < 0) {
		tsr_log ("ccid", "%s: slot %u: no protocol both the card (%02X) and the reader (%02X) have",
		         dev->name, slot, card->parsed.protocols, dev->desc.protocols);
		return READER_E_COMM;
	}
	ccid_t1_init (&card->t1, &card->parsed);
	tsr_log ("ccid", "%s: slot %u: ATR %zu bytes, T=%d, %s level", dev->name, slot,
	         card->atr_len, card->protocol, level == CCID_LEVEL_TPDU ? "TPDU" :
	         level == CCID_LEVEL_SHORT_APDU ? "short APDU" : "extended APDU");
	set_parameters (card);
	if (level == CCID_LEVEL_TPDU && card->protocol == 1 &&
	    !(dev->desc.features & CCID_FEAT_AUTO_IFSD)) {
		link = tpdu_link (card);
		r = ccid_t1_set_ifsd (&card->t1, &link);
		if (r != READER_OK && r != READER_E_COMM)
			return r;
		if (r != READER_OK) {
			tsr_log ("ccid", "%s: S(IFS) refused: IFSD 32", dev->name);
			card->t1.ifsd = 32;
		}
	}
	return READER_OK;
}

reader_rv
ccid_card_power_off (struct ccid_card *card)
{
	struct ccid_answer a;
	reader_rv r;

	r = ccid_exchange (card->dev, card->slot, CCID_PC_ICC_POWER_OFF, NULL, NULL, 0,
	                   CCID_RDR_SLOT_STATUS, CCID_TIMEOUT_CONTROL_MS, &a, NULL, NULL);
	return r == READER_E_NO_CARD ? READER_OK : r;
}

reader_rv
ccid_card_transmit (struct ccid_card *card, const uint8_t *cmd, size_t cmd_len, uint8_t *resp,
                    size_t *resp_len)
{
	uint32_t level = card->dev->desc.features & CCID_LEVEL_MASK;
	struct ccid_link link;
	struct ccid_apdu_link alink;

	if (level == CCID_LEVEL_TPDU) {
		link = tpdu_link (card);
		if (card->protocol == 1)
			return ccid_t1_transmit (&card->t1, &link, cmd, cmd_len, resp, resp_len);
		return ccid_t0_transmit (&link, cmd, cmd_len, resp, resp_len);
	}
	alink.xfr = xfr_apdu;
	alink.ctx = card;
	alink.chunk = card->dev->desc.max_msg_len > CCID_HEADER ?
	              card->dev->desc.max_msg_len - CCID_HEADER : 261;
	alink.extended = level == CCID_LEVEL_EXT_APDU;
	alink.name = card->dev->name;
	return ccid_apdu_transmit (&alink, cmd, cmd_len, resp, resp_len);
}

reader_rv
ccid_card_escape (struct ccid_card *card, const uint8_t *in, size_t in_len, uint8_t *out,
                  size_t *out_len)
{
	struct ccid_answer a;

	return ccid_exchange (card->dev, card->slot, CCID_PC_ESCAPE, NULL, in, in_len,
	                      CCID_RDR_ESCAPE, CCID_TIMEOUT_CONTROL_MS, &a, out, out_len);
}
