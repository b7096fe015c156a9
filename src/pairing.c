/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * src/pairing.c: the pairing store. What an application sets on a card's objects
 * that the card cannot hold (NSS: CKA_ID = SHA-1 of the public key after key
 * generation, CKA_LABEL and CKA_SUBJECT at certificate import) is kept per card
 * application (store id DRIVER-SERIAL, store.c), so that key, public key and certificate
 * stay paired across processes.
 *
 * Where: $TESSERA_CACHE_DIR, else $XDG_CACHE_HOME/tessera, else ~/.cache/tessera
 * (directory created 0700), one file "pairing-DRIVER-SERIAL" per card application, mode 0600,
 * rewritten atomically (temporary file + rename); a PIV card's "pairing-SERIAL" of earlier
 * versions is read while the new file does not exist. One line per card slot:
 *
 *   slot 9a fpr <fingerprint, hex> id <hex|-> label <hex|-> subject <hex|-> [usage <hex>]
 *
 * usage (keyusage.c) is what the key was generated for; older files lack it.
 *
 * The fingerprint is the key's (keyfpr.c: SHA-1 of its canonical SubjectPublicKeyInfo),
 * computed by the same function when it is stored and when it is compared, whether the
 * key came from the card's answer to GENERATE, its metadata or its certificate.
 * Nothing secret: identifiers, labels, subject names and a public-key hash. An
 * alias whose fingerprint no longer matches the key in its slot (the key was
 * replaced by another tool) is ignored: the card's slot is the truth.
 */
#include "config.h"

#include "src/provision.h"
#include "src/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TSR_LINE_MAX (2 * (20 + 2 * TSR_ALIAS_MAX + TSR_SUBJECT_MAX) + 64)
#define TSR_PAIRING_FILE_MAX (32 * TSR_LINE_MAX)   /* a line per card slot: PIV has 24 */

/* The store's file of the card STORE_ID (tsr_store_card_id) into PATH (store.c). */
static bool
tsr_pairing_path (const char *store_id, char *path, size_t size, bool create)
{
	return tsr_store_path ("pairing", store_id, path, size, create);
}

static bool
tsr_pairing_parse (char *line, struct tsr_alias *a)
{
	char *save = NULL, *key, *val, *ref;
	uint8_t usage[1];
	size_t len;
	unsigned int r;

	memset (a, 0, sizeof *a);
	key = strtok_r (line, " \t\n", &save);
	ref = strtok_r (NULL, " \t\n", &save);
	if (key == NULL || strcmp (key, "slot") != 0 || ref == NULL || sscanf (ref, "%2x", &r) != 1)
		return false;
	a->ref = (uint8_t)r;
	while ((key = strtok_r (NULL, " \t\n", &save)) != NULL &&
	       (val = strtok_r (NULL, " \t\n", &save)) != NULL) {
		bool ok = true;
		if (strcmp (key, "fpr") == 0)
			ok = tsr_store_hex_get (val, a->fpr, sizeof a->fpr, &len) && len == sizeof a->fpr;
		else if (strcmp (key, "id") == 0)
			ok = tsr_store_hex_get (val, a->id, sizeof a->id, &a->id_len);
		else if (strcmp (key, "label") == 0)
			ok = tsr_store_hex_get (val, (uint8_t *)a->label, sizeof a->label - 1, &len);
		else if (strcmp (key, "subject") == 0)
			ok = tsr_store_hex_get (val, a->subject, sizeof a->subject, &a->subject_len);
		else if (strcmp (key, "usage") == 0)
			ok = tsr_store_hex_get (val, usage, 1, &len) && len == 1 && (usage[0] & ~0x0Fu) == 0;
		if (ok && strcmp (key, "usage") == 0)
			a->usage = usage[0];
		if (!ok)
			return false;
		if (strcmp (key, "label") == 0)
			a->label[len] = '\0';
	}
	return true;
}

/* The file of STORE_ID into PATH, or of the same card before store ids named the driver
 * ("pairing-SERIAL": only PIV cards had one then); false when neither exists. */
static bool
tsr_pairing_find (const char *store_id, char *path, size_t size)
{
	const char *serial = strchr (store_id, '-');

	if (!tsr_pairing_path (store_id, path, size, false))
		return false;
	if (access (path, F_OK) == 0)
		return true;
	return strncmp (store_id, "piv-", 4) == 0 && serial != NULL &&
	       tsr_pairing_path (serial + 1, path, size, false) && access (path, F_OK) == 0;
}

CK_RV
tsr_pairing_load (const char *store_id, struct tsr_alias **aliases, size_t *count)
{
	char path[4200], *data = NULL, *line, *save = NULL;
	struct tsr_alias *list = NULL, *grown;
	size_t n = 0, len;
	CK_RV rv = CKR_OK;

	*aliases = NULL;
	*count = 0;
	if (!tsr_pairing_find (store_id, path, sizeof path) ||
	    !tsr_store_read (path, TSR_PAIRING_FILE_MAX, &data, &len))
		goto out;   /* none, or not a file of ours (logged): no alias */
	for (line = strtok_r (data, "\n", &save); line != NULL; line = strtok_r (NULL, "\n", &save)) {
		grown = realloc (list, (n + 1) * sizeof *list);
		if (grown == NULL) {
			rv = CKR_HOST_MEMORY;
			goto out;
		}
		list = grown;
		if (tsr_pairing_parse (line, &list[n]))
			n++;
		else
			tsr_log ("p11", "%s: a malformed line ignored", path);
	}
	*aliases = list;
	*count = n;
	list = NULL;
out:
	free (data);
	free (list);
	return rv;
}

static void
tsr_pairing_write_line (FILE *fp, const struct tsr_alias *a)
{
	fprintf (fp, "slot %02x fpr ", a->ref);
	tsr_store_hex_put (fp, a->fpr, sizeof a->fpr);
	fputs (" id ", fp);
	tsr_store_hex_put (fp, a->id, a->id_len);
	fputs (" label ", fp);
	tsr_store_hex_put (fp, (const uint8_t *)a->label, strlen (a->label));
	fputs (" subject ", fp);
	tsr_store_hex_put (fp, a->subject, a->subject_len);
	if (a->usage != 0) {
		uint8_t usage = (uint8_t)a->usage;
		fputs (" usage ", fp);
		tsr_store_hex_put (fp, &usage, 1);
	}
	fputc ('\n', fp);
}

struct tsr_pairing_out {
	const struct tsr_alias *old, *alias;
	size_t n_old;
};

/* The aliases, ALIAS replacing the one of its slot (tsr_store_write's writer). */
static void
tsr_pairing_write (FILE *fp, const void *user)
{
	const struct tsr_pairing_out *w = user;
	const struct tsr_alias *alias = w->alias;
	bool keep = alias->id_len > 0 || alias->label[0] != '\0' || alias->subject_len > 0 || alias->usage != 0;
	size_t i;

	for (i = 0; i < w->n_old; i++) {
		if (w->old[i].ref != alias->ref)
			tsr_pairing_write_line (fp, &w->old[i]);
	}
	if (keep)
		tsr_pairing_write_line (fp, alias);
}

CK_RV
tsr_pairing_store (const char *serial, const struct tsr_alias *alias)
{
	char path[4200];
	struct tsr_alias *old = NULL;
	size_t n_old = 0;
	CK_RV rv;

	if (!tsr_pairing_path (serial, path, sizeof path, true)) {
		tsr_log ("p11", "pairing store: no directory (or no card serial): kept in memory only");
		return CKR_OK;
	}
	rv = tsr_pairing_load (serial, &old, &n_old);
	if (rv == CKR_OK) {
		struct tsr_pairing_out w = { old, alias, n_old };
		if (!tsr_store_write (path, tsr_pairing_write, &w))   /* atomically, 0600; logged */
			rv = CKR_FUNCTION_FAILED;
	}
	free (old);
	return rv;
}

void
tsr_pairing_apply_inlock (CK_SLOT_ID slot_id, const char *serial)
{
	struct tsr_alias *aliases = NULL;
	size_t n = 0, i;
	uint8_t fpr[20];

	if (tsr_pairing_load (serial, &aliases, &n) != CKR_OK)
		return;
	for (i = 0; i < n; i++) {
		if (!tsr_slot_key_fpr_inlock (slot_id, aliases[i].ref, fpr) ||
		    memcmp (fpr, aliases[i].fpr, sizeof fpr) != 0) {
			tsr_log ("p11", "slot %lu: stored alias of key %02X no longer matches its key: ignored",
			         (unsigned long)slot_id, aliases[i].ref);
			continue;
		}
		if (aliases[i].id_len > 0 && tsr_id_taken_inlock (slot_id, aliases[i].ref, aliases[i].id,
		                                                  aliases[i].id_len)) {
			tsr_log ("p11", "slot %lu: stored CKA_ID of key %02X is taken: ignored",
			         (unsigned long)slot_id, aliases[i].ref);
			aliases[i].id_len = 0;
		}
		tsr_alias_apply_objects_inlock (slot_id, &aliases[i]);
		tsr_log ("p11", "slot %lu: stored alias of key %02X applied", (unsigned long)slot_id, aliases[i].ref);
	}
	free (aliases);
}
