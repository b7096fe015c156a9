/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * reader/test-pcsc-error.c: PC/SC codes → reader_rv, and reader_rv names.
 */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "reader/pcsc-error.h"

static const struct {
	LONG pcsc;
	reader_rv connecting;
	reader_rv connected;
} cases[] = {
	{ SCARD_S_SUCCESS,              READER_OK,           READER_OK },
	{ SCARD_W_REMOVED_CARD,         READER_E_NO_CARD,    READER_E_REMOVED },
	{ SCARD_E_NO_SMARTCARD,         READER_E_NO_CARD,    READER_E_REMOVED },
	{ SCARD_E_READER_UNAVAILABLE,   READER_E_NO_READER,  READER_E_REMOVED },
	{ SCARD_E_UNKNOWN_READER,       READER_E_NO_READER,  READER_E_REMOVED },
	{ SCARD_E_NO_READERS_AVAILABLE, READER_E_NO_READER,  READER_E_NO_READER },
	{ SCARD_E_NO_SERVICE,           READER_E_NO_SERVICE, READER_E_NO_SERVICE },
	{ SCARD_E_SERVICE_STOPPED,      READER_E_NO_SERVICE, READER_E_NO_SERVICE },
	{ SCARD_E_INVALID_HANDLE,       READER_E_NO_SERVICE, READER_E_NO_SERVICE },
	{ SCARD_F_COMM_ERROR,           READER_E_NO_SERVICE, READER_E_NO_SERVICE },
	{ SCARD_E_SHARING_VIOLATION,    READER_E_SHARING,    READER_E_SHARING },
	{ SCARD_E_TIMEOUT,              READER_E_TIMEOUT,    READER_E_TIMEOUT },
	{ SCARD_E_CANCELLED,            READER_E_CANCELLED,  READER_E_CANCELLED },
	{ SCARD_E_NO_MEMORY,            READER_E_NO_MEMORY,  READER_E_NO_MEMORY },
	{ SCARD_E_INVALID_PARAMETER,    READER_E_INVALID,    READER_E_INVALID },
	{ SCARD_E_INSUFFICIENT_BUFFER,  READER_E_INVALID,    READER_E_INVALID },
	{ SCARD_W_RESET_CARD,           READER_E_RESET,      READER_E_RESET },
	{ SCARD_W_UNRESPONSIVE_CARD,    READER_E_COMM,       READER_E_COMM },
	{ SCARD_W_UNPOWERED_CARD,       READER_E_COMM,       READER_E_COMM },
	{ SCARD_E_NOT_TRANSACTED,       READER_E_COMM,       READER_E_COMM },
	{ SCARD_E_PROTO_MISMATCH,       READER_E_COMM,       READER_E_COMM },
};

START_TEST (test_map)
{
	ck_assert_int_eq (reader_pcsc_map (cases[_i].pcsc, READER_PCSC_CONNECTING), cases[_i].connecting);
	ck_assert_int_eq (reader_pcsc_map (cases[_i].pcsc, READER_PCSC_CONNECTED), cases[_i].connected);
}
END_TEST

START_TEST (test_fail_logs_and_maps)
{
	setenv ("TESSERA_DEBUG", "pcsc", 1);
	ck_assert_int_eq (reader_pcsc_fail ("SCardTransmit", "Reader 0", SCARD_W_REMOVED_CARD,
	                                    READER_PCSC_CONNECTED), READER_E_REMOVED);
	ck_assert_int_eq (reader_pcsc_fail ("SCardConnect", NULL, SCARD_E_NO_SMARTCARD,
	                                    READER_PCSC_CONNECTING), READER_E_NO_CARD);
	unsetenv ("TESSERA_DEBUG");
}
END_TEST

START_TEST (test_rv_names)
{
	int rv;

	for (rv = READER_OK; rv <= READER_E_INVALID; rv++) {
		const char *name = reader_rv_name ((reader_rv) rv);
		ck_assert_ptr_nonnull (name);
		ck_assert (strncmp (name, "READER_", 7) == 0);
		ck_assert (strstr (name, "unknown") == NULL);
	}
	ck_assert_str_eq (reader_rv_name (READER_E_REMOVED), "READER_E_REMOVED");
	ck_assert_ptr_nonnull (reader_rv_name ((reader_rv) 999));
}
END_TEST

static Suite *
pcsc_error_suite (void)
{
	Suite *s = suite_create ("pcsc-error");
	TCase *tc = tcase_create ("map");

	tcase_add_loop_test (tc, test_map, 0, (int) (sizeof cases / sizeof cases[0]));
	tcase_add_test (tc, test_fail_logs_and_maps);
	tcase_add_test (tc, test_rv_names);
	suite_add_tcase (s, tc);
	return s;
}

int
main (void)
{
	SRunner *sr = srunner_create (pcsc_error_suite ());
	int failed;

	srunner_run_all (sr, CK_ENV);
	failed = srunner_ntests_failed (sr);
	srunner_free (sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
