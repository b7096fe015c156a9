/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tests/hotplug/tap-ctl.h: TAP output and the card simulators' control sockets
 * (hotplug-util.c), without any PKCS #11 header, so that programs built on
 * NSS's own PKCS #11 headers (nss-wait.c) can use them too.
 */
#ifndef TSR_HOTPLUG_TAP_CTL_H
#define TSR_HOTPLUG_TAP_CTL_H

#include <stdbool.h>
#include <stddef.h>

/* TAP: one test per call; the plan is printed by tap_done (exit status 0
 * when every test passed). */
bool tap (bool ok, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));
void tap_diag (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));
void tap_bail (const char *why);
int tap_done (void);

/* Send COMMAND to the simulator of card INDEX; its one-line answer into
 * ANSWER (may be NULL). False when the command failed. */
bool card_ctl (int index, const char *command, char *answer, size_t size);
/* The simulator's APDU counter (ctl stats). */
unsigned long card_apdus (int index);
/* Wait (at most 15 s) until the simulator's status is STATUS. */
bool card_wait_status (int index, const char *status);

#endif /* TSR_HOTPLUG_TAP_CTL_H */
