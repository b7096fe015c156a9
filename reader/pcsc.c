/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * reader/pcsc.c: the PC/SC backend (struct reader_ops over libpcsclite).
 *
 * Contexts: every connection owns its own SCARDCONTEXT. pcsc-lite serialises
 * all calls on one context with a per-context mutex and asks that each thread
 * use its own context; a connection is used by one thread at a time (reader.h),
 * so a context per connection needs no lock of ours and never makes two
 * connections wait for each other. The price is one socket to pcscd per
 * connection, which is small (one connection per token).
 *
 * Readers and changes (the watch) are in pcsc-watch.c.
 *
 * Resets: when another process resets the card, pcsc-lite answers
 * SCARD_W_RESET_CARD once per handle; we reconnect (SCARD_LEAVE_CARD) at once
 * and report READER_E_RESET with the transaction held again, so the driver
 * only has to restore the card's volatile state.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <PCSC/winscard.h>

#include "reader/log.h"
#include "reader/pcsc-error.h"
#include "reader/pcsc-private.h"
#include "reader/pcsc-watchdog.h"
#include "reader/precond.h"
#include "reader/reader.h"

/* SCARD_E_SHARING_VIOLATION: another process may be mid-transaction or hold
 * the card exclusively for a moment; try this often, this far apart. */
#define PCSC_SHARING_TRIES 5
#define PCSC_SHARING_SLEEP_MS 100

/* A card that is reset again and again is given up after this many reconnects. */
#define PCSC_RESET_TRIES 3

/* A card pulled mid-APDU: the reader driver fails the transmission at once
 * (pcscd: SCARD_E_NOT_TRANSACTED, ...) while pcscd's event thread notices the
 * removal only at its next look, up to 400 ms later for a polled reader. After a
 * failed transmission we ask this long, this often, whether the card is still there. */
#define PCSC_GONE_WAIT_MS 600
#define PCSC_GONE_POLL_MS 25

/* One connection. No lock: used by one thread at a time (the caller's rule). */
struct reader_conn {
	SCARDCONTEXT ctx;               /* owned, released by disconnect */
	SCARDHANDLE card;               /* owned */
	DWORD protocol;                 /* SCARD_PROTOCOL_T0 or SCARD_PROTOCOL_T1 */
	int in_transaction;             /* 1 between begin() and end() */
	char reader[READER_MAX_NAME];
	uint8_t atr[READER_MAX_ATR];
	size_t atr_len;
	struct pcsc_watch watch;        /* the watchdog's view of the context's socket */
	int dead;                       /* the watchdog shut the socket down: begin() reconnects */
};

/* Around a PC/SC call that may block on the card. */
static void
watch_on (struct reader_conn *conn)
{
	pcsc_watch_arm (&conn->watch);
}

static int
watch_off (struct reader_conn *conn)
{
	if (pcsc_watch_disarm (&conn->watch))
		conn->dead = 1;
	return conn->dead;
}

static void
pcsc_sleep_ms (long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep (&ts, &ts) != 0 && errno == EINTR)
		;
}

/* Read the ATR of the card we are connected to into conn->atr. */
static reader_rv
pcsc_read_atr (struct reader_conn *conn)
{
	char name[READER_MAX_NAME * 2];
	DWORD name_len = sizeof name;
	DWORD state = 0, protocol = 0;
	BYTE atr[MAX_ATR_SIZE];
	DWORD atr_len = sizeof atr;
	LONG rv;

	watch_on (conn);
	rv = SCardStatus (conn->card, name, &name_len, &state, &protocol, atr, &atr_len);
	if (watch_off (conn))
		return READER_E_COMM;
	if (rv != SCARD_S_SUCCESS)
		return reader_pcsc_fail ("SCardStatus", conn->reader, rv, READER_PCSC_CONNECTED);
	if (atr_len > READER_MAX_ATR)
		atr_len = READER_MAX_ATR;
	memcpy (conn->atr, atr, atr_len);
	conn->atr_len = atr_len;
	return READER_OK;
}

/* Reconnect after SCARD_W_RESET_CARD (the transaction, if any, is lost). */
static reader_rv
pcsc_reconnect (struct reader_conn *conn)
{
	DWORD protocol = 0;
	LONG rv;

	tsr_log ("pcsc", "%s: card was reset by another process, reconnecting", conn->reader);
	conn->in_transaction = 0;
	watch_on (conn);
	rv = SCardReconnect (conn->card, SCARD_SHARE_SHARED,
	                     SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1, SCARD_LEAVE_CARD, &protocol);
	if (watch_off (conn))
		return READER_E_COMM;
	if (rv != SCARD_S_SUCCESS)
		return reader_pcsc_fail ("SCardReconnect", conn->reader, rv, READER_PCSC_CONNECTED);
	conn->protocol = protocol;
	return pcsc_read_atr (conn);
}

/* SCardConnect, retrying a sharing violation a few times. */
static LONG
pcsc_connect_card (struct reader_conn *conn)
{
	LONG rv = SCARD_E_SHARING_VIOLATION;
	int i;

	for (i = 0; i < PCSC_SHARING_TRIES; i++) {
		if (i > 0)
			pcsc_sleep_ms (PCSC_SHARING_SLEEP_MS);
		watch_on (conn);
		rv = SCardConnect (conn->ctx, conn->reader, SCARD_SHARE_SHARED,
		                   SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1, &conn->card, &conn->protocol);
		if (watch_off (conn))
			return SCARD_F_COMM_ERROR;
		if (rv != SCARD_E_SHARING_VIOLATION)
			break;
		tsr_log ("pcsc", "%s: sharing violation at connect, try %d", conn->reader, i + 1);
	}
	return rv;
}

/* The context and the card connection of CONN (conn->reader set). On failure what was
 * opened stays for pcsc_close to release. */
static reader_rv
pcsc_open (struct reader_conn *conn)
{
	void *sockets;
	LONG rv;

	sockets = pcsc_socket_before ();
	rv = SCardEstablishContext (SCARD_SCOPE_SYSTEM, NULL, NULL, &conn->ctx);
	conn->watch.fd = pcsc_socket_after (sockets);   /* frees SOCKETS */
	conn->watch.reader = conn->reader;
	conn->dead = 0;
	if (rv != SCARD_S_SUCCESS) {
		conn->ctx = 0;
		return reader_pcsc_fail ("SCardEstablishContext", conn->reader, rv, READER_PCSC_CONNECTING);
	}
	rv = pcsc_connect_card (conn);
	if (rv != SCARD_S_SUCCESS) {
		conn->card = 0;
		return conn->dead ? READER_E_COMM :
		       reader_pcsc_fail ("SCardConnect", conn->reader, rv, READER_PCSC_CONNECTING);
	}
	return pcsc_read_atr (conn);
}

/* Release the card connection and the context (a dead one: no message to pcscd but the
 * release, which fails at once on the shut socket and frees the client side). */
static void
pcsc_close (struct reader_conn *conn)
{
	LONG rv;

	if (conn->in_transaction && !conn->dead) {
		watch_on (conn);
		rv = SCardEndTransaction (conn->card, SCARD_LEAVE_CARD);
		if (!watch_off (conn) && rv != SCARD_S_SUCCESS)
			(void) reader_pcsc_fail ("SCardEndTransaction", conn->reader, rv, READER_PCSC_CONNECTED);
	}
	conn->in_transaction = 0;
	if (conn->card != 0 && !conn->dead) {
		watch_on (conn);
		rv = SCardDisconnect (conn->card, SCARD_LEAVE_CARD);
		if (!watch_off (conn) && rv != SCARD_S_SUCCESS)
			(void) reader_pcsc_fail ("SCardDisconnect", conn->reader, rv, READER_PCSC_CONNECTED);
	}
	conn->card = 0;
	if (conn->ctx != 0) {
		rv = SCardReleaseContext (conn->ctx);
		if (rv != SCARD_S_SUCCESS && !conn->dead)
			(void) reader_pcsc_fail ("SCardReleaseContext", conn->reader, rv, READER_PCSC_CONNECTED);
	}
	conn->ctx = 0;
	conn->watch.fd = -1;
}

static void
pcsc_disconnect (struct reader_conn *conn)
{
	if (conn == NULL)
		return;
	pcsc_close (conn);
	free (conn);
}

static reader_rv
pcsc_connect (const char *reader_name, struct reader_conn **out_conn)
{
	struct reader_conn *conn = NULL;
	reader_rv ret;

	if (reader_precondition_failed (reader_name != NULL) ||
	    reader_precondition_failed (out_conn != NULL) ||
	    reader_precondition_failed (strlen (reader_name) < READER_MAX_NAME))
		return READER_E_INVALID;

	*out_conn = NULL;
	conn = calloc (1, sizeof *conn);
	if (conn == NULL)
		return READER_E_NO_MEMORY;
	strcpy (conn->reader, reader_name);
	conn->watch.fd = -1;
	ret = pcsc_open (conn);
	if (ret == READER_OK) {
		tsr_log ("pcsc", "%s: connected, T=%d, ATR %zu bytes%s", reader_name,
		         conn->protocol == SCARD_PROTOCOL_T1 ? 1 : 0, conn->atr_len,
		         conn->watch.fd >= 0 ? ", watched" : "");
		*out_conn = conn;
	} else {
		pcsc_disconnect (conn);
	}
	return ret;
}

static void
pcsc_end (struct reader_conn *conn)
{
	LONG rv;

	if (conn == NULL || !conn->in_transaction)
		return;
	conn->in_transaction = 0;
	if (conn->dead)
		return;
	watch_on (conn);
	rv = SCardEndTransaction (conn->card, SCARD_LEAVE_CARD);
	if (!watch_off (conn) && rv != SCARD_S_SUCCESS)
		(void) reader_pcsc_fail ("SCardEndTransaction", conn->reader, rv, READER_PCSC_CONNECTED);
}

/* A connection the watchdog ended: a new context and card connection. The card's state
 * is unknown, as after a reset (*was_reset). */
static reader_rv
pcsc_revive (struct reader_conn *conn, int *was_reset)
{
	reader_rv ret;

	tsr_log ("pcsc", "%s: the last call timed out: connecting again", conn->reader);
	pcsc_close (conn);
	ret = pcsc_open (conn);
	if (ret == READER_OK)
		*was_reset = 1;
	return ret;
}

/* SCardBeginTransaction, retrying a sharing violation; reconnects after a
 * reset and sets *was_reset. The transaction is held on READER_OK. */
static reader_rv
pcsc_begin_inconn (struct reader_conn *conn, int *was_reset)
{
	int sharing = 0, resets = 0;
	reader_rv ret;
	LONG rv;

	if (conn->dead) {
		ret = pcsc_revive (conn, was_reset);
		if (ret != READER_OK)
			return ret;
	}
	for (;;) {
		watch_on (conn);
		rv = SCardBeginTransaction (conn->card);
		if (watch_off (conn)) {
			ret = READER_E_COMM;
			break;
		}
		if (rv == SCARD_S_SUCCESS) {
			conn->in_transaction = 1;
			ret = READER_OK;
			break;
		}
		if (rv == SCARD_W_RESET_CARD && resets < PCSC_RESET_TRIES) {
			resets++;
			*was_reset = 1;
			ret = pcsc_reconnect (conn);
			if (ret != READER_OK)
				break;
			continue;
		}
		if (rv == SCARD_E_SHARING_VIOLATION && sharing + 1 < PCSC_SHARING_TRIES) {
			sharing++;
			tsr_log ("pcsc", "%s: sharing violation at begin, try %d", conn->reader, sharing);
			pcsc_sleep_ms (PCSC_SHARING_SLEEP_MS);
			continue;
		}
		ret = reader_pcsc_fail ("SCardBeginTransaction", conn->reader, rv, READER_PCSC_CONNECTED);
		break;
	}
	return ret;
}

static reader_rv
pcsc_begin (struct reader_conn *conn)
{
	int was_reset = 0;
	reader_rv ret;

	if (reader_precondition_failed (conn != NULL) ||
	    reader_precondition_failed (!conn->in_transaction))
		return READER_E_INVALID;

	ret = pcsc_begin_inconn (conn, &was_reset);
	if (ret == READER_OK && was_reset)
		ret = READER_E_RESET;
	return ret;
}

/* Is the card of CONN gone? Asked after a transmission failed with COMM_ERROR:
 * READER_E_REMOVED when pcscd reports the card (or its reader) gone within
 * PCSC_GONE_WAIT_MS, READER_E_NO_SERVICE when pcscd went away, else COMM_ERROR
 * (the card is there and did not answer). SCardStatus on the handle answers
 * SCARD_W_REMOVED_CARD once pcscd has seen the removal (it compares the
 * handle's event counter with the reader's, so a card put back meanwhile
 * still counts as removed). */
static reader_rv
pcsc_card_gone (struct reader_conn *conn, reader_rv comm_error)
{
	char name[READER_MAX_NAME * 2];
	DWORD name_len, state, protocol, atr_len;
	BYTE atr[MAX_ATR_SIZE];
	reader_rv ret = comm_error;
	long waited;
	LONG rv;

	for (waited = 0; waited <= PCSC_GONE_WAIT_MS; waited += PCSC_GONE_POLL_MS) {
		if (waited > 0)
			pcsc_sleep_ms (PCSC_GONE_POLL_MS);
		name_len = sizeof name;
		atr_len = sizeof atr;
		state = protocol = 0;
		watch_on (conn);
		rv = SCardStatus (conn->card, name, &name_len, &state, &protocol, atr, &atr_len);
		if (watch_off (conn))
			break;   /* the card is there, but does not answer */
		if (rv == SCARD_S_SUCCESS && (state & SCARD_PRESENT) != 0)
			continue;
		if (rv == SCARD_S_SUCCESS) {
			ret = READER_E_REMOVED;
			break;
		}
		ret = reader_pcsc_map (rv, READER_PCSC_CONNECTED);
		if (ret == READER_E_REMOVED || ret == READER_E_NO_SERVICE)
			break;
		ret = comm_error;
	}
	tsr_log ("pcsc", "%s: after the failed transmission, %ld ms: %s", conn->reader,
	         waited > PCSC_GONE_WAIT_MS ? PCSC_GONE_WAIT_MS : waited,
	         ret == READER_E_REMOVED ? "the card is gone" :
	         ret == READER_E_NO_SERVICE ? "pcscd is gone" : "the card is still there");
	return ret;
}

static reader_rv
pcsc_transmit (struct reader_conn *conn, const uint8_t *cmd, size_t cmd_len,
               uint8_t *resp, size_t *resp_len)
{
	const SCARD_IO_REQUEST *pci;
	DWORD len;
	int had_transaction, was_reset = 1;
	reader_rv ret;
	LONG rv;

	if (reader_precondition_failed (conn != NULL) ||
	    reader_precondition_failed (cmd != NULL) ||
	    reader_precondition_failed (cmd_len >= 4 && cmd_len <= MAX_BUFFER_SIZE_EXTENDED) ||
	    reader_precondition_failed (resp != NULL && resp_len != NULL) ||
	    reader_precondition_failed (*resp_len >= 2))
		return READER_E_INVALID;

	if (conn->dead) {
		*resp_len = 0;
		return READER_E_COMM;   /* until begin() connects again */
	}
	pci = conn->protocol == SCARD_PROTOCOL_T1 ? SCARD_PCI_T1 : SCARD_PCI_T0;
	len = *resp_len > MAX_BUFFER_SIZE_EXTENDED ? MAX_BUFFER_SIZE_EXTENDED : (DWORD) *resp_len;
	watch_on (conn);
	rv = SCardTransmit (conn->card, pci, cmd, (DWORD) cmd_len, NULL, resp, &len);
	if (watch_off (conn)) {
		*resp_len = 0;
		ret = READER_E_COMM;   /* the card did not answer in time */
		goto out;
	}
	if (rv == SCARD_S_SUCCESS && len >= 2) {
		*resp_len = len;
		ret = READER_OK;
		goto out;
	}
	if (rv == SCARD_S_SUCCESS) {
		/* No status word: some reader drivers (vpcd) answer a card that went away
		 * mid-APDU with an empty answer instead of an error. */
		*resp_len = 0;
		tsr_log ("pcsc", "%s: SCardTransmit: %lu bytes, no status word", conn->reader,
		         (unsigned long) len);
		ret = pcsc_card_gone (conn, READER_E_COMM);
		goto out;
	}
	*resp_len = 0;
	if (rv != SCARD_W_RESET_CARD) {
		ret = reader_pcsc_fail ("SCardTransmit", conn->reader, rv, READER_PCSC_CONNECTED);
		if (ret == READER_E_COMM && !conn->dead)
			ret = pcsc_card_gone (conn, ret);
		goto out;
	}
	/* Reset by somebody else: the command was not executed. Reconnect and take
	 * the transaction again, so the caller is where begin()'s RESET leaves it. */
	had_transaction = conn->in_transaction;
	ret = pcsc_reconnect (conn);
	if (ret == READER_OK && had_transaction)
		ret = pcsc_begin_inconn (conn, &was_reset);
	if (ret == READER_OK)
		ret = READER_E_RESET;

out:
	return ret;
}

static reader_rv
pcsc_get_atr (struct reader_conn *conn, uint8_t *atr, size_t *atr_len)
{
	if (reader_precondition_failed (conn != NULL) ||
	    reader_precondition_failed (atr != NULL && atr_len != NULL))
		return READER_E_INVALID;
	if (*atr_len < conn->atr_len)
		return READER_E_INVALID;
	memcpy (atr, conn->atr, conn->atr_len);
	*atr_len = conn->atr_len;
	return READER_OK;
}

/* Reset the card ourselves (SCARD_RESET_CARD: a warm reset by pcscd). */
static reader_rv
pcsc_reset (struct reader_conn *conn)
{
	DWORD protocol = 0;
	LONG rv;

	if (reader_precondition_failed (conn != NULL))
		return READER_E_INVALID;
	rv = SCardReconnect (conn->card, SCARD_SHARE_SHARED,
	                     SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1, SCARD_RESET_CARD, &protocol);
	if (rv != SCARD_S_SUCCESS)
		return reader_pcsc_fail ("SCardReconnect(reset)", conn->reader, rv, READER_PCSC_CONNECTED);
	conn->protocol = protocol;
	return pcsc_read_atr (conn);
}

static reader_rv
pcsc_control (struct reader_conn *conn, uint32_t code, const uint8_t *in, size_t in_len,
              uint8_t *out, size_t *out_len)
{
	DWORD returned = 0;
	LONG rv;

	if (reader_precondition_failed (conn != NULL) ||
	    reader_precondition_failed (in != NULL || in_len == 0) ||
	    reader_precondition_failed (out != NULL && out_len != NULL))
		return READER_E_INVALID;
	rv = SCardControl (conn->card, (DWORD) code, in, (DWORD) in_len, out, (DWORD) *out_len,
	                   &returned);
	if (rv == SCARD_E_UNSUPPORTED_FEATURE) {
		tsr_log ("pcsc", "%s: control 0x%08X not supported", conn->reader, (unsigned) code);
		return READER_E_UNSUPPORTED;
	}
	if (rv != SCARD_S_SUCCESS)
		return reader_pcsc_fail ("SCardControl", conn->reader, rv, READER_PCSC_CONNECTED);
	*out_len = returned;
	return READER_OK;
}

const struct reader_ops reader_pcsc_ops = {
	.name = "pcsc",
	.watch_open = pcsc_watch_open,
	.watch_close = pcsc_watch_close,
	.enumerate = pcsc_enumerate,
	.watch_wait = pcsc_watch_wait,
	.watch_wake = pcsc_watch_wake,
	.connect = pcsc_connect,
	.disconnect = pcsc_disconnect,
	.reset = pcsc_reset,
	.begin = pcsc_begin,
	.end = pcsc_end,
	.transmit = pcsc_transmit,
	.get_atr = pcsc_get_atr,
	.control = pcsc_control,
};
