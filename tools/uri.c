/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tools/uri.c: PKCS #11 URI values (RFC 7512): unreserved characters and the few
 * the grammar allows as they are, everything else percent-encoded.
 */
#include "config.h"

#include "tools/tool.h"

#include <string.h>

/* RFC 7512 pk11-pchar without the percent-encoded form: unreserved / pk11-res-avail */
static bool
uri_plain (unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       strchr ("-._~:[]@!$'()*+,=&", c) != NULL;
}

static void
uri_put (char *out, size_t size, const unsigned char *data, size_t len, bool all)
{
	size_t pos = strlen (out), i;

	for (i = 0; i < len; i++) {
		if (!all && uri_plain (data[i])) {
			if (pos + 1 >= size)
				break;
			out[pos++] = (char)data[i];
		} else {
			if (pos + 3 >= size)
				break;
			snprintf (out + pos, size - pos, "%%%02X", data[i]);
			pos += 3;
		}
	}
	out[pos] = '\0';
}

void
tool_uri_append (char *out, size_t size, const char *s)
{
	uri_put (out, size, (const unsigned char *)s, strlen (s), false);
}

void
tool_uri_append_bytes (char *out, size_t size, const uint8_t *data, size_t len)
{
	uri_put (out, size, data, len, true);
}
