/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * apdu/log.c: weak default of tsr_log() so that the apdu/ layer and its tests
 * link on their own. The front end's definition (src/) takes precedence.
 */
#include "config.h"

#include "apdu/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Is CATEGORY listed in TESSERA_DEBUG ("apdu,piv", or "all")? */
static int
category_enabled (const char *category)
{
	const char *env = getenv ("TESSERA_DEBUG");
	size_t len = strlen (category);
	const char *p;

	if (env == NULL)
		return 0;
	for (p = env; *p != '\0'; ) {
		size_t n = strcspn (p, ",");
		if ((n == len && strncmp (p, category, len) == 0) ||
		    (n == 3 && strncmp (p, "all", 3) == 0))
			return 1;
		p += n;
		if (*p == ',')
			p++;
	}
	return 0;
}

__attribute__((weak)) void
tsr_log (const char *category, const char *fmt, ...)
{
	va_list ap;

	if (category == NULL || fmt == NULL || !category_enabled (category))
		return;
	va_start (ap, fmt);
	fprintf (stderr, "tessera[%s]: ", category);
	vfprintf (stderr, fmt, ap);
	fputc ('\n', stderr);
	va_end (ap);
}
