/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * apdu/tlv.c: bounds-checked BER-TLV reader and builder.
 */
#include "config.h"

#include "apdu/tlv.h"

#include <assert.h>
#include <string.h>

/* Read a tag of 1..3 bytes. Returns bytes used, 0 if malformed / truncated. */
static size_t
read_tag (const uint8_t *p, size_t len, uint32_t *tag)
{
	size_t i;
	uint32_t t;

	if (len < 1)
		return 0;
	t = p[0];
	if ((p[0] & 0x1F) != 0x1F) {
		*tag = t;
		return 1;
	}
	/* Subsequent bytes: bit 8 set means another byte follows; at most 2 more. */
	for (i = 1; i < 3; i++) {
		if (i >= len)
			return 0;
		t = (t << 8) | p[i];
		if ((p[i] & 0x80) == 0) {
			*tag = t;
			return i + 1;
		}
	}
	return 0;
}

/* Read a length (short form or 81/82/83). Returns bytes used, 0 if malformed. */
static size_t
read_len (const uint8_t *p, size_t len, size_t *out)
{
	size_t n, i, v = 0;

	if (len < 1)
		return 0;
	if (p[0] < 0x80) {
		*out = p[0];
		return 1;
	}
	n = p[0] & 0x7F;
	if (n < 1 || n > 3 || len < 1 + n)
		return 0;
	for (i = 0; i < n; i++)
		v = (v << 8) | p[1 + i];
	*out = v;
	return 1 + n;
}

tlv_rv
tlv_parse (const uint8_t *data, size_t len, struct tlv *out, size_t *consumed)
{
	size_t t, l, vlen;
	uint32_t tag;

	assert (out != NULL);
	if (len == 0)
		return TLV_END;
	assert (data != NULL);
	t = read_tag (data, len, &tag);
	if (t == 0)
		return TLV_MALFORMED;
	l = read_len (data + t, len - t, &vlen);
	if (l == 0 || vlen > len - t - l)
		return TLV_MALFORMED;
	out->tag = tag;
	out->constructed = (data[0] & 0x20) != 0;
	out->value = data + t + l;
	out->len = vlen;
	if (consumed != NULL)
		*consumed = t + l + vlen;
	return TLV_OK;
}

void
tlv_iter_init (struct tlv_iter *iter, const uint8_t *data, size_t len)
{
	assert (iter != NULL);
	assert (data != NULL || len == 0);
	iter->next = data;
	iter->left = len;
}

void
tlv_iter_children (struct tlv_iter *iter, const struct tlv *parent)
{
	assert (parent != NULL);
	tlv_iter_init (iter, parent->value, parent->len);
}

tlv_rv
tlv_next (struct tlv_iter *iter, struct tlv *out)
{
	size_t used = 0;
	tlv_rv rv;

	assert (iter != NULL && out != NULL);
	rv = tlv_parse (iter->next, iter->left, out, &used);
	if (rv != TLV_OK) {
		iter->left = 0;   /* stop: a malformed object ends the iteration */
		return rv;
	}
	iter->next += used;
	iter->left -= used;
	return TLV_OK;
}

tlv_rv
tlv_find (const uint8_t *data, size_t len, uint32_t tag, struct tlv *out)
{
	struct tlv_iter iter;
	struct tlv obj;
	tlv_rv rv;

	assert (out != NULL);
	tlv_iter_init (&iter, data, len);
	while ((rv = tlv_next (&iter, &obj)) == TLV_OK) {
		if (obj.tag == tag) {
			*out = obj;
			return TLV_OK;
		}
	}
	return rv;
}

tlv_rv
tlv_find_child (const struct tlv *parent, uint32_t tag, struct tlv *out)
{
	assert (parent != NULL);
	return tlv_find (parent->value, parent->len, tag, out);
}

tlv_rv
tlv_expect (const uint8_t *data, size_t len, uint32_t tag, int trailing_ok, struct tlv *out)
{
	size_t used = 0;
	tlv_rv rv;

	assert (out != NULL);
	rv = tlv_parse (data, len, out, &used);
	if (rv != TLV_OK)
		return TLV_MALFORMED;
	if (out->tag != tag || (!trailing_ok && used != len))
		return TLV_MALFORMED;
	return TLV_OK;
}

size_t
tlv_tag_size (uint32_t tag)
{
	if (tag <= 0xFF)
		return 1;
	if (tag <= 0xFFFF)
		return 2;
	if (tag <= 0xFFFFFF)
		return 3;
	return 0;
}

size_t
tlv_len_size (size_t len)
{
	if (len < 0x80)
		return 1;
	if (len <= 0xFF)
		return 2;
	if (len <= 0xFFFF)
		return 3;
	if (len <= 0xFFFFFF)
		return 4;
	return 0;
}

void
tlv_put_tag (struct apdu_buf *buf, uint32_t tag)
{
	size_t n = tlv_tag_size (tag), i;

	if (n == 0) {
		apdu_buf_fail (buf);
		return;
	}
	for (i = n; i > 0; i--)
		apdu_buf_add_byte (buf, (uint8_t)(tag >> (8 * (i - 1))));
}

/* Encode LEN into OUT (4 bytes at most); returns the size, 0 if too large. */
static size_t
encode_len (size_t len, uint8_t *out)
{
	size_t n = tlv_len_size (len), i;

	if (n == 0)
		return 0;
	if (n == 1) {
		out[0] = (uint8_t)len;
		return 1;
	}
	out[0] = (uint8_t)(0x80 | (n - 1));
	for (i = 1; i < n; i++)
		out[i] = (uint8_t)(len >> (8 * (n - 1 - i)));
	return n;
}

void
tlv_put_len (struct apdu_buf *buf, size_t len)
{
	uint8_t enc[4];
	size_t n = encode_len (len, enc);

	if (n == 0) {
		apdu_buf_fail (buf);
		return;
	}
	apdu_buf_add (buf, enc, n);
}

void
tlv_put (struct apdu_buf *buf, uint32_t tag, const void *value, size_t len)
{
	tlv_put_tag (buf, tag);
	tlv_put_len (buf, len);
	apdu_buf_add (buf, value, len);
}

void
tlv_put_byte (struct apdu_buf *buf, uint32_t tag, uint8_t value)
{
	tlv_put (buf, tag, &value, 1);
}

size_t
tlv_begin (struct apdu_buf *buf, uint32_t tag)
{
	tlv_put_tag (buf, tag);
	return buf->len;
}

void
tlv_end (struct apdu_buf *buf, size_t mark)
{
	uint8_t enc[4];
	size_t n, body;
	uint8_t *p;

	if (apdu_buf_failed (buf))
		return;
	assert (mark <= buf->len);
	body = buf->len - mark;
	n = encode_len (body, enc);
	if (n == 0) {
		apdu_buf_fail (buf);
		return;
	}
	p = apdu_buf_reserve (buf, n);
	if (p == NULL)
		return;
	memmove (buf->data + mark + n, buf->data + mark, body);
	memcpy (buf->data + mark, enc, n);
	buf->len += n;
}
