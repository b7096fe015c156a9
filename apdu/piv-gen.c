/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * apdu/piv-gen.c: on-card key generation, GENERATE ASYMMETRIC KEY PAIR
 * (00 47 00 ref, AC { 80 alg, [AA pin policy], [AB touch policy] }) answered
 * by 7F49 { 81 modulus, 82 exponent } or 7F49 { 86 point }.
 * The PIN and touch policies are YubiKey extensions, sent only to a YubiKey
 * and only when not DEFAULT.
 */
#include "config.h"

#include "apdu/piv.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "apdu/buf.h"
#include "apdu/log.h"
#include "apdu/tlv.h"

uint8_t
piv_yk_pin_policy (enum card_pin_policy p)
{
	switch (p) {
	case CARD_PIN_POLICY_NEVER: return 1;
	case CARD_PIN_POLICY_ONCE: return 2;
	case CARD_PIN_POLICY_ALWAYS: return 3;
	case CARD_PIN_POLICY_DEFAULT:
	default: return 0;
	}
}

uint8_t
piv_yk_touch_policy (enum card_touch_policy t)
{
	switch (t) {
	case CARD_TOUCH_POLICY_NEVER: return 1;
	case CARD_TOUCH_POLICY_ALWAYS: return 2;
	case CARD_TOUCH_POLICY_CACHED: return 3;
	case CARD_TOUCH_POLICY_DEFAULT:
	default: return 0;
	}
}

/* The generation template: AC { 80 alg [AA pin] [AB touch] }. */
static void
build_template (struct card *card, struct apdu_buf *buf, uint8_t alg,
                enum card_pin_policy pin_policy, enum card_touch_policy touch_policy)
{
	size_t mark = tlv_begin (buf, 0xAC);

	tlv_put_byte (buf, 0x80, alg);
	if (piv_data (card)->yubikey && piv_yk_pin_policy (pin_policy) != 0)
		tlv_put_byte (buf, 0xAA, piv_yk_pin_policy (pin_policy));
	if (piv_data (card)->yubikey && piv_yk_touch_policy (touch_policy) != 0)
		tlv_put_byte (buf, 0xAB, piv_yk_touch_policy (touch_policy));
	tlv_end (buf, mark);
}

card_rv
piv_generate (struct card *card, uint8_t ref, enum card_alg alg,
              enum card_pin_policy pin_policy, enum card_touch_policy touch_policy,
              uint8_t **spki, size_t *spki_len)
{
	struct apdu_buf tmpl;
	struct apdu apdu;
	struct apdu_resp resp;
	struct tlv pub;
	card_rv rv;

	if (card == NULL || card->driver_data == NULL || spki == NULL || spki_len == NULL)
		return CARD_E_INTERNAL;
	*spki = NULL;
	*spki_len = 0;
	if (piv_slot_by_ref (ref) == NULL)
		return CARD_E_NOT_FOUND;
	if (piv_alg_from_card (alg) == 0)
		return CARD_E_NOT_SUPPORTED;
	if (!piv_data (card)->yubikey &&
	    (pin_policy != CARD_PIN_POLICY_DEFAULT || touch_policy != CARD_TOUCH_POLICY_DEFAULT))
		tsr_log ("piv", "generate: not a YubiKey, PIN/touch policy ignored");
	memset (&resp, 0, sizeof resp);
	apdu_buf_init (&tmpl);
	build_template (card, &tmpl, piv_alg_from_card (alg), pin_policy, touch_policy);
	if (apdu_buf_failed (&tmpl)) {
		rv = CARD_E_NO_MEMORY;
		goto out;
	}
	piv_apdu (card, &apdu, PIV_INS_GENERATE, 0x00, ref);
	apdu.data = tmpl.data;
	apdu.data_len = tmpl.len;
	apdu.ne = PIV_NE_ALL (card);
	rv = apdu_exchange (card, &apdu, &resp, NULL);
	tsr_log ("piv", "generate %02X in %02X: %s", piv_alg_from_card (alg), ref, card_rv_name (rv));
	if (rv != CARD_OK)
		goto out;
	if (tlv_expect (resp.data, resp.len, 0x7F49, 1, &pub) != TLV_OK) {
		rv = CARD_E_BAD_RESPONSE;
		goto out;
	}
	rv = piv_pubkey_to_spki (alg, pub.value, pub.len, spki, spki_len);
	if (rv == CARD_OK)
		piv_remember_alg (card, ref, alg);
out:
	apdu_resp_clear (&resp);
	apdu_buf_clear (&tmpl);
	return rv;
}
