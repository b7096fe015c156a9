/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * apdu/test-tlv.c: BER-TLV reader and builder, and the failure-remembering buffer.
 */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "apdu/buf.h"
#include "apdu/mock-reader.h"
#include "apdu/tlv.h"

static uint8_t *
H (const char *hex, size_t *len)
{
	return mock_unhex (hex, len);
}

START_TEST (test_parse_tags)
{
	static const struct { const char *hex; uint32_t tag; int cons; size_t vlen, used; } cases[] = {
		{ "53 02 AA BB", 0x53, 0, 2, 4 },
		{ "7C 00", 0x7C, 1, 0, 2 },
		{ "7F 49 01 00", 0x7F49, 1, 1, 4 },
		{ "5F C1 05 01 FF", 0x5FC105, 0, 1, 5 },
		{ "9F 81 01 00", 0x9F8101, 1 - 1, 0, 4 },
	};
	size_t i, len, used;
	struct tlv t;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		uint8_t *d = H (cases[i].hex, &len);
		ck_assert_int_eq (tlv_parse (d, len, &t, &used), TLV_OK);
		ck_assert_uint_eq (t.tag, cases[i].tag);
		ck_assert_int_eq (t.constructed, cases[i].cons);
		ck_assert_uint_eq (t.len, cases[i].vlen);
		ck_assert_uint_eq (used, cases[i].used);
		ck_assert_ptr_eq (t.value, d + used - t.len);
		free (d);
	}
}
END_TEST

START_TEST (test_parse_lengths)
{
	uint8_t buf[4 + 70000];
	struct tlv t;
	size_t used;

	memset (buf, 0xAB, sizeof buf);
	buf[0] = 0x53; buf[1] = 0x81; buf[2] = 0x80;
	ck_assert_int_eq (tlv_parse (buf, 3 + 0x80, &t, &used), TLV_OK);
	ck_assert_uint_eq (t.len, 0x80);
	ck_assert_uint_eq (used, 3 + 0x80);

	buf[1] = 0x82; buf[2] = 0x01; buf[3] = 0x00;
	ck_assert_int_eq (tlv_parse (buf, 4 + 0x100, &t, &used), TLV_OK);
	ck_assert_uint_eq (t.len, 0x100);

	buf[1] = 0x83; buf[2] = 0x01; buf[3] = 0x00; buf[4] = 0x01;
	ck_assert_int_eq (tlv_parse (buf, 5 + 0x10001, &t, &used), TLV_OK);
	ck_assert_uint_eq (t.len, 0x10001);
	ck_assert_uint_eq (used, 5 + 0x10001);
	/* one byte short */
	ck_assert_int_eq (tlv_parse (buf, 5 + 0x10000, &t, &used), TLV_MALFORMED);
}
END_TEST

START_TEST (test_parse_malformed)
{
	static const char *bad[] = {
		"53",                /* no length */
		"53 05 01 02",       /* value beyond the end */
		"53 80",             /* indefinite length */
		"53 84 00 00 00 01 00", /* 4-byte length form */
		"53 81",             /* truncated long length */
		"53 82 01",          /* truncated long length */
		"5F",                /* truncated tag */
		"5F C1",             /* truncated 3-byte tag */
		"5F C1 81 01 00",    /* tag longer than 3 bytes */
		"53 81 05 00",       /* long form, value missing */
	};
	size_t i, len;
	struct tlv t;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		uint8_t *d = H (bad[i], &len);
		ck_assert_msg (tlv_parse (d, len, &t, NULL) == TLV_MALFORMED, "case %s", bad[i]);
		free (d);
	}
	ck_assert_int_eq (tlv_parse (NULL, 0, &t, NULL), TLV_END);
}
END_TEST

START_TEST (test_iterate_and_find)
{
	size_t len;
	uint8_t *d = H ("7C 08 82 00 81 02 11 22 85 00  90 01 33", &len);
	struct tlv_iter it;
	struct tlv top, t;
	uint32_t seen[3];
	size_t n = 0;
	tlv_rv rv;

	ck_assert_int_eq (tlv_expect (d, len, 0x7C, 1, &top), TLV_OK);
	ck_assert_int_eq (tlv_expect (d, len, 0x7C, 0, &top), TLV_MALFORMED);   /* trailing 90 01 33 */
	ck_assert_int_eq (tlv_expect (d, 10, 0x7C, 0, &top), TLV_OK);
	ck_assert_int_eq (tlv_expect (d, len, 0x53, 1, &top), TLV_MALFORMED);   /* wrong tag */
	tlv_iter_children (&it, &top);
	while ((rv = tlv_next (&it, &t)) == TLV_OK)
		seen[n++] = t.tag;
	ck_assert_int_eq (rv, TLV_END);
	ck_assert_uint_eq (n, 3);
	ck_assert_uint_eq (seen[0], 0x82);
	ck_assert_uint_eq (seen[1], 0x81);
	ck_assert_uint_eq (seen[2], 0x85);

	ck_assert_int_eq (tlv_find_child (&top, 0x81, &t), TLV_OK);
	ck_assert_uint_eq (t.len, 2);
	ck_assert_uint_eq (t.value[1], 0x22);
	ck_assert_int_eq (tlv_find_child (&top, 0x99, &t), TLV_END);
	ck_assert_int_eq (tlv_find (d, len, 0x90, &t), TLV_OK);
	ck_assert_uint_eq (t.value[0], 0x33);
	free (d);

	/* a malformed object before the one looked for */
	d = H ("01 01 AA 02 05 BB 03 01 CC", &len);
	ck_assert_int_eq (tlv_find (d, len, 0x03, &t), TLV_MALFORMED);
	ck_assert_int_eq (tlv_find (d, len, 0x01, &t), TLV_OK);
	tlv_iter_init (&it, d, len);
	ck_assert_int_eq (tlv_next (&it, &t), TLV_OK);
	ck_assert_int_eq (tlv_next (&it, &t), TLV_MALFORMED);
	ck_assert_int_eq (tlv_next (&it, &t), TLV_END);   /* stays stopped */
	free (d);
}
END_TEST

static void
assert_buf (struct apdu_buf *b, const char *hex)
{
	size_t len;
	uint8_t *want = H (hex, &len);

	ck_assert (!apdu_buf_failed (b));
	ck_assert_uint_eq (b->len, len);
	ck_assert (memcmp (b->data, want, len) == 0);
	free (want);
}

START_TEST (test_build)
{
	struct apdu_buf b;
	size_t mark, inner;
	uint8_t big[300];
	struct tlv t;

	apdu_buf_init (&b);
	mark = tlv_begin (&b, 0x7C);
	tlv_put (&b, 0x82, NULL, 0);
	tlv_put_byte (&b, 0x81, 0x42);
	tlv_end (&b, mark);
	assert_buf (&b, "7C 05 82 00 81 01 42");
	apdu_buf_clear (&b);

	tlv_put_tag (&b, 0x5C);
	tlv_put_len (&b, 3);
	tlv_put_tag (&b, 0x5FC105);
	tlv_put_tag (&b, 0x7F49);
	assert_buf (&b, "5C 03 5F C1 05 7F 49");
	apdu_buf_clear (&b);

	/* long lengths: 81 for 128..255, 82 above */
	memset (big, 0x11, sizeof big);
	mark = tlv_begin (&b, 0x53);
	tlv_put (&b, 0x70, big, 200);
	inner = b.len;
	tlv_end (&b, mark);
	ck_assert (!apdu_buf_failed (&b));
	ck_assert_uint_eq (b.data[0], 0x53);
	ck_assert_uint_eq (b.data[1], 0x81);
	ck_assert_uint_eq (b.data[2], 203);
	ck_assert_uint_eq (b.data[3], 0x70);
	ck_assert_uint_eq (b.data[4], 0x81);
	ck_assert_uint_eq (b.data[5], 200);
	ck_assert_uint_eq (b.len, inner + 2);
	ck_assert_int_eq (tlv_expect (b.data, b.len, 0x53, 0, &t), TLV_OK);
	apdu_buf_clear (&b);

	tlv_put (&b, 0x70, big, 300);
	ck_assert_uint_eq (b.data[1], 0x82);
	ck_assert_uint_eq (b.data[2], 0x01);
	ck_assert_uint_eq (b.data[3], 0x2C);
	ck_assert_uint_eq (b.len, 304);
	apdu_buf_clear (&b);

	ck_assert_uint_eq (tlv_len_size (0x7F), 1);
	ck_assert_uint_eq (tlv_len_size (0xFFFF), 3);
	ck_assert_uint_eq (tlv_len_size (0x10000), 4);
	ck_assert_uint_eq (tlv_len_size (0x1000000), 0);
	ck_assert_uint_eq (tlv_tag_size (0x1000000), 0);
}
END_TEST

START_TEST (test_buf_remembers_failure)
{
	struct apdu_buf b;
	size_t len;
	uint8_t *p;

	apdu_buf_init (&b);
	b.max = 4;
	apdu_buf_add (&b, "ab", 2);
	apdu_buf_add (&b, "cde", 3);    /* over the limit: fails */
	apdu_buf_add (&b, "f", 1);      /* ignored */
	ck_assert (apdu_buf_failed (&b));
	ck_assert_uint_eq (b.len, 2);
	ck_assert_ptr_null (apdu_buf_steal (&b, &len));
	ck_assert_uint_eq (len, 0);
	apdu_buf_clear (&b);

	apdu_buf_init (&b);
	tlv_put_tag (&b, 0x1000000);    /* cannot encode */
	ck_assert (apdu_buf_failed (&b));
	apdu_buf_clear (&b);
	ck_assert (!apdu_buf_failed (&b));

	apdu_buf_add_fill (&b, 0xFF, 100);
	apdu_buf_add_byte (&b, 1);
	p = apdu_buf_steal (&b, &len);
	ck_assert_uint_eq (len, 101);
	ck_assert_uint_eq (p[99], 0xFF);
	ck_assert_uint_eq (p[100], 1);
	free (p);
	ck_assert_ptr_null (b.data);
	apdu_buf_clear (&b);
	apdu_buf_clear (NULL);
}
END_TEST

int
main (void)
{
	Suite *s = suite_create ("tlv");
	TCase *tc = tcase_create ("tlv");
	SRunner *sr;
	int failed;

	tcase_add_test (tc, test_parse_tags);
	tcase_add_test (tc, test_parse_lengths);
	tcase_add_test (tc, test_parse_malformed);
	tcase_add_test (tc, test_iterate_and_find);
	tcase_add_test (tc, test_build);
	tcase_add_test (tc, test_buf_remembers_failure);
	suite_add_tcase (s, tc);
	sr = srunner_create (s);
	srunner_run_all (sr, CK_ENV);
	failed = srunner_ntests_failed (sr);
	srunner_free (sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
