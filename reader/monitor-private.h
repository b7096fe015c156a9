/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * reader/monitor-private.h: the reader monitor's insides, shared by
 * monitor.c (API, locking, the wait loop) and monitor-scan.c (PC/SC queries).
 */
#ifndef TSR_READER_MONITOR_PRIVATE_H
#define TSR_READER_MONITOR_PRIVATE_H

#include <pthread.h>

#include <PCSC/winscard.h>

#include "reader/monitor-state.h"
#include "reader/reader.h"

/* How long to wait between attempts to reach a pcscd that is down. */
#define MONITOR_RETRY_MS 500
/* Without PnP notifications (old pcsc-lite), poll the reader list this often. */
#define MONITOR_POLL_MS 1000

struct reader_monitor {
	pthread_mutex_t lock;
	pthread_cond_t cond;        /* CLOCK_MONOTONIC; broadcast by cancel and when the
	                               waiter leaves SCardGetStatusChange */
	SCARDCONTEXT ctx;           /* lock: the waiter sets and releases it holding the
	                               lock; cancel uses it holding the lock */
	int have_ctx;               /* lock (written by the waiter only) */
	int cancel_pending;         /* lock */
	int in_pcsc_wait;           /* lock: the waiter is in (or entering) a blocking
	                               SCardGetStatusChange */
	int waiting;                /* lock: a thread is inside reader_monitor_wait() */

	/* The waiter's own: touched only by the one thread inside reader_monitor_wait(). */
	struct reader_set set;
	SCARD_READERSTATE *rs;      /* owned; rs_alloc entries; names point into set */
	size_t rs_alloc;
	int pnp;                    /* pcscd reports reader changes on the PnP pseudo-reader */
	uint32_t pnp_state;         /* the PnP entry's dwCurrentState */
};

/* monitor-scan.c: the waiter's PC/SC work. */

/* Establish the context: SERVICE_UP (once) and READER_OK, or SERVICE_DOWN
 * (once) and READER_E_NO_SERVICE whatever the PC/SC error was. */
reader_rv monitor_connect (struct reader_monitor *m, struct reader_emitter *em);

/* Release the context (pcscd gone or monitor freed). */
void monitor_disconnect (struct reader_monitor *m);

/* pcscd went away under us: release the context, report cards removed and SERVICE_DOWN. */
void monitor_lose_service (struct reader_monitor *m, struct reader_emitter *em);

/* Compare pcscd's reader list with ours and report the difference. */
reader_rv monitor_relist (struct reader_monitor *m, struct reader_emitter *em);

/* One SCardGetStatusChange over every reader (+ PnP), WAIT_MS 0 .. n, or -1 for
 * INFINITE; on success the results are applied (events reported). A blocking
 * call is marked in_pcsc_wait so that cancel can reach it. *relist is set when
 * the reader list changed. Returns the PC/SC code. */
LONG monitor_status (struct reader_monitor *m, long wait_ms, struct reader_emitter *em,
                     int *relist);

/* monitor.c */
int monitor_enter_pcsc_wait (struct reader_monitor *m);
void monitor_leave_pcsc_wait (struct reader_monitor *m);

#endif /* TSR_READER_MONITOR_PRIVATE_H */
