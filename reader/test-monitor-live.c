/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * reader/test-monitor-live.c: the reader monitor and the PC/SC backend against
 * a real pcscd: the private one of tests/testbed (run by test-monitor-live.sh).
 *
 * Cards are reader/test-vpcd-card.py processes: one connected to vpcd's port
 * is a card in the reader, killing it pulls the card. The last test kills and
 * restarts pcscd, so the tests run in this order, each in its own process.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <PCSC/winscard.h>

#include "reader/reader.h"

#define READER0 "Virtual PCD 00 00"
#define READER1 "Virtual PCD 00 01"
#define MAX_EVENTS 64

static const uint8_t CARD_ATR[] = {
	0x3B, 0xF8, 0x13, 0x00, 0x00, 0x81, 0x31, 0xFE, 0x15, 0x59, 0x75, 0x62, 0x69, 0x6B, 0x65, 0x79, 0x34, 0xD4
};

struct events {
	pthread_mutex_t lock;
	struct reader_event ev[MAX_EVENTS];
	unsigned n;
};

static struct events evs = { PTHREAD_MUTEX_INITIALIZER, { { 0 } }, 0 };

static void
record (void *user, const struct reader_event *ev)
{
	struct events *e = user;

	pthread_mutex_lock (&e->lock);
	if (e->n < MAX_EVENTS)
		e->ev[e->n++] = *ev;
	pthread_mutex_unlock (&e->lock);
}

static double
now_s (void)
{
	struct timespec ts;

	clock_gettime (CLOCK_MONOTONIC, &ts);
	return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static double
cpu_s (void)
{
	struct rusage ru;

	getrusage (RUSAGE_SELF, &ru);
	return (double) ru.ru_utime.tv_sec + (double) ru.ru_utime.tv_usec / 1e6 +
	       (double) ru.ru_stime.tv_sec + (double) ru.ru_stime.tv_usec / 1e6;
}

static void
sleep_ms (long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep (&ts, &ts) != 0 && errno == EINTR)
		;
}

/* ---- cards: test-vpcd-card.py processes ---- */

static pid_t
card_insert (int reader_index)
{
	const char *srcdir = getenv ("TESSERA_SRCDIR");
	const char *port = getenv ("TESTBED_PORT");
	char script[4096], portbuf[16];
	pid_t pid;

	ck_assert_ptr_nonnull (srcdir);
	ck_assert_ptr_nonnull (port);
	snprintf (script, sizeof script, "%s/reader/test-vpcd-card.py", srcdir);
	snprintf (portbuf, sizeof portbuf, "%d", atoi (port) + reader_index);
	pid = fork ();
	ck_assert_int_ge (pid, 0);
	if (pid == 0) {
		/* Pulled when the test process ends, even on a failed assertion. */
		prctl (PR_SET_PDEATHSIG, SIGTERM);
		execlp ("python3", "python3", script, "--port", portbuf, (char *) NULL);
		_exit (127);
	}
	return pid;
}

/* Wait until pcscd sees a card (PRESENT 1) or none (0) in READER. */
static int
pcscd_sees_card (const char *reader, int present, long timeout_ms)
{
	SCARD_READERSTATE rs;
	SCARDCONTEXT ctx;
	double end = now_s () + (double) timeout_ms / 1000;
	int ok = 0;

	if (SCardEstablishContext (SCARD_SCOPE_SYSTEM, NULL, NULL, &ctx) != SCARD_S_SUCCESS)
		return 0;
	memset (&rs, 0, sizeof rs);
	rs.szReader = reader;
	rs.dwCurrentState = SCARD_STATE_UNAWARE;
	while (!ok && now_s () < end) {
		LONG rv = SCardGetStatusChange (ctx, 200, &rs, 1);
		if (rv != SCARD_S_SUCCESS && rv != SCARD_E_TIMEOUT)
			break;
		ok = present ? (rs.dwEventState & SCARD_STATE_PRESENT) != 0
		             : (rs.dwEventState & SCARD_STATE_EMPTY) != 0;
		rs.dwCurrentState = rs.dwEventState & ~(DWORD) SCARD_STATE_CHANGED;
	}
	SCardReleaseContext (ctx);
	return ok;
}

/* Pull the card without waiting for pcscd to notice. */
static void
card_kill (pid_t pid)
{
	int status;

	kill (pid, SIGTERM);
	waitpid (pid, &status, 0);
}

/* Pull the card from READER and wait until pcscd has noticed. */
static void
card_remove (pid_t pid, const char *reader)
{
	card_kill (pid);
	ck_assert_msg (pcscd_sees_card (reader, 0, 5000), "pcscd still sees a card in %s", reader);
}

/* ---- monitor helpers ---- */

static void
events_reset (void)
{
	pthread_mutex_lock (&evs.lock);
	evs.n = 0;
	pthread_mutex_unlock (&evs.lock);
}

static int
find_event (unsigned from, enum reader_event_kind kind, const char *reader)
{
	unsigned i;
	int found = -1;

	pthread_mutex_lock (&evs.lock);
	for (i = from; i < evs.n && found < 0; i++) {
		if (evs.ev[i].kind == kind && (reader == NULL || strcmp (evs.ev[i].status.name, reader) == 0))
			found = (int) i;
	}
	pthread_mutex_unlock (&evs.lock);
	return found;
}

/* Wait (in this thread) until event KIND for READER has been reported at or
 * after index FROM; its index, or -1 after TIMEOUT_MS. */
static int
wait_event (struct reader_monitor *m, unsigned from, enum reader_event_kind kind,
            const char *reader, long timeout_ms)
{
	double end = now_s () + (double) timeout_ms / 1000;
	int idx;

	while ((idx = find_event (from, kind, reader)) < 0) {
		long left = (long) ((end - now_s ()) * 1000);
		if (left <= 0)
			break;
		reader_monitor_wait (m, left, record, &evs);
	}
	return idx;
}

/* A monitor that has reported the initial state (service, readers, cards). */
static struct reader_monitor *
monitor_started (void)
{
	struct reader_monitor *m = NULL;

	ck_assert_int_eq (reader_monitor_new (&m), READER_OK);
	events_reset ();
	ck_assert_int_eq (reader_monitor_refresh (m, record, &evs), READER_OK);
	return m;
}

struct waiter {
	struct reader_monitor *m;
	long timeout_ms;
	reader_rv rv;
	double returned_at;
};

static void *
waiter_thread (void *data)
{
	struct waiter *w = data;

	w->rv = reader_monitor_wait (w->m, w->timeout_ms, record, &evs);
	w->returned_at = now_s ();
	return NULL;
}

/* ---- tests ---- */

START_TEST (test_readers_listed)
{
	struct reader_monitor *m = monitor_started ();

	ck_assert_uint_ge (evs.n, 3);
	ck_assert_int_eq (evs.ev[0].kind, READER_EV_SERVICE_UP);
	ck_assert_int_eq (evs.ev[1].kind, READER_EV_READER_ADDED);
	ck_assert_str_eq (evs.ev[1].status.name, READER0);
	ck_assert_int_eq (evs.ev[2].kind, READER_EV_READER_ADDED);
	ck_assert_str_eq (evs.ev[2].status.name, READER1);
	ck_assert_int_lt (find_event (0, READER_EV_CARD_INSERTED, NULL), 0);

	/* Nothing new: a refresh says so at once. */
	events_reset ();
	ck_assert_int_eq (reader_monitor_refresh (m, record, &evs), READER_E_TIMEOUT);
	ck_assert_uint_eq (evs.n, 0);
	reader_monitor_free (m);
}
END_TEST

START_TEST (test_wait_timeout_idle)
{
	struct reader_monitor *m = monitor_started ();
	double t0 = now_s (), c0 = cpu_s (), t, c;

	ck_assert_int_eq (reader_monitor_wait (m, 1500, record, &evs), READER_E_TIMEOUT);
	t = now_s () - t0;
	c = cpu_s () - c0;
	ck_assert_msg (t >= 1.4 && t < 2.5, "waited %.3f s", t);
	ck_assert_msg (c < 0.1, "idle wait used %.3f s CPU", c);
	reader_monitor_free (m);
}
END_TEST

START_TEST (test_cancel_wakes_wait)
{
	struct reader_monitor *m = monitor_started ();
	struct waiter w = { m, -1, READER_OK, 0 };
	pthread_t th;
	double cancelled_at;

	ck_assert_int_eq (pthread_create (&th, NULL, waiter_thread, &w), 0);
	sleep_ms (500);
	cancelled_at = now_s ();
	reader_monitor_cancel (m);
	pthread_join (th, NULL);
	ck_assert_int_eq (w.rv, READER_E_CANCELLED);
	ck_assert_msg (w.returned_at - cancelled_at < 1.0, "woke after %.3f s", w.returned_at - cancelled_at);

	/* The cancel was consumed: the next wait times out normally. */
	ck_assert_int_eq (reader_monitor_wait (m, 100, record, &evs), READER_E_TIMEOUT);
	reader_monitor_free (m);
}
END_TEST

START_TEST (test_cancel_before_wait)
{
	struct reader_monitor *m = monitor_started ();
	double t0;

	reader_monitor_cancel (m);
	t0 = now_s ();
	ck_assert_int_eq (reader_monitor_wait (m, 5000, record, &evs), READER_E_CANCELLED);
	ck_assert (now_s () - t0 < 0.5);
	reader_monitor_free (m);
}
END_TEST

/* Cancels that land while the waiter is entering SCardGetStatusChange must not be lost. */
START_TEST (test_cancel_races)
{
	struct reader_monitor *m = monitor_started ();
	int i;

	for (i = 0; i < 30; i++) {
		struct waiter w = { m, 10000, READER_OK, 0 };
		pthread_t th;
		double t0;

		ck_assert_int_eq (pthread_create (&th, NULL, waiter_thread, &w), 0);
		sleep_ms (i % 5);
		t0 = now_s ();
		reader_monitor_cancel (m);
		pthread_join (th, NULL);
		ck_assert_int_eq (w.rv, READER_E_CANCELLED);
		ck_assert_msg (w.returned_at - t0 < 1.0, "round %d: woke after %.3f s", i, w.returned_at - t0);
	}
	reader_monitor_free (m);
}
END_TEST

START_TEST (test_insert_remove_reinsert)
{
	struct reader_monitor *m = monitor_started ();
	int ins1, rem, ins2;
	uint32_t gen1;
	pid_t card;

	card = card_insert (0);
	ins1 = wait_event (m, 0, READER_EV_CARD_INSERTED, READER0, 5000);
	ck_assert_int_ge (ins1, 0);
	ck_assert_int_eq (evs.ev[ins1].status.card_present, 1);
	ck_assert_uint_eq (evs.ev[ins1].status.atr_len, sizeof CARD_ATR);
	ck_assert_mem_eq (evs.ev[ins1].status.atr, CARD_ATR, sizeof CARD_ATR);
	gen1 = evs.ev[ins1].status.card_generation;
	ck_assert_uint_ne (gen1, 0);

	card_kill (card);
	rem = wait_event (m, (unsigned) ins1 + 1, READER_EV_CARD_REMOVED, READER0, 5000);
	ck_assert_int_gt (rem, ins1);
	ck_assert_uint_eq (evs.ev[rem].status.card_generation, gen1);

	card = card_insert (0);
	ins2 = wait_event (m, (unsigned) rem + 1, READER_EV_CARD_INSERTED, READER0, 5000);
	ck_assert_int_gt (ins2, rem);
	ck_assert_uint_gt (evs.ev[ins2].status.card_generation, gen1);
	/* Nothing happened to the other reader. */
	ck_assert_int_lt (find_event (0, READER_EV_CARD_INSERTED, READER1), 0);
	card_remove (card, READER0);
	reader_monitor_free (m);
}
END_TEST

/* Pulled and re-inserted while nobody waited: the next look reports both. */
START_TEST (test_swap_between_waits)
{
	struct reader_monitor *m = monitor_started ();
	int ins, rem, ins2;
	pid_t card;

	card = card_insert (1);
	ins = wait_event (m, 0, READER_EV_CARD_INSERTED, READER1, 5000);
	ck_assert_int_ge (ins, 0);
	card_remove (card, READER1);
	card = card_insert (1);
	ck_assert (pcscd_sees_card (READER1, 1, 5000));
	events_reset ();
	ck_assert_int_eq (reader_monitor_refresh (m, record, &evs), READER_OK);
	rem = find_event (0, READER_EV_CARD_REMOVED, READER1);
	ins2 = find_event (0, READER_EV_CARD_INSERTED, READER1);
	ck_assert_int_ge (rem, 0);
	ck_assert_int_gt (ins2, rem);
	card_remove (card, READER1);
	reader_monitor_free (m);
}
END_TEST

/* A blocked waiter (in another thread) sees an insertion: no polling needed. */
START_TEST (test_blocked_wait_sees_insertion)
{
	struct reader_monitor *m = monitor_started ();
	struct waiter w = { m, -1, READER_E_INVALID, 0 };
	pthread_t th;
	double t0;
	pid_t card;

	events_reset ();
	ck_assert_int_eq (pthread_create (&th, NULL, waiter_thread, &w), 0);
	sleep_ms (300);
	t0 = now_s ();
	card = card_insert (0);
	pthread_join (th, NULL);
	ck_assert_int_eq (w.rv, READER_OK);
	ck_assert_int_ge (find_event (0, READER_EV_CARD_INSERTED, READER0), 0);
	ck_assert (w.returned_at - t0 < 5.0);
	card_remove (card, READER0);
	reader_monitor_free (m);
}
END_TEST

static struct reader_conn *
connect_ok (const char *reader)
{
	struct reader_conn *conn = NULL;
	reader_rv rv = READER_E_NO_CARD;
	int i;

	/* pcscd may still be powering the card up. */
	for (i = 0; i < 50 && rv == READER_E_NO_CARD; i++) {
		rv = reader_pcsc_ops.connect (reader, &conn);
		if (rv == READER_E_NO_CARD)
			sleep_ms (100);
	}
	ck_assert_int_eq (rv, READER_OK);
	ck_assert_ptr_nonnull (conn);
	return conn;
}

START_TEST (test_pcsc_connect_transmit)
{
	static const uint8_t select[] = { 0x00, 0xA4, 0x04, 0x00, 0x05, 0xA0, 0x00, 0x00, 0x03, 0x08 };
	static const uint8_t get16[] = { 0x00, 0xCA, 0x3F, 0xFF, 0x10 };
	static const uint8_t get256[] = { 0x00, 0xCA, 0x3F, 0xFF, 0x00 };
	uint8_t resp[READER_MAX_RESPONSE], atr[READER_MAX_ATR];
	size_t len, atr_len = sizeof atr;
	struct reader_conn *conn = NULL;
	pid_t card;
	unsigned i;

	ck_assert_str_eq (reader_pcsc_ops.name, "pcsc");
	ck_assert_int_eq (reader_pcsc_ops.connect (READER0, &conn), READER_E_NO_CARD);
	ck_assert_ptr_null (conn);
	ck_assert_int_eq (reader_pcsc_ops.connect ("No Such Reader 00 00", &conn), READER_E_NO_READER);

	card = card_insert (0);
	conn = connect_ok (READER0);
	ck_assert_int_eq (reader_pcsc_ops.get_atr (conn, atr, &atr_len), READER_OK);
	ck_assert_uint_eq (atr_len, sizeof CARD_ATR);
	ck_assert_mem_eq (atr, CARD_ATR, sizeof CARD_ATR);

	ck_assert_int_eq (reader_pcsc_ops.begin (conn), READER_OK);
	len = sizeof resp;
	ck_assert_int_eq (reader_pcsc_ops.transmit (conn, select, sizeof select, resp, &len), READER_OK);
	ck_assert_uint_eq (len, 6);
	ck_assert_mem_eq (resp, select, 4);
	ck_assert_int_eq (resp[4], 0x90);
	ck_assert_int_eq (resp[5], 0x00);

	len = sizeof resp;
	ck_assert_int_eq (reader_pcsc_ops.transmit (conn, get16, sizeof get16, resp, &len), READER_OK);
	ck_assert_uint_eq (len, 18);
	len = sizeof resp;
	ck_assert_int_eq (reader_pcsc_ops.transmit (conn, get256, sizeof get256, resp, &len), READER_OK);
	ck_assert_uint_eq (len, 258);
	for (i = 0; i < 256; i++)
		ck_assert_int_eq (resp[i], i);
	/* A buffer too small for the answer is the caller's bug. */
	len = 10;
	ck_assert_int_eq (reader_pcsc_ops.transmit (conn, get16, sizeof get16, resp, &len), READER_E_INVALID);
	reader_pcsc_ops.end (conn);
	reader_pcsc_ops.end (conn);   /* harmless */

	/* Pulled: the connection is dead. */
	card_remove (card, READER0);
	len = sizeof resp;
	ck_assert_int_eq (reader_pcsc_ops.transmit (conn, select, sizeof select, resp, &len), READER_E_REMOVED);
	ck_assert_int_eq (reader_pcsc_ops.begin (conn), READER_E_REMOVED);
	reader_pcsc_ops.disconnect (conn);
	reader_pcsc_ops.disconnect (NULL);
}
END_TEST

/* Another process resets the card: begin() and transmit() reconnect and say RESET. */
START_TEST (test_pcsc_reset_by_other)
{
	static const uint8_t select[] = { 0x00, 0xA4, 0x04, 0x00, 0x01, 0xA0 };
	uint8_t resp[64];
	size_t len;
	SCARDCONTEXT ctx;
	SCARDHANDLE other;
	DWORD proto;
	struct reader_conn *conn;
	pid_t card;

	card = card_insert (0);
	conn = connect_ok (READER0);
	ck_assert_int_eq (SCardEstablishContext (SCARD_SCOPE_SYSTEM, NULL, NULL, &ctx), SCARD_S_SUCCESS);

	ck_assert_int_eq (SCardConnect (ctx, READER0, SCARD_SHARE_SHARED, SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1,
	                                &other, &proto), SCARD_S_SUCCESS);
	ck_assert_int_eq (SCardDisconnect (other, SCARD_RESET_CARD), SCARD_S_SUCCESS);
	ck_assert_int_eq (reader_pcsc_ops.begin (conn), READER_E_RESET);
	/* The transaction is held: transmit works, end releases. */
	len = sizeof resp;
	ck_assert_int_eq (reader_pcsc_ops.transmit (conn, select, sizeof select, resp, &len), READER_OK);
	reader_pcsc_ops.end (conn);

	ck_assert_int_eq (SCardConnect (ctx, READER0, SCARD_SHARE_SHARED, SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1,
	                                &other, &proto), SCARD_S_SUCCESS);
	ck_assert_int_eq (SCardDisconnect (other, SCARD_RESET_CARD), SCARD_S_SUCCESS);
	len = sizeof resp;
	ck_assert_int_eq (reader_pcsc_ops.transmit (conn, select, sizeof select, resp, &len), READER_E_RESET);
	len = sizeof resp;
	ck_assert_int_eq (reader_pcsc_ops.transmit (conn, select, sizeof select, resp, &len), READER_OK);

	SCardReleaseContext (ctx);
	reader_pcsc_ops.disconnect (conn);
	card_remove (card, READER0);
}
END_TEST

/* Somebody holds the card exclusively: connect retries, then says SHARING. */
START_TEST (test_pcsc_sharing)
{
	SCARDCONTEXT ctx;
	SCARDHANDLE other;
	DWORD proto;
	struct reader_conn *conn = NULL;
	pid_t card;

	card = card_insert (0);
	conn = connect_ok (READER0);
	reader_pcsc_ops.disconnect (conn);
	conn = NULL;

	ck_assert_int_eq (SCardEstablishContext (SCARD_SCOPE_SYSTEM, NULL, NULL, &ctx), SCARD_S_SUCCESS);
	ck_assert_int_eq (SCardConnect (ctx, READER0, SCARD_SHARE_EXCLUSIVE, SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1,
	                                &other, &proto), SCARD_S_SUCCESS);
	ck_assert_int_eq (reader_pcsc_ops.connect (READER0, &conn), READER_E_SHARING);
	ck_assert_ptr_null (conn);
	SCardDisconnect (other, SCARD_LEAVE_CARD);
	SCardReleaseContext (ctx);
	conn = connect_ok (READER0);
	reader_pcsc_ops.disconnect (conn);
	card_remove (card, READER0);
}
END_TEST

static pid_t
pcscd_pid (void)
{
	FILE *p = popen ("env -u LD_PRELOAD pgrep -x pcscd", "r");
	int pid = 0;

	ck_assert_ptr_nonnull (p);
	if (fscanf (p, "%d", &pid) != 1)
		pid = 0;
	pclose (p);
	return (pid_t) pid;
}

static void
pcscd_start (void)
{
	const char *dir = getenv ("TESTBED_DIR");
	char conf[4096];
	pid_t pid;
	int i;

	ck_assert_ptr_nonnull (dir);
	snprintf (conf, sizeof conf, "%s/reader.conf.d", dir);
	pid = fork ();
	ck_assert_int_ge (pid, 0);
	if (pid == 0) {
		int null = open ("/dev/null", O_WRONLY);
		dup2 (null, 1);
		dup2 (null, 2);
		setsid ();
		execlp ("pcscd", "pcscd", "-f", "-c", conf, (char *) NULL);
		_exit (127);
	}
	for (i = 0; i < 100 && access ("/run/pcscd/pcscd.comm", F_OK) != 0; i++)
		sleep_ms (100);
}

/* pcscd dies: cards removed, SERVICE_DOWN, a quiet wait; back: SERVICE_UP. */
START_TEST (test_service_down_up)
{
	struct reader_monitor *m = monitor_started ();
	struct reader_conn *conn;
	uint8_t resp[16];
	size_t len = sizeof resp;
	static const uint8_t select[] = { 0x00, 0xA4, 0x04, 0x00, 0x01, 0xA0 };
	int rem, down, up;
	double c0, t0, c, t;
	pid_t card, pcscd;

	card = card_insert (0);
	ck_assert_int_ge (wait_event (m, 0, READER_EV_CARD_INSERTED, READER0, 5000), 0);
	conn = connect_ok (READER0);

	events_reset ();
	pcscd = pcscd_pid ();
	ck_assert_int_gt (pcscd, 0);
	ck_assert_int_eq (kill (pcscd, SIGKILL), 0);
	down = wait_event (m, 0, READER_EV_SERVICE_DOWN, NULL, 3000);
	ck_assert_int_ge (down, 0);
	rem = find_event (0, READER_EV_CARD_REMOVED, READER0);
	ck_assert_int_ge (rem, 0);
	ck_assert_int_lt (rem, down);
	ck_assert_int_lt (find_event (0, READER_EV_READER_REMOVED, NULL), 0);
	ck_assert_int_eq (reader_pcsc_ops.transmit (conn, select, sizeof select, resp, &len), READER_E_NO_SERVICE);
	reader_pcsc_ops.disconnect (conn);
	card_kill (card);   /* its vpcd went with pcscd */

	/* Down: the wait sleeps, it does not spin. */
	c0 = cpu_s ();
	t0 = now_s ();
	ck_assert_int_eq (reader_monitor_wait (m, 2000, record, &evs), READER_E_TIMEOUT);
	t = now_s () - t0;
	c = cpu_s () - c0;
	ck_assert_msg (t >= 1.9, "returned after %.3f s", t);
	ck_assert_msg (c < 0.1, "used %.3f s CPU in 2 s while pcscd was down", c);
	ck_assert_uint_eq (evs.n, (unsigned) down + 1);
	ck_assert_int_eq (reader_pcsc_ops.connect (READER0, &conn), READER_E_NO_SERVICE);

	/* Back. */
	pcscd_start ();
	up = wait_event (m, (unsigned) down + 1, READER_EV_SERVICE_UP, NULL, 5000);
	ck_assert_int_gt (up, down);
	card = card_insert (0);
	ck_assert_int_gt (wait_event (m, (unsigned) up + 1, READER_EV_CARD_INSERTED, READER0, 5000), up);
	card_kill (card);
	reader_monitor_free (m);
}
END_TEST

/* ---- with the PIV card simulator (test-monitor-cardsim.sh: testbed --cards 1) ---- */

static void
cardsim_ctl (const char *what)
{
	const char *sim = getenv ("CARDSIM");
	const char *ctl = getenv ("CARDSIM_CONTROL");
	char cmd[8192];

	ck_assert_ptr_nonnull (sim);
	ck_assert_ptr_nonnull (ctl);
	snprintf (cmd, sizeof cmd, "'%s' ctl '%s' %s >/dev/null", sim, ctl, what);
	ck_assert_int_eq (system (cmd), 0);
}

START_TEST (test_cardsim_remove_insert)
{
	static const uint8_t select_piv[] = {
		0x00, 0xA4, 0x04, 0x00, 0x09, 0xA0, 0x00, 0x00, 0x03, 0x08, 0x00, 0x00, 0x10, 0x00, 0x00
	};
	uint8_t resp[READER_MAX_RESPONSE];
	size_t len = sizeof resp;
	struct reader_monitor *m = monitor_started ();
	struct reader_conn *conn;
	int ins, rem, ins2;

	ins = find_event (0, READER_EV_CARD_INSERTED, READER0);
	ck_assert_int_ge (ins, 0);

	conn = connect_ok (READER0);
	ck_assert_int_eq (reader_pcsc_ops.begin (conn), READER_OK);
	ck_assert_int_eq (reader_pcsc_ops.transmit (conn, select_piv, sizeof select_piv, resp, &len), READER_OK);
	ck_assert_uint_ge (len, 2);
	ck_assert_int_eq (resp[len - 2], 0x90);
	reader_pcsc_ops.end (conn);

	cardsim_ctl ("remove");
	rem = wait_event (m, (unsigned) ins + 1, READER_EV_CARD_REMOVED, READER0, 5000);
	ck_assert_int_gt (rem, ins);
	len = sizeof resp;
	ck_assert_int_eq (reader_pcsc_ops.transmit (conn, select_piv, sizeof select_piv, resp, &len), READER_E_REMOVED);
	reader_pcsc_ops.disconnect (conn);

	cardsim_ctl ("insert");
	ins2 = wait_event (m, (unsigned) rem + 1, READER_EV_CARD_INSERTED, READER0, 5000);
	ck_assert_int_gt (ins2, rem);
	ck_assert_uint_gt (evs.ev[ins2].status.card_generation, evs.ev[ins].status.card_generation);
	ck_assert_mem_eq (evs.ev[ins2].status.atr, evs.ev[ins].status.atr, evs.ev[ins].status.atr_len);
	reader_monitor_free (m);
}
END_TEST

static Suite *
live_suite (void)
{
	Suite *s = suite_create ("monitor-live");
	TCase *tc = tcase_create ("pcscd");

	tcase_set_timeout (tc, 60);
	tcase_add_test (tc, test_readers_listed);
	tcase_add_test (tc, test_wait_timeout_idle);
	tcase_add_test (tc, test_cancel_wakes_wait);
	tcase_add_test (tc, test_cancel_before_wait);
	tcase_add_test (tc, test_cancel_races);
	tcase_add_test (tc, test_insert_remove_reinsert);
	tcase_add_test (tc, test_swap_between_waits);
	tcase_add_test (tc, test_blocked_wait_sees_insertion);
	tcase_add_test (tc, test_pcsc_connect_transmit);
	tcase_add_test (tc, test_pcsc_reset_by_other);
	tcase_add_test (tc, test_pcsc_sharing);
	tcase_add_test (tc, test_service_down_up);
	suite_add_tcase (s, tc);

	/* Run alone (CK_RUN_CASE=cardsim) by test-monitor-cardsim.sh. */
	tc = tcase_create ("cardsim");
	tcase_set_timeout (tc, 60);
	tcase_add_test (tc, test_cardsim_remove_insert);
	suite_add_tcase (s, tc);
	return s;
}

int
main (void)
{
	SRunner *sr = srunner_create (live_suite ());
	int failed;

	srunner_run_all (sr, CK_ENV);
	failed = srunner_ntests_failed (sr);
	srunner_free (sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
