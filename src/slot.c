/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * src/slot.c: the slot table (one slot per reader the monitor has seen; the ID
 * of a reader's slot never changes and is never given to another reader),
 * C_GetSlotList and C_GetSlotInfo.
 *
 * The monitor's events are applied here without a word to the card: a card removed
 * or swapped drops its token at once (its sessions end, its objects go, the login
 * and the held PIN are wiped); a card inserted is read only when a call first needs
 * its token (C_GetTokenInfo, C_OpenSession...), once per insertion, with the module
 * lock released meanwhile (tsr_slot_ensure_token_inlock).
 */
#include "config.h"

#include "src/tsr.h"

#include <stdlib.h>
#include <string.h>

#define TSR_APP_SLOT_STEP 0x100u   /* see tsr_slot_new_id_inlock */

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

/* The first slot of reader NAME, or NULL. */
static struct tsr_slot *
tsr_slot_by_name_inlock (const char *name)
{
	size_t i;

	for (i = 0; i < tsr.n_slots; i++) {
		if (tsr.slots[i]->first == tsr.slots[i] && strcmp (tsr.slots[i]->reader_name, name) == 0)
			return tsr.slots[i];
	}
	return NULL;
}

/* The ID of a new slot. A reader's first slot takes the next number. Another application's
 * slot takes its first slot's ID plus TSR_APP_SLOT_STEP times the application's place on the
 * card (1, 2...): the same in every process, whether the card's applications came from the
 * cache at insertion or were found later by C_GetSlotList (a counter numbers them in the
 * order seen, so pkcs11-tool --slot N or a PKCS #11 URI's slot-id named another slot in the
 * next process). An ID in use (another kind of card in the reader before) moves on by steps. */
static CK_SLOT_ID
tsr_slot_new_id_inlock (const struct tsr_slot *first, const char *app)
{
	CK_SLOT_ID id;
	size_t place = first != NULL ? first->n_apps : 0, i;

	if (first == NULL) {
		do
			id = tsr.next_slot_id++;
		while (tsr_slot_get_inlock (id) != NULL);
		return id;
	}
	for (i = 1; i < first->n_apps; i++) {
		if (strcmp (first->apps[i], app) == 0)
			place = i;
	}
	id = first->id + TSR_APP_SLOT_STEP * (place > 0 ? place : 1);
	while (tsr_slot_get_inlock (id) != NULL)
		id += TSR_APP_SLOT_STEP;
	return id;
}

struct tsr_slot *
tsr_slot_add_inlock (const char *name, const char *app)
{
	struct tsr_slot *first = app != NULL ? tsr_slot_by_name_inlock (name) : NULL;
	struct tsr_slot **slots, *slot = NULL;

	slots = realloc (tsr.slots, (tsr.n_slots + 1) * sizeof *slots);
	if (slots == NULL)
		goto out;
	tsr.slots = slots;
	slot = calloc (1, sizeof *slot);
	if (slot == NULL)
		goto out;
	slot->id = tsr_slot_new_id_inlock (first, app);
	snprintf (slot->reader_name, sizeof slot->reader_name, "%s", name);
	snprintf (slot->app, sizeof slot->app, "%s", app != NULL ? app : "");
	slot->first = first != NULL ? first : slot;
	if (first != NULL)
		memcpy (slot->reader_manufacturer, first->reader_manufacturer, sizeof slot->reader_manufacturer);
	tsr.slots[tsr.n_slots++] = slot;
	tsr_log ("p11", "slot %lu: reader \"%s\"%s%s", (unsigned long)slot->id, name, app != NULL ? ", application " : "",
	         app != NULL ? app : "");
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
	tsr_token_forget_login (slot->token);
	tsr_token_retire_inlock (slot->token);   /* freed after its calls in flight */
	slot->token = NULL;
out:
	return;
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

/* Another thread reads this card: wait until it is done. */
static void
tsr_slot_wait_opening_inlock (struct tsr_slot *slot)
{
	struct tsr_token *opening = slot->opening;

	opening->calls++;
	tsr_token_wait_io_inlock (opening);
	opening->calls--;
}

/* Remember a failed read, so that status calls do not read the card again. */
static void
tsr_slot_note_open_failure (struct tsr_slot *slot, uint32_t generation, CK_RV rv)
{
	if (slot->card_generation != generation)
		return;   /* another card by now */
	if (rv == CKR_TOKEN_NOT_RECOGNIZED) {
		slot->unrecognised = true;
		slot->unrecognised_generation = generation;
		return;
	}
	slot->open_failed = rv;
	slot->open_failed_generation = generation;
	clock_gettime (CLOCK_MONOTONIC, &slot->open_failed_at);
}

CK_RV
tsr_slot_ensure_token_inlock (struct tsr_slot *slot)
{
	struct tsr_token *token = NULL;
	uint32_t generation;
	CK_RV rv = CKR_OK;

	while (slot->token == NULL) {
		if (!slot->card_present) {
			rv = CKR_TOKEN_NOT_PRESENT;
			break;
		}
		if (slot->unrecognised && slot->unrecognised_generation == slot->card_generation) {
			rv = CKR_TOKEN_NOT_RECOGNIZED;
			break;
		}
		if (tsr_slot_open_failed_recently (slot)) {
			rv = slot->open_failed;
			break;
		}
		if (slot->opening != NULL) {
			tsr_slot_wait_opening_inlock (slot);
			continue;
		}
		generation = slot->card_generation;
		rv = tsr_token_open_inlock (slot, &token);
		if (rv == CKR_OK && (slot->card_generation != generation || !slot->card_present)) {
			/* the card went away or was swapped while it was read: read again */
			tsr_token_retire_inlock (token);
			token = NULL;
			continue;
		}
		if (rv != CKR_OK) {
			tsr_slot_note_open_failure (slot, generation, rv);
			break;
		}
		slot->token = token;
		rv = tsr_token_install_inlock (slot);
		if (rv != CKR_OK) {
			/* out of memory: not read again at once (the loop would never end) */
			tsr_slot_drop_token_inlock (slot);
			tsr_slot_note_open_failure (slot, generation, rv);
			break;
		}
	}
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
		slot = tsr_slot_add_inlock (st->name, NULL);
		if (slot == NULL)
			goto out;
	}
	tsr_log ("p11", "slot %lu: event %d (reader %s, card %s, generation %u)",
	         (unsigned long)slot->id, (int)ev->kind, st->present ? "present" : "gone",
	         st->card_present ? "present" : "absent", (unsigned)st->card_generation);
	slot->reader_present = st->present != 0;
	if (st->manufacturer[0] != '\0')
		snprintf (slot->reader_manufacturer, sizeof slot->reader_manufacturer, "%s",
		          st->manufacturer);
	slot->card_present = st->present && st->card_present;
	slot->card_generation = st->card_generation;
	slot->event_count = st->event_count;
	if (ev->kind == READER_EV_CARD_INSERTED)
		slot->open_failed = CKR_OK;   /* a new card: read it at once */
	if (slot->token != NULL &&
	    (!slot->card_present || slot->token->generation != slot->card_generation))
		tsr_slot_drop_token_inlock (slot);
	tsr_apps_follow_inlock (slot, ev->kind, st->atr, st->atr_len);
	/* Start-up (C_Initialize's first look) reports the slots with a card only: an empty
	 * reader found then has not changed. Every later change is an event. */
	if (ev->kind != READER_EV_SERVICE_UP && !(tsr.starting && !slot->card_present))
		tsr_event_post (slot);
out:
	return;
}

void
tsr_slots_free_inlock (void)
{
	size_t i;

	for (i = 0; i < tsr.n_slots; i++)
		tsr_slot_drop_token_inlock (tsr.slots[i]);
	tsr_graves_flush_inlock ();
	for (i = 0; i < tsr.n_slots; i++)
		free (tsr.slots[i]);
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
		if (tsr.slots[i]->first == tsr.slots[i])
			tsr_apps_discover_inlock (tsr.slots[i]);   /* a kind of card never seen */
	}
	for (i = 0; i < tsr.n_slots; i++) {
		struct tsr_slot *slot = tsr.slots[i];
		/* A reader that went away keeps its slot, listed without a token:
		 * applications (NSS) never drop a slot they have seen. */
		if (tokenPresent && !slot->card_present)
			continue;
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

/* The reader's name; an application's slot other than the first says which. */
static void
tsr_slot_description (const struct tsr_slot *slot, CK_UTF8CHAR *field, size_t size)
{
	char d[READER_MAX_NAME + CARD_APP_NAME + 4];

	if (slot->app[0] != '\0')
		snprintf (d, sizeof d, "%s (%s)", slot->reader_name, slot->app);
	else
		snprintf (d, sizeof d, "%s", slot->reader_name);
	tsr_pad (field, size, d);
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
	tsr_slot_description (slot, pInfo->slotDescription, sizeof pInfo->slotDescription);
	tsr_pad (pInfo->manufacturerID, sizeof pInfo->manufacturerID,
	         slot->reader_manufacturer[0] != '\0' ? slot->reader_manufacturer : "Smart card reader");
	pInfo->flags = CKF_REMOVABLE_DEVICE | CKF_HW_SLOT;
	if (slot->card_present)
		pInfo->flags |= CKF_TOKEN_PRESENT;
out:
	tsr_leave ();
	return rv;
}
