/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pgp_attr.c: algorithm attributes (C1..C3, OpenPGP card 3.4 section 4.4.3.10) and the key
 * slots' bookkeeping. */
#include "config.h"

#include <string.h>

#include "pgp.h"

struct curve {
	enum cs_pgp_kind kind;
	uint8_t oid[10];
	size_t len;
};

static const struct curve curves[] = {
	{ PGP_KIND_P256, { 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07 }, 8 },
	{ PGP_KIND_P384, { 0x2B, 0x81, 0x04, 0x00, 0x22 }, 5 },
	{ PGP_KIND_ED25519, { 0x2B, 0x06, 0x01, 0x04, 0x01, 0xDA, 0x47, 0x0F, 0x01 }, 9 },
	{ PGP_KIND_X25519, { 0x2B, 0x06, 0x01, 0x04, 0x01, 0x97, 0x55, 0x01, 0x05, 0x01 }, 10 },
};

static enum cs_pgp_kind curve_kind(const uint8_t *oid, size_t n)
{
	size_t i;

	for (i = 0; i < sizeof(curves) / sizeof(curves[0]); i++)
		if (curves[i].len == n && memcmp(curves[i].oid, oid, n) == 0)
			return curves[i].kind;
	return PGP_KIND_NONE;
}

static int parse_rsa(const uint8_t *a, size_t n, struct cs_pgp_alg *alg)
{
	unsigned bits, ebits;

	if (n != 5 && n != 6)
		return -1;
	bits = (unsigned)a[1] << 8 | a[2];
	ebits = (unsigned)a[3] << 8 | a[4];
	if ((bits != 2048 && bits != 3072 && bits != 4096) || ebits < 17 || ebits > 32)
		return -1;
	if (n == 6 && a[5] > 3)
		return -1;
	alg->kind = PGP_KIND_RSA;
	alg->rsa_bits = bits;
	alg->rsa_format = n == 6 ? a[5] : 0;
	return 0;
}

/* ECDSA and EdDSA sign (slots 0 and 2), ECDH deciphers (slot 1). */
static bool kind_fits(uint8_t id, enum cs_pgp_kind kind, int slot)
{
	switch (id) {
	case PGP_ALG_ECDSA: return slot != 1 && (kind == PGP_KIND_P256 || kind == PGP_KIND_P384);
	case PGP_ALG_EDDSA: return slot != 1 && kind == PGP_KIND_ED25519;
	case PGP_ALG_ECDH:
		return slot == 1 && (kind == PGP_KIND_P256 || kind == PGP_KIND_P384 || kind == PGP_KIND_X25519);
	default: return false;
	}
}

int cs_pgp_attr_parse(const uint8_t *a, size_t n, int slot, struct cs_pgp_alg *alg)
{
	enum cs_pgp_kind kind;

	memset(alg, 0, sizeof(*alg));
	if (n < 2 || n > PGP_ATTR_MAX || slot < 0 || slot >= PGP_NKEYS)
		return -1;
	alg->id = a[0];
	if (a[0] == PGP_ALG_RSA)
		return parse_rsa(a, n, alg);
	/* The OID, optionally followed by the import format byte: 00, or FF (public key too). */
	kind = curve_kind(a + 1, n - 1);
	if (kind == PGP_KIND_NONE && (a[n - 1] == 0x00 || a[n - 1] == 0xFF))
		kind = curve_kind(a + 1, n - 2);
	if (kind == PGP_KIND_NONE || !kind_fits(a[0], kind, slot))
		return -1;
	alg->kind = kind;
	return 0;
}

void cs_pgp_slot_alg(const struct cs_pgp *p, int slot, struct cs_pgp_alg *alg)
{
	if (cs_pgp_attr_parse(p->keys[slot].attr, p->keys[slot].attr_len, slot, alg) < 0)
		memset(alg, 0, sizeof(*alg));
}

int cs_pgp_crt_slot(unsigned tag)
{
	return tag == 0xB6 ? 0 : tag == 0xB8 ? 1 : tag == 0xA4 ? 2 : -1;
}

void cs_pgp_key_clear(struct cs_card *c, int slot)
{
	struct cs_pgp_key *k = &c->pgp->keys[slot];

	EVP_PKEY_free(k->pkey);
	k->pkey = NULL;
	k->status = 0;
	memset(k->fpr, 0, sizeof(k->fpr));
	memset(k->time, 0, sizeof(k->time));
	if (slot == 0)
		c->pgp->sig_count = 0;
	c->dirty = true;
}

void cs_pgp_key_store(struct cs_card *c, int slot, EVP_PKEY *k, uint8_t status)
{
	/* A new key has no fingerprint and date until the host writes them (C7..C9, CE..D0). */
	cs_pgp_key_clear(c, slot);
	c->pgp->keys[slot].pkey = k;
	c->pgp->keys[slot].status = status;
}
