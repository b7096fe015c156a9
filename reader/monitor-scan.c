/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * reader/monitor-scan.c: the reader monitor's PC/SC queries (context, reader
 * list, status change). Called only by the thread inside reader_monitor_wait().
 */
#include "config.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "reader/log.h"
#include "reader/monitor-private.h"
#include "reader/pcsc-error.h"

static const char PNP_READER[] = "\\\\?PnP?\\Notification";

/* Does pcscd report reader changes on the PnP pseudo-reader? (pcsc-lite >= 1.6
 * does; an older one answers SCARD_STATE_UNKNOWN for the name.) */
static void
monitor_check_pnp (struct reader_monitor *m)
{
	SCARD_READERSTATE rs;
	LONG rv;

	memset (&rs, 0, sizeof rs);
	rs.szReader = PNP_READER;
	rs.dwCurrentState = SCARD_STATE_UNAWARE;
	rv = SCardGetStatusChange (m->ctx, 0, &rs, 1);
	m->pnp = (rv == SCARD_S_SUCCESS || rv == SCARD_E_TIMEOUT) &&
	         !(rs.dwEventState & SCARD_STATE_UNKNOWN);
	m->pnp_state = m->pnp ? (uint32_t) (rs.dwEventState & ~(DWORD) SCARD_STATE_CHANGED) : 0;
	tsr_log ("monitor", "PnP notification %s", m->pnp ? "supported" : "not supported: polling");
}

reader_rv
monitor_connect (struct reader_monitor *m, struct reader_emitter *em)
{
	SCARDCONTEXT ctx = 0;
	reader_rv ret;
	LONG rv;

	assert (!m->have_ctx);
	rv = SCardEstablishContext (SCARD_SCOPE_SYSTEM, NULL, NULL, &ctx);
	if (rv != SCARD_S_SUCCESS) {
		/* Whatever the reason (pcscd absent, polkit refusal), we cannot see any
		 * reader: report the service down and let the loop retry later. */
		if (m->set.service != READER_SERVICE_DOWN)
			(void) reader_pcsc_fail ("SCardEstablishContext", NULL, rv, READER_PCSC_CONNECTING);
		reader_set_service_down (&m->set, em);
		ret = READER_E_NO_SERVICE;
		goto out;
	}
	pthread_mutex_lock (&m->lock);
	m->ctx = ctx;
	m->have_ctx = 1;
	pthread_mutex_unlock (&m->lock);
	monitor_check_pnp (m);
	reader_set_service_up (&m->set, em);
	ret = READER_OK;
out:
	return ret;
}

void
monitor_disconnect (struct reader_monitor *m)
{
	LONG rv;

	pthread_mutex_lock (&m->lock);
	if (m->have_ctx) {
		rv = SCardReleaseContext (m->ctx);
		/* After pcscd died the library still frees its side, answering NO_SERVICE. */
		if (rv != SCARD_S_SUCCESS && rv != SCARD_E_NO_SERVICE)
			(void) reader_pcsc_fail ("SCardReleaseContext", NULL, rv, READER_PCSC_CONNECTED);
		m->have_ctx = 0;
		m->ctx = 0;
	}
	pthread_mutex_unlock (&m->lock);
}

void
monitor_lose_service (struct reader_monitor *m, struct reader_emitter *em)
{
	tsr_log ("monitor", "lost pcscd: every card is reported removed");
	monitor_disconnect (m);
	reader_set_service_down (&m->set, em);
}

/* Split a PC/SC multi-string into *names (owned by the caller, free();
 * pointing into LIST). */
static reader_rv
split_multistring (const char *list, DWORD len, const char ***names, size_t *n)
{
	const char *p;
	size_t count = 0, i = 0;

	*names = NULL;
	*n = 0;
	for (p = list; p < list + len && *p != '\0'; p += strlen (p) + 1)
		count++;
	if (count == 0)
		return READER_OK;
	*names = calloc (count, sizeof **names);
	if (*names == NULL)
		return READER_E_NO_MEMORY;
	for (p = list; i < count; p += strlen (p) + 1)
		(*names)[i++] = p;
	*n = count;
	return READER_OK;
}

reader_rv
monitor_relist (struct reader_monitor *m, struct reader_emitter *em)
{
	LPSTR list = NULL;
	DWORD len = SCARD_AUTOALLOCATE;
	const char **names = NULL;
	size_t n = 0;
	reader_rv ret;
	LONG rv;

	assert (m->have_ctx);
	rv = SCardListReaders (m->ctx, NULL, (LPSTR) &list, &len);
	if (rv == SCARD_E_NO_READERS_AVAILABLE) {
		list = NULL;
		len = 0;
	} else if (rv != SCARD_S_SUCCESS) {
		ret = reader_pcsc_fail ("SCardListReaders", NULL, rv, READER_PCSC_CONNECTED);
		list = NULL;
		goto out;
	}
	ret = split_multistring (list ? list : "", list ? len : 0, &names, &n);
	if (ret == READER_OK)
		ret = reader_set_relist (&m->set, names, n, em);

out:
	free (names);
	if (list != NULL)
		SCardFreeMemory (m->ctx, list);
	return ret;
}

/* Fill m->rs from the set (+ the PnP entry); returns the entry count. */
static reader_rv
fill_reader_states (struct reader_monitor *m, DWORD *count)
{
	size_t i, n = m->set.count + 1;

	if (n > m->rs_alloc) {
		SCARD_READERSTATE *rs = realloc (m->rs, n * sizeof *rs);
		if (rs == NULL)
			return READER_E_NO_MEMORY;
		m->rs = rs;
		m->rs_alloc = n;
	}
	for (i = 0; i < m->set.count; i++) {
		memset (&m->rs[i], 0, sizeof m->rs[i]);
		m->rs[i].szReader = m->set.readers[i].status.name;
		m->rs[i].dwCurrentState = m->set.readers[i].pcsc_state;
	}
	*count = (DWORD) m->set.count;
	if (m->pnp) {
		memset (&m->rs[i], 0, sizeof m->rs[i]);
		m->rs[i].szReader = PNP_READER;
		m->rs[i].dwCurrentState = m->pnp_state;
		(*count)++;
	}
	return READER_OK;
}

static void
apply_reader_states (struct reader_monitor *m, struct reader_emitter *em, int *relist)
{
	size_t i;

	for (i = 0; i < m->set.count; i++) {
		const SCARD_READERSTATE *rs = &m->rs[i];
		if (reader_set_update (&m->set, i, (uint32_t) rs->dwEventState, rs->rgbAtr,
		                       rs->cbAtr, em))
			*relist = 1;
	}
	if (m->pnp) {
		const SCARD_READERSTATE *rs = &m->rs[i];
		if (rs->dwEventState & SCARD_STATE_CHANGED)
			*relist = 1;
		m->pnp_state = (uint32_t) (rs->dwEventState & ~(DWORD) SCARD_STATE_CHANGED);
	}
}

LONG
monitor_status (struct reader_monitor *m, long wait_ms, struct reader_emitter *em, int *relist)
{
	DWORD count = 0;
	LONG rv;

	assert (m->have_ctx);
	if (fill_reader_states (m, &count) != READER_OK)
		return SCARD_E_NO_MEMORY;
	assert (count > 0);
	if (wait_ms != 0 && !monitor_enter_pcsc_wait (m))
		return SCARD_E_CANCELLED;
	rv = SCardGetStatusChange (m->ctx, wait_ms < 0 ? INFINITE : (DWORD) wait_ms, m->rs, count);
	if (wait_ms != 0)
		monitor_leave_pcsc_wait (m);
	if (rv == SCARD_S_SUCCESS)
		apply_reader_states (m, em, relist);
	return rv;
}
