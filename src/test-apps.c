/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * src/test-apps.c: one card, two applications (the mock card's "mock" and "mock2"): a
 * token each, in a slot each, found when the reader's first token is read and announced
 * by a slot event; each its own login; the application selected again when the other one
 * was used in between; both gone with the card, the same slot IDs when it returns, and in
 * the next process.
 */
#include "config.h"

#include "src/test-mock.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

static CK_FUNCTION_LIST_PTR f;
static CK_UTF8CHAR pin[] = MOCK_PIN;

static void
setup (void)
{
	CK_C_INITIALIZE_ARGS args = { NULL, NULL, NULL, NULL, CKF_LIBRARY_CANT_CREATE_OS_THREADS | CKF_OS_LOCKING_OK,
	                              NULL };

	tsr_set_backend (&mock_backend);
	mock_setup (1, true);
	mock.second_app = true;
	ck_assert_int_eq (tsr_get_function_list (&f), CKR_OK);
	ck_assert_int_eq (f->C_Initialize (&args), CKR_OK);
}

static void
teardown (void)
{
	if (tsr.initialized)
		f->C_Finalize (NULL);
}

static CK_ULONG
slots_present (CK_SLOT_ID *out)
{
	CK_ULONG n = 4;

	ck_assert_int_eq (f->C_GetSlotList (CK_TRUE, out, &n), CKR_OK);
	return n;
}

static void
drain_events (void)
{
	CK_SLOT_ID ev;

	while (f->C_WaitForSlotEvent (CKF_DONT_BLOCK, &ev, NULL) == CKR_OK)
		;
}

static void
sign_once (CK_SESSION_HANDLE s)
{
	CK_MECHANISM m = { CKM_SHA256_RSA_PKCS, NULL, 0 };
	CK_OBJECT_CLASS klass = CKO_PRIVATE_KEY;
	CK_BYTE id = 1, sig[512], data[] = "two applications";
	CK_ATTRIBUTE t[] = { { CKA_CLASS, &klass, sizeof klass }, { CKA_ID, &id, 1 } };
	CK_OBJECT_HANDLE key;
	CK_ULONG n = 0, len = sizeof sig;

	ck_assert_int_eq (f->C_FindObjectsInit (s, t, 2), CKR_OK);
	ck_assert_int_eq (f->C_FindObjects (s, &key, 1, &n), CKR_OK);
	ck_assert_int_eq (f->C_FindObjectsFinal (s), CKR_OK);
	ck_assert_uint_eq (n, 1);
	ck_assert_int_eq (f->C_SignInit (s, &m, key), CKR_OK);
	ck_assert_int_eq (f->C_Sign (s, data, sizeof data, sig, &len), CKR_OK);
}

START_TEST (test_two_applications)
{
	CK_SLOT_ID slots[4], first, second, ev;
	CK_TOKEN_INFO ti;
	CK_SLOT_INFO si;
	CK_SESSION_HANDLE s1, s2;
	CK_SESSION_INFO info;

	/* a kind of card never seen: C_GetSlotList finds its applications (no token read) */
	ck_assert_int_eq (mock.open_calls, 0);
	ck_assert_uint_eq (slots_present (slots), 2);
	ck_assert_int_eq (mock.open_calls, 0);
	first = slots[0];
	second = slots[1];
	ck_assert_uint_ne (second, first);
	/* the second application's slot is announced */
	ck_assert_int_eq (f->C_WaitForSlotEvent (CKF_DONT_BLOCK, &ev, NULL), CKR_OK);
	ck_assert_uint_eq (ev, first);   /* the card found at start */
	ck_assert_int_eq (f->C_WaitForSlotEvent (CKF_DONT_BLOCK, &ev, NULL), CKR_OK);
	ck_assert_uint_eq (ev, second);
	drain_events ();
	ck_assert_int_eq (f->C_GetTokenInfo (first, &ti), CKR_OK);
	ck_assert (memcmp (ti.model, "YubiKey 5 ", 10) == 0);
	ck_assert_int_eq (f->C_GetSlotInfo (second, &si), CKR_OK);
	ck_assert (memcmp (si.slotDescription, "Mock Reader 0 (mock2)", 21) == 0);
	ck_assert_uint_eq (si.flags & CKF_TOKEN_PRESENT, CKF_TOKEN_PRESENT);
	ck_assert_int_eq (f->C_GetTokenInfo (second, &ti), CKR_OK);
	ck_assert (memcmp (ti.model, "Mock second appl", 16) == 0);   /* 16 bytes */
	/* a login each */
	ck_assert_int_eq (f->C_OpenSession (first, CKF_SERIAL_SESSION, NULL, NULL, &s1), CKR_OK);
	ck_assert_int_eq (f->C_OpenSession (second, CKF_SERIAL_SESSION, NULL, NULL, &s2), CKR_OK);
	ck_assert_int_eq (f->C_Login (s1, CKU_USER, pin, 6), CKR_OK);
	ck_assert_int_eq (f->C_GetSessionInfo (s2, &info), CKR_OK);
	ck_assert_uint_eq (info.state, CKS_RO_PUBLIC_SESSION);
	ck_assert_int_eq (f->C_Login (s2, CKU_USER, pin, 6), CKR_OK);
	/* alternating between them selects the application again (and restores its login) */
	mock.reselect_calls = 0;
	sign_once (s1);
	sign_once (s1);
	ck_assert_int_eq (mock.reselect_calls, 1);   /* s2's login was the last application's use */
	sign_once (s2);
	sign_once (s1);
	ck_assert_int_eq (mock.reselect_calls, 3);
	/* the card goes: both tokens go; it comes back: the same slots again */
	mock_card_remove ();
	ck_assert_int_eq (f->C_GetTokenInfo (second, &ti), CKR_TOKEN_NOT_PRESENT);
	ck_assert_int_eq (f->C_GetSessionInfo (s2, &info), CKR_SESSION_HANDLE_INVALID);
	ck_assert_uint_eq (slots_present (slots), 0);
	mock_card_insert ();
	ck_assert_uint_eq (slots_present (slots), 2);
	ck_assert_uint_eq (slots[0], first);
	ck_assert_uint_eq (slots[1], second);
}
END_TEST

/* A card with one application: one slot, no application switching. */
START_TEST (test_one_application)
{
	CK_SLOT_ID slots[4];
	CK_TOKEN_INFO ti;
	CK_SESSION_HANDLE s;

	f->C_Finalize (NULL);
	mock_setup (1, true);
	ck_assert_int_eq (f->C_Initialize (NULL), CKR_OK);
	ck_assert_uint_eq (slots_present (slots), 1);
	ck_assert_int_eq (f->C_GetTokenInfo (slots[0], &ti), CKR_OK);
	ck_assert_uint_eq (slots_present (slots), 1);
	ck_assert_int_eq (f->C_OpenSession (slots[0], CKF_SERIAL_SESSION, NULL, NULL, &s), CKR_OK);
	ck_assert_int_eq (f->C_Login (s, CKU_USER, pin, 6), CKR_OK);
	sign_once (s);
	ck_assert_int_eq (mock.reselect_calls, 0);
}
END_TEST

/* The second application's slot has the same ID in every process: its reader's slot's ID
 * and its place on the card say it, not the order in which slots were made (the
 * applications found by C_GetSlotList after every reader was listed, or known from the cache
 * when the card was inserted). */
START_TEST (test_stable_slot_ids)
{
	char dir[] = "/tmp/tessera-apps.XXXXXX", cmd[64];
	CK_SLOT_ID found[4], cached[4];
	CK_SLOT_INFO si;
	CK_C_INITIALIZE_ARGS args = { NULL, NULL, NULL, NULL, CKF_LIBRARY_CANT_CREATE_OS_THREADS | CKF_OS_LOCKING_OK,
	                              NULL };   /* no monitor thread: events are read by the calls */

	f->C_Finalize (NULL);
	ck_assert (mkdtemp (dir) != NULL);
	setenv ("TESSERA_CACHE_DIR", dir, 1);   /* a kind of card never seen */
	mock_setup (2, true);                   /* the card's reader and an empty one */
	mock.second_app = true;
	ck_assert_int_eq (f->C_Initialize (&args), CKR_OK);
	ck_assert_uint_eq (slots_present (found), 2);
	f->C_Finalize (NULL);
	/* the next process: the card is inserted after start, its applications from the cache */
	mock_setup (1, false);
	mock.second_app = true;
	ck_assert_int_eq (f->C_Initialize (&args), CKR_OK);
	ck_assert_uint_eq (slots_present (cached), 0);
	mock_card_insert ();
	ck_assert_uint_eq (slots_present (cached), 2);
	ck_assert_uint_eq (cached[0], found[0]);
	ck_assert_uint_eq (cached[1], found[1]);
	ck_assert_int_eq (f->C_GetSlotInfo (found[1], &si), CKR_OK);
	ck_assert (memcmp (si.slotDescription, "Mock Reader 0 (mock2)", 21) == 0);
	snprintf (cmd, sizeof cmd, "rm -rf '%s'", dir);
	ck_assert_int_eq (system (cmd), 0);
}
END_TEST

int
main (void)
{
	Suite *su = suite_create ("apps");
	TCase *tc = tcase_create ("apps");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture (tc, setup, teardown);
	tcase_add_test (tc, test_two_applications);
	tcase_add_test (tc, test_one_application);
	tcase_add_test (tc, test_stable_slot_ids);
	suite_add_tcase (su, tc);
	sr = srunner_create (su);
	srunner_run_all (sr, CK_ENV);
	failed = srunner_ntests_failed (sr);
	srunner_free (sr);
	mock_teardown ();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
