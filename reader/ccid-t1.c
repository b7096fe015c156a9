/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * reader/ccid-t1.c: one APDU by T=1 blocks (ISO/IEC 7816-3 block protocol),
 * the reader at TPDU level passing blocks as they are:
 *   I-block  NAD PCB(0 N(S) M 00000) LEN INF EDC; the APDU chained in pieces of
 *            IFSC (M set but for the last), each acknowledged by an R-block;
 *            the answer chained likewise, asked for piece by piece with R(N(R));
 *   R-block  PCB 100 N(R) 00 ee: ee 01 EDC error, 10 other error;
 *   S-block  PCB 11 resp 000 tt: RESYNCH 0, IFS 1, ABORT 2, WTX 3.
 * The card's S(WTX) and S(IFS) requests are answered on the way; a bad or
 * missing block is met with an R-block asking for it again (3 times), then
 * S(RESYNCH) (3 times) and the APDU once more from the start; beyond that the
 * exchange fails (READER_E_COMM). EDC: LRC, or the CRC of ISO/IEC 13239
 * (polynomial x^16 + x^12 + x^5 + 1, reflected, initial value FFFF, sent high
 * byte first) when the ATR's TC for T=1 asks for it.
 */
#include "config.h"

#include <string.h>

#include "reader/ccid.h"
#include "reader/log.h"

#define T1_MAX_BLOCK (3 + 254 + 2)
#define T1_M 0x20
#define T1_R 0x80
#define T1_S 0xC0
#define T1_S_RESP 0x20
#define T1_S_RESYNCH 0x00
#define T1_S_IFS 0x01
#define T1_S_ABORT 0x02
#define T1_S_WTX 0x03
#define T1_TRIES 3

#define IS_I(pcb) (((pcb) & 0x80) == 0)
#define IS_R(pcb) (((pcb) & 0xC0) == T1_R)
#define IS_S(pcb) (((pcb) & 0xC0) == T1_S)

/* A received block, checked. */
struct t1_block {
	uint8_t pcb;
	uint8_t inf[254];
	size_t len;
};

void
ccid_t1_init (struct ccid_t1 *t1, const struct ccid_atr *atr)
{
	memset (t1, 0, sizeof *t1);
	t1->ifsc = atr->ifsc >= 1 && atr->ifsc <= 254 ? atr->ifsc : 32;
	t1->ifsd = 254;
	t1->crc = atr->crc;
	t1->bwi = atr->bwi;
}

size_t
ccid_t1_edc (int crc, const uint8_t *block, size_t len, uint8_t edc[2])
{
	size_t i;

	if (!crc) {
		uint8_t x = 0;
		for (i = 0; i < len; i++)
			x ^= block[i];
		edc[0] = x;
		return 1;
	} else {
		uint16_t c = 0xFFFF;
		int b;
		for (i = 0; i < len; i++) {
			c ^= block[i];
			for (b = 0; b < 8; b++)
				c = (c & 1) ? (uint16_t) ((c >> 1) ^ 0x8408) : (uint16_t) (c >> 1);
		}
		edc[0] = (uint8_t) (c >> 8);
		edc[1] = (uint8_t) c;
		return 2;
	}
}

static size_t
build (const struct ccid_t1 *t1, uint8_t pcb, const uint8_t *inf, size_t len, uint8_t *out)
{
	out[0] = t1->nad;
	out[1] = pcb;
	out[2] = (uint8_t) len;
	if (len > 0)
		memcpy (out + 3, inf, len);
	return 3 + len + ccid_t1_edc (t1->crc, out, 3 + len, out + 3 + len);
}

/* Check and take apart BUF[0..N). 0, or -1 (bad length, bad EDC, bad PCB). */
static int
parse (const struct ccid_t1 *t1, const uint8_t *buf, size_t n, struct t1_block *blk)
{
	uint8_t edc[2];
	size_t el = t1->crc ? 2 : 1, len;

	if (n < 3 + el)
		return -1;
	len = buf[2];
	if (len == 255 || n != 3 + len + el)
		return -1;
	ccid_t1_edc (t1->crc, buf, 3 + len, edc);
	if (memcmp (edc, buf + 3 + len, el) != 0)
		return -1;
	blk->pcb = buf[1];
	if (IS_R (blk->pcb) && len != 0)
		return -1;
	blk->len = len;
	memcpy (blk->inf, buf + 3, len);
	return 0;
}

/* Send OUT and get a valid block back, answering the card's S(WTX) and S(IFS)
 * requests, and asking again (R-block with the error) for a bad or missing
 * one, T1_TRIES times. READER_E_COMM when that did not help (resynch next). */
static reader_rv
exchange (struct ccid_t1 *t1, const struct ccid_link *link, const uint8_t *out, size_t out_len,
          struct t1_block *blk)
{
	uint8_t send[T1_MAX_BLOCK], ans[T1_MAX_BLOCK + 8];
	size_t send_len = out_len, n;
	int errors = 0, s_requests = 0;
	reader_rv r;

	memcpy (send, out, out_len);
	for (;;) {
		uint8_t wtx = (uint8_t) t1->more_bwt;
		n = sizeof ans;
		t1->more_bwt = 0;
		r = link->xfr (link->ctx, send, send_len, wtx, ans, &n);
		if (r != READER_OK && r != READER_E_COMM)
			return r;   /* card or reader gone, bad arguments */
		if (r == READER_OK && parse (t1, ans, n, blk) == 0) {
			if (!IS_S (blk->pcb) || (blk->pcb & T1_S_RESP))
				return READER_OK;
			if (++s_requests > 32)
				return READER_E_COMM;
			switch (blk->pcb & 0x1F) {
			case T1_S_WTX:
				if (blk->len != 1)
					break;
				tsr_log ("ccid", "%s: T=1: the card asks for %u x BWT", link->name, blk->inf[0]);
				t1->more_bwt = blk->inf[0];
				send_len = build (t1, T1_S | T1_S_RESP | T1_S_WTX, blk->inf, 1, send);
				continue;
			case T1_S_IFS:
				if (blk->len != 1 || blk->inf[0] == 0 || blk->inf[0] == 255)
					break;
				tsr_log ("ccid", "%s: T=1: IFSC %u", link->name, blk->inf[0]);
				t1->ifsc = blk->inf[0];
				send_len = build (t1, T1_S | T1_S_RESP | T1_S_IFS, blk->inf, 1, send);
				continue;
			case T1_S_ABORT:
				tsr_log ("ccid", "%s: T=1: the card aborts the chain", link->name);
				send_len = build (t1, T1_S | T1_S_RESP | T1_S_ABORT, NULL, 0, send);
				n = sizeof ans;
				(void) link->xfr (link->ctx, send, send_len, 0, ans, &n);
				return READER_E_COMM;
			default:
				break;
			}
		}
		/* A bad block, a bad S request, or none (mute): ask for it again. */
		if (++errors > T1_TRIES) {
			tsr_log ("ccid", "%s: T=1: %d bad or missing blocks", link->name, errors - 1);
			return READER_E_COMM;
		}
		tsr_log ("ccid", "%s: T=1: %s block: R(%u) with error", link->name,
		         r == READER_OK ? "bad" : "no", t1->nr);
		send_len = build (t1, (uint8_t) (T1_R | t1->nr << 4 | (r == READER_OK ? 0x01 : 0x02)),
		                  NULL, 0, send);
	}
}

static reader_rv
resynch (struct ccid_t1 *t1, const struct ccid_link *link)
{
	uint8_t send[8], ans[T1_MAX_BLOCK + 8];
	struct t1_block blk;
	size_t send_len, n;
	reader_rv r;
	int i;

	for (i = 0; i < T1_TRIES; i++) {
		tsr_log ("ccid", "%s: T=1: S(RESYNCH)", link->name);
		send_len = build (t1, T1_S | T1_S_RESYNCH, NULL, 0, send);
		n = sizeof ans;
		r = link->xfr (link->ctx, send, send_len, 0, ans, &n);
		if (r != READER_OK && r != READER_E_COMM)
			return r;
		if (r == READER_OK && parse (t1, ans, n, &blk) == 0 &&
		    blk.pcb == (T1_S | T1_S_RESP | T1_S_RESYNCH)) {
			t1->ns = t1->nr = 0;
			return READER_OK;
		}
	}
	return READER_E_COMM;
}

reader_rv
ccid_t1_set_ifsd (struct ccid_t1 *t1, const struct ccid_link *link)
{
	uint8_t send[8], ifsd = t1->ifsd;
	struct t1_block blk;
	size_t n;
	reader_rv r;

	n = build (t1, T1_S | T1_S_IFS, &ifsd, 1, send);
	r = exchange (t1, link, send, n, &blk);
	if (r == READER_OK && (blk.pcb != (T1_S | T1_S_RESP | T1_S_IFS) || blk.len != 1 ||
	                       blk.inf[0] != ifsd)) {
		tsr_log ("ccid", "%s: T=1: no S(IFS response) to IFSD %u", link->name, ifsd);
		r = READER_E_COMM;
	}
	return r;
}

/* Send the APDU in I-blocks; the card's first answer block in *BLK. */
static reader_rv
send_apdu (struct ccid_t1 *t1, const struct ccid_link *link, const uint8_t *cmd, size_t cmd_len,
           struct t1_block *blk)
{
	uint8_t out[T1_MAX_BLOCK];
	size_t off = 0;
	int tries = 0;
	reader_rv r;

	for (;;) {
		size_t chunk = cmd_len - off > t1->ifsc ? t1->ifsc : cmd_len - off;
		int more = off + chunk < cmd_len;
		size_t n = build (t1, (uint8_t) (t1->ns << 6 | (more ? T1_M : 0)), cmd + off, chunk, out);
		r = exchange (t1, link, out, n, blk);
		if (r != READER_OK)
			return r;
		if (IS_R (blk->pcb) && ((blk->pcb >> 4) & 1) != t1->ns && more) {
			t1->ns ^= 1;           /* acknowledged: the next piece */
			off += chunk;
			tries = 0;
			continue;
		}
		if (IS_I (blk->pcb) && !more) {
			t1->ns ^= 1;           /* the answer acknowledges the last piece */
			return READER_OK;
		}
		/* R(N(R) = ours): the card asks for this piece again; else out of step. */
		if (++tries > T1_TRIES)
			return READER_E_COMM;
		tsr_log ("ccid", "%s: T=1: block %02X in answer to I(%u%s): sent again", link->name,
		         blk->pcb, t1->ns, more ? ", M" : "");
	}
}

/* Gather the answer, starting with the I-block in *BLK, into RESP. */
static reader_rv
receive_answer (struct ccid_t1 *t1, const struct ccid_link *link, struct t1_block *blk,
                uint8_t *resp, size_t *resp_len)
{
	uint8_t out[8];
	size_t off = 0, size = *resp_len, n;
	int tries = 0;
	reader_rv r;

	for (;;) {
		if (IS_I (blk->pcb) && ((blk->pcb >> 6) & 1) == t1->nr) {
			if (off + blk->len > size) {
				tsr_log ("ccid", "%s: T=1: an answer longer than %zu bytes: dropped", link->name, size);
				(void) resynch (t1, link);   /* the card is in the middle of its chain */
				return READER_E_INVALID;
			}
			memcpy (resp + off, blk->inf, blk->len);
			off += blk->len;
			t1->nr ^= 1;
			tries = 0;
			if (!(blk->pcb & T1_M))
				break;
		} else if (++tries > T1_TRIES) {
			return READER_E_COMM;
		}
		/* Ask for the next piece (or this one again). */
		n = build (t1, (uint8_t) (T1_R | t1->nr << 4), NULL, 0, out);
		r = exchange (t1, link, out, n, blk);
		if (r != READER_OK)
			return r;
	}
	*resp_len = off;
	return READER_OK;
}

reader_rv
ccid_t1_transmit (struct ccid_t1 *t1, const struct ccid_link *link, const uint8_t *cmd,
                  size_t cmd_len, uint8_t *resp, size_t *resp_len)
{
	struct t1_block blk;
	size_t size = *resp_len;
	reader_rv r = READER_E_COMM;
	int round;

	*resp_len = 0;
	if (cmd_len < 4 || size < 2)
		return READER_E_INVALID;
	for (round = 0; round < 2; round++) {
		size_t n = size;
		r = send_apdu (t1, link, cmd, cmd_len, &blk);
		if (r == READER_OK)
			r = receive_answer (t1, link, &blk, resp, &n);
		if (r == READER_OK && n < 2) {
			tsr_log ("ccid", "%s: T=1: answer without status word", link->name);
			return READER_E_COMM;
		}
		if (r == READER_OK)
			*resp_len = n;
		if (r != READER_E_COMM)
			return r;
		r = resynch (t1, link);
		if (r != READER_OK)
			return r;
	}
	return READER_E_COMM;
}
