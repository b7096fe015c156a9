/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* bench/module.c: the module under test, loaded by path, and the PKCS #11 steps the flows share. */
#include "bench/p11bench.h"

#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

CK_FUNCTION_LIST *p11;

void bench_die(const char *fmt, ...)
{
	va_list ap;

	fputs("p11bench: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

void bench_check(CK_RV rv, const char *what)
{
	if (rv != CKR_OK)
		bench_die("%s: CKR 0x%lx", what, (unsigned long)rv);
}

void bench_load(const char *path)
{
	CK_C_GetFunctionList get;
	void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);

	if (h == NULL)
		bench_die("cannot load %s: %s", path, dlerror());
	*(void **)&get = dlsym(h, "C_GetFunctionList");
	if (get == NULL)
		bench_die("%s has no C_GetFunctionList", path);
	bench_check(get(&p11), "C_GetFunctionList");
}

void bench_initialize(void)
{
	CK_C_INITIALIZE_ARGS args;
	const char *mode = getenv("BENCH_INIT");
	CK_RV rv;

	memset(&args, 0, sizeof args);
	args.flags = CKF_OS_LOCKING_OK;
	if (mode == NULL || strcmp(mode, "threads") != 0)
		args.flags |= CKF_LIBRARY_CANT_CREATE_OS_THREADS;
	rv = p11->C_Initialize(&args);
	if (rv == CKR_NEED_TO_CREATE_THREADS) {
		args.flags = CKF_OS_LOCKING_OK;
		rv = p11->C_Initialize(&args);
	}
	bench_check(rv, "C_Initialize");
}

CK_SLOT_ID bench_token_slot(void)
{
	CK_SLOT_ID slots[16];
	CK_ULONG n = 16;

	bench_check(p11->C_GetSlotList(CK_TRUE, slots, &n), "C_GetSlotList");
	if (n == 0)
		bench_die("no slot with a token");
	return slots[0];
}

CK_SESSION_HANDLE bench_session(CK_SLOT_ID slot, bool login)
{
	CK_SESSION_HANDLE s = CK_INVALID_HANDLE;
	const char *pin = getenv("BENCH_PIN");

	if (pin == NULL)
		pin = "123456";
	bench_check(p11->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, &s), "C_OpenSession");
	if (login) {
		CK_RV rv = p11->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)pin, (CK_ULONG)strlen(pin));

		if (rv != CKR_USER_ALREADY_LOGGED_IN)
			bench_check(rv, "C_Login");
	}
	return s;
}

CK_OBJECT_HANDLE bench_find(CK_SESSION_HANDLE s, CK_OBJECT_CLASS cls, const uint8_t *id, size_t len)
{
	CK_ATTRIBUTE tmpl[2] = {
		{ CKA_CLASS, &cls, sizeof cls },
		{ CKA_ID, (void *)id, (CK_ULONG)len },
	};
	CK_OBJECT_HANDLE obj = CK_INVALID_HANDLE;
	CK_ULONG found = 0;

	bench_check(p11->C_FindObjectsInit(s, tmpl, len > 0 ? 2 : 1), "C_FindObjectsInit");
	bench_check(p11->C_FindObjects(s, &obj, 1, &found), "C_FindObjects");
	bench_check(p11->C_FindObjectsFinal(s), "C_FindObjectsFinal");
	return found == 1 ? obj : CK_INVALID_HANDLE;
}
