/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* auth.c: GENERAL AUTHENTICATE (SP 800-73-4 part 2, 3.2.4): management key (9B) witness and
 * challenge-response, RSA raw private-key operation, ECDSA, ECDH. */
#include "config.h"

#include <string.h>

#include <openssl/crypto.h>

#include "apdu.h"
#include "crypto.h"
#include "tlv.h"

#define SLOT_MGM 0x9B

struct ga_tags {
	struct cs_tlv witness, challenge, response, exp;
	bool has_witness, has_challenge, has_response, has_exp;
};

/* Splits the 7C template; 0, or -1 when malformed. */
static int parse_7c(const struct cs_apdu *a, struct ga_tags *g)
{
	struct cs_tlv outer, t;
	const uint8_t *p;
	size_t left;
	int rc;

	memset(g, 0, sizeof(*g));
	if (cs_tlv_single(a->data, a->lc, 0x7C, &outer) < 0)
		return -1;
	p = outer.val;
	left = outer.len;
	while ((rc = cs_tlv_next(&p, &left, &t)) == 1) {
		switch (t.tag) {
		case 0x80: g->witness = t; g->has_witness = true; break;
		case 0x81: g->challenge = t; g->has_challenge = true; break;
		case 0x82: g->response = t; g->has_response = true; break;
		case 0x85: g->exp = t; g->has_exp = true; break;
		default: return -1;
		}
	}
	return rc;
}

/* Answers 7C { TAG block } with BLOCK (encrypted first when ENC). */
static uint16_t answer_block(struct cs_card *c, unsigned tag, const uint8_t *block, bool enc,
			     struct cs_buf *out)
{
	size_t bs = cs_alg_block(c->mgm_alg);
	uint8_t tmp[16], inner[20];

	if (enc) {
		if (cs_crypto_block(c->mgm_alg, c->mgm_key, block, tmp, true) < 0)
			return SW_UNKNOWN;
	} else {
		memcpy(tmp, block, bs);
	}
	inner[0] = (uint8_t)tag;
	inner[1] = (uint8_t)bs;
	memcpy(inner + 2, tmp, bs);
	return cs_buf_tlv(out, 0x7C, inner, bs + 2) < 0 ? SW_UNKNOWN : SW_OK;
}

static uint16_t mgm_auth(struct cs_card *c, const struct cs_apdu *a, struct cs_buf *out)
{
	size_t bs = cs_alg_block(c->mgm_alg);
	enum cs_auth_step step = c->auth_step;
	struct ga_tags g;
	uint8_t tmp[16];

	if (a->p1 != c->mgm_alg)
		return SW_WRONG_P1P2;
	if (parse_7c(a, &g) < 0)
		return SW_WRONG_DATA;
	c->auth_step = AUTH_NONE;
	c->mgm_authed = false;
	if (g.has_witness && g.witness.len == 0 && !g.has_challenge && !g.has_response) {
		/* Step 1 of mutual authentication: the card's witness, encrypted. */
		if (cs_crypto_random(c->auth_block, bs) < 0)
			return SW_UNKNOWN;
		c->auth_step = AUTH_WITNESS;
		return answer_block(c, 0x80, c->auth_block, true, out);
	}
	if (g.has_witness && g.has_challenge && !g.has_response) {
		/* Step 2: the decrypted witness proves the host; answer its challenge. */
		if (step != AUTH_WITNESS || g.witness.len != bs || g.challenge.len != bs)
			return step != AUTH_WITNESS ? SW_CONDITIONS : SW_WRONG_DATA;
		if (CRYPTO_memcmp(g.witness.val, c->auth_block, bs) != 0)
			return SW_SECURITY;
		c->mgm_authed = true;
		return answer_block(c, 0x82, g.challenge.val, true, out);
	}
	if (g.has_challenge && g.challenge.len == 0 && !g.has_witness && !g.has_response) {
		/* External authentication, step 1: a plain challenge. */
		if (cs_crypto_random(c->auth_block, bs) < 0)
			return SW_UNKNOWN;
		c->auth_step = AUTH_CHALLENGE;
		return answer_block(c, 0x81, c->auth_block, false, out);
	}
	if (g.has_response && !g.has_witness && !g.has_challenge) {
		if (step != AUTH_CHALLENGE)
			return SW_CONDITIONS;
		if (g.response.len != bs)
			return SW_WRONG_DATA;
		if (cs_crypto_block(c->mgm_alg, c->mgm_key, c->auth_block, tmp, true) < 0)
			return SW_UNKNOWN;
		if (CRYPTO_memcmp(tmp, g.response.val, bs) != 0)
			return SW_SECURITY;
		c->mgm_authed = true;
		return SW_OK;
	}
	return SW_WRONG_DATA;
}

/* The PIN policy of a key: never / once (verified this session) / always (VERIFY just before). */
static bool pin_policy_met(const struct cs_card *c, const struct cs_key *k)
{
	switch (k->pin_policy) {
	case PIN_NEVER: return true;
	case PIN_ALWAYS: return c->pin_always && c->pin_verified;
	default: return c->pin_verified;
	}
}

static uint16_t key_op(struct cs_card *c, const struct cs_key *k, const struct ga_tags *g,
		       struct cs_buf *res)
{
	if (!g->has_response || g->response.len != 0)
		return SW_WRONG_DATA;
	if (g->has_exp && !g->has_challenge && cs_alg_is_ec(k->alg))
		return cs_crypto_ecdh(k->pkey, k->alg, g->exp.val, g->exp.len, res) < 0 ? SW_WRONG_DATA : SW_OK;
	if (!g->has_challenge || g->has_exp)
		return SW_WRONG_DATA;
	if (cs_alg_is_rsa(k->alg)) {
		if (g->challenge.len != cs_alg_rsa_bits(k->alg) / 8)
			return SW_WRONG_DATA;
		return cs_crypto_rsa_raw(k->pkey, g->challenge.val, g->challenge.len, res) < 0 ? SW_WRONG_DATA : SW_OK;
	}
	/* ECDSA over the given hash, at most the field size (as a YubiKey). */
	if (g->challenge.len == 0 || g->challenge.len > cs_alg_ec_bytes(k->alg))
		return SW_WRONG_DATA;
	return cs_crypto_ecdsa(k->pkey, g->challenge.val, g->challenge.len, res) < 0 ? SW_UNKNOWN : SW_OK;
}

uint16_t cs_piv_general_auth(struct cs_card *c, const struct cs_apdu *a, struct cs_buf *out)
{
	struct cs_buf res;
	struct cs_key *k;
	struct ga_tags g;
	uint16_t sw;
	int idx;

	if (a->p2 == SLOT_MGM)
		return mgm_auth(c, a, out);
	idx = cs_slot_index(a->p2);
	if (idx < 0 || a->p2 == SLOT_ATTEST)
		return SW_WRONG_P1P2;
	if (!cs_alg_is_rsa(a->p1) && !cs_alg_is_ec(a->p1))
		return SW_WRONG_P1P2;
	k = &c->keys[idx];
	/* An empty slot, or a key of another algorithm: 6A80 (as a YubiKey 5). */
	if (k->pkey == NULL || k->alg != a->p1)
		return SW_WRONG_DATA;
	if (parse_7c(a, &g) < 0)
		return SW_WRONG_DATA;
	if (!pin_policy_met(c, k))
		return SW_SECURITY;
	cs_buf_init(&res);
	sw = key_op(c, k, &g, &res);
	if (sw == SW_OK && cs_buf_tlv_header(out, 0x7C, res.len + 2 + (res.len >= 0x80) + (res.len > 0xFF)) < 0)
		sw = SW_UNKNOWN;
	if (sw == SW_OK && cs_buf_tlv(out, 0x82, res.data, res.len) < 0)
		sw = SW_UNKNOWN;
	cs_buf_free(&res);
	return sw;
}
