/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * apdu/openpgp-ard.c: parsing the OpenPGP card's data objects (3.4, 4.4): the
 * application related data 6E (AID 4F, historical bytes 5F52, extended length
 * information 7F66, discretionary data objects 73 with C0..C6, CD, DE), the PW
 * status bytes C4, cardholder related data 65, the security support template 7A.
 * 2.x cards keep the maximum command and response lengths in C0 bytes 7-10 where
 * 3.x cards have the special DO size, PIN block 2 and MSE support.
 */
#include "config.h"

#include "apdu/openpgp.h"

#include <assert.h>
#include <string.h>

#include "apdu/log.h"
#include "apdu/tlv.h"

static uint32_t
be (const uint8_t *p, size_t n)
{
	uint32_t v = 0;
	size_t i;

	for (i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

/* The children of an object that may come with its own tag TAG or without it. */
static card_rv
children_of (const uint8_t *data, size_t len, uint32_t tag, struct tlv *out)
{
	if (data != NULL && len > 0 && tlv_expect (data, len, tag, 0, out) == TLV_OK)
		return CARD_OK;
	out->tag = tag;
	out->constructed = 1;
	out->value = data;
	out->len = len;
	return CARD_OK;
}

card_rv
opgp_parse_pw_status (const uint8_t *data, size_t len, struct opgp_pw_status *out)
{
	assert (out != NULL);
	memset (out, 0, sizeof *out);
	if (data == NULL || len < 7)
		return CARD_E_BAD_RESPONSE;
	out->pw1_multi = data[0] == 0x01;
	out->pw1_max = data[1] & 0x7F;
	out->pw1_pinblock2 = (data[1] & 0x80) != 0;
	out->rc_max = data[2];
	out->pw3_max = data[3] & 0x7F;
	out->pw1_tries = data[4];
	out->rc_tries = data[5];
	out->pw3_tries = data[6];
	return CARD_OK;
}

void
opgp_parse_historical (const uint8_t *data, size_t len, struct opgp_ard *out)
{
	size_t i, end, n;

	assert (out != NULL);
	if (data == NULL || len < 1 || len > sizeof out->hist)
		return;
	memcpy (out->hist, data, len);
	out->hist_len = len;
	if (data[0] == 0x00 && len >= 4) {
		end = len - 3;                 /* status indicator: LCS SW1 SW2 */
		out->lcs = data[len - 3];
	} else if (data[0] == 0x80) {
		end = len;
	} else {
		return;
	}
	/* Compact TLVs: tag in the high nibble, length in the low one. */
	for (i = 1; i < end; i += 1 + n) {
		n = data[i] & 0x0F;
		if (i + 1 + n > end)
			break;
		if ((data[i] >> 4) == 7 && n == 3) {
			out->cmd_chaining = (data[i + 3] & 0x80) != 0;
			out->ext_lc_le = (data[i + 3] & 0x40) != 0;
		}
		if ((data[i] >> 4) == 8 && n >= 1 && data[0] == 0x80)
			out->lcs = data[i + 1];   /* status indicator as a compact TLV */
	}
}

/* C0 (the maximum lengths that 3.x cards give in 7F66 are kept). */
static void
parse_caps (const uint8_t *c0, size_t len, uint16_t version, struct opgp_caps *caps)
{
	size_t max_cmd = caps->max_cmd, max_resp = caps->max_resp;

	memset (caps, 0, sizeof *caps);
	if (version >= 0x0300) {
		caps->max_cmd = max_cmd;
		caps->max_resp = max_resp;
	}
	if (len >= 1)
		caps->flags = c0[0];
	if (len < 10)
		return;
	caps->sm_algo = c0[1];
	caps->max_challenge = be (c0 + 2, 2);
	caps->max_cert = be (c0 + 4, 2);
	if (version < 0x0300) {
		caps->max_cmd = be (c0 + 6, 2);
		caps->max_resp = be (c0 + 8, 2);
	} else {
		caps->max_special = be (c0 + 6, 2);
		caps->pin_block2 = c0[8] & 0x01;
		caps->mse = c0[9] & 0x01;
	}
}

/* 7F66: 02 02 max-command 02 02 max-response (3.x). */
static void
parse_ext_len (const struct tlv *t, struct opgp_caps *caps)
{
	struct tlv_iter it;
	struct tlv v;
	size_t *dst[2] = { &caps->max_cmd, &caps->max_resp };
	int i = 0;

	tlv_iter_children (&it, t);
	while (i < 2 && tlv_next (&it, &v) == TLV_OK) {
		if (v.tag == 0x02 && v.len >= 1 && v.len <= 3)
			*dst[i++] = be (v.value, v.len);
	}
}

static void
parse_slot_dos (const struct tlv *t, struct opgp_ard *out)
{
	size_t i;

	if (t->tag == 0xC5 && t->len >= 60)
		memcpy (out->fpr, t->value, 60);
	else if (t->tag == 0xC6 && t->len >= 60)
		memcpy (out->ca_fpr, t->value, 60);
	else if (t->tag == 0xCD && t->len >= 12) {
		for (i = 0; i < OPGP_NKEYS; i++)
			out->gen_time[i] = be (t->value + 4 * i, 4);
	} else if (t->tag == 0xDE) {
		for (i = 0; i + 1 < t->len; i += 2) {
			if (t->value[i] >= 1 && t->value[i] <= OPGP_NKEYS)
				out->key_status[t->value[i] - 1] = t->value[i + 1];
		}
	}
}

/* One child of 73 (or of 6E on cards without 73); sets bit N of *seen for C0 + N. */
static card_rv
parse_do (const struct tlv *t, struct opgp_ard *out, unsigned *seen)
{
	size_t k;

	if (t->tag == 0xC0) {
		parse_caps (t->value, t->len, out->version, &out->caps);
		*seen |= 1u;
	} else if (t->tag >= 0xC1 && t->tag <= 0xC3) {
		k = t->tag - 0xC1;
		if (t->len > sizeof out->attr[k])
			return CARD_E_BAD_RESPONSE;
		memcpy (out->attr[k], t->value, t->len);
		out->attr_len[k] = t->len;
		if (opgp_algo_parse (t->value, t->len, &out->algo[k]) != CARD_OK)
			tsr_log ("openpgp", "slot %zu: algorithm attributes not understood", k + 1);
		*seen |= 1u << (k + 1);
	} else if (t->tag == 0xC4) {
		if (opgp_parse_pw_status (t->value, t->len, &out->pw) != CARD_OK)
			return CARD_E_BAD_RESPONSE;
		*seen |= 1u << 4;
	} else {
		parse_slot_dos (t, out);
	}
	return CARD_OK;
}

static card_rv
parse_list (const struct tlv *parent, struct opgp_ard *out, unsigned *seen)
{
	struct tlv_iter it;
	struct tlv t;
	tlv_rv trv;
	card_rv rv;

	tlv_iter_children (&it, parent);
	while ((trv = tlv_next (&it, &t)) == TLV_OK) {
		rv = CARD_OK;
		if (t.tag == 0x5F52)
			opgp_parse_historical (t.value, t.len, out);
		else if (t.tag == 0x7F66)
			parse_ext_len (&t, &out->caps);
		else if (t.tag == 0x73)
			rv = parse_list (&t, out, seen);
		else if (t.tag != 0x4F)
			rv = parse_do (&t, out, seen);
		if (rv != CARD_OK)
			return rv;
	}
	return trv == TLV_END ? CARD_OK : CARD_E_BAD_RESPONSE;
}

card_rv
opgp_parse_ard (const uint8_t *data, size_t len, struct opgp_ard *out)
{
	struct tlv top, aid;
	unsigned seen = 0;
	card_rv rv;
	size_t i;

	assert (out != NULL);
	memset (out, 0, sizeof *out);
	for (i = 0; i < OPGP_NKEYS; i++)
		out->key_status[i] = 0xFF;
	children_of (data, len, 0x6E, &top);
	/* The AID first: the version decides how C0 reads. */
	if (tlv_find_child (&top, 0x4F, &aid) == TLV_OK && aid.len == 16) {
		memcpy (out->aid, aid.value, 16);
		out->version = (uint16_t)be (out->aid + 6, 2);
		out->manufacturer = (uint16_t)be (out->aid + 8, 2);
		out->serial = be (out->aid + 10, 4);
	}
	rv = parse_list (&top, out, &seen);
	if (rv == CARD_OK && (out->version == 0 || (seen & 0x1F) != 0x1F))
		rv = CARD_E_BAD_RESPONSE;
	if (rv != CARD_OK) {
		tsr_log ("openpgp", "application related data unusable (AID, C0..C4: %x)", seen);
		return rv;
	}
	return CARD_OK;
}

card_rv
opgp_parse_cardholder (const uint8_t *data, size_t len, struct opgp_cardholder *out)
{
	struct tlv top, t;

	assert (out != NULL);
	memset (out, 0, sizeof *out);
	children_of (data, len, 0x65, &top);
	if (tlv_find_child (&top, 0x5B, &t) == TLV_OK) {
		if (t.len >= sizeof out->name)
			return CARD_E_BAD_RESPONSE;
		memcpy (out->name, t.value, t.len);
	}
	if (tlv_find_child (&top, 0x5F2D, &t) == TLV_OK) {
		if (t.len >= sizeof out->lang)
			return CARD_E_BAD_RESPONSE;
		memcpy (out->lang, t.value, t.len);
	}
	if (tlv_find_child (&top, 0x5F35, &t) == TLV_OK && t.len == 1)
		out->sex = t.value[0];
	return CARD_OK;
}

card_rv
opgp_parse_sig_counter (const uint8_t *data, size_t len, uint32_t *count)
{
	struct tlv top, t;

	assert (count != NULL);
	*count = 0;
	children_of (data, len, 0x7A, &top);
	if (tlv_find_child (&top, 0x93, &t) != TLV_OK || t.len < 1 || t.len > 4)
		return CARD_E_BAD_RESPONSE;
	*count = be (t.value, t.len);
	return CARD_OK;
}

int
opgp_has_key (const struct opgp_ard *ard, enum opgp_key key)
{
	static const uint8_t zero[20];

	/* The key information (3.3+) knows; older cards only have the host's fingerprint. */
	if (ard->key_status[key] != 0xFF)
		return ard->key_status[key] != 0;
	return memcmp (ard->fpr[key], zero, 20) != 0;
}
