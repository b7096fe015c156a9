/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * reader/mock-backend.c: mock reader backends (see mock-backend.h). A change
 * bumps the backend's change counter and wakes its watch_wait, which returns
 * READER_OK when the counter moved since the last enumerate.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "reader/mock-backend.h"

struct mock_reader {
	int used;
	char name[READER_MAX_NAME];
	int card;
	uint16_t events;
	uint8_t atr[READER_MAX_ATR];
	size_t atr_len;
	int adopted;              /* reported by the open watch */
};

struct mock_backend {
	struct mock_reader readers[READER_MOCK_READERS];
	int down;
	unsigned changes;         /* bumped by every change */
	unsigned seen_changes;    /* CHANGES at the last enumerate */
	int woken;
	struct reader_mock_stats stats;
};

/* The watch is the backend itself (one watch at a time per mock backend). */
struct reader_watch {
	size_t index;
};

struct reader_conn {
	size_t backend;
	char name[READER_MAX_NAME];
};

static pthread_mutex_t mock_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t mock_cond = PTHREAD_COND_INITIALIZER;
static struct mock_backend mocks[READER_MOCK_BACKENDS];
static struct reader_watch mock_watches[READER_MOCK_BACKENDS] = { { 0 }, { 1 } };

static struct mock_reader *
find_inlock (size_t b, const char *name)
{
	size_t i;

	for (i = 0; i < READER_MOCK_READERS; i++) {
		if (mocks[b].readers[i].used && strcmp (mocks[b].readers[i].name, name) == 0)
			return &mocks[b].readers[i];
	}
	return NULL;
}

static void
changed_inlock (size_t b)
{
	mocks[b].changes++;
	pthread_cond_broadcast (&mock_cond);
}

void
reader_mock_reset (size_t b)
{
	pthread_mutex_lock (&mock_lock);
	memset (&mocks[b], 0, sizeof mocks[b]);
	pthread_mutex_unlock (&mock_lock);
}

void
reader_mock_set_up (size_t b, int up)
{
	pthread_mutex_lock (&mock_lock);
	mocks[b].down = !up;
	changed_inlock (b);
	pthread_mutex_unlock (&mock_lock);
}

void
reader_mock_add_reader (size_t b, const char *name)
{
	size_t i;

	pthread_mutex_lock (&mock_lock);
	for (i = 0; i < READER_MOCK_READERS; i++) {
		struct mock_reader *r = &mocks[b].readers[i];
		if (!r->used) {
			memset (r, 0, sizeof *r);
			r->used = 1;
			snprintf (r->name, sizeof r->name, "%s", name);
			break;
		}
	}
	changed_inlock (b);
	pthread_mutex_unlock (&mock_lock);
}

void
reader_mock_remove_reader (size_t b, const char *name)
{
	struct mock_reader *r;

	pthread_mutex_lock (&mock_lock);
	r = find_inlock (b, name);
	if (r != NULL)
		r->used = 0;
	changed_inlock (b);
	pthread_mutex_unlock (&mock_lock);
}

void
reader_mock_insert (size_t b, const char *name, const uint8_t *atr, size_t atr_len)
{
	struct mock_reader *r;

	pthread_mutex_lock (&mock_lock);
	r = find_inlock (b, name);
	if (r != NULL) {
		r->events += r->card ? 2 : 1;
		r->card = 1;
		r->atr_len = atr_len > READER_MAX_ATR ? READER_MAX_ATR : atr_len;
		memcpy (r->atr, atr, r->atr_len);
	}
	changed_inlock (b);
	pthread_mutex_unlock (&mock_lock);
}

void
reader_mock_remove (size_t b, const char *name)
{
	struct mock_reader *r;

	pthread_mutex_lock (&mock_lock);
	r = find_inlock (b, name);
	if (r != NULL && r->card) {
		r->card = 0;
		r->events++;
	}
	changed_inlock (b);
	pthread_mutex_unlock (&mock_lock);
}

void
reader_mock_reinsert (size_t b, const char *name)
{
	struct mock_reader *r;

	pthread_mutex_lock (&mock_lock);
	r = find_inlock (b, name);
	if (r != NULL)
		r->events += 2;
	changed_inlock (b);
	pthread_mutex_unlock (&mock_lock);
}

struct reader_mock_stats
reader_mock_stats (size_t b)
{
	struct reader_mock_stats s;

	pthread_mutex_lock (&mock_lock);
	s = mocks[b].stats;
	pthread_mutex_unlock (&mock_lock);
	return s;
}

int
reader_mock_adopted (size_t b, const char *name)
{
	struct mock_reader *r;
	int adopted;

	pthread_mutex_lock (&mock_lock);
	r = find_inlock (b, name);
	adopted = r != NULL && r->adopted;
	pthread_mutex_unlock (&mock_lock);
	return adopted;
}

static reader_rv
mock_watch_open (size_t b, struct reader_watch **out)
{
	reader_rv ret = READER_E_NO_SERVICE;
	size_t i;

	pthread_mutex_lock (&mock_lock);
	mocks[b].stats.opens++;
	if (!mocks[b].down) {
		mocks[b].stats.open_now++;
		for (i = 0; i < READER_MOCK_READERS; i++)
			mocks[b].readers[i].adopted = 0;
		*out = &mock_watches[b];
		ret = READER_OK;
	}
	pthread_mutex_unlock (&mock_lock);
	return ret;
}

static reader_rv mock0_watch_open (struct reader_watch **w) { return mock_watch_open (0, w); }
static reader_rv mock1_watch_open (struct reader_watch **w) { return mock_watch_open (1, w); }

static void
mock_watch_close (struct reader_watch *w)
{
	if (w == NULL)
		return;
	pthread_mutex_lock (&mock_lock);
	mocks[w->index].stats.open_now--;
	pthread_mutex_unlock (&mock_lock);
}

static reader_rv
mock_enumerate (struct reader_watch *w, int adopt, struct reader_seen **out, size_t *out_n)
{
	struct mock_backend *mb = &mocks[w->index];
	struct reader_seen *seen;
	reader_rv ret = READER_OK;
	size_t i, n = 0;

	*out = NULL;
	*out_n = 0;
	seen = calloc (READER_MOCK_READERS, sizeof *seen);
	if (seen == NULL)
		return READER_E_NO_MEMORY;
	pthread_mutex_lock (&mock_lock);
	mb->stats.enumerates++;
	if (!adopt)
		mb->stats.enumerates_no_adopt++;
	mb->seen_changes = mb->changes;
	if (mb->down) {
		ret = READER_E_NO_SERVICE;
		goto out;
	}
	for (i = 0; i < READER_MOCK_READERS; i++) {
		struct mock_reader *r = &mb->readers[i];
		if (!r->used || (!adopt && !r->adopted))
			continue;
		r->adopted = 1;
		snprintf (seen[n].name, sizeof seen[n].name, "%s", r->name);
		snprintf (seen[n].manufacturer, sizeof seen[n].manufacturer, "Mock %zu", w->index);
		seen[n].card_present = r->card;
		seen[n].counted = 1;
		seen[n].events = r->events;
		seen[n].atr_len = r->card ? r->atr_len : 0;
		memcpy (seen[n].atr, r->atr, seen[n].atr_len);
		n++;
	}
out:
	pthread_mutex_unlock (&mock_lock);
	if (ret != READER_OK || n == 0) {
		free (seen);
		seen = NULL;
	}
	*out = seen;
	*out_n = n;
	return ret;
}

static reader_rv
mock_watch_wait (struct reader_watch *w, long timeout_ms)
{
	struct mock_backend *mb = &mocks[w->index];
	struct timespec until;
	reader_rv ret = READER_E_TIMEOUT;
	int err = 0;

	clock_gettime (CLOCK_REALTIME, &until);
	if (timeout_ms > 0) {
		until.tv_sec += timeout_ms / 1000;
		until.tv_nsec += (timeout_ms % 1000) * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
	}
	pthread_mutex_lock (&mock_lock);
	if (timeout_ms != 0)
		mb->stats.waits++;
	mb->woken = 0;
	for (;;) {
		if (mb->down) {
			ret = READER_E_NO_SERVICE;
			break;
		}
		if (mb->changes != mb->seen_changes) {
			ret = READER_OK;
			break;
		}
		if (mb->woken) {
			ret = READER_E_CANCELLED;
			break;
		}
		if (timeout_ms == 0 || err == ETIMEDOUT)
			break;
		if (timeout_ms < 0)
			err = pthread_cond_wait (&mock_cond, &mock_lock);
		else
			err = pthread_cond_timedwait (&mock_cond, &mock_lock, &until);
	}
	pthread_mutex_unlock (&mock_lock);
	return ret;
}

static void
mock_watch_wake (struct reader_watch *w)
{
	pthread_mutex_lock (&mock_lock);
	mocks[w->index].woken = 1;
	mocks[w->index].stats.wakes++;
	pthread_cond_broadcast (&mock_cond);
	pthread_mutex_unlock (&mock_lock);
}

/* One card: enough to route a connection and exchange an APDU (answer 90 00). */
static reader_rv
mock_connect (size_t b, const char *name, struct reader_conn **out)
{
	struct mock_reader *r;
	reader_rv ret = READER_OK;

	*out = NULL;
	pthread_mutex_lock (&mock_lock);
	r = find_inlock (b, name);
	if (r == NULL)
		ret = READER_E_NO_READER;
	else if (!r->card)
		ret = READER_E_NO_CARD;
	pthread_mutex_unlock (&mock_lock);
	if (ret != READER_OK)
		return ret;
	*out = calloc (1, sizeof **out);
	if (*out == NULL)
		return READER_E_NO_MEMORY;
	(*out)->backend = b;
	snprintf ((*out)->name, sizeof (*out)->name, "%s", name);
	return READER_OK;
}

static reader_rv mock0_connect (const char *n, struct reader_conn **c) { return mock_connect (0, n, c); }
static reader_rv mock1_connect (const char *n, struct reader_conn **c) { return mock_connect (1, n, c); }

static void
mock_disconnect (struct reader_conn *conn)
{
	free (conn);
}

static reader_rv
mock_card_state (struct reader_conn *conn)
{
	struct mock_reader *r;
	reader_rv ret;

	pthread_mutex_lock (&mock_lock);
	r = find_inlock (conn->backend, conn->name);
	ret = r == NULL || !r->card ? READER_E_REMOVED : READER_OK;
	pthread_mutex_unlock (&mock_lock);
	return ret;
}

static reader_rv
mock_begin (struct reader_conn *conn)
{
	return mock_card_state (conn);
}

static void
mock_end (struct reader_conn *conn)
{
	(void) conn;
}

static reader_rv
mock_transmit (struct reader_conn *conn, const uint8_t *cmd, size_t cmd_len,
               uint8_t *resp, size_t *resp_len)
{
	reader_rv ret = mock_card_state (conn);

	(void) cmd;
	(void) cmd_len;
	if (ret != READER_OK)
		return ret;
	if (*resp_len < 2)
		return READER_E_INVALID;
	resp[0] = 0x90;
	resp[1] = 0x00;
	*resp_len = 2;
	return READER_OK;
}

static reader_rv
mock_get_atr (struct reader_conn *conn, uint8_t *atr, size_t *atr_len)
{
	struct mock_reader *r;
	reader_rv ret = READER_E_REMOVED;

	pthread_mutex_lock (&mock_lock);
	r = find_inlock (conn->backend, conn->name);
	if (r != NULL && r->card && *atr_len >= r->atr_len) {
		memcpy (atr, r->atr, r->atr_len);
		*atr_len = r->atr_len;
		ret = READER_OK;
	}
	pthread_mutex_unlock (&mock_lock);
	return ret;
}

static reader_rv
mock_control (struct reader_conn *conn, uint32_t code, const uint8_t *in, size_t in_len,
              uint8_t *out, size_t *out_len)
{
	(void) conn, (void) code, (void) in, (void) in_len, (void) out, (void) out_len;
	return READER_E_UNSUPPORTED;
}

#define MOCK_OPS(N) { \
	.name = "mock" #N, \
	.watch_open = mock##N##_watch_open, \
	.watch_close = mock_watch_close, \
	.enumerate = mock_enumerate, \
	.watch_wait = mock_watch_wait, \
	.watch_wake = mock_watch_wake, \
	.connect = mock##N##_connect, \
	.disconnect = mock_disconnect, \
	.reset = mock_begin, \
	.begin = mock_begin, \
	.end = mock_end, \
	.transmit = mock_transmit, \
	.get_atr = mock_get_atr, \
	.control = mock_control, \
}

const struct reader_ops reader_mock_ops[READER_MOCK_BACKENDS] = { MOCK_OPS (0), MOCK_OPS (1) };
