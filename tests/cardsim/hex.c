/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hex.c: hexadecimal conversions for the state file, the log and the command line. */
#include "config.h"

#include "hex.h"

static int digit(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

int cs_hex_decode(const char *hex, struct cs_buf *out)
{
	int hi, lo;

	while (*hex != '\0') {
		if (*hex == ':' || *hex == ' ') {
			hex++;
			continue;
		}
		hi = digit(hex[0]);
		lo = hi < 0 ? -1 : digit(hex[1]);
		if (lo < 0 || cs_buf_byte(out, (uint8_t)(hi << 4 | lo)) < 0)
			return -1;
		hex += 2;
	}
	return 0;
}

void cs_hex_encode(const uint8_t *p, size_t n, char *s)
{
	static const char d[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		s[2 * i] = d[p[i] >> 4];
		s[2 * i + 1] = d[p[i] & 15];
	}
	s[2 * n] = '\0';
}
