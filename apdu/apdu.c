/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * apdu/apdu.c: APDU encoding and exchange (chaining, GET RESPONSE, 6Cxx).
 */
#include "config.h"

#include "apdu/apdu.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "apdu/buf.h"
#include "apdu/log.h"
#include "apdu/trace.h"

/* A card that answers 61xx must keep delivering: after the first two GET RESPONSE rounds,
 * every round must have brought 128 bytes on average (a full chunk is 256), so a card that
 * stalls (61xx without data, or a byte at a time) is dropped at the third round, and one
 * that keeps sending full chunks at APDU_MAX_RESPONSE (257 rounds of 256 bytes). */
#define GET_RESPONSE_FREE_ROUNDS 2
#define GET_RESPONSE_MIN_AVERAGE 128

void
apdu_init (struct apdu *apdu, uint8_t cla, uint8_t ins, uint8_t p1, uint8_t p2)
{
	assert (apdu != NULL);
	memset (apdu, 0, sizeof *apdu);
	apdu->cla = cla;
	apdu->ins = ins;
	apdu->p1 = p1;
	apdu->p2 = p2;
}

card_rv
apdu_encode (const struct apdu *apdu, uint8_t *out, size_t *out_len)
{
	size_t nc, ne, need, pos = 0;
	int is_short;

	if (apdu == NULL || out == NULL || out_len == NULL ||
	    (apdu->data == NULL && apdu->data_len != 0))
		return CARD_E_INVALID_DATA;
	nc = apdu->data_len;
	ne = apdu->ne;
	if (nc > APDU_EXT_MAX_LC || ne > APDU_EXT_MAX_NE)
		return CARD_E_INVALID_DATA;
	is_short = nc <= APDU_SHORT_MAX_LC && ne <= APDU_SHORT_MAX_NE;
	if (!is_short && !apdu->extended)
		return CARD_E_INVALID_DATA;

	if (is_short)
		need = 4 + (nc ? 1 + nc : 0) + (ne ? 1 : 0);
	else
		need = 4 + (nc ? 3 + nc : 0) + (ne ? (nc ? 2 : 3) : 0);
	if (need > *out_len)
		return CARD_E_INVALID_DATA;

	out[pos++] = apdu->cla;
	out[pos++] = apdu->ins;
	out[pos++] = apdu->p1;
	out[pos++] = apdu->p2;
	if (is_short) {
		if (nc) {
			out[pos++] = (uint8_t)nc;
			memcpy (out + pos, apdu->data, nc);
			pos += nc;
		}
		if (ne)
			out[pos++] = (uint8_t)(ne == 256 ? 0 : ne);
	} else {
		if (nc) {
			out[pos++] = 0;
			out[pos++] = (uint8_t)(nc >> 8);
			out[pos++] = (uint8_t)nc;
			memcpy (out + pos, apdu->data, nc);
			pos += nc;
		}
		if (ne) {
			if (!nc)
				out[pos++] = 0;
			out[pos++] = (uint8_t)(ne == 65536 ? 0 : ne >> 8);
			out[pos++] = (uint8_t)(ne == 65536 ? 0 : ne);
		}
	}
	assert (pos == need);
	*out_len = pos;
	return CARD_OK;
}

void
apdu_resp_clear (struct apdu_resp *resp)
{
	if (resp == NULL)
		return;
	if (resp->data != NULL) {
		OPENSSL_cleanse (resp->data, resp->len);
		free (resp->data);
	}
	memset (resp, 0, sizeof *resp);
}

/* Scratch space of one exchange. */
struct xfer {
	struct card *card;
	uint8_t *cmd;          /* encoded command */
	size_t cmd_size;
	uint8_t *rsp;          /* raw response from the reader */
	int redact;
	int sent;              /* transmissions so far */
};

/* Whether an answer with status SW may have data: success, more data, a warning
 * (ISO 7816-4: 62xx; 63xx is the cards' verification status, which never has). */
static int
sw_may_carry_data (uint16_t sw)
{
	return sw == 0x9000 || (sw & 0xFF00) == 0x6100 || (sw & 0xFF00) == 0x6200;
}

/* One transmission of an encoded command; *sw and the data appended to OUT. */
static card_rv
send_raw (struct xfer *x, const struct apdu *apdu, struct apdu_buf *out, uint16_t *sw)
{
	size_t len = x->cmd_size, rlen = READER_MAX_RESPONSE;
	reader_rv rrv;
	card_rv rv;

	rv = apdu_encode (apdu, x->cmd, &len);
	if (rv != CARD_OK) {
		tsr_log ("apdu", "cannot encode %02X %02X (Nc %zu, Ne %zu)", apdu->cla, apdu->ins,
		         apdu->data_len, apdu->ne);
		goto out;
	}
	apdu_trace_command (x->cmd, len, x->redact);
	x->sent++;
	rrv = x->card->reader->transmit (x->card->conn, x->cmd, len, x->rsp, &rlen);
	OPENSSL_cleanse (x->cmd, len);
	if (rrv != READER_OK) {
		rv = apdu_reader_rv (rrv);
		tsr_log ("apdu", "transmit failed: reader error %d → %s", (int)rrv, card_rv_name (rv));
		goto out;
	}
	apdu_trace_response (x->rsp, rlen, x->redact);
	if (rlen < 2 || rlen > READER_MAX_RESPONSE) {
		rv = CARD_E_BAD_RESPONSE;
		goto out;
	}
	*sw = (uint16_t)(x->rsp[rlen - 2] << 8 | x->rsp[rlen - 1]);
	if (rlen > 2 && !sw_may_carry_data (*sw)) {
		/* An error status never comes with data: the answer was cut or garbled on its
		 * way, and its last two bytes are not a status word. */
		tsr_log ("apdu", "%02X %02X: %zu bytes of data before status %04X: a damaged answer",
		         apdu->cla, apdu->ins, rlen - 2, *sw);
		rv = CARD_E_BAD_RESPONSE;
		goto out;
	}
	if ((*sw & 0xFF00) != 0x6C00) {
		apdu_buf_add (out, x->rsp, rlen - 2);
		if (apdu_buf_failed (out)) {
			rv = out->len + (rlen - 2) > out->max ? CARD_E_BAD_RESPONSE : CARD_E_NO_MEMORY;
			tsr_log ("apdu", "response too large or out of memory");
		}
	}
out:
	OPENSSL_cleanse (x->rsp, rlen < READER_MAX_RESPONSE ? rlen : READER_MAX_RESPONSE);
	return rv;
}

/* Send one (unchained) APDU, then follow 6Cxx once and 61xx until the end. */
static card_rv
send_one (struct xfer *x, const struct apdu *apdu, struct apdu_buf *out, uint16_t *sw)
{
	struct apdu cur = *apdu;
	int le_retried = 0;
	size_t rounds = 0, start = out->len;
	card_rv rv;

	for (;;) {
		rv = send_raw (x, &cur, out, sw);
		if (rv != CARD_OK)
			break;
		if (*sw == 0x6883 && x->sent == 1) {
			/* The card was still in a chain somebody left (an interrupted command), and has
			 * dropped it on seeing ours, which it did not execute: send it again, once. */
			tsr_log ("apdu", "%02X %02X: the card was in another command's chain: sent again",
			         apdu->cla, apdu->ins);
			continue;
		}
		if ((*sw & 0xFF00) == 0x6C00 && !le_retried) {
			le_retried = 1;
			cur.ne = (*sw & 0xFF) ? (*sw & 0xFF) : 256;
			continue;
		}
		if ((*sw & 0xFF00) != 0x6100 && rounds > 0 && *sw != 0x9000) {
			/* the command ran and its answer is lost part way: not the command's status */
			tsr_log ("apdu", "%02X %02X: GET RESPONSE answered %04X: the answer is lost",
			         apdu->cla, apdu->ins, *sw);
			rv = CARD_E_BAD_RESPONSE;
			break;
		}
		if ((*sw & 0xFF00) != 0x6100)
			break;
		if (++rounds > GET_RESPONSE_FREE_ROUNDS &&
		    out->len - start < (rounds - GET_RESPONSE_FREE_ROUNDS) * GET_RESPONSE_MIN_AVERAGE) {
			tsr_log ("apdu", "%02X %02X: the card answers 61xx without delivering (%zu bytes in %zu "
			         "rounds): given up", apdu->cla, apdu->ins, out->len - start, rounds - 1);
			rv = CARD_E_BAD_RESPONSE;
			break;
		}
		apdu_init (&cur, apdu->cla & (uint8_t)~APDU_CLA_CHAIN, 0xC0, 0x00, 0x00);
		cur.ne = (*sw & 0xFF) ? (*sw & 0xFF) : 256;
		cur.sensitive = apdu->sensitive;
		le_retried = 0;
	}
	return rv;
}

/* A chain that failed may still be open on the card (a piece it never saw, or an answer
 * lost): before the next command, end it with another one (GET RESPONSE, whatever its
 * answer), which makes the card drop the chain, so that the next chained command with the
 * same header can never continue it. */
static void
end_chain (struct xfer *x, const struct apdu *apdu)
{
	struct apdu get;
	struct apdu_buf ignored;
	uint16_t sw = 0;

	apdu_init (&get, apdu->cla & (uint8_t)~APDU_CLA_CHAIN, 0xC0, 0x00, 0x00);
	get.ne = 256;
	apdu_buf_init (&ignored);
	ignored.max = APDU_MAX_RESPONSE;
	(void)send_raw (x, &get, &ignored, &sw);
	apdu_buf_clear (&ignored);
}

/* Command chaining: every chunk but the last with CLA | 0x10, no Le. */
static card_rv
send_chained (struct xfer *x, const struct apdu *apdu, struct apdu_buf *out, uint16_t *sw)
{
	struct apdu piece;
	struct apdu_buf ignored;
	size_t off = 0;
	card_rv rv = CARD_OK;

	apdu_buf_init (&ignored);
	ignored.max = APDU_MAX_RESPONSE;   /* pieces answer 9000, nothing more */
	while (apdu->data_len - off > APDU_SHORT_MAX_LC) {
		piece = *apdu;
		piece.cla |= APDU_CLA_CHAIN;
		piece.data = apdu->data + off;
		piece.data_len = APDU_SHORT_MAX_LC;
		piece.ne = 0;
		rv = send_one (x, &piece, &ignored, sw);
		apdu_buf_clear (&ignored);
		if (rv != CARD_OK || *sw != 0x9000)
			goto out;
		off += APDU_SHORT_MAX_LC;
	}
	piece = *apdu;
	piece.data = apdu->data + off;
	piece.data_len = apdu->data_len - off;
	rv = send_one (x, &piece, out, sw);
out:
	if ((rv == CARD_OK && *sw != 0x9000 && (*sw & 0xFF00) != 0x6100) ||
	    rv == CARD_E_COMM || rv == CARD_E_BAD_RESPONSE)
		x->card->chain_open = 1;   /* ended before the next command (apdu_transmit) */
	return rv;
}

/* Does APDU need the extended form? */
static int
needs_extended (const struct apdu *apdu)
{
	return apdu->extended && (apdu->data_len > APDU_SHORT_MAX_LC || apdu->ne > APDU_SHORT_MAX_NE);
}

static card_rv
send_any (struct xfer *x, const struct apdu *apdu, struct apdu_buf *out, uint16_t *sw)
{
	if (!apdu->extended && apdu->data_len > APDU_SHORT_MAX_LC)
		return send_chained (x, apdu, out, sw);
	return send_one (x, apdu, out, sw);
}

/* An extended APDU refused (6700 wrong length, or the reader could not pass it before the
 * card ever answered one): the card did not run it. Short APDUs from now on for this card
 * (chaining, GET RESPONSE), and the command once more that way. */
static card_rv
fall_back_if_refused (struct xfer *x, const struct apdu *apdu, struct apdu_buf *out, uint16_t *sw,
                      card_rv rv)
{
	struct apdu shrt;

	if (!needs_extended (apdu) || (rv == CARD_OK && *sw != 0x6700))
		return rv;
	if (rv != CARD_OK && x->card->extended_answered)
		return rv;   /* a reader that passed extended APDUs before: lost, not refused */
	tsr_log ("apdu", "%02X %02X: extended APDU refused (%s): short APDUs from now on",
	         apdu->cla, apdu->ins, rv == CARD_OK ? "SW 6700" : card_rv_name (rv));
	x->card->extended = 0;
	shrt = *apdu;
	shrt.extended = 0;
	if (shrt.ne > APDU_SHORT_MAX_NE)
		shrt.ne = APDU_SHORT_MAX_NE;
	apdu_buf_clear (out);
	apdu_buf_init (out);
	out->max = APDU_MAX_RESPONSE;
	return send_any (x, &shrt, out, sw);
}

card_rv
apdu_transmit (struct card *card, const struct apdu *apdu, struct apdu_resp *resp)
{
	struct apdu_buf out;
	struct xfer x;
	uint16_t sw = 0;
	card_rv rv;

	if (card == NULL || card->reader == NULL || card->conn == NULL || apdu == NULL ||
	    resp == NULL || (apdu->data == NULL && apdu->data_len != 0))
		return CARD_E_INTERNAL;
	memset (resp, 0, sizeof *resp);
	if (apdu->data_len > APDU_EXT_MAX_LC) {
		/* no more by chaining than one extended APDU could carry */
		tsr_log ("apdu", "%02X %02X: %zu bytes of command data: refused", apdu->cla, apdu->ins, apdu->data_len);
		return CARD_E_INVALID_DATA;
	}
	apdu_buf_init (&out);
	out.max = APDU_MAX_RESPONSE;
	memset (&x, 0, sizeof x);
	x.card = card;
	x.redact = apdu->sensitive || apdu_trace_is_secret_ins (apdu->ins);
	x.cmd_size = (apdu->data_len < APDU_SHORT_MAX_LC ? APDU_SHORT_MAX_LC : apdu->data_len) + 16;
	x.cmd = malloc (x.cmd_size);
	x.rsp = malloc (READER_MAX_RESPONSE);
	if (x.cmd == NULL || x.rsp == NULL) {
		rv = CARD_E_NO_MEMORY;
		goto out;
	}
	if (card->chain_open) {
		card->chain_open = 0;
		end_chain (&x, apdu);
		x.sent = 0;
	}
	rv = send_any (&x, apdu, &out, &sw);
	if (rv == CARD_OK && needs_extended (apdu) && sw != 0x6700)
		card->extended_answered = 1;
	if (rv == CARD_OK || rv == CARD_E_COMM)
		rv = fall_back_if_refused (&x, apdu, &out, &sw, rv);
	if (rv != CARD_OK)
		goto out;
	resp->sw = sw;
	resp->data = apdu_buf_steal (&out, &resp->len);
out:
	apdu_buf_clear (&out);
	free (x.cmd);
	free (x.rsp);
	return rv;
}

card_rv
apdu_exchange (struct card *card, const struct apdu *apdu, struct apdu_resp *resp,
               int *tries_left)
{
	card_rv rv;

	if (tries_left != NULL)
		*tries_left = -1;
	rv = apdu_transmit (card, apdu, resp);
	if (rv != CARD_OK)
		goto out;
	rv = apdu_sw_rv (resp->sw, tries_left);
	if (rv != CARD_OK) {
		tsr_log ("apdu", "%02X %02X: SW %04X (%s) → %s", apdu->cla, apdu->ins, resp->sw,
		         apdu_sw_name (resp->sw), card_rv_name (rv));
		apdu_resp_clear (resp);
	}
out:
	return rv;
}
