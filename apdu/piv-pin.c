/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * apdu/piv-pin.c: PIN and PUK: status (empty VERIFY), VERIFY, logout (VERIFY
 * P1=FF), CHANGE REFERENCE DATA, RESET RETRY COUNTER; the PUK is checked by changing
 * it to itself (PIV has no VERIFY for it). PINs are padded with FF
 * to 8 bytes, checked for length before anything is sent, and wiped after use.
 */
#include "config.h"

#include "apdu/piv.h"

#include <assert.h>
#include <string.h>

#include <openssl/crypto.h>

#include "apdu/log.h"

/* PIV has one user PIN: a context-specific login (CARD_PIN_CONTEXT) verifies it like a
 * login, and the card allows the next PIN-always operation after it. */
static enum card_pin
piv_pin_which (enum card_pin which)
{
	return which == CARD_PIN_CONTEXT ? CARD_PIN_USER : which;
}

/* Check a PIN or PUK against the card's length rules and pad it with FF. */
static card_rv
pad_pin (const struct card *card, enum card_pin which, const uint8_t *pin, size_t len,
         uint8_t out[PIV_PIN_PAD_LEN])
{
	size_t min = (size_t)(which == CARD_PIN_SO ? card->info.puk_min : card->info.pin_min);
	size_t max = (size_t)(which == CARD_PIN_SO ? card->info.puk_max : card->info.pin_max);
	size_t i;

	if (pin == NULL || len < min || len > max || len > PIV_PIN_PAD_LEN)
		return CARD_E_PIN_LEN;
	for (i = 0; i < len; i++) {
		if (pin[i] == 0xFF)   /* would be taken for padding */
			return CARD_E_PIN_INVALID;
	}
	memset (out, 0xFF, PIV_PIN_PAD_LEN);
	memcpy (out, pin, len);
	return CARD_OK;
}

card_rv
piv_check_pin (struct card *card, enum card_pin which, const uint8_t *pin, size_t pin_len)
{
	uint8_t padded[PIV_PIN_PAD_LEN];
	card_rv rv;

	if (card == NULL)
		return CARD_E_INTERNAL;
	rv = pad_pin (card, piv_pin_which (which), pin, pin_len, padded);
	OPENSSL_cleanse (padded, sizeof padded);
	return rv;
}

static uint8_t
pin_ref (enum card_pin which)
{
	return which == CARD_PIN_SO ? PIV_REF_PUK : PIV_REF_PIN;
}

/* Send a PIN-carrying command (its trace is always redacted) and wipe the data. */
static card_rv
send_pin_command (struct card *card, uint8_t ins, uint8_t p1, uint8_t p2,
                  const uint8_t *data, size_t len, int *tries_left)
{
	struct apdu apdu;
	struct apdu_resp resp;
	card_rv rv;

	piv_apdu (card, &apdu, ins, p1, p2);
	apdu.data = data;
	apdu.data_len = len;
	apdu.sensitive = 1;
	rv = apdu_exchange (card, &apdu, &resp, tries_left);
	apdu_resp_clear (&resp);
	return rv;
}

card_rv
piv_pin_status (struct card *card, enum card_pin which, int *verified, int *tries_left)
{
	struct piv_metadata meta;
	struct apdu_resp resp;
	int tries = -1;
	card_rv rv;

	if (card == NULL || card->driver_data == NULL || verified == NULL || tries_left == NULL)
		return CARD_E_INTERNAL;
	which = piv_pin_which (which);
	*verified = 0;
	*tries_left = -1;
	memset (&resp, 0, sizeof resp);
	if (which == CARD_PIN_SO) {
		/* A PUK cannot be verified alone; only YubiKey metadata tells its counter. */
		rv = CARD_OK;
		if (card->info.has_metadata) {
			rv = piv_get_metadata (card, PIV_REF_PUK, &resp, &meta);
			*tries_left = meta.tries_left;
		}
		goto out;
	}
	rv = send_pin_command (card, PIV_INS_VERIFY, 0x00, PIV_REF_PIN, NULL, 0, &tries);
	if (rv == CARD_OK) {
		*verified = 1;
	} else if (rv == CARD_E_PIN_INCORRECT) {   /* 63Cx: not verified, x tries left */
		*tries_left = tries;
		rv = CARD_OK;
	} else if (rv == CARD_E_PIN_LOCKED) {
		*tries_left = 0;
		rv = CARD_OK;
	}
out:
	apdu_resp_clear (&resp);
	return rv;
}

card_rv
piv_verify_pin (struct card *card, enum card_pin which, const uint8_t *pin, size_t pin_len,
                int *tries_left)
{
	uint8_t padded[PIV_PIN_PAD_LEN];
	int tries = -1;
	card_rv rv;

	if (card == NULL || card->driver_data == NULL)
		return CARD_E_INTERNAL;
	which = piv_pin_which (which);
	if (which == CARD_PIN_SO) {
		/* PIV has no VERIFY for the PUK: changing it to itself checks it, and nothing
		 * changes but its retry counter. */
		rv = piv_change_pin (card, CARD_PIN_SO, pin, pin_len, pin, pin_len, &tries);
		goto out;
	}
	rv = pad_pin (card, which, pin, pin_len, padded);
	if (rv != CARD_OK)
		goto out;
	rv = send_pin_command (card, PIV_INS_VERIFY, 0x00, PIV_REF_PIN, padded, sizeof padded, &tries);
	tsr_log ("piv", "VERIFY PIN: %s (tries left %d)", card_rv_name (rv), tries);
out:
	OPENSSL_cleanse (padded, sizeof padded);
	if (tries_left != NULL)
		*tries_left = tries;
	return rv;
}

card_rv
piv_logout (struct card *card)
{
	card_rv rv;

	if (card == NULL || card->driver_data == NULL)
		return CARD_E_INTERNAL;
	rv = send_pin_command (card, PIV_INS_VERIFY, 0xFF, PIV_REF_PIN, NULL, 0, NULL);
	if (rv == CARD_E_INVALID_DATA || rv == CARD_E_NOT_SUPPORTED || rv == CARD_E_INTERNAL) {
		/* Older cards lack VERIFY P1=FF: selecting the application again resets the
		 * security status on those. */
		tsr_log ("piv", "logout by VERIFY FF refused (%s): re-selecting", card_rv_name (rv));
		rv = piv_select (card);
	}
	return rv;
}

card_rv
piv_change_pin (struct card *card, enum card_pin which,
                const uint8_t *old_pin, size_t old_len,
                const uint8_t *new_pin, size_t new_len, int *tries_left)
{
	uint8_t data[2 * PIV_PIN_PAD_LEN];
	int tries = -1;
	card_rv rv;

	if (card == NULL || card->driver_data == NULL)
		return CARD_E_INTERNAL;
	which = piv_pin_which (which);
	rv = pad_pin (card, which, old_pin, old_len, data);
	if (rv == CARD_OK)
		rv = pad_pin (card, which, new_pin, new_len, data + PIV_PIN_PAD_LEN);
	if (rv != CARD_OK)
		goto out;
	rv = send_pin_command (card, PIV_INS_CHANGE_REF, 0x00, pin_ref (which), data, sizeof data,
	                       &tries);
	tsr_log ("piv", "CHANGE REFERENCE DATA %02X: %s (tries left %d)", pin_ref (which),
	         card_rv_name (rv), tries);
out:
	OPENSSL_cleanse (data, sizeof data);
	if (tries_left != NULL)
		*tries_left = tries;
	return rv;
}

card_rv
piv_unblock_pin (struct card *card, const uint8_t *puk, size_t puk_len,
                 const uint8_t *new_pin, size_t new_len, int *tries_left)
{
	uint8_t data[2 * PIV_PIN_PAD_LEN];
	int tries = -1;
	card_rv rv;

	if (card == NULL || card->driver_data == NULL)
		return CARD_E_INTERNAL;
	rv = pad_pin (card, CARD_PIN_SO, puk, puk_len, data);
	if (rv == CARD_OK)
		rv = pad_pin (card, CARD_PIN_USER, new_pin, new_len, data + PIV_PIN_PAD_LEN);
	if (rv != CARD_OK)
		goto out;
	rv = send_pin_command (card, PIV_INS_RESET_RETRY, 0x00, PIV_REF_PIN, data, sizeof data,
	                       &tries);
	tsr_log ("piv", "RESET RETRY COUNTER: %s (PUK tries left %d)", card_rv_name (rv), tries);
out:
	OPENSSL_cleanse (data, sizeof data);
	if (tries_left != NULL)
		*tries_left = tries;
	return rv;
}
