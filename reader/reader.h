/*
 * reader/: reader backends behind one interface, and the reader monitor.
 *
 * The front end (src/) and the card drivers (apdu/) reach a card only through
 * struct reader_ops. Backends: PC/SC (reader/pcsc.c, libpcsclite), USB CCID
 * (later), and a mock for unit tests. Errors are reader_rv values; each layer
 * above translates them at its boundary ("card removed" stays distinct).
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
} reader_rv;

/* Human-readable name of a reader_rv, for log lines. Never NULL. */
const char *reader_rv_name (reader_rv rv);

#define READER_MAX_ATR 36
#define READER_MAX_RESPONSE (65536 + 2)   /* extended Le + SW */

struct reader_conn;   /* one connection to the card in one reader */

/*
 * A reader backend. All functions are safe to call from any thread, but one
 * struct reader_conn is used by one thread at a time (the caller serialises).
 */
struct reader_ops {
	const char *name;   /* "pcsc", "ccid", "mock" */

	/* Connect (shared mode, T=0 or T=1) to the card in reader READER_NAME.
	 * On READER_OK *conn is set; the caller owns it and releases it with disconnect(). */
	reader_rv (*connect) (const char *reader_name, struct reader_conn **conn);

	/* Release a connection (leave the card as it is). Accepts NULL. */
	void (*disconnect) (struct reader_conn *conn);

	/* Start one exclusive transaction (one per card operation; other processes wait).
	 * READER_E_RESET: the card was reset since the previous transaction; the backend has
	 * already reconnected and the transaction IS held: the caller restores the card's
	 * state (select, re-verify) and proceeds. READER_E_REMOVED: the connection is dead. */
	reader_rv (*begin) (struct reader_conn *conn);

	/* End the transaction started by begin(), leaving the card as it is. */
	void (*end) (struct reader_conn *conn);

	/* Send one command APDU and receive the response APDU (data + SW1 SW2).
	 * *resp_len is the size of RESP on entry and the response length on return.
	 * READER_E_RESET: the card was reset by somebody else before this command,
	 * which was NOT executed; the backend has reconnected and, if a transaction
	 * was open, taken it again: the caller is where begin()'s READER_E_RESET
	 * leaves it (restore the card's state, then send the command again).
	 * READER_E_INVALID also when RESP is too small for the answer. A failed
	 * transmission (also an answer without a status word) is READER_E_COMM when
	 * the card is still there, READER_E_REMOVED when it went away meanwhile: the
	 * backend gives the service a short moment to notice a removal. */
	reader_rv (*transmit) (struct reader_conn *conn,
	                       const uint8_t *cmd, size_t cmd_len,
	                       uint8_t *resp, size_t *resp_len);

	/* The card's ATR as seen at connect (or the last reconnect). *atr_len: size in, length out. */
	reader_rv (*get_atr) (struct reader_conn *conn, uint8_t *atr, size_t *atr_len);
};

/* The PC/SC backend (reader/pcsc.c). Each connection has its own SCARDCONTEXT,
 * so connections used from different threads never wait for each other.
 * A sharing violation is retried for about half a second before
 * READER_E_SHARING. On an open connection a vanished reader is
 * READER_E_REMOVED (the card went with it); NO_READER comes only from connect().
 * After a pcscd restart every old connection answers READER_E_NO_SERVICE. */
extern const struct reader_ops reader_pcsc_ops;

/* A card that never answers (reader/pcsc-watchdog.c): a PC/SC call on a connection that
 * lasts longer than TIMEOUT_MS is ended by shutting the connection's socket to pcscd
 * down (pcsc-lite has no other way); the call fails with READER_E_COMM and the next
 * begin() connects again (READER_E_RESET: the card's state is to be restored). This
 * needs a thread: with THREADS_ALLOWED 0, or TIMEOUT_MS 0, there is no watchdog and a
 * reader driver without a time-out of its own waits as long as the card does.
 * reader_pcsc_watchdog (0, 0) stops and joins the thread (C_Finalize). */
void reader_pcsc_watchdog (long timeout_ms, int threads_allowed);

/* ------------------------------------------------------------------------
 * The reader monitor (reader/monitor.c): one loop over every reader and the
 * PnP pseudo-reader, blocking in SCardGetStatusChange. It runs either in a
 * thread of the front end or in the thread of C_WaitForSlotEvent; the loop is
 * the same (reader_monitor_wait), only the caller differs.
 * ------------------------------------------------------------------------ */

#define READER_MAX_NAME 128

/* What the monitor knows of one reader: a snapshot, copied out to the caller. */
struct reader_status {
	char name[READER_MAX_NAME];
	int present;                  /* 1: reader attached (0: it has gone) */
	int card_present;             /* 1: a card is in the reader */
	uint32_t card_generation;     /* changes at every insertion / card swap */
	uint8_t atr[READER_MAX_ATR];
	size_t atr_len;
};

enum reader_event_kind {
	READER_EV_READER_ADDED,
	READER_EV_READER_REMOVED,
	READER_EV_CARD_INSERTED,      /* also a card swapped for another: REMOVED then INSERTED */
	READER_EV_CARD_REMOVED,
	READER_EV_SERVICE_DOWN,       /* pcscd went away (or is not there at the first look):
	                                 every card is reported CARD_REMOVED first; the
	                                 readers stay listed. status is all zero. */
	READER_EV_SERVICE_UP,         /* pcscd reached (first contact, or back): followed by
	                                 READER_ADDED / READER_REMOVED for the differences and
	                                 CARD_INSERTED for every card. status is all zero. */
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

/* Create a monitor. Owned by the caller: reader_monitor_free(). */
reader_rv reader_monitor_new (struct reader_monitor **monitor);

/* Stop and free. Accepts NULL. No thread may be inside reader_monitor_wait(). */
void reader_monitor_free (struct reader_monitor *monitor);

/* Block until something changes (or TIMEOUT_MS passes; -1 = forever), then report every
 * change through CB. READER_OK when events were reported, READER_E_TIMEOUT when nothing
 * changed, READER_E_CANCELLED when reader_monitor_cancel() was called (events reported
 * before the cancel stand). While pcscd is down it waits (no busy loop) and
 * retries the connection every 500 ms. Only one thread at a time may wait (a second
 * one gets READER_E_INVALID). No change is lost between two waits: the monitor keeps
 * its own state and compares at the next wait or refresh. */
reader_rv reader_monitor_wait (struct reader_monitor *monitor, long timeout_ms,
                               reader_event_cb cb, void *user);

/* A zero-timeout wait: refresh presence now (no APDU, never blocks on the card),
 * reporting changes through CB. Same return values as reader_monitor_wait(). */
reader_rv reader_monitor_refresh (struct reader_monitor *monitor, reader_event_cb cb, void *user);

/* Wake a thread blocked in reader_monitor_wait(); it returns READER_E_CANCELLED.
 * Callable from any thread. A cancel with nobody waiting makes the next wait return at once.
 * Returns once the waiter (if any) has left its blocking PC/SC call. */
void reader_monitor_cancel (struct reader_monitor *monitor);

#endif /* TSR_READER_H */
