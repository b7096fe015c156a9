/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tools/modules.c: is tessera registered in p11-kit, and which other PKCS #11
 * modules (OpenSC's, typically), registered in p11-kit or in a Firefox or
 * Thunderbird profile, offer a card of one of our readers too? Those are asked
 * through PKCS #11 itself (loaded with p11-kit, C_GetSlotList of the slots with a
 * token, the slot description naming the reader). Our own module is never
 * initialised here.
 */
#include "config.h"

#include "tools/tool.h"

#include <stdlib.h>
#include <string.h>

#include <p11-kit/p11-kit.h>

static bool
is_proxy (const char *library)
{
	return strstr (library, "p11-kit-proxy") != NULL;
}

/* The reader of FACTS (with a card) whose name the slot description DESC (padded) gives. */
static const char *
reader_of_slot (const struct tool_facts *facts, const CK_UTF8CHAR *desc, size_t len)
{
	size_t i;

	while (len > 0 && desc[len - 1] == ' ')
		len--;
	if (len == 0)
		return NULL;
	for (i = 0; i < facts->n_readers; i++) {
		const struct tool_reader *r = &facts->readers[i];
		if (r->card.state != TOOL_CARD_NONE && strlen (r->name) >= len &&
		    memcmp (r->name, desc, len) == 0)
			return r->name;
	}
	return NULL;
}

static void
other_add (struct tool_other **others, size_t *n, const char *module, const char *library,
           const char *where, const char *reader)
{
	struct tool_other *grown = realloc (*others, (*n + 1) * sizeof *grown);

	if (grown == NULL)
		return;
	*others = grown;
	snprintf (grown[*n].module, sizeof grown[*n].module, "%s", module);
	snprintf (grown[*n].library, sizeof grown[*n].library, "%s", library);
	snprintf (grown[*n].where, sizeof grown[*n].where, "%s", where);
	snprintf (grown[*n].reader, sizeof grown[*n].reader, "%s", reader);
	(*n)++;
}

/* Ask MODULE (loaded by p11-kit) for its slots with a token; record those in our readers. */
static void
module_slots (CK_FUNCTION_LIST *module, const struct tool_facts *facts, const char *name,
              const char *library, const char *where, struct tool_other **others, size_t *n)
{
	CK_SLOT_ID slots[64];
	CK_ULONG count = sizeof slots / sizeof slots[0], i;
	CK_SLOT_INFO info;
	const char *reader;

	if (p11_kit_module_initialize (module) != CKR_OK)
		return;
	if (module->C_GetSlotList (CK_TRUE, slots, &count) == CKR_OK) {
		for (i = 0; i < count; i++) {
			if (module->C_GetSlotInfo (slots[i], &info) != CKR_OK)
				continue;
			reader = reader_of_slot (facts, info.slotDescription, sizeof info.slotDescription);
			if (reader != NULL)
				other_add (others, n, name, library, where, reader);
		}
	}
	p11_kit_module_finalize (module);
}

/* The modules registered in p11-kit, as this program sees its configuration. */
static void
p11kit_modules (const struct tool_facts *facts, struct tool_other **others, size_t *n, bool *ok)
{
	CK_FUNCTION_LIST **modules = p11_kit_modules_load (NULL, 0);
	size_t i;

	for (i = 0; modules != NULL && modules[i] != NULL; i++) {
		char *file = p11_kit_module_get_filename (modules[i]);
		char *name = p11_kit_module_get_name (modules[i]);
		if (file != NULL && tool_is_tessera_module (file))
			*ok = true;
		else if (file != NULL && !is_proxy (file))
			module_slots (modules[i], facts, name ? name : file, file, "p11-kit", others, n);
		free (file);
		free (name);
	}
	if (modules != NULL)
		p11_kit_modules_release (modules);
}

/* The modules of one profile, other than NSS's own, tessera and p11-kit's proxy. */
static void
profile_others (const struct tool_profile *profile, const struct tool_facts *facts,
                struct tool_other **others, size_t *n)
{
	struct tool_nss_module *mods = NULL;
	size_t count = 0, i;
	char where[4200];

	if (!profile->has_db || !tool_profile_modules (profile, &mods, &count))
		return;
	snprintf (where, sizeof where, "%s profile %s", tool_app_name (profile->app), profile->name);
	for (i = 0; i < count; i++) {
		CK_FUNCTION_LIST *module;
		if (mods[i].library[0] == '\0' || tool_is_tessera_module (mods[i].library) ||
		    is_proxy (mods[i].library))
			continue;
		module = p11_kit_module_load (mods[i].library, 0);
		if (module == NULL)
			continue;
		module_slots (module, facts, mods[i].name, mods[i].library, where, others, n);
		p11_kit_module_release (module);
	}
	free (mods);
}

bool
tool_modules_check (const struct tool_facts *facts, const struct tool_profile *profiles,
                    size_t n_profiles, struct tool_other **others, size_t *n_others, bool *p11kit_ok)
{
	size_t i;

	*others = NULL;
	*n_others = 0;
	*p11kit_ok = false;
	p11kit_modules (facts, others, n_others, p11kit_ok);
	for (i = 0; i < n_profiles; i++)
		profile_others (&profiles[i], facts, others, n_others);
	return true;
}
