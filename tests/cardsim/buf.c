/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* buf.c: growable byte buffer and TLV writers. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "buf.h"

void cs_buf_init(struct cs_buf *b)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

void cs_buf_free(struct cs_buf *b)
{
	if (b == NULL)
		return;
	if (b->data != NULL)
		OPENSSL_cleanse(b->data, b->cap);
	free(b->data);
	cs_buf_init(b);
}

void cs_buf_clear(struct cs_buf *b)
{
	b->len = 0;
}

static int reserve(struct cs_buf *b, size_t extra)
{
	size_t want, cap;
	uint8_t *p;

	if (extra > SIZE_MAX / 2 - b->len)
		return -1;
	want = b->len + extra;
	if (want <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 64;
	while (cap < want)
		cap *= 2;
	p = malloc(cap);
	if (p == NULL)
		return -1;
	if (b->data != NULL) {
		memcpy(p, b->data, b->len);
		OPENSSL_cleanse(b->data, b->cap);
		free(b->data);
	}
	b->data = p;
	b->cap = cap;
	return 0;
}

int cs_buf_append(struct cs_buf *b, const void *p, size_t n)
{
	if (n == 0)
		return 0;
	if (reserve(b, n) < 0)
		return -1;
	memcpy(b->data + b->len, p, n);
	b->len += n;
	return 0;
}

int cs_buf_byte(struct cs_buf *b, uint8_t v)
{
	return cs_buf_append(b, &v, 1);
}

int cs_buf_tlv_header(struct cs_buf *b, unsigned tag, size_t n)
{
	uint8_t h[8];
	size_t k = 0;

	if (tag > 0xFFFF)
		h[k++] = (uint8_t)(tag >> 16);
	if (tag > 0xFF)
		h[k++] = (uint8_t)(tag >> 8);
	h[k++] = (uint8_t)tag;
	if (n < 0x80) {
		h[k++] = (uint8_t)n;
	} else if (n <= 0xFF) {
		h[k++] = 0x81;
		h[k++] = (uint8_t)n;
	} else if (n <= 0xFFFF) {
		h[k++] = 0x82;
		h[k++] = (uint8_t)(n >> 8);
		h[k++] = (uint8_t)n;
	} else {
		h[k++] = 0x83;
		h[k++] = (uint8_t)(n >> 16);
		h[k++] = (uint8_t)(n >> 8);
		h[k++] = (uint8_t)n;
	}
	return cs_buf_append(b, h, k);
}

int cs_buf_tlv(struct cs_buf *b, unsigned tag, const void *v, size_t n)
{
	size_t old = b->len;

	if (cs_buf_tlv_header(b, tag, n) < 0)
		return -1;
	if (cs_buf_append(b, v, n) < 0) {
		b->len = old;
		return -1;
	}
	return 0;
}

void cs_buf_consume(struct cs_buf *b, size_t n)
{
	if (n >= b->len) {
		b->len = 0;
		return;
	}
	memmove(b->data, b->data + n, b->len - n);
	b->len -= n;
}
