/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tests/faults/test-mute.c: a card that answers "61 00" forever (given up at once), and a
 * card that never answers (cardsim `fail 1 mute`), behind
 * vpcd, which waits for it forever (mute.sh sets card_timeout = 2 in tessera.conf).
 * - threads allowed: the watchdog ends the operation with CKR_DEVICE_ERROR after the
 *   time-out, the other sessions and the login stay, and once the card answers again
 *   (pulled out and put back: vpcd gives up on it) the next signature works;
 * - NSS's flags (no thread of the module): no watchdog; the operation waits until the
 *   card goes away, then returns CKR_DEVICE_REMOVED (documented in the README).
 */
#include "config.h"

#include "tests/hotplug/hotplug-util.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static CK_UTF8CHAR pin[] = "123456";

static double
now_s (void)
{
	struct timespec ts;

	clock_gettime (CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A session on the card's slot (waiting up to 15 s for it), logged in. */
static CK_SESSION_HANDLE
open_logged_in (void)
{
	CK_SLOT_ID slots[8];
	CK_SESSION_HANDLE s = 0;
	CK_RV rv = CKR_TOKEN_NOT_PRESENT;
	int i;

	for (i = 0; i < 150 && rv != CKR_OK; i++) {
		if (slot_list (CK_TRUE, slots) >= 1)
			rv = f->C_OpenSession (slots[0], CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &s);
		if (rv != CKR_OK)
			usleep (100000);
	}
	if (rv != CKR_OK)
		tap_bail ("no session on the card");
	rv = f->C_Login (s, CKU_USER, pin, 6);
	if (rv != CKR_OK && rv != CKR_USER_ALREADY_LOGGED_IN)
		tap_bail ("C_Login failed");
	return s;
}

/* C_Sign with the key of CKA_ID 1 (9A); the time it took into *took. */
static CK_RV
sign (CK_SESSION_HANDLE s, double *took)
{
	CK_OBJECT_CLASS pk = CKO_PRIVATE_KEY;
	CK_BYTE id = 1, sig[512];
	CK_ATTRIBUTE t[] = { { CKA_CLASS, &pk, sizeof pk }, { CKA_ID, &id, 1 } };
	CK_MECHANISM m = { CKM_SHA256_RSA_PKCS, NULL, 0 };
	CK_OBJECT_HANDLE key;
	CK_ULONG n = 0, len = sizeof sig;
	double start = now_s ();
	CK_RV rv;

	rv = f->C_FindObjectsInit (s, t, 2);
	if (rv == CKR_OK)
		rv = f->C_FindObjects (s, &key, 1, &n);
	(void)f->C_FindObjectsFinal (s);
	if (rv == CKR_OK && n != 1)
		rv = CKR_KEY_HANDLE_INVALID;
	if (rv == CKR_OK)
		rv = f->C_SignInit (s, &m, key);
	if (rv == CKR_OK)
		rv = f->C_Sign (s, (CK_BYTE_PTR)"data", 4, sig, &len);
	if (took != NULL)
		*took = now_s () - start;
	return rv;
}

/* vpcd waits for the mute card until its connection goes: pull the card and put it back. */
static void
unmute (void)
{
	card_ctl (0, "remove", NULL, 0);
	card_ctl (0, "insert", NULL, 0);
	if (!card_wait_status (0, "inserted powered"))
		tap_bail ("the card did not come back");
}

static void *
remover_main (void *arg)
{
	(void)arg;
	sleep (3);
	card_ctl (0, "remove", NULL, 0);
	return NULL;
}

int
main (void)
{
	CK_SESSION_HANDLE s, other;
	CK_SESSION_INFO info;
	pthread_t remover;
	double took = 0;
	CK_RV rv;

	/* threads allowed: the watchdog */
	module_load (false);
	s = open_logged_in ();
	other = open_logged_in ();
	tap (sign (s, NULL) == CKR_OK, "a signature before the card falls silent");
	/* a card that answers "61 00" (more data) to everything, GET RESPONSE included */
	card_ctl (0, "fail 100000 sw:6100", NULL, 0);
	rv = sign (s, &took);
	card_ctl (0, "fail 0 mute", NULL, 0);
	tap (rv == CKR_DEVICE_ERROR && took < 1.0, "a card answering 61xx forever: CKR_DEVICE_ERROR within a "
	     "second (0x%lx, %.2f s)", (unsigned long)rv, took);
	tap (sign (s, NULL) == CKR_OK, "and a signature once it behaves");
	card_ctl (0, "fail 1 mute", NULL, 0);
	rv = sign (s, &took);
	tap (rv == CKR_DEVICE_ERROR, "mute card: C_Sign returns CKR_DEVICE_ERROR (0x%lx)", (unsigned long)rv);
	tap (took >= 1.5 && took < 15, "after the 2 s time-out, not before, not much later (%.1f s)", took);
	rv = sign (other, &took);
	tap (rv == CKR_DEVICE_ERROR && took < 15, "still mute: the next operation also ends (0x%lx, %.1f s)",
	     (unsigned long)rv, took);
	tap (f->C_GetSessionInfo (other, &info) == CKR_OK && info.state == CKS_RW_USER_FUNCTIONS,
	     "the sessions and the login stay");
	unmute ();
	s = open_logged_in ();
	rv = sign (s, &took);
	tap (rv == CKR_OK, "the card answers again: the next signature works (0x%lx)", (unsigned long)rv);
	module_unload ();

	/* NSS's flags: no watchdog thread; the operation ends when the card goes */
	module_load (true);
	s = open_logged_in ();
	card_ctl (0, "fail 1 mute", NULL, 0);
	if (pthread_create (&remover, NULL, remover_main, NULL) != 0)
		tap_bail ("pthread_create");
	rv = sign (s, &took);
	pthread_join (remover, NULL);
	tap (rv == CKR_DEVICE_REMOVED || rv == CKR_DEVICE_ERROR || rv == CKR_SESSION_HANDLE_INVALID,
	     "NSS's flags, no watchdog: the operation waits for the card, ends when it is pulled "
	     "(0x%lx after %.1f s)", (unsigned long)rv, took);
	tap (took >= 2.5, "it did wait for the card (%.1f s)", took);
	card_ctl (0, "insert", NULL, 0);
	module_unload ();
	return tap_done ();
}
