/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tests/stress/test-threads.c: the module under concurrent use (threads.sh; in the
 * ThreadSanitizer build it is the race detector's test): 8 threads sign with their own
 * sessions, one waits in C_WaitForSlotEvent, one calls C_GetSessionInfo and C_GetTokenInfo
 * in a loop, while the main thread pulls the card out and puts it back, and at the end calls
 * C_Finalize while the waiter is blocked. In both thread modes: the module's monitor thread,
 * and NSS's flags (no thread of the module; the waiter runs the monitor).
 * Every signature that succeeds verifies; every failure is one a removal explains; the
 * waiter returns CKR_CRYPTOKI_NOT_INITIALIZED after C_Finalize; nothing hangs (the test's
 * time limit) and, in the TSan build, no race is reported (tsan.supp: libpcsclite only).
 */
#include "config.h"

#include "tests/hotplug/hotplug-util.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SIGNERS 8

static int stop;                    /* atomic */
static unsigned long signed_ok;     /* atomic */
static unsigned long bad_answers;   /* atomic */
static unsigned long info_calls;    /* atomic */

static bool
removal_explains (CK_RV rv)
{
	return rv == CKR_DEVICE_REMOVED || rv == CKR_TOKEN_NOT_PRESENT || rv == CKR_SESSION_HANDLE_INVALID ||
	       rv == CKR_SESSION_CLOSED || rv == CKR_USER_NOT_LOGGED_IN || rv == CKR_DEVICE_ERROR ||
	       rv == CKR_OBJECT_HANDLE_INVALID || rv == CKR_KEY_HANDLE_INVALID || rv == CKR_SLOT_ID_INVALID;
}

static void
note (CK_RV rv, const char *what)
{
	if (rv == CKR_OK || removal_explains (rv))
		return;
	__atomic_add_fetch (&bad_answers, 1, __ATOMIC_RELAXED);
	tap_diag ("%s: 0x%lx", what, (unsigned long)rv);
}

static CK_SESSION_HANDLE
session_on_card (void)
{
	CK_SLOT_ID slots[8];
	CK_SESSION_HANDLE s = 0;
	CK_RV rv;

	if (slot_list (CK_TRUE, slots) < 1)
		return 0;
	if (f->C_OpenSession (slots[0], CKF_SERIAL_SESSION, NULL, NULL, &s) != CKR_OK)
		return 0;
	rv = f->C_Login (s, CKU_USER, (CK_UTF8CHAR_PTR)"123456", 6);
	if (rv != CKR_OK && rv != CKR_USER_ALREADY_LOGGED_IN) {
		note (rv, "C_Login");
		f->C_CloseSession (s);
		return 0;
	}
	return s;
}

/* One signature with 9A (RSA) or 9E (EC), verified with the public key object. */
static CK_RV
sign_once (CK_SESSION_HANDLE s, int n)
{
	static const CK_BYTE msg[] = "concurrent signature";
	CK_OBJECT_CLASS pk = CKO_PRIVATE_KEY, pub = CKO_PUBLIC_KEY;
	CK_BYTE id = n % 2 ? 0x04 : 0x01, sig[512];
	CK_ATTRIBUTE t[] = { { CKA_CLASS, &pk, sizeof pk }, { CKA_ID, &id, 1 } };
	CK_MECHANISM m = { n % 2 ? CKM_ECDSA_SHA256 : CKM_SHA256_RSA_PKCS, NULL, 0 };
	CK_OBJECT_HANDLE key = 0, pubkey = 0;
	CK_ULONG found = 0, len = sizeof sig;
	CK_RV rv;

	rv = f->C_FindObjectsInit (s, t, 2);
	if (rv == CKR_OK) {
		rv = f->C_FindObjects (s, &key, 1, &found);
		(void)f->C_FindObjectsFinal (s);
	}
	if (rv == CKR_OK && found != 1)
		return CKR_KEY_HANDLE_INVALID;
	if (rv == CKR_OK)
		rv = f->C_SignInit (s, &m, key);
	if (rv == CKR_OK)
		rv = f->C_Sign (s, (CK_BYTE_PTR)msg, sizeof msg - 1, sig, &len);
	if (rv != CKR_OK)
		return rv;
	/* the signature verifies (unless the card went meanwhile, with its public key object) */
	t[0].pValue = &pub;
	found = 0;
	rv = f->C_FindObjectsInit (s, t, 2);
	if (rv == CKR_OK) {
		rv = f->C_FindObjects (s, &pubkey, 1, &found);
		(void)f->C_FindObjectsFinal (s);
	}
	if (rv == CKR_OK && found != 1)
		return CKR_OK;   /* gone with the card */
	if (rv == CKR_OK)
		rv = f->C_VerifyInit (s, &m, pubkey);
	if (rv == CKR_OK)
		rv = f->C_Verify (s, (CK_BYTE_PTR)msg, sizeof msg - 1, sig, len);
	if (rv != CKR_OK && !removal_explains (rv)) {
		__atomic_add_fetch (&bad_answers, 1, __ATOMIC_RELAXED);
		tap_diag ("a signature does not verify: 0x%lx", (unsigned long)rv);
	}
	return CKR_OK;
}

static void *
signer_main (void *arg)
{
	CK_SESSION_HANDLE s = 0;
	int n = (int)(long)arg;
	CK_RV rv;

	while (!__atomic_load_n (&stop, __ATOMIC_ACQUIRE)) {
		if (s == 0 && (s = session_on_card ()) == 0) {
			usleep (20000);
			continue;
		}
		rv = sign_once (s, n++);
		if (rv == CKR_OK)
			__atomic_add_fetch (&signed_ok, 1, __ATOMIC_RELAXED);
		note (rv, "C_Sign");
		if (rv != CKR_OK) {
			(void)f->C_CloseSession (s);
			s = 0;
		}
	}
	return NULL;
}

static void *
info_main (void *arg)
{
	CK_SLOT_ID slots[8];
	CK_TOKEN_INFO ti;
	CK_SESSION_INFO si;
	CK_SESSION_HANDLE s = 0;
	CK_RV rv;

	(void)arg;
	while (!__atomic_load_n (&stop, __ATOMIC_ACQUIRE)) {
		if (slot_list (CK_FALSE, slots) >= 1) {
			note (f->C_GetTokenInfo (slots[0], &ti), "C_GetTokenInfo");
			if (s == 0)
				(void)f->C_OpenSession (slots[0], CKF_SERIAL_SESSION, NULL, NULL, &s);
			rv = s != 0 ? f->C_GetSessionInfo (s, &si) : CKR_OK;
			note (rv, "C_GetSessionInfo");
			if (rv != CKR_OK)
				s = 0;
		}
		__atomic_add_fetch (&info_calls, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

struct waiter {
	int events;                  /* atomic */
	CK_RV last;                  /* atomic; the answer that ended the loop */
};

static void *
waiter_main (void *arg)
{
	struct waiter *w = arg;
	CK_SLOT_ID slot;
	CK_RV rv;

	for (;;) {
		rv = f->C_WaitForSlotEvent (0, &slot, NULL);
		if (rv != CKR_OK)
			break;
		__atomic_add_fetch (&w->events, 1, __ATOMIC_RELAXED);
	}
	__atomic_store_n (&w->last, rv, __ATOMIC_RELEASE);
	return NULL;
}

static void
sleep_ms (long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep (&ts, &ts) != 0)
		;
}

static void
run (bool nss_mode)
{
	pthread_t signers[SIGNERS], info, waiter;
	CK_SLOT_ID slots[8];
	struct waiter w = { 0, (CK_RV)-1 };
	const char *mode = nss_mode ? "NSS's flags" : "module thread";
	unsigned long before;
	long i;
	int round;

	__atomic_store_n (&stop, 0, __ATOMIC_RELEASE);
	__atomic_store_n (&signed_ok, 0, __ATOMIC_RELAXED);
	module_load (nss_mode);
	for (i = 0; i < SIGNERS; i++)
		pthread_create (&signers[i], NULL, signer_main, (void *)i);
	pthread_create (&info, NULL, info_main, NULL);
	pthread_create (&waiter, NULL, waiter_main, &w);
	for (round = 0; round < 3; round++) {
		before = __atomic_load_n (&signed_ok, __ATOMIC_RELAXED);
		for (i = 0; i < 300 && __atomic_load_n (&signed_ok, __ATOMIC_RELAXED) < before + 20; i++)
			sleep_ms (50);   /* let them sign a while (up to 15 s) */
		card_ctl (0, "remove", NULL, 0);
		for (i = 0; i < 150 && slot_list (CK_TRUE, slots) > 0; i++)
			sleep_ms (100);   /* until the module has seen it go (at most 15 s) */
		card_ctl (0, "insert", NULL, 0);
		if (!card_wait_status (0, "inserted powered"))
			tap_bail ("the card did not come back");
	}
	before = __atomic_load_n (&signed_ok, __ATOMIC_RELAXED);
	for (i = 0; i < 300 && __atomic_load_n (&signed_ok, __ATOMIC_RELAXED) < before + 20; i++)
		sleep_ms (50);
	tap (__atomic_load_n (&signed_ok, __ATOMIC_RELAXED) > before, "%s: signing goes on after 3 removals "
	     "(%lu signatures in all)", mode, __atomic_load_n (&signed_ok, __ATOMIC_RELAXED));
	__atomic_store_n (&stop, 1, __ATOMIC_RELEASE);
	for (i = 0; i < SIGNERS; i++)
		pthread_join (signers[i], NULL);
	pthread_join (info, NULL);
	tap (__atomic_load_n (&w.events, __ATOMIC_RELAXED) >= 6, "%s: the waiter saw the removals and insertions "
	     "(%d events)", mode, __atomic_load_n (&w.events, __ATOMIC_RELAXED));
	f->C_Finalize (NULL);   /* the waiter is blocked in C_WaitForSlotEvent */
	pthread_join (waiter, NULL);
	tap (__atomic_load_n (&w.last, __ATOMIC_ACQUIRE) == CKR_CRYPTOKI_NOT_INITIALIZED,
	     "%s: C_Finalize ends the blocked wait with CKR_CRYPTOKI_NOT_INITIALIZED", mode);
	module_unload ();
}

int
main (void)
{
	run (false);
	run (true);
	tap (__atomic_load_n (&bad_answers, __ATOMIC_RELAXED) == 0,
	     "every answer was success or one a removal explains, every signature verified (%lu status calls)",
	     __atomic_load_n (&info_calls, __ATOMIC_RELAXED));
	return tap_done ();
}
