/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * reader/: reader backends behind one interface, and the reader monitor.
 *
 * The front end (src/) and the card drivers (apdu/) reach a card only through
 * struct reader_ops, and the reader monitor reaches readers only through it too.
 * Backends: PC/SC (reader/pcsc*.c, libpcsclite), direct USB CCID (reader/ccid*.c,
 * libusb-1.0), and a mock for unit tests (reader/mock-backend.c). Errors are
 * reader_rv values; each layer above translates them at its boundary ("card
 * removed" stays distinct).
 */
#ifndef TSR_READER_H
#define TSR_READER_H

#include <stddef.h>
#include <stdint.h>

typedef enum {
	READER_OK = 0,
	READER_E_NO_CARD,     /* no card in the reader */
	READER_E_REMOVED,     /* the card was removed since connect: this connection is dead */
	READER_E_RESET,       /* the card was reset by somebody else; the connection was
	                         re-established, but volatile card state (selected application,
	                         verified PIN) is lost and must be restored by the driver */
	READER_E_NO_SERVICE,  /* the reader service (pcscd) is not running */
	READER_E_NO_READER,   /* the reader is gone */
	READER_E_TIMEOUT,     /* nothing happened within the time given */
	READER_E_CANCELLED,   /* a blocking call was cancelled (reader_monitor_cancel) */
	READER_E_SHARING,     /* another process holds the card exclusively */
	READER_E_COMM,        /* transmission failed or the card did not answer */
	READER_E_NO_MEMORY,
	READER_E_INVALID,     /* bad argument (a bug in the caller) */
	READER_E_UNSUPPORTED, /* the backend or the reader cannot do that (control) */
} reader_rv;

/* Human-readable name of a reader_rv, for log lines. Never NULL. */
const char *reader_rv_name (reader_rv rv);

#define READER_MAX_ATR 36
#define READER_MAX_RESPONSE (65536 + 2)   /* extended Le + SW */
#define READER_MAX_NAME 128
#define READER_MAX_MANUFACTURER 33       /* a PKCS #11 manufacturerID and its NUL */

struct reader_conn;    /* one connection to the card in one reader (backend-defined) */
struct reader_watch;   /* one backend's view of its readers, for the monitor (backend-defined) */

/* What a backend sees of one reader at one look (enumerate). */
struct reader_seen {
	char name[READER_MAX_NAME];   /* unique in the process and stable while the reader
	                                 stays plugged (and, where it can, across a re-plug) */
	char manufacturer[READER_MAX_MANUFACTURER];  /* for C_GetSlotInfo: "PC/SC reader",
	                                 or the USB reader's manufacturer string */
	int card_present;             /* a usable card is in the reader (a mute card is none) */
	int counted;                  /* 1: EVENTS counts like the previous look did */
	uint16_t events;              /* card insertions + removals seen so far (mod 2^16);
	                                 2 or more since the last look = a card swapped */
	uint8_t atr[READER_MAX_ATR];
	size_t atr_len;
};

/*
 * A reader backend: one table for everything below the monitor and the card
 * drivers. PC/SC (reader/pcsc*.c) and direct USB CCID (reader/ccid*.c) are two;
 * reader/mock-backend.c is the unit tests' one.
 *
 * Readers and changes (only the monitor calls these, from one thread at a time,
 * except watch_wake):
 *   watch_open   look at the readers: *watch owned by the caller (watch_close).
 *                READER_E_NO_SERVICE: nothing to look at now (pcscd not running,
 *                no USB access); the monitor tries again later.
 *   watch_close  stop looking; release what the backend holds. Accepts NULL.
 *   enumerate    the readers now, with their cards, without talking to a card
 *                (no APDU; a reader status query is fine). *seen is owned by the
 *                caller (free(); NULL when *n is 0). ADOPT 0: report only readers
 *                already reported by this watch, leave new ones alone (not
 *                claimed): a fallback backend does so while a primary one runs.
 *                READER_E_NO_SERVICE: the service went away (the monitor closes
 *                the watch and reports the backend's cards removed).
 *   watch_wait   block until something may have changed since the last enumerate,
 *                TIMEOUT_MS passed (-1: forever; 0: just look), or watch_wake:
 *                READER_OK / READER_E_TIMEOUT / READER_E_CANCELLED (woken), or
 *                READER_E_NO_SERVICE. A spurious READER_OK is harmless.
 *   watch_wake   from any thread, while watch_wait may be running: make it return
 *                soon. Best effort: the monitor repeats it until the waiter is out.
 *
 * One card (the caller serialises the use of one struct reader_conn):
 *   connect      connect (shared where the backend can share; T=0 or T=1) to the
 *                card in reader READER_NAME; *conn owned by the caller (disconnect).
 *                READER_E_NO_READER: this backend has no such reader.
 *   disconnect   release a connection, leaving the card as it is. Accepts NULL.
 *   reset        reset the card (warm where the backend can): its volatile state
 *                (selected application, verified PIN) is gone; the ATR is re-read.
 *   begin / end  one exclusive transaction per card operation (other processes
 *                wait). begin's READER_E_RESET: the card was reset by somebody else
 *                since the previous transaction; the backend has reconnected and the
 *                transaction IS held: the caller restores the card's state and goes
 *                on. READER_E_REMOVED: the connection is dead.
 *   transmit     one command APDU in, the response APDU (data + SW1 SW2) out; the
 *                backend does the protocol below (T=0 / T=1 / reader chaining).
 *                *resp_len: size of RESP in, response length out. The contract of
 *                every backend:
 *                  READER_OK          a response with at least SW1 SW2;
 *                  READER_E_RESET     reset by somebody else before this command, which
 *                                     was NOT executed; reconnected, the transaction
 *                                     (if one was open) taken again: restore the
 *                                     card's state, then send the command again;
 *                  READER_E_REMOVED   the card (or its reader) went away: the
 *                                     connection is dead;
 *                  READER_E_COMM      the card is still there but the exchange failed
 *                                     (mute card, protocol error, timeout of the
 *                                     backend's bounded wait, answer without SW),
 *                                     or the reader cannot carry this APDU (an
 *                                     extended one over T=0 or to a short-APDU
 *                                     reader), which was then not sent;
 *                  READER_E_NO_SERVICE the service (pcscd) went away;
 *                  READER_E_INVALID   bad arguments, also RESP too small.
 *   get_atr      the ATR as seen at connect (or the last reset). *atr_len: size in,
 *                length out.
 *   control      a reader control (PC/SC SCardControl codes; part 10 features):
 *                READER_E_UNSUPPORTED when the backend or reader has no such control.
 */
struct reader_ops {
	const char *name;   /* "pcsc", "ccid", "mock", "auto" */

	reader_rv (*watch_open) (struct reader_watch **watch);
	void (*watch_close) (struct reader_watch *watch);
	reader_rv (*enumerate) (struct reader_watch *watch, int adopt,
	                        struct reader_seen **seen, size_t *n);
	reader_rv (*watch_wait) (struct reader_watch *watch, long timeout_ms);
	void (*watch_wake) (struct reader_watch *watch);

	reader_rv (*connect) (const char *reader_name, struct reader_conn **conn);
	void (*disconnect) (struct reader_conn *conn);
	reader_rv (*reset) (struct reader_conn *conn);
	reader_rv (*begin) (struct reader_conn *conn);
	void (*end) (struct reader_conn *conn);
	reader_rv (*transmit) (struct reader_conn *conn,
	                       const uint8_t *cmd, size_t cmd_len,
	                       uint8_t *resp, size_t *resp_len);
	reader_rv (*get_atr) (struct reader_conn *conn, uint8_t *atr, size_t *atr_len);
	reader_rv (*control) (struct reader_conn *conn, uint32_t code,
	                      const uint8_t *in, size_t in_len, uint8_t *out, size_t *out_len);
};

/* The PC/SC backend (reader/pcsc.c, reader/pcsc-watch.c). Each connection has its
 * own SCARDCONTEXT, so connections used from different threads never wait for each
 * other. A sharing violation is retried for about half a second before
 * READER_E_SHARING. On an open connection a vanished reader is READER_E_REMOVED
 * (the card went with it); NO_READER comes only from connect(). After a pcscd
 * restart every old connection answers READER_E_NO_SERVICE. The watch blocks in
 * SCardGetStatusChange over every reader and the PnP pseudo-reader. */
extern const struct reader_ops reader_pcsc_ops;

/* The direct USB CCID backend (reader/ccid*.c, libusb-1.0), when built with it
 * (WITH_CCID); else NULL. One process holds a USB reader at a time (it claims the
 * interface); a reader that somebody else holds (pcscd's CCID driver, another
 * process) is skipped and logged. */
extern const struct reader_ops *const reader_ccid_ops;

/* A card that never answers (reader/pcsc-watchdog.c): a PC/SC call on a connection that
 * lasts longer than TIMEOUT_MS is ended by shutting the connection's socket to pcscd
 * down (pcsc-lite has no other way); the call fails with READER_E_COMM and the next
 * begin() connects again (READER_E_RESET: the card's state is to be restored). This
 * needs a thread: with THREADS_ALLOWED 0, or TIMEOUT_MS 0, there is no watchdog and a
 * reader driver without a time-out of its own waits as long as the card does.
 * reader_pcsc_watchdog (0, 0) stops and joins the thread (C_Finalize). */
void reader_pcsc_watchdog (long timeout_ms, int threads_allowed);

/* Which backends the module uses (tessera.conf reader_backend). */
enum reader_choice {
	READER_CHOICE_PCSC,   /* pcscd only */
	READER_CHOICE_CCID,   /* direct USB only (pcscd only when built without libusb) */
	READER_CHOICE_AUTO,   /* pcscd when it answers; direct USB for the readers while it
	                         does not (they stay direct until unplugged) */
};

/* The reader ops that connect to the readers of CHOICE: pcsc, ccid, or for auto one
 * that finds the backend holding the named reader. Never NULL; static. */
const struct reader_ops *reader_ops_for (enum reader_choice choice);

/* Parse "pcsc" / "ccid" / "auto". 0 on success, -1 for anything else. */
int reader_choice_parse (const char *s, enum reader_choice *choice);
const char *reader_choice_name (enum reader_choice choice);

/* ------------------------------------------------------------------------
 * The reader monitor (reader/monitor*.c): one loop over the readers of one or
 * more backends, blocking in their watch_wait. It knows no backend: only the
 * table above. It runs either in a thread of the front end or in the thread of
 * C_WaitForSlotEvent; the loop is the same (reader_monitor_wait), only the
 * caller differs.
 * ------------------------------------------------------------------------ */

/* What the monitor knows of one reader: a snapshot, copied out to the caller. */
struct reader_status {
	char name[READER_MAX_NAME];
	char manufacturer[READER_MAX_MANUFACTURER];   /* as the backend gave it */
	const char *backend;          /* the backend's name ("pcsc", "ccid"); "" for SERVICE_* */
	int present;                  /* 1: reader attached (0: it has gone) */
	int card_present;             /* 1: a card is in the reader */
	uint32_t card_generation;     /* changes at every insertion / card swap */
	uint32_t event_count;         /* the service's own count of card events in this reader
	                                 (pcsc-lite: upper 16 bits of the reader state), the
	                                 same for every process; 0 when the service has none */
	uint8_t atr[READER_MAX_ATR];
	size_t atr_len;
};

enum reader_event_kind {
	READER_EV_READER_ADDED,
	READER_EV_READER_REMOVED,
	READER_EV_CARD_INSERTED,      /* also a card swapped for another: REMOVED then INSERTED */
	READER_EV_CARD_REMOVED,
	READER_EV_SERVICE_DOWN,       /* no backend can be reached any more (pcscd went away),
	                                 or none at the first look: every card is reported
	                                 CARD_REMOVED first; the readers stay listed. A backend
	                                 that goes while another stays reports only its cards
	                                 removed. status is all zero. */
	READER_EV_SERVICE_UP,         /* a backend reached (first contact, or back) while none
	                                 was: followed by READER_ADDED / READER_REMOVED for the
	                                 differences and CARD_INSERTED for every card. status
	                                 is all zero. */
};

struct reader_event {
	enum reader_event_kind kind;
	struct reader_status status;  /* the reader concerned, after the change */
};

/* Receives the monitor's events, in order, from the thread that called
 * reader_monitor_wait() / reader_monitor_refresh(). It may call
 * reader_monitor_cancel(), not reader_monitor_wait()/refresh()/free().
 * A new monitor knows nothing: its first look reports SERVICE_UP, then
 * READER_ADDED for every reader and CARD_INSERTED for every card.
 * card_generation is unique within a monitor (never 0 for a card, never reused),
 * and a CARD_REMOVED carries the generation of the card that went away. */
typedef void (*reader_event_cb) (void *user, const struct reader_event *event);

struct reader_monitor;

/* Create a monitor over pcscd alone. Owned by the caller: reader_monitor_free(). */
reader_rv reader_monitor_new (struct reader_monitor **monitor);

/* Create a monitor over the backends of CHOICE (auto: pcsc primary, ccid fallback). */
reader_rv reader_monitor_new_for (enum reader_choice choice, struct reader_monitor **monitor);

/* Create a monitor over N backends OPS[0..N): FALLBACK[i] 1 makes backend i a
 * fallback, which adopts new readers only while every other (primary) backend is
 * unreachable, and is closed when it holds no reader and a primary runs. OPS must
 * outlive the monitor. (The module uses reader_monitor_new_for; tests give mocks.) */
reader_rv reader_monitor_new_backends (const struct reader_ops *const *ops, const int *fallback,
                                       size_t n, struct reader_monitor **monitor);

/* Stop and free. Accepts NULL. No thread may be inside reader_monitor_wait(). */
void reader_monitor_free (struct reader_monitor *monitor);

/* Block until something changes (or TIMEOUT_MS passes; -1 = forever), then report every
 * change through CB. READER_OK when events were reported, READER_E_TIMEOUT when nothing
 * changed, READER_E_CANCELLED when reader_monitor_cancel() was called (events reported
 * before the cancel stand). While a backend is unreachable (pcscd down) it waits
 * (no busy loop) and retries it every 500 ms (2 s while a fallback backend runs). Only one thread at a time may wait (a second
 * one gets READER_E_INVALID). No change is lost between two waits: the monitor keeps
 * its own state and compares at the next wait or refresh. */
reader_rv reader_monitor_wait (struct reader_monitor *monitor, long timeout_ms,
                               reader_event_cb cb, void *user);

/* A zero-timeout wait: refresh presence now (no APDU, never blocks on the card),
 * reporting changes through CB. Same return values as reader_monitor_wait(). */
reader_rv reader_monitor_refresh (struct reader_monitor *monitor, reader_event_cb cb, void *user);

/* Wake a thread blocked in reader_monitor_wait(); it returns READER_E_CANCELLED.
 * Callable from any thread. A cancel with nobody waiting makes the next wait return at once.
 * Returns once the waiter (if any) has left its backend's blocking wait. */
void reader_monitor_cancel (struct reader_monitor *monitor);

#endif /* TSR_READER_H */
