/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* keys.c: GENERATE ASYMMETRIC KEY PAIR (SP 800-73-4 part 2, 3.3.2) and the YubiKey's IMPORT
 * ASYMMETRIC KEY (INS FE). */
#include "config.h"

#include <string.h>

#include "apdu.h"
#include "crypto.h"
#include "tlv.h"

/* Default PIN policies: 9C signature key "always", 9E card authentication "never". */
static uint8_t default_pin_policy(uint8_t slot)
{
	return slot == 0x9C ? PIN_ALWAYS : slot == 0x9E ? PIN_NEVER : PIN_ONCE;
}

/* Reads the optional AA (PIN policy) and AB (touch policy) TLVs from T; 0 or the SW. */
static uint16_t policies(const struct cs_tlv *t, uint8_t *pin, uint8_t *touch)
{
	if (t->tag == 0xAA) {
		if (t->len != 1 || t->val[0] > PIN_ALWAYS)
			return SW_WRONG_DATA;
		*pin = t->val[0];
	} else if (t->tag == 0xAB) {
		if (t->len != 1 || t->val[0] > TOUCH_CACHED)
			return SW_WRONG_DATA;
		*touch = t->val[0];
	}
	return 0;
}

/* Stores K (ownership taken) in the slot at IDX. */
static void store_key(struct cs_card *c, int idx, EVP_PKEY *k, uint8_t alg, uint8_t pin,
		      uint8_t touch, uint8_t origin)
{
	struct cs_key *s = &c->keys[idx];

	EVP_PKEY_free(s->pkey);
	s->pkey = k;
	s->alg = alg;
	s->pin_policy = pin ? pin : default_pin_policy(cs_slot_id(idx));
	s->touch_policy = touch ? touch : TOUCH_NEVER;
	s->origin = origin;
	c->dirty = true;
}

static uint16_t parse_gen_template(const struct cs_apdu *a, uint8_t *alg, uint8_t *pin, uint8_t *touch)
{
	struct cs_tlv tpl, t;
	const uint8_t *p;
	size_t left;
	uint16_t sw;
	int rc;

	*alg = 0;
	if (cs_tlv_single(a->data, a->lc, 0xAC, &tpl) < 0)
		return SW_WRONG_DATA;
	p = tpl.val;
	left = tpl.len;
	while ((rc = cs_tlv_next(&p, &left, &t)) == 1) {
		if (t.tag == 0x80 && t.len == 1)
			*alg = t.val[0];
		else if ((sw = policies(&t, pin, touch)) != 0)
			return sw;
	}
	if (rc < 0 || (!cs_alg_is_rsa(*alg) && !cs_alg_is_ec(*alg)))
		return SW_WRONG_DATA;
	return 0;
}

uint16_t cs_piv_generate(struct cs_card *c, const struct cs_apdu *a, struct cs_buf *out)
{
	uint8_t alg, pin = 0, touch = 0;
	struct cs_buf pub;
	EVP_PKEY *k = NULL;
	uint16_t sw;
	int idx = cs_slot_index(a->p2);

	cs_buf_init(&pub);
	if (a->p1 != 0x00 || idx < 0 || a->p2 == SLOT_ATTEST) {
		sw = SW_WRONG_P1P2;
		goto out;
	}
	if (!c->mgm_authed) {
		sw = SW_SECURITY;
		goto out;
	}
	sw = parse_gen_template(a, &alg, &pin, &touch);
	if (sw != 0)
		goto out;
	k = cs_crypto_generate(alg);
	sw = SW_UNKNOWN;
	if (k == NULL || cs_crypto_pubkey_tlv(k, &pub) < 0 || cs_buf_tlv(out, 0x7F49, pub.data, pub.len) < 0)
		goto out;
	store_key(c, idx, k, alg, pin, touch, ORIGIN_GENERATED);
	k = NULL;
	sw = SW_OK;
out:
	EVP_PKEY_free(k);
	cs_buf_free(&pub);
	return sw;
}

/* Collects the import TLVs: RSA 01..05, EC 06, policies AA/AB. */
static uint16_t import_parts(const struct cs_apdu *a, const uint8_t *part[6], size_t len[6],
			     uint8_t *pin, uint8_t *touch)
{
	const uint8_t *p = a->data;
	size_t left = a->lc;
	struct cs_tlv t;
	uint16_t sw;
	int rc;

	while ((rc = cs_tlv_next(&p, &left, &t)) == 1) {
		if (t.tag >= 0x01 && t.tag <= 0x06) {
			part[t.tag - 1] = t.val;
			len[t.tag - 1] = t.len;
		} else if (t.tag == 0xAA || t.tag == 0xAB) {
			if ((sw = policies(&t, pin, touch)) != 0)
				return sw;
		} else {
			return SW_WRONG_DATA;
		}
	}
	return rc < 0 ? SW_WRONG_DATA : 0;
}

/* YubiKey IMPORT ASYMMETRIC KEY: P1 algorithm, P2 slot. */
uint16_t cs_yk_import(struct cs_card *c, const struct cs_apdu *a, struct cs_buf *out)
{
	const uint8_t *part[6] = { NULL };
	size_t len[6] = { 0 };
	uint8_t pin = 0, touch = 0;
	EVP_PKEY *k = NULL;
	uint16_t sw;
	int i, idx = cs_slot_index(a->p2);

	(void)out;
	if (idx < 0 || (!cs_alg_is_rsa(a->p1) && !cs_alg_is_ec(a->p1)))
		return SW_WRONG_P1P2;
	if (!c->mgm_authed)
		return SW_SECURITY;
	sw = import_parts(a, part, len, &pin, &touch);
	if (sw != 0)
		return sw;
	if (cs_alg_is_rsa(a->p1)) {
		for (i = 0; i < 5; i++)
			if (part[i] == NULL)
				return SW_WRONG_DATA;
		k = cs_crypto_import_rsa(a->p1, part, len);
	} else if (part[5] != NULL) {
		k = cs_crypto_import_ec(a->p1, part[5], len[5]);
	}
	if (k == NULL)
		return SW_WRONG_DATA;
	store_key(c, idx, k, a->p1, pin, touch, ORIGIN_IMPORTED);
	return SW_OK;
}
