/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tests/hotplug/hotplug-util.c: see hotplug-util.h.
 */
#include "config.h"

#include "tests/hotplug/hotplug-util.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

CK_FUNCTION_LIST *f;
static void *module;
static int tap_n, tap_failed;

bool
tap (bool ok, const char *fmt, ...)
{
	va_list ap;

	tap_n++;
	tap_failed += !ok;
	printf ("%s %d - ", ok ? "ok" : "not ok", tap_n);
	va_start (ap, fmt);
	vprintf (fmt, ap);
	va_end (ap);
	printf ("\n");
	fflush (stdout);
	return ok;
}

void
tap_diag (const char *fmt, ...)
{
	va_list ap;

	printf ("# ");
	va_start (ap, fmt);
	vprintf (fmt, ap);
	va_end (ap);
	printf ("\n");
	fflush (stdout);
}

void
tap_bail (const char *why)
{
	printf ("Bail out! %s\n", why);
	fflush (stdout);
	_exit (1);
}

int
tap_done (void)
{
	printf ("1..%d\n", tap_n);
	return tap_failed == 0 ? 0 : 1;
}

void
module_load (bool nss_mode)
{
	CK_C_INITIALIZE_ARGS nss = { NULL, NULL, NULL, NULL,
	                             CKF_LIBRARY_CANT_CREATE_OS_THREADS | CKF_OS_LOCKING_OK, NULL };
	CK_RV (*get_list) (CK_FUNCTION_LIST_PTR_PTR);
	const char *path = getenv ("TESSERA_MODULE");

	module = dlopen (path != NULL ? path : "", RTLD_NOW | RTLD_LOCAL);
	if (module == NULL)
		tap_bail (dlerror ());
	*(void **)&get_list = dlsym (module, "C_GetFunctionList");
	if (get_list == NULL || get_list (&f) != CKR_OK)
		tap_bail ("no C_GetFunctionList");
	if (f->C_Initialize (nss_mode ? &nss : NULL) != CKR_OK)
		tap_bail ("C_Initialize failed");
}

void
module_unload (void)
{
	f->C_Finalize (NULL);
	dlclose (module);
	module = NULL;
}

bool
card_ctl (int index, const char *command, char *answer, size_t size)
{
	char paths[2048], *path, *save = NULL, cmd[4096], line[256] = "";
	const char *env = getenv ("CARDSIM_CONTROL");
	FILE *p;
	int i, status;

	snprintf (paths, sizeof paths, "%s", env != NULL ? env : "");
	path = strtok_r (paths, " ", &save);
	for (i = 0; i < index && path != NULL; i++)
		path = strtok_r (NULL, " ", &save);
	if (path == NULL)
		tap_bail ("no such card simulator");
	snprintf (cmd, sizeof cmd, "\"%s\" ctl \"%s\" %s", getenv ("CARDSIM"), path, command);
	p = popen (cmd, "r");
	if (p == NULL)
		return false;
	if (fgets (line, sizeof line, p) == NULL)
		line[0] = '\0';
	line[strcspn (line, "\n")] = '\0';
	status = pclose (p);
	if (answer != NULL)
		snprintf (answer, size, "%s", line);
	return status == 0 && strncmp (line, "error", 5) != 0;
}

unsigned long
card_apdus (int index)
{
	char line[256];
	unsigned long n = 0;

	if (!card_ctl (index, "stats", line, sizeof line) || sscanf (line, "apdus %lu", &n) != 1)
		tap_bail ("ctl stats failed");
	return n;
}

bool
card_wait_status (int index, const char *status)
{
	char line[256];
	int i;

	for (i = 0; i < 150; i++) {
		if (card_ctl (index, "status", line, sizeof line) && strcmp (line, status) == 0)
			return true;
		usleep (100000);
	}
	return false;
}

struct waiter {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool done;
	CK_SLOT_ID slot;
	CK_RV rv;
};

static void *
waiter_main (void *arg)
{
	struct waiter *w = arg;
	CK_SLOT_ID slot = 0;
	CK_RV rv;

	rv = f->C_WaitForSlotEvent (0, &slot, NULL);
	pthread_mutex_lock (&w->lock);
	w->rv = rv;
	w->slot = slot;
	w->done = true;
	pthread_cond_signal (&w->cond);
	pthread_mutex_unlock (&w->lock);
	return NULL;
}

static CK_RV
next_event_blocking (CK_SLOT_ID *slot)
{
	static struct waiter w = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false, 0, 0 };
	struct timespec until;
	pthread_t t;
	int err = 0;

	w.done = false;
	if (pthread_create (&t, NULL, waiter_main, &w) != 0)
		tap_bail ("pthread_create");
	clock_gettime (CLOCK_REALTIME, &until);
	until.tv_sec += 15;
	pthread_mutex_lock (&w.lock);
	while (!w.done && err != ETIMEDOUT)
		err = pthread_cond_timedwait (&w.cond, &w.lock, &until);
	pthread_mutex_unlock (&w.lock);
	if (!w.done)
		tap_bail ("C_WaitForSlotEvent did not return within 15 s");
	pthread_join (t, NULL);
	*slot = w.slot;
	return w.rv;
}

CK_RV
next_event (bool blocking, CK_SLOT_ID *slot)
{
	CK_RV rv = CKR_NO_EVENT;
	int i;

	if (blocking)
		return next_event_blocking (slot);
	for (i = 0; i < 750 && rv == CKR_NO_EVENT; i++) {
		rv = f->C_WaitForSlotEvent (CKF_DONT_BLOCK, slot, NULL);
		if (rv == CKR_NO_EVENT)
			usleep (20000);
	}
	return rv;
}

int
drain_events (void)
{
	CK_SLOT_ID slot;
	int n = 0;

	while (f->C_WaitForSlotEvent (CKF_DONT_BLOCK, &slot, NULL) == CKR_OK)
		n++;
	return n;
}

CK_ULONG
slot_list (CK_BBOOL token_present, CK_SLOT_ID *slots)
{
	CK_ULONG n = 8;

	if (f->C_GetSlotList (token_present, slots, &n) != CKR_OK)
		return 0;
	return n;
}

bool
token_present (CK_SLOT_ID slot)
{
	CK_SLOT_INFO si;

	return f->C_GetSlotInfo (slot, &si) == CKR_OK && (si.flags & CKF_TOKEN_PRESENT);
}

void
token_serial (CK_SLOT_ID slot, char serial[17])
{
	CK_TOKEN_INFO ti;
	int len = 16;

	serial[0] = '\0';
	if (f->C_GetTokenInfo (slot, &ti) != CKR_OK)
		return;
	while (len > 0 && ti.serialNumber[len - 1] == ' ')
		len--;
	memcpy (serial, ti.serialNumber, (size_t)len);
	serial[len] = '\0';
}
