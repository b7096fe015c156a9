/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pgp_do.c: the OpenPGP application's data objects as GET DATA answers them (3.4, 4.4): the
 * application related data 6E (AID, historical bytes, extended length information and the
 * discretionary data objects 73: C0..C6, CD, DE), cardholder related data 65, the security
 * support template 7A, the algorithm information FA, the PW status bytes C4. */
#include "config.h"

#include <string.h>

#include "pgp.h"
#include "tlv.h"

#define CAP_GET_CHALLENGE 0x40
#define CAP_KEY_IMPORT    0x20
#define CAP_PW_STATUS     0x10
#define CAP_PRIVATE_DOS   0x08
#define CAP_ALG_CHANGE    0x04
#define CAP_KDF           0x01

/* The attributes the card accepts per slot, announced in FA. */
static const uint8_t alg_info[] = {
	0xC1, 0x06, 0x01, 0x08, 0x00, 0x00, 0x20, 0x00,
	0xC1, 0x06, 0x01, 0x0C, 0x00, 0x00, 0x20, 0x00,
	0xC1, 0x06, 0x01, 0x10, 0x00, 0x00, 0x20, 0x00,
	0xC1, 0x09, 0x13, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07,
	0xC1, 0x06, 0x13, 0x2B, 0x81, 0x04, 0x00, 0x22,
	0xC1, 0x0A, 0x16, 0x2B, 0x06, 0x01, 0x04, 0x01, 0xDA, 0x47, 0x0F, 0x01,
	0xC2, 0x06, 0x01, 0x08, 0x00, 0x00, 0x20, 0x00,
	0xC2, 0x06, 0x01, 0x0C, 0x00, 0x00, 0x20, 0x00,
	0xC2, 0x06, 0x01, 0x10, 0x00, 0x00, 0x20, 0x00,
	0xC2, 0x09, 0x12, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07,
	0xC2, 0x06, 0x12, 0x2B, 0x81, 0x04, 0x00, 0x22,
	0xC2, 0x0B, 0x12, 0x2B, 0x06, 0x01, 0x04, 0x01, 0x97, 0x55, 0x01, 0x05, 0x01,
	0xC3, 0x06, 0x01, 0x08, 0x00, 0x00, 0x20, 0x00,
	0xC3, 0x06, 0x01, 0x0C, 0x00, 0x00, 0x20, 0x00,
	0xC3, 0x06, 0x01, 0x10, 0x00, 0x00, 0x20, 0x00,
	0xC3, 0x09, 0x13, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07,
	0xC3, 0x06, 0x13, 0x2B, 0x81, 0x04, 0x00, 0x22,
	0xC3, 0x0A, 0x16, 0x2B, 0x06, 0x01, 0x04, 0x01, 0xDA, 0x47, 0x0F, 0x01,
};

/* 00 (category), 31 C5 (card service data), 73 C0 01 xx (card capabilities: the third byte
 * says command chaining 80 and extended Lc/Le 40), status indicator 05 (operational) 90 00. */
int cs_pgp_historical(const struct cs_card *c, struct cs_buf *out)
{
	uint8_t h[10] = { 0x00, 0x31, 0xC5, 0x73, 0xC0, 0x01, 0xC0, 0x05, 0x90, 0x00 };

	if (c->no_extended)
		h[6] = 0x80;
	return cs_buf_append(out, h, sizeof(h));
}

int cs_pgp_put_c4(const struct cs_pgp *p, struct cs_buf *out)
{
	uint8_t c4[7] = { p->pw1_multi, PGP_PW_MAX, PGP_PW_MAX, PGP_PW_MAX, p->pw1.left, p->rc.left,
			  p->pw3.left };

	return cs_buf_append(out, c4, sizeof(c4));
}

static int put_c0(struct cs_buf *out)
{
	const uint8_t c0[10] = {
		CAP_GET_CHALLENGE | CAP_KEY_IMPORT | CAP_PW_STATUS | CAP_PRIVATE_DOS | CAP_ALG_CHANGE | CAP_KDF,
		0x00, PGP_CHALLENGE_MAX >> 8, PGP_CHALLENGE_MAX & 0xFF, PGP_CERT_MAX >> 8, PGP_CERT_MAX & 0xFF,
		PGP_SPECIAL_MAX >> 8, PGP_SPECIAL_MAX & 0xFF, 0x00, 0x00,
	};

	return cs_buf_tlv(out, 0xC0, c0, sizeof(c0));
}

/* 73: C0, C1..C3, C4, C5, C6, CD, DE. */
static int put_73(const struct cs_pgp *p, struct cs_buf *out)
{
	uint8_t fpr[60], ca[60], dates[12], info[6];
	struct cs_buf b;
	int i, rc = -1;

	cs_buf_init(&b);
	for (i = 0; i < PGP_NKEYS; i++) {
		memcpy(fpr + 20 * i, p->keys[i].fpr, 20);
		memcpy(ca + 20 * i, p->keys[i].ca_fpr, 20);
		memcpy(dates + 4 * i, p->keys[i].time, 4);
		info[2 * i] = (uint8_t)(i + 1);
		info[2 * i + 1] = p->keys[i].status;
	}
	if (put_c0(&b) < 0)
		goto out;
	for (i = 0; i < PGP_NKEYS; i++)
		if (cs_buf_tlv(&b, 0xC1 + (unsigned)i, p->keys[i].attr, p->keys[i].attr_len) < 0)
			goto out;
	if (cs_buf_tlv_header(&b, 0xC4, 7) < 0 || cs_pgp_put_c4(p, &b) < 0 ||
	    cs_buf_tlv(&b, 0xC5, fpr, 60) < 0 || cs_buf_tlv(&b, 0xC6, ca, 60) < 0 ||
	    cs_buf_tlv(&b, 0xCD, dates, 12) < 0 || cs_buf_tlv(&b, 0xDE, info, 6) < 0)
		goto out;
	rc = cs_buf_tlv(out, 0x73, b.data, b.len);
out:
	cs_buf_free(&b);
	return rc;
}

int cs_pgp_put_6e(const struct cs_card *c, struct cs_buf *out)
{
	static const uint8_t ext_len[8] = { 0x02, 0x02, PGP_EXT_MAX >> 8, PGP_EXT_MAX & 0xFF,
					    0x02, 0x02, PGP_EXT_MAX >> 8, PGP_EXT_MAX & 0xFF };
	uint8_t aid[16];
	struct cs_buf b, h;
	int rc = -1;

	cs_buf_init(&b);
	cs_buf_init(&h);
	cs_pgp_aid(c, aid);
	if (cs_buf_tlv(&b, 0x4F, aid, sizeof(aid)) < 0 || cs_pgp_historical(c, &h) < 0 ||
	    cs_buf_tlv(&b, 0x5F52, h.data, h.len) < 0)
		goto out;
	/* Extended length information: only on a card that takes extended APDUs. */
	if (!c->no_extended && cs_buf_tlv(&b, 0x7F66, ext_len, sizeof(ext_len)) < 0)
		goto out;
	if (put_73(c->pgp, &b) < 0)
		goto out;
	rc = cs_buf_tlv(out, 0x6E, b.data, b.len);
out:
	cs_buf_free(&b);
	cs_buf_free(&h);
	return rc;
}

int cs_pgp_put_65(const struct cs_pgp *p, struct cs_buf *out)
{
	static const unsigned tags[3] = { 0x5B, 0x5F2D, 0x5F35 };
	struct cs_object *o;
	struct cs_buf b;
	int i, rc = -1;

	cs_buf_init(&b);
	for (i = 0; i < 3; i++) {
		o = cs_pgp_do_find((struct cs_pgp *)p, tags[i]);
		if (cs_buf_tlv(&b, tags[i], o->data, o->len) < 0)
			goto out;
	}
	rc = cs_buf_tlv(out, 0x65, b.data, b.len);
out:
	cs_buf_free(&b);
	return rc;
}

int cs_pgp_put_7a(const struct cs_pgp *p, struct cs_buf *out)
{
	uint8_t v[5] = { 0x93, 0x03, (uint8_t)(p->sig_count >> 16), (uint8_t)(p->sig_count >> 8),
			 (uint8_t)p->sig_count };

	return cs_buf_tlv(out, 0x7A, v, sizeof(v));
}

int cs_pgp_put_fa(struct cs_buf *out)
{
	return cs_buf_tlv(out, 0xFA, alg_info, sizeof(alg_info));
}

struct cs_object *cs_pgp_do_find(struct cs_pgp *p, unsigned tag)
{
	size_t i;

	for (i = 0; i < PGP_NDOS; i++)
		if (p->dos[i].tag == tag)
			return &p->dos[i];
	return NULL;
}

/* KDF-DO: 81 algorithm (00 none, 03 iterated and salted S2K); with 03 also 82 hash (08 SHA-256,
 * 0A SHA-512), 83 iteration count (4 bytes), 84 salt; 85, 86 salts and 87, 88 initial values
 * optional. */
static bool kdf_valid(const uint8_t *v, size_t n)
{
	struct cs_tlv alg, hash, count, salt;

	if (cs_tlv_find(v, n, 0x81, &alg) != 1 || alg.len != 1)
		return false;
	if (alg.val[0] == 0x00)
		return true;
	return alg.val[0] == 0x03 && cs_tlv_find(v, n, 0x82, &hash) == 1 && hash.len == 1 &&
	       (hash.val[0] == 0x08 || hash.val[0] == 0x0A) && cs_tlv_find(v, n, 0x83, &count) == 1 &&
	       count.len == 4 && cs_tlv_find(v, n, 0x84, &salt) == 1 && salt.len == 8;
}

bool cs_pgp_do_valid(unsigned tag, const uint8_t *v, size_t n)
{
	switch (tag) {
	case 0x5B: return n <= 39;
	case 0x5F2D: return n <= 8;
	case 0x5F35: return n <= 1;
	case 0xF9: return n == 0 || (n <= PGP_SPECIAL_MAX && kdf_valid(v, n));
	default: return n <= PGP_SPECIAL_MAX;
	}
}
