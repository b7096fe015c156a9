/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* card.c: card construction, factory defaults, volatile state, slot and object tables. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "card.h"
#include "pgp.h"

const uint8_t cs_default_pin[8] = { '1', '2', '3', '4', '5', '6', 0xFF, 0xFF };
const uint8_t cs_default_puk[8] = { '1', '2', '3', '4', '5', '6', '7', '8' };
const uint8_t cs_default_mgm[24] = {
	1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 6, 7, 8,
};

/* Object tags: PIV (SP 800-73-4 part 1 table 3), then the YubiKey-only ones (admin data,
 * attestation certificate, MS container map and roots: used by yubico-piv-tool/ykcs11). */
static const unsigned piv_tags[] = {
	0x7E, 0x7F61, 0x5FC101, 0x5FC102, 0x5FC103, 0x5FC105, 0x5FC106, 0x5FC107, 0x5FC108,
	0x5FC109, 0x5FC10A, 0x5FC10B, 0x5FC10C, 0x5FC10D, 0x5FC10E, 0x5FC10F, 0x5FC110,
	0x5FC111, 0x5FC112, 0x5FC113, 0x5FC114, 0x5FC115, 0x5FC116, 0x5FC117, 0x5FC118,
	0x5FC119, 0x5FC11A, 0x5FC11B, 0x5FC11C, 0x5FC11D, 0x5FC11E, 0x5FC11F, 0x5FC120,
	0x5FC121, 0x5FC122, 0x5FC123,
};
static const unsigned yubikey_tags[] = {
	0x5FFF00, 0x5FFF01, 0x5FFF10, 0x5FFF11, 0x5FFF12, 0x5FFF13, 0x5FFF14, 0x5FFF15,
};

static const uint8_t slot_ids[CS_NSLOTS] = {
	0x9A, 0x9C, 0x9D, 0x9E, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8A,
	0x8B, 0x8C, 0x8D, 0x8E, 0x8F, 0x90, 0x91, 0x92, 0x93, 0x94, 0x95, SLOT_ATTEST,
};

int cs_slot_index(uint8_t slot)
{
	int i;

	for (i = 0; i < CS_NSLOTS; i++)
		if (slot_ids[i] == slot)
			return i;
	return -1;
}

uint8_t cs_slot_id(int index)
{
	return slot_ids[index];
}

static void fill_object_table(struct cs_card *c)
{
	size_t i, k = 0;

	/* The YubiKey objects are kept in NIST mode too (hidden from GET/PUT DATA), so a state
	 * file used with both profiles loses nothing. */
	for (i = 0; i < sizeof(piv_tags) / sizeof(piv_tags[0]); i++)
		c->objects[k++].tag = piv_tags[i];
	for (i = 0; i < sizeof(yubikey_tags) / sizeof(yubikey_tags[0]); i++)
		c->objects[k++].tag = yubikey_tags[i];
}

struct cs_object *cs_object_visible(struct cs_card *c, unsigned tag)
{
	if (c->profile == CS_PROFILE_NIST && (tag >> 8) == 0x5FFF)
		return NULL;
	return cs_object_find(c, tag);
}

struct cs_object *cs_object_find(struct cs_card *c, unsigned tag)
{
	size_t i;

	for (i = 0; i < CS_NOBJECTS; i++)
		if (c->objects[i].tag != 0 && c->objects[i].tag == tag)
			return &c->objects[i];
	return NULL;
}

/* Fingerprints, facial image, printed information, iris: PIN required to read. */
bool cs_object_pin_protected(unsigned tag)
{
	return tag == 0x5FC103 || tag == 0x5FC108 || tag == 0x5FC109 || tag == 0x5FC121;
}

int cs_object_set(struct cs_object *o, const uint8_t *v, size_t n)
{
	uint8_t *p = NULL;

	if (n > 0) {
		p = malloc(n);
		if (p == NULL)
			return -1;
		memcpy(p, v, n);
	}
	free(o->data);
	o->data = p;
	o->len = n;
	return 0;
}

static void clear_persistent(struct cs_card *c)
{
	size_t i;

	for (i = 0; i < CS_NSLOTS; i++) {
		EVP_PKEY_free(c->keys[i].pkey);
		memset(&c->keys[i], 0, sizeof(c->keys[i]));
	}
	for (i = 0; i < CS_NOBJECTS; i++)
		(void)cs_object_set(&c->objects[i], NULL, 0);
}

void cs_card_factory(struct cs_card *c)
{
	clear_persistent(c);
	memcpy(c->pin, cs_default_pin, 8);
	memcpy(c->puk, cs_default_puk, 8);
	c->pin_total = c->pin_left = 3;
	c->puk_total = c->puk_left = 3;
	c->mgm_alg = ALG_3DES;
	c->mgm_touch = TOUCH_NEVER;
	memset(c->mgm_key, 0, sizeof(c->mgm_key));
	memcpy(c->mgm_key, cs_default_mgm, sizeof(cs_default_mgm));
	c->mgm_len = sizeof(cs_default_mgm);
	c->dirty = true;
}

void cs_card_power(struct cs_card *c)
{
	c->app = CS_APP_NONE;
	cs_pgp_power(c->pgp);
	c->selected = false;
	c->pin_verified = false;
	c->pin_always = false;
	c->mgm_authed = false;
	c->auth_step = AUTH_NONE;
	c->chaining = false;
	cs_buf_clear(&c->chain);
	cs_buf_clear(&c->pending);
}

struct cs_card *cs_card_new(enum cs_profile profile, uint32_t serial)
{
	struct cs_card *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	c->profile = profile;
	c->pgp = cs_pgp_new();
	if (c->pgp == NULL) {
		free(c);
		return NULL;
	}
	cs_buf_init(&c->chain);
	cs_buf_init(&c->pending);
	fill_object_table(c);
	while (serial == 0) {
		if (RAND_bytes((unsigned char *)&serial, sizeof(serial)) != 1) {
			cs_pgp_free(c->pgp);
			free(c);
			return NULL;
		}
		serial %= 100000000; /* YubiKey serials are decimal, up to 8 digits */
	}
	c->serial = serial;
	cs_card_factory(c);
	cs_card_power(c);
	return c;
}

void cs_card_free(struct cs_card *c)
{
	if (c == NULL)
		return;
	clear_persistent(c);
	cs_pgp_free(c->pgp);
	cs_buf_free(&c->chain);
	cs_buf_free(&c->pending);
	OPENSSL_cleanse(c, sizeof(*c));
	free(c);
}

static bool pin_byte_ok(const struct cs_card *c, uint8_t b, bool puk)
{
	(void)puk;
	if (b == 0xFF)
		return false;
	/* SP 800-73-4 restricts PIN and PUK to digits; the YubiKey takes any byte. */
	if (c->profile == CS_PROFILE_NIST)
		return b >= '0' && b <= '9';
	return true;
}

bool cs_pin_format_ok(const struct cs_card *c, const uint8_t ref[8], bool puk)
{
	size_t n = 0, i;

	while (n < 8 && ref[n] != 0xFF)
		n++;
	for (i = n; i < 8; i++)
		if (ref[i] != 0xFF)
			return false;
	/* NIST: PIN 6..8 digits, PUK exactly 8 digits; YubiKey: both 6..8 bytes. */
	if (n < 6 || (puk && c->profile == CS_PROFILE_NIST && n != 8))
		return false;
	for (i = 0; i < n; i++)
		if (!pin_byte_ok(c, ref[i], puk))
			return false;
	return true;
}
