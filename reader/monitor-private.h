/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * reader/monitor-private.h: the reader monitor's insides, shared by monitor.c
 * (API, locking, cancel) and monitor-loop.c (one round over the backends).
 */
#ifndef TSR_READER_MONITOR_PRIVATE_H
#define TSR_READER_MONITOR_PRIVATE_H

#include <pthread.h>
#include <time.h>

#include "reader/monitor-state.h"
#include "reader/reader.h"

/* How long to wait between attempts to reach a backend that is down. */
#define MONITOR_RETRY_MS 500
/* ... while a fallback backend runs instead (no need to hurry: its readers work). */
#define MONITOR_RETRY_FALLBACK_MS 2000
/* Several backends open at once: block in each this long at most, in turn. */
#define MONITOR_SLICE_MS 250

/* One backend as the monitor drives it. All fields are the waiter's own. */
struct monitor_backend {
	const struct reader_ops *ops;
	int fallback;                 /* adopts new readers only while every primary is down */
	struct reader_watch *watch;   /* owned; NULL while closed */
	int tried;                    /* watch_open was tried at least once */
	struct timespec retry_at;     /* closed: do not try watch_open before this */
	size_t held;                  /* readers in the last look */
};

struct reader_monitor {
	pthread_mutex_t lock;
	pthread_cond_t cond;          /* CLOCK_MONOTONIC; broadcast by cancel and when the
	                                 waiter leaves a backend's watch_wait */
	int cancel_pending;           /* lock */
	struct monitor_backend *blocked;   /* lock: the backend whose watch_wait the
	                                      waiter is in (or entering), else NULL */
	int waiting;                  /* lock: a thread is inside reader_monitor_wait() */

	/* The waiter's own: touched only by the one thread inside reader_monitor_wait(). */
	struct reader_set set;
	struct monitor_backend *backends;   /* owned, N_BACKENDS; primaries first */
	size_t n_backends;
};

/* monitor.c */
void monitor_now_plus_ms (struct timespec *ts, long ms);
long monitor_remaining_ms (const struct timespec *deadline);
int monitor_take_cancel (struct reader_monitor *m);
/* Sleep MS (> 0) milliseconds, or until cancelled. */
void monitor_sleep (struct reader_monitor *m, long ms);
/* B's watch_wait(MS), reachable by cancel. READER_E_CANCELLED when a cancel is pending. */
reader_rv monitor_backend_wait (struct reader_monitor *m, struct monitor_backend *b, long ms);

/* monitor-loop.c: one round of the loop: open what is due, look at every open
 * backend (events reported), then block until DEADLINE unless events were
 * reported. *again: the caller goes round once more. */
reader_rv monitor_round (struct reader_monitor *m, struct reader_emitter *em,
                         const struct timespec *deadline, int *again);

/* Close every open backend (monitor freed). */
void monitor_close_all (struct reader_monitor *m);

#endif /* TSR_READER_MONITOR_PRIVATE_H */
