/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-util.c: helpers for the cardsim unit tests. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "hex.h"
#include "test-util.h"
#include "tlv.h"

struct cs_card *tc_card(enum cs_profile profile)
{
	struct cs_card *c = cs_card_new(profile, 12345678);

	ck_assert_ptr_nonnull(c);
	return c;
}

uint16_t tc_send_raw(struct cs_card *c, const uint8_t *apdu, size_t n, struct cs_buf *data)
{
	struct cs_buf resp;
	uint16_t sw;

	cs_buf_init(&resp);
	ck_assert_int_eq(cs_card_transmit(c, apdu, n, &resp), 0);
	ck_assert_uint_ge(resp.len, 2);
	sw = (uint16_t)(resp.data[resp.len - 2] << 8 | resp.data[resp.len - 1]);
	if (data != NULL) {
		cs_buf_clear(data);
		ck_assert_int_eq(cs_buf_append(data, resp.data, resp.len - 2), 0);
	}
	cs_buf_free(&resp);
	return sw;
}

uint16_t tc_send(struct cs_card *c, const char *hex, struct cs_buf *data)
{
	struct cs_buf apdu;
	uint16_t sw;

	cs_buf_init(&apdu);
	ck_assert_int_eq(cs_hex_decode(hex, &apdu), 0);
	sw = tc_send_raw(c, apdu.data, apdu.len, data);
	cs_buf_free(&apdu);
	return sw;
}

void tc_select(struct cs_card *c)
{
	ck_assert_uint_eq(tc_send(c, "00A4040005A000000308", NULL), 0x9000);
}

void tc_verify(struct cs_card *c)
{
	ck_assert_uint_eq(tc_send(c, "0020008008313233343536FFFF", NULL), 0x9000);
}

uint16_t tc_mgm_auth(struct cs_card *c, uint8_t alg, const uint8_t *key)
{
	size_t bs = cs_alg_block(alg);
	uint8_t apdu[64], plain[16], chal[16], expect[16];
	struct cs_buf r;
	struct cs_tlv t;
	uint16_t sw;
	size_t n = 0;

	cs_buf_init(&r);
	memcpy(apdu, (const uint8_t[]){ 0x00, 0x87, alg, 0x9B, 0x04, 0x7C, 0x02, 0x80, 0x00 }, 9);
	sw = tc_send_raw(c, apdu, 9, &r);
	ck_assert_uint_eq(sw, 0x9000);
	ck_assert_int_eq(cs_tlv_single(r.data, r.len, 0x7C, &t), 0);
	ck_assert_int_eq(cs_tlv_find(t.val, t.len, 0x80, &t), 1);
	ck_assert_uint_eq(t.len, bs);
	ck_assert_int_eq(cs_crypto_block(alg, key, t.val, plain, false), 0);
	memset(chal, 0x5A, sizeof(chal));
	apdu[n++] = 0x00, apdu[n++] = 0x87, apdu[n++] = alg, apdu[n++] = 0x9B;
	apdu[n++] = (uint8_t)(2 + 2 * (2 + bs)), apdu[n++] = 0x7C, apdu[n++] = (uint8_t)(2 * (2 + bs));
	apdu[n++] = 0x80, apdu[n++] = (uint8_t)bs;
	memcpy(apdu + n, plain, bs), n += bs;
	apdu[n++] = 0x81, apdu[n++] = (uint8_t)bs;
	memcpy(apdu + n, chal, bs), n += bs;
	sw = tc_send_raw(c, apdu, n, &r);
	if (sw == 0x9000) {
		ck_assert_int_eq(cs_crypto_block(alg, key, chal, expect, true), 0);
		ck_assert_uint_eq(r.len, 4 + bs);
		ck_assert_mem_eq(r.data + 4, expect, bs);
	}
	cs_buf_free(&r);
	return sw;
}

void tc_pgp_select(struct cs_card *c)
{
	ck_assert_uint_eq(tc_send(c, "00A4040006D27600012401", NULL), 0x9000);
}

void tc_pgp_verify(struct cs_card *c, uint8_t ref)
{
	char apdu[64];

	if (ref == 0x83)
		snprintf(apdu, sizeof(apdu), "0020008308%s", "3132333435363738");
	else
		snprintf(apdu, sizeof(apdu), "002000%02X06%s", ref, "313233343536");
	ck_assert_uint_eq(tc_send(c, apdu, NULL), 0x9000);
}

static unsigned first_tag_byte(unsigned tag)
{
	while (tag > 0xFF)
		tag >>= 8;
	return tag;
}

int tc_tlv_deep(const uint8_t *p, size_t n, unsigned tag, struct cs_tlv *out)
{
	struct cs_tlv t;

	while (cs_tlv_next(&p, &n, &t) == 1) {
		if (t.tag == tag) {
			*out = t;
			return 1;
		}
		if ((first_tag_byte(t.tag) & 0x20) && tc_tlv_deep(t.val, t.len, tag, out) == 1)
			return 1;
	}
	return 0;
}

int tc_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
