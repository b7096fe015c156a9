/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * doc/conf-keys.c: print the keys the configuration parser knows (src/conf.c's table),
 * one per line, for doc/test-conf-keys.sh. A prefix key ends in '.'.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "src/conf.h"

int
main (void)
{
	const char *name;
	size_t i;

	for (i = 0; (name = tsr_conf_key_name (i)) != NULL; i++)
		printf ("%s\n", name);
	return i > 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
