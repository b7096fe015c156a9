/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * apdu/buf.c: growable byte buffer that remembers failure.
 */
#include "config.h"

#include "apdu/buf.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

void
apdu_buf_init (struct apdu_buf *buf)
{
	assert (buf != NULL);
	memset (buf, 0, sizeof *buf);
}

void
apdu_buf_clear (struct apdu_buf *buf)
{
	size_t max;

	if (buf == NULL)
		return;
	max = buf->max;
	if (buf->data != NULL) {
		OPENSSL_cleanse (buf->data, buf->size);
		free (buf->data);
	}
	memset (buf, 0, sizeof *buf);
	buf->max = max;
}

void
apdu_buf_fail (struct apdu_buf *buf)
{
	assert (buf != NULL);
	buf->failed = 1;
}

int
apdu_buf_failed (const struct apdu_buf *buf)
{
	assert (buf != NULL);
	return buf->failed;
}

/* Grow to at least NEED bytes; the old block is wiped, never left behind by realloc. */
static int
grow (struct apdu_buf *buf, size_t need)
{
	size_t size = buf->size ? buf->size : 64;
	uint8_t *data;

	while (size < need) {
		if (size > SIZE_MAX / 2)
			return 0;
		size *= 2;
	}
	data = malloc (size);
	if (data == NULL)
		return 0;
	if (buf->data != NULL) {
		memcpy (data, buf->data, buf->len);
		OPENSSL_cleanse (buf->data, buf->size);
		free (buf->data);
	}
	buf->data = data;
	buf->size = size;
	return 1;
}

uint8_t *
apdu_buf_reserve (struct apdu_buf *buf, size_t len)
{
	assert (buf != NULL);
	if (buf->failed)
		return NULL;
	if (len > SIZE_MAX - buf->len ||
	    (buf->max != 0 && buf->len + len > buf->max)) {
		buf->failed = 1;
		return NULL;
	}
	if (buf->len + len > buf->size && !grow (buf, buf->len + len)) {
		buf->failed = 1;
		return NULL;
	}
	return buf->data + buf->len;
}

void
apdu_buf_add (struct apdu_buf *buf, const void *data, size_t len)
{
	uint8_t *p;

	assert (data != NULL || len == 0);
	if (len == 0)
		return;
	p = apdu_buf_reserve (buf, len);
	if (p == NULL)
		return;
	memcpy (p, data, len);
	buf->len += len;
}

void
apdu_buf_add_byte (struct apdu_buf *buf, uint8_t byte)
{
	apdu_buf_add (buf, &byte, 1);
}

void
apdu_buf_add_fill (struct apdu_buf *buf, uint8_t byte, size_t len)
{
	uint8_t *p;

	if (len == 0)
		return;
	p = apdu_buf_reserve (buf, len);
	if (p == NULL)
		return;
	memset (p, byte, len);
	buf->len += len;
}

uint8_t *
apdu_buf_steal (struct apdu_buf *buf, size_t *len)
{
	uint8_t *data;

	assert (buf != NULL && len != NULL);
	if (buf->failed) {
		apdu_buf_clear (buf);
		*len = 0;
		return NULL;
	}
	data = buf->data;
	*len = buf->len;
	buf->data = NULL;
	buf->len = buf->size = 0;
	return data;
}
