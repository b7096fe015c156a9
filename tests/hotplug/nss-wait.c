/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tests/hotplug/nss-wait.c: what Firefox does to notice smartcards: it keeps
 * the module loaded (SECMOD_LoadUserModule, NSS's own C_Initialize flags) and
 * waits in SECMOD_WaitForAnyTokenEvent. Card 0 of the test bed is pulled out
 * and put back; NSS must see both, on the card's slot.
 *
 *   nss-wait NSSDB      (an existing NSS database folder)
 */
#include "config.h"

#include "tests/hotplug/tap-ctl.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <nss.h>
#include <pk11pub.h>
#include <secmod.h>

/* Wait until SLOT has an event after which its presence is PRESENT (at most 5 events). */
static bool
wait_token (SECMODModule *mod, PK11SlotInfo *slot, bool present)
{
	PK11SlotInfo *ev;
	bool seen = false;
	int i;

	for (i = 0; i < 5 && !seen; i++) {
		ev = SECMOD_WaitForAnyTokenEvent (mod, 0, PR_SecondsToInterval (1));
		if (ev == NULL)
			break;
		seen = ev == slot && (PK11_IsPresent (slot) ? true : false) == present;
		PK11_FreeSlot (ev);
	}
	return seen;
}

static PK11SlotInfo *
slot_with_token (SECMODModule *mod)
{
	int i;

	for (i = 0; i < mod->slotCount; i++) {
		if (PK11_IsPresent (mod->slots[i]))
			return PK11_ReferenceSlot (mod->slots[i]);
	}
	return NULL;
}

int
main (int argc, char **argv)
{
	char spec[1024];
	SECMODModule *mod;
	PK11SlotInfo *slot;

	if (argc != 2)
		return 2;
	alarm (60);   /* a hang is a failure, not a stuck test suite */
	if (!tap (NSS_InitReadWrite (argv[1]) == SECSuccess, "NSS initialised"))
		tap_bail ("no NSS");
	snprintf (spec, sizeof spec, "library=\"%s\" name=\"tessera\"", getenv ("TESSERA_MODULE"));
	mod = SECMOD_LoadUserModule (spec, NULL, PR_FALSE);
	if (!tap (mod != NULL && mod->loaded, "SECMOD_LoadUserModule loads the module"))
		tap_bail ("module not loaded");
	slot = slot_with_token (mod);
	tap (slot != NULL, "the card's token is present");
	if (slot != NULL) {
		card_ctl (0, "remove", NULL, 0);
		tap (wait_token (mod, slot, false), "SECMOD_WaitForAnyTokenEvent: removal seen");
		tap (!PK11_IsPresent (slot), "PK11_IsPresent is false");
		card_ctl (0, "insert", NULL, 0);
		tap (wait_token (mod, slot, true), "SECMOD_WaitForAnyTokenEvent: insertion seen");
		tap (PK11_IsPresent (slot), "PK11_IsPresent is true again");
		PK11_FreeSlot (slot);
	}
	SECMOD_UnloadUserModule (mod);
	SECMOD_DestroyModule (mod);
	tap (NSS_Shutdown () == SECSuccess, "NSS shuts down with the module unloaded");
	return tap_done ();
}
