/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * reader/pcsc-watch.c: the PC/SC backend's watch (struct reader_ops'
 * watch_open .. watch_wake): pcscd's reader list and SCardGetStatusChange
 * over every reader and the PnP pseudo-reader.
 *
 * pcsc-lite's state words carry, in their upper 16 bits, a per-reader event
 * counter (one step per insertion and per removal): enumerate() hands it on as
 * reader_seen.events, so the monitor sees a card swapped between two looks.
 */
#include "config.h"

#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <PCSC/winscard.h>

#include "reader/log.h"
#include "reader/pcsc-error.h"
#include "reader/pcsc-private.h"

static const char PNP_READER[] = "\\\\?PnP?\\Notification";
/* Without PnP notifications (old pcsc-lite), poll the reader list this often. */
#define PCSC_POLL_MS 1000

#define COUNTER(state) ((uint16_t) (((state) >> 16) & 0xFFFFu))

/* One reader as last seen. */
struct pcsc_entry {
	char name[READER_MAX_NAME];
	DWORD state;                  /* dwEventState, SCARD_STATE_CHANGED cleared */
	uint8_t atr[READER_MAX_ATR];
	size_t atr_len;
};

struct reader_watch {
	SCARDCONTEXT ctx;             /* owned */
	pthread_mutex_t lock;
	pthread_cond_t cond;          /* CLOCK_MONOTONIC; broadcast by wake */
	int woken;                    /* lock */
	int pnp;                      /* pcscd reports reader changes on the PnP pseudo-reader */
	DWORD pnp_state;              /* the PnP entry's dwCurrentState */
	struct pcsc_entry *readers;   /* owned, N: the readers of the last enumerate */
	size_t n;
	SCARD_READERSTATE *rs;        /* owned scratch, N + 1 */
};

/* Does pcscd report reader changes on the PnP pseudo-reader? (pcsc-lite >= 1.6
 * does; an older one answers SCARD_STATE_UNKNOWN for the name.) */
static void
pcsc_check_pnp (struct reader_watch *w)
{
	SCARD_READERSTATE rs;
	LONG rv;

	memset (&rs, 0, sizeof rs);
	rs.szReader = PNP_READER;
	rs.dwCurrentState = SCARD_STATE_UNAWARE;
	rv = SCardGetStatusChange (w->ctx, 0, &rs, 1);
	w->pnp = (rv == SCARD_S_SUCCESS || rv == SCARD_E_TIMEOUT) &&
	         !(rs.dwEventState & SCARD_STATE_UNKNOWN);
	w->pnp_state = w->pnp ? (rs.dwEventState & ~(DWORD) SCARD_STATE_CHANGED) : 0;
	tsr_log ("monitor", "PnP notification %s", w->pnp ? "supported" : "not supported: polling");
}

reader_rv
pcsc_watch_open (struct reader_watch **out)
{
	struct reader_watch *w;
	pthread_condattr_t attr;
	LONG rv;

	*out = NULL;
	w = calloc (1, sizeof *w);
	if (w == NULL)
		return READER_E_NO_MEMORY;
	rv = SCardEstablishContext (SCARD_SCOPE_SYSTEM, NULL, NULL, &w->ctx);
	if (rv != SCARD_S_SUCCESS) {
		/* Whatever the reason (pcscd absent, polkit refusal), we cannot see any
		 * reader: the service is down, the monitor tries again later. */
		(void) reader_pcsc_fail ("SCardEstablishContext", NULL, rv, READER_PCSC_CONNECTING);
		free (w);
		return READER_E_NO_SERVICE;
	}
	pthread_mutex_init (&w->lock, NULL);
	pthread_condattr_init (&attr);
	pthread_condattr_setclock (&attr, CLOCK_MONOTONIC);
	pthread_cond_init (&w->cond, &attr);
	pthread_condattr_destroy (&attr);
	pcsc_check_pnp (w);
	*out = w;
	return READER_OK;
}

void
pcsc_watch_close (struct reader_watch *w)
{
	LONG rv;

	if (w == NULL)
		return;
	rv = SCardReleaseContext (w->ctx);
	/* After pcscd died the library still frees its side, answering NO_SERVICE. */
	if (rv != SCARD_S_SUCCESS && rv != SCARD_E_NO_SERVICE)
		(void) reader_pcsc_fail ("SCardReleaseContext", NULL, rv, READER_PCSC_CONNECTED);
	pthread_cond_destroy (&w->cond);
	pthread_mutex_destroy (&w->lock);
	free (w->readers);
	free (w->rs);
	free (w);
}

void
pcsc_watch_wake (struct reader_watch *w)
{
	LONG rv;

	pthread_mutex_lock (&w->lock);
	w->woken = 1;
	pthread_cond_broadcast (&w->cond);
	pthread_mutex_unlock (&w->lock);
	rv = SCardCancel (w->ctx);
	if (rv != SCARD_S_SUCCESS)
		(void) reader_pcsc_fail ("SCardCancel", NULL, rv, READER_PCSC_CONNECTED);
}

/* What was seen of reader NAME (state UNAWARE when new) into E. */
static void
previous_entry (const struct reader_watch *w, const char *name, struct pcsc_entry *e)
{
	size_t i;

	for (i = 0; i < w->n; i++) {
		if (strcmp (w->readers[i].name, name) == 0) {
			*e = w->readers[i];
			return;
		}
	}
	memset (e, 0, sizeof *e);
	strcpy (e->name, name);
	e->state = SCARD_STATE_UNAWARE;
}

/* Replace the reader list by pcscd's LIST (a multi-string of LEN bytes), keeping
 * the states of the readers already known. */
static reader_rv
take_list (struct reader_watch *w, const char *list, DWORD len)
{
	struct pcsc_entry *readers = NULL;
	SCARD_READERSTATE *rs = NULL;
	size_t count = 0, n = 0;
	const char *p;

	for (p = list; p < list + len && *p != '\0'; p += strlen (p) + 1)
		count++;
	readers = calloc (count + 1, sizeof *readers);
	rs = calloc (count + 1, sizeof *rs);
	if (readers == NULL || rs == NULL) {
		free (readers);
		free (rs);
		return READER_E_NO_MEMORY;
	}
	for (p = list; p < list + len && *p != '\0'; p += strlen (p) + 1) {
		if (strlen (p) >= READER_MAX_NAME) {
			tsr_log ("monitor", "reader name too long, ignored: %.40s...", p);
			continue;
		}
		previous_entry (w, p, &readers[n]);
		n++;
	}
	free (w->readers);
	free (w->rs);
	w->readers = readers;
	w->rs = rs;
	w->n = n;
	return READER_OK;
}

static reader_rv
pcsc_relist (struct reader_watch *w)
{
	LPSTR list = NULL;
	DWORD len = SCARD_AUTOALLOCATE;
	reader_rv ret;
	LONG rv;

	rv = SCardListReaders (w->ctx, NULL, (LPSTR) &list, &len);
	if (rv == SCARD_E_NO_READERS_AVAILABLE)
		return take_list (w, "", 0);
	if (rv != SCARD_S_SUCCESS)
		return reader_pcsc_fail ("SCardListReaders", NULL, rv, READER_PCSC_CONNECTED);
	ret = take_list (w, list, len);
	SCardFreeMemory (w->ctx, list);
	return ret;
}

/* Fill w->rs from the readers (+ the PnP entry when WITH_PNP); the entry count. */
static DWORD
fill_states (struct reader_watch *w, int with_pnp)
{
	size_t i;

	for (i = 0; i < w->n; i++) {
		memset (&w->rs[i], 0, sizeof w->rs[i]);
		w->rs[i].szReader = w->readers[i].name;
		w->rs[i].dwCurrentState = w->readers[i].state;
	}
	if (with_pnp && w->pnp) {
		memset (&w->rs[i], 0, sizeof w->rs[i]);
		w->rs[i].szReader = PNP_READER;
		w->rs[i].dwCurrentState = w->pnp_state;
		i++;
	}
	return (DWORD) i;
}

/* Is a usable card in the reader, by pcsc-lite's state bits? A mute card
 * (no ATR) or a reader in a bad state counts as no card. */
static int
state_has_card (DWORD state)
{
	return (state & SCARD_STATE_PRESENT) &&
	       !(state & (SCARD_STATE_MUTE | SCARD_STATE_UNAVAILABLE | SCARD_STATE_UNKNOWN));
}

void
pcsc_state_to_seen (uint32_t state, const uint8_t *atr, size_t atr_len, struct reader_seen *seen)
{
	seen->card_present = state_has_card (state);
	/* pcsc-lite clears the counter bits of an unavailable reader */
	seen->counted = !(state & SCARD_STATE_UNAVAILABLE);
	seen->events = COUNTER (state);
	snprintf (seen->manufacturer, sizeof seen->manufacturer, "PC/SC reader");
	seen->atr_len = 0;
	if (seen->card_present && atr_len > 0) {
		seen->atr_len = atr_len > READER_MAX_ATR ? READER_MAX_ATR : atr_len;
		memcpy (seen->atr, atr, seen->atr_len);
	}
}

/* Status of every listed reader now (no wait); *unknown when pcscd no longer
 * knows one of them (list again). The states are kept for the next wait. */
static reader_rv
pcsc_status_now (struct reader_watch *w, int *unknown)
{
	DWORD count = fill_states (w, 0);
	size_t i;
	LONG rv;

	*unknown = 0;
	if (count == 0)
		return READER_OK;
	rv = SCardGetStatusChange (w->ctx, 0, w->rs, count);
	if (rv == SCARD_E_UNKNOWN_READER) {
		*unknown = 1;
		return READER_OK;
	}
	if (rv == SCARD_E_TIMEOUT)   /* nothing changed: the states stand */
		return READER_OK;
	if (rv != SCARD_S_SUCCESS)
		return reader_pcsc_fail ("SCardGetStatusChange", NULL, rv, READER_PCSC_CONNECTED);
	for (i = 0; i < w->n; i++) {
		struct pcsc_entry *e = &w->readers[i];
		if (w->rs[i].dwEventState & SCARD_STATE_UNKNOWN)
			*unknown = 1;
		e->state = w->rs[i].dwEventState & ~(DWORD) SCARD_STATE_CHANGED;
		e->atr_len = w->rs[i].cbAtr > READER_MAX_ATR ? READER_MAX_ATR : w->rs[i].cbAtr;
		memcpy (e->atr, w->rs[i].rgbAtr, e->atr_len);
	}
	return READER_OK;
}

reader_rv
pcsc_enumerate (struct reader_watch *w, int adopt, struct reader_seen **out, size_t *out_n)
{
	struct reader_seen *seen = NULL;
	int unknown = 1, tries;
	size_t i, n = 0;
	reader_rv ret = READER_OK;

	(void) adopt;   /* pcscd holds its readers: nothing to claim */
	*out = NULL;
	*out_n = 0;
	/* A reader that vanishes between the list and the status: list again. */
	for (tries = 0; tries < 3 && unknown && ret == READER_OK; tries++) {
		ret = pcsc_relist (w);
		if (ret == READER_OK)
			ret = pcsc_status_now (w, &unknown);
	}
	if (ret != READER_OK)
		return ret;
	if (w->n > 0) {
		seen = calloc (w->n, sizeof *seen);
		if (seen == NULL)
			return READER_E_NO_MEMORY;
	}
	for (i = 0; i < w->n; i++) {
		const struct pcsc_entry *e = &w->readers[i];
		if (e->state & SCARD_STATE_UNKNOWN)
			continue;   /* gone: the monitor drops it */
		memcpy (seen[n].name, e->name, sizeof seen[n].name);
		pcsc_state_to_seen (e->state, e->atr, e->atr_len, &seen[n]);
		n++;
	}
	*out = seen;
	*out_n = n;
	return READER_OK;
}

/* Nothing to wait on (no reader, no PnP): pcsc-lite would return at once. */
static reader_rv
pcsc_sleep (struct reader_watch *w, long ms)
{
	struct timespec until;
	reader_rv ret = READER_E_TIMEOUT;
	int err = 0;

	clock_gettime (CLOCK_MONOTONIC, &until);
	until.tv_sec += ms / 1000;
	until.tv_nsec += (ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock (&w->lock);
	while (!w->woken && err != ETIMEDOUT)
		err = pthread_cond_timedwait (&w->cond, &w->lock, &until);
	if (w->woken)
		ret = READER_E_CANCELLED;
	pthread_mutex_unlock (&w->lock);
	return ret;
}

reader_rv
pcsc_watch_wait (struct reader_watch *w, long timeout_ms)
{
	DWORD count;
	LONG rv;

	pthread_mutex_lock (&w->lock);
	w->woken = 0;
	pthread_mutex_unlock (&w->lock);
	if (!w->pnp && (timeout_ms < 0 || timeout_ms > PCSC_POLL_MS))
		timeout_ms = PCSC_POLL_MS;
	count = fill_states (w, 1);
	if (count == 0)
		return timeout_ms == 0 ? READER_E_TIMEOUT : pcsc_sleep (w, timeout_ms);
	rv = SCardGetStatusChange (w->ctx, timeout_ms < 0 ? INFINITE : (DWORD) timeout_ms,
	                           w->rs, count);
	switch (rv) {
	case SCARD_S_SUCCESS:
		if (w->pnp)
			w->pnp_state = w->rs[count - 1].dwEventState & ~(DWORD) SCARD_STATE_CHANGED;
		return READER_OK;
	case SCARD_E_UNKNOWN_READER:     /* a reader vanished: look again */
		return READER_OK;
	case SCARD_E_TIMEOUT:
		return READER_E_TIMEOUT;
	case SCARD_E_CANCELLED:
		return READER_E_CANCELLED;
	default:
		return reader_pcsc_fail ("SCardGetStatusChange", NULL, rv, READER_PCSC_CONNECTED);
	}
}
