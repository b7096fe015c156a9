/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * src/test-locking.c: no module lock around card I/O. While one thread's private-key
 * operation is held inside the (mock) card, calls that need no card return at once,
 * and what other threads do meanwhile (a card pulled out, the session closed,
 * C_Finalize) is applied safely: the held operation returns CKR_DEVICE_REMOVED or
 * CKR_SESSION_CLOSED, and nothing it still uses is freed under it (ASan, valgrind).
 * A call that waited for the card would hang here: the Check time-out fails it.
 */
#include "config.h"

#include "src/test-mock.h"

#include <check.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static CK_FUNCTION_LIST_PTR f;
static CK_SLOT_ID slot;
static CK_SESSION_HANDLE sess;
static CK_UTF8CHAR pin[] = MOCK_PIN;

struct signer {
	pthread_t thread;
	CK_SESSION_HANDLE session;
	CK_OBJECT_HANDLE key;
	CK_RV rv;
};

static void
setup (void)
{
	/* as NSS: no module thread, so presence is refreshed by the calls themselves */
	CK_C_INITIALIZE_ARGS args = { NULL, NULL, NULL, NULL, CKF_LIBRARY_CANT_CREATE_OS_THREADS | CKF_OS_LOCKING_OK,
	                              NULL };
	CK_SLOT_ID slots[4];
	CK_ULONG n = 4;

	tsr_set_backend (&mock_backend);
	mock_setup (2, true);
	ck_assert_int_eq (tsr_get_function_list (&f), CKR_OK);
	ck_assert_int_eq (f->C_Initialize (&args), CKR_OK);
	ck_assert_int_eq (f->C_GetSlotList (CK_TRUE, slots, &n), CKR_OK);
	ck_assert_int_eq (n, 1);
	slot = slots[0];
	ck_assert_int_eq (f->C_OpenSession (slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &sess), CKR_OK);
	ck_assert_int_eq (f->C_Login (sess, CKU_USER, pin, 6), CKR_OK);
}

static void
teardown (void)
{
	mock_hold (false);
	if (tsr.initialized)
		f->C_Finalize (NULL);
}

static CK_OBJECT_HANDLE
find_one (CK_SESSION_HANDLE s, CK_OBJECT_CLASS klass, CK_BYTE id)
{
	CK_ATTRIBUTE t[] = { { CKA_CLASS, &klass, sizeof klass }, { CKA_ID, &id, 1 } };
	CK_OBJECT_HANDLE h = 0;
	CK_ULONG n = 0;

	ck_assert_int_eq (f->C_FindObjectsInit (s, t, 2), CKR_OK);
	ck_assert_int_eq (f->C_FindObjects (s, &h, 1, &n), CKR_OK);
	ck_assert_int_eq (f->C_FindObjectsFinal (s), CKR_OK);
	ck_assert_uint_eq (n, 1);
	return h;
}

static void *
sign_thread (void *arg)
{
	struct signer *sg = arg;
	CK_MECHANISM m = { CKM_SHA256_RSA_PKCS, NULL, 0 };
	CK_BYTE data[] = "to be signed", sig[512];
	CK_ULONG len = sizeof sig;

	sg->rv = f->C_SignInit (sg->session, &m, sg->key);
	if (sg->rv == CKR_OK)
		sg->rv = f->C_Sign (sg->session, data, sizeof data, sig, &len);
	return NULL;
}

/* Start a signature in its own session and wait until the card holds it. */
static void
start_held_signature (struct signer *sg)
{
	ck_assert_int_eq (f->C_OpenSession (slot, CKF_SERIAL_SESSION, NULL, NULL, &sg->session), CKR_OK);
	sg->key = find_one (sg->session, CKO_PRIVATE_KEY, 1);
	mock_hold (true);
	ck_assert_int_eq (pthread_create (&sg->thread, NULL, sign_thread, sg), 0);
	mock_wait_held (1);
}

START_TEST (test_no_wait_for_the_card)
{
	CK_BYTE value[4096];
	CK_ATTRIBUTE a = { CKA_VALUE, value, sizeof value };
	CK_SLOT_ID slots[4];
	CK_ULONG n = 4;
	CK_TOKEN_INFO ti;
	CK_SLOT_INFO si;
	CK_SESSION_INFO info;
	struct signer sg;

	start_held_signature (&sg);
	/* the card is busy: none of these needs it, none may wait for it */
	ck_assert_int_eq (f->C_GetSlotList (CK_TRUE, slots, &n), CKR_OK);
	ck_assert_int_eq (f->C_GetSlotInfo (slot, &si), CKR_OK);
	ck_assert_int_eq (f->C_GetTokenInfo (slot, &ti), CKR_OK);
	ck_assert_int_eq (f->C_GetSessionInfo (sess, &info), CKR_OK);
	ck_assert_uint_eq (info.state, CKS_RW_USER_FUNCTIONS);
	ck_assert_int_eq (f->C_GetAttributeValue (sess, find_one (sess, CKO_CERTIFICATE, 1), &a, 1), CKR_OK);
	ck_assert_uint_gt (a.ulValueLen, 100);
	ck_assert_int_eq (mock.held, 1);   /* the signature is still inside the card */
	mock_hold (false);
	pthread_join (sg.thread, NULL);
	ck_assert_int_eq (sg.rv, CKR_OK);
}
END_TEST

START_TEST (test_card_pulled_during_io)
{
	CK_SLOT_INFO si;
	struct signer sg;

	start_held_signature (&sg);
	mock_card_remove ();
	/* the removal is applied now (its token dropped), not when the card call ends */
	ck_assert_int_eq (f->C_GetSlotInfo (slot, &si), CKR_OK);
	ck_assert_uint_eq (si.flags & CKF_TOKEN_PRESENT, 0);
	mock_hold (false);
	pthread_join (sg.thread, NULL);
	ck_assert_int_eq (sg.rv, CKR_DEVICE_REMOVED);
}
END_TEST

START_TEST (test_session_closed_during_io)
{
	struct signer sg;

	start_held_signature (&sg);
	ck_assert_int_eq (f->C_CloseSession (sg.session), CKR_OK);
	mock_hold (false);
	pthread_join (sg.thread, NULL);
	ck_assert_int_eq (sg.rv, CKR_SESSION_CLOSED);
	/* the login stays with the other session */
	ck_assert_int_eq (f->C_CloseSession (sess), CKR_OK);
}
END_TEST

static void *
finalize_thread (void *arg)
{
	*(CK_RV *)arg = f->C_Finalize (NULL);
	return NULL;
}

START_TEST (test_finalize_waits_for_io)
{
	const struct timespec pause = { 0, 100 * 1000 * 1000 };
	struct signer sg;
	pthread_t fin;
	CK_RV frv = CKR_GENERAL_ERROR;

	start_held_signature (&sg);
	ck_assert_int_eq (pthread_create (&fin, NULL, finalize_thread, &frv), 0);
	nanosleep (&pause, NULL);
	ck_assert_int_eq (mock.held, 1);   /* C_Finalize has not freed the token under it */
	mock_hold (false);
	pthread_join (fin, NULL);
	pthread_join (sg.thread, NULL);
	ck_assert_int_eq (frv, CKR_OK);
}
END_TEST

int
main (void)
{
	Suite *s = suite_create ("locking");
	TCase *tc = tcase_create ("io");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture (tc, setup, teardown);
	tcase_set_timeout (tc, 30);
	tcase_add_test (tc, test_no_wait_for_the_card);
	tcase_add_test (tc, test_card_pulled_during_io);
	tcase_add_test (tc, test_session_closed_during_io);
	tcase_add_test (tc, test_finalize_waits_for_io);
	suite_add_tcase (s, tc);
	sr = srunner_create (s);
	srunner_run_all (sr, CK_ENV);
	failed = srunner_ntests_failed (sr);
	srunner_free (sr);
	mock_teardown ();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
