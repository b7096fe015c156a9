/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pgp.c: the OpenPGP application's state, factory defaults, identifier and dispatcher, with
 * SELECT, GET CHALLENGE, TERMINATE DF and ACTIVATE FILE (OpenPGP card 3.4, 7.2.1, 7.2.15-17). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "crypto.h"
#include "pgp.h"

#define INS_SELECT      0xA4
#define INS_SELECT_DATA 0xA5
#define INS_GET_DATA    0xCA
#define INS_PUT_DATA    0xDA
#define INS_PUT_DATA_O  0xDB
#define INS_VERIFY      0x20
#define INS_CHANGE      0x24
#define INS_RESET_RC    0x2C
#define INS_PSO         0x2A
#define INS_INT_AUTH    0x88
#define INS_GENERATE    0x47
#define INS_CHALLENGE   0x84
#define INS_TERMINATE   0xE6
#define INS_ACTIVATE    0x44

static const uint8_t pgp_rid[6] = { 0xD2, 0x76, 0x00, 0x01, 0x24, 0x01 };
static const uint8_t rsa2048_attr[6] = { PGP_ALG_RSA, 0x08, 0x00, 0x00, 0x20, 0x00 };
static const unsigned do_tags[PGP_NDOS] = {
	0x5B, 0x5F2D, 0x5F35, 0x5F50, 0x5E, 0x0101, 0x0102, 0x0103, 0x0104, 0xF9,
};

static void pw_set(struct cs_pgp_pw *pw, const char *v)
{
	OPENSSL_cleanse(pw->ref, sizeof(pw->ref));
	pw->len = strlen(v);
	memcpy(pw->ref, v, pw->len);
	pw->left = pw->len ? PGP_PW_TRIES : 0;
}

static void clear_persistent(struct cs_pgp *p)
{
	size_t i;

	for (i = 0; i < PGP_NKEYS; i++) {
		EVP_PKEY_free(p->keys[i].pkey);
		free(p->keys[i].cert);
		memset(&p->keys[i], 0, sizeof(p->keys[i]));
	}
	for (i = 0; i < PGP_NDOS; i++)
		(void)cs_object_set(&p->dos[i], NULL, 0);
	OPENSSL_cleanse(&p->pw1, sizeof(p->pw1));
	OPENSSL_cleanse(&p->pw3, sizeof(p->pw3));
	OPENSSL_cleanse(&p->rc, sizeof(p->rc));
}

void cs_pgp_factory(struct cs_pgp *p)
{
	size_t i;

	clear_persistent(p);
	for (i = 0; i < PGP_NKEYS; i++) {
		memcpy(p->keys[i].attr, rsa2048_attr, sizeof(rsa2048_attr));
		p->keys[i].attr_len = sizeof(rsa2048_attr);
	}
	for (i = 0; i < PGP_NDOS; i++)
		p->dos[i].tag = do_tags[i];
	pw_set(&p->pw1, "123456");
	pw_set(&p->pw3, "12345678");
	pw_set(&p->rc, "");
	p->pw1_multi = 0x00;
	p->sig_count = 0;
	p->terminated = false;
	cs_pgp_power(p);
}

void cs_pgp_power(struct cs_pgp *p)
{
	p->selected = false;
	p->pw1_81 = p->pw1_82 = p->pw3_ok = false;
	p->cert_occ = 0;
}

struct cs_pgp *cs_pgp_new(void)
{
	struct cs_pgp *p = calloc(1, sizeof(*p));

	if (p != NULL)
		cs_pgp_factory(p);
	return p;
}

void cs_pgp_free(struct cs_pgp *p)
{
	if (p == NULL)
		return;
	clear_persistent(p);
	OPENSSL_cleanse(p, sizeof(*p));
	free(p);
}

/* Manufacturer 0006 (Yubico) with the serial in BCD on the YubiKey profile; otherwise the
 * unmanaged range FF00 with the serial in binary. */
void cs_pgp_aid(const struct cs_card *c, uint8_t aid[16])
{
	uint32_t s = c->serial, bcd = 0;
	int i;

	memcpy(aid, pgp_rid, 6);
	aid[6] = 0x03;
	aid[7] = 0x04;
	if (c->profile == CS_PROFILE_YUBIKEY_OPENPGP) {
		aid[8] = 0x00, aid[9] = 0x06;
		for (i = 0; i < 8; i++, s /= 10)
			bcd |= (s % 10) << (4 * i);
		s = bcd;
	} else {
		aid[8] = 0xFF, aid[9] = 0x00;
	}
	for (i = 0; i < 4; i++)
		aid[10 + i] = (uint8_t)(s >> (24 - 8 * i));
	aid[14] = aid[15] = 0x00;
}

bool cs_pgp_aid_matches(const struct cs_card *c, const struct cs_apdu *a)
{
	uint8_t aid[16];

	/* The RID and PIX prefix D2 76 00 01 24 01, optionally followed by more of this card's
	 * AID (version, manufacturer, serial). */
	cs_pgp_aid(c, aid);
	return a->p1 == 0x04 && a->lc >= sizeof(pgp_rid) && a->lc <= sizeof(aid) &&
	       memcmp(a->data, aid, a->lc) == 0;
}

static uint16_t pgp_select(struct cs_card *c, const struct cs_apdu *a, struct cs_buf *out)
{
	struct cs_pgp *p = c->pgp;

	(void)out;
	if (a->p2 != 0x00 && a->p2 != 0x04 && a->p2 != 0x0C)
		return SW_WRONG_P1P2;
	if (!cs_pgp_aid_matches(c, a))
		return SW_NOT_FOUND;
	if (!p->selected) {
		cs_pgp_power(p); /* a fresh security context */
		p->selected = true;
	}
	return p->terminated ? SW_TERMINATED : SW_OK;
}

static uint16_t get_challenge(struct cs_card *c, const struct cs_apdu *a, struct cs_buf *out)
{
	uint8_t r[PGP_CHALLENGE_MAX];
	size_t n = a->le > PGP_CHALLENGE_MAX ? PGP_CHALLENGE_MAX : a->le;

	(void)c;
	if (a->p1 != 0 || a->p2 != 0)
		return SW_WRONG_P1P2;
	if (a->lc != 0 || n == 0)
		return SW_WRONG_LENGTH;
	if (cs_crypto_random(r, n) < 0 || cs_buf_append(out, r, n) < 0)
		return SW_UNKNOWN;
	return SW_OK;
}

/* TERMINATE DF: allowed after PW3 was verified, or once PW3 is blocked. */
static uint16_t terminate(struct cs_card *c, const struct cs_apdu *a, struct cs_buf *out)
{
	struct cs_pgp *p = c->pgp;

	(void)out;
	if (a->p1 != 0 || a->p2 != 0)
		return SW_WRONG_P1P2;
	if (!p->pw3_ok && p->pw3.left != 0)
		return SW_CONDITIONS;
	p->terminated = true;
	p->pw1_81 = p->pw1_82 = p->pw3_ok = false;
	c->dirty = true;
	return SW_OK;
}

/* ACTIVATE FILE: from the termination state back to the factory state (else a no-op). */
static uint16_t activate(struct cs_card *c, const struct cs_apdu *a, struct cs_buf *out)
{
	struct cs_pgp *p = c->pgp;

	(void)out;
	if (a->p1 != 0 || a->p2 != 0)
		return SW_WRONG_P1P2;
	if (p->terminated) {
		cs_pgp_factory(p);
		p->selected = true;
		c->dirty = true;
	}
	return SW_OK;
}

struct pgp_ins {
	uint8_t ins;
	cs_handler *fn;
};

static const struct pgp_ins table[] = {
	{ INS_GET_DATA, cs_pgp_get_data },
	{ INS_PUT_DATA, cs_pgp_put_data },
	{ INS_PUT_DATA_O, cs_pgp_import },
	{ INS_SELECT_DATA, cs_pgp_select_data },
	{ INS_VERIFY, cs_pgp_verify },
	{ INS_CHANGE, cs_pgp_change },
	{ INS_RESET_RC, cs_pgp_reset_retry },
	{ INS_PSO, cs_pgp_pso },
	{ INS_INT_AUTH, cs_pgp_internal_auth },
	{ INS_GENERATE, cs_pgp_generate },
	{ INS_CHALLENGE, get_challenge },
	{ INS_TERMINATE, terminate },
	{ INS_ACTIVATE, activate },
};

uint16_t cs_pgp_dispatch(struct cs_card *c, const struct cs_apdu *a, struct cs_buf *out)
{
	uint16_t sw = SW_INS_NOT_SUPPORTED;
	size_t i;

	if (a->ins == INS_SELECT) {
		sw = pgp_select(c, a, out);
		goto out;
	}
	if (!c->pgp->selected)
		goto out;
	/* In the termination state only ACTIVATE FILE (and SELECT) are answered. */
	if (c->pgp->terminated && a->ins != INS_ACTIVATE) {
		sw = SW_TERMINATED;
		goto out;
	}
	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		if (table[i].ins == a->ins) {
			sw = table[i].fn(c, a, out);
			break;
		}
	}
out:
	if (sw != SW_OK)
		cs_buf_clear(out);
	return sw;
}
