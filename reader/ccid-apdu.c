/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * reader/ccid-apdu.c: one APDU to a reader at short or extended APDU level
 * (the reader does T=0 / T=1 itself). A command longer than one message goes
 * in pieces marked by wLevelParameter (1: begins, 3: continues, 2: ends), each
 * but the last answered by an empty DataBlock with bChainParameter 10h; an
 * answer longer than one message comes in pieces marked by bChainParameter
 * (1: begins, 3: continues, 2: ends), each further one asked for with an empty
 * XfrBlock of wLevelParameter 10h.
 */
#include "config.h"

#include <string.h>

#include "reader/ccid.h"
#include "reader/log.h"

#define LEVEL_WHOLE 0x0000
#define LEVEL_BEGIN 0x0001
#define LEVEL_END 0x0002
#define LEVEL_MIDDLE 0x0003
#define LEVEL_NEXT_ANSWER 0x0010

#define CHAIN_WHOLE 0x00
#define CHAIN_BEGIN 0x01
#define CHAIN_END 0x02
#define CHAIN_MIDDLE 0x03
#define CHAIN_SEND_MORE 0x10

/* An extended-length command (Lc or Le of 2-3 bytes)? */
static int
is_extended (const uint8_t *cmd, size_t len)
{
	return len >= 7 && cmd[4] == 0;
}

/* Send the command; the first piece of the answer in RESP[*off..], its chain. */
static reader_rv
send_pieces (const struct ccid_apdu_link *link, const uint8_t *cmd, size_t cmd_len,
             uint8_t *resp, size_t size, size_t *got, uint8_t *chain)
{
	size_t off = 0, n;
	reader_rv r;

	for (;;) {
		size_t piece = cmd_len - off > link->chunk ? link->chunk : cmd_len - off;
		uint16_t level;
		if (off == 0)
			level = piece == cmd_len ? LEVEL_WHOLE : LEVEL_BEGIN;
		else
			level = off + piece == cmd_len ? LEVEL_END : LEVEL_MIDDLE;
		n = size;
		r = link->xfr (link->ctx, cmd + off, piece, level, resp, &n, chain);
		if (r != READER_OK)
			return r;
		off += piece;
		if (off == cmd_len)
			break;
		if (*chain != CHAIN_SEND_MORE || n != 0) {
			tsr_log ("ccid", "%s: chained command: answer %02X (%zu bytes) before the end",
			         link->name, *chain, n);
			return READER_E_COMM;
		}
	}
	*got = n;
	return READER_OK;
}

reader_rv
ccid_apdu_transmit (const struct ccid_apdu_link *link, const uint8_t *cmd, size_t cmd_len,
                    uint8_t *resp, size_t *resp_len)
{
	size_t size = *resp_len, off = 0, n = 0;
	uint8_t chain = CHAIN_WHOLE;
	reader_rv r;

	*resp_len = 0;
	if (cmd_len < 4 || size < 2 || link->chunk == 0)
		return READER_E_INVALID;
	if (!link->extended && (is_extended (cmd, cmd_len) || cmd_len > link->chunk)) {
		tsr_log ("ccid", "%s: the reader takes short APDUs only (%zu bytes): not sent", link->name,
		         cmd_len);
		return READER_E_COMM;
	}
	r = send_pieces (link, cmd, cmd_len, resp, size, &n, &chain);
	off = n;
	while (r == READER_OK && (chain == CHAIN_BEGIN || chain == CHAIN_MIDDLE)) {
		n = size - off;
		r = link->xfr (link->ctx, NULL, 0, LEVEL_NEXT_ANSWER, resp + off, &n, &chain);
		if (r == READER_OK && chain != CHAIN_MIDDLE && chain != CHAIN_END) {
			tsr_log ("ccid", "%s: chained answer: piece marked %02X", link->name, chain);
			r = READER_E_COMM;
		} else if (r == READER_OK && chain == CHAIN_MIDDLE && n == 0) {
			tsr_log ("ccid", "%s: chained answer: an empty piece", link->name);
			r = READER_E_COMM;
		}
		off += n;
	}
	if (r == READER_OK && chain != CHAIN_WHOLE && chain != CHAIN_END) {
		tsr_log ("ccid", "%s: answer marked %02X", link->name, chain);
		r = READER_E_COMM;
	}
	if (r == READER_OK && off < 2) {
		tsr_log ("ccid", "%s: answer without status word", link->name);
		r = READER_E_COMM;
	}
	if (r == READER_OK)
		*resp_len = off;
	return r;
}
