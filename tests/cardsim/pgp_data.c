/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pgp_data.c: GET DATA, PUT DATA and SELECT DATA of the OpenPGP application (3.4, 7.2.5-7.2.8)
 * with the access conditions of 4.4.1: most writes need PW3, private DOs 0101/0103 PW1 (82),
 * reading 0103 PW1 (82) and 0104 PW3. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "pgp.h"
#include "tlv.h"

#define KDF_NONE_LEN 3

/* The key slot of the cardholder certificate selected by SELECT DATA (occurrence 0 AUT,
 * 1 DEC, 2 SIG). */
static int cert_slot(const struct cs_pgp *p)
{
	return 2 - p->cert_occ;
}

static uint16_t appended(int rc)
{
	return rc < 0 ? SW_UNKNOWN : SW_OK;
}

/* The simple DOs of the table (5B, 5F2D, 5F35, 5F50, 5E, 0101..0104, F9). */
static uint16_t get_simple(struct cs_pgp *p, unsigned tag, struct cs_buf *out)
{
	static const uint8_t kdf_none[KDF_NONE_LEN] = { 0x81, 0x01, 0x00 };
	struct cs_object *o = cs_pgp_do_find(p, tag);

	if (o == NULL)
		return SW_REF_NOT_FOUND;
	if ((tag == 0x0103 && !p->pw1_82) || (tag == 0x0104 && !p->pw3_ok))
		return SW_SECURITY;
	if (tag == 0xF9 && o->data == NULL)
		return appended(cs_buf_append(out, kdf_none, sizeof(kdf_none)));
	return appended(cs_buf_append(out, o->data, o->len));
}

uint16_t cs_pgp_get_data(struct cs_card *c, const struct cs_apdu *a, struct cs_buf *out)
{
	struct cs_pgp *p = c->pgp;
	unsigned tag = (unsigned)a->p1 << 8 | a->p2;
	struct cs_pgp_key *k;
	uint8_t aid[16];

	switch (tag) {
	case 0x4F:
		cs_pgp_aid(c, aid);
		return appended(cs_buf_append(out, aid, sizeof(aid)));
	case 0x5F52: return appended(cs_pgp_historical(c, out));
	case 0x6E: return appended(cs_pgp_put_6e(c, out));
	case 0x65: return appended(cs_pgp_put_65(p, out));
	case 0x7A: return appended(cs_pgp_put_7a(p, out));
	case 0xC4: return appended(cs_pgp_put_c4(p, out));
	case 0xFA: return appended(cs_pgp_put_fa(out));
	case 0x7F21:
		k = &p->keys[cert_slot(p)];
		return appended(cs_buf_append(out, k->cert, k->cert_len));
	default: return get_simple(p, tag, out);
	}
}

static uint16_t put_attr(struct cs_card *c, int slot, const struct cs_apdu *a)
{
	struct cs_pgp_key *k = &c->pgp->keys[slot];
	struct cs_pgp_alg alg;

	if (cs_pgp_attr_parse(a->data, a->lc, slot, &alg) < 0)
		return SW_WRONG_DATA;
	/* New attributes delete the key they no longer describe. */
	if (k->attr_len != a->lc || memcmp(k->attr, a->data, a->lc) != 0) {
		cs_pgp_key_clear(c, slot);
		memcpy(k->attr, a->data, a->lc);
		k->attr_len = a->lc;
	}
	return SW_OK;
}

static uint16_t put_cert(struct cs_card *c, const struct cs_apdu *a)
{
	struct cs_pgp_key *k = &c->pgp->keys[cert_slot(c->pgp)];
	uint8_t *v = NULL;

	if (a->lc > PGP_CERT_MAX)
		return SW_NO_SPACE;
	if (a->lc > 0 && (v = malloc(a->lc)) == NULL)
		return SW_NO_SPACE;
	if (v != NULL)
		memcpy(v, a->data, a->lc);
	free(k->cert);
	k->cert = v;
	k->cert_len = a->lc;
	return SW_OK;
}

static uint16_t put_rc(struct cs_pgp *p, const struct cs_apdu *a)
{
	memset(p->rc.ref, 0, sizeof(p->rc.ref));
	p->rc.len = p->rc.left = 0;
	if (a->lc == 0)
		return SW_OK; /* no resetting code any more */
	if (a->lc < 8 || a->lc > PGP_PW_MAX)
		return SW_WRONG_DATA;
	memcpy(p->rc.ref, a->data, a->lc);
	p->rc.len = a->lc;
	p->rc.left = PGP_PW_TRIES;
	return SW_OK;
}

/* C1..C4, C7..D0, D3, 7F21: the DOs that are not kept as simple objects. */
static uint16_t put_special(struct cs_card *c, unsigned tag, const struct cs_apdu *a)
{
	struct cs_pgp *p = c->pgp;

	if (tag >= 0xC1 && tag <= 0xC3)
		return put_attr(c, (int)(tag - 0xC1), a);
	if (tag == 0xC4) {
		if (a->lc < 1 || a->lc > 7 || a->data[0] > 0x01)
			return SW_WRONG_DATA;
		p->pw1_multi = a->data[0];
		return SW_OK;
	}
	if (tag >= 0xC7 && tag <= 0xCC) {
		if (a->lc != 20)
			return SW_WRONG_DATA;
		memcpy(tag <= 0xC9 ? p->keys[tag - 0xC7].fpr : p->keys[tag - 0xCA].ca_fpr, a->data, 20);
		return SW_OK;
	}
	if (tag >= 0xCE && tag <= 0xD0) {
		if (a->lc != 4)
			return SW_WRONG_DATA;
		memcpy(p->keys[tag - 0xCE].time, a->data, 4);
		return SW_OK;
	}
	if (tag == 0xD3)
		return put_rc(p, a);
	if (tag == 0x7F21)
		return put_cert(c, a);
	return SW_REF_NOT_FOUND;
}

uint16_t cs_pgp_put_data(struct cs_card *c, const struct cs_apdu *a, struct cs_buf *out)
{
	struct cs_pgp *p = c->pgp;
	unsigned tag = (unsigned)a->p1 << 8 | a->p2;
	struct cs_object *o = cs_pgp_do_find(p, tag);
	bool pw1_do = tag == 0x0101 || tag == 0x0103;
	uint16_t sw;

	(void)out;
	if (pw1_do ? !p->pw1_82 : !p->pw3_ok)
		return SW_SECURITY;
	if (o == NULL) {
		sw = put_special(c, tag, a);
	} else if (!cs_pgp_do_valid(tag, a->data, a->lc)) {
		sw = SW_WRONG_DATA;
	} else {
		sw = cs_object_set(o, a->data, a->lc) < 0 ? SW_NO_SPACE : SW_OK;
		if (sw == SW_OK && tag == 0xF9)
			cs_pgp_kdf_changed(p, a->data, a->lc);
	}
	if (sw == SW_OK)
		c->dirty = true;
	return sw;
}

/* SELECT DATA (3.x): P1 the occurrence, P2 04, data 60 { 5C 02 7F 21 }. */
uint16_t cs_pgp_select_data(struct cs_card *c, const struct cs_apdu *a, struct cs_buf *out)
{
	struct cs_tlv t60, t5c;

	(void)out;
	if (a->p1 > 2 || a->p2 != 0x04)
		return SW_WRONG_P1P2;
	if (cs_tlv_single(a->data, a->lc, 0x60, &t60) < 0 || cs_tlv_single(t60.val, t60.len, 0x5C, &t5c) < 0)
		return SW_WRONG_DATA;
	if (t5c.len != 2 || t5c.val[0] != 0x7F || t5c.val[1] != 0x21)
		return SW_REF_NOT_FOUND;
	c->pgp->cert_occ = a->p1;
	return SW_OK;
}
