/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fuzz/fuzz-reader.c: the reader backend of the fuzz harnesses (fuzz-reader.h).
 */
#include "config.h"

#include "fuzz/fuzz-reader.h"

#include <stdlib.h>
#include <string.h>

static const uint8_t *feed;
static size_t feed_left;

struct reader_conn {
	int in_transaction;
};

/* A YubiKey 5's ATR: the driver reads the model from it. */
static const uint8_t atr_yubikey[] = { 0x3B, 0xFD, 0x13, 0x00, 0x00, 0x81, 0x31, 0xFE, 0x15, 0x80, 0x73, 0xC0,
	                               0x21, 0xC0, 0x57, 0x59, 0x75, 0x62, 0x69, 0x4B, 0x65, 0x79, 0x40 };

void
fuzz_reader_feed (const uint8_t *data, size_t len)
{
	feed = data;
	feed_left = len;
}

static reader_rv
fz_connect (const char *name, struct reader_conn **conn)
{
	(void)name;
	*conn = calloc (1, sizeof **conn);
	return *conn != NULL ? READER_OK : READER_E_NO_MEMORY;
}

static void
fz_disconnect (struct reader_conn *conn)
{
	free (conn);
}

static reader_rv
fz_begin (struct reader_conn *conn)
{
	conn->in_transaction = 1;
	return READER_OK;
}

static void
fz_end (struct reader_conn *conn)
{
	conn->in_transaction = 0;
}

static reader_rv
fz_transmit (struct reader_conn *conn, const uint8_t *cmd, size_t cmd_len, uint8_t *resp, size_t *resp_len)
{
	size_t n;

	(void)conn;
	(void)cmd;
	(void)cmd_len;
	if (feed_left < 2) {
		feed_left = 0;
		return READER_E_COMM;
	}
	n = (size_t)feed[0] << 8 | feed[1];
	feed += 2;
	feed_left -= 2;
	if (n == 0xFFFF)
		return READER_E_REMOVED;
	if (n == 0xFFFE)
		return READER_E_RESET;
	if (n > feed_left)
		n = feed_left;
	if (n > *resp_len)
		n = *resp_len;
	memcpy (resp, feed, n);
	feed += n;
	feed_left -= n;
	*resp_len = n;
	return READER_OK;
}

static reader_rv
fz_get_atr (struct reader_conn *conn, uint8_t *atr, size_t *atr_len)
{
	(void)conn;
	if (*atr_len < sizeof atr_yubikey)
		return READER_E_INVALID;
	memcpy (atr, atr_yubikey, sizeof atr_yubikey);
	*atr_len = sizeof atr_yubikey;
	return READER_OK;
}

const struct reader_ops fuzz_reader_ops = {
	.name = "fuzz",
	.connect = fz_connect,
	.disconnect = fz_disconnect,
	.begin = fz_begin,
	.end = fz_end,
	.transmit = fz_transmit,
	.get_atr = fz_get_atr,
};
