/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* log.c: APDU log with PIN redaction. */
#include "config.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

#include "apdu.h"
#include "log.h"

/* VERIFY, CHANGE REFERENCE DATA, RESET RETRY COUNTER; OpenPGP's key import (PUT DATA DB of
 * an extended header list 4D), resetting code (PUT DATA D3) and KDF-DO (F9: initial password
 * hashes). CMD has more than 4 bytes. */
static bool secret_cmd(const uint8_t *cmd, size_t n)
{
	uint8_t ins = cmd[1];
	size_t first = (cmd[4] == 0 && n > 7) ? 7 : 5; /* first data byte, extended or short */

	if (ins == 0xDB)
		return n > first && cmd[first] == 0x4D;
	return ins == 0x20 || ins == 0x24 || ins == 0x2C ||
	       (ins == 0xDA && cmd[2] == 0x00 && (cmd[3] == 0xD3 || cmd[3] == 0xF9));
}

void cs_log_format_cmd(const uint8_t *cmd, size_t n, char *s)
{
	static const char d[] = "0123456789ABCDEF";
	size_t i, from = n, to = n;
	struct cs_apdu a;

	if (n > 4 && secret_cmd(cmd, n)) {
		/* Redact from the first data byte to the end of the data field. */
		from = (n > 5 && cmd[4] == 0 && n > 7) ? 7 : 5;
		to = n;
		if (cs_apdu_parse(cmd, n, &a) == 0 && a.lc > 0)
			to = from + a.lc;
		if (n == 5)
			from = to = n; /* case 2: only Le */
	}
	for (i = 0; i < n; i++) {
		if (i >= from && i < to) {
			s[3 * i] = 'X';
			s[3 * i + 1] = 'X';
		} else {
			s[3 * i] = d[cmd[i] >> 4];
			s[3 * i + 1] = d[cmd[i] & 15];
		}
		s[3 * i + 2] = i + 1 < n ? ' ' : '\0';
	}
	if (n == 0)
		s[0] = '\0';
}

static void stamp(FILE *f)
{
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	fprintf(f, "%02d:%02d:%02d.%03ld ", tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000);
}

void cs_log_apdu(FILE *f, const uint8_t *cmd, size_t n, const uint8_t *resp, size_t rn)
{
	size_t max = n > rn ? n : rn;
	char *s;

	if (f == NULL)
		return;
	s = malloc(3 * max + 1);
	if (s == NULL)
		return;
	cs_log_format_cmd(cmd, n, s);
	stamp(f);
	fprintf(f, "> %s\n", s);
	if (resp != NULL) {
		/* Responses never carry PIN data; format them with no redaction. */
		size_t i;

		for (i = 0; i < rn; i++)
			snprintf(s + 3 * i, 4, i + 1 < rn ? "%02X " : "%02X", resp[i]);
		if (rn == 0)
			s[0] = '\0';
		stamp(f);
		fprintf(f, "< %s\n", s);
	}
	fflush(f);
	free(s);
}

void cs_log_event(FILE *f, const char *fmt, ...)
{
	va_list ap;

	if (f == NULL)
		return;
	stamp(f);
	fputs("# ", f);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputc('\n', f);
	fflush(f);
}
