/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * reader/log-default.c: the default tsr_log(), weak so that a stronger
 * definition elsewhere (src/log.c) wins at link time.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reader/log.h"

/* Does the comma-separated LIST name CATEGORY (or "all")? */
static int
log_list_names (const char *list, const char *category)
{
	size_t len = strlen (category);
	const char *p = list;

	while (*p != '\0') {
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
	const char *list = getenv ("TESSERA_DEBUG");
	char line[1024];
	va_list ap;

	if (list == NULL || category == NULL || !log_list_names (list, category))
		return;
	va_start (ap, fmt);
	vsnprintf (line, sizeof line, fmt, ap);
	va_end (ap);
	/* One fprintf per line: stdio locks the stream, lines do not interleave. */
	fprintf (stderr, "tessera[%s]: %s\n", category, line);
}
