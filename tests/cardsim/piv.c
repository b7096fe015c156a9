/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* piv.c: the PIV application's dispatcher, SELECT, GET DATA and PUT DATA (SP 800-73-4 part 2,
 * sections 3.1.1, 3.1.2, 3.3.2). */
#include "config.h"

#include <string.h>

#include "apdu.h"
#include "tlv.h"

#define INS_SELECT     0xA4
#define INS_GET_DATA   0xCB
#define INS_PUT_DATA   0xDB
#define INS_VERIFY     0x20
#define INS_CHANGE     0x24
#define INS_RESET_RC   0x2C
#define INS_GEN_AUTH   0x87
#define INS_GENERATE   0x47
/* YubiKey extensions (INS values from yubico-piv-tool's documentation). */
#define INS_YK_METADATA 0xF7
#define INS_YK_SERIAL   0xF8
#define INS_YK_ATTEST   0xF9
#define INS_YK_RETRIES  0xFA
#define INS_YK_RESET    0xFB
#define INS_YK_VERSION  0xFD
#define INS_YK_IMPORT   0xFE
#define INS_YK_SET_MGM  0xFF

/* YubiKey 5 stores at most this much in one object; a NIST card here gets more room. */
#define OBJ_MAX_YUBIKEY 3052
#define OBJ_MAX_NIST    16384

static const uint8_t piv_aid[11] = { 0xA0, 0x00, 0x00, 0x03, 0x08, 0x00, 0x00, 0x10, 0x00, 0x01, 0x00 };

struct ins_entry {
	uint8_t ins;
	bool yubikey; /* a YubiKey extension: 6D00 with --profile nist */
	cs_handler *fn;
};

static const struct ins_entry table[] = {
	{ INS_GET_DATA, false, cs_piv_get_data },
	{ INS_PUT_DATA, false, cs_piv_put_data },
	{ INS_VERIFY, false, cs_pin_verify },
	{ INS_CHANGE, false, cs_pin_change },
	{ INS_RESET_RC, false, cs_pin_reset_retry },
	{ INS_GEN_AUTH, false, cs_piv_general_auth },
	{ INS_GENERATE, false, cs_piv_generate },
	{ INS_YK_METADATA, true, cs_yk_metadata },
	{ INS_YK_SERIAL, true, cs_yk_serial },
	{ INS_YK_ATTEST, true, cs_yk_attest },
	{ INS_YK_RETRIES, true, cs_yk_set_retries },
	{ INS_YK_RESET, true, cs_yk_reset },
	{ INS_YK_VERSION, true, cs_yk_version },
	{ INS_YK_IMPORT, true, cs_yk_import },
	{ INS_YK_SET_MGM, true, cs_yk_set_mgm },
};

uint16_t cs_piv_dispatch(struct cs_card *c, const struct cs_apdu *a, struct cs_buf *out)
{
	uint16_t sw = SW_INS_NOT_SUPPORTED;
	size_t i;

	if (a->ins == INS_SELECT) {
		sw = cs_piv_select(c, a, out);
		goto out;
	}
	/* No application selected after power-up: nothing answers these instructions. */
	if (!c->selected)
		goto out;
	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		if (table[i].ins != a->ins)
			continue;
		if (table[i].yubikey && c->profile == CS_PROFILE_NIST)
			break;
		sw = table[i].fn(c, a, out);
		break;
	}
out:
	/* PIN policy "always": the PIN must be verified by the command just before. */
	if (a->ins != INS_VERIFY)
		c->pin_always = false;
	if (sw != SW_OK && (sw & 0xFF00) != 0x6100)
		cs_buf_clear(out);
	return sw;
}

/* Application property template (SP 800-73-4 part 2, table 3). */
static int put_apt(const struct cs_card *c, struct cs_buf *out)
{
	static const uint8_t aid_tail[6] = { 0x00, 0x00, 0x10, 0x00, 0x01, 0x00 };
	static const uint8_t auth[7] = { 0x4F, 0x05, 0xA0, 0x00, 0x00, 0x03, 0x08 };
	static const uint8_t label[] = "cardsim PIV";
	static const uint8_t algs[] = { 0x80, 0x01, ALG_3DES, 0x80, 0x01, ALG_AES128, 0x80, 0x01,
		ALG_AES192, 0x80, 0x01, ALG_AES256, 0x80, 0x01, ALG_RSA1024, 0x80, 0x01, ALG_RSA2048,
		0x80, 0x01, ALG_ECCP256, 0x80, 0x01, ALG_ECCP384, 0x06, 0x01, 0x00 };
	struct cs_buf in;
	int rc = -1;

	cs_buf_init(&in);
	if (cs_buf_tlv(&in, 0x4F, aid_tail, sizeof(aid_tail)) < 0 ||
	    cs_buf_tlv(&in, 0x79, auth, sizeof(auth)) < 0)
		goto out;
	/* A YubiKey 5 answers only 4F and 79 (Yubico's documented SELECT response); the NIST
	 * profile adds the label and the mandatory algorithm template AC. */
	if (c->profile == CS_PROFILE_NIST &&
	    (cs_buf_tlv(&in, 0x50, label, sizeof(label) - 1) < 0 ||
	     cs_buf_tlv(&in, 0xAC, algs, sizeof(algs)) < 0))
		goto out;
	rc = cs_buf_tlv(out, 0x61, in.data, in.len);
out:
	cs_buf_free(&in);
	return rc;
}

uint16_t cs_piv_select(struct cs_card *c, const struct cs_apdu *a, struct cs_buf *out)
{
	if (a->p1 != 0x04 || (a->p2 != 0x00 && a->p2 != 0x0C))
		return SW_WRONG_P1P2;
	if (a->lc < 5 || a->lc > sizeof(piv_aid) || memcmp(a->data, piv_aid, a->lc) != 0)
		return SW_NOT_FOUND; /* some other application: the current selection stays */
	if (!c->selected) {
		/* Selecting the PIV application anew starts a fresh security context;
		 * re-selecting it while selected keeps the PIN state (OpenSC relies on this). */
		c->pin_verified = false;
		c->mgm_authed = false;
		c->auth_step = AUTH_NONE;
		c->selected = true;
	}
	if (a->p2 == 0x0C)
		return SW_OK;
	return put_apt(c, out) < 0 ? SW_UNKNOWN : SW_OK;
}

/* Parses the tag list 5C of GET DATA: 0 and *TAG, or the SW to answer. */
static uint16_t requested_tag(const struct cs_apdu *a, unsigned *tag)
{
	struct cs_tlv t;
	size_t i;

	if (a->lc == 0)
		return SW_WRONG_DATA;
	if (cs_tlv_single(a->data, a->lc, 0x5C, &t) < 0 || t.len < 1 || t.len > 3)
		return SW_WRONG_DATA;
	*tag = 0;
	for (i = 0; i < t.len; i++)
		*tag = (*tag << 8) | t.val[i];
	return 0;
}

static bool raw_object(unsigned tag)
{
	return tag == 0x7E || tag == 0x7F61; /* stored and returned as their own TLV, not in 53 */
}

uint16_t cs_piv_get_data(struct cs_card *c, const struct cs_apdu *a, struct cs_buf *out)
{
	struct cs_object *o;
	unsigned tag;
	uint16_t sw;

	if (a->p1 != 0x3F || a->p2 != 0xFF)
		return SW_WRONG_P1P2;
	sw = requested_tag(a, &tag);
	if (sw != 0)
		return sw;
	o = cs_object_visible(c, tag);
	if (o == NULL)
		return SW_NOT_FOUND;
	if (cs_object_pin_protected(tag) && !c->pin_verified)
		return SW_SECURITY;
	/* A YubiKey leaves the factory with an attestation certificate in 5FFF01. */
	if (tag == 0x5FFF01 && o->data == NULL && cs_attest_ensure(c) < 0)
		return SW_UNKNOWN;
	if (o->data == NULL)
		return SW_NOT_FOUND;
	if (raw_object(tag))
		return cs_buf_append(out, o->data, o->len) < 0 ? SW_UNKNOWN : SW_OK;
	return cs_buf_tlv(out, 0x53, o->data, o->len) < 0 ? SW_UNKNOWN : SW_OK;
}

/* PUT DATA body: 5C tag 53 value, or a 7E / 7F61 TLV on its own. Sets *O, *V, *N. */
static uint16_t put_target(struct cs_card *c, const struct cs_apdu *a, struct cs_object **o,
			   const uint8_t **v, size_t *n)
{
	const uint8_t *p = a->data;
	size_t left = a->lc, i;
	struct cs_tlv t, d;
	unsigned tag = 0;

	if (cs_tlv_next(&p, &left, &t) != 1)
		return SW_WRONG_DATA;
	if (raw_object(t.tag) && left == 0) {
		*o = cs_object_visible(c, t.tag);
		*v = a->data;
		*n = a->lc;
		return 0;
	}
	if (t.tag != 0x5C || t.len < 1 || t.len > 3)
		return SW_WRONG_DATA;
	for (i = 0; i < t.len; i++)
		tag = (tag << 8) | t.val[i];
	if (raw_object(tag) || cs_tlv_single(p, left, 0x53, &d) < 0)
		return SW_WRONG_DATA;
	*o = cs_object_visible(c, tag);
	if (*o == NULL)
		return SW_WRONG_DATA;
	*v = d.val;
	*n = d.len;
	return 0;
}

uint16_t cs_piv_put_data(struct cs_card *c, const struct cs_apdu *a, struct cs_buf *out)
{
	struct cs_object *o = NULL;
	const uint8_t *v = NULL;
	size_t n = 0;
	uint16_t sw;

	(void)out;
	if (a->p1 != 0x3F || a->p2 != 0xFF)
		return SW_WRONG_P1P2;
	if (!c->mgm_authed)
		return SW_SECURITY;
	sw = put_target(c, a, &o, &v, &n);
	if (sw != 0)
		return sw;
	if (n > (c->profile != CS_PROFILE_NIST ? OBJ_MAX_YUBIKEY : OBJ_MAX_NIST))
		return SW_NO_SPACE;
	if (cs_object_set(o, v, n) < 0)
		return SW_NO_SPACE;
	c->dirty = true;
	return SW_OK;
}
