/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench/p11bench.c: "p11bench MODULE FLOW [ARGS]", the PKCS #11 side of the benchmark
 * (bench/run): one flow against the module at path MODULE, in the test bed, figures on stdout.
 *
 *   init               C_Initialize + C_GetSlotList + C_Finalize
 *   sign ID N          N signatures in one session with the key whose CKA_ID is ID (hex)
 *   idle SECONDS       APDUs, PC/SC calls and wake-ups of an idle application
 *   contend SECONDS    latency of calls that need no card while another thread signs
 *   insert             card insertion to C_WaitForSlotEvent + C_GetTokenInfo
 *
 * Environment: CARDSIM_CONTROL (the simulator's counters), BENCH_PIN (default 123456),
 * BENCH_INIT=threads (C_Initialize without CKF_LIBRARY_CANT_CREATE_OS_THREADS).
 */
#include "bench/p11bench.h"

#include <stdio.h>
#include <string.h>

int bench_flow_init(int argc, char **argv)
{
	struct bench_window w;
	CK_SLOT_ID slots[16];
	CK_ULONG n = 16;

	(void)argv;
	if (argc != 0)
		bench_die("usage: p11bench MODULE init");
	bench_window_start(&w);
	bench_initialize();
	bench_check(p11->C_GetSlotList(CK_TRUE, slots, &n), "C_GetSlotList");
	bench_check(p11->C_Finalize(NULL), "C_Finalize");
	bench_window_print(&w);
	bench_print("tokens", "%lu", (unsigned long)n);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*run)(int argc, char **argv);
	} flows[] = {
		{ "init", bench_flow_init },
		{ "sign", bench_flow_sign },
		{ "idle", bench_flow_idle },
		{ "contend", bench_flow_contend },
		{ "insert", bench_flow_insert },
	};
	size_t i;

	if (argc < 3)
		bench_die("usage: p11bench MODULE init|sign|idle|contend|insert [ARGS]");
	for (i = 0; i < sizeof flows / sizeof flows[0]; i++) {
		if (strcmp(argv[2], flows[i].name) == 0) {
			bench_load(argv[1]);
			return flows[i].run(argc - 3, argv + 3);
		}
	}
	bench_die("unknown flow %s", argv[2]);
}
