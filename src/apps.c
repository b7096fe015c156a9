/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * src/apps.c: one card, several applications. A YubiKey 5 or a Nitrokey 3 carries a PIV
 * and an OpenPGP application side by side; each is a token of its own, in a slot of its
 * own, with its own login and objects. A reader's first slot shows the first application
 * the card has (in driver order), and a slot is added for each other one (its ID stable
 * for the reader and the application for the life of the module). Every application found
 * is shown, an empty one as an empty token, so that it can be provisioned.
 *
 * Which applications a card has is found by selecting each driver's AID (card_discover,
 * one APDU each) the first time a kind of card is seen (C_GetSlotList, or the reader's first
 * token open), and remembered per kind of card (its ATR) in the user's cache folder
 * ("apps-<SHA-1 of the ATR>"): a card of a kind seen before gets its slots at insertion,
 * without an APDU. So C_GetSlotList sends APDUs only for a kind of card never seen (one
 * SELECT per card family the module knows), and lists every application's slot at once. When an application the cache promised is not on the card, its slot shows no
 * token and the cache is corrected at the next discovery.
 */
#include "config.h"

#include "src/tsr.h"
#include "src/store.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#define TSR_APPS_HEADER "tessera-apps 1"
#define TSR_APPS_FILE_MAX 512

const char *
tsr_slot_app_inlock (const struct tsr_slot *slot)
{
	const struct tsr_slot *first = slot->first;

	if (slot->app[0] != '\0')
		return slot->app;
	if (first->apps_generation == first->card_generation && first->n_apps > 0)
		return first->apps[0];
	return NULL;
}

bool
tsr_apps_shared (const struct tsr_slot *slot)
{
	return slot->first->n_apps > 1;
}

/* The cache file's name for cards with ATR: "apps-" and 16 bytes of its SHA-1 in hex. */
static bool
tsr_apps_path (const uint8_t *atr, size_t atr_len, char *path, size_t size, bool create)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int md_len = 0;
	char hex[33];
	size_t i;

	if (atr_len == 0 || !EVP_Digest (atr, atr_len, md, &md_len, tsr_md_sha (1), NULL) || md_len < 16)
		return false;
	for (i = 0; i < 16; i++)
		snprintf (hex + 2 * i, sizeof hex - 2 * i, "%02x", md[i]);
	return tsr_store_path ("apps", hex, path, size, create);
}

/* The applications cached for ATR: their number, 0 when none is known. */
static size_t
tsr_apps_load (const uint8_t *atr, size_t atr_len, char apps[CARD_MAX_APPS][CARD_APP_NAME])
{
	char path[4200], *data = NULL, *save = NULL, *w;
	size_t len = 0, n = 0;

	if (!tsr_apps_path (atr, atr_len, path, sizeof path, false) ||
	    !tsr_store_read (path, TSR_APPS_FILE_MAX, &data, &len))
		return 0;
	w = strtok_r (data, "\n", &save);
	if (w == NULL || strcmp (w, TSR_APPS_HEADER) != 0)
		goto bad;
	while ((w = strtok_r (NULL, " \n", &save)) != NULL) {
		if (n == CARD_MAX_APPS || strlen (w) >= CARD_APP_NAME)
			goto bad;
		snprintf (apps[n++], CARD_APP_NAME, "%s", w);
	}
	free (data);
	return n;
bad:
	tsr_log ("p11", "%s: not an application list: ignored", path);
	free (data);
	return 0;
}

struct tsr_apps_file {
	char (*apps)[CARD_APP_NAME];
	size_t n;
};

static void
tsr_apps_write (FILE *fp, const void *user)
{
	const struct tsr_apps_file *f = user;
	size_t i;

	fprintf (fp, "%s\n", TSR_APPS_HEADER);
	for (i = 0; i < f->n; i++)
		fprintf (fp, "%s%s", i ? " " : "", f->apps[i]);
	fputc ('\n', fp);
}

static void
tsr_apps_save (const uint8_t *atr, size_t atr_len, char apps[CARD_MAX_APPS][CARD_APP_NAME], size_t n)
{
	struct tsr_apps_file f = { apps, n };
	char path[4200];

	if (tsr_apps_path (atr, atr_len, path, sizeof path, true))
		(void)tsr_store_write (path, tsr_apps_write, &f);
}

static bool
tsr_apps_has (const struct tsr_slot *first, const char *app)
{
	size_t i;

	for (i = 0; i < first->n_apps; i++) {
		if (strcmp (first->apps[i], app) == 0)
			return true;
	}
	return false;
}

/* The slot of application APP in FIRST's reader, made when MAKE. NULL: none. */
static struct tsr_slot *
tsr_apps_slot_inlock (struct tsr_slot *first, const char *app, bool make)
{
	size_t i;

	for (i = 0; i < tsr.n_slots; i++) {
		if (tsr.slots[i]->first == first && strcmp (tsr.slots[i]->app, app) == 0)
			return tsr.slots[i];
	}
	return make ? tsr_slot_add_inlock (first->reader_name, app) : NULL;
}

/* The other applications' slots follow the first slot's card. */
static void
tsr_apps_sync_inlock (struct tsr_slot *first)
{
	bool known = first->apps_generation == first->card_generation && first->card_present;
	size_t i;

	for (i = 1; known && i < first->n_apps; i++)
		(void)tsr_apps_slot_inlock (first, first->apps[i], true);
	for (i = 0; i < tsr.n_slots; i++) {
		struct tsr_slot *slot = tsr.slots[i];
		bool was = slot->card_present;
		if (slot->first != first || slot == first)
			continue;
		slot->reader_present = first->reader_present;
		slot->card_present = known && strcmp (slot->app, first->apps[0]) != 0 && tsr_apps_has (first, slot->app);
		slot->card_generation = first->card_generation;
		slot->event_count = first->event_count;
		if (slot->token != NULL &&
		    (!slot->card_present || slot->token->generation != slot->card_generation))
			tsr_slot_drop_token_inlock (slot);
		if (was != slot->card_present)
			tsr_event_post (slot);
	}
}

void
tsr_apps_follow_inlock (struct tsr_slot *first, enum reader_event_kind kind, const uint8_t *atr,
                        size_t atr_len)
{
	if (kind == READER_EV_CARD_INSERTED) {
		first->atr_len = atr_len <= sizeof first->atr ? atr_len : 0;
		memcpy (first->atr, atr, first->atr_len);
		first->apps_generation = 0;
		first->n_apps = tsr_apps_load (atr, atr_len, first->apps);
		if (first->n_apps > 0) {
			first->apps_generation = first->card_generation;
			tsr_log ("p11", "slot %lu: a kind of card seen before: %zu application(s), the first %s",
			         (unsigned long)first->id, first->n_apps, first->apps[0]);
		}
		__atomic_store_n (&first->selected, 0, __ATOMIC_RELAXED);
	}
	tsr_apps_sync_inlock (first);
}

void
tsr_apps_discover_inlock (struct tsr_slot *first)
{
	char apps[CARD_MAX_APPS][CARD_APP_NAME], reader[READER_MAX_NAME];
	uint8_t atr[READER_MAX_ATR];
	uint32_t generation = first->card_generation;
	size_t n = 0, atr_len = first->atr_len;
	card_rv crv;

	if (!first->card_present || first->apps_generation == generation || first->discovering ||
	    tsr_backend->card_discover == NULL)
		return;   /* known, or another thread asks the card now */
	snprintf (reader, sizeof reader, "%s", first->reader_name);
	memcpy (atr, first->atr, atr_len);
	first->discovering = true;
	tsr_unlock ();
	crv = tsr_backend->card_discover (reader, 0, apps, &n);   /* the first family assumed */
	tsr_lock ();
	first->discovering = false;
	if (crv != CARD_OK || first->card_generation != generation || !first->card_present)
		return;   /* the token open discovers them, or the card changed meanwhile */
	if (first->apps_generation != generation)
		tsr_apps_found_inlock (first, apps, n, atr, atr_len);
}

void
tsr_apps_found_inlock (struct tsr_slot *first, char apps[CARD_MAX_APPS][CARD_APP_NAME], size_t n,
                       const uint8_t *atr, size_t atr_len)
{
	size_t i;

	for (i = 0; i < n && i < CARD_MAX_APPS; i++)
		snprintf (first->apps[i], CARD_APP_NAME, "%s", apps[i]);
	first->n_apps = n;
	first->apps_generation = first->card_generation;
	if (n > 0)
		tsr_apps_save (atr, atr_len, apps, n);
	tsr_apps_sync_inlock (first);
}
