/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * reader/test-ccid.c: the CCID backend's protocol layers against a simulated
 * reader (test-ccid-mock.c): messages and descriptors, the ATR, one exchange
 * with every error path (short transfer, wrong bSeq, slot errors, time
 * extension, mute reader and card, babble, device gone), power on, T=0 (cases
 * 1-4, 61xx, 6Cxx), T=1 (chaining both ways, NAK'd and bad blocks, S(IFS),
 * S(WTX), S(RESYNCH), CRC), and APDU-level readers (short and extended with
 * wLevelParameter chaining).
 */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "reader/ccid.h"
#include "reader/test-ccid-mock.h"

static struct mock_rdr m;
static struct ccid_dev dev;
static struct ccid_card card;
static uint8_t resp[70000];

/* YubiKey 5: T=1 only, IFSC 254 (TA3 FE), BWI 1 CWI 5 (TB3 15), TCK. */
static const uint8_t ATR_YK[] = { 0x3B, 0xFD, 0x13, 0x00, 0x00, 0x81, 0x31, 0xFE, 0x15, 0x80,
	0x73, 0xC0, 0x21, 0xC0, 0x57, 0x59, 0x75, 0x62, 0x69, 0x4B, 0x65, 0x79, 0x40 };
/* T=0 only, no TCK. */
static const uint8_t ATR_T0[] = { 0x3B, 0x02, 0x14, 0x50 };
/* T=1 first then T=0 (TD1 81, TD2 80, TD3 00? no: TD2 = 10: TA3 for T=0), TCK. */
static const uint8_t ATR_T1_T0[] = { 0x3B, 0x80, 0x81, 0x00, 0x01 };
/* T=1 with IFSC 16 and CRC (TD2 = 71: TA3 TB3 TC3 for T=1), TCK. */
static uint8_t atr_t1_small[] = { 0x3B, 0x80, 0x81, 0x71, 0x10, 0x45, 0x01, 0x00 };

static void
fix_tck (uint8_t *atr, size_t len)
{
	uint8_t x = 0;
	size_t i;

	for (i = 1; i + 1 < len; i++)
		x ^= atr[i];
	atr[len - 1] = x;
}

static void
open_dev (uint32_t level, uint32_t protocols, const uint8_t *atr, size_t atr_len)
{
	mock_rdr_init (&m, level, protocols, atr, atr_len);
	ck_assert_int_eq (ccid_dev_init (&dev, &mock_transport, &m, &m.desc, "Mock Reader 00"), 0);
}

static void
teardown (void)
{
	ccid_dev_clear (&dev);
}

static size_t
transmit (const uint8_t *cmd, size_t len, reader_rv want)
{
	size_t n = sizeof resp;

	ck_assert_int_eq (ccid_card_transmit (&card, cmd, len, resp, &n), want);
	return n;
}

static void
assert_answer (size_t n, size_t data_len)
{
	size_t i;

	ck_assert_uint_eq (n, data_len + 2);
	for (i = 0; i < data_len; i++)
		ck_assert_uint_eq (resp[i], (uint8_t) i);
	ck_assert_uint_eq (resp[data_len], 0x90);
	ck_assert_uint_eq (resp[data_len + 1], 0x00);
}

/* ---- messages, descriptor, ATR ---- */

START_TEST (test_msg_build_parse)
{
	uint8_t buf[32], data[3] = { 1, 2, 3 }, p[3] = { 7, 0x34, 0x12 };
	struct ccid_answer a;
	size_t n;

	n = ccid_msg_build (buf, sizeof buf, CCID_PC_XFR_BLOCK, 1, 9, p, data, 3);
	ck_assert_uint_eq (n, 13);
	ck_assert_uint_eq (buf[0], 0x6F);
	ck_assert_uint_eq (buf[1], 3);
	ck_assert_uint_eq (buf[5], 1);
	ck_assert_uint_eq (buf[6], 9);
	ck_assert_uint_eq (buf[8], 0x34);
	ck_assert_uint_eq (buf[9], 0x12);
	ck_assert_uint_eq (ccid_msg_build (buf, 12, CCID_PC_XFR_BLOCK, 0, 0, NULL, data, 3), 0);

	memcpy (buf, (const uint8_t[]) { 0x80, 2, 0, 0, 0, 0, 5, 0x41, 0xFE, 0, 0x90, 0 }, 12);
	ck_assert_int_eq (ccid_answer_parse (buf, 12, &a), 0);
	ck_assert_uint_eq (a.type, 0x80);
	ck_assert_uint_eq (a.seq, 5);
	ck_assert_uint_eq (a.icc, 1);
	ck_assert_uint_eq (a.cmd, 1);
	ck_assert_uint_eq (a.error, CCID_ERR_ICC_MUTE);
	ck_assert_uint_eq (a.data_len, 2);
	ck_assert_int_eq (ccid_answer_parse (buf, 11, &a), -1);   /* shorter than dwLength */
	ck_assert_int_eq (ccid_answer_parse (buf, 9, &a), -1);    /* shorter than the header */
	ck_assert_str_eq (ccid_error_name (CCID_ERR_ICC_MUTE), "card mute");
}
END_TEST

START_TEST (test_notify_and_desc)
{
	/* slots 0..5: slot 0 present+changed, slot 5 present */
	const uint8_t notify[] = { 0x50, 0x03, 0x04 };
	uint8_t d[9 + 54];
	struct ccid_desc desc;
	int present, changed;

	ck_assert_int_eq (ccid_notify_parse (notify, 3, 0, &present, &changed), 0);
	ck_assert_int_eq (present, 1);
	ck_assert_int_eq (changed, 1);
	ck_assert_int_eq (ccid_notify_parse (notify, 3, 5, &present, &changed), 0);
	ck_assert_int_eq (present, 1);
	ck_assert_int_eq (changed, 0);
	ck_assert_int_eq (ccid_notify_parse (notify, 3, 1, &present, &changed), 0);
	ck_assert_int_eq (present, 0);
	ck_assert_int_eq (ccid_notify_parse (notify, 3, 8, &present, &changed), -1);
	ck_assert_int_eq (ccid_notify_parse ((const uint8_t[]) { 0x51, 1 }, 2, 0, &present, &changed), -1);

	/* An unrelated descriptor first, then the class descriptor. */
	memset (d, 0, sizeof d);
	d[0] = 9, d[1] = 0x24;
	d[9] = 54, d[10] = 0x21, d[11] = 0x10, d[12] = 0x01, d[13] = 1, d[14] = 0x07;
	d[15] = 0x03;                                  /* T=0 and T=1 */
	d[9 + 40] = 0xFE, d[9 + 41] = 0x04, d[9 + 42] = 0x01;   /* 0x000104FE */
	d[9 + 44] = 0x12, d[9 + 46] = 0x01;            /* 0x00010012 */
	ck_assert_int_eq (ccid_desc_parse (d, sizeof d, &desc), 0);
	ck_assert_uint_eq (desc.bcd, 0x0110);
	ck_assert_uint_eq (desc.max_slot, 1);
	ck_assert_uint_eq (desc.protocols, 3);
	ck_assert_uint_eq (desc.features, 0x000104FE);
	ck_assert_uint_eq (desc.features & CCID_LEVEL_MASK, CCID_LEVEL_TPDU);
	ck_assert_uint_eq (desc.max_msg_len, 0x00010012);
	ck_assert_int_eq (ccid_desc_parse (d, 9 + 53, &desc), -1);   /* cut short */
	ck_assert_int_eq (ccid_desc_parse (d, 9, &desc), -1);
}
END_TEST

START_TEST (test_atr)
{
	struct ccid_atr a;
	uint8_t bad[sizeof ATR_YK];

	ck_assert_int_eq (ccid_atr_parse (ATR_YK, sizeof ATR_YK, &a), 0);
	ck_assert_uint_eq (a.protocols, 2);
	ck_assert_int_eq (a.first_protocol, 1);
	ck_assert_uint_eq (a.ta1, 0x13);
	ck_assert_uint_eq (a.ifsc, 0xFE);
	ck_assert_uint_eq (a.bwi, 1);
	ck_assert_uint_eq (a.cwi, 5);
	ck_assert_int_eq (a.crc, 0);
	ck_assert_uint_eq (a.hist_len, 13);
	ck_assert_uint_eq (a.hist[0], 0x80);

	ck_assert_int_eq (ccid_atr_parse (ATR_T0, sizeof ATR_T0, &a), 0);
	ck_assert_uint_eq (a.protocols, 1);
	ck_assert_int_eq (a.first_protocol, 0);
	ck_assert_uint_eq (a.ta1, 0x11);
	ck_assert_uint_eq (a.ifsc, 32);

	ck_assert_int_eq (ccid_atr_parse (ATR_T1_T0, sizeof ATR_T1_T0, &a), 0);
	ck_assert_uint_eq (a.protocols, 3);
	ck_assert_int_eq (a.first_protocol, 1);

	fix_tck (atr_t1_small, sizeof atr_t1_small);
	ck_assert_int_eq (ccid_atr_parse (atr_t1_small, sizeof atr_t1_small, &a), 0);
	ck_assert_uint_eq (a.ifsc, 16);
	ck_assert_uint_eq (a.bwi, 4);
	ck_assert_int_eq (a.crc, 1);

	memcpy (bad, ATR_YK, sizeof bad);
	bad[sizeof bad - 1] ^= 1;                      /* TCK */
	ck_assert_int_eq (ccid_atr_parse (bad, sizeof bad, &a), -1);
	ck_assert_int_eq (ccid_atr_parse (ATR_YK, 12, &a), -1);   /* cut in the history */
	ck_assert_int_eq (ccid_atr_parse (ATR_YK, 7, &a), -1);    /* cut in the interface bytes */
	bad[0] = 0x3C;                                 /* TS */
	ck_assert_int_eq (ccid_atr_parse (bad, sizeof bad, &a), -1);
	ck_assert_int_eq (ccid_atr_parse (ATR_T0, 1, &a), -1);
}
END_TEST

START_TEST (test_edc)
{
	const uint8_t blk[] = { 0x00, 0x00, 0x00 };
	const uint8_t blk2[] = { 0x00, 0x40, 0x02, 0x90, 0x00 };
	uint8_t edc[2];

	ck_assert_uint_eq (ccid_t1_edc (0, blk2, sizeof blk2, edc), 1);
	ck_assert_uint_eq (edc[0], 0x40 ^ 0x02 ^ 0x90);
	ck_assert_uint_eq (ccid_t1_edc (1, blk, sizeof blk, edc), 2);
	/* CRC-16, reflected 0x8408, initial FFFF, no final XOR, high byte first. */
	ck_assert_uint_eq (edc[0], 0x39);
	ck_assert_uint_eq (edc[1], 0x33);
}
END_TEST

/* ---- one exchange ---- */

static reader_rv
status (int *present)
{
	return ccid_slot_status (&dev, 0, present);
}

START_TEST (test_exchange_paths)
{
	int present = -1;

	open_dev (CCID_LEVEL_TPDU, 1, ATR_T0, sizeof ATR_T0);
	ck_assert_int_eq (status (&present), READER_OK);
	ck_assert_int_eq (present, 1);
	m.present = 0;
	ck_assert_int_eq (status (&present), READER_OK);
	ck_assert_int_eq (present, 0);
	m.present = 1;

	/* A late answer of an earlier message is skipped; the right one counts. */
	m.stale = 1;
	ck_assert_int_eq (status (&present), READER_OK);
	/* Time extensions: waited for, then the answer. */
	m.time_ext = 1;
	ck_assert_int_eq (status (&present), READER_OK);
	/* A short transfer (less data than dwLength). */
	m.short_xfr = 1;
	ck_assert_int_eq (status (&present), READER_E_COMM);
	/* Babble. */
	m.babble = 1;
	ck_assert_int_eq (status (&present), READER_E_COMM);
	/* An answer of the wrong type. */
	m.wrong_type = 1;
	ck_assert_int_eq (status (&present), READER_E_COMM);
	/* A reader that never answers: ABORT, then an error (no hang). */
	m.mute = 1;
	ck_assert_int_eq (status (&present), READER_E_COMM);
	ck_assert_uint_eq (m.aborts, 1);
	ck_assert_uint_eq (mock_count (&m, CCID_PC_ABORT), 1);
	/* ... and the next exchange is in step again. */
	ck_assert_int_eq (status (&present), READER_OK);
	/* A command the reader does not know. */
	{
		struct ccid_answer a;
		ck_assert_int_eq (ccid_exchange (&dev, 0, 0x71, NULL, NULL, 0, CCID_RDR_SLOT_STATUS,
		                                 1000, &a, NULL, NULL), READER_E_UNSUPPORTED);
		ck_assert_uint_eq (a.error, CCID_ERR_CMD_NOT_SUPPORTED);
	}
	/* The device unplugged: gone for good. */
	m.gone = 1;
	ck_assert_int_eq (status (&present), READER_E_NO_READER);
	m.gone = 0;
	ck_assert_int_eq (status (&present), READER_E_NO_READER);
	ck_assert_int_eq (dev.gone, 1);
}
END_TEST

START_TEST (test_sequence_numbers)
{
	int present;
	unsigned i;

	open_dev (CCID_LEVEL_TPDU, 1, ATR_T0, sizeof ATR_T0);
	for (i = 0; i < 300; i++)
		ck_assert_int_eq (status (&present), READER_OK);
	/* bSeq wraps: 300 messages, the answers all matched. */
	ck_assert_uint_eq (dev.seq, 300 % 256);
}
END_TEST

/* ---- power on ---- */

START_TEST (test_power_on)
{
	open_dev (CCID_LEVEL_TPDU, 1, ATR_T0, sizeof ATR_T0);
	m.class_refused = 1;
	ck_assert_int_eq (ccid_card_power_on (&card, &dev, 0), READER_OK);
	ck_assert_uint_eq (card.atr_len, sizeof ATR_T0);
	ck_assert_int_eq (card.protocol, 0);
	/* 5 V refused (class not supported), off, then 3 V. */
	ck_assert_uint_eq (mock_count (&m, CCID_PC_ICC_POWER_ON), 2);
	ck_assert_uint_eq (m.log[0].p[0], 1);
	ck_assert_uint_eq (mock_count (&m, CCID_PC_ICC_POWER_OFF), 1);
	/* GetParameters said T=1 (the mock's reader picks the other): SetParameters T=0. */
	ck_assert_uint_eq (mock_count (&m, CCID_PC_GET_PARAMETERS), 1);
	ck_assert_uint_eq (mock_count (&m, CCID_PC_SET_PARAMETERS), 1);
	ck_assert_uint_eq (m.log[m.n_log - 1].p[0], 0);
	ck_assert_uint_eq (m.log[m.n_log - 1].len, 5);
	ck_assert_int_eq (ccid_card_power_off (&card), READER_OK);
	teardown ();

	/* No card: NO_CARD. A mute card (the reader's ICC_MUTE): COMM. */
	open_dev (CCID_LEVEL_TPDU, 1, ATR_T0, sizeof ATR_T0);
	m.present = 0;
	ck_assert_int_eq (ccid_card_power_on (&card, &dev, 0), READER_E_NO_CARD);
	teardown ();

	/* The card offers T=1 only, the reader T=0 only. */
	open_dev (CCID_LEVEL_TPDU, 1, ATR_YK, sizeof ATR_YK);
	ck_assert_int_eq (ccid_card_power_on (&card, &dev, 0), READER_E_COMM);
	teardown ();

	/* T=1 first, T=0 too, reader T=0: T=0. */
	open_dev (CCID_LEVEL_TPDU, 1, ATR_T1_T0, sizeof ATR_T1_T0);
	ck_assert_int_eq (ccid_card_power_on (&card, &dev, 0), READER_OK);
	ck_assert_int_eq (card.protocol, 0);
	teardown ();

	/* A malformed ATR. */
	open_dev (CCID_LEVEL_TPDU, 3, (const uint8_t[]) { 0x3B, 0xF0, 0x11 }, 3);
	ck_assert_int_eq (ccid_card_power_on (&card, &dev, 0), READER_E_COMM);
	teardown ();

	/* A character-level reader is refused. */
	open_dev (CCID_LEVEL_CHAR, 3, ATR_T0, sizeof ATR_T0);
	ck_assert_int_eq (ccid_card_power_on (&card, &dev, 0), READER_E_COMM);
	ck_assert_uint_eq (mock_count (&m, CCID_PC_ICC_POWER_ON), 0);
}
END_TEST

/* ---- T=0 ---- */

static void
t0_card (void)
{
	open_dev (CCID_LEVEL_TPDU, 1, ATR_T0, sizeof ATR_T0);
	ck_assert_int_eq (ccid_card_power_on (&card, &dev, 0), READER_OK);
	m.n_log = 0;
}

START_TEST (test_t0_cases)
{
	const uint8_t case1[] = { 0x00, 0x44, 0x00, 0x00 };
	const uint8_t case2[] = { 0x00, 0xCA, 0x00, 0x00, 0x05 };
	const uint8_t case2_any[] = { 0x00, 0xCA, 0x00, 0x00, 0x00 };
	const uint8_t case3[] = { 0x00, 0xA4, 0x04, 0x00, 0x02, 0xA0, 0x00 };
	const uint8_t case4[] = { 0x00, 0xA4, 0x04, 0x00, 0x02, 0xA0, 0x00, 0x00 };
	const uint8_t ext[] = { 0x00, 0xA4, 0x04, 0x00, 0x00, 0x00, 0x01, 0xA0 };

	t0_card ();
	m.answer_len = 0;
	assert_answer (transmit (case1, sizeof case1, READER_OK), 0);
	ck_assert_uint_eq (m.log[0].len, 5);           /* P3 = 00 appended */
	ck_assert_uint_eq (m.log[0].data[4], 0);

	m.answer_len = 5;
	m.n_log = 0;
	assert_answer (transmit (case2, sizeof case2, READER_OK), 5);
	ck_assert_uint_eq (m.n_log, 1);

	/* Le 00 but the card has 9 bytes: 6C09, sent again with P3 09. */
	m.answer_len = 9;
	m.n_log = 0;
	assert_answer (transmit (case2_any, sizeof case2_any, READER_OK), 9);
	ck_assert_uint_eq (m.n_log, 2);
	ck_assert_uint_eq (m.log[1].data[4], 9);

	m.answer_len = 0;
	m.n_log = 0;
	assert_answer (transmit (case3, sizeof case3, READER_OK), 0);
	ck_assert_uint_eq (m.log[0].len, 7);

	/* Case 4: sent as case 3, 61xx, GET RESPONSE with P3 = xx. */
	m.answer_len = 20;
	m.n_log = 0;
	assert_answer (transmit (case4, sizeof case4, READER_OK), 20);
	ck_assert_uint_eq (m.n_log, 2);
	ck_assert_uint_eq (m.log[0].len, 7);
	ck_assert_uint_eq (m.log[1].data[1], 0xC0);
	ck_assert_uint_eq (m.log[1].data[4], 20);

	/* Extended APDUs cannot go by T=0: not sent, COMM (the card layer goes short). */
	m.n_log = 0;
	transmit (ext, sizeof ext, READER_E_COMM);
	ck_assert_uint_eq (m.n_log, 0);
	/* A too small answer buffer. */
	{
		size_t n = 10;
		m.answer_len = 20;
		ck_assert_int_eq (ccid_card_transmit (&card, case2_any, sizeof case2_any, resp, &n),
		                  READER_E_INVALID);
	}
}
END_TEST

START_TEST (test_t0_card_gone)
{
	const uint8_t case2[] = { 0x00, 0xCA, 0x00, 0x00, 0x05 };

	t0_card ();
	m.answer_len = 5;
	/* A reader flushing the command of a card pulled out: empty, ICC absent. */
	m.absent_flush = 1;
	transmit (case2, sizeof case2, READER_E_NO_CARD);
	/* Now the reader says no card (failed, ICC absent). */
	transmit (case2, sizeof case2, READER_E_NO_CARD);
	m.present = 1;
	/* The card mute (the reader's ICC_MUTE): COMM. */
	m.icc_mute = 1;
	transmit (case2, sizeof case2, READER_E_COMM);
	/* The reader gone. */
	m.gone = 1;
	transmit (case2, sizeof case2, READER_E_NO_READER);
}
END_TEST

/* ---- T=1 ---- */

static void
t1_card (const uint8_t *atr, size_t len)
{
	open_dev (CCID_LEVEL_TPDU, 3, atr, len);
	ck_assert_int_eq (ccid_card_power_on (&card, &dev, 0), READER_OK);
	ck_assert_int_eq (card.protocol, 1);
}

/* The I-blocks the host sent since log entry FROM: their count, the largest INF. */
static unsigned
i_blocks (unsigned from, size_t *largest)
{
	unsigned i, n = 0;

	*largest = 0;
	for (i = from; i < m.n_log; i++) {
		const struct mock_sent *s = &m.log[i];
		if (s->type == CCID_PC_XFR_BLOCK && !(s->data[1] & 0x80)) {
			n++;
			if (s->data[2] > *largest)
				*largest = s->data[2];
		}
	}
	return n;
}

START_TEST (test_t1_simple_and_ifsd)
{
	const uint8_t apdu[] = { 0x00, 0xCB, 0x3F, 0xFF, 0x03, 0x5C, 0x01, 0x7E, 0x00 };
	size_t largest;

	t1_card (ATR_YK, sizeof ATR_YK);
	/* S(IFS request) with IFSD 254 at power on (no automatic IFSD in this reader). */
	ck_assert_uint_eq (m.log[m.n_log - 1].data[1], 0xC1);
	ck_assert_uint_eq (m.log[m.n_log - 1].data[3], 254);
	m.answer_len = 30;
	m.n_log = 0;
	assert_answer (transmit (apdu, sizeof apdu, READER_OK), 30);
	ck_assert_uint_eq (i_blocks (0, &largest), 1);
	ck_assert_mem_eq (m.last_cmd, apdu, sizeof apdu);
	/* N(S) alternates: a second APDU works too. */
	assert_answer (transmit (apdu, sizeof apdu, READER_OK), 30);
	ck_assert_uint_eq (m.apdus, 2);
	ck_assert_uint_eq (m.log[m.n_log - 1].data[1], 0x40);   /* I(1) */
}
END_TEST

START_TEST (test_t1_chaining_both_ways)
{
	uint8_t apdu[5 + 200];
	size_t largest;
	unsigned i;

	fix_tck (atr_t1_small, sizeof atr_t1_small);
	t1_card (atr_t1_small, sizeof atr_t1_small);     /* IFSC 16, CRC */
	for (i = 0; i < sizeof apdu; i++)
		apdu[i] = (uint8_t) (i * 7);
	apdu[4] = 200;
	m.answer_len = 600;
	m.t1_card_ifsd = 50;                              /* the card answers in pieces */
	m.n_log = 0;
	assert_answer (transmit (apdu, sizeof apdu, READER_OK), 600);
	ck_assert_mem_eq (m.last_cmd, apdu, sizeof apdu);
	/* 205 bytes in pieces of 16: 13 I-blocks. */
	ck_assert_uint_eq (i_blocks (0, &largest), 13);
	ck_assert_uint_eq (largest, 16);
}
END_TEST

START_TEST (test_t1_s_requests)
{
	uint8_t apdu[60];
	size_t largest;
	unsigned from;

	memset (apdu, 0x11, sizeof apdu);
	apdu[4] = 55;
	t1_card (ATR_YK, sizeof ATR_YK);
	m.answer_len = 10;
	/* The card asks for more time: S(WTX response), and the reader told (bBWI 3). */
	m.t1_wtx = 1;
	m.n_log = 0;
	assert_answer (transmit (apdu, sizeof apdu, READER_OK), 10);
	ck_assert_uint_eq (m.log[1].data[1], 0xE3);
	ck_assert_uint_eq (m.log[1].p[0], 3);
	/* The card sets IFSC 20: S(IFS response), and the next APDU goes in pieces of 20. */
	m.t1_ifs = 1;
	m.n_log = 0;
	assert_answer (transmit (apdu, sizeof apdu, READER_OK), 10);
	ck_assert_uint_eq (m.log[1].data[1], 0xE1);
	ck_assert_uint_eq (card.t1.ifsc, 20);
	from = m.n_log;
	assert_answer (transmit (apdu, sizeof apdu, READER_OK), 10);
	ck_assert_uint_eq (i_blocks (from, &largest), 3);
	ck_assert_uint_eq (largest, 20);
}
END_TEST

START_TEST (test_t1_errors)
{
	const uint8_t apdu[] = { 0x00, 0xCA, 0x00, 0x00, 0x00 };

	t1_card (ATR_YK, sizeof ATR_YK);
	m.answer_len = 4;
	/* A block with a bad EDC: R-block with the EDC error, the card sends it again. */
	m.t1_bad_edc = 1;
	m.n_log = 0;
	assert_answer (transmit (apdu, sizeof apdu, READER_OK), 4);
	ck_assert_uint_eq (m.log[1].data[1] & 0xE3, 0x81);
	/* The card lost our block (mute): R-block with "other error", then on. */
	m.icc_mute = 1;
	m.n_log = 0;
	assert_answer (transmit (apdu, sizeof apdu, READER_OK), 4);
	ck_assert_uint_eq (m.log[1].data[1] & 0xE3, 0x82);
	/* NAK'd: the card asks for our I-block again. */
	m.t1_ask_again = 2;
	m.n_log = 0;
	assert_answer (transmit (apdu, sizeof apdu, READER_OK), 4);
	ck_assert_uint_eq (m.apdus, 3);
	ck_assert_uint_eq (mock_count (&m, CCID_PC_XFR_BLOCK), 3);
	/* Bad blocks beyond the retries: S(RESYNCH), then the APDU again. */
	m.t1_bad_edc = 4;
	m.n_log = 0;
	assert_answer (transmit (apdu, sizeof apdu, READER_OK), 4);
	ck_assert_uint_eq (card.t1.ns, 1);              /* after RESYNCH: 0, then one I-block */
	{
		unsigned i, resynch = 0;
		for (i = 0; i < m.n_log; i++)
			resynch += m.log[i].data[1] == 0xC0;
		ck_assert_uint_eq (resynch, 1);
	}
	/* A card that stops answering: RESYNCH fails too: COMM, no hang. */
	m.t1_deaf = 1000;
	m.icc_mute = 0;
	m.n_log = 0;
	{
		size_t n = sizeof resp;
		m.present = 1;
		/* deaf to all but RESYNCH: make RESYNCH fail too by muting the reader */
		m.icc_mute = 100;
		ck_assert_int_eq (ccid_card_transmit (&card, apdu, sizeof apdu, resp, &n), READER_E_COMM);
	}
}
END_TEST

/* ---- APDU level ---- */

START_TEST (test_apdu_level)
{
	static uint8_t apdu[7 + 600 + 2];
	const uint8_t small[] = { 0x00, 0xCA, 0x00, 0x00, 0x00 };
	unsigned i, xfr = 0;

	open_dev (CCID_LEVEL_EXT_APDU, 3, ATR_YK, sizeof ATR_YK);
	ck_assert_int_eq (ccid_card_power_on (&card, &dev, 0), READER_OK);
	m.answer_len = 3;
	m.n_log = 0;
	assert_answer (transmit (small, sizeof small, READER_OK), 3);
	ck_assert_uint_eq (m.log[0].p[1], 0);

	/* 609 bytes, 261 per message: levels 1, 3, 2; a 702-byte answer: 1, then 3 and 2 asked with 10h. */
	memset (apdu, 0x5A, sizeof apdu);
	apdu[4] = 0, apdu[5] = 0x02, apdu[6] = 0x58;
	m.answer_len = 700;
	m.n_log = 0;
	assert_answer (transmit (apdu, sizeof apdu, READER_OK), 700);
	ck_assert_mem_eq (m.last_cmd, apdu, sizeof apdu);
	for (i = 0; i < m.n_log; i++)
		xfr += m.log[i].type == CCID_PC_XFR_BLOCK;
	ck_assert_uint_eq (xfr, 5);
	ck_assert_uint_eq (m.log[0].p[1], 1);
	ck_assert_uint_eq (m.log[1].p[1], 3);
	ck_assert_uint_eq (m.log[2].p[1], 2);
	ck_assert_uint_eq (m.log[3].p[1], 0x10);
	ck_assert_uint_eq (m.log[3].len, 0);

	/* A reader that marks empty pieces "more to come" forever: the exchange ends. */
	m.endless_chain = 1;
	m.n_log = 0;
	transmit (apdu, sizeof apdu, READER_E_COMM);
	ck_assert_uint_le (m.n_log, 6);
	m.endless_chain = 0;
	teardown ();

	/* A short-APDU reader refuses an extended APDU, without sending it. */
	open_dev (CCID_LEVEL_SHORT_APDU, 3, ATR_YK, sizeof ATR_YK);
	ck_assert_int_eq (ccid_card_power_on (&card, &dev, 0), READER_OK);
	m.n_log = 0;
	transmit (apdu, sizeof apdu, READER_E_COMM);
	ck_assert_uint_eq (m.n_log, 0);
}
END_TEST

START_TEST (test_escape)
{
	uint8_t out[16];
	size_t n = sizeof out;

	open_dev (CCID_LEVEL_TPDU, 1, ATR_T0, sizeof ATR_T0);
	ck_assert_int_eq (ccid_card_power_on (&card, &dev, 0), READER_OK);
	ck_assert_int_eq (ccid_card_escape (&card, (const uint8_t *) "abc", 3, out, &n), READER_OK);
	ck_assert_uint_eq (n, 3);
	ck_assert_mem_eq (out, "abc", 3);
	n = 2;
	ck_assert_int_eq (ccid_card_escape (&card, (const uint8_t *) "abc", 3, out, &n), READER_E_COMM);
}
END_TEST

int
main (void)
{
	Suite *s = suite_create ("ccid");
	TCase *tc = tcase_create ("protocol");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture (tc, NULL, teardown);
	tcase_add_test (tc, test_msg_build_parse);
	tcase_add_test (tc, test_notify_and_desc);
	tcase_add_test (tc, test_atr);
	tcase_add_test (tc, test_edc);
	tcase_add_test (tc, test_exchange_paths);
	tcase_add_test (tc, test_sequence_numbers);
	tcase_add_test (tc, test_power_on);
	tcase_add_test (tc, test_t0_cases);
	tcase_add_test (tc, test_t0_card_gone);
	tcase_add_test (tc, test_t1_simple_and_ifsd);
	tcase_add_test (tc, test_t1_chaining_both_ways);
	tcase_add_test (tc, test_t1_s_requests);
	tcase_add_test (tc, test_t1_errors);
	tcase_add_test (tc, test_apdu_level);
	tcase_add_test (tc, test_escape);
	suite_add_tcase (s, tc);
	sr = srunner_create (s);
	srunner_run_all (sr, CK_ENV);
	failed = srunner_ntests_failed (sr);
	srunner_free (sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
