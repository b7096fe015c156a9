/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * src/event.c: who runs the reader monitor, and C_WaitForSlotEvent.
 *
 * Only one thread at a time may be inside the monitor (tsr_ev.monitor_busy, ev):
 * - threads allowed: a module thread owns it for good, blocking in
 *   monitor_wait and applying each batch of events under the module lock;
 * - CKF_LIBRARY_CANT_CREATE_OS_THREADS: a blocking C_WaitForSlotEvent owns it
 *   while it waits; otherwise API calls refresh presence with a zero-timeout
 *   monitor_refresh (no APDU) when nobody owns it. While somebody owns it, the
 *   state is current anyway: that owner applies every change as it happens.
 * Events are kept per slot in a queue of slot IDs (ev) until C_WaitForSlotEvent
 * takes them: none is lost between two waits. C_Finalize closes the events,
 * cancels the monitor, wakes every waiter (they return CKR_CRYPTOKI_NOT_INITIALIZED)
 * and waits until they have left.
 *
 * The ev mutex and condition are static and never destroyed: a waiter woken by
 * C_Finalize may still be inside pthread_mutex_unlock when C_Finalize returns,
 * C_Initialize may follow at once (NSS's SECMOD_CancelWait), and a
 * C_WaitForSlotEvent entering while C_Finalize runs must find them usable and
 * the events closed (tsr_ev.open), not a zeroed module.
 */
#include "config.h"

#include "src/tsr.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t tsr_ev_mutex = PTHREAD_MUTEX_INITIALIZER;  /* "ev" */
static pthread_cond_t tsr_ev_cond = PTHREAD_COND_INITIALIZER;     /* ev */
static pid_t tsr_ev_pid;           /* atomic; written by tsr_events_open (C_Initialize) only */

static struct {
	bool open;                     /* ev; from C_Initialize until C_Finalize begins */
	bool monitor_busy;             /* ev; somebody is inside monitor_wait/refresh */
	int waiters;                   /* ev; threads inside C_WaitForSlotEvent */
	bool thread_running;           /* ev */
	pthread_t thread;              /* ev */
} tsr_ev;

static CK_SLOT_ID *tsr_ev_queue;   /* ev; slot IDs with an event not yet reported */
static size_t tsr_ev_n;            /* ev */
static size_t tsr_ev_cap;          /* ev */

/* Events collected by the monitor callback, applied afterwards under the lock. */
struct tsr_evbuf {
	struct reader_event *ev;   /* owned */
	size_t n, cap;
};

static void
tsr_evbuf_cb (void *user, const struct reader_event *event)
{
	struct tsr_evbuf *buf = user;
	struct reader_event *ev;

	if (buf->n == buf->cap) {
		size_t cap = buf->cap ? buf->cap * 2 : 8;
		ev = realloc (buf->ev, cap * sizeof *ev);
		if (ev == NULL) {
			tsr_log ("monitor", "out of memory: event dropped");
			return;
		}
		buf->ev = ev;
		buf->cap = cap;
	}
	buf->ev[buf->n++] = *event;
}

static void
tsr_evbuf_apply_inlock (struct tsr_evbuf *buf)
{
	size_t i;

	for (i = 0; i < buf->n; i++)
		tsr_slot_apply_event_inlock (&buf->ev[i]);
	free (buf->ev);
	memset (buf, 0, sizeof *buf);
}

void
tsr_event_post (struct tsr_slot *slot)
{
	size_t i;

	pthread_mutex_lock (&tsr_ev_mutex);
	for (i = 0; i < tsr_ev_n; i++) {
		if (tsr_ev_queue[i] == slot->id)
			goto wake;
	}
	if (tsr_ev_n == tsr_ev_cap) {
		size_t cap = tsr_ev_cap ? tsr_ev_cap * 2 : 8;
		CK_SLOT_ID *q = realloc (tsr_ev_queue, cap * sizeof *q);
		if (q == NULL)
			goto wake;
		tsr_ev_queue = q;
		tsr_ev_cap = cap;
	}
	tsr_ev_queue[tsr_ev_n++] = slot->id;
wake:
	pthread_cond_broadcast (&tsr_ev_cond);
	pthread_mutex_unlock (&tsr_ev_mutex);
}

static bool
tsr_event_pop_inev (CK_SLOT_ID *slot)
{
	if (tsr_ev_n == 0)
		return false;
	*slot = tsr_ev_queue[0];
	memmove (tsr_ev_queue, tsr_ev_queue + 1, (tsr_ev_n - 1) * sizeof *tsr_ev_queue);
	tsr_ev_n--;
	return true;
}

void
tsr_slots_refresh_inlock (void)
{
	struct tsr_evbuf buf = { NULL, 0, 0 };
	reader_rv rrv;

	pthread_mutex_lock (&tsr_ev_mutex);
	if (tsr_ev.monitor_busy || !tsr_ev.open || tsr.monitor == NULL) {
		pthread_mutex_unlock (&tsr_ev_mutex);
		return;
	}
	tsr_ev.monitor_busy = true;
	pthread_mutex_unlock (&tsr_ev_mutex);

	rrv = tsr_backend->monitor_refresh (tsr.monitor, tsr_evbuf_cb, &buf);
	if (rrv != READER_OK && rrv != READER_E_TIMEOUT)
		tsr_log ("monitor", "refresh: %d", (int)rrv);
	tsr_evbuf_apply_inlock (&buf);

	pthread_mutex_lock (&tsr_ev_mutex);
	tsr_ev.monitor_busy = false;
	pthread_cond_broadcast (&tsr_ev_cond);
	pthread_mutex_unlock (&tsr_ev_mutex);
}

/* Wait on ev_cond for at most MS milliseconds. Called with ev held. */
static void
tsr_timedwait_inev (long ms)
{
	struct timespec ts;

	clock_gettime (CLOCK_REALTIME, &ts);
	ts.tv_nsec += ms * 1000 * 1000;
	while (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_cond_timedwait (&tsr_ev_cond, &tsr_ev_mutex, &ts);
}

/* Wait a little (after a monitor error) unless closed. Called with ev held. */
static void
tsr_backoff_inev (void)
{
	if (tsr_ev.open)
		tsr_timedwait_inev (200);
}

/* Block in the monitor once, then apply what it reported. Called with ev held and
 * monitor_busy owned by the caller; returns with ev held. */
static void
tsr_monitor_wait_once_inev (void)
{
	struct tsr_evbuf buf = { NULL, 0, 0 };
	reader_rv rrv;

	pthread_mutex_unlock (&tsr_ev_mutex);
	rrv = tsr_backend->monitor_wait (tsr.monitor, -1, tsr_evbuf_cb, &buf);
	if (buf.n > 0) {
		tsr_lock ();
		tsr_evbuf_apply_inlock (&buf);
		tsr_leave ();
	}
	free (buf.ev);
	pthread_mutex_lock (&tsr_ev_mutex);
	if (rrv != READER_OK && rrv != READER_E_TIMEOUT && rrv != READER_E_CANCELLED) {
		tsr_log ("monitor", "wait: %d", (int)rrv);
		tsr_backoff_inev ();
	}
}

static void *
tsr_monitor_thread (void *arg)
{
	(void)arg;
	pthread_mutex_lock (&tsr_ev_mutex);
	while (tsr_ev.open)
		tsr_monitor_wait_once_inev ();
	pthread_mutex_unlock (&tsr_ev_mutex);
	return NULL;
}

void
tsr_events_open (void)
{
	pthread_mutex_lock (&tsr_ev_mutex);
	assert (tsr_ev.waiters == 0 && !tsr_ev.thread_running);
	tsr_ev.open = true;
	tsr_ev.monitor_busy = false;
	__atomic_store_n (&tsr_ev_pid, getpid (), __ATOMIC_RELAXED);
	pthread_mutex_unlock (&tsr_ev_mutex);
}

void
tsr_events_after_fork (void)
{
	/* The parent's threads may have held ev at fork(): they do not exist here. */
	pthread_mutex_init (&tsr_ev_mutex, NULL);
	pthread_cond_init (&tsr_ev_cond, NULL);
	memset (&tsr_ev, 0, sizeof tsr_ev);
	free (tsr_ev_queue);
	tsr_ev_queue = NULL;
	tsr_ev_n = tsr_ev_cap = 0;
}

CK_RV
tsr_events_start (bool threads_allowed)
{
	if (!threads_allowed)
		return CKR_OK;
	pthread_mutex_lock (&tsr_ev_mutex);
	tsr_ev.monitor_busy = true;
	if (pthread_create (&tsr_ev.thread, NULL, tsr_monitor_thread, NULL) == 0) {
		tsr_ev.thread_running = true;
	} else {
		tsr_log ("monitor", "cannot create the monitor thread: presence refreshed on demand");
		tsr_ev.monitor_busy = false;
	}
	pthread_mutex_unlock (&tsr_ev_mutex);
	return CKR_OK;
}

void
tsr_events_stop (void)
{
	bool join;

	pthread_mutex_lock (&tsr_ev_mutex);
	tsr_ev.open = false;
	pthread_cond_broadcast (&tsr_ev_cond);
	join = tsr_ev.thread_running;
	pthread_mutex_unlock (&tsr_ev_mutex);
	tsr_backend->monitor_cancel (tsr.monitor);
	if (join)
		pthread_join (tsr_ev.thread, NULL);
	pthread_mutex_lock (&tsr_ev_mutex);
	tsr_ev.thread_running = false;
	while (tsr_ev.waiters > 0 || (tsr_ev.monitor_busy && !join)) {
		pthread_mutex_unlock (&tsr_ev_mutex);
		tsr_backend->monitor_cancel (tsr.monitor);
		pthread_mutex_lock (&tsr_ev_mutex);
		pthread_cond_broadcast (&tsr_ev_cond);
		/* a leaving waiter broadcasts: no spinning while it finishes */
		tsr_timedwait_inev (20);
	}
	free (tsr_ev_queue);
	tsr_ev_queue = NULL;
	tsr_ev_n = tsr_ev_cap = 0;
	pthread_mutex_unlock (&tsr_ev_mutex);
}

/* DONT_BLOCK: refresh once (when nobody watches), with ev released. */
static void
tsr_refresh_unlocked_inev (void)
{
	pthread_mutex_unlock (&tsr_ev_mutex);
	tsr_lock ();
	tsr_slots_refresh_inlock ();
	tsr_leave ();
	pthread_mutex_lock (&tsr_ev_mutex);
}

CK_RV
C_WaitForSlotEvent (CK_FLAGS flags, CK_SLOT_ID_PTR pSlot, CK_VOID_PTR pReserved)
{
	bool refreshed = false;
	CK_RV rv;

	/* Never initialised, or a forked child before its C_Initialize: ev is not ours
	 * to lock. Otherwise tsr_ev.open, under ev, says whether C_Finalize has begun. */
	if (__atomic_load_n (&tsr_ev_pid, __ATOMIC_RELAXED) != getpid ())
		return CKR_CRYPTOKI_NOT_INITIALIZED;
	if (!tsr_check (pSlot != NULL && pReserved == NULL))
		return CKR_ARGUMENTS_BAD;
	pthread_mutex_lock (&tsr_ev_mutex);
	tsr_ev.waiters++;
	for (;;) {
		if (!tsr_ev.open) {
			rv = CKR_CRYPTOKI_NOT_INITIALIZED;
			break;
		}
		if (tsr_event_pop_inev (pSlot)) {
			rv = CKR_OK;
			break;
		}
		if (flags & CKF_DONT_BLOCK) {
			if (!refreshed && !tsr_ev.monitor_busy) {
				refreshed = true;
				tsr_refresh_unlocked_inev ();
				continue;
			}
			rv = CKR_NO_EVENT;
			break;
		}
		if (tsr_ev.monitor_busy) {
			pthread_cond_wait (&tsr_ev_cond, &tsr_ev_mutex);
			continue;
		}
		tsr_ev.monitor_busy = true;
		tsr_monitor_wait_once_inev ();
		tsr_ev.monitor_busy = false;
		pthread_cond_broadcast (&tsr_ev_cond);
	}
	tsr_ev.waiters--;
	pthread_cond_broadcast (&tsr_ev_cond);
	pthread_mutex_unlock (&tsr_ev_mutex);
	return rv;
}
