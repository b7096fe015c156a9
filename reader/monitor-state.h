/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * reader/monitor-state.h: what the reader monitor knows, and how a new
 * observation turns into events (internal to reader/).
 *
 * Pure logic, no PC/SC call: the monitor loop (monitor.c) feeds it reader
 * lists and SCardGetStatusChange results; the unit tests feed it made-up ones.
 * Events go out through an emitter, in order, as they are found.
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
	/* The last dwEventState seen, SCARD_STATE_CHANGED cleared: the next wait's
	 * dwCurrentState. 0 (SCARD_STATE_UNAWARE): not observed yet. The upper 16
	 * bits are pcsc-lite's per-reader event counter (one step per insertion
	 * and per removal). */
	uint32_t pcsc_state;
};

enum reader_service {
	READER_SERVICE_UNKNOWN,   /* not contacted yet */
	READER_SERVICE_UP,
	READER_SERVICE_DOWN,
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

/* Make the reader list NAMES[0..N) (pcscd's current list, in its order):
 * readers no longer listed report CARD_REMOVED (if a card was in) then
 * READER_REMOVED and are dropped; new ones are appended unobserved and report
 * READER_ADDED (their card shows up at the next update). Names that do not fit
 * READER_MAX_NAME are skipped. READER_E_NO_MEMORY leaves SET as it was, except
 * that removals already reported stay done. */
reader_rv reader_set_relist (struct reader_set *set, const char *const *names, size_t n,
                             struct reader_emitter *em);

/* Apply one reader's SCardGetStatusChange result (EVENT_STATE = dwEventState,
 * ATR = rgbAtr[0..ATR_LEN)). Reports CARD_INSERTED / CARD_REMOVED; a card
 * swapped between two observations (event counter moved by 2 or more, or a
 * different ATR) reports CARD_REMOVED then CARD_INSERTED; a card that came and
 * went reports CARD_INSERTED then CARD_REMOVED. Returns 1 when pcsc-lite no
 * longer knows the reader (SCARD_STATE_UNKNOWN): the caller re-lists; else 0. */
int reader_set_update (struct reader_set *set, size_t index, uint32_t event_state,
                       const uint8_t *atr, size_t atr_len, struct reader_emitter *em);

/* pcscd went away: CARD_REMOVED for every card, then SERVICE_DOWN (once; not
 * again while down). Readers stay listed, unobserved. */
void reader_set_service_down (struct reader_set *set, struct reader_emitter *em);

/* pcscd is (back) up: SERVICE_UP (once). The caller re-lists next. */
void reader_set_service_up (struct reader_set *set, struct reader_emitter *em);

#endif /* TSR_READER_MONITOR_STATE_H */
