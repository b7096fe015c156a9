/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench/pcsc-count.c: a counting stand-in for libpcsclite.so.1, for the benchmark.
 *
 * Built as bench/pcsc-shim/libpcsclite.so.1 and found first through LD_LIBRARY_PATH, it is
 * what a module gets whether it links libpcsclite (tessera, ykcs11) or dlopens it by that
 * name (OpenSC). Every SCard* function counts its call and forwards to the real library,
 * loaded by path (PCSC_REAL, or $BENCH_PCSC_REAL). The real library's own internal calls are
 * not seen (it binds them locally), so the figures are the module's calls.
 *
 * "Round trips" are the calls that talk to pcscd: every SCard* function except
 * SCardFreeMemory and SCardIsValidContext, which pcsc-lite answers locally.
 * A program reads them with bench_pcsc_calls() (dlopen "libpcsclite.so.1" with
 * RTLD_NOLOAD, then dlsym); at exit, when $BENCH_PCSC_LOG names a file, one line
 * "pid=P total=N SCardTransmit=N ..." is appended to it.
 */
#include <dlfcn.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <PCSC/winscard.h>

#ifndef PCSC_REAL
#define PCSC_REAL "libpcsclite.so.1"
#endif

/* The protocol control structures pcsc-lite exports; the real library reads only
 * their contents, so these copies do. */
const SCARD_IO_REQUEST g_rgSCardT0Pci = { SCARD_PROTOCOL_T0, sizeof(SCARD_IO_REQUEST) };
const SCARD_IO_REQUEST g_rgSCardT1Pci = { SCARD_PROTOCOL_T1, sizeof(SCARD_IO_REQUEST) };
const SCARD_IO_REQUEST g_rgSCardRawPci = { SCARD_PROTOCOL_RAW, sizeof(SCARD_IO_REQUEST) };

enum {
	F_ESTABLISH, F_RELEASE, F_ISVALID, F_CONNECT, F_RECONNECT, F_DISCONNECT, F_BEGIN, F_END,
	F_STATUS, F_GETSTATUSCHANGE, F_CONTROL, F_TRANSMIT, F_LISTGROUPS, F_LISTREADERS,
	F_FREEMEMORY, F_CANCEL, F_GETATTRIB, F_SETATTRIB, F_STRINGIFY, F_COUNT
};

static const char *const names[F_COUNT] = {
	"SCardEstablishContext", "SCardReleaseContext", "SCardIsValidContext", "SCardConnect",
	"SCardReconnect", "SCardDisconnect", "SCardBeginTransaction", "SCardEndTransaction",
	"SCardStatus", "SCardGetStatusChange", "SCardControl", "SCardTransmit",
	"SCardListReaderGroups", "SCardListReaders", "SCardFreeMemory", "SCardCancel",
	"SCardGetAttrib", "SCardSetAttrib", "pcsc_stringify_error",
};

static unsigned long counts[F_COUNT];
static void *real[F_COUNT];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void load_real(void)
{
	const char *path = getenv("BENCH_PCSC_REAL");
	void *h = dlopen(path != NULL && *path != '\0' ? path : PCSC_REAL, RTLD_NOW | RTLD_LOCAL);
	int i;

	if (h == NULL) {
		fprintf(stderr, "pcsc-count: cannot load the real libpcsclite: %s\n", dlerror());
		abort();
	}
	for (i = 0; i < F_COUNT; i++)
		real[i] = dlsym(h, names[i]);
}

/* Count a call of function I; its real address (never NULL: a missing one aborts). */
static void *hit(int i)
{
	pthread_once(&once, load_real);
	__atomic_fetch_add(&counts[i], 1, __ATOMIC_RELAXED);
	if (real[i] == NULL) {
		fprintf(stderr, "pcsc-count: the real libpcsclite has no %s\n", names[i]);
		abort();
	}
	return real[i];
}

static int is_local(int i)
{
	return i == F_ISVALID || i == F_FREEMEMORY || i == F_STRINGIFY;
}

/* The calls so far that went to pcscd. */
unsigned long bench_pcsc_calls(void);
unsigned long bench_pcsc_calls(void)
{
	unsigned long total = 0;
	int i;

	for (i = 0; i < F_COUNT; i++)
		if (!is_local(i))
			total += __atomic_load_n(&counts[i], __ATOMIC_RELAXED);
	return total;
}

__attribute__((destructor)) static void write_log(void)
{
	const char *path = getenv("BENCH_PCSC_LOG");
	char line[2048];
	size_t len;
	int fd, i, n;

	if (path == NULL || *path == '\0')
		return;
	n = snprintf(line, sizeof line, "pid=%ld total=%lu", (long)getpid(), bench_pcsc_calls());
	len = n > 0 ? (size_t)n : 0;
	for (i = 0; i < F_COUNT && len < sizeof line; i++) {
		if (counts[i] == 0)
			continue;
		n = snprintf(line + len, sizeof line - len, " %s=%lu", names[i], counts[i]);
		len += n > 0 ? (size_t)n : 0;
	}
	if (len >= sizeof line - 1)
		len = sizeof line - 2;
	line[len++] = '\n';
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	if (write(fd, line, len) < 0) /* one write: lines of processes never mix */
		fprintf(stderr, "pcsc-count: cannot write %s\n", path);
	close(fd);
}

typedef LONG (*establish_fn)(DWORD, LPCVOID, LPCVOID, LPSCARDCONTEXT);
typedef LONG (*context_fn)(SCARDCONTEXT);
typedef LONG (*connect_fn)(SCARDCONTEXT, LPCSTR, DWORD, DWORD, LPSCARDHANDLE, LPDWORD);
typedef LONG (*reconnect_fn)(SCARDHANDLE, DWORD, DWORD, DWORD, LPDWORD);
typedef LONG (*card_dw_fn)(SCARDHANDLE, DWORD);
typedef LONG (*card_fn)(SCARDHANDLE);
typedef LONG (*status_fn)(SCARDHANDLE, LPSTR, LPDWORD, LPDWORD, LPDWORD, LPBYTE, LPDWORD);
typedef LONG (*gsc_fn)(SCARDCONTEXT, DWORD, SCARD_READERSTATE *, DWORD);
typedef LONG (*control_fn)(SCARDHANDLE, DWORD, LPCVOID, DWORD, LPVOID, DWORD, LPDWORD);
typedef LONG (*transmit_fn)(SCARDHANDLE, const SCARD_IO_REQUEST *, LPCBYTE, DWORD,
			    SCARD_IO_REQUEST *, LPBYTE, LPDWORD);
typedef LONG (*groups_fn)(SCARDCONTEXT, LPSTR, LPDWORD);
typedef LONG (*readers_fn)(SCARDCONTEXT, LPCSTR, LPSTR, LPDWORD);
typedef LONG (*free_fn)(SCARDCONTEXT, LPCVOID);
typedef LONG (*getattr_fn)(SCARDHANDLE, DWORD, LPBYTE, LPDWORD);
typedef LONG (*setattr_fn)(SCARDHANDLE, DWORD, LPCBYTE, DWORD);
typedef const char *(*stringify_fn)(const LONG);

LONG SCardEstablishContext(DWORD scope, LPCVOID r1, LPCVOID r2, LPSCARDCONTEXT ctx)
{
	return ((establish_fn)hit(F_ESTABLISH))(scope, r1, r2, ctx);
}

LONG SCardReleaseContext(SCARDCONTEXT ctx)
{
	return ((context_fn)hit(F_RELEASE))(ctx);
}

LONG SCardIsValidContext(SCARDCONTEXT ctx)
{
	return ((context_fn)hit(F_ISVALID))(ctx);
}

LONG SCardConnect(SCARDCONTEXT ctx, LPCSTR reader, DWORD share, DWORD prefer, LPSCARDHANDLE card,
		  LPDWORD active)
{
	return ((connect_fn)hit(F_CONNECT))(ctx, reader, share, prefer, card, active);
}

LONG SCardReconnect(SCARDHANDLE card, DWORD share, DWORD prefer, DWORD init, LPDWORD active)
{
	return ((reconnect_fn)hit(F_RECONNECT))(card, share, prefer, init, active);
}

LONG SCardDisconnect(SCARDHANDLE card, DWORD disposition)
{
	return ((card_dw_fn)hit(F_DISCONNECT))(card, disposition);
}

LONG SCardBeginTransaction(SCARDHANDLE card)
{
	return ((card_fn)hit(F_BEGIN))(card);
}

LONG SCardEndTransaction(SCARDHANDLE card, DWORD disposition)
{
	return ((card_dw_fn)hit(F_END))(card, disposition);
}

LONG SCardStatus(SCARDHANDLE card, LPSTR name, LPDWORD name_len, LPDWORD state, LPDWORD protocol,
		 LPBYTE atr, LPDWORD atr_len)
{
	return ((status_fn)hit(F_STATUS))(card, name, name_len, state, protocol, atr, atr_len);
}

LONG SCardGetStatusChange(SCARDCONTEXT ctx, DWORD timeout, SCARD_READERSTATE *states, DWORD n)
{
	return ((gsc_fn)hit(F_GETSTATUSCHANGE))(ctx, timeout, states, n);
}

LONG SCardControl(SCARDHANDLE card, DWORD code, LPCVOID in, DWORD in_len, LPVOID out, DWORD out_len,
		  LPDWORD returned)
{
	return ((control_fn)hit(F_CONTROL))(card, code, in, in_len, out, out_len, returned);
}

LONG SCardTransmit(SCARDHANDLE card, const SCARD_IO_REQUEST *send_pci, LPCBYTE in, DWORD in_len,
		   SCARD_IO_REQUEST *recv_pci, LPBYTE out, LPDWORD out_len)
{
	return ((transmit_fn)hit(F_TRANSMIT))(card, send_pci, in, in_len, recv_pci, out, out_len);
}

LONG SCardListReaderGroups(SCARDCONTEXT ctx, LPSTR groups, LPDWORD len)
{
	return ((groups_fn)hit(F_LISTGROUPS))(ctx, groups, len);
}

LONG SCardListReaders(SCARDCONTEXT ctx, LPCSTR groups, LPSTR readers, LPDWORD len)
{
	return ((readers_fn)hit(F_LISTREADERS))(ctx, groups, readers, len);
}

LONG SCardFreeMemory(SCARDCONTEXT ctx, LPCVOID mem)
{
	return ((free_fn)hit(F_FREEMEMORY))(ctx, mem);
}

LONG SCardCancel(SCARDCONTEXT ctx)
{
	return ((context_fn)hit(F_CANCEL))(ctx);
}

LONG SCardGetAttrib(SCARDHANDLE card, DWORD id, LPBYTE attr, LPDWORD len)
{
	return ((getattr_fn)hit(F_GETATTRIB))(card, id, attr, len);
}

LONG SCardSetAttrib(SCARDHANDLE card, DWORD id, LPCBYTE attr, DWORD len)
{
	return ((setattr_fn)hit(F_SETATTRIB))(card, id, attr, len);
}

const char *pcsc_stringify_error(const LONG rv)
{
	return ((stringify_fn)hit(F_STRINGIFY))(rv);
}
