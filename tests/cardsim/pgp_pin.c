/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pgp_pin.c: VERIFY, CHANGE REFERENCE DATA and RESET RETRY COUNTER of the OpenPGP application
 * (3.4, 7.2.2-7.2.4): PW1 (81 for PSO:CDS, 82 for the other operations, one value and one
 * counter), PW3 (83), the resetting code; a wrong password answers 6982 and counts down, a
 * blocked one 6983; VERIFY without data reports the status (9000, or 63Cx tries left). */
#include "config.h"

#include <string.h>

#include <openssl/crypto.h>

#include "pgp.h"
#include "tlv.h"

#define PW1_MIN 6
#define PW3_MIN 8
#define RC_MIN 8

static struct cs_pgp_pw *pw_of(struct cs_pgp *p, uint8_t ref)
{
	return ref == 0x81 || ref == 0x82 ? &p->pw1 : ref == 0x83 ? &p->pw3 : NULL;
}

static bool *flag_of(struct cs_pgp *p, uint8_t ref)
{
	return ref == 0x81 ? &p->pw1_81 : ref == 0x82 ? &p->pw1_82 : &p->pw3_ok;
}

/* Compares a presented value; counts down on failure, back to full on success. */
static bool pw_check(struct cs_card *c, struct cs_pgp_pw *pw, const uint8_t *v, size_t n)
{
	if (n == pw->len && CRYPTO_memcmp(pw->ref, v, n) == 0) {
		if (pw->left != PGP_PW_TRIES)
			c->dirty = true;
		pw->left = PGP_PW_TRIES;
		return true;
	}
	if (pw->left > 0)
		pw->left--;
	c->dirty = true;
	return false;
}

static uint16_t wrong_sw(const struct cs_pgp_pw *pw)
{
	return pw->left == 0 ? SW_BLOCKED : SW_SECURITY;
}

static void pw_store(struct cs_card *c, struct cs_pgp_pw *pw, const uint8_t *v, size_t n)
{
	OPENSSL_cleanse(pw->ref, sizeof(pw->ref));
	memcpy(pw->ref, v, n);
	pw->len = n;
	pw->left = PGP_PW_TRIES;
	c->dirty = true;
}

uint16_t cs_pgp_verify(struct cs_card *c, const struct cs_apdu *a, struct cs_buf *out)
{
	struct cs_pgp_pw *pw = pw_of(c->pgp, a->p2);
	bool *flag;

	(void)out;
	if ((a->p1 != 0x00 && a->p1 != 0xFF) || pw == NULL)
		return SW_WRONG_P1P2;
	flag = flag_of(c->pgp, a->p2);
	if (a->p1 == 0xFF) {
		if (a->lc != 0)
			return SW_WRONG_LENGTH;
		*flag = false; /* reset the access status (3.x) */
		return SW_OK;
	}
	if (a->lc == 0) {
		if (*flag)
			return SW_OK;
		return pw->left == 0 ? SW_BLOCKED : (uint16_t)(0x63C0 | pw->left);
	}
	if (pw->left == 0)
		return SW_BLOCKED;
	*flag = pw_check(c, pw, a->data, a->lc);
	return *flag ? SW_OK : wrong_sw(pw);
}

uint16_t cs_pgp_change(struct cs_card *c, const struct cs_apdu *a, struct cs_buf *out)
{
	struct cs_pgp_pw *pw = a->p2 == 0x81 ? &c->pgp->pw1 : a->p2 == 0x83 ? &c->pgp->pw3 : NULL;
	size_t min = a->p2 == 0x81 ? PW1_MIN : PW3_MIN;

	(void)out;
	if (a->p1 != 0x00 || pw == NULL)
		return SW_WRONG_P1P2;
	if (pw->left == 0)
		return SW_BLOCKED;
	/* The old value is as long as the stored one; the rest is the new value. */
	if (a->lc <= pw->len)
		return SW_WRONG_LENGTH;
	if (!pw_check(c, pw, a->data, pw->len)) {
		*flag_of(c->pgp, a->p2) = false;
		if (a->p2 == 0x81)
			c->pgp->pw1_82 = false;
		return wrong_sw(pw);
	}
	if (a->lc - pw->len < min || a->lc - pw->len > PGP_PW_MAX)
		return SW_WRONG_DATA;
	pw_store(c, pw, a->data + pw->len, a->lc - pw->len);
	return SW_OK;
}

uint16_t cs_pgp_reset_retry(struct cs_card *c, const struct cs_apdu *a, struct cs_buf *out)
{
	struct cs_pgp *p = c->pgp;
	const uint8_t *nv = a->data;
	size_t nn = a->lc, old;

	(void)out;
	if ((a->p1 != 0x00 && a->p1 != 0x02) || a->p2 != 0x81)
		return SW_WRONG_P1P2;
	if (a->p1 == 0x02) {
		if (!p->pw3_ok)
			return SW_SECURITY;
	} else {
		if (p->rc.len == 0 || p->rc.left == 0)
			return SW_BLOCKED;
		old = p->rc.len;
		if (a->lc <= old)
			return SW_WRONG_LENGTH;
		if (!pw_check(c, &p->rc, a->data, old))
			return wrong_sw(&p->rc);
		nv += old;
		nn -= old;
	}
	if (nn < PW1_MIN || nn > PGP_PW_MAX)
		return SW_WRONG_DATA;
	pw_store(c, &p->pw1, nv, nn);
	return SW_OK;
}

/* The KDF-DO (4.3.2) makes the host send derived passwords. Writing it sets PW1 and PW3 to
 * its initial values 87 and 88 when it carries them; switching KDF off (81 = 00) or deleting
 * it restores the factory passwords. The resetting code is cleared either way. */
void cs_pgp_kdf_changed(struct cs_pgp *p, const uint8_t *kdf, size_t n)
{
	struct cs_tlv alg, h1, h3;
	bool on = n > 0 && cs_tlv_find(kdf, n, 0x81, &alg) == 1 && alg.len == 1 && alg.val[0] == 0x03;

	if (!on) {
		memset(&h1, 0, sizeof(h1));
		h1.val = (const uint8_t *)"123456", h1.len = 6;
		h3.val = (const uint8_t *)"12345678", h3.len = 8;
	} else {
		if (cs_tlv_find(kdf, n, 0x87, &h1) != 1 || h1.len > PGP_PW_MAX)
			h1.val = NULL;
		if (cs_tlv_find(kdf, n, 0x88, &h3) != 1 || h3.len > PGP_PW_MAX)
			h3.val = NULL;
	}
	if (h1.val != NULL) {
		OPENSSL_cleanse(&p->pw1, sizeof(p->pw1));
		memcpy(p->pw1.ref, h1.val, h1.len);
		p->pw1.len = h1.len;
		p->pw1.left = PGP_PW_TRIES;
	}
	if (h3.val != NULL) {
		OPENSSL_cleanse(&p->pw3, sizeof(p->pw3));
		memcpy(p->pw3.ref, h3.val, h3.len);
		p->pw3.len = h3.len;
		p->pw3.left = PGP_PW_TRIES;
	}
	OPENSSL_cleanse(&p->rc, sizeof(p->rc));
	p->pw1_81 = p->pw1_82 = p->pw3_ok = false;
}
