/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * reader/test-monitor.c: the reader monitor over mock backends (the table of
 * struct reader_ops, nothing else): events from a look, blocking until a change,
 * cancel from another thread, a backend going and coming back, a fallback
 * backend that adopts readers only while the primary is down, and stays until
 * its readers are gone.
 */
#include "config.h"

#include <check.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "reader/mock-backend.h"
#include "reader/reader.h"

#define MAX_EVENTS 64

static struct {
	struct reader_event ev[MAX_EVENTS];
	unsigned n;
} rec;

static const uint8_t ATR_A[] = { 0x3B, 0x02, 0x14, 0x50 };
static const uint8_t ATR_B[] = { 0x3B, 0x02, 0x14, 0x51 };

static void
record (void *user, const struct reader_event *ev)
{
	(void) user;
	ck_assert_uint_lt (rec.n, MAX_EVENTS);
	rec.ev[rec.n++] = *ev;
}

static void
setup (void)
{
	memset (&rec, 0, sizeof rec);
	reader_mock_reset (0);
	reader_mock_reset (1);
}

static int
find_event (unsigned from, enum reader_event_kind kind, const char *name)
{
	unsigned i;

	for (i = from; i < rec.n; i++) {
		if (rec.ev[i].kind == kind && (name == NULL || strcmp (rec.ev[i].status.name, name) == 0))
			return (int) i;
	}
	return -1;
}

static struct reader_monitor *
monitor_one (void)
{
	const struct reader_ops *ops[1] = { &reader_mock_ops[0] };
	struct reader_monitor *m = NULL;

	ck_assert_int_eq (reader_monitor_new_backends (ops, NULL, 1, &m), READER_OK);
	return m;
}

static struct reader_monitor *
monitor_fallback (void)
{
	const struct reader_ops *ops[2] = { &reader_mock_ops[0], &reader_mock_ops[1] };
	const int fallback[2] = { 0, 1 };
	struct reader_monitor *m = NULL;

	ck_assert_int_eq (reader_monitor_new_backends (ops, fallback, 2, &m), READER_OK);
	return m;
}

START_TEST (test_first_look)
{
	struct reader_monitor *m;

	reader_mock_add_reader (0, "R0");
	reader_mock_add_reader (0, "R1");
	reader_mock_insert (0, "R1", ATR_A, sizeof ATR_A);
	m = monitor_one ();
	ck_assert_int_eq (reader_monitor_refresh (m, record, NULL), READER_OK);
	ck_assert_uint_eq (rec.n, 4);
	ck_assert_int_eq (rec.ev[0].kind, READER_EV_SERVICE_UP);
	ck_assert_int_eq (find_event (1, READER_EV_READER_ADDED, "R0"), 1);
	ck_assert_int_eq (find_event (1, READER_EV_READER_ADDED, "R1"), 2);
	ck_assert_int_eq (find_event (1, READER_EV_CARD_INSERTED, "R1"), 3);
	ck_assert_str_eq (rec.ev[3].status.backend, "mock0");
	ck_assert_str_eq (rec.ev[3].status.manufacturer, "Mock 0");
	ck_assert_mem_eq (rec.ev[3].status.atr, ATR_A, sizeof ATR_A);
	/* Nothing changed: a refresh times out, without blocking. */
	ck_assert_int_eq (reader_monitor_refresh (m, record, NULL), READER_E_TIMEOUT);
	ck_assert_uint_eq (reader_mock_stats (0).waits, 0);
	reader_monitor_free (m);
	ck_assert_uint_eq (reader_mock_stats (0).open_now, 0);
}
END_TEST

struct waiter {
	struct reader_monitor *m;
	long timeout_ms;
	reader_rv rv;
};

static void *
wait_thread (void *arg)
{
	struct waiter *w = arg;

	w->rv = reader_monitor_wait (w->m, w->timeout_ms, record, NULL);
	return NULL;
}

/* Wait until the waiter blocks in the backend (its wait counter moves). */
static void
until_blocked (size_t backend, unsigned waits)
{
	struct timespec ts = { 0, 2000000 };
	int i;

	for (i = 0; i < 5000 && reader_mock_stats (backend).waits <= waits; i++)
		nanosleep (&ts, NULL);
	ck_assert_uint_gt (reader_mock_stats (backend).waits, waits);
}

START_TEST (test_blocked_wait_sees_change)
{
	struct waiter w = { NULL, -1, READER_E_INVALID };
	pthread_t t;
	unsigned waits;

	reader_mock_add_reader (0, "R0");
	w.m = monitor_one ();
	ck_assert_int_eq (reader_monitor_refresh (w.m, record, NULL), READER_OK);
	rec.n = 0;
	waits = reader_mock_stats (0).waits;
	ck_assert_int_eq (pthread_create (&t, NULL, wait_thread, &w), 0);
	until_blocked (0, waits);
	reader_mock_insert (0, "R0", ATR_A, sizeof ATR_A);
	pthread_join (t, NULL);
	ck_assert_int_eq (w.rv, READER_OK);
	ck_assert_uint_eq (rec.n, 1);
	ck_assert_int_eq (rec.ev[0].kind, READER_EV_CARD_INSERTED);

	/* Swapped between two waits: removed, then inserted. */
	reader_mock_insert (0, "R0", ATR_B, sizeof ATR_B);
	ck_assert_int_eq (reader_monitor_wait (w.m, 1000, record, NULL), READER_OK);
	ck_assert_int_eq (find_event (1, READER_EV_CARD_REMOVED, "R0"), 1);
	ck_assert_int_eq (find_event (2, READER_EV_CARD_INSERTED, "R0"), 2);
	/* Out and back in with the same card between two looks: seen too. */
	reader_mock_reinsert (0, "R0");
	ck_assert_int_eq (reader_monitor_refresh (w.m, record, NULL), READER_OK);
	ck_assert_int_eq (find_event (3, READER_EV_CARD_REMOVED, "R0"), 3);
	ck_assert_int_eq (find_event (4, READER_EV_CARD_INSERTED, "R0"), 4);
	reader_monitor_free (w.m);
}
END_TEST

START_TEST (test_cancel_wakes_wait)
{
	struct waiter w = { NULL, -1, READER_E_INVALID };
	pthread_t t;
	unsigned waits;

	w.m = monitor_one ();
	ck_assert_int_eq (reader_monitor_refresh (w.m, record, NULL), READER_OK);
	waits = reader_mock_stats (0).waits;
	ck_assert_int_eq (pthread_create (&t, NULL, wait_thread, &w), 0);
	until_blocked (0, waits);
	reader_monitor_cancel (w.m);
	pthread_join (t, NULL);
	ck_assert_int_eq (w.rv, READER_E_CANCELLED);
	ck_assert_uint_ge (reader_mock_stats (0).wakes, 1);
	/* Consumed: the next wait times out. */
	ck_assert_int_eq (reader_monitor_wait (w.m, 50, record, NULL), READER_E_TIMEOUT);
	/* A cancel with nobody waiting makes the next wait return at once. */
	reader_monitor_cancel (w.m);
	ck_assert_int_eq (reader_monitor_wait (w.m, 5000, record, NULL), READER_E_CANCELLED);
	reader_monitor_free (w.m);
}
END_TEST

START_TEST (test_service_down_and_back)
{
	struct reader_monitor *m;

	reader_mock_add_reader (0, "R0");
	reader_mock_insert (0, "R0", ATR_A, sizeof ATR_A);
	m = monitor_one ();
	ck_assert_int_eq (reader_monitor_refresh (m, record, NULL), READER_OK);
	rec.n = 0;
	reader_mock_set_up (0, 0);
	ck_assert_int_eq (reader_monitor_wait (m, 2000, record, NULL), READER_OK);
	ck_assert_uint_eq (rec.n, 2);
	ck_assert_int_eq (rec.ev[0].kind, READER_EV_CARD_REMOVED);
	ck_assert_int_eq (rec.ev[1].kind, READER_EV_SERVICE_DOWN);
	ck_assert_uint_eq (reader_mock_stats (0).open_now, 0);
	/* Down: a wait retries (every 500 ms) until the time is up. */
	ck_assert_int_eq (reader_monitor_wait (m, 700, record, NULL), READER_E_TIMEOUT);
	ck_assert_uint_ge (reader_mock_stats (0).opens, 2);
	reader_mock_set_up (0, 1);
	ck_assert_int_eq (reader_monitor_wait (m, 2000, record, NULL), READER_OK);
	ck_assert_int_eq (find_event (2, READER_EV_SERVICE_UP, NULL), 2);
	ck_assert_int_eq (find_event (3, READER_EV_CARD_INSERTED, "R0"), 3);
	ck_assert_uint_eq (rec.ev[3].status.card_generation, 2);
	reader_monitor_free (m);
}
END_TEST

START_TEST (test_fallback_only_while_primary_down)
{
	struct reader_monitor *m;
	int i;

	reader_mock_add_reader (0, "PCSC R0");
	reader_mock_add_reader (1, "USB R1");
	reader_mock_insert (1, "USB R1", ATR_A, sizeof ATR_A);
	m = monitor_fallback ();
	/* Primary up: the fallback is not even opened. */
	ck_assert_int_eq (reader_monitor_refresh (m, record, NULL), READER_OK);
	ck_assert_int_ge (find_event (0, READER_EV_READER_ADDED, "PCSC R0"), 0);
	ck_assert_int_lt (find_event (0, READER_EV_READER_ADDED, "USB R1"), 0);
	ck_assert_uint_eq (reader_mock_stats (1).opens, 0);

	/* Primary down: its card is gone, the fallback adopts the USB reader. */
	rec.n = 0;
	reader_mock_set_up (0, 0);
	ck_assert_int_eq (reader_monitor_refresh (m, record, NULL), READER_OK);
	/* In the same look: no moment without a backend, so no SERVICE_DOWN. */
	ck_assert_int_lt (find_event (0, READER_EV_SERVICE_DOWN, NULL), 0);
	ck_assert_int_ge (find_event (0, READER_EV_READER_ADDED, "USB R1"), 0);
	ck_assert_int_ge (find_event (0, READER_EV_CARD_INSERTED, "USB R1"), 0);
	ck_assert_int_eq (reader_mock_adopted (1, "USB R1"), 1);
	ck_assert_str_eq (rec.ev[find_event (0, READER_EV_CARD_INSERTED, "USB R1")].status.backend,
	                  "mock1");

	/* Primary back: the fallback keeps what it holds but adopts nothing new. */
	reader_mock_set_up (0, 1);
	for (i = 0; i < 50 && reader_mock_stats (0).open_now == 0; i++)
		(void) reader_monitor_wait (m, 100, record, NULL);
	ck_assert_uint_eq (reader_mock_stats (0).open_now, 1);
	rec.n = 0;
	reader_mock_add_reader (1, "USB R2");
	(void) reader_monitor_refresh (m, record, NULL);
	ck_assert_int_lt (find_event (0, READER_EV_READER_ADDED, "USB R2"), 0);
	ck_assert_int_eq (reader_mock_adopted (1, "USB R2"), 0);
	ck_assert_uint_gt (reader_mock_stats (1).enumerates_no_adopt, 0);
	ck_assert_uint_eq (reader_mock_stats (1).open_now, 1);

	/* Its last reader unplugged: the fallback closes. */
	rec.n = 0;
	reader_mock_remove_reader (1, "USB R1");
	ck_assert_int_eq (reader_monitor_refresh (m, record, NULL), READER_OK);
	ck_assert_int_ge (find_event (0, READER_EV_READER_REMOVED, "USB R1"), 0);
	ck_assert_uint_eq (reader_mock_stats (1).open_now, 0);
	reader_monitor_free (m);
}
END_TEST

START_TEST (test_two_open_backends_both_seen)
{
	struct reader_monitor *m;

	reader_mock_add_reader (1, "USB R1");
	reader_mock_set_up (0, 0);
	m = monitor_fallback ();
	ck_assert_int_eq (reader_monitor_refresh (m, record, NULL), READER_OK);
	ck_assert_int_ge (find_event (0, READER_EV_READER_ADDED, "USB R1"), 0);
	reader_mock_set_up (0, 1);
	reader_mock_add_reader (0, "PCSC R0");
	/* Within the retry time the primary is open again; both are watched. */
	rec.n = 0;
	ck_assert_int_eq (reader_monitor_wait (m, 5000, record, NULL), READER_OK);
	ck_assert_int_ge (find_event (0, READER_EV_READER_ADDED, "PCSC R0"), 0);
	/* A card in the fallback's reader is seen while the primary is open too. */
	rec.n = 0;
	reader_mock_insert (1, "USB R1", ATR_B, sizeof ATR_B);
	ck_assert_int_eq (reader_monitor_wait (m, 3000, record, NULL), READER_OK);
	ck_assert_int_ge (find_event (0, READER_EV_CARD_INSERTED, "USB R1"), 0);
	reader_monitor_free (m);
}
END_TEST

START_TEST (test_choice)
{
	enum reader_choice c;

	ck_assert_int_eq (reader_choice_parse ("pcsc", &c), 0);
	ck_assert_int_eq (c, READER_CHOICE_PCSC);
	ck_assert_int_eq (reader_choice_parse ("ccid", &c), 0);
	ck_assert_int_eq (c, READER_CHOICE_CCID);
	ck_assert_int_eq (reader_choice_parse ("auto", &c), 0);
	ck_assert_int_eq (c, READER_CHOICE_AUTO);
	ck_assert_int_eq (reader_choice_parse ("usb", &c), -1);
	ck_assert_int_eq (reader_choice_parse (NULL, &c), -1);
	ck_assert_str_eq (reader_choice_name (READER_CHOICE_AUTO), "auto");
	ck_assert_ptr_eq (reader_ops_for (READER_CHOICE_PCSC), &reader_pcsc_ops);
	if (reader_ccid_ops != NULL) {
		ck_assert_ptr_eq (reader_ops_for (READER_CHOICE_CCID), reader_ccid_ops);
		ck_assert_str_eq (reader_ops_for (READER_CHOICE_AUTO)->name, "auto");
	} else {
		ck_assert_ptr_eq (reader_ops_for (READER_CHOICE_AUTO), &reader_pcsc_ops);
	}
}
END_TEST

int
main (void)
{
	Suite *s = suite_create ("monitor");
	TCase *tc = tcase_create ("mock backends");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture (tc, setup, NULL);
	tcase_set_timeout (tc, 30);
	tcase_add_test (tc, test_first_look);
	tcase_add_test (tc, test_blocked_wait_sees_change);
	tcase_add_test (tc, test_cancel_wakes_wait);
	tcase_add_test (tc, test_service_down_and_back);
	tcase_add_test (tc, test_fallback_only_while_primary_down);
	tcase_add_test (tc, test_two_open_backends_both_seen);
	tcase_add_test (tc, test_choice);
	suite_add_tcase (s, tc);
	sr = srunner_create (s);
	srunner_run_all (sr, CK_ENV);
	failed = srunner_ntests_failed (sr);
	srunner_free (sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
