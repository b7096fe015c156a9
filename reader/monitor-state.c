/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * reader/monitor-state.c: backends' looks at their readers → events.
 * See monitor-state.h. No backend call here.
 */
#include "config.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "reader/log.h"
#include "reader/monitor-state.h"

static void
emit (struct reader_emitter *em, enum reader_event_kind kind, const struct reader_status *status)
{
	struct reader_event ev;

	memset (&ev, 0, sizeof ev);
	ev.kind = kind;
	if (status != NULL)
		ev.status = *status;
	else
		ev.status.backend = "";
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

static const struct reader_seen *
seen_find (const struct reader_seen *seen, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (strcmp (seen[i].name, name) == 0)
			return &seen[i];
	}
	return NULL;
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

static void
reader_gone (struct reader_set *set, size_t i, struct reader_emitter *em)
{
	struct reader_track *t = &set->readers[i];

	if (t->status.card_present)
		card_removed (t, em);
	t->status.present = 0;
	emit (em, READER_EV_READER_REMOVED, &t->status);
	memmove (t, t + 1, (set->count - i - 1) * sizeof *t);
	set->count--;
}

/* Report and drop BACKEND's readers that are not in SEEN. */
static void
drop_gone (struct reader_set *set, size_t backend, const struct reader_seen *seen, size_t n,
           struct reader_emitter *em)
{
	size_t i = 0;

	while (i < set->count) {
		const struct reader_track *t = &set->readers[i];
		if (t->backend != backend || seen_find (seen, n, t->status.name) != NULL)
			i++;
		else
			reader_gone (set, i, em);
	}
}

/* How many insertions + removals happened between the last look and LOOK, or 0
 * when the counters can't be compared (first look, backend reopened, reader
 * unavailable). */
static unsigned
counter_steps (const struct reader_track *t, const struct reader_seen *look)
{
	if (!t->observed || !t->counted || !look->counted)
		return 0;
	return (uint16_t) (look->events - t->events);
}

/* The backend's manufacturer string, NUL-terminated whatever it gave. */
static void
copy_manufacturer (struct reader_track *t, const struct reader_seen *look)
{
	memcpy (t->status.manufacturer, look->manufacturer, sizeof t->status.manufacturer);
	t->status.manufacturer[sizeof t->status.manufacturer - 1] = '\0';
}

/* Apply one look at a known reader. */
static void
reader_update (struct reader_set *set, struct reader_track *t, const struct reader_seen *look,
               struct reader_emitter *em)
{
	int had = t->status.card_present, has = look->card_present != 0;
	unsigned steps = counter_steps (t, look);
	size_t atr_len = look->atr_len > READER_MAX_ATR ? READER_MAX_ATR : look->atr_len;

	t->status.event_count = look->counted ? look->events : 0;

	if (had && has) {
		int other_atr = atr_len > 0 && t->status.atr_len > 0 &&
		                (atr_len != t->status.atr_len ||
		                 memcmp (look->atr, t->status.atr, atr_len) != 0);
		if (steps >= 2 || other_atr) {
			tsr_log ("monitor", "%s: card swapped (%u events)", t->status.name, steps);
			card_removed (t, em);
			card_inserted (set, t, look->atr, atr_len, em);
		} else if (t->status.atr_len == 0 && atr_len > 0) {
			memcpy (t->status.atr, look->atr, atr_len);   /* powered up meanwhile */
			t->status.atr_len = atr_len;
		}
	} else if (!had && has) {
		card_inserted (set, t, look->atr, atr_len, em);
	} else if (had && !has) {
		card_removed (t, em);
	} else if (steps >= 2) {
		tsr_log ("monitor", "%s: a card came and went (%u events)", t->status.name, steps);
		card_inserted (set, t, NULL, 0, em);
		card_removed (t, em);
	}
	t->observed = 1;
	t->counted = look->counted;
	t->events = look->events;
	copy_manufacturer (t, look);
}

/* Make room for N more readers. */
static reader_rv
set_reserve (struct reader_set *set, size_t n)
{
	struct reader_track *r;
	size_t alloc;

	if (set->count + n <= set->alloc)
		return READER_OK;
	alloc = set->count + n;
	r = realloc (set->readers, alloc * sizeof *r);
	if (r == NULL)
		return READER_E_NO_MEMORY;
	set->readers = r;
	set->alloc = alloc;
	return READER_OK;
}

/* A reader first seen in LOOK: READER_ADDED, then its card. */
static void
reader_added (struct reader_set *set, size_t backend, const char *backend_name,
              const struct reader_seen *look, struct reader_emitter *em)
{
	struct reader_track *t = &set->readers[set->count++];

	memset (t, 0, sizeof *t);
	memcpy (t->status.name, look->name, sizeof t->status.name);
	copy_manufacturer (t, look);
	t->status.backend = backend_name;
	t->status.present = 1;
	t->backend = backend;
	emit (em, READER_EV_READER_ADDED, &t->status);
	reader_update (set, t, look, em);
}

reader_rv
reader_set_apply (struct reader_set *set, size_t backend, const char *backend_name,
                  const struct reader_seen *seen, size_t n, struct reader_emitter *em)
{
	reader_rv ret = READER_OK;
	size_t i;

	assert (set != NULL && em != NULL && backend_name != NULL);
	assert (seen != NULL || n == 0);

	drop_gone (set, backend, seen, n, em);
	for (i = 0; i < n; i++) {
		const struct reader_seen *look = &seen[i];
		long at;
		if (memchr (look->name, '\0', sizeof look->name) == NULL || look->name[0] == '\0') {
			tsr_log ("monitor", "%s: reader name empty or too long, ignored", backend_name);
			continue;
		}
		at = reader_set_find (set, look->name);
		if (at >= 0 && set->readers[at].backend != backend) {
			tsr_log ("monitor", "%s: reader \"%s\" is already reported by %s: ignored",
			         backend_name, look->name, set->readers[at].status.backend);
			continue;
		}
		if (at >= 0) {
			reader_update (set, &set->readers[at], look, em);
			continue;
		}
		ret = set_reserve (set, 1);
		if (ret != READER_OK)
			break;
		reader_added (set, backend, backend_name, look, em);
	}
	return ret;
}

void
reader_set_backend_down (struct reader_set *set, size_t backend, int any_up,
                         struct reader_emitter *em)
{
	size_t i;

	assert (set != NULL && em != NULL);
	for (i = 0; i < set->count; i++) {
		struct reader_track *t = &set->readers[i];
		if (t->backend != backend)
			continue;
		if (t->status.card_present)
			card_removed (t, em);
		t->observed = 0;
	}
	if (!any_up && set->service != READER_SERVICE_DOWN) {
		set->service = READER_SERVICE_DOWN;
		emit (em, READER_EV_SERVICE_DOWN, NULL);
	}
}

void
reader_set_drop_backend (struct reader_set *set, size_t backend, struct reader_emitter *em)
{
	drop_gone (set, backend, NULL, 0, em);
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
