/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fuzz/fuzz-pairing.c: the pairing store's file (pairing.c), read as the module reads it:
 * the input is written as the pairing file of a card in a private cache folder, loaded,
 * and every alias read back is stored again (the writer and the reader must agree).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "src/provision.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t len);

static char dir[] = "/tmp/tessera-fuzz-pairing.XXXXXX";
static char path[128];

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t len)
{
	struct tsr_alias *aliases = NULL, *again = NULL;
	size_t n = 0, m = 0;
	FILE *fp;

	if (path[0] == '\0') {
		if (mkdtemp (dir) == NULL)
			abort ();
		setenv ("TESSERA_CACHE_DIR", dir, 1);
		snprintf (path, sizeof path, "%s/pairing-fuzz", dir);
	}
	fp = fopen (path, "wb");
	if (fp == NULL)
		abort ();
	fwrite (data, 1, len, fp);
	fclose (fp);
	if (tsr_pairing_load ("fuzz", &aliases, &n) == CKR_OK && n > 0) {
		/* the first alias stored again comes back the same */
		(void)tsr_pairing_store ("fuzz", &aliases[0]);
		if (tsr_pairing_load ("fuzz", &again, &m) == CKR_OK) {
			size_t i;
			for (i = 0; i < m && again[i].ref != aliases[0].ref; i++)
				;
			if (i < m && (again[i].id_len != aliases[0].id_len || again[i].usage != aliases[0].usage ||
			              strcmp (again[i].label, aliases[0].label) != 0))
				abort ();
		}
	}
	free (aliases);
	free (again);
	unlink (path);
	return 0;
}
