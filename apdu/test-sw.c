/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * apdu/test-sw.c: status words and reader errors → card_rv; names.
 */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "apdu/apdu.h"

START_TEST (test_sw_table)
{
	static const struct { uint16_t sw; card_rv rv; int tries; } cases[] = {
		{ 0x9000, CARD_OK, -1 },
		{ 0x63C2, CARD_E_PIN_INCORRECT, 2 },
		{ 0x63CF, CARD_E_PIN_INCORRECT, 15 },
		{ 0x63C0, CARD_E_PIN_INCORRECT, 0 },
		{ 0x6983, CARD_E_PIN_LOCKED, 0 },
		{ 0x6982, CARD_E_SECURITY, -1 },
		{ 0x6300, CARD_E_AUTH_FAILED, -1 },
		{ 0x6A82, CARD_E_NOT_FOUND, -1 },
		{ 0x6A88, CARD_E_NOT_FOUND, -1 },
		{ 0x6A80, CARD_E_INVALID_DATA, -1 },
		{ 0x6700, CARD_E_INVALID_DATA, -1 },
		{ 0x6A86, CARD_E_INVALID_DATA, -1 },
		{ 0x6A84, CARD_E_NO_SPACE, -1 },
		{ 0x6D00, CARD_E_NOT_SUPPORTED, -1 },
		{ 0x6E00, CARD_E_NOT_SUPPORTED, -1 },
		{ 0x6A81, CARD_E_NOT_SUPPORTED, -1 },
		{ 0x6884, CARD_E_NOT_SUPPORTED, -1 },
		{ 0x6F00, CARD_E_INTERNAL, -1 },
		{ 0x6581, CARD_E_INTERNAL, -1 },
		{ 0x1234, CARD_E_INTERNAL, -1 },
	};
	size_t i;
	int tries;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		tries = 99;
		ck_assert_msg (apdu_sw_rv (cases[i].sw, &tries) == cases[i].rv, "SW %04X", cases[i].sw);
		ck_assert_msg (tries == cases[i].tries, "SW %04X tries %d", cases[i].sw, tries);
		ck_assert (apdu_sw_rv (cases[i].sw, NULL) == cases[i].rv);
		ck_assert_ptr_nonnull (apdu_sw_name (cases[i].sw));
	}
	ck_assert_str_eq (apdu_sw_name (0x6112), "more data");
	ck_assert_str_eq (apdu_sw_name (0x9000), "ok");
}
END_TEST

START_TEST (test_reader_rv)
{
	ck_assert_int_eq (apdu_reader_rv (READER_OK), CARD_OK);
	ck_assert_int_eq (apdu_reader_rv (READER_E_REMOVED), CARD_E_REMOVED);
	ck_assert_int_eq (apdu_reader_rv (READER_E_NO_CARD), CARD_E_REMOVED);
	ck_assert_int_eq (apdu_reader_rv (READER_E_NO_READER), CARD_E_REMOVED);
	ck_assert_int_eq (apdu_reader_rv (READER_E_NO_SERVICE), CARD_E_NO_SERVICE);
	ck_assert_int_eq (apdu_reader_rv (READER_E_COMM), CARD_E_COMM);
	ck_assert_int_eq (apdu_reader_rv (READER_E_SHARING), CARD_E_COMM);
	ck_assert_int_eq (apdu_reader_rv (READER_E_TIMEOUT), CARD_E_COMM);
	ck_assert_int_eq (apdu_reader_rv (READER_E_NO_MEMORY), CARD_E_NO_MEMORY);
	ck_assert_int_eq (apdu_reader_rv (READER_E_INVALID), CARD_E_INTERNAL);
}
END_TEST

START_TEST (test_card_rv_names)
{
	int rv;

	for (rv = CARD_OK; rv <= CARD_E_INTERNAL; rv++) {
		const char *name = card_rv_name ((card_rv)rv);
		ck_assert_ptr_nonnull (name);
		ck_assert (strncmp (name, "CARD_", 5) == 0);
		ck_assert (strstr (name, "unknown") == NULL);
	}
	ck_assert_str_eq (card_rv_name (CARD_E_PIN_LOCKED), "CARD_E_PIN_LOCKED");
	ck_assert_ptr_nonnull (card_rv_name ((card_rv)999));
}
END_TEST

int
main (void)
{
	Suite *s = suite_create ("sw");
	TCase *tc = tcase_create ("sw");
	SRunner *sr;
	int failed;

	tcase_add_test (tc, test_sw_table);
	tcase_add_test (tc, test_reader_rv);
	tcase_add_test (tc, test_card_rv_names);
	suite_add_tcase (s, tc);
	sr = srunner_create (s);
	srunner_run_all (sr, CK_ENV);
	failed = srunner_ntests_failed (sr);
	srunner_free (sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
