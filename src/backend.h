/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * src/backend.h: what the front end needs from the layers below, as one table.
 *
 * The module (src/entry.c) installs the real table (reader/ monitor, apdu/
 * card_open through the PC/SC backend); unit tests install a mock table, so the
 * whole front end runs against a simulated card without pcscd. Card operations
 * themselves go through card->driver (apdu/card.h).
 */
#ifndef TSR_BACKEND_H
#define TSR_BACKEND_H

#include "apdu/card.h"
#include "reader/reader.h"

struct tsr_backend {
	reader_rv (*monitor_new) (struct reader_monitor **monitor);
	void (*monitor_free) (struct reader_monitor *monitor);
	reader_rv (*monitor_wait) (struct reader_monitor *monitor, long timeout_ms,
	                           reader_event_cb cb, void *user);
	reader_rv (*monitor_refresh) (struct reader_monitor *monitor, reader_event_cb cb, void *user);
	void (*monitor_cancel) (struct reader_monitor *monitor);

	/* card_open() of application APP (NULL: the first found) on this backend's reader ops;
	 * *card owned by the caller (card_close). card_discover(): the card's applications. */
	card_rv (*card_open) (const char *reader_name, const char *app, struct card **card);
	card_rv (*card_discover) (const char *reader_name, int all, char apps[CARD_MAX_APPS][CARD_APP_NAME],
	                          size_t *n);
	void (*card_close) (struct card *card);
	card_rv (*card_begin) (struct card *card, int *was_reset);
	void (*card_end) (struct card *card);
	void (*keys_free) (struct card_key *keys, size_t count);
	/* How long a card may take to answer one command (0: no limit); THREADS_ALLOWED: the
	 * watchdog may run a thread. Called by C_Initialize, and with (0, 0) by C_Finalize.
	 * NULL: the backend has no watchdog. */
	void (*card_timeout) (long timeout_ms, int threads_allowed);
};

/* The table in use; set before C_Initialize (entry points / tests). */
extern const struct tsr_backend *tsr_backend;

void tsr_set_backend (const struct tsr_backend *backend);

#endif /* TSR_BACKEND_H */
