/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * reader/mock-backend.h: two mock reader backends for the monitor's unit tests
 * (reader/test-monitor.c): readers, cards and the service are changed by the
 * test; the monitor sees them only through struct reader_ops. Thread-safe: a
 * test may change them while another thread waits in the monitor.
 */
#ifndef TSR_READER_MOCK_BACKEND_H
#define TSR_READER_MOCK_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#include "reader/reader.h"

#define READER_MOCK_BACKENDS 2
#define READER_MOCK_READERS 4

/* reader_mock_ops[i] is mock backend i ("mock0", "mock1"). */
extern const struct reader_ops reader_mock_ops[READER_MOCK_BACKENDS];

/* Counters the tests read. */
struct reader_mock_stats {
	unsigned opens;           /* watch_open calls (failed ones too) */
	unsigned open_now;        /* watches open now */
	unsigned enumerates;
	unsigned enumerates_no_adopt;  /* enumerate calls with ADOPT 0 */
	unsigned waits;           /* watch_wait calls that blocked (timeout != 0) */
	unsigned wakes;
};

/* Back to nothing: no reader, service up, counters zero. No watch may be open. */
void reader_mock_reset (size_t backend);
/* Service reachable (watch_open works) or not; going down makes an open watch
 * answer READER_E_NO_SERVICE. */
void reader_mock_set_up (size_t backend, int up);
void reader_mock_add_reader (size_t backend, const char *name);
void reader_mock_remove_reader (size_t backend, const char *name);
/* Insert a card with ATR (another card if one is in: a swap the event counter shows). */
void reader_mock_insert (size_t backend, const char *name, const uint8_t *atr, size_t atr_len);
void reader_mock_remove (size_t backend, const char *name);
/* A card taken out and put back between two looks (the counter moves by 2). */
void reader_mock_reinsert (size_t backend, const char *name);
struct reader_mock_stats reader_mock_stats (size_t backend);
/* Is reader NAME adopted (reported) by backend's watch? */
int reader_mock_adopted (size_t backend, const char *name);

#endif /* TSR_READER_MOCK_BACKEND_H */
