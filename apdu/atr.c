/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * apdu/atr.c: what an ATR's historical bytes say about the card's APDUs
 * (ISO 7816-4 §8.1.1): the card capabilities (compact-TLV tag 7, third byte,
 * bit 0x40: extended Lc and Le fields).
 */
#include "config.h"

#include "apdu/apdu.h"

/* The historical bytes of ATR: *hist and *hist_len, or 0 when the ATR is malformed. */
static int
atr_historical (const uint8_t *atr, size_t len, const uint8_t **hist, size_t *hist_len)
{
	size_t pos = 2, k;
	uint8_t td;

	if (atr == NULL || len < 2 || (atr[0] != 0x3B && atr[0] != 0x3F))
		return 0;
	k = atr[1] & 0x0F;
	td = atr[1];
	for (;;) {
		/* TA, TB, TC present by bits 5..7 of the previous T0/TD; TD by bit 8 */
		pos += ((td >> 4) & 1) + ((td >> 5) & 1) + ((td >> 6) & 1);
		if (!(td & 0x80))
			break;
		if (pos >= len)
			return 0;
		td = atr[pos++];
	}
	if (pos + k > len)
		return 0;
	*hist = atr + pos;
	*hist_len = k;
	return 1;
}

int
apdu_atr_extended (const uint8_t *atr, size_t len)
{
	const uint8_t *h = NULL;
	size_t n = 0, pos;

	if (!atr_historical (atr, len, &h, &n) || n < 1)
		return 0;
	if (h[0] == 0x00 && n >= 4)
		n -= 3;                     /* the status indicator closes the bytes */
	else if (h[0] != 0x80)
		return 0;                   /* no compact-TLV objects */
	for (pos = 1; pos < n;) {
		uint8_t tag = h[pos] >> 4, l = h[pos] & 0x0F;
		if (pos + 1 + l > n)
			return 0;
		if (tag == 7 && l >= 3)
			return (h[pos + 3] & 0x40) != 0;
		pos += 1 + l;
	}
	return 0;
}
