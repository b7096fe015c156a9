/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * reader/monitor-loop.c: one round of the reader monitor over its backends:
 * open the backends that are due (a fallback only while every primary is
 * down), look at every open one (enumerate → events), and block in one
 * backend's watch_wait until something changes. Called only by the thread
 * inside reader_monitor_wait().
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "reader/log.h"
#include "reader/monitor-private.h"

static int
ts_due (const struct timespec *t)
{
	struct timespec now;

	clock_gettime (CLOCK_MONOTONIC, &now);
	return now.tv_sec > t->tv_sec || (now.tv_sec == t->tv_sec && now.tv_nsec >= t->tv_nsec);
}

/* The smaller of two waits in ms, -1 being forever. */
static long
min_ms (long a, long b)
{
	if (a < 0)
		return b;
	if (b < 0)
		return a;
	return a < b ? a : b;
}

static int
any_open (const struct reader_monitor *m, int primaries_only)
{
	size_t i;

	for (i = 0; i < m->n_backends; i++) {
		if (m->backends[i].watch != NULL && !(primaries_only && m->backends[i].fallback))
			return 1;
	}
	return 0;
}

/* May B be opened now (or later)? A fallback only while no primary is open. */
static int
may_open (const struct reader_monitor *m, const struct monitor_backend *b)
{
	return !b->fallback || !any_open (m, 1);
}

static long
retry_ms (const struct reader_monitor *m, const struct monitor_backend *b)
{
	size_t i;

	for (i = 0; i < m->n_backends; i++) {
		if (!b->fallback && m->backends[i].fallback && m->backends[i].watch != NULL)
			return MONITOR_RETRY_FALLBACK_MS;
	}
	return MONITOR_RETRY_MS;
}

/* B went away (or failed): its cards are removed, its readers stay listed.
 * Whether the whole service is down is decided by the next open_due (a
 * fallback may take over at once). */
static void
backend_lost (struct reader_monitor *m, struct monitor_backend *b, struct reader_emitter *em)
{
	tsr_log ("monitor", "%s: lost: its cards are reported removed", b->ops->name);
	b->ops->watch_close (b->watch);
	b->watch = NULL;
	b->held = 0;
	monitor_now_plus_ms (&b->retry_at, retry_ms (m, b));
	reader_set_backend_down (&m->set, (size_t) (b - m->backends), 1, em);
}

static void
open_due (struct reader_monitor *m, struct reader_emitter *em)
{
	size_t i;
	reader_rv ret;

	for (i = 0; i < m->n_backends; i++) {
		struct monitor_backend *b = &m->backends[i];
		if (b->watch != NULL || !may_open (m, b) || (b->tried && !ts_due (&b->retry_at)))
			continue;
		ret = b->ops->watch_open (&b->watch);
		if (ret == READER_OK) {
			tsr_log ("monitor", "%s: watching%s", b->ops->name, b->fallback ? " (fallback)" : "");
			reader_set_service_up (&m->set, em);
		} else {
			b->watch = NULL;
			if (!b->tried || ret != READER_E_NO_SERVICE)
				tsr_log ("monitor", "%s: not reachable: %s", b->ops->name, reader_rv_name (ret));
			monitor_now_plus_ms (&b->retry_at, retry_ms (m, b));
		}
		b->tried = 1;
	}
	if (!any_open (m, 0))
		reader_set_backend_down (&m->set, 0, 0, em);
}

/* Look at one open backend and report what changed. */
static reader_rv
look_one (struct reader_monitor *m, struct monitor_backend *b, int primary_open,
          struct reader_emitter *em)
{
	struct reader_seen *seen = NULL;
	size_t n = 0, index = (size_t) (b - m->backends);
	reader_rv ret;

	ret = b->ops->enumerate (b->watch, !b->fallback || !primary_open, &seen, &n);
	if (ret == READER_E_NO_SERVICE) {
		backend_lost (m, b, em);
		ret = READER_OK;
		goto out;
	}
	if (ret != READER_OK)
		goto out;
	ret = reader_set_apply (&m->set, index, b->ops->name, seen, n, em);
	b->held = n;
	if (ret == READER_OK && b->fallback && primary_open && n == 0) {
		/* Nothing left to serve: the primary backend takes every new reader. */
		tsr_log ("monitor", "%s: holds no reader while a primary backend runs: closed",
		         b->ops->name);
		b->ops->watch_close (b->watch);
		b->watch = NULL;
		b->tried = 0;
		reader_set_drop_backend (&m->set, index, em);
	}
out:
	free (seen);
	return ret;
}

/* How long until a closed backend may be tried again (-1: none will be). */
static long
next_retry_ms (const struct reader_monitor *m)
{
	struct timespec now;
	long ms = -1;
	size_t i;

	clock_gettime (CLOCK_MONOTONIC, &now);
	for (i = 0; i < m->n_backends; i++) {
		const struct monitor_backend *b = &m->backends[i];
		long long left;
		if (b->watch != NULL || !may_open (m, b))
			continue;
		left = (long long) (b->retry_at.tv_sec - now.tv_sec) * 1000 +
		       (b->retry_at.tv_nsec - now.tv_nsec) / 1000000;
		ms = min_ms (ms, left > 0 ? (long) left : 0);
	}
	return ms;
}

/* Block until DEADLINE, a change, a backend due for a retry, or a cancel. */
static reader_rv
block (struct reader_monitor *m, struct reader_emitter *em, const struct timespec *deadline,
       int *again)
{
	struct monitor_backend *b = NULL;
	long ms = monitor_remaining_ms (deadline);
	size_t i, open = 0;
	reader_rv ret;

	if (ms == 0)
		return READER_E_TIMEOUT;
	ms = min_ms (ms, next_retry_ms (m));
	for (i = 0; i < m->n_backends; i++) {
		if (m->backends[i].watch != NULL && open++ == 0)
			b = &m->backends[i];
	}
	*again = 1;
	if (b == NULL) {
		if (ms != 0)
			monitor_sleep (m, ms < 0 ? MONITOR_RETRY_MS : ms);
		return READER_OK;
	}
	if (open > 1)
		ms = min_ms (ms, MONITOR_SLICE_MS);
	ret = monitor_backend_wait (m, b, ms);
	switch (ret) {
	case READER_OK:
	case READER_E_TIMEOUT:
		return READER_OK;
	case READER_E_CANCELLED:
		if (!monitor_take_cancel (m))
			return READER_OK;   /* a wake that was not ours */
		*again = 0;
		return READER_E_CANCELLED;
	case READER_E_NO_SERVICE:
		backend_lost (m, b, em);
		open_due (m, em);   /* SERVICE_DOWN, unless another backend runs */
		return READER_OK;
	default:
		*again = 0;
		return ret;
	}
}

reader_rv
monitor_round (struct reader_monitor *m, struct reader_emitter *em,
               const struct timespec *deadline, int *again)
{
	int primary_open, pass;
	reader_rv ret;
	size_t i;

	*again = 0;
	if (monitor_take_cancel (m))
		return READER_E_CANCELLED;
	for (pass = 0; pass < 2; pass++) {
		int lost = 0;
		open_due (m, em);
		primary_open = any_open (m, 1);
		for (i = 0; i < m->n_backends; i++) {
			struct monitor_backend *b = &m->backends[i];
			if (b->watch == NULL || (pass > 0 && b->held > 0))
				continue;
			ret = look_one (m, b, primary_open, em);
			if (ret != READER_OK)
				return ret;
			lost |= b->watch == NULL;
		}
		if (!lost)
			break;   /* else once more: a fallback may take over at once */
	}
	if (em->count > 0)
		return READER_OK;
	return block (m, em, deadline, again);
}

void
monitor_close_all (struct reader_monitor *m)
{
	size_t i;

	for (i = 0; i < m->n_backends; i++) {
		m->backends[i].ops->watch_close (m->backends[i].watch);
		m->backends[i].watch = NULL;
	}
}
