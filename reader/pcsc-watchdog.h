/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * reader/pcsc-watchdog.h: the PC/SC watchdog for a card that never answers (internal to
 * reader/; configured through reader_pcsc_watchdog() of reader.h).
 *
 * pcsc-lite offers no way to end a blocked SCardTransmit: the call waits in poll() on the
 * context's socket with no time limit, holding the context's lock (SCardDisconnect and
 * SCardReleaseContext wait for it), and SCardCancel only ends SCardGetStatusChange. A
 * reader driver that itself never gives up (vsmartcard's vpcd; a physical CCID reader
 * has its own time-outs) thus blocks the caller for good. Every connection owns its
 * context (pcsc.c), so it owns that context's socket: when a call on the connection
 * outlives the time-out, the watchdog thread shuts the socket down (shutdown(2)); the
 * call returns SCARD_F_COMM_ERROR, the connection is dead, and pcsc.c builds a new one
 * at the next begin().
 */
#ifndef TSR_READER_PCSC_WATCHDOG_H
#define TSR_READER_PCSC_WATCHDOG_H

#include <stdbool.h>
#include <time.h>

/* One watched connection: embedded in struct reader_conn. */
struct pcsc_watch {
	int fd;                        /* the context's socket, -1 unknown (not watched) */
	bool armed;                    /* watchdog mutex */
	bool fired;                    /* watchdog mutex; the socket was shut down */
	struct timespec deadline;      /* watchdog mutex; CLOCK_MONOTONIC */
	struct pcsc_watch *next;       /* watchdog mutex; armed list */
	const char *reader;            /* for the log line */
};

/* Is the watchdog on (a time-out set and threads allowed)? */
bool pcsc_watchdog_enabled (void);

/* The socket of the SCARDCONTEXT about to be established: call pcsc_socket_before()
 * before SCardEstablishContext and pcsc_socket_after() after it. -1 when it cannot be
 * told apart (another thread opened a socket meanwhile): that connection is not watched.
 * *snapshot is owned by these two calls. */
void *pcsc_socket_before (void);
int pcsc_socket_after (void *snapshot);

/* Around every PC/SC call on a connection that may block: arm (no-op when the watchdog is
 * off or W->fd is -1), then disarm, which says whether the watchdog fired meanwhile (the
 * call's failure is then the time-out, and the connection is dead). */
void pcsc_watch_arm (struct pcsc_watch *w);
bool pcsc_watch_disarm (struct pcsc_watch *w);

#endif /* TSR_READER_PCSC_WATCHDOG_H */
