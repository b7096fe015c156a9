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
#include "apdu/tlv.h"

#define PIV_INS_YK_RESET    0xFB
#define PIV_INS_YK_SET_MGM  0xFF
#define PIV_OBJ_YK_ADMIN_DATA 0x5FFF00   /* 80 { 81 flags, ... } */
#define PIV_YK_ADMIN_KEY_STORED 0x02     /* flag: the management key is in PRINTED */
#define PIV_YK_DEFAULT_PUK "12345678"

const uint8_t piv_default_admin_key[24] = {
	0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
	0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
	0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
};

/* Both the PIN and the PUK blocked? (A PUK counter the card does not tell: let it judge.) */
static int
both_blocked (struct card *card)
{
	int verified = 0, pin_tries = -1, puk_tries = -1;

	if (piv_pin_status (card, CARD_PIN_USER, &verified, &pin_tries) != CARD_OK ||
	    piv_pin_status (card, CARD_PIN_SO, &verified, &puk_tries) != CARD_OK)
		return 0;
	return pin_tries == 0 && puk_tries <= 0;
}

/* After the reset: SO_PIN replaces the factory PUK, or ADMIN_KEY the factory key. */
static card_rv
set_so_secret (struct card *card, const uint8_t *so_pin, size_t so_pin_len,
               const uint8_t *admin_key, size_t admin_key_len)
{
	const size_t dlen = strlen (PIV_YK_DEFAULT_PUK);
	card_rv rv;

	if (admin_key != NULL) {
		rv = piv_admin_auth (card, piv_default_admin_key, sizeof piv_default_admin_key);
		if (rv == CARD_OK)
			rv = piv_yk_set_admin_key (card, admin_key, admin_key_len);
		return rv;
	}
	if (so_pin_len == dlen && memcmp (so_pin, PIV_YK_DEFAULT_PUK, dlen) == 0)
		return CARD_OK;
	return piv_change_pin (card, CARD_PIN_SO, (const uint8_t *)PIV_YK_DEFAULT_PUK, dlen,
	                       so_pin, so_pin_len, NULL);
}

card_rv
piv_yk_reset (struct card *card, const uint8_t *so_pin, size_t so_pin_len,
              const uint8_t *admin_key, size_t admin_key_len)
{
	struct apdu apdu;
	struct apdu_resp resp;
	card_rv rv;

	if (card == NULL || card->driver_data == NULL || (so_pin == NULL && admin_key == NULL))
		return CARD_E_INTERNAL;
	if (!piv_data (card)->yubikey)
		return CARD_E_NOT_SUPPORTED;
	if (!both_blocked (card)) {
		tsr_log ("piv", "YubiKey RESET: only once PIN and PUK are both blocked");
		return CARD_E_REFUSED;
	}
	piv_apdu (card, &apdu, PIV_INS_YK_RESET, 0x00, 0x00);
	rv = apdu_exchange (card, &apdu, &resp, NULL);
	apdu_resp_clear (&resp);
	tsr_log ("piv", "YubiKey RESET: %s", card_rv_name (rv));
	if (rv != CARD_OK)
		return rv;
	/* what the driver remembered about keys and the management key is gone */
	memset (piv_data (card)->alg, 0, sizeof piv_data (card)->alg);
	piv_data (card)->admin_alg = 0;
	return set_so_secret (card, so_pin, so_pin_len, admin_key, admin_key_len);
}

/* The first child of DATA with TAG (bounds-checked TLV), or 0. */
static int
child (const uint8_t *data, size_t len, uint32_t tag, const uint8_t **val, size_t *val_len)
{
	struct tlv t;

	if (tlv_find (data, len, tag, &t) != TLV_OK)
		return 0;
	*val = t.value;
	*val_len = t.len;
	return 1;
}

card_rv
piv_yk_protected_admin_key (struct card *card, uint8_t key[32], size_t *key_len)
{
	uint8_t *data = NULL;
	size_t len = 0, v_len = 0, w_len = 0;
	const uint8_t *v = NULL, *w = NULL;
	card_rv rv;

	if (card == NULL || card->driver_data == NULL || key == NULL || key_len == NULL)
		return CARD_E_INTERNAL;
	if (!piv_data (card)->yubikey)
		return CARD_E_NOT_FOUND;
	rv = piv_get_data (card, PIV_OBJ_YK_ADMIN_DATA, 0, &data, &len);
	if (rv != CARD_OK)
		goto out;
	if (!child (data, len, 0x80, &v, &v_len) || !child (v, v_len, 0x81, &w, &w_len) ||
	    w_len < 1 || !(w[0] & PIV_YK_ADMIN_KEY_STORED)) {
		rv = CARD_E_NOT_FOUND;
		goto out;
	}
	free (data);
	data = NULL;
	rv = piv_get_data (card, PIV_OBJ_PRINTED, 1, &data, &len);
	if (rv != CARD_OK)
		goto out;
	if (!child (data, len, 0x88, &v, &v_len) || !child (v, v_len, 0x89, &w, &w_len) ||
	    (w_len != 16 && w_len != 24 && w_len != 32)) {
		rv = CARD_E_NOT_FOUND;
		goto out;
	}
	memcpy (key, w, w_len);
	*key_len = w_len;
out:
	if (data != NULL) {
		OPENSSL_cleanse (data, len);
		free (data);
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
