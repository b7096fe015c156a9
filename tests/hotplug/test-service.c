/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tests/hotplug/test-service.c: the module over time, with one simulated card
 * in the test bed:
 *
 *   test-service idle      an idle module with a card sends no APDU, and its
 *                          monitor thread (or NSS's waiting thread) does not
 *                          wake up periodically: figures over 10 s each
 *   test-service restart   pcscd killed and started again while the module is
 *                          loaded (both thread modes): the card is reported
 *                          gone, no busy loop meanwhile, then listed again
 *   test-service finalize  C_Finalize wakes a thread in C_WaitForSlotEvent and
 *                          the module is dlclose()d before that thread is joined,
 *                          as idle does, many times (both thread modes): no crash,
 *                          the module stays mapped for the thread's way out
 */
#include "config.h"

#include "tests/hotplug/hotplug-util.h"

#include <dirent.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#define IDLE_S 10
#define MAX_WAKEUPS 5

/* voluntary + involuntary context switches of thread TID, or -1. */
static long
thread_switches (long tid)
{
	char path[64], line[256];
	long total = 0, n;
	FILE *fp;

	snprintf (path, sizeof path, "/proc/self/task/%ld/status", tid);
	fp = fopen (path, "r");
	if (fp == NULL)
		return -1;
	while (fgets (line, sizeof line, fp) != NULL) {
		if (sscanf (line, "voluntary_ctxt_switches: %ld", &n) == 1 ||
		    sscanf (line, "nonvoluntary_ctxt_switches: %ld", &n) == 1)
			total += n;
	}
	fclose (fp);
	return total;
}

/* The one thread of the process other than the main one and EXCEPT, or -1. */
static long
other_thread (long except)
{
	DIR *d = opendir ("/proc/self/task");
	struct dirent *e;
	long tid, found = -1, self = (long)getpid ();

	while (d != NULL && (e = readdir (d)) != NULL) {
		tid = atol (e->d_name);
		if (tid > 0 && tid != self && tid != except)
			found = tid;
	}
	if (d != NULL)
		closedir (d);
	return found;
}

static double
cpu_seconds (void)
{
	struct rusage ru;

	getrusage (RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

/* Watch thread TID and the card for IDLE_S seconds. */
static void
measure_idle (long tid, const char *who)
{
	unsigned long apdus0, apdus1;
	long sw0, sw1;
	double cpu0, cpu1;

	apdus0 = card_apdus (0);
	sw0 = thread_switches (tid);
	cpu0 = cpu_seconds ();
	sleep (IDLE_S);   /* the measurement itself */
	sw1 = thread_switches (tid);
	apdus1 = card_apdus (0);
	cpu1 = cpu_seconds ();
	tap_diag ("idle %d s, %s: %lu APDUs, %ld context switches of the thread, %.3f s CPU",
	          IDLE_S, who, apdus1 - apdus0, sw1 - sw0, cpu1 - cpu0);
	tap (tid > 0 && sw0 >= 0, "%s: thread %ld found", who, tid);
	tap (apdus1 == apdus0, "%s: no APDU while idle (%lu)", who, apdus1 - apdus0);
	tap (sw1 - sw0 <= MAX_WAKEUPS, "%s: at most %d wake-ups in %d s (%ld)", who, MAX_WAKEUPS,
	     IDLE_S, sw1 - sw0);
}

static void *
waiter_main (void *arg)
{
	CK_SLOT_ID slot;

	*(long *)arg = syscall (SYS_gettid);
	f->C_WaitForSlotEvent (0, &slot, NULL);
	return NULL;
}

static void
test_idle (void)
{
	CK_SLOT_ID s[8];
	long tid = -1;
	pthread_t t;

	module_load (false);
	tap (slot_list (CK_TRUE, s) == 1, "threads: the card is listed");
	drain_events ();
	measure_idle (other_thread (-1), "monitor thread");
	module_unload ();

	module_load (true);
	tap (slot_list (CK_TRUE, s) == 1, "NSS: the card is listed");
	drain_events ();
	pthread_create (&t, NULL, waiter_main, &tid);
	usleep (200000);
	measure_idle (tid, "NSS's C_WaitForSlotEvent thread");
	module_unload ();   /* wakes the waiter */
	pthread_join (t, NULL);
}

static bool
shell (const char *cmd)
{
	return system (cmd) == 0;
}

static void
test_restart (bool nss_mode)
{
	const char *mode = nss_mode ? "NSS" : "threads";
	CK_SLOT_ID s[8], slot, ev = 0;
	CK_SESSION_HANDLE h;
	double cpu0;

	module_load (nss_mode);
	tap (slot_list (CK_TRUE, s) == 1, "%s: the card is listed", mode);
	slot = s[0];
	drain_events ();
	tap (shell ("kill $(pidof pcscd)"), "%s: pcscd killed", mode);
	tap (next_event (true, &ev) == CKR_OK && ev == slot, "%s: the card's slot has an event", mode);
	tap (!token_present (slot) && slot_list (CK_TRUE, s) == 0, "%s: no token while pcscd is down",
	     mode);
	tap (slot_list (CK_FALSE, s) == 2 && (s[0] == slot || s[1] == slot),
	     "%s: the slot stays listed (with the empty reader's)", mode);
	cpu0 = cpu_seconds ();
	sleep (2);   /* pcscd stays down: the module must not spin */
	tap (f->C_WaitForSlotEvent (CKF_DONT_BLOCK, &ev, NULL) == CKR_NO_EVENT, "%s: no event meanwhile",
	     mode);
	tap (cpu_seconds () - cpu0 < 0.2, "%s: no busy loop while pcscd is down (%.3f s CPU in 2 s)",
	     mode, cpu_seconds () - cpu0);
	tap (shell ("pcscd -f -c \"$TESTBED_DIR/reader.conf.d\" >/dev/null 2>&1 &"), "%s: pcscd started",
	     mode);
	do
		ev = 0;
	while (next_event (true, &ev) == CKR_OK && ev == slot && !token_present (slot));
	tap (token_present (slot), "%s: the card is back in its old slot", mode);
	tap (slot_list (CK_TRUE, s) == 1 && s[0] == slot, "%s: and listed", mode);
	tap (f->C_OpenSession (slot, CKF_SERIAL_SESSION, NULL, NULL, &h) == CKR_OK,
	     "%s: a session opens on it", mode);
	module_unload ();
}

#define FINALIZE_ROUNDS 200

struct woken {
	volatile int started;
	CK_RV rv;
};

static void *
woken_main (void *arg)
{
	struct woken *w = arg;
	CK_C_WaitForSlotEvent wait = f->C_WaitForSlotEvent;   /* f is the module's: read it now */
	CK_SLOT_ID slot;

	w->started = 1;
	w->rv = wait (0, &slot, NULL);
	return NULL;
}

static void
test_finalize (bool nss_mode)
{
	const char *mode = nss_mode ? "NSS" : "threads", *path = getenv ("TESSERA_MODULE");
	CK_SLOT_ID s[8];
	struct woken w;
	int round, woken_ok = 0;
	void *still;
	pthread_t t;

	for (round = 0; round < FINALIZE_ROUNDS; round++) {
		module_load (nss_mode);
		(void)slot_list (CK_TRUE, s);
		drain_events ();
		w.started = 0;
		w.rv = CKR_OK;
		pthread_create (&t, NULL, woken_main, &w);
		while (!w.started)
			usleep (100);
		usleep (2000);      /* into C_WaitForSlotEvent */
		module_unload ();   /* C_Finalize wakes it, dlclose before the join */
		pthread_join (t, NULL);
		woken_ok += w.rv == CKR_CRYPTOKI_NOT_INITIALIZED;
	}
	tap (woken_ok == FINALIZE_ROUNDS, "%s: %d times C_Finalize woke the waiter (%d)", mode,
	     FINALIZE_ROUNDS, woken_ok);
	still = dlopen (path != NULL ? path : "", RTLD_NOW | RTLD_NOLOAD);
	tap (still != NULL, "%s: the module stays mapped after dlclose", mode);
	if (still != NULL)
		dlclose (still);
}

int
main (int argc, char **argv)
{
	if (argc != 2) {
		fprintf (stderr, "usage: test-service idle|restart|finalize\n");
		return 2;
	}
	if (strcmp (argv[1], "idle") == 0) {
		test_idle ();
	} else if (strcmp (argv[1], "finalize") == 0) {
		test_finalize (true);
		test_finalize (false);
	} else {
		test_restart (true);
		test_restart (false);
	}
	return tap_done ();
}
