/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * apdu/piv-meta.c: YubiKey GET METADATA (00 F7 00 ref, firmware 5.3+):
 * 01 algorithm, 02 PIN and touch policy, 03 origin, 04 public key,
 * 06 retries (total, remaining).
 */
#include "config.h"

#include "apdu/piv.h"

#include <assert.h>
#include <string.h>

#include "apdu/log.h"
#include "apdu/tlv.h"

static card_rv
parse_metadata (const uint8_t *data, size_t len, struct piv_metadata *meta)
{
	struct tlv_iter iter;
	struct tlv obj;
	tlv_rv trv;

	tlv_iter_init (&iter, data, len);
	while ((trv = tlv_next (&iter, &obj)) == TLV_OK) {
		switch (obj.tag) {
		case 0x01:
			if (obj.len != 1)
				return CARD_E_BAD_RESPONSE;
			meta->alg = obj.value[0];
			break;
		case 0x02:
			if (obj.len != 2)
				return CARD_E_BAD_RESPONSE;
			meta->pin_policy = obj.value[0];
			meta->touch_policy = obj.value[1];
			break;
		case 0x03:
			if (obj.len != 1)
				return CARD_E_BAD_RESPONSE;
			meta->origin = obj.value[0];
			break;
		case 0x04:
			meta->pubkey = obj.value;
			meta->pubkey_len = obj.len;
			break;
		case 0x06:
			if (obj.len != 2)
				return CARD_E_BAD_RESPONSE;
			meta->tries_total = obj.value[0];
			meta->tries_left = obj.value[1];
			break;
		default:
			break;   /* 05 default value, and what later firmware adds */
		}
	}
	return trv == TLV_END ? CARD_OK : CARD_E_BAD_RESPONSE;
}

card_rv
piv_get_metadata (struct card *card, uint8_t ref, struct apdu_resp *resp,
                  struct piv_metadata *meta)
{
	struct apdu apdu;
	card_rv rv;

	assert (card != NULL && resp != NULL && meta != NULL);
	memset (meta, 0, sizeof *meta);
	meta->tries_total = meta->tries_left = -1;
	piv_apdu (card, &apdu, PIV_INS_YK_METADATA, 0x00, ref);
	apdu.ne = PIV_NE_ALL (card);
	rv = apdu_exchange (card, &apdu, resp, NULL);
	if (rv != CARD_OK)
		goto out;
	rv = parse_metadata (resp->data, resp->len, meta);
	if (rv != CARD_OK) {
		tsr_log ("piv", "metadata of %02X malformed", ref);
		apdu_resp_clear (resp);
	}
out:
	return rv;
}
