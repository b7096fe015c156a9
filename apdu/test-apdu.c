/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * apdu/test-apdu.c: APDU encoding (cases 1-4, short and extended), the exchange
 * with a scripted reader (command chaining, GET RESPONSE, 6Cxx, errors) and the
 * redaction of the trace.
 */
#include "config.h"

#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apdu/apdu.h"
#include "apdu/log.h"
#include "apdu/mock-reader.h"

/* Capture the log (this strong definition replaces the weak default). */
static char logged[1 << 16];

void
tsr_log (const char *category, const char *fmt, ...)
{
	size_t pos = strlen (logged);
	va_list ap;

	if (pos + 512 > sizeof logged)
		return;
	pos += (size_t)snprintf (logged + pos, sizeof logged - pos, "[%s] ", category);
	va_start (ap, fmt);
	pos += (size_t)vsnprintf (logged + pos, sizeof logged - pos, fmt, ap);
	va_end (ap);
	snprintf (logged + pos, sizeof logged - pos, "\n");
}

static struct card card;

static void
setup (void)
{
	mock_reset ();
	logged[0] = '\0';
	memset (&card, 0, sizeof card);
	card.reader = &mock_reader_ops;
	ck_assert_int_eq (mock_reader_ops.connect ("mock", &card.conn), READER_OK);
	ck_assert_int_eq (mock_reader_ops.begin (card.conn), READER_OK);
	card.in_transaction = 1;
}

static void
teardown (void)
{
	mock_reader_ops.end (card.conn);
	mock_reader_ops.disconnect (card.conn);
	mock_reset ();
}

static void
assert_encodes (const struct apdu *a, const char *hex)
{
	uint8_t out[APDU_MAX_CMD];
	size_t len = sizeof out, wlen;
	uint8_t *want = mock_unhex (hex, &wlen);

	ck_assert_int_eq (apdu_encode (a, out, &len), CARD_OK);
	ck_assert_uint_eq (len, wlen);
	ck_assert (memcmp (out, want, len) == 0);
	free (want);
}

static void
assert_no_encoding (const struct apdu *a)
{
	uint8_t out[APDU_MAX_CMD];
	size_t len = sizeof out;

	ck_assert_int_eq (apdu_encode (a, out, &len), CARD_E_INVALID_DATA);
}

START_TEST (test_encode_short)
{
	static const uint8_t d3[] = { 1, 2, 3 };
	struct apdu a;

	apdu_init (&a, 0x00, 0xA4, 0x04, 0x00);
	assert_encodes (&a, "00 A4 04 00");                 /* case 1 */
	a.ne = 256;
	assert_encodes (&a, "00 A4 04 00 00");              /* case 2, Le 00 = 256 */
	a.ne = 5;
	assert_encodes (&a, "00 A4 04 00 05");
	a.ne = 0;
	a.data = d3;
	a.data_len = 3;
	assert_encodes (&a, "00 A4 04 00 03 01 02 03");     /* case 3 */
	a.ne = 256;
	assert_encodes (&a, "00 A4 04 00 03 01 02 03 00");  /* case 4 */
	a.ne = 257;
	assert_no_encoding (&a);                            /* needs extended */
}
END_TEST

START_TEST (test_encode_extended)
{
	static uint8_t big[70000];
	static const uint8_t d3[] = { 1, 2, 3 };
	uint8_t out[APDU_MAX_CMD];
	size_t len;
	struct apdu a;

	apdu_init (&a, 0x00, 0xB0, 0x00, 0x00);
	a.extended = 1;
	a.ne = 65536;
	assert_encodes (&a, "00 B0 00 00 00 00 00");        /* case 2E, 0000 = 65536 */
	a.ne = 300;
	assert_encodes (&a, "00 B0 00 00 00 01 2C");
	a.ne = 256;
	assert_encodes (&a, "00 B0 00 00 00");              /* fits a short APDU: short */
	a.ne = 1000;
	a.data = d3;
	a.data_len = 3;
	assert_encodes (&a, "00 B0 00 00 00 00 03 01 02 03 03 E8");  /* case 4E */

	memset (big, 0x5A, sizeof big);
	a.data = big;
	a.data_len = 300;
	a.ne = 0;
	len = sizeof out;
	ck_assert_int_eq (apdu_encode (&a, out, &len), CARD_OK);       /* case 3E */
	ck_assert_uint_eq (len, 4 + 3 + 300);
	ck_assert_uint_eq (out[4], 0);
	ck_assert_uint_eq (out[5], 0x01);
	ck_assert_uint_eq (out[6], 0x2C);
	a.ne = 65536;
	len = sizeof out;
	ck_assert_int_eq (apdu_encode (&a, out, &len), CARD_OK);       /* case 4E, Le 0000 */
	ck_assert_uint_eq (len, 4 + 3 + 300 + 2);
	ck_assert_uint_eq (out[len - 2], 0);
	ck_assert_uint_eq (out[len - 1], 0);

	a.data_len = 65536;
	assert_no_encoding (&a);
	a.data_len = 300;
	a.ne = 65537;
	assert_no_encoding (&a);
	a.extended = 0;
	a.ne = 0;
	assert_no_encoding (&a);                            /* 300 bytes, short only */
	a.extended = 1;
	len = 10;
	ck_assert_int_eq (apdu_encode (&a, out, &len), CARD_E_INVALID_DATA);   /* OUT too small */
	a.data = NULL;
	assert_no_encoding (&a);
}
END_TEST

START_TEST (test_simple_exchange)
{
	struct apdu a;
	struct apdu_resp r;
	int tries;

	mock_expect ("00 CA 01 02 00", "11 22 33 90 00");
	apdu_init (&a, 0x00, 0xCA, 0x01, 0x02);
	a.ne = 256;
	ck_assert_int_eq (apdu_transmit (&card, &a, &r), CARD_OK);
	ck_assert_uint_eq (r.sw, 0x9000);
	ck_assert_uint_eq (r.len, 3);
	ck_assert_uint_eq (r.data[2], 0x33);
	apdu_resp_clear (&r);

	mock_expect ("00 CA 01 02 00", "63 C2");
	ck_assert_int_eq (apdu_exchange (&card, &a, &r, &tries), CARD_E_PIN_INCORRECT);
	ck_assert_int_eq (tries, 2);
	ck_assert_ptr_null (r.data);

	mock_expect ("00 CA 01 02 00", "6A 82");
	ck_assert_int_eq (apdu_transmit (&card, &a, &r), CARD_OK);   /* exchange happened */
	ck_assert_uint_eq (r.sw, 0x6A82);
	apdu_resp_clear (&r);
	ck_assert_ptr_null (mock_check ());
}
END_TEST

START_TEST (test_get_response)
{
	struct apdu a;
	struct apdu_resp r;

	mock_expect ("00 A4 04 00 02 A0 00 00", "AA BB 61 03");
	mock_expect ("00 C0 00 00 03", "CC DD EE 61 00");
	mock_expect ("00 C0 00 00 00", "FF 90 00");
	apdu_init (&a, 0x00, 0xA4, 0x04, 0x00);
	a.data = (const uint8_t *)"\xA0\x00";
	a.data_len = 2;
	a.ne = 256;
	ck_assert_int_eq (apdu_transmit (&card, &a, &r), CARD_OK);
	ck_assert_uint_eq (r.sw, 0x9000);
	ck_assert_uint_eq (r.len, 6);
	ck_assert (memcmp (r.data, "\xAA\xBB\xCC\xDD\xEE\xFF", 6) == 0);
	apdu_resp_clear (&r);
	ck_assert_ptr_null (mock_check ());
}
END_TEST

/* A cut answer whose last bytes look like an error status (a PIN counter, a blocked PIN,
 * bad data) is a damaged answer, not that status; so is a GET RESPONSE chain that breaks. */
START_TEST (test_damaged_answers)
{
	static const char *const tails[] = { "63 C1", "69 83", "6A 80", "69 82", "6F 00", "63 00" };
	struct apdu a;
	struct apdu_resp r;
	char rsp[64];
	size_t i;
	int tries;

	apdu_init (&a, 0x00, 0x87, 0x11, 0x9C);
	a.ne = 256;
	for (i = 0; i < sizeof tails / sizeof *tails; i++) {
		snprintf (rsp, sizeof rsp, "7C 44 82 42 30 40 02 20 %s", tails[i]);
		mock_expect ("00 87 11 9C 00", rsp);
		ck_assert_int_eq (apdu_exchange (&card, &a, &r, &tries), CARD_E_BAD_RESPONSE);
		ck_assert_int_eq (tries, -1);
		ck_assert_ptr_null (r.data);
	}
	mock_expect ("00 87 11 9C 00", "7C 02 82 00 62 83");   /* a warning may carry data */
	ck_assert_int_eq (apdu_transmit (&card, &a, &r), CARD_OK);
	ck_assert_uint_eq (r.sw, 0x6283);
	apdu_resp_clear (&r);
	mock_expect ("00 87 11 9C 00", "7C 44 61 10");
	mock_expect ("00 C0 00 00 10", "6A 80");
	ck_assert_int_eq (apdu_exchange (&card, &a, &r, &tries), CARD_E_BAD_RESPONSE);
	ck_assert_ptr_null (r.data);
	mock_expect ("00 87 11 9C 00", "6A 80");   /* the status of the command itself */
	ck_assert_int_eq (apdu_exchange (&card, &a, &r, &tries), CARD_E_INVALID_DATA);
	ck_assert_ptr_null (mock_check ());
}
END_TEST

START_TEST (test_wrong_le)
{
	struct apdu a;
	struct apdu_resp r;

	mock_expect ("80 CA 00 01 00", "6C 02");
	mock_expect ("80 CA 00 01 02", "01 02 90 00");
	apdu_init (&a, 0x80, 0xCA, 0x00, 0x01);
	a.ne = 256;
	ck_assert_int_eq (apdu_exchange (&card, &a, &r, NULL), CARD_OK);
	ck_assert_uint_eq (r.len, 2);
	apdu_resp_clear (&r);

	/* only one resend: a second 6C is the answer */
	mock_expect ("80 CA 00 01 00", "6C 02");
	mock_expect ("80 CA 00 01 02", "6C 03");
	ck_assert_int_eq (apdu_transmit (&card, &a, &r), CARD_OK);
	ck_assert_uint_eq (r.sw, 0x6C03);
	apdu_resp_clear (&r);
	ck_assert_ptr_null (mock_check ());
}
END_TEST

/* Expect a command with header H (4 bytes), DATA, optional Le, answered RESP_HEX. */
static void
expect_cmd (const uint8_t h[4], const uint8_t *data, size_t len, int le, const char *resp_hex)
{
	uint8_t cmd[4 + 1 + 255 + 1];
	size_t n = 0, rlen;
	uint8_t *resp = mock_unhex (resp_hex, &rlen);

	memcpy (cmd, h, 4);
	n = 4;
	cmd[n++] = (uint8_t)len;
	memcpy (cmd + n, data, len);
	n += len;
	if (le >= 0)
		cmd[n++] = (uint8_t)le;
	mock_expect_bin (cmd, n, resp, rlen);
	free (resp);
}

START_TEST (test_command_chaining)
{
	static uint8_t data[600];
	static const uint8_t chained[4] = { 0x10, 0xDB, 0x3F, 0xFF };
	static const uint8_t last[4] = { 0x00, 0xDB, 0x3F, 0xFF };
	struct apdu a;
	struct apdu_resp r;
	size_t i;

	for (i = 0; i < sizeof data; i++)
		data[i] = (uint8_t)i;
	expect_cmd (chained, data, 255, -1, "90 00");
	expect_cmd (chained, data + 255, 255, -1, "90 00");
	expect_cmd (last, data + 510, 90, 0, "AB 61 01");
	mock_expect ("00 C0 00 00 01", "CD 90 00");
	apdu_init (&a, 0x00, 0xDB, 0x3F, 0xFF);
	a.data = data;
	a.data_len = sizeof data;
	a.ne = 256;
	ck_assert_int_eq (apdu_exchange (&card, &a, &r, NULL), CARD_OK);
	ck_assert_uint_eq (r.len, 2);
	ck_assert_uint_eq (r.data[1], 0xCD);
	apdu_resp_clear (&r);
	ck_assert_ptr_null (mock_check ());
	ck_assert_uint_eq (mock_sent_count (), 4);

	/* the card refuses the second piece: stop there, report its SW */
	mock_reset ();
	mock_reader_ops.begin (card.conn);
	expect_cmd (chained, data, 255, -1, "90 00");
	expect_cmd (chained, data + 255, 255, -1, "6A 84");
	ck_assert_int_eq (apdu_exchange (&card, &a, &r, NULL), CARD_E_NO_SPACE);
	ck_assert_ptr_null (mock_check ());
	card.chain_open = 0;   /* (the chain ended with a clear answer; tested below) */

	/* the last piece fails without a clear answer: the card may still be in the chain, which
	 * is ended at once (GET RESPONSE: another command), so that the next chained command
	 * with the same header never continues it */
	mock_reset ();
	mock_reader_ops.begin (card.conn);
	expect_cmd (chained, data, 255, -1, "90 00");
	expect_cmd (chained, data + 255, 255, -1, "90 00");
	expect_cmd (last, data + 510, 90, 0, "6F 00");
	ck_assert_int_eq (apdu_exchange (&card, &a, &r, NULL), CARD_E_INTERNAL);
	mock_expect ("00 C0 00 00 00", "68 83");       /* before the next command */
	expect_cmd (chained, data, 255, -1, "90 00");
	expect_cmd (chained, data + 255, 255, -1, "90 00");
	expect_cmd (last, data + 510, 90, 0, "90 00");
	ck_assert_int_eq (apdu_exchange (&card, &a, &r, NULL), CARD_OK);
	apdu_resp_clear (&r);
	ck_assert_ptr_null (mock_check ());

	/* a card left in somebody else's chain answers our first command 6883 and drops that
	 * chain: the command (not executed) is sent again, once */
	mock_reset ();
	mock_reader_ops.begin (card.conn);
	mock_expect ("00 CA 01 02 00", "68 83");
	mock_expect ("00 CA 01 02 00", "11 90 00");
	{
		struct apdu g;
		apdu_init (&g, 0x00, 0xCA, 0x01, 0x02);
		g.ne = 256;
		ck_assert_int_eq (apdu_exchange (&card, &g, &r, NULL), CARD_OK);
		ck_assert_uint_eq (r.len, 1);
		apdu_resp_clear (&r);
	}
	ck_assert_ptr_null (mock_check ());

	/* exactly 255 bytes: no chaining */
	mock_reset ();
	mock_reader_ops.begin (card.conn);
	a.data_len = 255;
	a.ne = 0;
	expect_cmd (last, data, 255, -1, "90 00");
	ck_assert_int_eq (apdu_exchange (&card, &a, &r, NULL), CARD_OK);
	ck_assert_ptr_null (mock_check ());
}
END_TEST

START_TEST (test_extended_no_chaining)
{
	static uint8_t data[600];
	uint8_t cmd[4 + 3 + 600 + 2];
	struct apdu a;
	struct apdu_resp r;

	memset (data, 0x77, sizeof data);
	memcpy (cmd, "\x00\xDB\x3F\xFF\x00\x02\x58", 7);
	memcpy (cmd + 7, data, 600);
	cmd[607] = 0x01;
	cmd[608] = 0x00;
	mock_expect_bin (cmd, sizeof cmd, (const uint8_t *)"\x90\x00", 2);
	apdu_init (&a, 0x00, 0xDB, 0x3F, 0xFF);
	a.data = data;
	a.data_len = sizeof data;
	a.ne = 256;
	a.extended = 1;
	ck_assert_int_eq (apdu_exchange (&card, &a, &r, NULL), CARD_OK);
	ck_assert_ptr_null (mock_check ());
}
END_TEST

/* A card (or reader) that refuses an extended APDU: the same command again as short
 * APDUs, and short APDUs from then on. */
START_TEST (test_extended_refused_falls_back)
{
	static uint8_t data[300];
	uint8_t cmd[4 + 3 + 300 + 3];
	struct apdu a;
	struct apdu_resp r;

	memset (data, 0x55, sizeof data);
	memcpy (cmd, "\x00\x87\x07\x9A\x00\x01\x2C", 7);
	memcpy (cmd + 7, data, 300);
	memcpy (cmd + 307, "\x00\x00", 2);
	mock_expect_bin (cmd, 309, (const uint8_t *)"\x67\x00", 2);
	/* short: the first 255 bytes chained, then the rest with Le 00 */
	memcpy (cmd, "\x10\x87\x07\x9A\xFF", 5);
	memcpy (cmd + 5, data, 255);
	mock_expect_bin (cmd, 260, (const uint8_t *)"\x90\x00", 2);
	memcpy (cmd, "\x00\x87\x07\x9A\x2D", 5);
	memcpy (cmd + 5, data + 255, 45);
	cmd[50] = 0x00;
	mock_expect_bin (cmd, 51, (const uint8_t *)"\x01\x02\x90\x00", 4);
	card.extended = 1;
	apdu_init (&a, 0x00, 0x87, 0x07, 0x9A);
	a.data = data;
	a.data_len = sizeof data;
	a.ne = 65536;
	a.extended = card.extended;
	ck_assert_int_eq (apdu_exchange (&card, &a, &r, NULL), CARD_OK);
	ck_assert_uint_eq (r.len, 2);
	ck_assert_int_eq (card.extended, 0);
	ck_assert_ptr_null (mock_check ());
	ck_assert_ptr_nonnull (strstr (logged, "extended APDU refused"));
	apdu_resp_clear (&r);

	/* Once the card has answered an extended APDU, a transmission error is an answer lost,
	 * not a refusal: the command (the card may have signed) is not sent again. */
	memcpy (cmd, "\x00\x87\x07\x9A\x00\x01\x2C", 7);
	memcpy (cmd + 7, data, 300);
	memcpy (cmd + 307, "\x00\x00", 2);
	mock_expect_bin (cmd, 309, (const uint8_t *)"\x01\x02\x90\x00", 4);
	{
		char hex[309 * 3 + 1];
		size_t i;

		for (i = 0; i < 309; i++)
			snprintf (hex + 3 * i, 4, "%02X ", cmd[i]);
		mock_expect_fail (hex, READER_E_COMM);
	}
	card.extended = 1;
	a.extended = 1;
	ck_assert_int_eq (apdu_exchange (&card, &a, &r, NULL), CARD_OK);
	apdu_resp_clear (&r);
	ck_assert_int_eq (card.extended_answered, 1);
	ck_assert_int_eq (apdu_exchange (&card, &a, &r, NULL), CARD_E_COMM);
	ck_assert_int_eq (card.extended, 1);
	ck_assert_ptr_null (mock_check ());
}
END_TEST

START_TEST (test_atr_extended)
{
	/* YubiKey 5: historical bytes 80 73 C0 21 C0 ...: card capabilities C0 21 C0, 0x40 set */
	static const uint8_t yk5[] = { 0x3B, 0xFD, 0x13, 0x00, 0x00, 0x81, 0x31, 0xFE, 0x15, 0x80, 0x73,
	                               0xC0, 0x21, 0xC0, 0x57, 0x59, 0x75, 0x62, 0x69, 0x4B, 0x65, 0x79,
	                               0x40 };
	/* the same with the capability bit clear */
	uint8_t plain[sizeof yk5];
	/* category 00: compact-TLV, then a 3-byte status indicator */
	static const uint8_t cat0[] = { 0x3B, 0x88, 0x80, 0x01, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00,
	                                0x90, 0x00, 0x0F };
	static const uint8_t truncated[] = { 0x3B, 0xFD, 0x13, 0x00 };

	memcpy (plain, yk5, sizeof yk5);
	plain[13] = 0x80;
	ck_assert_int_eq (apdu_atr_extended (yk5, sizeof yk5), 1);
	ck_assert_int_eq (apdu_atr_extended (plain, sizeof plain), 0);
	ck_assert_int_eq (apdu_atr_extended (cat0, sizeof cat0), 1);
	ck_assert_int_eq (apdu_atr_extended (truncated, sizeof truncated), 0);
	ck_assert_int_eq (apdu_atr_extended (NULL, 0), 0);
	ck_assert_int_eq (apdu_atr_extended ((const uint8_t *)"\x3B\x00", 2), 0);
}
END_TEST

START_TEST (test_reader_errors)
{
	struct apdu a;
	struct apdu_resp r;

	apdu_init (&a, 0x00, 0xCA, 0x00, 0x00);
	mock_expect_fail ("00 CA 00 00", READER_E_REMOVED);
	ck_assert_int_eq (apdu_transmit (&card, &a, &r), CARD_E_REMOVED);
	ck_assert_ptr_null (r.data);
	mock_expect_fail ("00 CA 00 00", READER_E_NO_SERVICE);
	ck_assert_int_eq (apdu_exchange (&card, &a, &r, NULL), CARD_E_NO_SERVICE);
	mock_expect_fail ("00 CA 00 00", READER_E_COMM);
	ck_assert_int_eq (apdu_exchange (&card, &a, &r, NULL), CARD_E_COMM);
	mock_expect ("00 CA 00 00", "90");   /* no full status word */
	ck_assert_int_eq (apdu_exchange (&card, &a, &r, NULL), CARD_E_BAD_RESPONSE);
	mock_expect ("00 CA 00 00", "");
	ck_assert_int_eq (apdu_exchange (&card, &a, &r, NULL), CARD_E_BAD_RESPONSE);
	/* removed in the middle of a GET RESPONSE chain */
	mock_expect ("00 CA 00 00", "01 61 05");
	mock_expect_fail ("00 C0 00 00 05", READER_E_REMOVED);
	ck_assert_int_eq (apdu_exchange (&card, &a, &r, NULL), CARD_E_REMOVED);
	ck_assert_ptr_null (r.data);
	ck_assert_ptr_null (mock_check ());
	ck_assert_int_eq (apdu_transmit (NULL, &a, &r), CARD_E_INTERNAL);
}
END_TEST

/* A card that never stops answering 61xx. */
static reader_rv
endless (void *user, const uint8_t *cmd, size_t len, uint8_t *resp, size_t *resp_len)
{
	size_t n = *(size_t *)user;

	(void)cmd;
	(void)len;
	memset (resp, 0x42, n);
	resp[n] = 0x61;
	resp[n + 1] = (uint8_t)n;
	*resp_len = n + 2;
	return READER_OK;
}

/* Every path is capped (defect 9): a card that answers 61xx forever costs a few rounds when
 * it stalls (no data, or a byte at a time), at most 64 KiB when it keeps sending full
 * chunks; a chained command carries at most 65535 bytes. */
START_TEST (test_endless_response)
{
	static uint8_t big[70000];
	struct apdu a;
	struct apdu_resp r;
	size_t n, sent;

	apdu_init (&a, 0x00, 0xCA, 0x00, 0x00);
	mock_set_handler (endless, &n);
	n = 0;   /* "61 00" and nothing else, forever */
	ck_assert_int_eq (apdu_transmit (&card, &a, &r), CARD_E_BAD_RESPONSE);
	ck_assert_ptr_null (r.data);
	ck_assert_uint_le (mock_sent_count (), 3);
	sent = mock_sent_count ();
	n = 1;   /* a byte at a time */
	ck_assert_int_eq (apdu_transmit (&card, &a, &r), CARD_E_BAD_RESPONSE);
	ck_assert_uint_le (mock_sent_count () - sent, 4);
	sent = mock_sent_count ();
	n = 255;   /* full chunks until past APDU_MAX_RESPONSE */
	ck_assert_int_eq (apdu_transmit (&card, &a, &r), CARD_E_BAD_RESPONSE);
	ck_assert_uint_le (mock_sent_count () - sent, APDU_MAX_RESPONSE / 255 + 2);
	sent = mock_sent_count ();

	/* the pieces of a chained command: not past what one APDU could carry */
	apdu_init (&a, 0x00, 0xDB, 0x3F, 0xFF);
	a.data = big;
	a.data_len = sizeof big;
	ck_assert_int_eq (apdu_transmit (&card, &a, &r), CARD_E_INVALID_DATA);
	ck_assert_uint_eq (mock_sent_count (), sent);   /* nothing sent */
}
END_TEST

START_TEST (test_trace_redaction)
{
	static const uint8_t pin[] = { 0x31, 0x39, 0x37, 0x33, 0x38, 0x32, 0xFF, 0xFF };
	struct apdu a;
	struct apdu_resp r;

	setenv ("TESSERA_DEBUG", "apdu", 1);
	mock_expect ("00 20 00 80 08 31 39 37 33 38 32 FF FF", "63 C1");
	apdu_init (&a, 0x00, 0x20, 0x00, 0x80);
	a.data = pin;
	a.data_len = sizeof pin;
	ck_assert_int_eq (apdu_exchange (&card, &a, &r, NULL), CARD_E_PIN_INCORRECT);
	ck_assert_ptr_nonnull (strstr (logged, "00 20 00 80 08 [8 bytes redacted]"));
	ck_assert_ptr_null (strstr (logged, "31 39 37"));

	/* CHANGE REFERENCE DATA and RESET RETRY COUNTER even without the flag */
	mock_expect ("00 24 00 80 08 31 39 37 33 38 32 FF FF", "90 00");
	a.ins = 0x24;
	ck_assert_int_eq (apdu_exchange (&card, &a, &r, NULL), CARD_OK);
	apdu_resp_clear (&r);
	mock_expect ("00 2C 00 80 08 31 39 37 33 38 32 FF FF", "90 00");
	a.ins = 0x2C;
	ck_assert_int_eq (apdu_exchange (&card, &a, &r, NULL), CARD_OK);
	apdu_resp_clear (&r);
	ck_assert_ptr_null (strstr (logged, "31 39 37"));

	/* GENERAL AUTHENTICATE: an ECDH secret or a deciphered block, in every piece */
	mock_expect ("00 87 11 9D 04 7C 02 85 00 00", "7C 22 82 20 5E C2 E7 61 02");
	mock_expect ("00 C0 00 00 02", "A1 B2 90 00");
	apdu_init (&a, 0x00, 0x87, 0x11, 0x9D);
	a.data = (const uint8_t *)"\x7C\x02\x85\x00";
	a.data_len = 4;
	a.ne = 256;
	ck_assert_int_eq (apdu_exchange (&card, &a, &r, NULL), CARD_OK);
	apdu_resp_clear (&r);
	ck_assert_ptr_null (strstr (logged, "5E C2 E7"));
	ck_assert_ptr_null (strstr (logged, "A1 B2"));
	ck_assert_ptr_nonnull (strstr (logged, "> 00 87 11 9D 04 [5 bytes redacted]"));

	/* a sensitive command: its response data is hidden too, the SW is not */
	mock_expect ("00 CB 3F FF 02 5C 00 00", "53 02 DE AD 61 02");
	mock_expect ("00 C0 00 00 02", "BE EF 90 00");
	apdu_init (&a, 0x00, 0xCB, 0x3F, 0xFF);
	a.data = (const uint8_t *)"\x5C\x00";
	a.data_len = 2;
	a.ne = 256;
	a.sensitive = 1;
	ck_assert_int_eq (apdu_exchange (&card, &a, &r, NULL), CARD_OK);
	ck_assert_uint_eq (r.len, 6);
	apdu_resp_clear (&r);
	ck_assert_ptr_null (strstr (logged, "DE AD"));
	ck_assert_ptr_null (strstr (logged, "BE EF"));
	ck_assert_ptr_nonnull (strstr (logged, "[2 bytes redacted] 90 00"));

	/* an ordinary command is traced in full */
	mock_expect ("00 CA 01 02 00", "11 22 90 00");
	apdu_init (&a, 0x00, 0xCA, 0x01, 0x02);
	a.ne = 256;
	ck_assert_int_eq (apdu_exchange (&card, &a, &r, NULL), CARD_OK);
	apdu_resp_clear (&r);
	ck_assert_ptr_nonnull (strstr (logged, "> 00 CA 01 02 00"));
	ck_assert_ptr_nonnull (strstr (logged, "< 11 22 90 00"));
	ck_assert_ptr_null (mock_check ());
	unsetenv ("TESSERA_DEBUG");
}
END_TEST

int
main (void)
{
	Suite *s = suite_create ("apdu");
	TCase *enc = tcase_create ("encode");
	TCase *xfer = tcase_create ("exchange");
	SRunner *sr;
	int failed;

	tcase_add_test (enc, test_encode_short);
	tcase_add_test (enc, test_encode_extended);
	suite_add_tcase (s, enc);
	tcase_add_checked_fixture (xfer, setup, teardown);
	tcase_add_test (xfer, test_simple_exchange);
	tcase_add_test (xfer, test_get_response);
	tcase_add_test (xfer, test_wrong_le);
	tcase_add_test (xfer, test_damaged_answers);
	tcase_add_test (xfer, test_command_chaining);
	tcase_add_test (xfer, test_extended_no_chaining);
	tcase_add_test (xfer, test_extended_refused_falls_back);
	tcase_add_test (enc, test_atr_extended);
	tcase_add_test (xfer, test_reader_errors);
	tcase_add_test (xfer, test_endless_response);
	tcase_add_test (xfer, test_trace_redaction);
	suite_add_tcase (s, xfer);
	sr = srunner_create (s);
	srunner_run_all (sr, CK_ENV);
	failed = srunner_ntests_failed (sr);
	srunner_free (sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
