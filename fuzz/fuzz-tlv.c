/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fuzz/fuzz-tlv.c: the BER-TLV reader (apdu/tlv.h): every object, its children to any
 * depth, searches by tag, and the re-encoding of what was parsed, which must give the
 * same bytes for every object the reader accepted in its shortest length form.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "apdu/buf.h"
#include "apdu/tlv.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t len);

static void
walk (const uint8_t *data, size_t len, int depth)
{
	struct tlv_iter it;
	struct tlv obj, found;

	tlv_iter_init (&it, data, len);
	while (tlv_next (&it, &obj) == TLV_OK) {
		if (obj.constructed && depth < 16)
			walk (obj.value, obj.len, depth + 1);
		(void)tlv_find_child (&obj, 0x80, &found);
	}
}

/* An object the reader accepted, written again, is the same (when its length was short). */
static void
roundtrip (const uint8_t *data, size_t len)
{
	struct tlv obj;
	struct apdu_buf buf;
	size_t used = 0;

	if (tlv_parse (data, len, &obj, &used) != TLV_OK || tlv_tag_size (obj.tag) == 0)
		return;
	apdu_buf_init (&buf);
	tlv_put (&buf, obj.tag, obj.value, obj.len);
	if (!apdu_buf_failed (&buf) && buf.len == used && memcmp (buf.data, data, used) != 0)
		abort ();
	apdu_buf_clear (&buf);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t len)
{
	static const uint32_t tags[] = { 0x53, 0x7C, 0x7F49, 0x5FC105, 0x70, 0x82, 0x86 };
	struct tlv obj;
	size_t i;

	walk (data, len, 0);
	roundtrip (data, len);
	for (i = 0; i < sizeof tags / sizeof tags[0]; i++) {
		(void)tlv_find (data, len, tags[i], &obj);
		(void)tlv_expect (data, len, tags[i], (int)(i & 1), &obj);
	}
	return 0;
}
