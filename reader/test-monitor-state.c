/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * reader/test-monitor-state.c: the monitor's state diffing (monitor-state.c),
 * fed made-up looks: SCardGetStatusChange results turned into reader_seen by
 * the PC/SC backend's own mapping (pcsc_state_to_seen), and a second backend.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <PCSC/pcsclite.h>

#include "reader/monitor-state.h"
#include "reader/pcsc-private.h"

#define MAX_EVENTS 32

struct recorder {
	struct reader_event ev[MAX_EVENTS];
	unsigned n;
};

static struct recorder rec;
static struct reader_emitter em;
static struct reader_set set;
/* What backend 0 ("pcsc") sees: WORLD[0..WORLD_N). */
static struct reader_seen world[4];
static size_t world_n;

static const uint8_t ATR_A[] = { 0x3B, 0xF8, 0x13, 0x00, 0x00, 0x81, 0x31, 0xFE, 0x15 };
static const uint8_t ATR_B[] = { 0x3B, 0x88, 0x80, 0x01, 0x00, 0x00, 0x00, 0x00 };

static void
record (void *user, const struct reader_event *ev)
{
	struct recorder *r = user;

	ck_assert_uint_lt (r->n, MAX_EVENTS);
	r->ev[r->n++] = *ev;
}

static void
setup (void)
{
	memset (&rec, 0, sizeof rec);
	em.cb = record;
	em.user = &rec;
	em.count = 0;
	reader_set_init (&set);
	memset (world, 0, sizeof world);
	world_n = 0;
}

static void
teardown (void)
{
	reader_set_clear (&set);
}

static void
forget_events (void)
{
	rec.n = 0;
	em.count = 0;
}

/* A dwEventState as pcsc-lite builds it. */
static uint32_t
state (uint32_t bits, unsigned counter)
{
	return bits | SCARD_STATE_CHANGED | ((uint32_t) counter << 16);
}

static void
assert_event (unsigned i, enum reader_event_kind kind, const char *name)
{
	ck_assert_uint_lt (i, rec.n);
	ck_assert_int_eq (rec.ev[i].kind, kind);
	ck_assert_str_eq (rec.ev[i].status.name, name);
}

/* Set WORLD[I] (named NAME) to a pcsc-lite state, without looking. */
static void
put (size_t i, const char *name, uint32_t st, const uint8_t *atr, size_t atr_len)
{
	if (name != world[i].name)
		snprintf (world[i].name, sizeof world[i].name, "%s", name);
	pcsc_state_to_seen (st, atr, atr_len, &world[i]);
	if (i >= world_n)
		world_n = i + 1;
}

static reader_rv
look (void)
{
	return reader_set_apply (&set, 0, "pcsc", world, world_n, &em);
}

/* Reader I now has state ST: look. */
static void
update (size_t i, uint32_t st, const uint8_t *atr, size_t atr_len)
{
	put (i, world[i].name, st, atr, atr_len);
	ck_assert_int_eq (look (), READER_OK);
}

static void
list2 (void)
{
	put (0, "Reader 0", state (SCARD_STATE_EMPTY, 0), NULL, 0);
	put (1, "Reader 1", state (SCARD_STATE_EMPTY, 0), NULL, 0);
	ck_assert_int_eq (look (), READER_OK);
}

/* Two readers, reader 0 with card ATR_A (event counter 1), reader 1 empty. */
static void
list2_card0 (void)
{
	list2 ();
	update (0, state (SCARD_STATE_PRESENT, 1), ATR_A, sizeof ATR_A);
	update (1, state (SCARD_STATE_EMPTY, 0), NULL, 0);
	forget_events ();
}

START_TEST (test_readers_added)
{
	list2 ();
	ck_assert_uint_eq (rec.n, 2);
	ck_assert_uint_eq (em.count, 2);
	assert_event (0, READER_EV_READER_ADDED, "Reader 0");
	assert_event (1, READER_EV_READER_ADDED, "Reader 1");
	ck_assert_int_eq (rec.ev[0].status.present, 1);
	ck_assert_int_eq (rec.ev[0].status.card_present, 0);
	ck_assert_uint_eq (set.count, 2);
	ck_assert_str_eq (rec.ev[0].status.backend, "pcsc");
	ck_assert_str_eq (rec.ev[0].status.manufacturer, "PC/SC reader");

	/* The same list again: nothing. */
	forget_events ();
	list2 ();
	ck_assert_uint_eq (rec.n, 0);
}
END_TEST

START_TEST (test_empty_reader_first_seen)
{
	list2 ();
	forget_events ();
	update (1, state (SCARD_STATE_EMPTY, 0), NULL, 0);
	ck_assert_uint_eq (rec.n, 0);
	ck_assert_int_eq (set.readers[1].observed, 1);
}
END_TEST

START_TEST (test_card_present_at_start)
{
	list2 ();
	forget_events ();
	update (0, state (SCARD_STATE_PRESENT | SCARD_STATE_INUSE, 5), ATR_A, sizeof ATR_A);
	ck_assert_uint_eq (rec.n, 1);
	assert_event (0, READER_EV_CARD_INSERTED, "Reader 0");
	ck_assert_int_eq (rec.ev[0].status.card_present, 1);
	ck_assert_uint_eq (rec.ev[0].status.card_generation, 1);
	ck_assert_uint_eq (rec.ev[0].status.atr_len, sizeof ATR_A);
	ck_assert_mem_eq (rec.ev[0].status.atr, ATR_A, sizeof ATR_A);
	ck_assert_uint_eq (set.readers[0].events, 5);
}
END_TEST

START_TEST (test_insert_remove_reinsert)
{
	list2 ();
	update (1, state (SCARD_STATE_EMPTY, 0), NULL, 0);
	forget_events ();

	update (1, state (SCARD_STATE_PRESENT, 1), ATR_A, sizeof ATR_A);
	ck_assert_uint_eq (rec.n, 1);
	assert_event (0, READER_EV_CARD_INSERTED, "Reader 1");
	ck_assert_uint_eq (rec.ev[0].status.card_generation, 1);

	update (1, state (SCARD_STATE_EMPTY, 2), NULL, 0);
	ck_assert_uint_eq (rec.n, 2);
	assert_event (1, READER_EV_CARD_REMOVED, "Reader 1");
	ck_assert_int_eq (rec.ev[1].status.card_present, 0);
	ck_assert_uint_eq (rec.ev[1].status.atr_len, 0);
	/* The removal names the generation that went away. */
	ck_assert_uint_eq (rec.ev[1].status.card_generation, 1);

	update (1, state (SCARD_STATE_PRESENT, 3), ATR_A, sizeof ATR_A);
	ck_assert_uint_eq (rec.n, 3);
	assert_event (2, READER_EV_CARD_INSERTED, "Reader 1");
	ck_assert_uint_eq (rec.ev[2].status.card_generation, 2);
	ck_assert_uint_eq (em.count, 3);
}
END_TEST

START_TEST (test_swap_by_counter)
{
	list2_card0 ();
	/* Same ATR (same card model), but two events happened between the waits. */
	update (0, state (SCARD_STATE_PRESENT, 3), ATR_A, sizeof ATR_A);
	ck_assert_uint_eq (rec.n, 2);
	assert_event (0, READER_EV_CARD_REMOVED, "Reader 0");
	ck_assert_uint_eq (rec.ev[0].status.card_generation, 1);
	assert_event (1, READER_EV_CARD_INSERTED, "Reader 0");
	ck_assert_uint_eq (rec.ev[1].status.card_generation, 2);
	ck_assert_int_eq (rec.ev[1].status.card_present, 1);
}
END_TEST

START_TEST (test_swap_by_counter_wraps)
{
	list2 ();
	update (0, state (SCARD_STATE_PRESENT, 0xFFFF), ATR_A, sizeof ATR_A);
	forget_events ();
	update (0, state (SCARD_STATE_PRESENT, 0x0001), ATR_A, sizeof ATR_A);
	ck_assert_uint_eq (rec.n, 2);
	assert_event (0, READER_EV_CARD_REMOVED, "Reader 0");
	assert_event (1, READER_EV_CARD_INSERTED, "Reader 0");
}
END_TEST

START_TEST (test_swap_by_atr)
{
	list2_card0 ();
	/* Counter unchanged (not trusted, e.g. 0), but another card answers. */
	update (0, state (SCARD_STATE_PRESENT, 1), ATR_B, sizeof ATR_B);
	ck_assert_uint_eq (rec.n, 2);
	assert_event (0, READER_EV_CARD_REMOVED, "Reader 0");
	assert_event (1, READER_EV_CARD_INSERTED, "Reader 0");
	ck_assert_uint_eq (rec.ev[1].status.atr_len, sizeof ATR_B);
	ck_assert_mem_eq (rec.ev[1].status.atr, ATR_B, sizeof ATR_B);
}
END_TEST

START_TEST (test_no_change)
{
	list2_card0 ();
	/* Another process connected: INUSE appears, nothing for us. */
	update (0, state (SCARD_STATE_PRESENT | SCARD_STATE_INUSE, 1), ATR_A, sizeof ATR_A);
	update (1, state (SCARD_STATE_EMPTY, 0), NULL, 0);
	ck_assert_uint_eq (rec.n, 0);
	ck_assert_int_eq (set.readers[0].status.card_present, 1);
	ck_assert_uint_eq (set.readers[0].status.card_generation, 1);
}
END_TEST

START_TEST (test_card_came_and_went)
{
	list2_card0 ();
	update (1, state (SCARD_STATE_EMPTY, 2), NULL, 0);
	ck_assert_uint_eq (rec.n, 2);
	assert_event (0, READER_EV_CARD_INSERTED, "Reader 1");
	ck_assert_uint_eq (rec.ev[0].status.card_generation, 2);
	assert_event (1, READER_EV_CARD_REMOVED, "Reader 1");
	ck_assert_int_eq (set.readers[1].status.card_present, 0);
}
END_TEST

START_TEST (test_mute_card_is_no_card)
{
	list2_card0 ();
	update (1, state (SCARD_STATE_PRESENT | SCARD_STATE_MUTE, 1), NULL, 0);
	ck_assert_uint_eq (rec.n, 0);
	/* It answers after all. */
	update (1, state (SCARD_STATE_PRESENT, 1), ATR_B, sizeof ATR_B);
	ck_assert_uint_eq (rec.n, 1);
	assert_event (0, READER_EV_CARD_INSERTED, "Reader 1");
}
END_TEST

START_TEST (test_reader_unavailable)
{
	list2_card0 ();
	/* pcsc-lite reports a broken reader as UNAVAILABLE alone (counter bits cleared). */
	update (0, SCARD_STATE_UNAVAILABLE | SCARD_STATE_CHANGED, NULL, 0);
	ck_assert_uint_eq (rec.n, 1);
	assert_event (0, READER_EV_CARD_REMOVED, "Reader 0");
	/* Back, with the same card: a new insertion; the counter is not compared. */
	update (0, state (SCARD_STATE_PRESENT, 1), ATR_A, sizeof ATR_A);
	ck_assert_uint_eq (rec.n, 2);
	assert_event (1, READER_EV_CARD_INSERTED, "Reader 0");
}
END_TEST

START_TEST (test_reader_unknown)
{
	struct reader_seen seen;

	/* pcsc-lite's UNKNOWN is no card (the backend leaves such a reader out). */
	pcsc_state_to_seen (SCARD_STATE_UNKNOWN | SCARD_STATE_PRESENT | SCARD_STATE_CHANGED, ATR_A,
	                    sizeof ATR_A, &seen);
	ck_assert_int_eq (seen.card_present, 0);
	ck_assert_uint_eq (seen.atr_len, 0);
	pcsc_state_to_seen (SCARD_STATE_UNAVAILABLE, NULL, 0, &seen);
	ck_assert_int_eq (seen.counted, 0);
	pcsc_state_to_seen (state (SCARD_STATE_PRESENT, 7), ATR_A, sizeof ATR_A, &seen);
	ck_assert_int_eq (seen.counted, 1);
	ck_assert_uint_eq (seen.events, 7);
	ck_assert_int_eq (seen.card_present, 1);
}
END_TEST

START_TEST (test_reader_removed_with_card)
{
	list2_card0 ();
	world[0] = world[1];
	world_n = 1;
	ck_assert_int_eq (look (), READER_OK);
	ck_assert_uint_eq (rec.n, 2);
	assert_event (0, READER_EV_CARD_REMOVED, "Reader 0");
	ck_assert_uint_eq (rec.ev[0].status.card_generation, 1);
	assert_event (1, READER_EV_READER_REMOVED, "Reader 0");
	ck_assert_int_eq (rec.ev[1].status.present, 0);
	ck_assert_uint_eq (set.count, 1);
	ck_assert_str_eq (set.readers[0].status.name, "Reader 1");
	ck_assert_int_eq (reader_set_find (&set, "Reader 0"), -1);
}
END_TEST

START_TEST (test_reader_added_and_removed)
{
	list2_card0 ();
	world[0] = world[1];
	put (1, "Reader 2", state (SCARD_STATE_EMPTY, 0), NULL, 0);
	world[2] = world[1];
	ck_assert_int_eq (look (), READER_OK);
	ck_assert_uint_eq (rec.n, 3);
	assert_event (0, READER_EV_CARD_REMOVED, "Reader 0");
	assert_event (1, READER_EV_READER_REMOVED, "Reader 0");
	assert_event (2, READER_EV_READER_ADDED, "Reader 2");
	ck_assert_uint_eq (set.count, 2);
	ck_assert_int_eq (reader_set_find (&set, "Reader 2"), 1);
	/* The new reader's card shows at its first observation. */
	update (1, state (SCARD_STATE_PRESENT, 1), ATR_B, sizeof ATR_B);
	assert_event (3, READER_EV_CARD_INSERTED, "Reader 2");
	ck_assert_uint_eq (rec.ev[3].status.card_generation, 2);
}
END_TEST

START_TEST (test_all_readers_gone)
{
	list2_card0 ();
	world_n = 0;
	ck_assert_int_eq (look (), READER_OK);
	ck_assert_uint_eq (rec.n, 3);
	assert_event (0, READER_EV_CARD_REMOVED, "Reader 0");
	assert_event (1, READER_EV_READER_REMOVED, "Reader 0");
	assert_event (2, READER_EV_READER_REMOVED, "Reader 1");
	ck_assert_uint_eq (set.count, 0);
}
END_TEST

START_TEST (test_long_name_skipped)
{
	put (0, "x", state (SCARD_STATE_EMPTY, 0), NULL, 0);
	memset (world[0].name, 'x', sizeof world[0].name);   /* no room for the NUL */
	put (1, "Short", state (SCARD_STATE_EMPTY, 0), NULL, 0);
	world[2] = world[1];
	world[2].name[0] = '\0';                          /* empty */
	world_n = 3;
	ck_assert_int_eq (look (), READER_OK);
	ck_assert_uint_eq (rec.n, 1);
	assert_event (0, READER_EV_READER_ADDED, "Short");
}
END_TEST

START_TEST (test_service_down_up)
{
	list2_card0 ();
	reader_set_service_up (&set, &em);
	ck_assert_uint_eq (rec.n, 1);
	ck_assert_int_eq (rec.ev[0].kind, READER_EV_SERVICE_UP);
	forget_events ();

	reader_set_backend_down (&set, 0, 0, &em);
	ck_assert_uint_eq (rec.n, 2);
	assert_event (0, READER_EV_CARD_REMOVED, "Reader 0");
	ck_assert_int_eq (rec.ev[1].kind, READER_EV_SERVICE_DOWN);
	ck_assert_str_eq (rec.ev[1].status.name, "");
	ck_assert_str_eq (rec.ev[1].status.backend, "");
	/* Readers stay listed, to be observed afresh. */
	ck_assert_uint_eq (set.count, 2);
	ck_assert_int_eq (set.readers[0].observed, 0);
	ck_assert_int_eq (set.readers[1].observed, 0);

	/* Still down: nothing more. */
	reader_set_backend_down (&set, 0, 0, &em);
	ck_assert_uint_eq (rec.n, 2);

	/* Back: SERVICE_UP once, and the card (new pcscd, counter from 0) is a new insertion. */
	reader_set_service_up (&set, &em);
	reader_set_service_up (&set, &em);
	ck_assert_uint_eq (rec.n, 3);
	ck_assert_int_eq (rec.ev[2].kind, READER_EV_SERVICE_UP);
	update (0, state (SCARD_STATE_PRESENT, 0), ATR_A, sizeof ATR_A);
	ck_assert_uint_eq (rec.n, 4);
	assert_event (3, READER_EV_CARD_INSERTED, "Reader 0");
	ck_assert_uint_eq (rec.ev[3].status.card_generation, 2);
}
END_TEST

START_TEST (test_service_down_at_start)
{
	reader_set_backend_down (&set, 0, 0, &em);
	ck_assert_uint_eq (rec.n, 1);
	ck_assert_int_eq (rec.ev[0].kind, READER_EV_SERVICE_DOWN);
}
END_TEST

START_TEST (test_generations_unique_across_readers)
{
	list2 ();
	update (0, state (SCARD_STATE_PRESENT, 1), ATR_A, sizeof ATR_A);
	update (1, state (SCARD_STATE_PRESENT, 1), ATR_A, sizeof ATR_A);
	ck_assert_uint_eq (rec.n, 4);
	ck_assert_uint_eq (rec.ev[2].status.card_generation, 1);
	ck_assert_uint_eq (rec.ev[3].status.card_generation, 2);
}
END_TEST

START_TEST (test_generation_skips_zero)
{
	list2 ();
	set.last_generation = UINT32_MAX;
	update (0, state (SCARD_STATE_PRESENT, 1), ATR_A, sizeof ATR_A);
	ck_assert_uint_eq (set.readers[0].status.card_generation, 1);
}
END_TEST

/* Backend 1 ("ccid") beside backend 0. */
static reader_rv
look1 (const char *name, int card, uint16_t events)
{
	struct reader_seen seen[1];

	memset (seen, 0, sizeof seen);
	snprintf (seen[0].name, sizeof seen[0].name, "%s", name);
	snprintf (seen[0].manufacturer, sizeof seen[0].manufacturer, "ACME");
	seen[0].card_present = card;
	seen[0].counted = 1;
	seen[0].events = events;
	return reader_set_apply (&set, 1, "ccid", seen, name[0] != '\0' ? 1 : 0, &em);
}

START_TEST (test_two_backends)
{
	list2_card0 ();
	ck_assert_int_eq (look1 ("USB Reader", 1, 1), READER_OK);
	ck_assert_uint_eq (rec.n, 2);
	assert_event (0, READER_EV_READER_ADDED, "USB Reader");
	ck_assert_str_eq (rec.ev[0].status.backend, "ccid");
	ck_assert_str_eq (rec.ev[0].status.manufacturer, "ACME");
	assert_event (1, READER_EV_CARD_INSERTED, "USB Reader");
	ck_assert_uint_eq (rec.ev[1].status.card_generation, 2);
	forget_events ();

	/* Backend 0's look does not drop backend 1's reader, nor the reverse. */
	ck_assert_int_eq (look (), READER_OK);
	ck_assert_uint_eq (rec.n, 0);
	ck_assert_uint_eq (set.count, 3);

	/* A name backend 0 reports is not taken by backend 1. */
	ck_assert_int_eq (look1 ("Reader 0", 1, 1), READER_OK);
	ck_assert_uint_eq (rec.n, 2);
	assert_event (0, READER_EV_CARD_REMOVED, "USB Reader");
	assert_event (1, READER_EV_READER_REMOVED, "USB Reader");
	ck_assert_str_eq (set.readers[0].status.backend, "pcsc");
	ck_assert_uint_eq (set.count, 2);
	forget_events ();

	/* Backend 1 goes while backend 0 stays: its cards only, no SERVICE_DOWN. */
	ck_assert_int_eq (look1 ("USB Reader", 1, 1), READER_OK);
	forget_events ();
	reader_set_backend_down (&set, 1, 1, &em);
	ck_assert_uint_eq (rec.n, 1);
	assert_event (0, READER_EV_CARD_REMOVED, "USB Reader");
	ck_assert_int_eq (set.readers[0].status.card_present, 1);
	forget_events ();

	/* Dropping a backend's readers: READER_REMOVED for each. */
	reader_set_drop_backend (&set, 1, &em);
	ck_assert_uint_eq (rec.n, 1);
	assert_event (0, READER_EV_READER_REMOVED, "USB Reader");
	ck_assert_uint_eq (set.count, 2);
}
END_TEST

START_TEST (test_clear_accepts_null)
{
	reader_set_clear (NULL);
}
END_TEST

static Suite *
monitor_state_suite (void)
{
	Suite *s = suite_create ("monitor-state");
	TCase *tc = tcase_create ("diff");

	tcase_add_checked_fixture (tc, setup, teardown);
	tcase_add_test (tc, test_readers_added);
	tcase_add_test (tc, test_empty_reader_first_seen);
	tcase_add_test (tc, test_card_present_at_start);
	tcase_add_test (tc, test_insert_remove_reinsert);
	tcase_add_test (tc, test_swap_by_counter);
	tcase_add_test (tc, test_swap_by_counter_wraps);
	tcase_add_test (tc, test_swap_by_atr);
	tcase_add_test (tc, test_no_change);
	tcase_add_test (tc, test_card_came_and_went);
	tcase_add_test (tc, test_mute_card_is_no_card);
	tcase_add_test (tc, test_reader_unavailable);
	tcase_add_test (tc, test_reader_unknown);
	tcase_add_test (tc, test_reader_removed_with_card);
	tcase_add_test (tc, test_reader_added_and_removed);
	tcase_add_test (tc, test_all_readers_gone);
	tcase_add_test (tc, test_long_name_skipped);
	tcase_add_test (tc, test_service_down_up);
	tcase_add_test (tc, test_service_down_at_start);
	tcase_add_test (tc, test_generations_unique_across_readers);
	tcase_add_test (tc, test_generation_skips_zero);
	tcase_add_test (tc, test_two_backends);
	tcase_add_test (tc, test_clear_accepts_null);
	suite_add_tcase (s, tc);
	return s;
}

int
main (void)
{
	SRunner *sr = srunner_create (monitor_state_suite ());
	int failed;

	srunner_run_all (sr, CK_ENV);
	failed = srunner_ntests_failed (sr);
	srunner_free (sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
