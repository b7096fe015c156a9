/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench/flow-idle.c: "p11bench MODULE idle SECONDS": what an idle application costs. After
 * C_Initialize, C_GetSlotList and C_GetTokenInfo (a token shown to the user), a thread blocks
 * in C_WaitForSlotEvent as NSS's does; after a settling half second, for SECONDS: the APDUs,
 * the PC/SC calls, and the context switches of every thread but the main one (which only
 * sleeps): the module's own threads and the waiting one. Then C_Finalize, which should wake
 * the waiter.
 */
#include "bench/p11bench.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define SETTLE_MS 500.0
#define JOIN_S 5

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static bool waiter_done; /* lock */
static CK_RV waiter_rv;  /* lock */
static long events;      /* lock: slot events the waiter received */

/* As NSS's thread does: wait for slot events until the wait fails (C_Finalize). */
static void *waiter_main(void *arg)
{
	CK_SLOT_ID slot;
	CK_RV rv;

	(void)arg;
	while ((rv = p11->C_WaitForSlotEvent(0, &slot, NULL)) == CKR_OK) {
		pthread_mutex_lock(&lock);
		events++;
		pthread_mutex_unlock(&lock);
	}
	pthread_mutex_lock(&lock);
	waiter_rv = rv;
	waiter_done = true;
	pthread_cond_broadcast(&cond);
	pthread_mutex_unlock(&lock);
	return NULL;
}

static double cpu_ms(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec * 1e3 + (double)ru.ru_utime.tv_usec / 1e3 +
	       (double)ru.ru_stime.tv_sec * 1e3 + (double)ru.ru_stime.tv_usec / 1e3;
}

/* Wait until the waiter returned, at most JOIN_S seconds; whether it did. */
static bool waiter_returned(void)
{
	struct timespec until;
	bool done;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += JOIN_S;
	pthread_mutex_lock(&lock);
	while (!waiter_done && pthread_cond_timedwait(&cond, &lock, &until) != ETIMEDOUT)
		;
	done = waiter_done;
	pthread_mutex_unlock(&lock);
	return done;
}

/* The waiter's state, and the events it received since *EVENTS0 (then updated), as
 * PREFIXwaiter and PREFIXevents. */
static void report_waiter(const char *prefix, long *events0)
{
	char name[64];

	pthread_mutex_lock(&lock);
	snprintf(name, sizeof name, "%swaiter", prefix);
	if (waiter_done)
		bench_print(name, "returned 0x%lx", (unsigned long)waiter_rv);
	else
		bench_print(name, "waiting");
	snprintf(name, sizeof name, "%sevents", prefix);
	bench_print(name, "%ld", events - *events0);
	*events0 = events;
	pthread_mutex_unlock(&lock);
}

int bench_flow_idle(int argc, char **argv)
{
	struct bench_window w;
	CK_TOKEN_INFO info;
	pthread_t t;
	double seconds, cpu0;
	long sw0, sw1, ev0 = 0;
	bool returned;
	int threads;

	if (argc != 1 || (seconds = atof(argv[0])) <= 0)
		bench_die("usage: p11bench MODULE idle SECONDS");
	bench_initialize();
	bench_check(p11->C_GetTokenInfo(bench_token_slot(), &info), "C_GetTokenInfo");
	if (pthread_create(&t, NULL, waiter_main, NULL) != 0)
		bench_die("pthread_create failed");
	bench_sleep_ms(SETTLE_MS); /* part of the definition: the window starts 0.5 s in */
	report_waiter("settle_", &ev0);
	bench_window_start(&w);
	sw0 = bench_other_switches(&threads);
	cpu0 = cpu_ms();
	bench_sleep_ms(seconds * 1e3); /* the measurement itself */
	sw1 = bench_other_switches(&threads);
	bench_print("cpu_ms", "%.1f", cpu_ms() - cpu0);
	bench_window_print(&w);
	bench_print("wakeups", "%ld", sw1 - sw0);
	bench_print("threads", "%d", threads);
	report_waiter("", &ev0);
	bench_check(p11->C_Finalize(NULL), "C_Finalize");
	returned = waiter_returned();
	bench_print("finalize_wakes_waiter", "%d", returned ? 1 : 0);
	if (returned)
		pthread_join(t, NULL);
	fflush(stdout);
	/* A waiter still inside the module must not meet the exit handlers. */
	_exit(0);
}
