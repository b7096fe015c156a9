/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * apdu/openpgp-pin.c: the OpenPGP card's passwords (3.4, 4.3 and 7.2.2-7.2.4):
 * VERIFY of PW1 (81 signing, 82 the rest) and PW3, the status by an empty VERIFY,
 * logout by VERIFY P1=FF, CHANGE REFERENCE DATA, RESET RETRY COUNTER by the
 * resetting code or by PW3, and setting the resetting code (PUT DATA D3). Lengths
 * are checked before anything is sent (PW1 6, PW3 and the resetting code 8 at
 * least; at most what C4 says); with a KDF-DO the derived values are sent. Every
 * buffer that held a password is wiped.
 */
#include "config.h"

#include "apdu/openpgp-int.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "apdu/log.h"

#define REF_RC 0x00   /* the resetting code, for length and KDF salt */

static card_rv
check_len (const struct opgp *o, uint8_t ref, const uint8_t *pin, size_t len)
{
	const struct opgp_pw_status *pw = &o->ard.pw;
	size_t min = ref == 0x81 || ref == 0x82 ? 6 : 8;
	int max = ref == 0x83 ? pw->pw3_max : ref == REF_RC ? pw->rc_max : pw->pw1_max;

	/* With KDF the card holds the derived value: the plain PIN is only bounded by 127. */
	if (o->kdf.on || max <= 0)
		max = OPGP_PW_BUF - 1;
	if (pin == NULL || len < min || len > (size_t)max)
		return CARD_E_PIN_LEN;
	return CARD_OK;
}

/* Appends the value to send for REF (checked, derived) to BUF at *pos. */
static card_rv
add_pw (const struct opgp *o, uint8_t ref, const uint8_t *pin, size_t len, uint8_t *buf, size_t *pos)
{
	size_t n = 0;
	card_rv rv;

	rv = check_len (o, ref, pin, len);
	if (rv == CARD_OK)
		rv = opgp_kdf_derive (&o->kdf, ref, pin, len, buf + *pos, &n);
	*pos += n;
	return rv;
}

/* Re-read the PW status bytes (C4) into the cached application related data. */
static card_rv
refresh_pw (struct card *card, struct opgp *o)
{
	uint8_t *data = NULL;
	size_t len = 0;
	card_rv rv;

	rv = opgp_get_data (card, o, 0x00C4, &data, &len);
	if (rv == CARD_OK)
		rv = opgp_parse_pw_status (data, len, &o->ard.pw);
	free (data);
	return rv;
}

static int
tries_of (const struct opgp *o, uint8_t ref)
{
	return ref == 0x83 ? o->ard.pw.pw3_tries : ref == REF_RC ? o->ard.pw.rc_tries : o->ard.pw.pw1_tries;
}

/*
 * A password command. A wrong password is 6982 on OpenPGP cards (63Cx on some): both are
 * CARD_E_PIN_INCORRECT, with the tries left of TRIES_REF (PW1, PW3 or the resetting code)
 * from C4, read afresh after every attempt.
 */
static card_rv
pw_command (struct card *card, struct opgp *o, uint8_t ins, uint8_t p1, uint8_t p2, const uint8_t *data,
            size_t len, uint8_t tries_ref, int *tries_left)
{
	struct apdu apdu;
	struct apdu_resp resp;
	uint16_t sw = 0;
	card_rv rv;

	if (tries_left != NULL)
		*tries_left = -1;
	opgp_apdu (&apdu, ins, p1, p2);
	apdu.data = len > 0 ? data : NULL;
	apdu.data_len = len;
	apdu.sensitive = 1;
	rv = opgp_exchange (card, o, &apdu, &resp, &sw);
	apdu_resp_clear (&resp);
	if (sw == 0x6982 || (sw & 0xFFF0) == 0x63C0)
		rv = CARD_E_PIN_INCORRECT;
	if (sw != 0 && refresh_pw (card, o) == CARD_OK && tries_left != NULL &&
	    (rv == CARD_E_PIN_INCORRECT || rv == CARD_E_PIN_LOCKED))
		*tries_left = tries_of (o, tries_ref);
	if (rv == CARD_E_PIN_INCORRECT && tries_of (o, tries_ref) == 0 && sw == 0x6982)
		rv = CARD_E_PIN_LOCKED;    /* that was the last try */
	return rv;
}

card_rv
opgp_verify (struct card *card, struct opgp *o, enum opgp_pw ref, const uint8_t *pin, size_t len,
             int *tries_left)
{
	uint8_t buf[OPGP_PW_BUF];
	size_t n = 0;
	card_rv rv;

	assert (card != NULL && o != NULL);
	if (tries_left != NULL)
		*tries_left = -1;
	rv = add_pw (o, (uint8_t)ref, pin, len, buf, &n);
	if (rv == CARD_OK)
		rv = pw_command (card, o, OPGP_INS_VERIFY, 0x00, (uint8_t)ref, buf, n, (uint8_t)ref, tries_left);
	OPENSSL_cleanse (buf, sizeof buf);
	return rv;
}

card_rv
opgp_pin_status (struct card *card, struct opgp *o, enum opgp_pw ref, int *verified, int *tries_left)
{
	struct apdu apdu;
	struct apdu_resp resp;
	uint16_t sw = 0;
	card_rv rv;

	assert (card != NULL && o != NULL && verified != NULL && tries_left != NULL);
	*verified = -1;
	*tries_left = tries_of (o, (uint8_t)ref);
	if (o->ard.version < 0x0300) {   /* 2.x: no status by an empty VERIFY */
		rv = refresh_pw (card, o);
		*tries_left = tries_of (o, (uint8_t)ref);
		return rv;
	}
	opgp_apdu (&apdu, OPGP_INS_VERIFY, 0x00, (uint8_t)ref);
	rv = opgp_exchange (card, o, &apdu, &resp, &sw);
	apdu_resp_clear (&resp);
	if (rv == CARD_OK) {
		*verified = 1;
		return CARD_OK;
	}
	if ((sw & 0xFFF0) == 0x63C0 || sw == 0x6983) {
		*verified = 0;
		*tries_left = sw == 0x6983 ? 0 : sw & 0x0F;
		return CARD_OK;
	}
	return rv;
}

card_rv
opgp_logout (struct card *card, struct opgp *o, enum opgp_pw ref)
{
	struct apdu apdu;
	struct apdu_resp resp;
	card_rv rv;

	assert (card != NULL && o != NULL);
	if (o->ard.version < 0x0300)
		return CARD_E_NOT_SUPPORTED;   /* 2.x forgets only by a new SELECT or reset */
	opgp_apdu (&apdu, OPGP_INS_VERIFY, 0xFF, (uint8_t)ref);
	rv = opgp_exchange (card, o, &apdu, &resp, NULL);
	apdu_resp_clear (&resp);
	return rv;
}

card_rv
opgp_change_pin (struct card *card, struct opgp *o, enum opgp_pw ref, const uint8_t *old, size_t old_len,
                 const uint8_t *new_pin, size_t new_len, int *tries_left)
{
	uint8_t buf[2 * OPGP_PW_BUF], p2 = ref == OPGP_PW3 ? 0x83 : 0x81;
	size_t n = 0;
	card_rv rv;

	assert (card != NULL && o != NULL);
	if (tries_left != NULL)
		*tries_left = -1;
	rv = add_pw (o, p2, old, old_len, buf, &n);
	if (rv == CARD_OK)
		rv = add_pw (o, p2, new_pin, new_len, buf, &n);
	if (rv == CARD_OK)
		rv = pw_command (card, o, OPGP_INS_CHANGE_REF, 0x00, p2, buf, n, p2, tries_left);
	OPENSSL_cleanse (buf, sizeof buf);
	return rv;
}

card_rv
opgp_unblock_rc (struct card *card, struct opgp *o, const uint8_t *rc, size_t rc_len,
                 const uint8_t *new_pin, size_t new_len, int *tries_left)
{
	uint8_t buf[2 * OPGP_PW_BUF];
	size_t n = 0;
	card_rv rv;

	assert (card != NULL && o != NULL);
	if (tries_left != NULL)
		*tries_left = -1;
	rv = add_pw (o, REF_RC, rc, rc_len, buf, &n);
	if (rv == CARD_OK)
		rv = add_pw (o, 0x81, new_pin, new_len, buf, &n);
	if (rv == CARD_OK)
		rv = pw_command (card, o, OPGP_INS_RESET_RETRY, 0x00, 0x81, buf, n, REF_RC, tries_left);
	OPENSSL_cleanse (buf, sizeof buf);
	return rv;
}

card_rv
opgp_unblock_admin (struct card *card, struct opgp *o, const uint8_t *new_pin, size_t new_len)
{
	uint8_t buf[OPGP_PW_BUF];
	size_t n = 0;
	card_rv rv;

	assert (card != NULL && o != NULL);
	rv = add_pw (o, 0x81, new_pin, new_len, buf, &n);
	if (rv == CARD_OK)
		rv = pw_command (card, o, OPGP_INS_RESET_RETRY, 0x02, 0x81, buf, n, 0x81, NULL);
	OPENSSL_cleanse (buf, sizeof buf);
	return rv;
}

card_rv
opgp_set_resetting_code (struct card *card, struct opgp *o, const uint8_t *rc, size_t rc_len)
{
	uint8_t buf[OPGP_PW_BUF];
	size_t n = 0;
	card_rv rv = CARD_OK;

	assert (card != NULL && o != NULL);
	if (rc != NULL)
		rv = add_pw (o, REF_RC, rc, rc_len, buf, &n);
	if (rv == CARD_OK)
		rv = opgp_put_data (card, o, 0x00D3, 0, buf, n, 1);
	if (rv == CARD_OK)
		(void)refresh_pw (card, o);
	OPENSSL_cleanse (buf, sizeof buf);
	return rv;
}
