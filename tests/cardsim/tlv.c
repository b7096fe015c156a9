/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tlv.c: BER-TLV reader; every access is checked against the remaining length. */
#include "config.h"

#include "tlv.h"

static int read_tag(const uint8_t **p, size_t *left, unsigned *tag)
{
	const uint8_t *q = *p;
	size_t n = *left, k = 1;

	if (n < 1)
		return -1;
	*tag = q[0];
	if ((q[0] & 0x1F) == 0x1F) {
		do {
			if (k >= n || k >= 3)
				return -1;
			*tag = (*tag << 8) | q[k];
		} while (q[k++] & 0x80);
	}
	*p = q + k;
	*left = n - k;
	return 0;
}

static int read_len(const uint8_t **p, size_t *left, size_t *len)
{
	const uint8_t *q = *p;
	size_t n = *left, k, i;

	if (n < 1)
		return -1;
	if (q[0] < 0x80) {
		*len = q[0];
		k = 1;
	} else {
		k = (size_t)(q[0] & 0x7F) + 1;
		if (k < 2 || k > 4 || n < k)
			return -1;
		*len = 0;
		for (i = 1; i < k; i++)
			*len = (*len << 8) | q[i];
	}
	*p = q + k;
	*left = n - k;
	return 0;
}

int cs_tlv_next(const uint8_t **p, size_t *left, struct cs_tlv *out)
{
	const uint8_t *q = *p;
	size_t n = *left;

	if (n == 0)
		return 0;
	if (read_tag(&q, &n, &out->tag) < 0 || read_len(&q, &n, &out->len) < 0)
		return -1;
	if (out->len > n)
		return -1;
	out->val = q;
	*p = q + out->len;
	*left = n - out->len;
	return 1;
}

int cs_tlv_find(const uint8_t *p, size_t len, unsigned tag, struct cs_tlv *out)
{
	struct cs_tlv t;
	int rc;

	while ((rc = cs_tlv_next(&p, &len, &t)) == 1) {
		if (t.tag == tag) {
			*out = t;
			return 1;
		}
	}
	return rc;
}

int cs_tlv_single(const uint8_t *p, size_t len, unsigned tag, struct cs_tlv *out)
{
	if (cs_tlv_next(&p, &len, out) != 1 || out->tag != tag || len != 0)
		return -1;
	return 0;
}
