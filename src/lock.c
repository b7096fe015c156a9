/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * src/lock.c: the module lock, and the tokens' io locks (tsr_mutex_*), in the
 * locking mode C_Initialize was given.
 *
 * - CKF_OS_LOCKING_OK, or no arguments at all: a pthread mutex;
 * - the application's four mutex callbacks without CKF_OS_LOCKING_OK: those;
 * both: the pthread mutex (the spec lets the module choose).
 */
#include "config.h"

#include "src/tsr.h"

#include <stdlib.h>
#include <unistd.h>

enum tsr_lock_mode { TSR_LOCK_OS, TSR_LOCK_APP };

static enum tsr_lock_mode tsr_lock_mode;      /* set by tsr_lock_init, read-only afterwards */
static pthread_mutex_t tsr_os_mutex;          /* TSR_LOCK_OS */
static CK_C_INITIALIZE_ARGS tsr_app_locking;  /* TSR_LOCK_APP: the callbacks */
static void *tsr_app_mutex;                   /* TSR_LOCK_APP: the application's mutex */

CK_RV
tsr_lock_init (const CK_C_INITIALIZE_ARGS *args)
{
	pthread_mutexattr_t attr;
	CK_RV rv = CKR_OK;

	if (args != NULL && args->CreateMutex != NULL && !(args->flags & CKF_OS_LOCKING_OK)) {
		tsr_lock_mode = TSR_LOCK_APP;
		tsr_app_locking = *args;
		tsr_app_mutex = NULL;
		rv = args->CreateMutex (&tsr_app_mutex);
		if (rv != CKR_OK)
			tsr_log ("p11", "the application's CreateMutex failed: 0x%lx", (unsigned long)rv);
		goto out;
	}
	tsr_lock_mode = TSR_LOCK_OS;
	pthread_mutexattr_init (&attr);
	pthread_mutexattr_settype (&attr, PTHREAD_MUTEX_ERRORCHECK);
	if (pthread_mutex_init (&tsr_os_mutex, &attr) != 0)
		rv = CKR_CANT_LOCK;
	pthread_mutexattr_destroy (&attr);
out:
	return rv;
}

void
tsr_lock_destroy (void)
{
	if (tsr_lock_mode == TSR_LOCK_APP) {
		if (tsr_app_mutex != NULL)
			tsr_app_locking.DestroyMutex (tsr_app_mutex);
		tsr_app_mutex = NULL;
	} else {
		pthread_mutex_destroy (&tsr_os_mutex);
	}
}

void
tsr_lock (void)
{
	CK_RV rv;

	if (tsr_lock_mode == TSR_LOCK_APP) {
		rv = tsr_app_locking.LockMutex (tsr_app_mutex);
		assert (rv == CKR_OK);
		(void)rv;
	} else {
		int r = pthread_mutex_lock (&tsr_os_mutex);
		assert (r == 0);
		(void)r;
	}
}

void
tsr_unlock (void)
{
	if (tsr_lock_mode == TSR_LOCK_APP)
		tsr_app_locking.UnlockMutex (tsr_app_mutex);
	else
		pthread_mutex_unlock (&tsr_os_mutex);
}

CK_RV
tsr_enter (void)
{
	/* After fork() the child must call C_Initialize first; until then it is not
	 * initialised (the parent's PC/SC context is not the child's to use). */
	if (!tsr.initialized || tsr.pid != getpid ())
		return CKR_CRYPTOKI_NOT_INITIALIZED;
	tsr_lock ();
	return CKR_OK;
}

void
tsr_leave (void)
{
	tsr_graves_flush_inlock ();
	tsr_unlock ();
}

/* ---- more mutexes in the module's locking mode (the tokens' card locks) ---- */

CK_RV
tsr_mutex_new (void **mutex)
{
	pthread_mutex_t *m;
	CK_RV rv = CKR_OK;

	*mutex = NULL;
	if (tsr_lock_mode == TSR_LOCK_APP)
		return tsr_app_locking.CreateMutex (mutex);
	m = malloc (sizeof *m);
	if (m == NULL)
		return CKR_HOST_MEMORY;
	if (pthread_mutex_init (m, NULL) != 0) {
		free (m);
		m = NULL;
		rv = CKR_CANT_LOCK;
	}
	*mutex = m;
	return rv;
}

void
tsr_mutex_free (void *mutex)
{
	if (mutex == NULL)
		return;
	if (tsr_lock_mode == TSR_LOCK_APP) {
		tsr_app_locking.DestroyMutex (mutex);
		return;
	}
	pthread_mutex_destroy (mutex);
	free (mutex);
}

void
tsr_mutex_lock (void *mutex)
{
	if (tsr_lock_mode == TSR_LOCK_APP)
		(void)tsr_app_locking.LockMutex (mutex);
	else
		pthread_mutex_lock (mutex);
}

void
tsr_mutex_unlock (void *mutex)
{
	if (tsr_lock_mode == TSR_LOCK_APP)
		(void)tsr_app_locking.UnlockMutex (mutex);
	else
		pthread_mutex_unlock (mutex);
}
