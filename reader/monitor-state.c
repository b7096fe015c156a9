/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * reader/monitor-state.c: reader lists and status results → events.
 * See monitor-state.h. No PC/SC call here: only its state bits.
 */
#include "config.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include <PCSC/pcsclite.h>

#include "reader/log.h"
#include "reader/monitor-state.h"

#define COUNTER(state) (((state) >> 16) & 0xFFFFu)

static void
emit (struct reader_emitter *em, enum reader_event_kind kind, const struct reader_status *status)
{
	struct reader_event ev;

	memset (&ev, 0, sizeof ev);
	ev.kind = kind;
	if (status != NULL)
		ev.status = *status;
	em->count++;
	em->cb (em->user, &ev);
}

void
reader_set_init (struct reader_set *set)
{
	assert (set != NULL);
	memset (set, 0, sizeof *set);
	set->service = READER_SERVICE_UNKNOWN;
}

void
reader_set_clear (struct reader_set *set)
{
	if (set == NULL)
		return;
	free (set->readers);
	set->readers = NULL;
	set->count = set->alloc = 0;
}

long
reader_set_find (const struct reader_set *set, const char *name)
{
	size_t i;

	for (i = 0; i < set->count; i++) {
		if (strcmp (set->readers[i].status.name, name) == 0)
			return (long) i;
	}
	return -1;
}

static int
names_contain (const char *const *names, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (strcmp (names[i], name) == 0)
			return 1;
	}
	return 0;
}

static void
card_removed (struct reader_track *t, struct reader_emitter *em)
{
	t->status.card_present = 0;
	t->status.atr_len = 0;
	memset (t->status.atr, 0, sizeof t->status.atr);
	emit (em, READER_EV_CARD_REMOVED, &t->status);
}

static void
card_inserted (struct reader_set *set, struct reader_track *t,
               const uint8_t *atr, size_t atr_len, struct reader_emitter *em)
{
	if (atr_len > READER_MAX_ATR)
		atr_len = READER_MAX_ATR;
	t->status.card_present = 1;
	memset (t->status.atr, 0, sizeof t->status.atr);
	if (atr_len > 0)
		memcpy (t->status.atr, atr, atr_len);
	t->status.atr_len = atr_len;
	set->last_generation++;
	if (set->last_generation == 0)   /* 0 means "never had a card" */
		set->last_generation = 1;
	t->status.card_generation = set->last_generation;
	emit (em, READER_EV_CARD_INSERTED, &t->status);
}

/* Report and drop the readers that are not in NAMES. */
static void
drop_gone (struct reader_set *set, const char *const *names, size_t n, struct reader_emitter *em)
{
	size_t i = 0;

	while (i < set->count) {
		struct reader_track *t = &set->readers[i];
		if (names_contain (names, n, t->status.name)) {
			i++;
			continue;
		}
		if (t->status.card_present)
			card_removed (t, em);
		t->status.present = 0;
		emit (em, READER_EV_READER_REMOVED, &t->status);
		memmove (t, t + 1, (set->count - i - 1) * sizeof *t);
		set->count--;
	}
}

reader_rv
reader_set_relist (struct reader_set *set, const char *const *names, size_t n,
                   struct reader_emitter *em)
{
	size_t i;

	assert (set != NULL && em != NULL);
	assert (names != NULL || n == 0);

	drop_gone (set, names, n, em);
	if (set->count + n > set->alloc) {
		size_t alloc = set->count + n;
		struct reader_track *r = realloc (set->readers, alloc * sizeof *r);
		if (r == NULL)
			return READER_E_NO_MEMORY;
		set->readers = r;
		set->alloc = alloc;
	}
	for (i = 0; i < n; i++) {
		struct reader_track *t;
		if (strlen (names[i]) >= READER_MAX_NAME) {
			tsr_log ("monitor", "reader name too long, ignored: %.40s...", names[i]);
			continue;
		}
		if (reader_set_find (set, names[i]) >= 0)
			continue;
		t = &set->readers[set->count++];
		memset (t, 0, sizeof *t);
		strcpy (t->status.name, names[i]);
		t->status.present = 1;
		emit (em, READER_EV_READER_ADDED, &t->status);
	}
	return READER_OK;
}

/* Is a usable card in the reader, by pcsc-lite's state bits? A mute card
 * (no ATR) or a reader in a bad state counts as no card. */
static int
state_has_card (uint32_t state)
{
	return (state & SCARD_STATE_PRESENT) &&
	       !(state & (SCARD_STATE_MUTE | SCARD_STATE_UNAVAILABLE | SCARD_STATE_UNKNOWN));
}

/* How many insertions + removals pcsc-lite counted between OLD and NEW, or 0
 * when the counter can't be trusted (first observation, reader unavailable:
 * pcsc-lite clears the counter bits then). */
static unsigned
counter_steps (uint32_t old_state, uint32_t new_state)
{
	if (old_state == SCARD_STATE_UNAWARE ||
	    (old_state & SCARD_STATE_UNAVAILABLE) || (new_state & SCARD_STATE_UNAVAILABLE))
		return 0;
	return (COUNTER (new_state) - COUNTER (old_state)) & 0xFFFFu;
}

int
reader_set_update (struct reader_set *set, size_t index, uint32_t event_state,
                   const uint8_t *atr, size_t atr_len, struct reader_emitter *em)
{
	struct reader_track *t;
	int had, has;
	unsigned steps;

	assert (set != NULL && em != NULL && index < set->count);
	assert (atr != NULL || atr_len == 0);
	t = &set->readers[index];
	if (event_state & SCARD_STATE_UNKNOWN) {
		/* Fed back, UNKNOWN keeps pcsc-lite from reporting it again and again
		 * until the caller's re-list drops the reader. */
		t->pcsc_state = event_state & ~(uint32_t) SCARD_STATE_CHANGED;
		return 1;
	}

	had = t->status.card_present;
	has = state_has_card (event_state);
	steps = counter_steps (t->pcsc_state, event_state);
	if (atr_len > READER_MAX_ATR)
		atr_len = READER_MAX_ATR;

	if (had && has) {
		int other_atr = atr_len > 0 && t->status.atr_len > 0 &&
		                (atr_len != t->status.atr_len || memcmp (atr, t->status.atr, atr_len) != 0);
		if (steps >= 2 || other_atr) {
			tsr_log ("monitor", "%s: card swapped (%u events)", t->status.name, steps);
			card_removed (t, em);
			card_inserted (set, t, atr, atr_len, em);
		} else if (t->status.atr_len == 0 && atr_len > 0) {
			memcpy (t->status.atr, atr, atr_len);   /* powered up meanwhile */
			t->status.atr_len = atr_len;
		}
	} else if (!had && has) {
		card_inserted (set, t, atr, atr_len, em);
	} else if (had && !has) {
		card_removed (t, em);
	} else if (steps >= 2) {
		tsr_log ("monitor", "%s: a card came and went (%u events)", t->status.name, steps);
		card_inserted (set, t, NULL, 0, em);
		card_removed (t, em);
	}
	t->pcsc_state = event_state & ~(uint32_t) SCARD_STATE_CHANGED;
	return 0;
}

void
reader_set_service_down (struct reader_set *set, struct reader_emitter *em)
{
	size_t i;

	assert (set != NULL && em != NULL);
	for (i = 0; i < set->count; i++) {
		struct reader_track *t = &set->readers[i];
		if (t->status.card_present)
			card_removed (t, em);
		t->pcsc_state = SCARD_STATE_UNAWARE;
	}
	if (set->service != READER_SERVICE_DOWN) {
		set->service = READER_SERVICE_DOWN;
		emit (em, READER_EV_SERVICE_DOWN, NULL);
	}
}

void
reader_set_service_up (struct reader_set *set, struct reader_emitter *em)
{
	assert (set != NULL && em != NULL);
	if (set->service != READER_SERVICE_UP) {
		set->service = READER_SERVICE_UP;
		emit (em, READER_EV_SERVICE_UP, NULL);
	}
}
