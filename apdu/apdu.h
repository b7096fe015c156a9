/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * apdu/apdu.h: command APDUs (ISO 7816-4), their encoding, and their exchange
 * with a card: command chaining, response chaining (61xx / GET RESPONSE),
 * wrong-Le retry (6Cxx), status words and reader errors mapped to card_rv.
 *
 * Every exchange is traced in the log category "apdu". The data of VERIFY (20),
 * CHANGE REFERENCE DATA (24), RESET RETRY COUNTER (2C) and GENERAL AUTHENTICATE (87,
 * and its answer) is always redacted;
 * struct apdu's SENSITIVE flag redacts any other command (and its response).
 */
#ifndef TSR_APDU_APDU_H
#define TSR_APDU_APDU_H

#include <stddef.h>
#include <stdint.h>

#include "apdu/card.h"

#define APDU_SHORT_MAX_LC 255
#define APDU_SHORT_MAX_NE 256
#define APDU_EXT_MAX_LC 65535
#define APDU_EXT_MAX_NE 65536
/* Largest encoded command: header, 00, Lc(2), data, Le(2). */
#define APDU_MAX_CMD (4 + 3 + APDU_EXT_MAX_LC + 2)
/* Largest response data accepted from a chained exchange (61xx pieces). */
#define APDU_MAX_RESPONSE (64 * 1024)

#define APDU_CLA_CHAIN 0x10   /* ISO 7816-4 command chaining bit of CLA */

/* One command. DATA is not owned. */
struct apdu {
	uint8_t cla, ins, p1, p2;
	const uint8_t *data;    /* Lc data, or NULL */
	size_t data_len;        /* Nc: 0 for cases 1 and 2 */
	size_t ne;              /* expected response length Ne: 0 = no Le (cases 1, 3);
	                           256 = "00" in a short APDU; 65536 = "0000" extended */
	int extended;           /* 1: the card takes extended APDUs, use them when needed;
	                           0: short APDUs only, long data goes by command chaining */
	int sensitive;          /* 1: redact the command data and the response in the trace */
};

/* Fill the common fields of a command (data NULL, no Le, short, not sensitive). */
void apdu_init (struct apdu *apdu, uint8_t cla, uint8_t ins, uint8_t p1, uint8_t p2);

/*
 * Encode one APDU (no chaining) into OUT[0..*OUT_LEN): short form when Nc <= 255
 * and Ne <= 256, else extended form (only if apdu->extended). *OUT_LEN: size in,
 * encoded length out. CARD_E_INVALID_DATA when the command cannot be encoded
 * (too long for a short APDU, Nc > 65535, Ne > 65536, OUT too small).
 */
card_rv apdu_encode (const struct apdu *apdu, uint8_t *out, size_t *out_len);

/* The response of an exchange: data without SW (owned: apdu_resp_clear()). */
struct apdu_resp {
	uint8_t *data;
	size_t len;
	uint16_t sw;
};

/* Wipe and free the response data, leave RESP empty. Accepts NULL. */
void apdu_resp_clear (struct apdu_resp *resp);

/*
 * Send APDU to CARD and collect the complete response, with command chaining
 * (chunks of 255 bytes, CLA | 0x10 but for the last) when the data does not fit
 * a short APDU and apdu->extended is 0, GET RESPONSE while the card answers 61xx,
 * and one resend with Le = xx on 6Cxx. RESP is filled (caller clears) whatever the
 * status word: the return value says only whether the exchange happened
 * (CARD_OK) or failed (reader errors mapped by apdu_reader_rv(), CARD_E_BAD_RESPONSE
 * for a response shorter than SW1 SW2 or larger than APDU_MAX_RESPONSE, or a card
 * that answers 61xx without delivering (see apdu.c: a stalling card costs three GET
 * RESPONSE rounds), CARD_E_INVALID_DATA for a command that cannot be encoded or whose
 * data is over APDU_EXT_MAX_LC bytes, chained or not). A chained command
 * stops at the first piece the card does not answer 9000: RESP has that SW.
 * Must run inside card_begin()/card_end().
 */
card_rv apdu_transmit (struct card *card, const struct apdu *apdu, struct apdu_resp *resp);

/*
 * apdu_transmit() followed by apdu_sw_rv(): CARD_OK only for 9000. On success
 * RESP holds the data (caller clears; on failure RESP is cleared). TRIES_LEFT
 * (may be NULL) as for apdu_sw_rv().
 */
card_rv apdu_exchange (struct card *card, const struct apdu *apdu, struct apdu_resp *resp,
                       int *tries_left);

/* ---- apdu/atr.c ---- */

/* Do the ATR's historical bytes announce extended Lc/Le (card capabilities, compact-TLV
 * tag 7)? 0 for no, an ATR without them, or a malformed ATR. */
int apdu_atr_extended (const uint8_t *atr, size_t len);

/* ---- apdu/sw.c ---- */

/* Status word → card_rv. 63Cx sets *TRIES_LEFT (may be NULL) to x, other words to -1. */
card_rv apdu_sw_rv (uint16_t sw, int *tries_left);
/* Short description of a status word for log lines. Never NULL. */
const char *apdu_sw_name (uint16_t sw);
/* reader_rv → card_rv (READER_E_REMOVED → CARD_E_REMOVED, ...). */
card_rv apdu_reader_rv (reader_rv rv);

#endif /* TSR_APDU_APDU_H */
