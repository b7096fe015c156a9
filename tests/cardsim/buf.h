/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* buf.h: a growable byte buffer with BER-TLV writers (card responses are built in it). */
#ifndef CARDSIM_BUF_H
#define CARDSIM_BUF_H

#include <stddef.h>
#include <stdint.h>

struct cs_buf {
	uint8_t *data; /* owned; NULL while empty and never grown */
	size_t len;
	size_t cap;
};

void cs_buf_init(struct cs_buf *b);
/* Releases the storage (NULL accepted) and wipes it, as it may hold key material. */
void cs_buf_free(struct cs_buf *b);
void cs_buf_clear(struct cs_buf *b);
/* All writers return 0, or -1 when out of memory (the buffer is then unchanged). */
int cs_buf_append(struct cs_buf *b, const void *p, size_t n);
int cs_buf_byte(struct cs_buf *b, uint8_t v);
/* Appends TAG (1..3 bytes, e.g. 0x5FC102) with a definite BER length and the value. */
int cs_buf_tlv(struct cs_buf *b, unsigned tag, const void *v, size_t n);
/* Appends only the tag and length header of a TLV whose value follows. */
int cs_buf_tlv_header(struct cs_buf *b, unsigned tag, size_t n);
/* Drops the first N bytes. */
void cs_buf_consume(struct cs_buf *b, size_t n);

#endif
