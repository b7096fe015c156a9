/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * apdu/piv-yk.c: YubiKey PIV extensions for administration: RESET (INS FB, only
 * accepted once PIN and PUK are both blocked; everything but the serial returns
 * to factory state) and SET MANAGEMENT KEY (INS FF, after admin_auth). Other
 * PIV cards answer CARD_E_NOT_SUPPORTED without an APDU.
 */
#include "config.h"

#include "apdu/piv.h"

#include <string.h>

#include <openssl/crypto.h>

#include "apdu/log.h"

#define PIV_INS_YK_RESET    0xFB
#define PIV_INS_YK_SET_MGM  0xFF

card_rv
piv_yk_reset (struct card *card)
{
	struct apdu apdu;
	struct apdu_resp resp;
	card_rv rv;

	if (card == NULL || card->driver_data == NULL)
		return CARD_E_INTERNAL;
	if (!piv_data (card)->yubikey)
		return CARD_E_NOT_SUPPORTED;
	piv_apdu (card, &apdu, PIV_INS_YK_RESET, 0x00, 0x00);
	rv = apdu_exchange (card, &apdu, &resp, NULL);
	apdu_resp_clear (&resp);
	tsr_log ("piv", "YubiKey RESET: %s", card_rv_name (rv));
	if (rv == CARD_OK) {
		/* what the driver remembered about keys and the management key is gone */
		memset (piv_data (card)->alg, 0, sizeof piv_data (card)->alg);
		piv_data (card)->admin_alg = 0;
	}
	return rv;
}

/* The algorithm for a new management key of KEY_LEN bytes: the current one when
 * it fits, else 3DES for 24 bytes (the PIV default), AES for 16 and 32. */
static uint8_t
new_key_alg (struct card *card, size_t key_len)
{
	uint8_t cur = piv_data (card)->admin_alg;

	if (key_len == 24 && (cur == PIV_ALG_3DES || cur == PIV_ALG_AES192))
		return cur;
	switch (key_len) {
	case 16: return PIV_ALG_AES128;
	case 24: return PIV_ALG_3DES;
	case 32: return PIV_ALG_AES256;
	default: return 0;
	}
}

card_rv
piv_yk_set_admin_key (struct card *card, const uint8_t *key, size_t key_len)
{
	uint8_t data[3 + 32];
	struct apdu apdu;
	struct apdu_resp resp;
	uint8_t alg;
	card_rv rv;

	if (card == NULL || card->driver_data == NULL || key == NULL)
		return CARD_E_INTERNAL;
	if (!piv_data (card)->yubikey)
		return CARD_E_NOT_SUPPORTED;
	alg = new_key_alg (card, key_len);
	if (alg == 0)
		return CARD_E_INVALID_DATA;
	data[0] = alg;
	data[1] = PIV_REF_ADMIN;
	data[2] = (uint8_t)key_len;
	memcpy (data + 3, key, key_len);
	piv_apdu (card, &apdu, PIV_INS_YK_SET_MGM, 0xFF, 0xFF);   /* P2 FF: no touch */
	apdu.data = data;
	apdu.data_len = 3 + key_len;
	apdu.sensitive = 1;
	rv = apdu_exchange (card, &apdu, &resp, NULL);
	apdu_resp_clear (&resp);
	OPENSSL_cleanse (data, sizeof data);
	tsr_log ("piv", "YubiKey SET MANAGEMENT KEY (algorithm %02X): %s", alg, card_rv_name (rv));
	if (rv == CARD_OK)
		piv_data (card)->admin_alg = alg;
	return rv;
}
