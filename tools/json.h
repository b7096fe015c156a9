/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tools/json.h: a small streaming JSON writer for the tool's --json output.
 *
 * Values are written as they come; the writer adds commas, indentation and string
 * escapes. KEY is the member name inside an object, NULL inside an array or at the
 * top. Strings are written as valid UTF-8: a byte that does not belong to a valid
 * UTF-8 sequence (card data is not trusted) becomes U+FFFD.
 */
#ifndef TSR_TOOL_JSON_H
#define TSR_TOOL_JSON_H

#include <stdbool.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 16

struct json {
	FILE *out;
	int depth;
	bool has_items[JSON_MAX_DEPTH];
};

void json_init (struct json *j, FILE *out);
void json_begin_object (struct json *j, const char *key);
void json_end_object (struct json *j);
void json_begin_array (struct json *j, const char *key);
void json_end_array (struct json *j);
/* VALUE NULL writes null. */
void json_string (struct json *j, const char *key, const char *value);
void json_int (struct json *j, const char *key, long long value);
void json_bool (struct json *j, const char *key, bool value);
void json_null (struct json *j, const char *key);
/* Ends the document with a newline. */
void json_finish (struct json *j);

#endif /* TSR_TOOL_JSON_H */
