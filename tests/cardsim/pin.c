/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pin.c: VERIFY, CHANGE REFERENCE DATA, RESET RETRY COUNTER (SP 800-73-4 part 2, 3.2.1-3.2.3)
 * with retry counters and blocking. */
#include "config.h"

#include <string.h>

#include <openssl/crypto.h>

#include "apdu.h"

#define REF_PIN 0x80
#define REF_PUK 0x81

static uint16_t retries_sw(uint8_t left)
{
	return (uint16_t)(0x63C0 | (left > 15 ? 15 : left));
}

/* Compares a presented reference value; on failure decrements *LEFT. Persists counters. */
static bool check_ref(struct cs_card *c, const uint8_t *want, uint8_t *left, uint8_t total,
		      const uint8_t *given)
{
	if (CRYPTO_memcmp(want, given, 8) == 0) {
		if (*left != total)
			c->dirty = true;
		*left = total;
		return true;
	}
	(*left)--;
	c->wrong_refs++;
	c->dirty = true;
	return false;
}

uint16_t cs_pin_verify(struct cs_card *c, const struct cs_apdu *a, struct cs_buf *out)
{
	(void)out;
	if (a->p1 != 0x00 && a->p1 != 0xFF)
		return SW_WRONG_P1P2;
	if (a->p2 != REF_PIN)
		return SW_REF_NOT_FOUND; /* global PIN, OCC: not on this card */
	if (a->p1 == 0xFF) {
		if (a->lc != 0)
			return SW_WRONG_LENGTH;
		c->pin_verified = false; /* P1=FF: reset the security status */
		return SW_OK;
	}
	if (a->lc == 0) {
		if (c->pin_left == 0)
			return SW_BLOCKED;
		return c->pin_verified ? SW_OK : retries_sw(c->pin_left);
	}
	if (a->lc != 8)
		return SW_WRONG_DATA;
	if (c->pin_left == 0)
		return SW_BLOCKED;
	if (!check_ref(c, c->pin, &c->pin_left, c->pin_total, a->data)) {
		c->pin_verified = false;
		return retries_sw(c->pin_left);
	}
	c->pin_verified = true;
	c->pin_always = true;
	return SW_OK;
}

uint16_t cs_pin_change(struct cs_card *c, const struct cs_apdu *a, struct cs_buf *out)
{
	bool puk = a->p2 == REF_PUK;
	uint8_t *ref = puk ? c->puk : c->pin;
	uint8_t *left = puk ? &c->puk_left : &c->pin_left;
	uint8_t total = puk ? c->puk_total : c->pin_total;

	(void)out;
	if (a->p1 != 0x00)
		return SW_WRONG_P1P2;
	if (a->p2 != REF_PIN && a->p2 != REF_PUK)
		return SW_REF_NOT_FOUND;
	if (a->lc != 16)
		return SW_WRONG_DATA;
	if (*left == 0)
		return SW_BLOCKED;
	if (!cs_pin_format_ok(c, a->data + 8, puk))
		return SW_WRONG_DATA;
	if (!check_ref(c, ref, left, total, a->data)) {
		if (!puk)
			c->pin_verified = false;
		return retries_sw(*left);
	}
	memcpy(ref, a->data + 8, 8);
	c->dirty = true;
	if (!puk)
		c->pin_verified = true;
	return SW_OK;
}

uint16_t cs_pin_reset_retry(struct cs_card *c, const struct cs_apdu *a, struct cs_buf *out)
{
	(void)out;
	if (a->p1 != 0x00)
		return SW_WRONG_P1P2;
	if (a->p2 != REF_PIN)
		return SW_REF_NOT_FOUND;
	if (a->lc != 16)
		return SW_WRONG_DATA;
	if (c->puk_left == 0)
		return SW_BLOCKED;
	if (!cs_pin_format_ok(c, a->data + 8, false))
		return SW_WRONG_DATA;
	if (!check_ref(c, c->puk, &c->puk_left, c->puk_total, a->data))
		return retries_sw(c->puk_left);
	memcpy(c->pin, a->data + 8, 8);
	c->pin_left = c->pin_total;
	c->pin_verified = false;
	c->dirty = true;
	return SW_OK;
}
