/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * reader/monitor.c: the reader monitor (reader.h): lifecycle, cancel, and the
 * wait loop. One round over the backends is in monitor-loop.c, the
 * state-to-events logic in monitor-state.c. No backend is known here: only
 * struct reader_ops.
 *
 * Waking a blocked wait: reader_monitor_cancel() sets cancel_pending, then
 * calls the blocked backend's watch_wake() for as long as the waiter is inside
 * its watch_wait(). A backend may miss a wake that lands before its wait is
 * really armed (pcsc-lite ignores SCardCancel() until then), so cancel repeats
 * it every CANCEL_RETRY_MS until the waiter has left. While every backend is
 * down the waiter sleeps on the condition variable, which cancel broadcasts.
 * Idle, the loop blocks in the backend's wait with no time-out (PnP, USB
 * interrupts and hotplug tell of changes): no wake-ups.
 */
#include "config.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "reader/log.h"
#include "reader/monitor-private.h"
#include "reader/precond.h"

#define CANCEL_RETRY_MS 20

void
monitor_now_plus_ms (struct timespec *ts, long ms)
{
	clock_gettime (CLOCK_MONOTONIC, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

long
monitor_remaining_ms (const struct timespec *deadline)
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

reader_rv
reader_monitor_new_backends (const struct reader_ops *const *ops, const int *fallback, size_t n,
                             struct reader_monitor **out)
{
	struct reader_monitor *m = NULL;
	pthread_condattr_t attr;
	reader_rv ret = READER_OK;
	size_t i;

	if (reader_precondition_failed (out != NULL) ||
	    reader_precondition_failed (ops != NULL && n > 0))
		return READER_E_INVALID;
	*out = NULL;
	m = calloc (1, sizeof *m);
	if (m != NULL)
		m->backends = calloc (n, sizeof *m->backends);
	if (m == NULL || m->backends == NULL) {
		free (m);
		ret = READER_E_NO_MEMORY;
		goto out;
	}
	for (i = 0; i < n; i++) {
		assert (ops[i] != NULL && ops[i]->watch_open != NULL);
		m->backends[i].ops = ops[i];
		m->backends[i].fallback = fallback != NULL && fallback[i];
	}
	m->n_backends = n;
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

reader_rv
reader_monitor_new (struct reader_monitor **out)
{
	return reader_monitor_new_for (READER_CHOICE_PCSC, out);
}

reader_rv
reader_monitor_new_for (enum reader_choice choice, struct reader_monitor **out)
{
	const struct reader_ops *ops[2] = { &reader_pcsc_ops, NULL };
	int fallback[2] = { 0, 1 };
	size_t n = 1;

	if (choice == READER_CHOICE_CCID && reader_ccid_ops != NULL) {
		ops[0] = reader_ccid_ops;
	} else if (choice == READER_CHOICE_AUTO && reader_ccid_ops != NULL) {
		ops[1] = reader_ccid_ops;
		n = 2;
	} else if (choice != READER_CHOICE_PCSC) {
		tsr_log ("monitor", "reader_backend %s: built without the CCID backend: pcsc only",
		         reader_choice_name (choice));
	}
	tsr_log ("monitor", "backends: %s%s%s", ops[0]->name, n > 1 ? ", fallback " : "",
	         n > 1 ? ops[1]->name : "");
	return reader_monitor_new_backends (ops, fallback, n, out);
}

void
reader_monitor_free (struct reader_monitor *m)
{
	if (m == NULL)
		return;
	assert (!m->waiting);
	monitor_close_all (m);
	reader_set_clear (&m->set);
	free (m->backends);
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
	while (m->blocked != NULL) {
		m->blocked->ops->watch_wake (m->blocked->watch);
		monitor_now_plus_ms (&ts, CANCEL_RETRY_MS);
		pthread_cond_timedwait (&m->cond, &m->lock, &ts);
	}
	pthread_mutex_unlock (&m->lock);
}

int
monitor_take_cancel (struct reader_monitor *m)
{
	int pending;

	pthread_mutex_lock (&m->lock);
	pending = m->cancel_pending;
	m->cancel_pending = 0;
	pthread_mutex_unlock (&m->lock);
	return pending;
}

reader_rv
monitor_backend_wait (struct reader_monitor *m, struct monitor_backend *b, long ms)
{
	reader_rv ret;

	pthread_mutex_lock (&m->lock);
	if (m->cancel_pending) {
		pthread_mutex_unlock (&m->lock);
		return READER_E_CANCELLED;
	}
	m->blocked = b;
	pthread_mutex_unlock (&m->lock);

	ret = b->ops->watch_wait (b->watch, ms);

	pthread_mutex_lock (&m->lock);
	m->blocked = NULL;
	pthread_cond_broadcast (&m->cond);
	pthread_mutex_unlock (&m->lock);
	return ret;
}

void
monitor_sleep (struct reader_monitor *m, long ms)
{
	struct timespec until;
	int err = 0;

	monitor_now_plus_ms (&until, ms);
	pthread_mutex_lock (&m->lock);
	while (!m->cancel_pending && err != ETIMEDOUT)
		err = pthread_cond_timedwait (&m->cond, &m->lock, &until);
	pthread_mutex_unlock (&m->lock);
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
		monitor_now_plus_ms (&deadline, timeout_ms);
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
