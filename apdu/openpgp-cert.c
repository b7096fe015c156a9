/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * apdu/openpgp-cert.c: cardholder certificates (DO 7F21). A 3.x card keeps one per
 * key; SELECT DATA (INS A5, P1 the occurrence: 0 AUT, 1 DEC, 2 SIG; P2 04; data
 * 60 { 5C 02 7F 21 }) chooses which GET DATA / PUT DATA 7F21 reach, and is set
 * back to occurrence 0 afterwards as GnuPG expects. A 2.x card has one, for AUT.
 */
#include "config.h"

#include "apdu/openpgp-int.h"

#include <assert.h>
#include <stdlib.h>

#include "apdu/log.h"

static card_rv
select_data (struct card *card, struct opgp *o, uint8_t occurrence)
{
	static const uint8_t data[6] = { 0x60, 0x04, 0x5C, 0x02, 0x7F, 0x21 };
	struct apdu apdu;
	struct apdu_resp resp;
	card_rv rv;

	opgp_apdu (&apdu, OPGP_INS_SELECT_DATA, occurrence, 0x04);
	apdu.data = data;
	apdu.data_len = sizeof data;
	rv = opgp_exchange (card, o, &apdu, &resp, NULL);
	apdu_resp_clear (&resp);
	return rv;
}

/* Select KEY's certificate: the occurrence on 3.x; 2.x has only the AUT one. */
static card_rv
select_cert (struct card *card, struct opgp *o, enum opgp_key key, int *selected)
{
	*selected = 0;
	if ((unsigned)key >= OPGP_NKEYS)
		return CARD_E_INVALID_DATA;
	if (o->ard.version < 0x0200)
		return CARD_E_NOT_SUPPORTED;
	if (o->ard.version < 0x0300)
		return key == OPGP_KEY_AUT ? CARD_OK : CARD_E_NOT_SUPPORTED;
	if (key == OPGP_KEY_AUT)
		return CARD_OK;   /* occurrence 0, where it is left */
	*selected = 1;
	return select_data (card, o, (uint8_t)(OPGP_KEY_AUT - key));
}

card_rv
opgp_read_cert (struct card *card, struct opgp *o, enum opgp_key key, uint8_t **der, size_t *len)
{
	int selected = 0;
	card_rv rv;

	assert (card != NULL && o != NULL && der != NULL && len != NULL);
	*der = NULL;
	*len = 0;
	rv = select_cert (card, o, key, &selected);
	if (rv == CARD_OK)
		rv = opgp_get_data (card, o, 0x7F21, der, len);
	if (selected)
		(void)select_data (card, o, 0);
	if (rv == CARD_OK && *len == 0)
		rv = CARD_E_NOT_FOUND;
	return rv;
}

card_rv
opgp_write_cert (struct card *card, struct opgp *o, enum opgp_key key, const uint8_t *der, size_t len)
{
	int selected = 0;
	card_rv rv;

	assert (card != NULL && o != NULL);
	if (der == NULL)
		len = 0;
	if (o->ard.caps.max_cert > 0 && len > o->ard.caps.max_cert) {
		tsr_log ("openpgp", "certificate of %zu bytes, the card takes %zu", len, o->ard.caps.max_cert);
		return CARD_E_NO_SPACE;
	}
	rv = select_cert (card, o, key, &selected);
	if (rv == CARD_OK)
		rv = opgp_put_data (card, o, 0x7F21, 0, der, len, 0);
	if (selected)
		(void)select_data (card, o, 0);
	return rv;
}
