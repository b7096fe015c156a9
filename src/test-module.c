/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * src/test-module.c: the module's life without a card: function lists and
 * interfaces, C_Initialize arguments and locking modes, double initialise,
 * finalize without initialise, fork, C_GetInfo, and the argument checks of
 * every function (NULL pointers, session handle 0).
 */
#include "config.h"

#include "src/test-mock.h"

#include <check.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static CK_FUNCTION_LIST_PTR f;

static void
setup (void)
{
	tsr_set_backend (&mock_backend);
	mock_setup (1, false);
	ck_assert_int_eq (tsr_get_function_list (&f), CKR_OK);
}

static void
teardown (void)
{
	if (tsr.initialized)
		f->C_Finalize (NULL);
}

static int
count_threads (void)
{
	DIR *d = opendir ("/proc/self/task");
	struct dirent *e;
	int n = 0;

	ck_assert_ptr_nonnull (d);
	while ((e = readdir (d)) != NULL)
		n += e->d_name[0] != '.';
	closedir (d);
	return n;
}

/* The fixture must do no slow work of its own: a test's time limit is for the test. Making
 * the mock card's RSA keys in every forked test (as the fixture once did) took longer than
 * Check's 4 s default on a loaded machine; main() makes them once, before the runner forks. */
START_TEST (test_fixture_is_cheap)
{
	ck_assert_msg (!mock.keys_made_by_setup, "the fixture generated the mock card's keys");
}
END_TEST

START_TEST (test_function_lists)
{
	CK_INTERFACE list[4], *iface = NULL;
	CK_FUNCTION_LIST_3_0 *f3;
	CK_VERSION v240 = { 2, 40 };
	CK_ULONG n = 0, i;
	void (*const *fp) (void);

	ck_assert_int_eq (f->version.major, 2);
	ck_assert_int_eq (f->version.minor, 40);
	fp = (void (*const *) (void))&f->C_Initialize;
	for (i = 0; i < (sizeof *f - sizeof f->version) / sizeof (void *); i++)
		ck_assert_msg (fp[i] != NULL, "2.40 function %lu missing", (unsigned long)i);
	ck_assert_int_eq (tsr_get_function_list (NULL), CKR_ARGUMENTS_BAD);

	ck_assert_int_eq (tsr_get_interface_list (NULL, NULL), CKR_ARGUMENTS_BAD);
	ck_assert_int_eq (tsr_get_interface_list (NULL, &n), CKR_OK);
	ck_assert_int_eq (n, 2);
	n = 1;
	ck_assert_int_eq (tsr_get_interface_list (list, &n), CKR_BUFFER_TOO_SMALL);
	ck_assert_int_eq (n, 2);
	n = 4;
	ck_assert_int_eq (tsr_get_interface_list (list, &n), CKR_OK);
	ck_assert_str_eq ((char *)list[0].pInterfaceName, "PKCS 11");
	ck_assert_str_eq ((char *)list[1].pInterfaceName, "PKCS 11");

	/* Firefox asks for a fork-safe interface first, then for any */
	ck_assert_int_eq (tsr_get_interface ((CK_UTF8CHAR_PTR)"PKCS 11", NULL, &iface, CKF_INTERFACE_FORK_SAFE),
	                  CKR_ARGUMENTS_BAD);
	ck_assert_int_eq (tsr_get_interface ((CK_UTF8CHAR_PTR)"PKCS 11", NULL, &iface, 0), CKR_OK);
	f3 = iface->pFunctionList;
	ck_assert_int_eq (f3->version.major, 3);
	fp = (void (*const *) (void))&f3->C_Initialize;
	for (i = 0; i < (sizeof *f3 - sizeof f3->version) / sizeof (void *); i++)
		ck_assert_msg (fp[i] != NULL, "3.0 function %lu missing", (unsigned long)i);
	ck_assert_int_eq (tsr_get_interface (NULL, &v240, &iface, 0), CKR_OK);
	ck_assert_ptr_eq (iface->pFunctionList, f);
	ck_assert_int_eq (tsr_get_interface ((CK_UTF8CHAR_PTR)"Vendor", NULL, &iface, 0), CKR_ARGUMENTS_BAD);
	ck_assert_int_eq (tsr_get_interface (NULL, NULL, NULL, 0), CKR_ARGUMENTS_BAD);
}
END_TEST

START_TEST (test_not_initialized)
{
	CK_INFO info;
	CK_ULONG n;
	CK_SLOT_ID slot;
	CK_SESSION_HANDLE h;

	ck_assert_int_eq (f->C_Finalize (NULL), CKR_CRYPTOKI_NOT_INITIALIZED);
	ck_assert_int_eq (f->C_GetInfo (&info), CKR_CRYPTOKI_NOT_INITIALIZED);
	ck_assert_int_eq (f->C_GetSlotList (CK_FALSE, NULL, &n), CKR_CRYPTOKI_NOT_INITIALIZED);
	ck_assert_int_eq (f->C_OpenSession (1, CKF_SERIAL_SESSION, NULL, NULL, &h), CKR_CRYPTOKI_NOT_INITIALIZED);
	ck_assert_int_eq (f->C_WaitForSlotEvent (CKF_DONT_BLOCK, &slot, NULL), CKR_CRYPTOKI_NOT_INITIALIZED);
	ck_assert_int_eq (f->C_CloseSession (1), CKR_CRYPTOKI_NOT_INITIALIZED);
}
END_TEST

static int mutex_created, mutex_locked, mutex_unlocked, mutex_destroyed;

static CK_RV
app_create (CK_VOID_PTR_PTR m)
{
	pthread_mutex_t *mx = malloc (sizeof *mx);

	pthread_mutex_init (mx, NULL);
	*m = mx;
	mutex_created++;
	return CKR_OK;
}

static CK_RV
app_destroy (CK_VOID_PTR m)
{
	pthread_mutex_destroy (m);
	free (m);
	mutex_destroyed++;
	return CKR_OK;
}

static CK_RV
app_lock (CK_VOID_PTR m)
{
	mutex_locked++;
	return pthread_mutex_lock (m) == 0 ? CKR_OK : CKR_GENERAL_ERROR;
}

static CK_RV
app_unlock (CK_VOID_PTR m)
{
	mutex_unlocked++;
	return pthread_mutex_unlock (m) == 0 ? CKR_OK : CKR_GENERAL_ERROR;
}

START_TEST (test_init_args)
{
	CK_C_INITIALIZE_ARGS args;

	memset (&args, 0, sizeof args);
	args.pReserved = &args;
	ck_assert_int_eq (f->C_Initialize (&args), CKR_ARGUMENTS_BAD);
	memset (&args, 0, sizeof args);
	args.CreateMutex = app_create;   /* all four or none */
	ck_assert_int_eq (f->C_Initialize (&args), CKR_ARGUMENTS_BAD);
	ck_assert (!tsr.initialized);

	ck_assert_int_eq (f->C_Initialize (NULL), CKR_OK);
	ck_assert_int_eq (f->C_Initialize (NULL), CKR_CRYPTOKI_ALREADY_INITIALIZED);
	ck_assert_int_eq (f->C_Finalize (&args), CKR_ARGUMENTS_BAD);
	ck_assert_int_eq (f->C_Finalize (NULL), CKR_OK);
	ck_assert_int_eq (f->C_Finalize (NULL), CKR_CRYPTOKI_NOT_INITIALIZED);
	/* and again: C_Finalize + C_Initialize starts afresh */
	ck_assert_int_eq (f->C_Initialize (NULL), CKR_OK);
	ck_assert_int_eq (f->C_Finalize (NULL), CKR_OK);
}
END_TEST

START_TEST (test_app_mutexes)
{
	CK_C_INITIALIZE_ARGS args = { app_create, app_destroy, app_lock, app_unlock, 0, NULL };
	CK_INFO info;

	mutex_created = mutex_locked = mutex_unlocked = mutex_destroyed = 0;
	ck_assert_int_eq (f->C_Initialize (&args), CKR_OK);
	ck_assert_int_eq (mutex_created, 1);
	mutex_locked = mutex_unlocked = 0;
	ck_assert_int_eq (f->C_GetInfo (&info), CKR_OK);
	ck_assert_int_eq (mutex_locked, 1);
	ck_assert_int_eq (mutex_unlocked, 1);
	ck_assert_int_eq (f->C_Finalize (NULL), CKR_OK);
	ck_assert_int_eq (mutex_destroyed, 1);

	/* with CKF_OS_LOCKING_OK the module may use its own locks: ours are not needed */
	mutex_created = 0;
	args.flags = CKF_OS_LOCKING_OK;
	ck_assert_int_eq (f->C_Initialize (&args), CKR_OK);
	ck_assert_int_eq (mutex_created, 0);
	ck_assert_int_eq (f->C_Finalize (NULL), CKR_OK);
}
END_TEST

START_TEST (test_threads)
{
	CK_C_INITIALIZE_ARGS nss = { NULL, NULL, NULL, NULL,
	                             CKF_LIBRARY_CANT_CREATE_OS_THREADS | CKF_OS_LOCKING_OK, NULL };
	int before = count_threads ();

	ck_assert_int_eq (f->C_Initialize (&nss), CKR_OK);
	ck_assert_int_eq (count_threads (), before);   /* NSS's flags: no thread of ours */
	ck_assert_int_eq (f->C_Finalize (NULL), CKR_OK);

	ck_assert_int_eq (f->C_Initialize (NULL), CKR_OK);
	ck_assert_int_eq (count_threads (), before + 1);   /* the reader monitor thread */
	ck_assert_int_eq (f->C_Finalize (NULL), CKR_OK);
	ck_assert_int_eq (count_threads (), before);
}
END_TEST

/* GCC 12's AddressSanitizer runtime is not fork-safe while another thread is inside its
 * allocator (the child can deadlock on the allocator's lock; glibc's own malloc is). Under ASan
 * the parent therefore forks without the monitor thread (NSS's flags); the ordinary and valgrind
 * builds fork with the thread running. */
#if defined(__SANITIZE_ADDRESS__)
#define FORK_INIT_ARGS (&fork_nss_args)
static CK_C_INITIALIZE_ARGS fork_nss_args = {
	NULL, NULL, NULL, NULL, CKF_LIBRARY_CANT_CREATE_OS_THREADS | CKF_OS_LOCKING_OK, NULL
};
#else
#define FORK_INIT_ARGS NULL
#endif

START_TEST (test_fork)
{
	CK_INFO info;
	CK_ULONG n = 0;
	pid_t pid;
	int status = -1;

	ck_assert_int_eq (f->C_Initialize (FORK_INIT_ARGS), CKR_OK);
	pid = fork ();
	ck_assert_int_ge (pid, 0);
	if (pid == 0) {
		/* the child: not initialised until it calls C_Initialize itself */
		if (f->C_GetInfo (&info) != CKR_CRYPTOKI_NOT_INITIALIZED)
			_exit (1);
		if (f->C_Finalize (NULL) != CKR_CRYPTOKI_NOT_INITIALIZED)
			_exit (2);
		if (f->C_Initialize (NULL) != CKR_OK)
			_exit (3);
		if (f->C_GetSlotList (CK_FALSE, NULL, &n) != CKR_OK || n != 1)
			_exit (4);
		if (f->C_Finalize (NULL) != CKR_OK)
			_exit (5);
		_exit (0);
	}
	ck_assert_int_eq (waitpid (pid, &status, 0), pid);
	ck_assert_msg (WIFEXITED (status) && WEXITSTATUS (status) == 0, "child status %d", status);
	/* the parent is not disturbed */
	ck_assert_int_eq (f->C_GetInfo (&info), CKR_OK);
}
END_TEST

static bool
blank_padded (const CK_UTF8CHAR *field, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (field[i] == '\0')
			return false;
	}
	return len == 0 || field[len - 1] == ' ' || field[len - 1] != '\0';
}

START_TEST (test_info)
{
	CK_INFO info;

	ck_assert_int_eq (f->C_Initialize (NULL), CKR_OK);
	ck_assert_int_eq (f->C_GetInfo (NULL), CKR_ARGUMENTS_BAD);
	memset (&info, 0, sizeof info);
	ck_assert_int_eq (f->C_GetInfo (&info), CKR_OK);
	ck_assert_int_eq (info.cryptokiVersion.major, 3);
	ck_assert (blank_padded (info.manufacturerID, sizeof info.manufacturerID));
	ck_assert (blank_padded (info.libraryDescription, sizeof info.libraryDescription));
	ck_assert_int_eq (info.libraryDescription[sizeof info.libraryDescription - 1], ' ');
	ck_assert (memcmp (info.libraryDescription, "tessera", 7) == 0);
	ck_assert_int_eq (info.flags, 0);
}
END_TEST

START_TEST (test_slots_without_card)
{
	CK_SLOT_ID slots[4], slot;
	CK_SLOT_INFO si;
	CK_TOKEN_INFO ti;
	CK_SESSION_HANDLE h;
	CK_ULONG n = 0;

	ck_assert_int_eq (f->C_Initialize (NULL), CKR_OK);
	ck_assert_int_eq (f->C_GetSlotList (CK_FALSE, NULL, NULL), CKR_ARGUMENTS_BAD);
	ck_assert_int_eq (f->C_GetSlotList (CK_FALSE, NULL, &n), CKR_OK);
	ck_assert_int_eq (n, 1);
	n = 0;
	ck_assert_int_eq (f->C_GetSlotList (CK_FALSE, slots, &n), CKR_BUFFER_TOO_SMALL);
	ck_assert_int_eq (n, 1);
	ck_assert_int_eq (f->C_GetSlotList (CK_TRUE, NULL, &n), CKR_OK);
	ck_assert_int_eq (n, 0);
	n = 4;
	ck_assert_int_eq (f->C_GetSlotList (CK_FALSE, slots, &n), CKR_OK);
	ck_assert_int_ne (slots[0], 0);   /* IDs start at 1 */
	ck_assert_int_eq (f->C_GetSlotInfo (slots[0], NULL), CKR_ARGUMENTS_BAD);
	ck_assert_int_eq (f->C_GetSlotInfo (slots[0] + 100, &si), CKR_SLOT_ID_INVALID);
	ck_assert_int_eq (f->C_GetSlotInfo (slots[0], &si), CKR_OK);
	ck_assert_int_eq (si.flags, CKF_REMOVABLE_DEVICE | CKF_HW_SLOT);
	ck_assert (memcmp (si.slotDescription, "Mock Reader 0 ", 14) == 0);
	ck_assert (blank_padded (si.slotDescription, sizeof si.slotDescription));
	ck_assert_int_eq (f->C_GetTokenInfo (slots[0], &ti), CKR_TOKEN_NOT_PRESENT);
	ck_assert_int_eq (f->C_OpenSession (slots[0], 0, NULL, NULL, &h), CKR_SESSION_PARALLEL_NOT_SUPPORTED);
	ck_assert_int_eq (f->C_OpenSession (slots[0], CKF_SERIAL_SESSION, NULL, NULL, NULL), CKR_ARGUMENTS_BAD);
	ck_assert_int_eq (f->C_OpenSession (slots[0], CKF_SERIAL_SESSION, NULL, NULL, &h), CKR_TOKEN_NOT_PRESENT);
	ck_assert_int_eq (f->C_WaitForSlotEvent (0, NULL, NULL), CKR_ARGUMENTS_BAD);
	/* an empty reader found at start-up has not changed: no event (test-semantics.c) */
	ck_assert_int_eq (f->C_WaitForSlotEvent (CKF_DONT_BLOCK, &slot, NULL), CKR_NO_EVENT);
}
END_TEST

/* Take every pending event; returns how many there were. */
static int
drain_events (void)
{
	CK_SLOT_ID ev;
	int n = 0;

	while (f->C_WaitForSlotEvent (CKF_DONT_BLOCK, &ev, NULL) == CKR_OK)
		n++;
	return n;
}

static CK_ULONG
slot_list (CK_BBOOL present, CK_SLOT_ID *slots, CK_ULONG max)
{
	CK_ULONG n = max;

	ck_assert_int_eq (f->C_GetSlotList (present, slots, &n), CKR_OK);
	return n;
}

static bool
token_present (CK_SLOT_ID id)
{
	CK_SLOT_INFO si;

	ck_assert_int_eq (f->C_GetSlotInfo (id, &si), CKR_OK);
	return (si.flags & CKF_TOKEN_PRESENT) != 0;
}

/* Readers come and go (NSS mode: presence refreshed by each call): a new reader
 * gets a new slot ID, a removed reader's slot stays listed without a token, a
 * reader that comes back gets its old ID, IDs are never given to another reader. */
START_TEST (test_reader_hotplug)
{
	CK_C_INITIALIZE_ARGS nss = { NULL, NULL, NULL, NULL,
	                             CKF_LIBRARY_CANT_CREATE_OS_THREADS | CKF_OS_LOCKING_OK, NULL };
	CK_SLOT_ID s[8], a, b, c, ev;
	CK_SESSION_HANDLE h;
	CK_SESSION_INFO info;

	mock_card_insert ();
	ck_assert_int_eq (f->C_Initialize (&nss), CKR_OK);
	ck_assert_uint_eq (slot_list (CK_FALSE, s, 8), 1);
	a = s[0];
	ck_assert (token_present (a));
	ck_assert_int_eq (f->C_OpenSession (a, CKF_SERIAL_SESSION, NULL, NULL, &h), CKR_OK);
	drain_events ();

	mock_set_readers (2);                        /* a reader plugged in */
	ck_assert_int_eq (f->C_WaitForSlotEvent (CKF_DONT_BLOCK, &ev, NULL), CKR_OK);
	ck_assert_uint_eq (slot_list (CK_FALSE, s, 8), 2);
	b = s[1];
	ck_assert_uint_eq (ev, b);
	ck_assert_uint_ne (b, a);
	ck_assert (!token_present (b));
	ck_assert_uint_eq (slot_list (CK_TRUE, s, 8), 1);

	mock_set_readers (1);                        /* ... and pulled out */
	ck_assert_int_eq (f->C_WaitForSlotEvent (CKF_DONT_BLOCK, &ev, NULL), CKR_OK);
	ck_assert_uint_eq (ev, b);
	ck_assert_int_eq (f->C_WaitForSlotEvent (CKF_DONT_BLOCK, &ev, NULL), CKR_NO_EVENT);
	ck_assert_uint_eq (slot_list (CK_FALSE, s, 8), 2);   /* its slot stays */
	ck_assert_uint_eq (s[0], a);
	ck_assert_uint_eq (s[1], b);
	ck_assert (!token_present (b));

	mock_set_readers (0);                        /* the reader with the card goes */
	ck_assert_int_eq (f->C_WaitForSlotEvent (CKF_DONT_BLOCK, &ev, NULL), CKR_OK);
	ck_assert_uint_eq (ev, a);
	ck_assert_int_eq (f->C_GetSessionInfo (h, &info), CKR_SESSION_HANDLE_INVALID);
	ck_assert (!token_present (a));
	ck_assert_uint_eq (slot_list (CK_FALSE, s, 8), 2);
	ck_assert_uint_eq (slot_list (CK_TRUE, s, 8), 0);

	mock_set_readers (3);                        /* both come back, and a third */
	ck_assert_int_eq (drain_events (), 3);
	ck_assert_uint_eq (slot_list (CK_FALSE, s, 8), 3);
	ck_assert_uint_eq (s[0], a);                 /* a reader that returns keeps its ID */
	ck_assert_uint_eq (s[1], b);
	c = s[2];
	ck_assert_uint_ne (c, a);                    /* a new reader never gets a used ID */
	ck_assert_uint_ne (c, b);
	ck_assert (token_present (a));
	ck_assert_int_eq (f->C_OpenSession (a, CKF_SERIAL_SESSION, NULL, NULL, &h), CKR_OK);
}
END_TEST

/* The same with the module's monitor thread: events arrive without any call. */
START_TEST (test_reader_hotplug_thread)
{
	CK_SLOT_ID s[8], ev;

	ck_assert_int_eq (f->C_Initialize (NULL), CKR_OK);
	ck_assert_uint_eq (slot_list (CK_FALSE, s, 8), 1);
	drain_events ();
	mock_set_readers (2);
	ck_assert_int_eq (f->C_WaitForSlotEvent (0, &ev, NULL), CKR_OK);   /* blocks until seen */
	ck_assert_uint_eq (slot_list (CK_FALSE, s, 8), 2);
	ck_assert_uint_eq (ev, s[1]);
	mock_set_readers (1);
	ck_assert_int_eq (f->C_WaitForSlotEvent (0, &ev, NULL), CKR_OK);
	ck_assert_uint_eq (ev, s[1]);
	ck_assert_uint_eq (slot_list (CK_FALSE, s, 8), 2);
	ck_assert (!token_present (s[1]));
}
END_TEST

/* Every function that takes a session rejects handle 0 (never valid). */
START_TEST (test_session_zero)
{
	CK_FUNCTION_LIST_3_0 *f3;
	CK_INTERFACE *iface;
	CK_MECHANISM mech = { CKM_SHA256, NULL, 0 };
	CK_BYTE buf[64];
	CK_ULONG len = sizeof buf;
	CK_OBJECT_HANDLE obj;
	CK_ATTRIBUTE attr = { CKA_CLASS, buf, sizeof buf };
	CK_SESSION_INFO info;
	const CK_RV bad = CKR_SESSION_HANDLE_INVALID;

	ck_assert_int_eq (tsr_get_interface (NULL, NULL, &iface, 0), CKR_OK);
	f3 = iface->pFunctionList;
	ck_assert_int_eq (f->C_Initialize (NULL), CKR_OK);
	ck_assert_int_eq (f->C_CloseSession (0), bad);
	ck_assert_int_eq (f->C_GetSessionInfo (0, &info), bad);
	ck_assert_int_eq (f->C_GetOperationState (0, buf, &len), bad);
	ck_assert_int_eq (f->C_SetOperationState (0, buf, len, 0, 0), bad);
	ck_assert_int_eq (f->C_Login (0, CKU_USER, (CK_UTF8CHAR_PTR)"123456", 6), bad);
	ck_assert_int_eq (f->C_Logout (0), bad);
	ck_assert_int_eq (f->C_InitPIN (0, (CK_UTF8CHAR_PTR)"123456", 6), bad);
	ck_assert_int_eq (f->C_SetPIN (0, (CK_UTF8CHAR_PTR)"123456", 6, (CK_UTF8CHAR_PTR)"654321", 6), bad);
	ck_assert_int_eq (f->C_CreateObject (0, &attr, 1, &obj), bad);
	ck_assert_int_eq (f->C_CopyObject (0, 1, &attr, 1, &obj), bad);
	ck_assert_int_eq (f->C_DestroyObject (0, 1), bad);
	ck_assert_int_eq (f->C_GetObjectSize (0, 1, &len), bad);
	ck_assert_int_eq (f->C_GetAttributeValue (0, 1, &attr, 1), bad);
	ck_assert_int_eq (f->C_SetAttributeValue (0, 1, &attr, 1), bad);
	ck_assert_int_eq (f->C_FindObjectsInit (0, &attr, 1), bad);
	ck_assert_int_eq (f->C_FindObjects (0, &obj, 1, &len), bad);
	ck_assert_int_eq (f->C_FindObjectsFinal (0), bad);
	ck_assert_int_eq (f->C_EncryptInit (0, &mech, 1), bad);
	ck_assert_int_eq (f->C_Encrypt (0, buf, 1, buf, &len), bad);
	ck_assert_int_eq (f->C_EncryptUpdate (0, buf, 1, buf, &len), bad);
	ck_assert_int_eq (f->C_EncryptFinal (0, buf, &len), bad);
	ck_assert_int_eq (f->C_DecryptInit (0, &mech, 1), bad);
	ck_assert_int_eq (f->C_Decrypt (0, buf, 1, buf, &len), bad);
	ck_assert_int_eq (f->C_DecryptUpdate (0, buf, 1, buf, &len), bad);
	ck_assert_int_eq (f->C_DecryptFinal (0, buf, &len), bad);
	ck_assert_int_eq (f->C_DigestInit (0, &mech), bad);
	ck_assert_int_eq (f->C_Digest (0, buf, 1, buf, &len), bad);
	ck_assert_int_eq (f->C_DigestUpdate (0, buf, 1), bad);
	ck_assert_int_eq (f->C_DigestKey (0, 1), bad);
	ck_assert_int_eq (f->C_DigestFinal (0, buf, &len), bad);
	ck_assert_int_eq (f->C_SignInit (0, &mech, 1), bad);
	ck_assert_int_eq (f->C_Sign (0, buf, 1, buf, &len), bad);
	ck_assert_int_eq (f->C_SignUpdate (0, buf, 1), bad);
	ck_assert_int_eq (f->C_SignFinal (0, buf, &len), bad);
	ck_assert_int_eq (f->C_SignRecoverInit (0, &mech, 1), bad);
	ck_assert_int_eq (f->C_SignRecover (0, buf, 1, buf, &len), bad);
	ck_assert_int_eq (f->C_VerifyInit (0, &mech, 1), bad);
	ck_assert_int_eq (f->C_Verify (0, buf, 1, buf, 1), bad);
	ck_assert_int_eq (f->C_VerifyUpdate (0, buf, 1), bad);
	ck_assert_int_eq (f->C_VerifyFinal (0, buf, 1), bad);
	ck_assert_int_eq (f->C_VerifyRecoverInit (0, &mech, 1), bad);
	ck_assert_int_eq (f->C_VerifyRecover (0, buf, 1, buf, &len), bad);
	ck_assert_int_eq (f->C_DigestEncryptUpdate (0, buf, 1, buf, &len), bad);
	ck_assert_int_eq (f->C_DecryptDigestUpdate (0, buf, 1, buf, &len), bad);
	ck_assert_int_eq (f->C_SignEncryptUpdate (0, buf, 1, buf, &len), bad);
	ck_assert_int_eq (f->C_DecryptVerifyUpdate (0, buf, 1, buf, &len), bad);
	ck_assert_int_eq (f->C_GenerateKey (0, &mech, &attr, 1, &obj), bad);
	ck_assert_int_eq (f->C_GenerateKeyPair (0, &mech, &attr, 1, &attr, 1, &obj, &obj), bad);
	ck_assert_int_eq (f->C_WrapKey (0, &mech, 1, 2, buf, &len), bad);
	ck_assert_int_eq (f->C_UnwrapKey (0, &mech, 1, buf, 1, &attr, 1, &obj), bad);
	ck_assert_int_eq (f->C_DeriveKey (0, &mech, 1, &attr, 1, &obj), bad);
	ck_assert_int_eq (f->C_SeedRandom (0, buf, 1), bad);
	ck_assert_int_eq (f->C_GenerateRandom (0, buf, 1), bad);
	ck_assert_int_eq (f->C_GetFunctionStatus (0), bad);
	ck_assert_int_eq (f->C_CancelFunction (0), bad);
	ck_assert_int_eq (f3->C_LoginUser (0, CKU_USER, (CK_UTF8CHAR_PTR)"123456", 6, NULL, 0), bad);
	ck_assert_int_eq (f3->C_SessionCancel (0, CKF_SIGN), bad);
	ck_assert_int_eq (f3->C_MessageEncryptInit (0, &mech, 1), bad);
	ck_assert_int_eq (f3->C_EncryptMessage (0, NULL, 0, NULL, 0, buf, 1, buf, &len), bad);
	ck_assert_int_eq (f3->C_MessageSignInit (0, &mech, 1), bad);
	ck_assert_int_eq (f3->C_SignMessage (0, NULL, 0, buf, 1, buf, &len), bad);
	ck_assert_int_eq (f3->C_MessageVerifyFinal (0), bad);
	ck_assert_int_eq (f->C_CloseAllSessions (99), CKR_SLOT_ID_INVALID);
	ck_assert_int_eq (f->C_InitToken (99, NULL, 0, buf), CKR_SLOT_ID_INVALID);
}
END_TEST

static Suite *
module_suite (void)
{
	Suite *s = suite_create ("module");
	TCase *tc = tcase_create ("life");

	/* Each test takes well under a second alone (the slowest: test_fork, test_threads); 30 s
	 * leaves room for a loaded 2-core machine and valgrind. No test waits for time to pass:
	 * every wait ends on a condition (a thread joined, an event posted, a child reaped). */
	tcase_set_timeout (tc, 30);
	tcase_add_checked_fixture (tc, setup, teardown);
	tcase_add_test (tc, test_fixture_is_cheap);
	tcase_add_test (tc, test_function_lists);
	tcase_add_test (tc, test_not_initialized);
	tcase_add_test (tc, test_init_args);
	tcase_add_test (tc, test_app_mutexes);
	tcase_add_test (tc, test_threads);
	tcase_add_test (tc, test_fork);
	tcase_add_test (tc, test_info);
	tcase_add_test (tc, test_slots_without_card);
	tcase_add_test (tc, test_session_zero);
	tcase_add_test (tc, test_reader_hotplug);
	tcase_add_test (tc, test_reader_hotplug_thread);
	suite_add_tcase (s, tc);
	return s;
}

int
main (void)
{
	SRunner *sr = srunner_create (module_suite ());
	int failed;

	mock_keys_make ();   /* once, before the runner forks (see test_fixture_is_cheap) */
	srunner_run_all (sr, CK_ENV);
	failed = srunner_ntests_failed (sr);
	srunner_free (sr);
	mock_teardown ();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
