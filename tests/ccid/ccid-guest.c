/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tests/ccid/ccid-guest.c: the PKCS #11 client that runs inside the QEMU guest
 * of tests/ccid/qemu.sh, where the card sits in QEMU's emulated USB CCID reader
 * and tessera reaches it with its direct USB backend only (no pcscd).
 *
 *   ccid-guest MODULE sign CIPHERTEXT   log in, sign with 9A (RSA, SHA256-RSA-PKCS)
 *                                       and 9C (ECDSA-SHA256), decrypt CIPHERTEXT
 *                                       with 9D (RSA PKCS #1 v1.5)
 *   ccid-guest MODULE events MODE       MODE threads (NULL arguments: the module's
 *                                       monitor thread) or nss (no threads): the
 *                                       card removed, then inserted, each seen by a
 *                                       blocking C_WaitForSlotEvent
 *   ccid-guest MODULE pull-mid-sign     the card pulled while C_Sign waits for it:
 *                                       CKR_DEVICE_REMOVED; inserted again, a new
 *                                       session signs
 *
 * It talks to the host on the console: "@@SIG9A hex", "@@SIG9C hex", "@@DEC hex",
 * "@@OK what", "@@FAIL what"; "@@CMD c" asks the host to do c with the card
 * simulator (remove, insert, mute-then-remove), and the host's answer line on
 * standard input says it is done.
 */
#include "config.h"

#include "src/pkcs11-3.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static CK_FUNCTION_LIST *f;
static int failures;
static const char PIN[] = "123456";
static const char DATA[] = "tessera signs in a QEMU guest over USB CCID";

static void
ok (int cond, const char *what, CK_RV rv)
{
	if (cond) {
		printf ("@@OK %s\n", what);
	} else {
		printf ("@@FAIL %s (rv 0x%lx)\n", what, (unsigned long) rv);
		failures++;
	}
	fflush (stdout);
}

static void
host (const char *cmd)
{
	char line[64];

	printf ("@@CMD %s\n", cmd);
	fflush (stdout);
	if (fgets (line, sizeof line, stdin) == NULL)
		ok (0, "host answer", 0);
}

static void
hex (const char *tag, const CK_BYTE *p, CK_ULONG n)
{
	CK_ULONG i;

	printf ("@@%s ", tag);
	for (i = 0; i < n; i++)
		printf ("%02x", p[i]);
	printf ("\n");
	fflush (stdout);
}

static void
load (const char *path, int no_threads)
{
	CK_C_INITIALIZE_ARGS args;
	CK_C_GetFunctionList get;
	void *h = dlopen (path, RTLD_NOW);
	CK_RV rv;

	if (h == NULL || (get = (CK_C_GetFunctionList) dlsym (h, "C_GetFunctionList")) == NULL ||
	    get (&f) != CKR_OK) {
		printf ("@@FAIL load %s: %s\n", path, dlerror ());
		exit (1);
	}
	memset (&args, 0, sizeof args);
	args.flags = CKF_OS_LOCKING_OK | CKF_LIBRARY_CANT_CREATE_OS_THREADS;
	rv = f->C_Initialize (no_threads ? &args : NULL);
	ok (rv == CKR_OK, no_threads ? "C_Initialize (no threads)" : "C_Initialize (threads)", rv);
	if (rv != CKR_OK)
		exit (1);
}

/* The first slot with a token, or (CK_SLOT_ID) -1. */
static CK_SLOT_ID
token_slot (void)
{
	CK_SLOT_ID slots[8];
	CK_ULONG n = 8;

	if (f->C_GetSlotList (CK_TRUE, slots, &n) != CKR_OK || n == 0)
		return (CK_SLOT_ID) -1;
	return slots[0];
}

static CK_OBJECT_HANDLE
key (CK_SESSION_HANDLE s, CK_BYTE id)
{
	CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
	CK_ATTRIBUTE t[] = { { CKA_CLASS, &cls, sizeof cls }, { CKA_ID, &id, 1 } };
	CK_OBJECT_HANDLE o = CK_INVALID_HANDLE;
	CK_ULONG n = 0;

	if (f->C_FindObjectsInit (s, t, 2) == CKR_OK) {
		(void) f->C_FindObjects (s, &o, 1, &n);
		(void) f->C_FindObjectsFinal (s);
	}
	return n == 1 ? o : CK_INVALID_HANDLE;
}

static CK_SESSION_HANDLE
session (void)
{
	CK_SESSION_HANDLE s = CK_INVALID_HANDLE;
	CK_SLOT_ID slot = token_slot ();
	CK_RV rv = CKR_TOKEN_NOT_PRESENT;

	if (slot != (CK_SLOT_ID) -1)
		rv = f->C_OpenSession (slot, CKF_SERIAL_SESSION, NULL, NULL, &s);
	if (rv == CKR_OK)
		rv = f->C_Login (s, CKU_USER, (CK_UTF8CHAR_PTR) PIN, sizeof PIN - 1);
	ok (rv == CKR_OK, "session and login", rv);
	return rv == CKR_OK ? s : CK_INVALID_HANDLE;
}

/* Sign DATA with key ID by MECH; CKA_ALWAYS_AUTHENTICATE keys get the PIN again. */
static CK_RV
sign (CK_SESSION_HANDLE s, CK_BYTE id, CK_MECHANISM_TYPE mech, CK_BYTE *sig, CK_ULONG *len)
{
	CK_MECHANISM m = { mech, NULL, 0 };
	CK_BBOOL always = CK_FALSE;
	CK_OBJECT_HANDLE k = key (s, id);
	CK_ATTRIBUTE a = { CKA_ALWAYS_AUTHENTICATE, &always, sizeof always };
	CK_RV rv;

	if (k == CK_INVALID_HANDLE)
		return CKR_KEY_HANDLE_INVALID;
	rv = f->C_SignInit (s, &m, k);
	if (rv == CKR_OK && f->C_GetAttributeValue (s, k, &a, 1) == CKR_OK && always)
		rv = f->C_Login (s, CKU_CONTEXT_SPECIFIC, (CK_UTF8CHAR_PTR) PIN, sizeof PIN - 1);
	if (rv == CKR_OK)
		rv = f->C_Sign (s, (CK_BYTE_PTR) DATA, sizeof DATA - 1, sig, len);
	return rv;
}

static void
do_sign (const char *ct_path)
{
	CK_BYTE sig[512], ct[256], pt[256];
	CK_ULONG n = sizeof sig, ct_len = 0, pt_len = sizeof pt;
	CK_MECHANISM m = { CKM_RSA_PKCS, NULL, 0 };
	CK_SESSION_HANDLE s = session ();
	FILE *in;
	CK_RV rv;

	rv = sign (s, 0x01, CKM_SHA256_RSA_PKCS, sig, &n);
	ok (rv == CKR_OK, "sign with 9A (RSA)", rv);
	if (rv == CKR_OK)
		hex ("SIG9A", sig, n);
	n = sizeof sig;
	rv = sign (s, 0x02, CKM_ECDSA_SHA256, sig, &n);
	ok (rv == CKR_OK, "sign with 9C (ECDSA)", rv);
	if (rv == CKR_OK)
		hex ("SIG9C", sig, n);
	in = fopen (ct_path, "rb");
	if (in != NULL) {
		ct_len = fread (ct, 1, sizeof ct, in);
		fclose (in);
	}
	rv = f->C_DecryptInit (s, &m, key (s, 0x03));
	if (rv == CKR_OK)
		rv = f->C_Decrypt (s, ct, ct_len, pt, &pt_len);
	ok (rv == CKR_OK, "decrypt with 9D (RSA)", rv);
	if (rv == CKR_OK)
		hex ("DEC", pt, pt_len);
	(void) f->C_CloseSession (s);
}

/* A blocking C_WaitForSlotEvent; then whether the slot has a token. */
static void
wait_event (const char *what, int want_token)
{
	CK_SLOT_ID slot = 0;
	CK_SLOT_INFO info;
	CK_RV rv = f->C_WaitForSlotEvent (0, &slot, NULL);
	char label[96];

	if (rv == CKR_OK)
		rv = f->C_GetSlotInfo (slot, &info);
	snprintf (label, sizeof label, "C_WaitForSlotEvent: %s", what);
	ok (rv == CKR_OK && ((info.flags & CKF_TOKEN_PRESENT) != 0) == want_token, label, rv);
}

/* Slot events (the removal's is still queued) until one finds the token back. */
static void
wait_token_back (void)
{
	CK_SLOT_ID slot = 0;
	CK_SLOT_INFO info;
	CK_RV rv = CKR_OK;
	int i, back = 0;

	for (i = 0; i < 4 && !back && rv == CKR_OK; i++) {
		rv = f->C_WaitForSlotEvent (0, &slot, NULL);
		if (rv == CKR_OK)
			rv = f->C_GetSlotInfo (slot, &info);
		back = rv == CKR_OK && (info.flags & CKF_TOKEN_PRESENT);
	}
	ok (back, "C_WaitForSlotEvent: the card back", rv);
}

static CK_RV waiter_rv;
static volatile int waiter_done;

static void *
waiter (void *arg)
{
	CK_SLOT_ID slot;

	(void) arg;
	waiter_rv = f->C_WaitForSlotEvent (0, &slot, NULL);
	waiter_done = 1;
	return NULL;
}

/* C_Finalize wakes a thread blocked in C_WaitForSlotEvent (CKR_CRYPTOKI_NOT_INITIALIZED). */
static void
finalize_wakes_waiter (void)
{
	struct timespec pause = { 0, 300000000L }, until;
	pthread_t t;
	CK_RV rv;

	if (pthread_create (&t, NULL, waiter, NULL) != 0) {
		ok (0, "waiter thread", 0);
		return;
	}
	nanosleep (&pause, NULL);
	ok (!waiter_done, "a C_WaitForSlotEvent blocks while nothing happens", 0);
	rv = f->C_Finalize (NULL);
	ok (rv == CKR_OK, "C_Finalize", rv);
	clock_gettime (CLOCK_REALTIME, &until);
	until.tv_sec += 10;
	ok (pthread_timedjoin_np (t, NULL, &until) == 0 && waiter_rv == CKR_CRYPTOKI_NOT_INITIALIZED,
	    "C_Finalize woke it: CKR_CRYPTOKI_NOT_INITIALIZED", waiter_rv);
}

static void
do_events (void)
{
	CK_SLOT_ID slots[4];
	CK_SLOT_INFO info;
	CK_ULONG n = 4;
	CK_RV rv;

	rv = f->C_GetSlotList (CK_TRUE, slots, &n);
	ok (rv == CKR_OK && n == 1, "one token at start", rv);
	rv = f->C_GetSlotInfo (slots[0], &info);
	ok (rv == CKR_OK && memcmp (info.manufacturerID, "QEMU", 4) == 0,
	    "slot manufacturer is the USB reader's", rv);
	/* Events of the start-up: take them, so that the next ones are the card's. */
	while (f->C_WaitForSlotEvent (CKF_DONT_BLOCK, &slots[1], NULL) == CKR_OK)
		;
	host ("remove");
	wait_event ("card removed", 0);
	host ("insert");
	wait_event ("card inserted", 1);
	finalize_wakes_waiter ();
}

static void
do_pull_mid_sign (void)
{
	CK_BYTE sig[512];
	CK_ULONG n = sizeof sig;
	CK_SESSION_HANDLE s = session ();
	CK_RV rv;

	/* The host makes the card mute for the next APDU, and pulls it once the APDU
	 * has reached the card: the signature can only end by the removal. */
	host ("mute-then-remove");
	rv = sign (s, 0x01, CKM_SHA256_RSA_PKCS, sig, &n);
	ok (rv == CKR_DEVICE_REMOVED, "card pulled mid-signature: CKR_DEVICE_REMOVED", rv);
	rv = f->C_GetSessionInfo (s, &(CK_SESSION_INFO) { 0 });
	ok (rv == CKR_SESSION_HANDLE_INVALID || rv == CKR_DEVICE_REMOVED, "its session is gone", rv);
	host ("insert");
	wait_token_back ();
	s = session ();
	n = sizeof sig;
	rv = sign (s, 0x01, CKM_SHA256_RSA_PKCS, sig, &n);
	ok (rv == CKR_OK, "the next session signs", rv);
	if (rv == CKR_OK)
		hex ("SIG9A", sig, n);
	(void) f->C_CloseSession (s);
}

int
main (int argc, char **argv)
{
	if (argc < 3) {
		fprintf (stderr, "usage: ccid-guest MODULE sign CT | events threads|nss | pull-mid-sign\n");
		return 2;
	}
	load (argv[1], argc > 3 && strcmp (argv[3], "nss") == 0);
	if (strcmp (argv[2], "sign") == 0 && argc > 3)
		do_sign (argv[3]);
	else if (strcmp (argv[2], "events") == 0) {
		do_events ();
		return failures == 0 ? 0 : 1;   /* finalized already */
	}
	else if (strcmp (argv[2], "pull-mid-sign") == 0)
		do_pull_mid_sign ();
	else
		ok (0, "known command", 0);
	ok (f->C_Finalize (NULL) == CKR_OK, "C_Finalize", 0);
	return failures == 0 ? 0 : 1;
}
