/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * src/test-finalize.c: C_Finalize while other threads are in C_WaitForSlotEvent
 * or entering it, in both thread modes, many times over (mock backend): every
 * waiter returns CKR_CRYPTOKI_NOT_INITIALIZED, nothing crashes or hangs, and
 * C_Initialize may follow C_Finalize at once while the woken waiter is still
 * leaving (NSS's SECMOD_CancelWait). Races show as a crash, a hang (the Check
 * time-out) or, in the sanitizer builds, a report.
 */
#include "config.h"

#include "src/test-mock.h"

#include <check.h>
#include <stdlib.h>
#include <unistd.h>

/* Rounds per thread mode; TSR_FINALIZE_ROUNDS overrides it (make check-valgrind uses fewer:
 * under valgrind's serialised threads each round costs far more). */
#define ROUNDS 200

static int
rounds (void)
{
	const char *env = getenv ("TSR_FINALIZE_ROUNDS");
	int n = env != NULL ? atoi (env) : 0;

	return n > 0 ? n : ROUNDS;
}

static CK_FUNCTION_LIST_PTR f;

static void
setup (void)
{
	tsr_set_backend (&mock_backend);
	mock_setup (1, true);
	ck_assert_int_eq (tsr_get_function_list (&f), CKR_OK);
}

static void
teardown (void)
{
	if (tsr.initialized)
		f->C_Finalize (NULL);
}

struct caller {
	CK_FLAGS flags;            /* 0: a blocking waiter; CKF_DONT_BLOCK: a poller */
	int started;               /* atomic */
	CK_RV rv;                  /* the last answer: CKR_CRYPTOKI_NOT_INITIALIZED at the end */
};

/* Call C_WaitForSlotEvent again and again until the module says it is finalised. */
static void *
caller_main (void *arg)
{
	struct caller *c = arg;
	CK_SLOT_ID slot;

	__atomic_store_n (&c->started, 1, __ATOMIC_RELEASE);
	do
		c->rv = f->C_WaitForSlotEvent (c->flags, &slot, NULL);
	while (c->rv == CKR_OK || c->rv == CKR_NO_EVENT);
	return NULL;
}

static void
init (bool nss_mode)
{
	CK_C_INITIALIZE_ARGS nss = { NULL, NULL, NULL, NULL,
	                             CKF_LIBRARY_CANT_CREATE_OS_THREADS | CKF_OS_LOCKING_OK, NULL };

	ck_assert_int_eq (f->C_Initialize (nss_mode ? &nss : NULL), CKR_OK);
}

static void
finalize_under_callers (bool nss_mode)
{
	struct caller c[2];
	pthread_t t[2];
	int round, i, n = rounds ();

	srand (1);
	for (round = 0; round < n; round++) {
		init (nss_mode);
		c[0] = (struct caller){ 0, 0, 0 };
		c[1] = (struct caller){ CKF_DONT_BLOCK, 0, 0 };
		for (i = 0; i < 2; i++)
			ck_assert_int_eq (pthread_create (&t[i], NULL, caller_main, &c[i]), 0);
		while (!__atomic_load_n (&c[0].started, __ATOMIC_ACQUIRE) ||
		       !__atomic_load_n (&c[1].started, __ATOMIC_ACQUIRE))
			usleep (10);
		usleep ((useconds_t)(rand () % 500));   /* C_Finalize lands anywhere in a call */
		ck_assert_int_eq (f->C_Finalize (NULL), CKR_OK);
		if (round % 2 == 1) {
			/* SECMOD_CancelWait: C_Initialize at once, while the waiter leaves */
			init (nss_mode);
			ck_assert_int_eq (f->C_Finalize (NULL), CKR_OK);
		}
		for (i = 0; i < 2; i++) {
			pthread_join (t[i], NULL);
			ck_assert_int_eq (c[i].rv, CKR_CRYPTOKI_NOT_INITIALIZED);
		}
	}
	/* and the module still works afterwards */
	init (nss_mode);
	ck_assert_int_eq (f->C_Finalize (NULL), CKR_OK);
}

START_TEST (test_finalize_threads)
{
	finalize_under_callers (false);
}
END_TEST

START_TEST (test_finalize_nss)
{
	finalize_under_callers (true);
}
END_TEST

static Suite *
finalize_suite (void)
{
	Suite *s = suite_create ("finalize");
	TCase *tc = tcase_create ("waiters");

	tcase_add_checked_fixture (tc, setup, teardown);
	tcase_set_timeout (tc, 120);
	tcase_add_test (tc, test_finalize_threads);
	tcase_add_test (tc, test_finalize_nss);
	suite_add_tcase (s, tc);
	return s;
}

int
main (void)
{
	SRunner *sr = srunner_create (finalize_suite ());
	int failed;

	mock_keys_make ();   /* once, before the runner forks (see test_fixture_is_cheap) */
	srunner_run_all (sr, CK_ENV);
	failed = srunner_ntests_failed (sr);
	srunner_free (sr);
	mock_teardown ();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
