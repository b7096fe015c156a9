/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * src/module.c: the module's life: C_Initialize / C_Finalize with their locking
 * modes and fork detection, C_GetInfo, and the function lists and interfaces
 * (2.40 list, 3.0 "PKCS 11" interface). The exported entry points are in entry.c.
 */
#include "config.h"

#include "src/tsr.h"
#include "src/conf.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

struct tsr_module tsr;

const struct tsr_backend *tsr_backend;

void
tsr_set_backend (const struct tsr_backend *backend)
{
	tsr_backend = backend;
}

void
tsr_pad (CK_UTF8CHAR *field, size_t len, const char *s)
{
	size_t n = s != NULL ? strlen (s) : 0;

	if (n > len) {
		n = len;
		/* do not cut a UTF-8 sequence: back up over continuation bytes */
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	}
	memset (field, ' ', len);
	if (n > 0)
		memcpy (field, s, n);
}

static CK_RV
tsr_check_init_args (const CK_C_INITIALIZE_ARGS *args)
{
	int callbacks;

	if (args == NULL)
		return CKR_OK;
	if (args->pReserved != NULL)
		return CKR_ARGUMENTS_BAD;
	callbacks = (args->CreateMutex != NULL) + (args->DestroyMutex != NULL) +
	            (args->LockMutex != NULL) + (args->UnlockMutex != NULL);
	if (callbacks != 0 && callbacks != 4)
		return CKR_ARGUMENTS_BAD;
	return CKR_OK;
}

/* What a forked child inherited from its parent's C_Initialize and must not
 * release (PC/SC contexts and connections, shared with the parent): kept
 * referenced here, deliberately never freed. */
static void **tsr_abandoned;
static size_t tsr_n_abandoned;

static void
tsr_abandon (void *p)
{
	void **a;

	if (p == NULL)
		return;
	a = realloc (tsr_abandoned, (tsr_n_abandoned + 1) * sizeof *a);
	if (a == NULL)
		return;
	tsr_abandoned = a;
	tsr_abandoned[tsr_n_abandoned++] = p;
}

/* In a forked child: forget the parent's state without touching its PC/SC
 * connections or threads (they belong to the parent). Memory is released. */
static void
tsr_abandon_after_fork (void)
{
	size_t i;

	for (i = 0; i < tsr.n_slots; i++) {
		struct tsr_token *token = tsr.slots[i]->token;
		if (token != NULL) {
			tsr_token_forget_login (token);
			tsr_abandon (token->card);
			token->card = NULL;  /* the parent's connection: not ours to close */
		}
	}
	tsr_abandon (tsr.monitor);
	tsr_events_after_fork ();
	tsr_sessions_free_inlock ();
	tsr_slots_free_inlock ();
	tsr_ossl_free ();   /* plain memory: the child makes its own */
	memset (&tsr, 0, sizeof tsr);
}

CK_RV
C_Initialize (CK_VOID_PTR pInitArgs)
{
	const CK_C_INITIALIZE_ARGS *args = pInitArgs;
	bool lock_ready = false;
	reader_rv rrv;
	CK_RV rv;

	tsr_log_configure ();
	if (tsr.initialized && tsr.pid == getpid ()) {
		rv = CKR_CRYPTOKI_ALREADY_INITIALIZED;
		goto out;
	}
	if (tsr.initialized) {
		tsr_log ("p11", "C_Initialize in a forked child: starting afresh");
		tsr_abandon_after_fork ();
	}
	rv = tsr_check_init_args (args);
	if (rv != CKR_OK)
		goto out;
	if (tsr_backend == NULL) {
		rv = CKR_GENERAL_ERROR;
		goto out;
	}
	tsr_conf_load ();   /* never fails: problems are logged, defaults kept */
	rv = tsr_ossl_init ();
	if (rv != CKR_OK)
		goto out;
	rv = tsr_lock_init (args);
	if (rv != CKR_OK) {
		tsr_ossl_free ();
		goto out;
	}
	lock_ready = true;
	tsr.threads_allowed = args == NULL || !(args->flags & CKF_LIBRARY_CANT_CREATE_OS_THREADS);
	tsr.next_slot_id = 1;
	tsr.next_session = 1;
	tsr.next_object = 1;
	rrv = tsr_backend->monitor_new (&tsr.monitor);
	if (rrv != READER_OK) {
		tsr_log ("p11", "reader monitor: %d", (int)rrv);
		rv = rrv == READER_E_NO_MEMORY ? CKR_HOST_MEMORY : CKR_GENERAL_ERROR;
		tsr_ossl_free ();
		goto out;
	}
	tsr.pid = getpid ();
	tsr.initialized = true;
	if (tsr_backend->card_timeout != NULL)   /* before any card is connected */
		tsr_backend->card_timeout (tsr_conf_get ()->card_timeout * 1000L, tsr.threads_allowed);
	tsr_events_open ();
	tsr_lock ();
	tsr.starting = true;   /* the first look: events only for slots with a card (slot.c) */
	tsr_slots_refresh_inlock ();
	tsr.starting = false;
	tsr_unlock ();
	rv = tsr_events_start (tsr.threads_allowed);
	if (rv != CKR_OK) {
		C_Finalize (NULL);
		lock_ready = false;
	}
	tsr_log ("p11", "C_Initialize: flags 0x%lx, %s locking, %s",
	         args != NULL ? (unsigned long)args->flags : 0UL,
	         args != NULL && args->CreateMutex != NULL && !(args->flags & CKF_OS_LOCKING_OK) ?
	         "application" : "OS", tsr.threads_allowed ? "monitor thread" : "no threads");
out:
	if (rv != CKR_OK && lock_ready)
		tsr_lock_destroy ();
	return rv;
}

/* A token with card calls in flight (or being read), or NULL. */
static struct tsr_token *
tsr_busy_token_inlock (void)
{
	size_t i;

	for (i = 0; i < tsr.n_slots; i++) {
		if (tsr.slots[i]->token != NULL && tsr.slots[i]->token->calls > 0)
			return tsr.slots[i]->token;
		if (tsr.slots[i]->opening != NULL)
			return tsr.slots[i]->opening;
	}
	for (i = 0; i < tsr.n_dead_tokens; i++) {
		if (tsr.dead_tokens[i]->calls > 0)
			return tsr.dead_tokens[i];
	}
	return NULL;
}

/* C_Finalize while other threads are inside card calls (the application should not,
 * but must not crash us): wait until they are out before anything is freed. */
static void
tsr_wait_card_calls_inlock (void)
{
	const struct timespec ms = { 0, 1000 * 1000 };
	struct tsr_token *busy;

	size_t i;

	while ((busy = tsr_busy_token_inlock ()) != NULL) {
		busy->calls++;
		tsr_token_wait_io_inlock (busy);
		busy->calls--;
		tsr_unlock ();
		nanosleep (&ms, NULL);
		tsr_lock ();
	}
	for (i = 0; i < tsr.n_slots; i++) {
		if (tsr.slots[i]->discovering) {   /* a card's applications asked without the lock */
			tsr_unlock ();
			nanosleep (&ms, NULL);
			tsr_lock ();
			i = (size_t)-1;   /* the slots again from the first */
		}
	}
}

CK_RV
C_Finalize (CK_VOID_PTR pReserved)
{
	CK_RV rv = CKR_OK;

	if (!tsr.initialized || tsr.pid != getpid ()) {
		rv = CKR_CRYPTOKI_NOT_INITIALIZED;
		goto out;
	}
	if (!tsr_check (pReserved == NULL)) {
		rv = CKR_ARGUMENTS_BAD;
		goto out;
	}
	/* Wake and wait for C_WaitForSlotEvent callers and the monitor thread. */
	tsr_events_stop ();
	tsr_lock ();
	tsr_wait_card_calls_inlock ();
	tsr.initialized = false;
	tsr_sessions_free_inlock ();
	tsr_slots_free_inlock ();
	tsr_backend->monitor_free (tsr.monitor);
	tsr.monitor = NULL;
	tsr_unlock ();
	if (tsr_backend->card_timeout != NULL)
		tsr_backend->card_timeout (0, 0);   /* the watchdog thread joined */
	tsr_lock_destroy ();
	tsr_ossl_free ();
	tsr_conf_unload ();
	memset (&tsr, 0, sizeof tsr);
	tsr_log ("p11", "C_Finalize");
	tsr_log_close ();
out:
	return rv;
}

CK_RV
C_GetInfo (CK_INFO_PTR pInfo)
{
	CK_RV rv;

	rv = tsr_enter ();
	if (rv != CKR_OK)
		return rv;
	if (!tsr_check (pInfo != NULL)) {
		rv = CKR_ARGUMENTS_BAD;
		goto out;
	}
	memset (pInfo, 0, sizeof *pInfo);
	pInfo->cryptokiVersion.major = 3;
	pInfo->cryptokiVersion.minor = 0;
	tsr_pad (pInfo->manufacturerID, sizeof pInfo->manufacturerID, TSR_MANUFACTURER);
	pInfo->flags = 0;
	tsr_pad (pInfo->libraryDescription, sizeof pInfo->libraryDescription, TSR_LIBRARY_DESCRIPTION);
	pInfo->libraryVersion.major = TSR_VERSION_MAJOR;
	pInfo->libraryVersion.minor = TSR_VERSION_MINOR;
out:
	tsr_leave ();
	return rv;
}

#define TSR_FUNCTIONS_2_40 \
	.C_Initialize = C_Initialize, .C_Finalize = C_Finalize, .C_GetInfo = C_GetInfo, \
	.C_GetFunctionList = tsr_get_function_list, .C_GetSlotList = C_GetSlotList, \
	.C_GetSlotInfo = C_GetSlotInfo, .C_GetTokenInfo = C_GetTokenInfo, \
	.C_GetMechanismList = C_GetMechanismList, .C_GetMechanismInfo = C_GetMechanismInfo, \
	.C_InitToken = C_InitToken, .C_InitPIN = C_InitPIN, .C_SetPIN = C_SetPIN, \
	.C_OpenSession = C_OpenSession, .C_CloseSession = C_CloseSession, \
	.C_CloseAllSessions = C_CloseAllSessions, .C_GetSessionInfo = C_GetSessionInfo, \
	.C_GetOperationState = C_GetOperationState, .C_SetOperationState = C_SetOperationState, \
	.C_Login = C_Login, .C_Logout = C_Logout, .C_CreateObject = C_CreateObject, \
	.C_CopyObject = C_CopyObject, .C_DestroyObject = C_DestroyObject, \
	.C_GetObjectSize = C_GetObjectSize, .C_GetAttributeValue = C_GetAttributeValue, \
	.C_SetAttributeValue = C_SetAttributeValue, .C_FindObjectsInit = C_FindObjectsInit, \
	.C_FindObjects = C_FindObjects, .C_FindObjectsFinal = C_FindObjectsFinal, \
	.C_EncryptInit = C_EncryptInit, .C_Encrypt = C_Encrypt, .C_EncryptUpdate = C_EncryptUpdate, \
	.C_EncryptFinal = C_EncryptFinal, .C_DecryptInit = C_DecryptInit, .C_Decrypt = C_Decrypt, \
	.C_DecryptUpdate = C_DecryptUpdate, .C_DecryptFinal = C_DecryptFinal, \
	.C_DigestInit = C_DigestInit, .C_Digest = C_Digest, .C_DigestUpdate = C_DigestUpdate, \
	.C_DigestKey = C_DigestKey, .C_DigestFinal = C_DigestFinal, .C_SignInit = C_SignInit, \
	.C_Sign = C_Sign, .C_SignUpdate = C_SignUpdate, .C_SignFinal = C_SignFinal, \
	.C_SignRecoverInit = C_SignRecoverInit, .C_SignRecover = C_SignRecover, \
	.C_VerifyInit = C_VerifyInit, .C_Verify = C_Verify, .C_VerifyUpdate = C_VerifyUpdate, \
	.C_VerifyFinal = C_VerifyFinal, .C_VerifyRecoverInit = C_VerifyRecoverInit, \
	.C_VerifyRecover = C_VerifyRecover, .C_DigestEncryptUpdate = C_DigestEncryptUpdate, \
	.C_DecryptDigestUpdate = C_DecryptDigestUpdate, .C_SignEncryptUpdate = C_SignEncryptUpdate, \
	.C_DecryptVerifyUpdate = C_DecryptVerifyUpdate, .C_GenerateKey = C_GenerateKey, \
	.C_GenerateKeyPair = C_GenerateKeyPair, .C_WrapKey = C_WrapKey, .C_UnwrapKey = C_UnwrapKey, \
	.C_DeriveKey = C_DeriveKey, .C_SeedRandom = C_SeedRandom, \
	.C_GenerateRandom = C_GenerateRandom, .C_GetFunctionStatus = C_GetFunctionStatus, \
	.C_CancelFunction = C_CancelFunction, .C_WaitForSlotEvent = C_WaitForSlotEvent

static CK_FUNCTION_LIST tsr_list_2_40 = {
	.version = { 2, 40 },
	TSR_FUNCTIONS_2_40,
};

static CK_FUNCTION_LIST_3_0 tsr_list_3_0 = {
	.version = { 3, 0 },
	TSR_FUNCTIONS_2_40,
	.C_GetInterfaceList = tsr_get_interface_list, .C_GetInterface = tsr_get_interface,
	.C_LoginUser = C_LoginUser, .C_SessionCancel = C_SessionCancel,
	.C_MessageEncryptInit = C_MessageEncryptInit, .C_EncryptMessage = C_EncryptMessage,
	.C_EncryptMessageBegin = C_EncryptMessageBegin, .C_EncryptMessageNext = C_EncryptMessageNext,
	.C_MessageEncryptFinal = C_MessageEncryptFinal, .C_MessageDecryptInit = C_MessageDecryptInit,
	.C_DecryptMessage = C_DecryptMessage, .C_DecryptMessageBegin = C_DecryptMessageBegin,
	.C_DecryptMessageNext = C_DecryptMessageNext, .C_MessageDecryptFinal = C_MessageDecryptFinal,
	.C_MessageSignInit = C_MessageSignInit, .C_SignMessage = C_SignMessage,
	.C_SignMessageBegin = C_SignMessageBegin, .C_SignMessageNext = C_SignMessageNext,
	.C_MessageSignFinal = C_MessageSignFinal, .C_MessageVerifyInit = C_MessageVerifyInit,
	.C_VerifyMessage = C_VerifyMessage, .C_VerifyMessageBegin = C_VerifyMessageBegin,
	.C_VerifyMessageNext = C_VerifyMessageNext, .C_MessageVerifyFinal = C_MessageVerifyFinal,
};

/* The interfaces, most capable first: C_GetInterface (NULL name) returns the first. */
static CK_INTERFACE tsr_interfaces[] = {
	{ (CK_CHAR *)"PKCS 11", &tsr_list_3_0, 0 },
	{ (CK_CHAR *)"PKCS 11", &tsr_list_2_40, 0 },
};
#define TSR_N_INTERFACES (sizeof tsr_interfaces / sizeof tsr_interfaces[0])

CK_RV
tsr_get_function_list (CK_FUNCTION_LIST_PTR_PTR list)
{
	if (!tsr_check (list != NULL))
		return CKR_ARGUMENTS_BAD;
	*list = &tsr_list_2_40;
	return CKR_OK;
}

CK_RV
tsr_get_interface_list (CK_INTERFACE_PTR list, CK_ULONG_PTR count)
{
	CK_RV rv = CKR_OK;

	if (!tsr_check (count != NULL)) {
		rv = CKR_ARGUMENTS_BAD;
		goto out;
	}
	if (list == NULL) {
		*count = TSR_N_INTERFACES;
		goto out;
	}
	if (*count < TSR_N_INTERFACES) {
		*count = TSR_N_INTERFACES;
		rv = CKR_BUFFER_TOO_SMALL;
		goto out;
	}
	memcpy (list, tsr_interfaces, sizeof tsr_interfaces);
	*count = TSR_N_INTERFACES;
out:
	return rv;
}

CK_RV
tsr_get_interface (CK_UTF8CHAR_PTR name, CK_VERSION_PTR version, CK_INTERFACE_PTR_PTR iface,
                   CK_FLAGS flags)
{
	CK_RV rv = CKR_ARGUMENTS_BAD;
	size_t i;

	if (!tsr_check (iface != NULL))
		goto out;
	for (i = 0; i < TSR_N_INTERFACES; i++) {
		const CK_VERSION *v = tsr_interfaces[i].pFunctionList;  /* every list starts with it */
		if (name != NULL && strcmp ((const char *)name, (const char *)tsr_interfaces[i].pInterfaceName) != 0)
			continue;
		if (version != NULL && (version->major != v->major || version->minor != v->minor))
			continue;
		if ((tsr_interfaces[i].flags & flags) != flags)
			continue;
		*iface = &tsr_interfaces[i];
		rv = CKR_OK;
		break;
	}
out:
	return rv;
}
