/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tests/hotplug/hotplug-util.h: what the hot-plug test programs share: TAP
 * output, the module loaded through dlopen + C_GetFunctionList, the card
 * simulators' control sockets, slot events with a time limit.
 */
#ifndef TSR_HOTPLUG_UTIL_H
#define TSR_HOTPLUG_UTIL_H

#include "src/pkcs11-3.h"

#include <stdbool.h>

#include "tests/hotplug/tap-ctl.h"

extern CK_FUNCTION_LIST *f;

/* dlopen $TESSERA_MODULE and C_Initialize it: NSS's flags (no thread of the
 * module) when NSS_MODE, else NULL arguments (the monitor thread). */
void module_load (bool nss_mode);
void module_unload (void);

/* The next slot event within 15 s: blocking C_WaitForSlotEvent in a helper
 * thread (BLOCKING) or CKF_DONT_BLOCK calls every 20 ms. CKR_OK and *slot, or
 * the error; a wait that never returns is a bail-out. */
CK_RV next_event (bool blocking, CK_SLOT_ID *slot);
/* Take every pending event (CKF_DONT_BLOCK); how many there were. */
int drain_events (void);

/* The slots with a reader (TOKEN_PRESENT false) or a token, in *slots (max 8). */
CK_ULONG slot_list (CK_BBOOL token_present, CK_SLOT_ID *slots);
/* CKF_TOKEN_PRESENT of C_GetSlotInfo. */
bool token_present (CK_SLOT_ID slot);
/* The token's serial number (C_GetTokenInfo), "" when there is none. */
void token_serial (CK_SLOT_ID slot, char serial[17]);

#endif /* TSR_HOTPLUG_UTIL_H */
