/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-cardsim-piv.c: SELECT, GET DATA / PUT DATA, VERIFY, CHANGE REFERENCE DATA, RESET RETRY
 * COUNTER: the status words a PIV card answers to good and malformed commands. */
#include "config.h"

#include <string.h>

#include "hex.h"
#include "test-util.h"

static const uint8_t mgm3des[24] = { 1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 6, 7, 8 };

START_TEST(select_aid)
{
	struct cs_card *c = tc_card(CS_PROFILE_YUBIKEY);
	struct cs_buf r;
	struct cs_buf want;

	cs_buf_init(&r);
	cs_buf_init(&want);
	ck_assert_int_eq(cs_hex_decode("6111 4F06000010000100 7907 4F05A000000308", &want), 0);
	ck_assert_uint_eq(tc_send(c, "00A4040009A00000030800001000", &r), 0x9000);
	ck_assert_uint_eq(r.len, want.len);
	ck_assert_mem_eq(r.data, want.data, want.len);
	ck_assert_uint_eq(tc_send(c, "00A404000BA000000308000010000100", NULL), 0x9000);
	ck_assert_uint_eq(tc_send(c, "00A4040005A000000308", NULL), 0x9000);
	ck_assert_uint_eq(tc_send(c, "00A4040004A0000003", NULL), 0x6A82);
	ck_assert_uint_eq(tc_send(c, "00A4040006A00000030801", NULL), 0x6A82);
	ck_assert_uint_eq(tc_send(c, "00A404000CA00000030800001000010000", NULL), 0x6A82);
	ck_assert_uint_eq(tc_send(c, "00A4000005A000000308", NULL), 0x6A86);
	ck_assert_uint_eq(tc_send(c, "00A4040C05A000000308", &r), 0x9000);
	ck_assert_uint_eq(r.len, 0);
	cs_card_free(c);
	/* NIST profile: label and algorithm template AC as well. */
	c = tc_card(CS_PROFILE_NIST);
	ck_assert_uint_eq(tc_send(c, "00A4040005A000000308", &r), 0x9000);
	ck_assert_ptr_nonnull(memchr(r.data, 0xAC, r.len));
	ck_assert_uint_eq(tc_send(c, "00FD000000", NULL), 0x6D00);
	ck_assert_uint_eq(tc_send(c, "00F8000000", NULL), 0x6D00);
	ck_assert_uint_eq(tc_send(c, "00CB3FFF055C035FFF01", NULL), 0x6A82);
	cs_buf_free(&r);
	cs_buf_free(&want);
	cs_card_free(c);
}
END_TEST

START_TEST(get_put_data)
{
	struct cs_card *c = tc_card(CS_PROFILE_YUBIKEY);
	struct cs_buf r;

	cs_buf_init(&r);
	tc_select(c);
	/* Absent objects, bad tag lists and parameters. */
	ck_assert_uint_eq(tc_send(c, "00CB3FFF055C035FC102", NULL), 0x6A82);
	ck_assert_uint_eq(tc_send(c, "00CB3FFF055C035FC1FF", NULL), 0x6A82);
	ck_assert_uint_eq(tc_send(c, "00CB3FFE055C035FC102", NULL), 0x6A86);
	ck_assert_uint_eq(tc_send(c, "00CB3FFF055C045FC102", NULL), 0x6A80);
	ck_assert_uint_eq(tc_send(c, "00CB3FFF055D035FC102", NULL), 0x6A80);
	ck_assert_uint_eq(tc_send(c, "00CB3FFF065C035FC10200", NULL), 0x6A80);
	ck_assert_uint_eq(tc_send(c, "00CB3FFF025C00", NULL), 0x6A80);
	ck_assert_uint_eq(tc_send(c, "00CB3FFF", NULL), 0x6A80);
	/* Writing needs the management key. */
	ck_assert_uint_eq(tc_send(c, "00DB3FFF095C035FC1025302AABB", NULL), 0x6982);
	ck_assert_uint_eq(tc_mgm_auth(c, 0x03, mgm3des), 0x9000);
	ck_assert_uint_eq(tc_send(c, "00DB3FFF095C035FC1025302AABB", NULL), 0x9000);
	ck_assert_uint_eq(tc_send(c, "00CB3FFF055C035FC102", &r), 0x9000);
	ck_assert_uint_eq(r.len, 4);
	ck_assert_mem_eq(r.data, "\x53\x02\xAA\xBB", 4);
	/* Unknown tag, trailing bytes, truncated 53. */
	ck_assert_uint_eq(tc_send(c, "00DB3FFF095C035FC1FF5302AABB", NULL), 0x6A80);
	ck_assert_uint_eq(tc_send(c, "00DB3FFF0A5C035FC1025302AABB00", NULL), 0x6A80);
	ck_assert_uint_eq(tc_send(c, "00DB3FFF085C035FC1025302AA", NULL), 0x6A80);
	ck_assert_uint_eq(tc_send(c, "00DB3FFF075C035FC1025400", NULL), 0x6A80);
	/* Empty 53 deletes. */
	ck_assert_uint_eq(tc_send(c, "00DB3FFF075C035FC1025300", NULL), 0x9000);
	ck_assert_uint_eq(tc_send(c, "00CB3FFF055C035FC102", NULL), 0x6A82);
	/* Discovery object: its own TLV, no 53 wrapper. */
	ck_assert_uint_eq(tc_send(c, "00DB3FFF147E124F0BA0000003080000100001005F2F024000", NULL), 0x9000);
	ck_assert_uint_eq(tc_send(c, "00CB3FFF035C017E", &r), 0x9000);
	ck_assert_uint_eq(r.len, 20);
	ck_assert_uint_eq(r.data[0], 0x7E);
	/* Retired certificate 95 = 5FC120; printed information needs the PIN to read. */
	ck_assert_uint_eq(tc_send(c, "00DB3FFF085C035FC120530101", NULL), 0x9000);
	ck_assert_uint_eq(tc_send(c, "00CB3FFF055C035FC120", NULL), 0x9000);
	ck_assert_uint_eq(tc_send(c, "00DB3FFF085C035FC109530101", NULL), 0x9000);
	ck_assert_uint_eq(tc_send(c, "00CB3FFF055C035FC109", NULL), 0x6982);
	tc_verify(c);
	ck_assert_uint_eq(tc_send(c, "00CB3FFF055C035FC109", NULL), 0x9000);
	cs_buf_free(&r);
	cs_card_free(c);
}
END_TEST

START_TEST(verify_pin)
{
	struct cs_card *c = tc_card(CS_PROFILE_YUBIKEY);

	tc_select(c);
	ck_assert_uint_eq(tc_send(c, "0020008000", NULL), 0x63C3);
	ck_assert_uint_eq(tc_send(c, "00200080", NULL), 0x63C3);
	ck_assert_uint_eq(tc_send(c, "0020008108313233343536FFFF", NULL), 0x6A88);
	ck_assert_uint_eq(tc_send(c, "0020018008313233343536FFFF", NULL), 0x6A86);
	ck_assert_uint_eq(tc_send(c, "0020008006313233343536", NULL), 0x6A80);
	ck_assert_uint_eq(tc_send(c, "0020008008313233343537FFFF", NULL), 0x63C2);
	ck_assert_uint_eq(tc_send(c, "0020008000", NULL), 0x63C2);
	tc_verify(c);
	ck_assert_uint_eq(tc_send(c, "0020008000", NULL), 0x9000);
	ck_assert_uint_eq(tc_send(c, "0020FF80", NULL), 0x9000);
	ck_assert_uint_eq(tc_send(c, "0020008000", NULL), 0x63C3);
	/* Block it. */
	ck_assert_uint_eq(tc_send(c, "0020008008303030303030FFFF", NULL), 0x63C2);
	ck_assert_uint_eq(tc_send(c, "0020008008303030303030FFFF", NULL), 0x63C1);
	ck_assert_uint_eq(tc_send(c, "0020008008303030303030FFFF", NULL), 0x63C0);
	ck_assert_uint_eq(tc_send(c, "0020008008313233343536FFFF", NULL), 0x6983);
	ck_assert_uint_eq(tc_send(c, "0020008000", NULL), 0x6983);
	/* Unblock with the PUK. */
	ck_assert_uint_eq(tc_send(c, "002C0080103132333435363738393939393939FFFF", NULL), 0x9000);
	ck_assert_uint_eq(tc_send(c, "0020008008393939393939FFFF", NULL), 0x9000);
	cs_card_free(c);
}
END_TEST

START_TEST(change_reference)
{
	struct cs_card *c = tc_card(CS_PROFILE_YUBIKEY);

	tc_select(c);
	ck_assert_uint_eq(tc_send(c, "0024008008313233343536FFFF", NULL), 0x6A80);
	ck_assert_uint_eq(tc_send(c, "0024008210313233343536FFFF373737373737FFFF", NULL), 0x6A88);
	ck_assert_uint_eq(tc_send(c, "0024018010313233343536FFFF373737373737FFFF", NULL), 0x6A86);
	/* New PIN too short / bad padding: refused without using a try. */
	ck_assert_uint_eq(tc_send(c, "0024008010313233343536FFFF3737373737FFFFFF", NULL), 0x6A80);
	ck_assert_uint_eq(tc_send(c, "0024008010313233343536FFFF373737FF37373737", NULL), 0x6A80);
	ck_assert_uint_eq(tc_send(c, "0020008000", NULL), 0x63C3);
	ck_assert_uint_eq(tc_send(c, "0024008010313233343537FFFF373737373737FFFF", NULL), 0x63C2);
	ck_assert_uint_eq(tc_send(c, "0024008010313233343536FFFF373737373737FFFF", NULL), 0x9000);
	ck_assert_uint_eq(tc_send(c, "0020008008373737373737FFFF", NULL), 0x9000);
	/* PUK: change, wrong PUK on unblock counts down. */
	ck_assert_uint_eq(tc_send(c, "002400811031323334353637383837363534333231", NULL), 0x9000);
	ck_assert_uint_eq(tc_send(c, "002C008010313233343536373831323334353636FFFF", NULL), 0x63C2);
	ck_assert_uint_eq(tc_send(c, "002C008010383736353433323131323334353636FFFF", NULL), 0x9000);
	cs_card_free(c);
	/* NIST: digits only. */
	c = tc_card(CS_PROFILE_NIST);
	tc_select(c);
	ck_assert_uint_eq(tc_send(c, "0024008010313233343536FFFF616263646566FFFF", NULL), 0x6A80);
	ck_assert_uint_eq(tc_send(c, "0024008010313233343536FFFF393939393939FFFF", NULL), 0x9000);
	cs_card_free(c);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("cardsim-piv");
	TCase *tc = tcase_create("piv");

	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, select_aid);
	tcase_add_test(tc, get_put_data);
	tcase_add_test(tc, verify_pin);
	tcase_add_test(tc, change_reference);
	suite_add_tcase(s, tc);
	return tc_run(s);
}
