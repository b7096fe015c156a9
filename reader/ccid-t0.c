/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * reader/ccid-t0.c: one short APDU by T=0 TPDUs (ISO/IEC 7816-3 transport of
 * APDUs, the reader at TPDU level handling the procedure bytes):
 *   case 1   CLA INS P1 P2 00
 *   case 2   CLA INS P1 P2 Le; 6Cxx: sent again with P3 = xx
 *   case 3   CLA INS P1 P2 Lc data
 *   case 4   as case 3; 61xx: GET RESPONSE with P3 = xx (6Cxx on it: again
 *            with P3 = xx). The card's next 61yy is handed up with the data:
 *            the APDU layer above asks for the rest.
 */
#include "config.h"

#include <string.h>

#include "reader/ccid.h"
#include "reader/log.h"

/* One TPDU; the answer (data + SW) appended to RESP at *off. */
static reader_rv
tpdu (const struct ccid_link *link, const uint8_t *t, size_t t_len, uint8_t *resp,
      size_t resp_size, size_t *off, uint16_t *sw)
{
	uint8_t buf[258];
	size_t n = sizeof buf;
	reader_rv r;

	r = link->xfr (link->ctx, t, t_len, 0, buf, &n);
	if (r != READER_OK)
		return r;
	if (n < 2) {
		tsr_log ("ccid", "%s: T=0: answer without status word (%zu bytes)", link->name, n);
		return READER_E_COMM;
	}
	*sw = (uint16_t) (buf[n - 2] << 8 | buf[n - 1]);
	if (*off + n - 2 > resp_size) {
		tsr_log ("ccid", "%s: T=0: an answer longer than %zu bytes: dropped", link->name, resp_size);
		return READER_E_INVALID;
	}
	memcpy (resp + *off, buf, n - 2);
	*off += n - 2;
	return READER_OK;
}

/* Case 2 (or GET RESPONSE): HDR with P3, again with P3 = xx on 6Cxx. */
static reader_rv
case2 (const struct ccid_link *link, const uint8_t hdr[4], uint8_t p3, uint8_t *resp,
       size_t resp_size, size_t *off, uint16_t *sw)
{
	uint8_t t[5];
	size_t start = *off;
	reader_rv r;

	memcpy (t, hdr, 4);
	t[4] = p3;
	r = tpdu (link, t, 5, resp, resp_size, off, sw);
	if (r == READER_OK && (*sw >> 8) == 0x6C) {
		*off = start;
		t[4] = (uint8_t) *sw;
		r = tpdu (link, t, 5, resp, resp_size, off, sw);
	}
	return r;
}

reader_rv
ccid_t0_transmit (const struct ccid_link *link, const uint8_t *cmd, size_t cmd_len,
                  uint8_t *resp, size_t *resp_len)
{
	uint8_t t[5 + 255], get_response[4] = { 0, 0xC0, 0, 0 };
	size_t off = 0, size = *resp_len < 2 ? 0 : *resp_len - 2;
	uint16_t sw = 0;
	reader_rv r;

	*resp_len = 0;
	if (cmd_len < 4 || size == 0)
		return READER_E_INVALID;
	if (cmd_len == 4) {                                  /* case 1 */
		memcpy (t, cmd, 4);
		t[4] = 0;
		r = tpdu (link, t, 5, resp, size, &off, &sw);
	} else if (cmd_len == 5) {                           /* case 2 */
		r = case2 (link, cmd, cmd[4], resp, size, &off, &sw);
	} else if (cmd[4] != 0 && (cmd_len == 5u + cmd[4] || cmd_len == 6u + cmd[4])) {
		r = tpdu (link, cmd, 5u + cmd[4], resp, size, &off, &sw);   /* case 3, 4 */
		if (r == READER_OK && cmd_len == 6u + cmd[4] && (sw >> 8) == 0x61) {
			uint8_t le = cmd[cmd_len - 1];
			uint8_t xx = (uint8_t) sw;
			get_response[0] = cmd[0] & 0x03;   /* the command's logical channel */
			r = case2 (link, get_response, le != 0 && (xx == 0 || le < xx) ? le : xx, resp,
			           size, &off, &sw);
		}
	} else {
		tsr_log ("ccid", "%s: T=0: not a short APDU (%zu bytes): extended APDUs need T=1 "
		         "or an APDU-level reader; not sent", link->name, cmd_len);
		return READER_E_COMM;
	}
	if (r != READER_OK)
		return r;
	resp[off++] = (uint8_t) (sw >> 8);
	resp[off++] = (uint8_t) sw;
	*resp_len = off;
	return READER_OK;
}
