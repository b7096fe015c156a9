/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench/flow-insert.c: "p11bench MODULE insert": from the simulator's "insert" to a token the
 * application can show. The card is removed first (control command "remove"; the module has
 * seen the card before and then its absence, and its pending events are drained); then
 * "insert", a blocking C_WaitForSlotEvent until the slot has a token, and C_GetTokenInfo.
 * A module without blocking C_WaitForSlotEvent is polled with C_GetSlotList every 10 ms
 * (method=poll). pcscd itself looks at vpcd's readers every 400 ms: that delay is part of
 * every module's figure.
 */
#include "bench/p11bench.h"

#include <stdio.h>
#include <stdlib.h>

#define LIMIT_MS 15000.0
#define POLL_MS 10.0

static bool token_listed(void)
{
	CK_SLOT_ID slots[16];
	CK_ULONG n = 16;

	bench_check(p11->C_GetSlotList(CK_TRUE, slots, &n), "C_GetSlotList");
	return n > 0;
}

/* Poll C_GetSlotList until a token is listed (WANT) or none is; exits after LIMIT_MS. */
static void poll_until(bool want)
{
	double limit = bench_now_ms() + LIMIT_MS;

	while (token_listed() != want) {
		if (bench_now_ms() > limit)
			bench_die("no token %s after %.0f ms", want ? "inserted" : "removed", LIMIT_MS);
		bench_sleep_ms(POLL_MS);
	}
}

/* Take the pending events; false when the module has no C_WaitForSlotEvent. */
static bool drain_events(void)
{
	CK_SLOT_ID slot;
	CK_RV rv;
	int i;

	for (i = 0; i < 100; i++) {
		rv = p11->C_WaitForSlotEvent(CKF_DONT_BLOCK, &slot, NULL);
		if (rv == CKR_FUNCTION_NOT_SUPPORTED)
			return false;
		if (rv != CKR_OK)
			return true;
	}
	bench_die("C_WaitForSlotEvent(CKF_DONT_BLOCK) reports events without end");
}

/* Block in C_WaitForSlotEvent until the event of a slot that has a token. */
static void wait_for_token(void)
{
	CK_SLOT_INFO info;
	CK_SLOT_ID slot;

	for (;;) {
		bench_check(p11->C_WaitForSlotEvent(0, &slot, NULL), "C_WaitForSlotEvent");
		bench_check(p11->C_GetSlotInfo(slot, &info), "C_GetSlotInfo");
		if (info.flags & CKF_TOKEN_PRESENT)
			return;
	}
}

int bench_flow_insert(int argc, char **argv)
{
	struct bench_window w;
	CK_TOKEN_INFO info;
	CK_SLOT_ID slot;
	char ans[256];
	bool blocking;

	(void)argv;
	if (argc != 0)
		bench_die("usage: p11bench MODULE insert");
	bench_initialize();
	slot = bench_token_slot();
	if (!bench_card_ctl("remove", ans, sizeof ans))
		bench_die("control command remove failed (%s)", ans);
	poll_until(false);
	blocking = drain_events();

	bench_window_start(&w);
	if (!bench_card_ctl("insert", ans, sizeof ans))
		bench_die("control command insert failed (%s)", ans);
	if (blocking)
		wait_for_token();
	else
		poll_until(true);
	bench_check(p11->C_GetTokenInfo(slot, &info), "C_GetTokenInfo");
	bench_window_print(&w);
	bench_print("method", "%s", blocking ? "wait" : "poll");
	bench_check(p11->C_Finalize(NULL), "C_Finalize");
	return 0;
}
