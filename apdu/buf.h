/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * apdu/buf.h: a growable byte buffer that remembers failure.
 *
 * Append freely; when an allocation fails (or apdu_buf_fail() is called) the
 * buffer becomes failed, later appends do nothing, and the caller checks once
 * with apdu_buf_failed() at the end. The memory is wiped (OPENSSL_cleanse)
 * before it is released, so a buffer may carry PINs or key material.
 */
#ifndef TSR_APDU_BUF_H
#define TSR_APDU_BUF_H

#include <stddef.h>
#include <stdint.h>

struct apdu_buf {
	uint8_t *data;     /* owned; NULL while empty */
	size_t len;
	size_t size;       /* allocated */
	size_t max;        /* appends beyond this fail the buffer (0: no limit) */
	int failed;
};

/* An empty buffer; no allocation yet. */
void apdu_buf_init (struct apdu_buf *buf);

/* Wipe and free the contents; the buffer is empty and usable again. Accepts NULL. */
void apdu_buf_clear (struct apdu_buf *buf);

/* Append; on failure mark the buffer failed (checked once by the caller). */
void apdu_buf_add (struct apdu_buf *buf, const void *data, size_t len);
void apdu_buf_add_byte (struct apdu_buf *buf, uint8_t byte);
/* Append LEN copies of BYTE. */
void apdu_buf_add_fill (struct apdu_buf *buf, uint8_t byte, size_t len);

/* Make sure LEN more bytes fit; returns a pointer to them (not yet counted in
 * buf->len: the caller adds what it wrote to buf->len), or NULL (buffer failed). */
uint8_t *apdu_buf_reserve (struct apdu_buf *buf, size_t len);

/* Mark the buffer failed (e.g. a value too large to encode). */
void apdu_buf_fail (struct apdu_buf *buf);

/* 1 if an append failed since init/clear. */
int apdu_buf_failed (const struct apdu_buf *buf);

/* Hand the contents to the caller (owned: free(), after OPENSSL_cleanse if secret)
 * and leave the buffer empty. NULL with *len 0 for an empty buffer; NULL if failed. */
uint8_t *apdu_buf_steal (struct apdu_buf *buf, size_t *len);

#endif /* TSR_APDU_BUF_H */
