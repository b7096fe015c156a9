/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* yubikey.c: YubiKey 5 PIV extensions: GET VERSION, GET SERIAL, SET MANAGEMENT KEY, RESET,
 * SET PIN RETRIES, GET METADATA. (They answer 6D00 with --profile nist, see piv.c.) */
#include "config.h"

#include <string.h>

#include "apdu.h"
#include "crypto.h"

/* Firmware 5.4.3: has GET METADATA and AES management keys. */
static const uint8_t fw_version[3] = { 5, 4, 3 };

uint16_t cs_yk_version(struct cs_card *c, const struct cs_apdu *a, struct cs_buf *out)
{
	(void)c;
	(void)a;
	return cs_buf_append(out, fw_version, 3) < 0 ? SW_UNKNOWN : SW_OK;
}

uint16_t cs_yk_serial(struct cs_card *c, const struct cs_apdu *a, struct cs_buf *out)
{
	uint8_t s[4] = { (uint8_t)(c->serial >> 24), (uint8_t)(c->serial >> 16),
			 (uint8_t)(c->serial >> 8), (uint8_t)c->serial };

	(void)a;
	return cs_buf_append(out, s, 4) < 0 ? SW_UNKNOWN : SW_OK;
}

/* SET MANAGEMENT KEY: P1 FF, P2 FF (no touch) / FE (touch); data alg 9B len key. */
uint16_t cs_yk_set_mgm(struct cs_card *c, const struct cs_apdu *a, struct cs_buf *out)
{
	size_t klen;

	(void)out;
	if (a->p1 != 0xFF || (a->p2 != 0xFF && a->p2 != 0xFE))
		return SW_WRONG_P1P2;
	if (!c->mgm_authed)
		return SW_SECURITY;
	if (a->lc < 3)
		return SW_WRONG_DATA;
	klen = cs_alg_mgm_keylen(a->data[0]);
	if (klen == 0 || a->data[1] != 0x9B || a->data[2] != klen || a->lc != 3 + klen)
		return SW_WRONG_DATA;
	c->mgm_alg = a->data[0];
	memset(c->mgm_key, 0, sizeof(c->mgm_key));
	memcpy(c->mgm_key, a->data + 3, klen);
	c->mgm_len = klen;
	c->mgm_touch = a->p2 == 0xFE ? TOUCH_ALWAYS : TOUCH_NEVER;
	c->dirty = true;
	return SW_OK;
}

/* RESET: only when both PIN and PUK are blocked. Everything but the serial is wiped. */
uint16_t cs_yk_reset(struct cs_card *c, const struct cs_apdu *a, struct cs_buf *out)
{
	(void)out;
	if (a->p1 != 0 || a->p2 != 0)
		return SW_WRONG_P1P2;
	if (c->pin_left != 0 || c->puk_left != 0)
		return SW_CONDITIONS;
	cs_card_factory(c);
	c->pin_verified = false;
	c->mgm_authed = false;
	return SW_OK;
}

/* SET PIN RETRIES: P1 PIN tries, P2 PUK tries; needs management key and PIN; the YubiKey
 * then resets PIN and PUK to their defaults. */
uint16_t cs_yk_set_retries(struct cs_card *c, const struct cs_apdu *a, struct cs_buf *out)
{
	(void)out;
	if (!c->mgm_authed || !c->pin_verified)
		return SW_SECURITY;
	if (a->p1 == 0 || a->p2 == 0)
		return SW_WRONG_P1P2;
	c->pin_total = c->pin_left = a->p1;
	c->puk_total = c->puk_left = a->p2;
	memcpy(c->pin, cs_default_pin, 8);
	memcpy(c->puk, cs_default_puk, 8);
	c->pin_verified = false;
	c->dirty = true;
	return SW_OK;
}

static int meta_pin(const struct cs_card *c, bool puk, struct cs_buf *out)
{
	const uint8_t *ref = puk ? c->puk : c->pin;
	uint8_t alg = 0xFF, dflt = memcmp(ref, puk ? cs_default_puk : cs_default_pin, 8) == 0;
	uint8_t tries[2] = { puk ? c->puk_total : c->pin_total, puk ? c->puk_left : c->pin_left };

	if (cs_buf_tlv(out, 0x01, &alg, 1) < 0 || cs_buf_tlv(out, 0x05, &dflt, 1) < 0)
		return -1;
	return cs_buf_tlv(out, 0x06, tries, 2);
}

static int meta_mgm(const struct cs_card *c, struct cs_buf *out)
{
	uint8_t policy[2] = { PIN_NEVER, c->mgm_touch };
	uint8_t dflt = c->mgm_alg == ALG_3DES && c->mgm_len == 24 &&
		       memcmp(c->mgm_key, cs_default_mgm, 24) == 0;

	if (cs_buf_tlv(out, 0x01, &c->mgm_alg, 1) < 0 || cs_buf_tlv(out, 0x02, policy, 2) < 0)
		return -1;
	return cs_buf_tlv(out, 0x05, &dflt, 1);
}

static int meta_key(const struct cs_key *k, struct cs_buf *out)
{
	uint8_t policy[2] = { k->pin_policy, k->touch_policy };
	struct cs_buf pub;
	int rc = -1;

	cs_buf_init(&pub);
	if (cs_buf_tlv(out, 0x01, &k->alg, 1) < 0 || cs_buf_tlv(out, 0x02, policy, 2) < 0 ||
	    cs_buf_tlv(out, 0x03, &k->origin, 1) < 0 || cs_crypto_pubkey_tlv(k->pkey, &pub) < 0)
		goto out;
	rc = cs_buf_tlv(out, 0x04, pub.data, pub.len);
out:
	cs_buf_free(&pub);
	return rc;
}

/* GET METADATA: P2 = 80 PIN, 81 PUK, 9B management key, or a key slot. */
uint16_t cs_yk_metadata(struct cs_card *c, const struct cs_apdu *a, struct cs_buf *out)
{
	int idx, rc;

	if (a->p1 != 0x00)
		return SW_WRONG_P1P2;
	if (a->p2 == 0x80 || a->p2 == 0x81) {
		rc = meta_pin(c, a->p2 == 0x81, out);
	} else if (a->p2 == 0x9B) {
		rc = meta_mgm(c, out);
	} else {
		idx = cs_slot_index(a->p2);
		if (idx < 0)
			return SW_WRONG_P1P2;
		if (a->p2 == SLOT_ATTEST && cs_attest_ensure(c) < 0)
			return SW_UNKNOWN;
		if (c->keys[idx].pkey == NULL)
			return SW_REF_NOT_FOUND; /* 6A88 for an empty slot, as a YubiKey 5 */
		rc = meta_key(&c->keys[idx], out);
	}
	return rc < 0 ? SW_UNKNOWN : SW_OK;
}
