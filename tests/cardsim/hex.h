/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hex.h: hexadecimal text <-> bytes. */
#ifndef CARDSIM_HEX_H
#define CARDSIM_HEX_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* Appends the bytes of HEX (pairs of hex digits; ':' and spaces between pairs skipped) to OUT.
 * 0, or -1 on a bad digit, odd count or no memory. */
int cs_hex_decode(const char *hex, struct cs_buf *out);
/* Writes 2*N digits and a NUL into S (size >= 2*N+1). */
void cs_hex_encode(const uint8_t *p, size_t n, char *s);

#endif
