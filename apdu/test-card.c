/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * apdu/test-card.c: card_open (driver probe), card_close, card_begin/card_end
 * with a reset by another process, and reader errors at the card boundary.
 */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "apdu/card.h"
#include "apdu/mock-reader.h"

#define SELECT_PIV "00 A4 04 00 0B A0 00 00 03 08 00 00 10 00 01 00 00"
#define SELECT_OPENPGP "00 A4 04 00 06 D2 76 00 01 24 01"
#define APT "61 11 4F 06 00 00 10 00 01 00 79 07 4F 05 A0 00 00 03 08"
#define GET_VERSION "00 FD 00 00 00"
#define GET_CHUID "00 CB 3F FF 05 5C 03 5F C1 02 00"

static void
setup (void)
{
	mock_reset ();
}

static void
teardown (void)
{
	mock_reset ();
}

/* A plain PIV card (no YubiKey extensions) whose CHUID has a GUID. */
static void
script_plain_piv_open (void)
{
	mock_expect (SELECT_PIV, APT " 90 00");
	mock_expect (GET_VERSION, "6D 00");
	mock_expect (GET_CHUID, "53 20 30 0A 00 11 22 33 44 55 66 77 88 99"
	                        " 34 10 00 11 22 33 44 55 66 77 88 99 AA BB CC DD EE FF"
	                        " FE 00 90 00");
}

START_TEST (test_open_plain_piv)
{
	struct card *card = NULL;

	script_plain_piv_open ();
	ck_assert_int_eq (card_open (&mock_reader_ops, "Mock Reader 0", NULL, &card), CARD_OK);
	ck_assert_ptr_nonnull (card);
	ck_assert_ptr_eq (card->driver, &card_driver_piv);
	ck_assert_str_eq (card->info.model, "PIV card");
	ck_assert_str_eq (card->info.manufacturer, "unknown");
	ck_assert_str_eq (card->info.serial, "00112233445566778899AABBCCDDEEFF");
	ck_assert_int_eq (card->info.pin_min, 6);
	ck_assert_int_eq (card->info.pin_max, 8);
	ck_assert_int_eq (card->info.puk_max, 8);
	ck_assert_int_eq (card->info.can_generate, 1);
	ck_assert_int_eq (card->info.can_import, 0);
	ck_assert_int_eq (card->info.has_metadata, 0);
	ck_assert_int_eq (card->in_transaction, 0);
	ck_assert (!mock_in_transaction ());
	ck_assert_ptr_null (mock_check ());
	card_close (card);
	ck_assert_int_eq (mock_connections (), 0);
	card_close (NULL);
}
END_TEST

START_TEST (test_open_not_piv)
{
	struct card *card = (struct card *)1;

	/* Neither application: each driver's SELECT is refused. */
	mock_expect (SELECT_PIV, "6A 82");
	mock_expect (SELECT_OPENPGP, "6A 82");
	ck_assert_int_eq (card_open (&mock_reader_ops, "r", NULL, &card), CARD_E_NOT_SUPPORTED);
	ck_assert_ptr_null (card);
	ck_assert_int_eq (mock_connections (), 0);
	ck_assert_ptr_null (mock_check ());
	/* An application no driver has: no card without a driver, and no APDU. */
	card = (struct card *)1;
	ck_assert_int_eq (card_open (&mock_reader_ops, "r", "nope", &card), CARD_E_NOT_SUPPORTED);
	ck_assert_ptr_null (card);
	ck_assert_int_eq (mock_connections (), 0);
	ck_assert_ptr_null (mock_check ());

	mock_expect_fail (SELECT_PIV, READER_E_REMOVED);
	ck_assert_int_eq (card_open (&mock_reader_ops, "r", NULL, &card), CARD_E_REMOVED);
	ck_assert_int_eq (mock_connections (), 0);

	mock_set_connect_rv (READER_E_NO_SERVICE);
	ck_assert_int_eq (card_open (&mock_reader_ops, "r", NULL, &card), CARD_E_NO_SERVICE);
	mock_set_connect_rv (READER_E_NO_CARD);
	ck_assert_int_eq (card_open (&mock_reader_ops, "r", NULL, &card), CARD_E_REMOVED);
	ck_assert_int_eq (card_open (NULL, "r", NULL, &card), CARD_E_INTERNAL);
}
END_TEST

START_TEST (test_begin_end_reset)
{
	struct card *card = NULL;
	int was_reset = -1;

	script_plain_piv_open ();
	ck_assert_int_eq (card_open (&mock_reader_ops, "r", NULL, &card), CARD_OK);

	ck_assert_int_eq (card_begin (card, &was_reset), CARD_OK);
	ck_assert_int_eq (was_reset, 0);
	ck_assert (mock_in_transaction ());
	ck_assert_int_eq (card_begin (card, &was_reset), CARD_E_INTERNAL);   /* not nested */
	card_end (card);
	ck_assert (!mock_in_transaction ());
	card_end (card);   /* harmless */

	/* another process reset the card: re-select, report it */
	mock_set_begin_rv (READER_E_RESET);
	mock_expect (SELECT_PIV, APT " 90 00");
	ck_assert_int_eq (card_begin (card, &was_reset), CARD_OK);
	ck_assert_int_eq (was_reset, 1);
	ck_assert (mock_in_transaction ());
	card_end (card);

	/* reset, and the re-select fails: no transaction left open */
	mock_set_begin_rv (READER_E_RESET);
	mock_expect_fail (SELECT_PIV, READER_E_REMOVED);
	ck_assert_int_eq (card_begin (card, &was_reset), CARD_E_REMOVED);
	ck_assert (!mock_in_transaction ());
	ck_assert_int_eq (card->in_transaction, 0);

	mock_set_begin_rv (READER_E_REMOVED);
	ck_assert_int_eq (card_begin (card, &was_reset), CARD_E_REMOVED);
	ck_assert_int_eq (was_reset, 0);
	ck_assert (!mock_in_transaction ());
	mock_set_begin_rv (READER_E_NO_SERVICE);
	ck_assert_int_eq (card_begin (card, NULL), CARD_E_NO_SERVICE);

	/* closing inside a transaction ends it */
	ck_assert_int_eq (card_begin (card, NULL), CARD_OK);
	card_close (card);
	ck_assert (!mock_in_transaction ());
	ck_assert_int_eq (mock_connections (), 0);
	ck_assert_ptr_null (mock_check ());
}
END_TEST

START_TEST (test_keys_free)
{
	struct card_key *keys = calloc (2, sizeof *keys);

	keys[0].cert_der = malloc (10);
	keys[1].spki_der = malloc (10);
	card_keys_free (keys, 2);
	card_keys_free (NULL, 5);
}
END_TEST

int
main (void)
{
	Suite *s = suite_create ("card");
	TCase *tc = tcase_create ("card");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture (tc, setup, teardown);
	tcase_add_test (tc, test_open_plain_piv);
	tcase_add_test (tc, test_open_not_piv);
	tcase_add_test (tc, test_begin_end_reset);
	tcase_add_test (tc, test_keys_free);
	suite_add_tcase (s, tc);
	sr = srunner_create (s);
	srunner_run_all (sr, CK_ENV);
	failed = srunner_ntests_failed (sr);
	srunner_free (sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
