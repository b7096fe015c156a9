/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench/p11bench.h: the benchmark's PKCS #11 driver program (p11bench), shared by its
 * flows: a module loaded by path, the card simulator's counters, PC/SC call counts, clocks.
 *
 * Each flow prints its figures on stdout as "name=value" lines (bench/run collects them);
 * a failure is one "p11bench: ..." line on stderr and exit status 1.
 */
#ifndef TSR_BENCH_P11BENCH_H
#define TSR_BENCH_P11BENCH_H

#include "src/pkcs11-3.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* module.c: the module under test (set by bench_load). */
extern CK_FUNCTION_LIST *p11;

/* dlopen PATH and C_GetFunctionList; exits on failure. */
void bench_load(const char *path);
/* C_Initialize the way NSS calls it (CKF_OS_LOCKING_OK | CKF_LIBRARY_CANT_CREATE_OS_THREADS),
 * or with CKF_OS_LOCKING_OK only when $BENCH_INIT is "threads"; a module that answers
 * CKR_NEED_TO_CREATE_THREADS gets the second. Exits on failure. */
void bench_initialize(void);
/* The first slot with a token; exits when there is none. */
CK_SLOT_ID bench_token_slot(void);
/* A session on SLOT (read-only), logged in as the user with $BENCH_PIN (default 123456)
 * when LOGIN; exits on failure. */
CK_SESSION_HANDLE bench_session(CK_SLOT_ID slot, bool login);
/* The first object of class CLS with CKA_ID ID (LEN bytes; any id when LEN is 0), or
 * CK_INVALID_HANDLE. */
CK_OBJECT_HANDLE bench_find(CK_SESSION_HANDLE s, CK_OBJECT_CLASS cls, const uint8_t *id, size_t len);
/* Print "p11bench: WHAT: CKR 0x..." and exit 1 unless RV is CKR_OK. */
void bench_check(CK_RV rv, const char *what);
void bench_die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* measure.c */
double bench_now_ms(void); /* CLOCK_MONOTONIC */
void bench_sleep_ms(double ms);
/* Send COMMAND to the first card simulator ($CARDSIM_CONTROL); its answer in ANS. */
bool bench_card_ctl(const char *command, char *ans, size_t size);

struct bench_window {
	double t0;
	long apdus, get_response, extended; /* simulator counters at the start, -1 if unknown */
	long pcsc;                          /* PC/SC calls at the start, -1 without the shim */
};
/* Start a measurement: the clock, the card's counters, the PC/SC calls. */
void bench_window_start(struct bench_window *w);
/* Print what happened since the start: wall_ms, apdus, get_response, extended, pcsc;
 * returns wall_ms. */
double bench_window_print(const struct bench_window *w);
/* PC/SC calls of this process so far (bench/pcsc-count.c): 0 while no libpcsclite is
 * loaded, -1 when the one loaded is not the counting one. */
long bench_pcsc_now(void);
/* Context switches (voluntary + involuntary) of every thread of this process but the
 * calling one; *THREADS is how many threads that was. */
long bench_other_switches(int *threads);
/* The median and 99th percentile of N values (sorted in place). */
void bench_percentiles(double *v, size_t n, double *p50, double *p99);
void bench_print(const char *name, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The flows (flow-*.c); each returns the exit status. */
int bench_flow_init(int argc, char **argv);
int bench_flow_sign(int argc, char **argv);
int bench_flow_idle(int argc, char **argv);
int bench_flow_contend(int argc, char **argv);
int bench_flow_insert(int argc, char **argv);

/* flow-sign.c: one signature with KEY (C_SignInit, a context login when ALWAYS, C_Sign). */
CK_RV bench_sign_once(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE key, CK_MECHANISM_TYPE mech,
		      bool always);
/* The mechanism and whether a context login is needed for KEY. */
CK_MECHANISM_TYPE bench_key_mechanism(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE key, bool *always);

#endif /* TSR_BENCH_P11BENCH_H */
