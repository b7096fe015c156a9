/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pgp_ops.c: the private-key operations: PSO: COMPUTE DIGITAL SIGNATURE (signature key, PW1
 * as 81, the signature counter, "PW1 valid for one PSO:CDS"), PSO: DECIPHER (decryption key:
 * RSA with padding indicator 00, ECDH with the cipher DO A6 { 7F49 { 86 point } }) and
 * INTERNAL AUTHENTICATE (authentication key); OpenPGP card 3.4, 7.2.10-7.2.13. */
#include "config.h"

#include "pgp.h"
#include "tlv.h"

#define SIG_COUNT_MAX 0xFFFFFF

static uint16_t sign_with(struct cs_card *c, int slot, const struct cs_apdu *a, struct cs_buf *out)
{
	struct cs_pgp_alg alg;
	EVP_PKEY *k = c->pgp->keys[slot].pkey;

	if (k == NULL)
		return SW_REF_NOT_FOUND;
	if (a->lc == 0)
		return SW_WRONG_LENGTH;
	cs_pgp_slot_alg(c->pgp, slot, &alg);
	if (!cs_pgp_crypto_key_is(k, &alg))
		return SW_CONDITIONS; /* attributes changed under a key: cannot happen, see put C1 */
	return cs_pgp_crypto_sign(k, &alg, a->data, a->lc, out) < 0 ? SW_WRONG_DATA : SW_OK;
}

static uint16_t compute_signature(struct cs_card *c, const struct cs_apdu *a, struct cs_buf *out)
{
	struct cs_pgp *p = c->pgp;
	uint16_t sw;

	if (!p->pw1_81)
		return SW_SECURITY;
	sw = sign_with(c, 0, a, out);
	/* With C4 byte 1 = 00, PW1 must be presented again before the next signature. */
	if (p->pw1_multi == 0x00)
		p->pw1_81 = false;
	if (sw == SW_OK) {
		if (p->sig_count < SIG_COUNT_MAX)
			p->sig_count++;
		c->dirty = true;
	}
	return sw;
}

/* A6 { 7F49 { 86 point } }: the point, or NULL when malformed. */
static const uint8_t *cipher_do_point(const struct cs_apdu *a, size_t *n)
{
	struct cs_tlv a6, pk, pt;

	if (cs_tlv_single(a->data, a->lc, 0xA6, &a6) < 0 || cs_tlv_single(a6.val, a6.len, 0x7F49, &pk) < 0 ||
	    cs_tlv_single(pk.val, pk.len, 0x86, &pt) < 0)
		return NULL;
	*n = pt.len;
	return pt.val;
}

static uint16_t decipher(struct cs_card *c, const struct cs_apdu *a, struct cs_buf *out)
{
	struct cs_pgp_alg alg;
	EVP_PKEY *k = c->pgp->keys[1].pkey;
	const uint8_t *pt;
	size_t n = 0;

	if (!c->pgp->pw1_82)
		return SW_SECURITY;
	if (k == NULL)
		return SW_REF_NOT_FOUND;
	if (a->lc == 0)
		return SW_WRONG_LENGTH;
	cs_pgp_slot_alg(c->pgp, 1, &alg);
	if (alg.kind == PGP_KIND_RSA) {
		/* Padding indicator 00, then the cryptogram; 02 (AES) is not offered (C0). */
		if (a->data[0] != 0x00)
			return SW_WRONG_DATA;
		return cs_pgp_crypto_rsa_decrypt(k, a->data + 1, a->lc - 1, out) < 0 ? SW_WRONG_DATA : SW_OK;
	}
	pt = cipher_do_point(a, &n);
	if (pt == NULL || cs_pgp_crypto_ecdh(k, &alg, pt, n, out) < 0)
		return SW_WRONG_DATA;
	return SW_OK;
}

uint16_t cs_pgp_pso(struct cs_card *c, const struct cs_apdu *a, struct cs_buf *out)
{
	if (a->p1 == 0x9E && a->p2 == 0x9A)
		return compute_signature(c, a, out);
	if (a->p1 == 0x80 && a->p2 == 0x86)
		return decipher(c, a, out);
	return SW_WRONG_P1P2;
}

uint16_t cs_pgp_internal_auth(struct cs_card *c, const struct cs_apdu *a, struct cs_buf *out)
{
	if (a->p1 != 0x00 || a->p2 != 0x00)
		return SW_WRONG_P1P2;
	if (!c->pgp->pw1_82)
		return SW_SECURITY;
	return sign_with(c, 2, a, out);
}
