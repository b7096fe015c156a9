/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * reader/monitor.c: the reader monitor (reader.h): lifecycle, cancel, and
 * the wait loop. PC/SC queries are in monitor-scan.c, the state-to-events
 * logic in monitor-state.c.
 *
 * Waking a blocked wait: reader_monitor_cancel() sets cancel_pending, then
 * calls SCardCancel() for as long as the waiter is inside a blocking
 * SCardGetStatusChange. pcsc-lite ignores SCardCancel() until the wait is
 * really armed, so one call could land in the gap between our check of the
 * flag and the wait; cancel therefore repeats every CANCEL_RETRY_MS until the
 * waiter has left. While pcscd is down the waiter sleeps on the condition
 * variable, which cancel broadcasts. Idle, the loop blocks with INFINITE (PnP
 * tells us of new readers): no wake-ups.
 */
#include "config.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "reader/log.h"
#include "reader/monitor-private.h"
#include "reader/pcsc-error.h"
#include "reader/precond.h"

#define CANCEL_RETRY_MS 20

static void
now_plus_ms (struct timespec *ts, long ms)
{
	clock_gettime (CLOCK_MONOTONIC, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

/* Milliseconds left until DEADLINE (NULL: forever, -1), at least 0. */
static long
remaining_ms (const struct timespec *deadline)
{
	struct timespec now;
	long long ms;

	if (deadline == NULL)
		return -1;
	clock_gettime (CLOCK_MONOTONIC, &now);
	ms = (long long) (deadline->tv_sec - now.tv_sec) * 1000 +
	     (deadline->tv_nsec - now.tv_nsec) / 1000000;
	return ms > 0 ? (long) ms : 0;
}

static long
min_wait (long a, long cap)
{
	return (a < 0 || a > cap) ? cap : a;
}

reader_rv
reader_monitor_new (struct reader_monitor **out)
{
	struct reader_monitor *m;
	pthread_condattr_t attr;
	reader_rv ret = READER_OK;

	if (reader_precondition_failed (out != NULL))
		return READER_E_INVALID;
	*out = NULL;
	m = calloc (1, sizeof *m);
	if (m == NULL) {
		ret = READER_E_NO_MEMORY;
		goto out;
	}
	pthread_mutex_init (&m->lock, NULL);
	pthread_condattr_init (&attr);
	pthread_condattr_setclock (&attr, CLOCK_MONOTONIC);
	pthread_cond_init (&m->cond, &attr);
	pthread_condattr_destroy (&attr);
	reader_set_init (&m->set);
	*out = m;
out:
	return ret;
}

void
reader_monitor_free (struct reader_monitor *m)
{
	if (m == NULL)
		return;
	assert (!m->waiting);
	monitor_disconnect (m);
	reader_set_clear (&m->set);
	free (m->rs);
	pthread_cond_destroy (&m->cond);
	pthread_mutex_destroy (&m->lock);
	free (m);
}

void
reader_monitor_cancel (struct reader_monitor *m)
{
	struct timespec ts;

	if (reader_precondition_failed (m != NULL))
		return;
	pthread_mutex_lock (&m->lock);
	m->cancel_pending = 1;
	pthread_cond_broadcast (&m->cond);
	while (m->in_pcsc_wait) {
		if (m->have_ctx) {
			LONG rv = SCardCancel (m->ctx);
			if (rv != SCARD_S_SUCCESS)
				(void) reader_pcsc_fail ("SCardCancel", NULL, rv, READER_PCSC_CONNECTED);
		}
		now_plus_ms (&ts, CANCEL_RETRY_MS);
		pthread_cond_timedwait (&m->cond, &m->lock, &ts);
	}
	pthread_mutex_unlock (&m->lock);
}

/* Consume a pending cancel. */
static int
monitor_take_cancel (struct reader_monitor *m)
{
	int pending;

	pthread_mutex_lock (&m->lock);
	pending = m->cancel_pending;
	m->cancel_pending = 0;
	pthread_mutex_unlock (&m->lock);
	return pending;
}

/* Mark the start of a blocking SCardGetStatusChange; 0 if a cancel is pending. */
int
monitor_enter_pcsc_wait (struct reader_monitor *m)
{
	int ok;

	pthread_mutex_lock (&m->lock);
	ok = !m->cancel_pending;
	m->in_pcsc_wait = ok;
	pthread_mutex_unlock (&m->lock);
	return ok;
}

void
monitor_leave_pcsc_wait (struct reader_monitor *m)
{
	pthread_mutex_lock (&m->lock);
	m->in_pcsc_wait = 0;
	pthread_cond_broadcast (&m->cond);
	pthread_mutex_unlock (&m->lock);
}

/* Sleep MS (> 0) milliseconds, or until cancelled. */
static void
monitor_sleep (struct reader_monitor *m, long ms)
{
	struct timespec until;
	int err = 0;

	now_plus_ms (&until, ms);
	pthread_mutex_lock (&m->lock);
	while (!m->cancel_pending && err != ETIMEDOUT)
		err = pthread_cond_timedwait (&m->cond, &m->lock, &until);
	pthread_mutex_unlock (&m->lock);
}

/* pcscd is down: report it (once), else wait a little before the next try. */
static reader_rv
monitor_round_down (struct reader_monitor *m, struct reader_emitter *em,
                    const struct timespec *deadline, int *again)
{
	long ms;

	if (em->count > 0)
		return READER_OK;
	ms = remaining_ms (deadline);
	if (ms == 0)
		return READER_E_TIMEOUT;
	monitor_sleep (m, min_wait (ms, MONITOR_RETRY_MS));
	*again = 1;
	return READER_OK;
}

/* After SCardGetStatusChange: what next? */
static reader_rv
monitor_round_result (struct reader_monitor *m, LONG rv, struct reader_emitter *em,
                      const struct timespec *deadline, int *again)
{
	reader_rv ret = READER_OK;

	switch (rv) {
	case SCARD_S_SUCCESS:            /* changes applied; look again without blocking */
	case SCARD_E_UNKNOWN_READER:     /* a reader vanished: re-list */
		*again = 1;
		break;
	case SCARD_E_TIMEOUT:
		if (em->count > 0)
			ret = READER_OK;                 /* the final non-blocking look */
		else if (deadline != NULL && remaining_ms (deadline) == 0)
			ret = READER_E_TIMEOUT;
		else
			*again = 1;                      /* polling without PnP */
		break;
	case SCARD_E_CANCELLED:
		(void) monitor_take_cancel (m);
		ret = READER_E_CANCELLED;
		break;
	default:
		ret = reader_pcsc_fail ("SCardGetStatusChange", NULL, rv, READER_PCSC_CONNECTED);
		if (ret == READER_E_NO_SERVICE) {
			monitor_lose_service (m, em);
			ret = READER_OK;
			*again = 1;
		}
		break;
	}
	return ret;
}

/* One round of the loop: connect if needed, re-list, look at every reader
 * (blocking until DEADLINE unless events are already reported). */
static reader_rv
monitor_round (struct reader_monitor *m, struct reader_emitter *em,
               const struct timespec *deadline, int *again)
{
	int relist = 0;
	long ms;
	reader_rv ret;
	LONG rv;

	*again = 0;
	if (monitor_take_cancel (m))
		return READER_E_CANCELLED;
	if (!m->have_ctx) {
		ret = monitor_connect (m, em);
		if (ret == READER_E_NO_SERVICE)
			return monitor_round_down (m, em, deadline, again);
		if (ret != READER_OK)
			return ret;
	}
	/* Every round re-lists: pcsc-lite 1.9 signals a new reader on the PnP
	 * entry only while a wait is in progress, not one added between two waits. */
	ret = monitor_relist (m, em);
	if (ret == READER_E_NO_SERVICE) {
		monitor_lose_service (m, em);
		*again = 1;
		return READER_OK;
	}
	if (ret != READER_OK)
		return ret;

	ms = em->count > 0 ? 0 : remaining_ms (deadline);
	if (!m->pnp && ms != 0)
		ms = min_wait (ms, MONITOR_POLL_MS);
	if (m->set.count == 0 && !m->pnp) {
		/* Nothing to wait on: pcsc-lite would return at once. */
		if (ms == 0)
			return em->count > 0 ? READER_OK : READER_E_TIMEOUT;
		monitor_sleep (m, ms);
		*again = 1;
		return READER_OK;
	}
	rv = monitor_status (m, ms, em, &relist);
	return monitor_round_result (m, rv, em, deadline, again);
}

reader_rv
reader_monitor_wait (struct reader_monitor *m, long timeout_ms, reader_event_cb cb, void *user)
{
	struct reader_emitter em = { cb, user, 0 };
	struct timespec deadline;
	reader_rv ret;
	int again, busy;

	if (reader_precondition_failed (m != NULL) ||
	    reader_precondition_failed (cb != NULL) ||
	    reader_precondition_failed (timeout_ms >= -1))
		return READER_E_INVALID;
	pthread_mutex_lock (&m->lock);
	busy = m->waiting;
	if (!busy)
		m->waiting = 1;
	pthread_mutex_unlock (&m->lock);
	if (reader_precondition_failed (!busy))
		return READER_E_INVALID;

	if (timeout_ms >= 0)
		now_plus_ms (&deadline, timeout_ms);
	do {
		ret = monitor_round (m, &em, timeout_ms >= 0 ? &deadline : NULL, &again);
	} while (ret == READER_OK && again);

	pthread_mutex_lock (&m->lock);
	m->waiting = 0;
	pthread_mutex_unlock (&m->lock);
	return ret;
}

reader_rv
reader_monitor_refresh (struct reader_monitor *m, reader_event_cb cb, void *user)
{
	return reader_monitor_wait (m, 0, cb, user);
}
