/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * reader/ccid-atr.c: the answer to reset (ISO/IEC 7816-3): TS, T0, the
 * interface bytes TAi TBi TCi TDi, the historical bytes and TCK. Only what the
 * backend needs is kept (see struct ccid_atr). Pure.
 */
#include "config.h"

#include <string.h>

#include "reader/ccid.h"

/* How many of TAi TBi TCi TDi the high nibble of Y announces. */
static size_t
interface_bytes (uint8_t y)
{
	return (size_t) ((y >> 4 & 1) + (y >> 5 & 1) + (y >> 6 & 1) + (y >> 7 & 1));
}

/* Interface bytes of group I (1-based) with protocol T (the TD that opened it). */
static void
take_group (struct ccid_atr *out, unsigned i, int t, uint8_t y, const uint8_t *p)
{
	size_t k = 0;
	int ta = (y & 0x10) != 0, tb = (y & 0x20) != 0, tc = (y & 0x40) != 0;
	uint8_t va = ta ? p[k++] : 0, vb = tb ? p[k++] : 0, vc = tc ? p[k++] : 0;

	if (i == 1) {
		out->has_ta1 = ta;
		if (ta)
			out->ta1 = va;
		if (tc)
			out->tc1 = vc;
	} else if (i == 2) {
		if (ta) {
			out->specific = 1;
			out->specific_t = va & 0x0F;
		}
		if (tc)
			out->wi = vc;
	} else if (t == 1) {
		/* The first group for T=1 (i >= 3) gives IFSC, BWI/CWI, the EDC. */
		if (ta && out->ifsc == 0)
			out->ifsc = va;
		if (tb && out->bwi == 0xFF) {
			out->bwi = (uint8_t) (vb >> 4);
			out->cwi = vb & 0x0F;
		}
		if (tc && out->crc < 0)
			out->crc = vc & 1;
	}
}

int
ccid_atr_parse (const uint8_t *atr, size_t len, struct ccid_atr *out)
{
	size_t pos = 2, hist;
	unsigned i = 1, t_seen = 0;
	int t = 0, need_tck = 0;
	uint8_t y;

	memset (out, 0, sizeof *out);
	out->ta1 = 0x11;
	out->wi = 10;
	out->bwi = 0xFF;
	out->crc = -1;
	out->first_protocol = -1;
	if (atr == NULL || len < 2 || (atr[0] != 0x3B && atr[0] != 0x3F))
		return -1;
	out->inverse = atr[0] == 0x3F;
	hist = atr[1] & 0x0F;
	y = atr[1];
	for (;;) {
		size_t n = interface_bytes (y);
		if (pos + n > len)
			return -1;
		take_group (out, i, t, y, atr + pos);
		pos += n;
		if (!(y & 0x80))
			break;
		y = atr[pos - 1];   /* TDi was the last of the group */
		t = y & 0x0F;
		if (t != 0)
			need_tck = 1;
		if (out->first_protocol < 0)
			out->first_protocol = t;
		if (t <= 14)
			t_seen |= 1u << t;
		i++;
	}
	if (out->first_protocol < 0) {
		out->first_protocol = 0;
		t_seen = 1;
	}
	out->protocols = t_seen;
	if (pos + hist > len)
		return -1;
	out->hist = atr + pos;
	out->hist_len = hist;
	pos += hist;
	if (need_tck) {
		uint8_t x = 0;
		size_t k;
		if (pos + 1 > len)
			return -1;
		for (k = 1; k <= pos; k++)
			x ^= atr[k];
		if (x != 0)
			return -1;
	}
	if (out->ifsc == 0)
		out->ifsc = 32;
	if (out->bwi == 0xFF) {
		out->bwi = 4;
		out->cwi = 13;
	}
	if (out->crc < 0)
		out->crc = 0;
	return 0;
}
