/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tests/hotplug/test-hotplug.c: cards come and go while an application keeps
 * the module loaded. Runs in the test bed with two simulated cards in the two
 * readers of one vpcd (card 0 provisioned with an RSA key in 9A):
 *
 *   test-hotplug nss|threads...   (each mode in turn)
 *
 * nss: C_Initialize with CKF_LIBRARY_CANT_CREATE_OS_THREADS (the monitor runs
 * in C_WaitForSlotEvent's caller, presence refreshed by each call); threads:
 * the module's monitor thread. Each change is awaited with a blocking
 * C_WaitForSlotEvent and with CKF_DONT_BLOCK calls in turn; after each one,
 * C_GetSlotInfo and C_GetSessionInfo must agree with the simulator.
 * $CARD_A_STATE / $CARD_B_STATE: state files of card 0 and of a card to swap in.
 */
#include "config.h"

#include "tests/hotplug/hotplug-util.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static CK_SLOT_ID slot0, slot1;
static CK_UTF8CHAR pin[] = "123456";

static const char *
how (bool blocking)
{
	return blocking ? "blocking" : "CKF_DONT_BLOCK";
}

/* The object of class KLASS of key 9A (CKA_ID 01), or 0. */
static CK_OBJECT_HANDLE
find_9a (CK_SESSION_HANDLE h, CK_OBJECT_CLASS klass)
{
	CK_BYTE id = 1;   /* 9A */
	CK_ATTRIBUTE t[] = { { CKA_CLASS, &klass, sizeof klass }, { CKA_ID, &id, 1 } };
	CK_OBJECT_HANDLE k = 0;
	CK_ULONG n = 0;

	if (f->C_FindObjectsInit (h, t, 2) == CKR_OK) {
		f->C_FindObjects (h, &k, 1, &n);
		f->C_FindObjectsFinal (h);
	}
	return n == 1 ? k : 0;
}

static CK_OBJECT_HANDLE
private_key (CK_SESSION_HANDLE h)
{
	return find_9a (h, CKO_PRIVATE_KEY);
}

static CK_SESSION_HANDLE
open_login (CK_SLOT_ID slot)
{
	CK_SESSION_HANDLE h = 0;
	CK_RV rv;

	rv = f->C_OpenSession (slot, CKF_SERIAL_SESSION, NULL, NULL, &h);
	if (rv == CKR_OK)
		rv = f->C_Login (h, CKU_USER, pin, 6);
	if (rv != CKR_OK && rv != CKR_USER_ALREADY_LOGGED_IN)
		tap_diag ("open + login on slot %lu: 0x%lx", (unsigned long)slot, (unsigned long)rv);
	return h;
}

static CK_RV
sign_once (CK_SESSION_HANDLE h, CK_OBJECT_HANDLE k)
{
	CK_MECHANISM m = { CKM_SHA256_RSA_PKCS, NULL, 0 };
	CK_BYTE sig[512];
	CK_ULONG len = sizeof sig;
	CK_RV rv;

	rv = f->C_SignInit (h, &m, k);
	if (rv == CKR_OK)
		rv = f->C_Sign (h, (CK_BYTE_PTR)"hot-plug", 8, sig, &len);
	return rv;
}

/* The next event is for SLOT, and the slot's token presence is then PRESENT. */
static void
expect_event (bool blocking, CK_SLOT_ID slot, bool present, const char *what)
{
	CK_SLOT_ID ev = 0;
	CK_RV rv;

	rv = next_event (blocking, &ev);
	tap (rv == CKR_OK && ev == slot, "%s: event for slot %lu (%s; got 0x%lx, slot %lu)", what,
	     (unsigned long)slot, how (blocking), (unsigned long)rv, (unsigned long)ev);
	tap (token_present (slot) == present, "%s: C_GetSlotInfo says token %s", what,
	     present ? "present" : "absent");
}

static void
test_start (void)
{
	CK_SLOT_ID s[8];

	tap (slot_list (CK_FALSE, s) == 2 && slot_list (CK_TRUE, s) == 2, "two readers, two tokens");
	slot0 = s[0];
	slot1 = s[1];
	tap (drain_events () >= 2, "the start-up events are there (the cards seen)");
	tap (f->C_WaitForSlotEvent (CKF_DONT_BLOCK, &s[0], NULL) == CKR_NO_EVENT,
	     "then CKR_NO_EVENT: nothing happened");
}

static void
test_remove_insert (bool blocking)
{
	CK_SESSION_HANDLE h = open_login (slot0), h2;
	CK_OBJECT_HANDLE k = private_key (h), cert = find_9a (h, CKO_CERTIFICATE);
	CK_SESSION_INFO info;
	CK_SLOT_ID s[8];
	char before[17], after[17];
	CK_RV rv;

	token_serial (slot0, before);
	tap (k != 0, "card 0: logged in, key 9A found");
	card_ctl (0, "remove", NULL, 0);
	expect_event (blocking, slot0, false, "card 0 removed");
	tap (token_present (slot1), "card 1 still present");
	rv = f->C_GetSessionInfo (h, &info);
	tap (rv == CKR_SESSION_HANDLE_INVALID || rv == CKR_DEVICE_REMOVED,
	     "the session died with the card (C_GetSessionInfo 0x%lx)", (unsigned long)rv);
	rv = sign_once (h, k);
	tap (rv == CKR_SESSION_HANDLE_INVALID || rv == CKR_DEVICE_REMOVED,
	     "signing on it fails at once (0x%lx)", (unsigned long)rv);
	tap (slot_list (CK_TRUE, s) == 1 && s[0] == slot1, "only card 1's slot has a token");
	tap (slot_list (CK_FALSE, s) == 2, "both slots still listed");

	card_ctl (0, "insert", NULL, 0);
	expect_event (!blocking, slot0, true, "card 0 re-inserted");
	token_serial (slot0, after);
	tap (strcmp (before, after) == 0 && before[0] != '\0', "the same card (serial %s)", after);
	tap (f->C_OpenSession (slot0, CKF_SERIAL_SESSION, NULL, NULL, &h2) == CKR_OK &&
	     f->C_GetSessionInfo (h2, &info) == CKR_OK && info.state == CKS_RO_PUBLIC_SESSION,
	     "a new session is not logged in: the login went with the card");
	tap (f->C_SignInit (h2, &(CK_MECHANISM){ CKM_SHA256_RSA_PKCS, NULL, 0 }, k) ==
	     CKR_KEY_HANDLE_INVALID, "the old key handle is invalid");
	tap (find_9a (h2, CKO_CERTIFICATE) != 0 && find_9a (h2, CKO_CERTIFICATE) != cert,
	     "the certificate is there again, with a new handle");
	f->C_CloseSession (h2);
}

static void
test_card1 (bool blocking)
{
	card_ctl (1, "remove", NULL, 0);
	expect_event (blocking, slot1, false, "card 1 removed");
	tap (token_present (slot0), "card 0 still present");
	card_ctl (1, "insert", NULL, 0);
	expect_event (blocking, slot1, true, "card 1 re-inserted");
}

static void
test_swap (bool blocking)
{
	char a[17], b[17], cmd[1024];

	token_serial (slot0, a);
	snprintf (cmd, sizeof cmd, "swap %s", getenv ("CARD_B_STATE"));
	tap (card_ctl (0, cmd, NULL, 0), "card 0 swapped for card B in the simulator");
	expect_event (blocking, slot0, false, "swap: card 0 out");
	expect_event (!blocking, slot0, true, "swap: card B in");
	token_serial (slot0, b);
	tap (b[0] != '\0' && strcmp (a, b) != 0, "a new token: serial %s, was %s", b, a);
	snprintf (cmd, sizeof cmd, "swap %s", getenv ("CARD_A_STATE"));
	card_ctl (0, cmd, NULL, 0);
	expect_event (blocking, slot0, false, "swap back: card B out");
	expect_event (blocking, slot0, true, "swap back: card 0 in");
	token_serial (slot0, b);
	tap (strcmp (a, b) == 0, "card 0 again (serial %s)", b);
}

/* Out and in again while nobody asks: at least one event, and a new token. */
static void
test_unwatched (void)
{
	CK_SESSION_HANDLE h;
	CK_SESSION_INFO info;
	CK_SLOT_ID ev = 0;
	CK_RV rv;

	drain_events ();
	f->C_OpenSession (slot1, CKF_SERIAL_SESSION, NULL, NULL, &h);
	card_ctl (1, "remove", NULL, 0);
	usleep (1200000);   /* pcscd polls vpcd every 400 ms: let it see the card leave */
	card_ctl (1, "insert", NULL, 0);
	tap (card_wait_status (1, "inserted powered"), "card 1 out and in, unwatched");
	usleep (300000);
	rv = f->C_WaitForSlotEvent (CKF_DONT_BLOCK, &ev, NULL);
	tap (rv == CKR_OK && ev == slot1, "the next call reports slot %lu (0x%lx, slot %lu)",
	     (unsigned long)slot1, (unsigned long)rv, (unsigned long)ev);
	tap (token_present (slot1), "and its token is present");
	rv = f->C_GetSessionInfo (h, &info);
	tap (rv == CKR_SESSION_HANDLE_INVALID || rv == CKR_DEVICE_REMOVED,
	     "the session opened before is gone (0x%lx)", (unsigned long)rv);
	drain_events ();
}

struct signer {
	CK_SESSION_HANDLE h;
	CK_OBJECT_HANDLE k;
	CK_RV rv;
};

static void *
signer_main (void *arg)
{
	struct signer *s = arg;

	s->rv = sign_once (s->h, s->k);
	return NULL;
}

static void
test_removal_during_signature (bool blocking)
{
	struct signer s = { 0, 0, 0xffff };
	unsigned long apdus;
	pthread_t t;
	int i;

	s.h = open_login (slot0);
	s.k = private_key (s.h);
	tap (s.k != 0 && sign_once (s.h, s.k) == CKR_OK, "card 0 signs");
	apdus = card_apdus (0);
	card_ctl (0, "fail 1 mute", NULL, 0);   /* the card holds the next APDU... */
	pthread_create (&t, NULL, signer_main, &s);
	for (i = 0; i < 100 && card_apdus (0) == apdus; i++)
		usleep (50000);
	card_ctl (0, "remove", NULL, 0);        /* ...and is pulled out meanwhile */
	pthread_join (t, NULL);
	/* pcscd reports the failed transmission before it has seen the removal; the
	 * module asks again and must call it a removal, not a device error. */
	tap (s.rv == CKR_DEVICE_REMOVED, "a removal during C_Sign is CKR_DEVICE_REMOVED (0x%lx)",
	     (unsigned long)s.rv);
	expect_event (blocking, slot0, false, "the removal is reported");
	card_ctl (0, "insert", NULL, 0);
	expect_event (blocking, slot0, true, "card 0 back");
	s.h = open_login (slot0);
	s.k = private_key (s.h);
	tap (s.k != 0 && sign_once (s.h, s.k) == CKR_OK, "a new session after re-insertion signs");
	f->C_CloseSession (s.h);
	drain_events ();
}

static void *
finalize_waiter (void *arg)
{
	CK_SLOT_ID ev;

	*(CK_RV *)arg = f->C_WaitForSlotEvent (0, &ev, NULL);
	return NULL;
}

static double
now_s (void)
{
	struct timespec ts;

	clock_gettime (CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
test_finalize (bool nss_mode)
{
	CK_C_INITIALIZE_ARGS nss = { NULL, NULL, NULL, NULL,
	                             CKF_LIBRARY_CANT_CREATE_OS_THREADS | CKF_OS_LOCKING_OK, NULL };
	CK_RV rv = 0xffff, frv;
	CK_SLOT_ID s[8];
	pthread_t t;
	double t0, t1;

	drain_events ();
	pthread_create (&t, NULL, finalize_waiter, &rv);
	usleep (300000);
	tap (rv == 0xffff, "a C_WaitForSlotEvent blocks while nothing happens");
	t0 = now_s ();
	frv = f->C_Finalize (NULL);
	t1 = now_s ();
	pthread_join (t, NULL);
	tap (frv == CKR_OK && t1 - t0 < 1.0, "C_Finalize from another thread returns in %.3f s", t1 - t0);
	tap (rv == CKR_CRYPTOKI_NOT_INITIALIZED, "the waiter got CKR_CRYPTOKI_NOT_INITIALIZED (0x%lx)",
	     (unsigned long)rv);
	tap (f->C_Initialize (nss_mode ? &nss : NULL) == CKR_OK && slot_list (CK_TRUE, s) == 2,
	     "C_Initialize again: both tokens listed");
}

static void
run_mode (bool nss_mode)
{
	tap_diag ("mode: %s", nss_mode ? "NSS (no module thread)" : "module monitor thread");
	module_load (nss_mode);
	test_start ();
	test_remove_insert (true);
	test_remove_insert (false);
	test_card1 (true);
	test_card1 (false);
	test_swap (true);
	test_swap (false);
	test_unwatched ();
	test_removal_during_signature (nss_mode);
	test_finalize (nss_mode);
	module_unload ();
}

int
main (int argc, char **argv)
{
	int i;

	if (argc < 2 || getenv ("CARD_A_STATE") == NULL || getenv ("CARD_B_STATE") == NULL) {
		fprintf (stderr, "usage: CARD_A_STATE=F CARD_B_STATE=F test-hotplug nss|threads...\n");
		return 2;
	}
	for (i = 1; i < argc; i++)
		run_mode (strcmp (argv[i], "nss") == 0);
	return tap_done ();
}
