/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* apdu.c: APDU framing: parsing, CLA checks, command chaining (CLA bit 0x10), response
 * chaining (61xx + GET RESPONSE), short vs. extended length. */
#include "config.h"

#include <string.h>

#include "apdu.h"

#define INS_GET_RESPONSE 0xC0
#define CHAIN_MAX 65536
#define SW_NOMEM 0x0001 /* internal: out of memory while answering */

uint16_t cs_apdu_parse(const uint8_t *raw, size_t len, struct cs_apdu *a)
{
	memset(a, 0, sizeof(*a));
	if (len < 4)
		return SW_WRONG_LENGTH;
	a->cla = raw[0];
	a->ins = raw[1];
	a->p1 = raw[2];
	a->p2 = raw[3];
	if (len == 4)
		return 0; /* case 1 */
	if (len == 5) { /* case 2 short */
		a->le = raw[4] ? raw[4] : 256;
		return 0;
	}
	if (raw[4] != 0) { /* case 3 or 4 short */
		a->lc = raw[4];
		a->data = raw + 5;
		if (len == 5 + a->lc)
			return 0;
		if (len == 6 + a->lc) {
			a->le = raw[5 + a->lc] ? raw[5 + a->lc] : 256;
			return 0;
		}
		return SW_WRONG_LENGTH;
	}
	a->extended = true;
	if (len < 7)
		return SW_WRONG_LENGTH;
	if (len == 7) { /* case 2 extended */
		a->le = ((size_t)raw[5] << 8) | raw[6];
		if (a->le == 0)
			a->le = 65536;
		return 0;
	}
	a->lc = ((size_t)raw[5] << 8) | raw[6];
	a->data = raw + 7;
	if (a->lc == 0)
		return SW_WRONG_LENGTH;
	if (len == 7 + a->lc)
		return 0;
	if (len == 9 + a->lc) {
		a->le = ((size_t)raw[7 + a->lc] << 8) | raw[8 + a->lc];
		if (a->le == 0)
			a->le = 65536;
		return 0;
	}
	return SW_WRONG_LENGTH;
}

static int put_sw(struct cs_buf *resp, uint16_t sw)
{
	uint8_t s[2] = { (uint8_t)(sw >> 8), (uint8_t)sw };

	return cs_buf_append(resp, s, 2);
}

/* Moves up to MAX bytes of the pending response into RESP, then 61xx or the final SW. */
static int send_pending(struct cs_card *c, size_t max, struct cs_buf *resp)
{
	size_t n = c->pending.len < max ? c->pending.len : max;
	size_t rest;

	if (cs_buf_append(resp, c->pending.data, n) < 0)
		return -1;
	cs_buf_consume(&c->pending, n);
	rest = c->pending.len;
	if (rest == 0)
		return put_sw(resp, c->pending_sw);
	return put_sw(resp, (uint16_t)(0x6100 | (rest >= 256 ? 0 : rest)));
}

/* How much response data one answer may carry: Le (absent Le: 256 short, 65536 extended). */
static size_t answer_max(const struct cs_card *c, const struct cs_apdu *a)
{
	size_t max = a->le;

	if (max == 0)
		max = a->extended ? 65536 : 256;
	if (c->no_extended && max > 256)
		max = 256;
	return max;
}

static uint16_t get_response(struct cs_card *c, const struct cs_apdu *a, struct cs_buf *resp)
{
	if (a->p1 != 0 || a->p2 != 0)
		return SW_WRONG_P1P2;
	if (a->lc != 0)
		return SW_WRONG_LENGTH;
	if (c->pending.len == 0)
		return SW_CONDITIONS;
	return send_pending(c, answer_max(c, a), resp) < 0 ? SW_NOMEM : 0;
}

/* Command chaining: returns 0 when A (possibly reassembled into *FULL) is ready to run, or the
 * SW to answer now (9000 for an accepted intermediate block). */
static uint16_t chain(struct cs_card *c, struct cs_apdu *a)
{
	bool more = (a->cla & 0x10) != 0;
	bool same = c->chaining && c->chain_hdr[0] == a->ins && c->chain_hdr[1] == a->p1 &&
		    c->chain_hdr[2] == a->p2;

	if (c->chaining && !same) {
		/* A different command while a chain is open: ISO 7816-4 "last command of the
		 * chain expected"; the chain is abandoned. */
		c->chaining = false;
		cs_buf_clear(&c->chain);
		return SW_LAST_CMD_EXPECTED;
	}
	if (!more && !c->chaining)
		return 0;
	if (c->chain.len + a->lc > CHAIN_MAX || cs_buf_append(&c->chain, a->data, a->lc) < 0) {
		c->chaining = false;
		cs_buf_clear(&c->chain);
		return SW_WRONG_LENGTH;
	}
	if (more) {
		c->chaining = true;
		c->chain_hdr[0] = a->ins;
		c->chain_hdr[1] = a->p1;
		c->chain_hdr[2] = a->p2;
		return SW_OK;
	}
	c->chaining = false;
	a->data = c->chain.data;
	a->lc = c->chain.len;
	return 0;
}

static uint16_t check_cla(uint8_t cla)
{
	if (cla & 0x80)
		return SW_CLA_NOT_SUPPORTED;
	if (cla & 0x40)
		return SW_CLA_NOT_SUPPORTED;
	if (cla & 0x0C)
		return SW_SM_NOT_SUPPORTED;
	if (cla & 0x03)
		return SW_LC_NOT_SUPPORTED;
	if (cla & 0x20)
		return SW_CLA_NOT_SUPPORTED;
	return 0;
}

static uint16_t run(struct cs_card *c, struct cs_apdu *a, struct cs_buf *resp)
{
	uint16_t sw;

	sw = chain(c, a);
	if (sw != 0)
		return sw;
	cs_buf_clear(&c->pending);
	sw = cs_card_dispatch(c, a, &c->pending);
	if (a->data == c->chain.data)
		cs_buf_clear(&c->chain);
	c->pending_sw = sw;
	if (c->pending.len == 0)
		return sw;
	return send_pending(c, answer_max(c, a), resp) < 0 ? SW_NOMEM : 0;
}

int cs_card_transmit(struct cs_card *c, const uint8_t *cmd, size_t len, struct cs_buf *resp)
{
	struct cs_apdu a;
	uint16_t sw;

	cs_buf_clear(resp);
	sw = cs_apdu_parse(cmd, len, &a);
	if (sw == 0 && a.extended && c->no_extended)
		sw = SW_WRONG_LENGTH; /* a card without extended length support */
	if (sw == 0)
		sw = check_cla(a.cla);
	if (sw == 0 && a.ins == INS_GET_RESPONSE && !(a.cla & 0x10)) {
		sw = get_response(c, &a, resp);
	} else if (sw == 0) {
		cs_buf_clear(&c->pending); /* any other command drops an unread response */
		sw = run(c, &a, resp);
	}
	if (sw == 0)
		return 0;
	cs_buf_clear(resp);
	if (sw == SW_NOMEM) {
		cs_buf_clear(&c->pending);
		(void)put_sw(resp, SW_UNKNOWN);
		return -1;
	}
	return put_sw(resp, sw);
}
