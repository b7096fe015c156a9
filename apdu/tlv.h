/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * apdu/tlv.h: BER-TLV as used by ISO 7816-4 and PIV (SP 800-73-4).
 *
 * Reader: bounds-checked, never reads past the buffer it is given. Tags of 1
 * to 3 bytes (the value of a tag is its bytes read big-endian: 0x5FC105,
 * 0x7F49, 0x53); lengths in the short form (00..7F) and the long forms 81, 82,
 * 83. Indefinite lengths (80) and longer forms are malformed.
 *
 * Builder: appends to a struct apdu_buf (apdu/buf.h), which remembers failure.
 */
#ifndef TSR_APDU_TLV_H
#define TSR_APDU_TLV_H

#include <stddef.h>
#include <stdint.h>

#include "apdu/buf.h"

/* One data object; VALUE points into the parsed buffer (not owned). */
struct tlv {
	uint32_t tag;
	int constructed;        /* bit 6 of the first tag byte */
	const uint8_t *value;
	size_t len;
};

typedef enum {
	TLV_OK = 0,
	TLV_END,                /* no more objects (iteration) / tag absent (find) */
	TLV_MALFORMED,          /* truncated or invalid encoding */
} tlv_rv;

/* Parse the object at the start of DATA[0..LEN). On TLV_OK, *OUT describes it and
 * *CONSUMED (may be NULL) is its full encoded size. TLV_END when LEN is 0. */
tlv_rv tlv_parse (const uint8_t *data, size_t len, struct tlv *out, size_t *consumed);

/* Iterate the objects that follow each other in a buffer (e.g. a constructed value). */
struct tlv_iter {
	const uint8_t *next;
	size_t left;
};

void tlv_iter_init (struct tlv_iter *iter, const uint8_t *data, size_t len);
/* Start at the children of a constructed object. */
void tlv_iter_children (struct tlv_iter *iter, const struct tlv *parent);
/* TLV_OK with the next object, TLV_END at the end, TLV_MALFORMED (and stop). */
tlv_rv tlv_next (struct tlv_iter *iter, struct tlv *out);

/* Find the first object with TAG among the objects of DATA (one level, no descent).
 * TLV_END when absent; TLV_MALFORMED if an object before it (or it) is malformed. */
tlv_rv tlv_find (const uint8_t *data, size_t len, uint32_t tag, struct tlv *out);
/* The same among the children of PARENT. */
tlv_rv tlv_find_child (const struct tlv *parent, uint32_t tag, struct tlv *out);

/* Parse DATA as exactly one object with tag TAG (trailing bytes allowed when
 * TRAILING_OK). TLV_MALFORMED when the tag differs or the encoding is wrong. */
tlv_rv tlv_expect (const uint8_t *data, size_t len, uint32_t tag, int trailing_ok, struct tlv *out);

/* Encoded size of a tag / of a length (0 if it cannot be encoded). */
size_t tlv_tag_size (uint32_t tag);
size_t tlv_len_size (size_t len);

/* ---- Builder ---- */

/* Append the tag bytes (1..3, big-endian, leading zero bytes dropped). */
void tlv_put_tag (struct apdu_buf *buf, uint32_t tag);
/* Append a length (short form, or 81/82/83; > 0xFFFFFF fails the buffer). */
void tlv_put_len (struct apdu_buf *buf, size_t len);
/* Append a whole primitive object TAG LEN VALUE. */
void tlv_put (struct apdu_buf *buf, uint32_t tag, const void *value, size_t len);
void tlv_put_byte (struct apdu_buf *buf, uint32_t tag, uint8_t value);

/* Nested objects: tlv_begin() writes the tag and returns a mark; append the
 * children; tlv_end() inserts the length at the mark once the size is known. */
size_t tlv_begin (struct apdu_buf *buf, uint32_t tag);
void tlv_end (struct apdu_buf *buf, size_t mark);

#endif /* TSR_APDU_TLV_H */
