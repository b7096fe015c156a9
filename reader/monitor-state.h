/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * reader/monitor-state.h: what the reader monitor knows, and how a new look at
 * a backend's readers turns into events (internal to reader/).
 *
 * Pure logic, no backend call: the monitor loop (monitor.c) feeds it what each
 * backend's enumerate() saw; the unit tests feed it made-up looks. Events go
 * out through an emitter, in order, as they are found.
 */
#ifndef TSR_READER_MONITOR_STATE_H
#define TSR_READER_MONITOR_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "reader/reader.h"

/* Passes events to the caller's callback and counts them. */
struct reader_emitter {
	reader_event_cb cb;
	void *user;
	unsigned count;           /* events emitted so far */
};

/* One reader as the monitor tracks it. */
struct reader_track {
	struct reader_status status;
	size_t backend;           /* index of the backend that reports it */
	int observed;             /* seen since its backend was (re)opened */
	int counted;              /* the last look's EVENTS can be compared */
	uint16_t events;          /* the last look's insertion + removal counter */
};

enum reader_service {
	READER_SERVICE_UNKNOWN,   /* not contacted yet */
	READER_SERVICE_UP,        /* at least one backend is reachable */
	READER_SERVICE_DOWN,      /* none is */
};

/* Everything known. Owned by one thread at a time (the monitor's waiter). */
struct reader_set {
	struct reader_track *readers;   /* owned, COUNT in use, ALLOC allocated */
	size_t count;
	size_t alloc;
	uint32_t last_generation;       /* card_generation given to the last insertion (any reader) */
	enum reader_service service;
};

void reader_set_init (struct reader_set *set);

/* Free the readers (not SET itself). Accepts NULL. */
void reader_set_clear (struct reader_set *set);

/* Index of the reader named NAME, or -1. */
long reader_set_find (const struct reader_set *set, const char *name);

/* Apply one look SEEN[0..N) of backend BACKEND (named BACKEND_NAME, a static
 * string): its readers no longer seen report CARD_REMOVED (if a card was in) then
 * READER_REMOVED and are dropped; new ones report READER_ADDED, then their card;
 * known ones report what changed: CARD_INSERTED / CARD_REMOVED; a card swapped
 * between two looks (event counter moved by 2 or more, or a different ATR) reports
 * CARD_REMOVED then CARD_INSERTED; a card that came and went reports CARD_INSERTED
 * then CARD_REMOVED. A name that another backend already reports, or that does
 * not fit READER_MAX_NAME, is skipped (logged). READER_E_NO_MEMORY leaves the new
 * readers out (the next look adds them); what was reported stands. */
reader_rv reader_set_apply (struct reader_set *set, size_t backend, const char *backend_name,
                            const struct reader_seen *seen, size_t n, struct reader_emitter *em);

/* Backend BACKEND went away (or was closed): CARD_REMOVED for each of its cards;
 * its readers stay listed, unobserved. ANY_UP 0: no backend is reachable now:
 * SERVICE_DOWN (once; not again while down). */
void reader_set_backend_down (struct reader_set *set, size_t backend, int any_up,
                              struct reader_emitter *em);

/* Drop the readers of BACKEND (a fallback closed because it held none; or its
 * readers handed over): READER_REMOVED for each, after CARD_REMOVED. */
void reader_set_drop_backend (struct reader_set *set, size_t backend, struct reader_emitter *em);

/* A backend is (back) up: SERVICE_UP (once) if the service was not up. */
void reader_set_service_up (struct reader_set *set, struct reader_emitter *em);

#endif /* TSR_READER_MONITOR_STATE_H */
