/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-cardsim-apdu.c: APDU framing: malformed lengths, CLA, chaining, GET RESPONSE, extended
 * length, --no-extended, TLV reader bounds, and random input never crashing the card. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "apdu.h"
#include "hex.h"
#include "log.h"
#include "test-util.h"
#include "tlv.h"

static const uint8_t mgm3des[24] = { 1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 6, 7, 8 };

START_TEST(parse_cases)
{
	struct cs_apdu a;

	ck_assert_uint_eq(cs_apdu_parse((const uint8_t *)"\x00\xA4", 2, &a), 0x6700);
	ck_assert_uint_eq(cs_apdu_parse((const uint8_t *)"\x00\xA4\x04\x00", 4, &a), 0);
	ck_assert_uint_eq(a.lc, 0);
	ck_assert_uint_eq(a.le, 0);
	ck_assert_uint_eq(cs_apdu_parse((const uint8_t *)"\x00\xCA\x00\x00\x00", 5, &a), 0);
	ck_assert_uint_eq(a.le, 256);
	ck_assert_uint_eq(cs_apdu_parse((const uint8_t *)"\x00\xCA\x00\x00\x02\x01\x02", 7, &a), 0);
	ck_assert_uint_eq(a.lc, 2);
	ck_assert_uint_eq(cs_apdu_parse((const uint8_t *)"\x00\xCA\x00\x00\x02\x01\x02\x10", 8, &a), 0);
	ck_assert_uint_eq(a.le, 16);
	/* Lc says 3 but 2 bytes follow; or extra bytes. */
	ck_assert_uint_eq(cs_apdu_parse((const uint8_t *)"\x00\xCA\x00\x00\x03\x01\x02", 7, &a), 0x6700);
	ck_assert_uint_eq(cs_apdu_parse((const uint8_t *)"\x00\xCA\x00\x00\x01\x01\x02\x03", 8, &a), 0x6700);
	/* Extended: case 2E, 3E, 4E; Lc 0 and truncated forms rejected. */
	ck_assert_uint_eq(cs_apdu_parse((const uint8_t *)"\x00\xCA\x00\x00\x00\x00\x00", 7, &a), 0);
	ck_assert(a.extended);
	ck_assert_uint_eq(a.le, 65536);
	ck_assert_uint_eq(cs_apdu_parse((const uint8_t *)"\x00\xCA\x00\x00\x00\x00\x01\xAA", 8, &a), 0);
	ck_assert_uint_eq(a.lc, 1);
	ck_assert_uint_eq(cs_apdu_parse((const uint8_t *)"\x00\xCA\x00\x00\x00\x00\x01\xAA\x01\x00", 10, &a), 0);
	ck_assert_uint_eq(a.le, 256);
	ck_assert_uint_eq(cs_apdu_parse((const uint8_t *)"\x00\xCA\x00\x00\x00\x00", 6, &a), 0x6700);
	ck_assert_uint_eq(cs_apdu_parse((const uint8_t *)"\x00\xCA\x00\x00\x00\x00\x00\xAA", 8, &a), 0x6700);
	ck_assert_uint_eq(cs_apdu_parse((const uint8_t *)"\x00\xCA\x00\x00\x00\x00\x02\xAA", 8, &a), 0x6700);
}
END_TEST

START_TEST(cla_and_ins)
{
	struct cs_card *c = tc_card(CS_PROFILE_YUBIKEY);

	ck_assert_uint_eq(tc_send(c, "00", NULL), 0x6700);
	ck_assert_uint_eq(tc_send(c, "80A4040005A000000308", NULL), 0x6E00);
	ck_assert_uint_eq(tc_send(c, "0CA4040005A000000308", NULL), 0x6882);
	ck_assert_uint_eq(tc_send(c, "01A4040005A000000308", NULL), 0x6881);
	/* Nothing selected after power-up. */
	ck_assert_uint_eq(tc_send(c, "00CB3FFF035C017E", NULL), 0x6D00);
	tc_select(c);
	ck_assert_uint_eq(tc_send(c, "0042000000", NULL), 0x6D00);
	ck_assert_uint_eq(tc_send(c, "00CB3FFF035C017E", NULL), 0x6A82);
	cs_card_power(c);
	ck_assert_uint_eq(tc_send(c, "00CB3FFF035C017E", NULL), 0x6D00);
	cs_card_free(c);
}
END_TEST

/* PUT DATA of a 300-byte object, optionally in chained blocks; reads it back. */
static void put_object(struct cs_card *c, bool chained)
{
	uint8_t apdu[400], val[300];
	struct cs_buf r;
	size_t n = 0, i;

	for (i = 0; i < sizeof(val); i++)
		val[i] = (uint8_t)i;
	/* 5C 03 5FC102 53 82 012C value */
	memcpy(apdu, (const uint8_t[]){ 0x5C, 0x03, 0x5F, 0xC1, 0x02, 0x53, 0x82, 0x01, 0x2C }, 9);
	memcpy(apdu + 9, val, sizeof(val));
	n = 9 + sizeof(val);
	cs_buf_init(&r);
	if (chained) {
		uint8_t blk[260];

		memcpy(blk, (const uint8_t[]){ 0x10, 0xDB, 0x3F, 0xFF, 200 }, 5);
		memcpy(blk + 5, apdu, 200);
		ck_assert_uint_eq(tc_send_raw(c, blk, 205, NULL), 0x9000);
		memcpy(blk, (const uint8_t[]){ 0x00, 0xDB, 0x3F, 0xFF, (uint8_t)(n - 200) }, 5);
		memcpy(blk + 5, apdu + 200, n - 200);
		ck_assert_uint_eq(tc_send_raw(c, blk, 5 + n - 200, NULL), 0x9000);
	} else {
		uint8_t ext[420];

		memcpy(ext, (const uint8_t[]){ 0x00, 0xDB, 0x3F, 0xFF, 0x00, (uint8_t)(n >> 8), (uint8_t)n }, 7);
		memcpy(ext + 7, apdu, n);
		ck_assert_uint_eq(tc_send_raw(c, ext, 7 + n, NULL), 0x9000);
	}
	/* Short Le: 256 bytes then 61xx; GET RESPONSE for the rest. */
	ck_assert_uint_eq(tc_send(c, "00CB3FFF055C035FC10200", &r), 0x6130);
	ck_assert_uint_eq(r.len, 256);
	ck_assert_mem_eq(r.data + 4, val, 252);
	ck_assert_uint_eq(tc_send(c, "00C0000030", &r), 0x9000);
	ck_assert_uint_eq(r.len, 304 - 256);
	ck_assert_mem_eq(r.data, val + 252, 48);
	ck_assert_uint_eq(tc_send(c, "00C0000000", &r), 0x6985);
	cs_buf_free(&r);
}

START_TEST(command_chaining)
{
	struct cs_card *c = tc_card(CS_PROFILE_YUBIKEY);

	tc_select(c);
	ck_assert_uint_eq(tc_mgm_auth(c, 0x03, mgm3des), 0x9000);
	put_object(c, true);
	/* Out of order: a different INS while a chain is open. */
	ck_assert_uint_eq(tc_send(c, "10DB3FFF035C0101", NULL), 0x9000);
	ck_assert_uint_eq(tc_send(c, "00CB3FFF035C017E", NULL), 0x6883);
	/* The chain was dropped: the next command runs normally. */
	ck_assert_uint_eq(tc_send(c, "00CB3FFF035C017E", NULL), 0x6A82);
	/* Same INS, other P1/P2. */
	ck_assert_uint_eq(tc_send(c, "10DB3FFF035C0101", NULL), 0x9000);
	ck_assert_uint_eq(tc_send(c, "00DB3FFE0101", NULL), 0x6883);
	/* A chain whose reassembled data is malformed. */
	ck_assert_uint_eq(tc_send(c, "10DB3FFF025C03", NULL), 0x9000);
	ck_assert_uint_eq(tc_send(c, "00DB3FFF025FC1", NULL), 0x6A80);
	cs_card_free(c);
}
END_TEST

START_TEST(extended_length)
{
	struct cs_card *c = tc_card(CS_PROFILE_YUBIKEY);
	struct cs_buf r;

	cs_buf_init(&r);
	tc_select(c);
	ck_assert_uint_eq(tc_mgm_auth(c, 0x03, mgm3des), 0x9000);
	put_object(c, false);
	/* Extended Le: the whole object at once. */
	ck_assert_uint_eq(tc_send(c, "00CB3FFF0000055C035FC1020000", &r), 0x9000);
	ck_assert_uint_eq(r.len, 304);
	/* Le smaller than the answer: chunks of Le. */
	ck_assert_uint_eq(tc_send(c, "00CB3FFF055C035FC10210", &r), 0x6100);
	ck_assert_uint_eq(r.len, 16);
	ck_assert_uint_eq(tc_send(c, "00C0000000", &r), 0x6120); /* 288 - 256 left */
	ck_assert_uint_eq(r.len, 256);
	/* Any other command drops the pending answer. */
	tc_select(c);
	ck_assert_uint_eq(tc_send(c, "00C0000000", &r), 0x6985);
	ck_assert_uint_eq(tc_send(c, "00C0010000", &r), 0x6A86);
	cs_buf_free(&r);
	cs_card_free(c);
}
END_TEST

START_TEST(no_extended)
{
	struct cs_card *c = tc_card(CS_PROFILE_YUBIKEY);
	struct cs_buf r;

	cs_buf_init(&r);
	c->no_extended = true;
	tc_select(c);
	ck_assert_uint_eq(tc_send(c, "00A404000000 05A000000308", NULL), 0x6700);
	ck_assert_uint_eq(tc_mgm_auth(c, 0x03, mgm3des), 0x9000);
	put_object(c, true);
	cs_buf_free(&r);
	cs_card_free(c);
}
END_TEST

START_TEST(tlv_bounds)
{
	struct cs_tlv t;
	const uint8_t *p;
	size_t left;

	p = (const uint8_t *)"\x53\x05\x01\x02";
	left = 4;
	ck_assert_int_eq(cs_tlv_next(&p, &left, &t), -1); /* value truncated */
	p = (const uint8_t *)"\x5F";
	left = 1;
	ck_assert_int_eq(cs_tlv_next(&p, &left, &t), -1); /* tag truncated */
	p = (const uint8_t *)"\x5F\xC1";
	left = 2;
	ck_assert_int_eq(cs_tlv_next(&p, &left, &t), -1);
	p = (const uint8_t *)"\x5F\xC1\xC1\x02\x00";
	left = 5;
	ck_assert_int_eq(cs_tlv_next(&p, &left, &t), -1); /* 4-byte tag */
	p = (const uint8_t *)"\x53\x82\x01";
	left = 3;
	ck_assert_int_eq(cs_tlv_next(&p, &left, &t), -1); /* length truncated */
	p = (const uint8_t *)"\x53\x85\x00\x00\x00\x00\x01";
	left = 7;
	ck_assert_int_eq(cs_tlv_next(&p, &left, &t), -1); /* length form too long */
	p = (const uint8_t *)"\x53\x80";
	left = 2;
	ck_assert_int_eq(cs_tlv_next(&p, &left, &t), -1); /* indefinite length */
	p = (const uint8_t *)"\x5F\xC1\x02\x81\x01\xAA";
	left = 6;
	ck_assert_int_eq(cs_tlv_next(&p, &left, &t), 1);
	ck_assert_uint_eq(t.tag, 0x5FC102);
	ck_assert_uint_eq(t.len, 1);
	ck_assert_uint_eq(left, 0);
	ck_assert_int_eq(cs_tlv_next(&p, &left, &t), 0);
}
END_TEST

START_TEST(log_redaction)
{
	char s[200];

	cs_log_format_cmd((const uint8_t *)"\x00\x20\x00\x80\x08" "123456\xFF\xFF", 13, s);
	ck_assert_str_eq(s, "00 20 00 80 08 XX XX XX XX XX XX XX XX");
	cs_log_format_cmd((const uint8_t *)"\x10\x24\x00\x80\x02" "12", 7, s);
	ck_assert_str_eq(s, "10 24 00 80 02 XX XX");
	/* Extended length, case 4: the Le bytes stay visible. */
	cs_log_format_cmd((const uint8_t *)"\x00\x2C\x00\x80\x00\x00\x02" "12" "\x00\x00", 11, s);
	ck_assert_str_eq(s, "00 2C 00 80 00 00 02 XX XX 00 00");
	/* Malformed: everything after the header is hidden. */
	cs_log_format_cmd((const uint8_t *)"\x00\x20\x00\x80\x09" "123", 8, s);
	ck_assert_str_eq(s, "00 20 00 80 09 XX XX XX");
	cs_log_format_cmd((const uint8_t *)"\x00\x20\x00\x80", 4, s);
	ck_assert_str_eq(s, "00 20 00 80");
	cs_log_format_cmd((const uint8_t *)"\x00\xCB\x3F\xFF\x01\x7E", 6, s);
	ck_assert_str_eq(s, "00 CB 3F FF 01 7E");
}
END_TEST

/* Random APDUs, with the card selected and authenticated: never a crash, always an SW. */
START_TEST(random_input)
{
	static const uint8_t ins[] = { 0xA4, 0xCB, 0xDB, 0x20, 0x24, 0x2C, 0x87, 0x47, 0xC0, 0xF7,
				       0xF8, 0xF9, 0xFA, 0xFB, 0xFD, 0xFE, 0xFF, 0x00 };
	struct cs_card *c = tc_card(CS_PROFILE_YUBIKEY);
	uint8_t apdu[300];
	unsigned seed = 1234;
	int i, j, n;

	tc_select(c);
	ck_assert_uint_eq(tc_mgm_auth(c, 0x03, mgm3des), 0x9000);
	for (i = 0; i < 3000; i++) {
		n = 4 + rand_r(&seed) % 60;
		for (j = 0; j < n; j++)
			apdu[j] = (uint8_t)rand_r(&seed);
		apdu[0] = (uint8_t)(rand_r(&seed) % 4 == 0 ? 0x10 : 0x00);
		apdu[1] = ins[rand_r(&seed) % sizeof(ins)];
		if (apdu[1] == 0x47 || apdu[1] == 0xFB || apdu[1] == 0xFA || apdu[1] == 0xFF)
			apdu[1] = 0xCB; /* keep key generation, resets and key changes out */
		if (n > 5 && rand_r(&seed) % 2)
			apdu[4] = (uint8_t)(n - 5); /* mostly well-formed lengths */
		(void)tc_send_raw(c, apdu, (size_t)n, NULL);
	}
	cs_card_free(c);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("cardsim-apdu");
	TCase *tc = tcase_create("apdu");

	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, parse_cases);
	tcase_add_test(tc, cla_and_ins);
	tcase_add_test(tc, command_chaining);
	tcase_add_test(tc, extended_length);
	tcase_add_test(tc, no_extended);
	tcase_add_test(tc, tlv_bounds);
	tcase_add_test(tc, log_redaction);
	tcase_add_test(tc, random_input);
	suite_add_tcase(s, tc);
	return tc_run(s);
}
