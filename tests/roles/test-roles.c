/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tests/roles/test-roles.c: the two roles through the module's API, as an
 * application sees it (dlopen of $TESSERA_MODULE), against a simulated YubiKey
 * with the factory PIN, PUK and management key: the seed's login rules, the PIN
 * and PUK counters in C_GetTokenInfo, C_InitPIN, write protection from the
 * configuration, and the FIPS PIN policy with its one-second delay (last: it
 * changes the PIN). TESSERA_CONF is set before each C_Initialize.
 */
#include "config.h"

#include "src/pkcs11-3.h"

#include <check.h>
#include <stdbool.h>
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void *module;
static CK_FUNCTION_LIST *f;
static CK_SLOT_ID slot;
static char conf_path[512];
static bool started;

#define PIN(s) (CK_UTF8CHAR_PTR)(s), (CK_ULONG)strlen (s)
#define PUK "12345678"
#define MGM "010203040506070801020304050607080102030405060708"

static void
start (const char *conf_text)
{
	CK_RV (*get_list) (CK_FUNCTION_LIST_PTR_PTR);
	CK_ULONG n = 1;
	FILE *fp;

	snprintf (conf_path, sizeof conf_path, "%s/tessera.conf", getenv ("TEST_DIR"));
	fp = fopen (conf_path, "w");
	ck_assert_ptr_nonnull (fp);
	fputs (conf_text, fp);
	fclose (fp);
	setenv ("TESSERA_CONF", conf_path, 1);
	module = dlopen (getenv ("TESSERA_MODULE"), RTLD_NOW | RTLD_LOCAL);
	ck_assert_msg (module != NULL, "dlopen: %s", dlerror ());
	*(void **)&get_list = dlsym (module, "C_GetFunctionList");
	ck_assert_int_eq (get_list (&f), CKR_OK);
	ck_assert_int_eq (f->C_Initialize (NULL), CKR_OK);
	started = true;
	ck_assert_int_eq (f->C_GetSlotList (CK_TRUE, &slot, &n), CKR_OK);
	ck_assert_uint_eq (n, 1);
}

static void
stop (void)
{
	ck_assert_int_eq (f->C_Finalize (NULL), CKR_OK);
	started = false;
	dlclose (module);
}

/* After a failed test (no fork): the next one starts afresh. */
static void
teardown (void)
{
	if (started)
		stop ();
}

static CK_SESSION_HANDLE
open_session (CK_FLAGS rw)
{
	CK_SESSION_HANDLE s = 0;

	ck_assert_int_eq (f->C_OpenSession (slot, CKF_SERIAL_SESSION | rw, NULL, NULL, &s), CKR_OK);
	return s;
}

static CK_FLAGS
token_flags (void)
{
	CK_TOKEN_INFO info;

	ck_assert_int_eq (f->C_GetTokenInfo (slot, &info), CKR_OK);
	return info.flags;
}

static CK_STATE
state (CK_SESSION_HANDLE s)
{
	CK_SESSION_INFO info;

	ck_assert_int_eq (f->C_GetSessionInfo (s, &info), CKR_OK);
	return info.state;
}

static double
now (void)
{
	struct timespec ts;

	clock_gettime (CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

START_TEST (test_so_login_rules)
{
	CK_SESSION_HANDLE ro, rw;

	start ("");
	ro = open_session (0);
	rw = open_session (CKF_RW_SESSION);
	ck_assert_int_eq (f->C_Login (rw, CKU_SO, PIN (PUK)), CKR_SESSION_READ_ONLY_EXISTS);
	ck_assert_int_eq (f->C_CloseSession (ro), CKR_OK);
	ck_assert_int_eq (f->C_Login (rw, CKU_USER, PIN ("123456")), CKR_OK);
	ck_assert_int_eq (f->C_Login (rw, CKU_SO, PIN (PUK)), CKR_USER_ANOTHER_ALREADY_LOGGED_IN);
	ck_assert_int_eq (f->C_Logout (rw), CKR_OK);
	ck_assert_int_eq (f->C_Login (rw, CKU_SO, PIN ("1234567")), CKR_PIN_INCORRECT);
	ck_assert (token_flags () & CKF_SO_PIN_COUNT_LOW);
	ck_assert_int_eq (f->C_Login (rw, CKU_SO, PIN (PUK)), CKR_OK);
	ck_assert (!(token_flags () & CKF_SO_PIN_COUNT_LOW));
	ck_assert_uint_eq (state (rw), CKS_RW_SO_FUNCTIONS);
	ck_assert_int_eq (f->C_OpenSession (slot, CKF_SERIAL_SESSION, NULL, NULL, &ro),
	                  CKR_SESSION_READ_WRITE_SO_EXISTS);
	ck_assert_int_eq (f->C_Login (rw, CKU_USER, PIN ("123456")), CKR_USER_ANOTHER_ALREADY_LOGGED_IN);
	ck_assert_int_eq (f->C_Login (rw, CKU_SO, PIN (PUK)), CKR_USER_ALREADY_LOGGED_IN);
	ck_assert_int_eq (f->C_Logout (rw), CKR_OK);
	ck_assert_uint_eq (state (rw), CKS_RW_PUBLIC_SESSION);
	ck_assert_int_eq (f->C_Login (rw, CKU_SO, PIN ("0102030405060708010203040506070801020304050607ff")),
	                  CKR_PIN_INCORRECT);
	ck_assert_int_eq (f->C_Login (rw, CKU_SO, PIN (MGM)), CKR_OK);
	ck_assert_uint_eq (state (rw), CKS_RW_SO_FUNCTIONS);
	/* PIV unblocks the PIN with the PUK only */
	ck_assert_int_eq (f->C_InitPIN (rw, PIN ("123456")), CKR_FUNCTION_NOT_SUPPORTED);
	ck_assert_int_eq (f->C_Logout (rw), CKR_OK);
	ck_assert_int_eq (f->C_InitPIN (rw, PIN ("123456")), CKR_USER_NOT_LOGGED_IN);
	stop ();
}
END_TEST

START_TEST (test_pin_locked_and_unblocked)
{
	CK_SESSION_HANDLE rw;

	start ("");
	rw = open_session (CKF_RW_SESSION);
	ck_assert (!(token_flags () & (CKF_USER_PIN_COUNT_LOW | CKF_USER_PIN_LOCKED)));
	ck_assert_int_eq (f->C_Login (rw, CKU_USER, PIN ("000000")), CKR_PIN_INCORRECT);
	ck_assert (token_flags () & CKF_USER_PIN_COUNT_LOW);
	ck_assert_int_eq (f->C_Login (rw, CKU_USER, PIN ("000000")), CKR_PIN_INCORRECT);
	ck_assert (token_flags () & CKF_USER_PIN_FINAL_TRY);
	ck_assert_int_eq (f->C_Login (rw, CKU_USER, PIN ("000000")), CKR_PIN_LOCKED);
	ck_assert (token_flags () & CKF_USER_PIN_LOCKED);
	ck_assert_int_eq (f->C_Login (rw, CKU_USER, PIN ("123456")), CKR_PIN_LOCKED);
	ck_assert_int_eq (f->C_Login (rw, CKU_SO, PIN (PUK)), CKR_OK);
	ck_assert_int_eq (f->C_InitPIN (rw, PIN ("12345")), CKR_PIN_LEN_RANGE);
	ck_assert_int_eq (f->C_InitPIN (rw, PIN ("123456")), CKR_OK);
	ck_assert_int_eq (f->C_Logout (rw), CKR_OK);
	ck_assert (!(token_flags () & (CKF_USER_PIN_COUNT_LOW | CKF_USER_PIN_LOCKED)));
	ck_assert_int_eq (f->C_Login (rw, CKU_USER, PIN ("123456")), CKR_OK);
	ck_assert_uint_eq (state (rw), CKS_RW_USER_FUNCTIONS);
	stop ();
}
END_TEST

START_TEST (test_write_protection)
{
	start ("default_management_key = allow\n");
	ck_assert (!(token_flags () & CKF_WRITE_PROTECTED));
	ck_assert (token_flags () & CKF_LOGIN_REQUIRED);
	ck_assert (token_flags () & CKF_USER_PIN_INITIALIZED);
	ck_assert (token_flags () & CKF_TOKEN_INITIALIZED);
	stop ();
	start ("default_management_key = deny\n");
	ck_assert (token_flags () & CKF_WRITE_PROTECTED);
	stop ();
}
END_TEST

START_TEST (test_fips_policy)
{
	static const struct { const char *pin; CK_RV rv; } cases[] = {
		{ "Ab1-x", CKR_PIN_LEN_RANGE },       /* the card's rule: under 6 */
		{ "aB3$xy", CKR_PIN_LEN_RANGE },      /* FIPS: under 7 */
		{ "abcd1234", CKR_PIN_INVALID },      /* two classes */
		{ "Abcdef1", CKR_PIN_INVALID },       /* initial capital and final digit not counted */
		{ "abc-def9", CKR_PIN_INVALID },      /* final digit not counted */
		{ "abcd\xc3\xa9" "fg", CKR_PIN_INVALID }, /* lower + non-ASCII: two */
		{ "ab\xc3\xa9" "1fgh", CKR_OK },      /* lower, non-ASCII, digit: 7 characters in 8 bytes */
	};
	CK_SESSION_HANDLE rw;
	const char *cur = "123456";
	double t;
	size_t i;

	start ("pin_policy = fips\n");
	rw = open_session (CKF_RW_SESSION);
	t = now ();
	ck_assert_int_eq (f->C_Login (rw, CKU_USER, PIN ("000000")), CKR_PIN_INCORRECT);
	ck_assert_msg (now () - t >= 1.0, "a failed login took %.3f s", now () - t);
	t = now ();
	ck_assert_int_eq (f->C_Login (rw, CKU_USER, PIN (cur)), CKR_OK);
	ck_assert_msg (now () - t < 0.9, "a good login took %.3f s", now () - t);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		t = now ();
		ck_assert_msg (f->C_SetPIN (rw, PIN (cur), PIN (cases[i].pin)) == cases[i].rv, "case %zu", i);
		if (cases[i].rv != CKR_OK)
			ck_assert_msg (now () - t >= 1.0, "a failed C_SetPIN took %.3f s", now () - t);
		else
			cur = cases[i].pin;
	}
	ck_assert_int_eq (f->C_Logout (rw), CKR_OK);
	ck_assert_int_eq (f->C_Login (rw, CKU_USER, PIN (cur)), CKR_OK);
	stop ();
}
END_TEST

int
main (void)
{
	Suite *s = suite_create ("roles");
	TCase *tc = tcase_create ("roles");
	SRunner *sr;
	int failed;

	tcase_set_timeout (tc, 60);
	tcase_add_checked_fixture (tc, NULL, teardown);
	tcase_add_test (tc, test_so_login_rules);
	tcase_add_test (tc, test_pin_locked_and_unblocked);
	tcase_add_test (tc, test_write_protection);
	tcase_add_test (tc, test_fips_policy);
	suite_add_tcase (s, tc);
	sr = srunner_create (s);
	srunner_set_fork_status (sr, CK_NOFORK);   /* one card, one order */
	srunner_run_all (sr, CK_ENV);
	failed = srunner_ntests_failed (sr);
	srunner_free (sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
