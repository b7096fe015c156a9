/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pgp_keys.c: GENERATE ASYMMETRIC KEY PAIR (P1 80 generate, 81 read the public key; OpenPGP
 * card 3.4, 7.2.14) and key import by PUT DATA (odd INS DB) of the extended header list 4D
 * (4.4.3.12). */
#include "config.h"

#include <string.h>

#include "pgp.h"
#include "tlv.h"

/* The control reference template naming the key: B6, B8 or A4, empty or with a key reference
 * 84 inside (ignored); -1 when the data is not exactly one such template. */
static int crt_of(const uint8_t *p, size_t n, size_t *used)
{
	const uint8_t *q = p;
	size_t left = n;
	struct cs_tlv t;

	if (cs_tlv_next(&q, &left, &t) != 1)
		return -1;
	*used = n - left;
	return cs_pgp_crt_slot(t.tag);
}

static uint16_t answer_pubkey(EVP_PKEY *k, struct cs_buf *out)
{
	struct cs_buf tpl;
	int rc;

	cs_buf_init(&tpl);
	rc = cs_pgp_crypto_pubkey(k, &tpl);
	if (rc == 0)
		rc = cs_buf_tlv(out, 0x7F49, tpl.data, tpl.len);
	cs_buf_free(&tpl);
	return rc < 0 ? SW_UNKNOWN : SW_OK;
}

uint16_t cs_pgp_generate(struct cs_card *c, const struct cs_apdu *a, struct cs_buf *out)
{
	struct cs_pgp *p = c->pgp;
	struct cs_pgp_alg alg;
	EVP_PKEY *k;
	size_t used = 0;
	int slot;

	if ((a->p1 != 0x80 && a->p1 != 0x81) || a->p2 != 0x00)
		return SW_WRONG_P1P2;
	slot = crt_of(a->data, a->lc, &used);
	if (slot < 0 || used != a->lc)
		return SW_WRONG_DATA;
	if (a->p1 == 0x81) {
		if (p->keys[slot].pkey == NULL)
			return SW_REF_NOT_FOUND;
		return answer_pubkey(p->keys[slot].pkey, out);
	}
	if (!p->pw3_ok)
		return SW_SECURITY;
	cs_pgp_slot_alg(p, slot, &alg);
	k = cs_pgp_crypto_generate(&alg);
	if (k == NULL)
		return SW_UNKNOWN;
	cs_pgp_key_store(c, slot, k, 1);
	return answer_pubkey(k, out);
}

/* Reads one tag and length of the 7F48 list (no value follows); 1, 0 at the end, -1 bad. */
static int next_header(const uint8_t **p, size_t *left, unsigned *tag, size_t *len)
{
	const uint8_t *q = *p;
	size_t n = *left, i, nlen = 0;

	if (n == 0)
		return 0;
	*tag = q[0];
	if (n < 2)
		return -1;
	if (q[1] < 0x80) {
		*len = q[1];
		nlen = 0;
	} else if (q[1] == 0x81 || q[1] == 0x82) {
		nlen = q[1] & 0x0F;
		if (n < 2 + nlen)
			return -1;
		for (*len = 0, i = 0; i < nlen; i++)
			*len = (*len << 8) | q[2 + i];
	} else {
		return -1;
	}
	*p += 2 + nlen;
	*left -= 2 + nlen;
	return 1;
}

/* Splits the 5F48 key data by the tag-length list of 7F48 into PARTS. 0 or -1. */
static int split_parts(const struct cs_tlv *list, const struct cs_tlv *data, struct cs_pgp_parts *parts)
{
	const uint8_t *p = list->val;
	size_t left = list->len, off = 0, len = 0;
	unsigned tag = 0;
	int rc;

	memset(parts, 0, sizeof(*parts));
	while ((rc = next_header(&p, &left, &tag, &len)) == 1) {
		if (tag < 0x91 || tag >= 0x91 + PGP_NPARTS || parts->v[tag - 0x91] != NULL ||
		    len > data->len - off || len == 0)
			return -1;
		parts->v[tag - 0x91] = data->val + off;
		parts->len[tag - 0x91] = len;
		off += len;
	}
	return rc == 0 && off == data->len ? 0 : -1;
}

/* Parses 4D { CRT, 7F48 list, 5F48 data }: the slot, or -1. */
static int parse_4d(const struct cs_apdu *a, struct cs_pgp_parts *parts)
{
	struct cs_tlv outer, list, data;
	const uint8_t *p;
	size_t left, used = 0;
	int slot;

	if (cs_tlv_single(a->data, a->lc, 0x4D, &outer) < 0)
		return -1;
	slot = crt_of(outer.val, outer.len, &used);
	p = outer.val + used;
	left = outer.len - used;
	if (slot < 0 || cs_tlv_next(&p, &left, &list) != 1 || list.tag != 0x7F48 ||
	    cs_tlv_next(&p, &left, &data) != 1 || data.tag != 0x5F48 || left != 0)
		return -1;
	return split_parts(&list, &data, parts) < 0 ? -1 : slot;
}

uint16_t cs_pgp_import(struct cs_card *c, const struct cs_apdu *a, struct cs_buf *out)
{
	struct cs_pgp_parts parts;
	struct cs_pgp_alg alg;
	EVP_PKEY *k;
	int slot;

	(void)out;
	if (a->p1 != 0x3F || a->p2 != 0xFF)
		return SW_WRONG_P1P2;
	if (!c->pgp->pw3_ok)
		return SW_SECURITY;
	slot = parse_4d(a, &parts);
	if (slot < 0)
		return SW_WRONG_DATA;
	cs_pgp_slot_alg(c->pgp, slot, &alg);
	k = alg.kind == PGP_KIND_RSA ? cs_pgp_import_rsa(&alg, &parts) : cs_pgp_import_ec(&alg, &parts);
	if (k == NULL)
		return SW_WRONG_DATA;
	cs_pgp_key_store(c, slot, k, 2);
	return SW_OK;
}
