/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tlv.h: bounds-checked BER-TLV reader for command data fields. */
#ifndef CARDSIM_TLV_H
#define CARDSIM_TLV_H

#include <stddef.h>
#include <stdint.h>

struct cs_tlv {
	unsigned tag;        /* up to 3 tag bytes, big-endian (0x5FC102) */
	const uint8_t *val;  /* points into the parsed input */
	size_t len;
};

/* Reads one TLV at *p (left bytes) and advances. Returns 1 when one was read, 0 at the end
 * of the input, -1 when the input is malformed (truncated tag/length/value, tag longer than
 * 3 bytes, length form longer than 3 bytes). */
int cs_tlv_next(const uint8_t **p, size_t *left, struct cs_tlv *out);
/* Finds TAG among the TLVs of a flat list: 1 found, 0 absent, -1 malformed list. */
int cs_tlv_find(const uint8_t *p, size_t len, unsigned tag, struct cs_tlv *out);
/* The data must be exactly one TLV with TAG: 0 ok, -1 otherwise. */
int cs_tlv_single(const uint8_t *p, size_t len, unsigned tag, struct cs_tlv *out);

#endif
