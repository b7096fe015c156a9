/*
 * src/slot.c: the slot table (one slot per reader the monitor has seen; the ID
 * of a reader's slot never changes and is never given to another reader),
 * C_GetSlotList and C_GetSlotInfo.
 *
 * The monitor's events are applied here: a card inserted opens the token (card
 * probe, key list read once and cached), a card removed or swapped drops it at
 * once (its sessions end, its objects go, the login and the held PIN are wiped).
 */
#include "config.h"

#include "src/tsr.h"

#include <stdlib.h>
#include <string.h>

struct tsr_slot *
tsr_slot_get_inlock (CK_SLOT_ID id)
{
	size_t i;

	for (i = 0; i < tsr.n_slots; i++) {
		if (tsr.slots[i]->id == id)
			return tsr.slots[i];
	}
	return NULL;
}

CK_RV
tsr_slot_find_inlock (CK_SLOT_ID id, struct tsr_slot **slot)
{
	tsr_slots_refresh_inlock ();
	*slot = tsr_slot_get_inlock (id);
	return *slot != NULL ? CKR_OK : CKR_SLOT_ID_INVALID;
}

static struct tsr_slot *
tsr_slot_by_name_inlock (const char *name)
{
	size_t i;

	for (i = 0; i < tsr.n_slots; i++) {
		if (strcmp (tsr.slots[i]->reader_name, name) == 0)
			return tsr.slots[i];
	}
	return NULL;
}

/* A new slot for reader NAME. Owned by the slot table; NULL when out of memory. */
static struct tsr_slot *
tsr_slot_add_inlock (const char *name)
{
	struct tsr_slot **slots, *slot = NULL;

	slots = realloc (tsr.slots, (tsr.n_slots + 1) * sizeof *slots);
	if (slots == NULL)
		goto out;
	tsr.slots = slots;
	slot = calloc (1, sizeof *slot);
	if (slot == NULL)
		goto out;
	slot->id = tsr.next_slot_id++;
	snprintf (slot->reader_name, sizeof slot->reader_name, "%s", name);
	tsr.slots[tsr.n_slots++] = slot;
	tsr_log ("p11", "slot %lu: reader \"%s\"", (unsigned long)slot->id, name);
out:
	return slot;
}

void
tsr_slot_drop_token_inlock (struct tsr_slot *slot)
{
	if (slot->token == NULL)
		goto out;
	tsr_log ("p11", "slot %lu: token gone", (unsigned long)slot->id);
	tsr_sessions_close_slot_inlock (slot->id);
	tsr_objects_drop_slot_inlock (slot->id);
	tsr_token_free (slot->token);
	slot->token = NULL;
out:
	slot->lost = false;
}

static bool
tsr_slot_open_failed_recently (const struct tsr_slot *slot)
{
	struct timespec now;

	if (slot->open_failed == CKR_OK || slot->open_failed_generation != slot->card_generation)
		return false;
	clock_gettime (CLOCK_MONOTONIC, &now);
	return now.tv_sec - slot->open_failed_at.tv_sec < TSR_OPEN_RETRY_S;
}

CK_RV
tsr_slot_ensure_token_inlock (struct tsr_slot *slot)
{
	struct tsr_token *token = NULL;
	CK_RV rv = CKR_OK;

	if (slot->token != NULL)
		goto out;
	if (!slot->card_present) {
		rv = CKR_TOKEN_NOT_PRESENT;
		goto out;
	}
	if (slot->unrecognised && slot->unrecognised_generation == slot->card_generation) {
		rv = CKR_TOKEN_NOT_RECOGNIZED;
		goto out;
	}
	if (tsr_slot_open_failed_recently (slot)) {
		rv = slot->open_failed;
		goto out;
	}
	rv = tsr_token_open_inlock (slot, &token);
	if (rv == CKR_TOKEN_NOT_RECOGNIZED) {
		slot->unrecognised = true;
		slot->unrecognised_generation = slot->card_generation;
	} else if (rv != CKR_OK) {
		/* a card that failed to read is not read again at every call */
		slot->open_failed = rv;
		slot->open_failed_generation = slot->card_generation;
		clock_gettime (CLOCK_MONOTONIC, &slot->open_failed_at);
	}
	if (rv != CKR_OK)
		goto out;
	slot->token = token;
out:
	return rv;
}

void
tsr_slot_apply_event_inlock (const struct reader_event *ev)
{
	const struct reader_status *st = &ev->status;
	struct tsr_slot *slot;

	slot = tsr_slot_by_name_inlock (st->name);
	if (slot == NULL) {
		if (!st->present)
			goto out;
		slot = tsr_slot_add_inlock (st->name);
		if (slot == NULL)
			goto out;
	}
	tsr_log ("p11", "slot %lu: event %d (reader %s, card %s, generation %u)",
	         (unsigned long)slot->id, (int)ev->kind, st->present ? "present" : "gone",
	         st->card_present ? "present" : "absent", (unsigned)st->card_generation);
	slot->reader_present = st->present != 0;
	slot->card_present = st->present && st->card_present;
	slot->card_generation = st->card_generation;
	if (ev->kind == READER_EV_CARD_INSERTED)
		slot->open_failed = CKR_OK;   /* a new card: read it at once */
	if (slot->token != NULL &&
	    (!slot->card_present || slot->token->generation != slot->card_generation)) {
		if (tsr.in_card_call)
			slot->lost = true;   /* its sessions are in use: dropped at tsr_leave */
		else
			tsr_slot_drop_token_inlock (slot);
	}
	if (slot->card_present && slot->token == NULL && !tsr.in_card_call)
		(void)tsr_slot_ensure_token_inlock (slot);
	/* Start-up (C_Initialize's first look) reports the slots with a card only: an empty
	 * reader found then has not changed. Every later change is an event. */
	if (ev->kind != READER_EV_SERVICE_UP && !(tsr.starting && !slot->card_present))
		tsr_event_post (slot);
out:
	return;
}

void
tsr_slots_reap_inlock (void)
{
	size_t i;

	for (i = 0; i < tsr.n_slots; i++) {
		if (tsr.slots[i]->lost)
			tsr_slot_drop_token_inlock (tsr.slots[i]);
	}
}

void
tsr_slots_free_inlock (void)
{
	size_t i;

	for (i = 0; i < tsr.n_slots; i++) {
		tsr_slot_drop_token_inlock (tsr.slots[i]);
		free (tsr.slots[i]);
	}
	free (tsr.slots);
	tsr.slots = NULL;
	tsr.n_slots = 0;
	assert (tsr.n_objects == 0);
	free (tsr.objects);
	tsr.objects = NULL;
}

CK_RV
C_GetSlotList (CK_BBOOL tokenPresent, CK_SLOT_ID_PTR pSlotList, CK_ULONG_PTR pulCount)
{
	CK_ULONG n = 0;
	size_t i;
	CK_RV rv;

	rv = tsr_enter ();
	if (rv != CKR_OK)
		return rv;
	if (!tsr_check (pulCount != NULL)) {
		rv = CKR_ARGUMENTS_BAD;
		goto out;
	}
	tsr_slots_refresh_inlock ();
	for (i = 0; i < tsr.n_slots; i++) {
		struct tsr_slot *slot = tsr.slots[i];
		/* A reader that went away keeps its slot, listed without a token:
		 * applications (NSS) never drop a slot they have seen. */
		if (tokenPresent && !slot->card_present)
			continue;
		if (slot->card_present)
			(void)tsr_token_for_status_inlock (slot);
		if (pSlotList != NULL && n < *pulCount)
			pSlotList[n] = slot->id;
		n++;
	}
	if (pSlotList != NULL && n > *pulCount)
		rv = CKR_BUFFER_TOO_SMALL;
	*pulCount = n;
out:
	tsr_leave ();
	return rv;
}

CK_RV
C_GetSlotInfo (CK_SLOT_ID slotID, CK_SLOT_INFO_PTR pInfo)
{
	struct tsr_slot *slot;
	CK_RV rv;

	rv = tsr_enter ();
	if (rv != CKR_OK)
		return rv;
	if (!tsr_check (pInfo != NULL)) {
		rv = CKR_ARGUMENTS_BAD;
		goto out;
	}
	rv = tsr_slot_find_inlock (slotID, &slot);
	if (rv != CKR_OK)
		goto out;
	memset (pInfo, 0, sizeof *pInfo);
	tsr_pad (pInfo->slotDescription, sizeof pInfo->slotDescription, slot->reader_name);
	tsr_pad (pInfo->manufacturerID, sizeof pInfo->manufacturerID, "PC/SC reader");
	pInfo->flags = CKF_REMOVABLE_DEVICE | CKF_HW_SLOT;
	if (slot->card_present)
		pInfo->flags |= CKF_TOKEN_PRESENT;
out:
	tsr_leave ();
	return rv;
}
