/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tools/json.c: the streaming JSON writer (json.h).
 */
#include "config.h"

#include "tools/json.h"

#include <assert.h>
#include <stdint.h>
#include <string.h>

void
json_init (struct json *j, FILE *out)
{
	memset (j, 0, sizeof *j);
	j->out = out;
}

static void json_quoted (FILE *out, const char *value);

/* A comma when needed, the indentation, and "KEY": */
static void
json_item (struct json *j, const char *key)
{
	if (j->depth > 0) {
		fputs (j->has_items[j->depth] ? ",\n" : "\n", j->out);
		j->has_items[j->depth] = true;
		fprintf (j->out, "%*s", 2 * j->depth, "");
	}
	if (key != NULL) {
		json_quoted (j->out, key);
		fputs (": ", j->out);
	}
}

/* Length of the valid UTF-8 sequence at S (1..4), or 0. */
static size_t
utf8_len (const unsigned char *s)
{
	size_t n, i;
	uint32_t c;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xC2 && s[0] <= 0xDF)
		n = 2, c = s[0] & 0x1F;
	else if (s[0] >= 0xE0 && s[0] <= 0xEF)
		n = 3, c = s[0] & 0x0F;
	else if (s[0] >= 0xF0 && s[0] <= 0xF4)
		n = 4, c = s[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3F);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > 0x10FFFF)) ||
	    (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	return n;
}

static void
json_quoted (FILE *out, const char *value)
{
	const unsigned char *s = (const unsigned char *)value;
	size_t n;

	fputc ('"', out);
	while (*s != '\0') {
		if (*s == '"' || *s == '\\') {
			fprintf (out, "\\%c", *s);
			s++;
		} else if (*s < 0x20) {
			fprintf (out, "\\u%04x", *s);
			s++;
		} else if ((n = utf8_len (s)) > 0) {
			fwrite (s, 1, n, out);
			s += n;
		} else {
			fputs ("\\ufffd", out);
			s++;
		}
	}
	fputc ('"', out);
}

void
json_string (struct json *j, const char *key, const char *value)
{
	json_item (j, key);
	if (value == NULL)
		fputs ("null", j->out);
	else
		json_quoted (j->out, value);
}

void
json_int (struct json *j, const char *key, long long value)
{
	json_item (j, key);
	fprintf (j->out, "%lld", value);
}

void
json_bool (struct json *j, const char *key, bool value)
{
	json_item (j, key);
	fputs (value ? "true" : "false", j->out);
}

void
json_null (struct json *j, const char *key)
{
	json_item (j, key);
	fputs ("null", j->out);
}

static void
json_open (struct json *j, const char *key, char c)
{
	json_item (j, key);
	fputc (c, j->out);
	assert (j->depth + 1 < JSON_MAX_DEPTH);
	j->depth++;
	j->has_items[j->depth] = false;
}

static void
json_close (struct json *j, char c)
{
	assert (j->depth > 0);
	if (j->has_items[j->depth])
		fprintf (j->out, "\n%*s", 2 * (j->depth - 1), "");
	j->depth--;
	fputc (c, j->out);
}

void
json_begin_object (struct json *j, const char *key)
{
	json_open (j, key, '{');
}

void
json_end_object (struct json *j)
{
	json_close (j, '}');
}

void
json_begin_array (struct json *j, const char *key)
{
	json_open (j, key, '[');
}

void
json_end_array (struct json *j)
{
	json_close (j, ']');
}

void
json_finish (struct json *j)
{
	fputc ('\n', j->out);
	fflush (j->out);
}
