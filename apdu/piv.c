/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * apdu/piv.c: the PIV card driver: its operation table, the slot table,
 * SELECT, and the card's identity at probe (YubiKey version and serial, or
 * the CHUID of any other PIV card).
 */
#include "config.h"

#include "apdu/piv.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apdu/log.h"
#include "apdu/tlv.h"

static const uint8_t piv_aid[] = {
	0xA0, 0x00, 0x00, 0x03, 0x08, 0x00, 0x00, 0x10, 0x00, 0x01, 0x00
};

#define RETIRED_TAG(n) { 0x81 + (n), 0x5FC10C + (n) }

const struct piv_slot piv_slots[PIV_NUM_SLOTS] = {
	{ 0x9A, 0x5FC105 }, { 0x9C, 0x5FC10A }, { 0x9D, 0x5FC10B }, { 0x9E, 0x5FC101 },
	RETIRED_TAG (1), RETIRED_TAG (2), RETIRED_TAG (3), RETIRED_TAG (4), RETIRED_TAG (5),
	RETIRED_TAG (6), RETIRED_TAG (7), RETIRED_TAG (8), RETIRED_TAG (9), RETIRED_TAG (10),
	RETIRED_TAG (11), RETIRED_TAG (12), RETIRED_TAG (13), RETIRED_TAG (14), RETIRED_TAG (15),
	RETIRED_TAG (16), RETIRED_TAG (17), RETIRED_TAG (18), RETIRED_TAG (19), RETIRED_TAG (20),
};

/* Every algorithm a PIV slot can hold; what a card can make is card->info.gen_algs. */
#define PIV_ALGS (CARD_ALG_BIT (CARD_ALG_RSA1024) | CARD_ALG_BIT (CARD_ALG_RSA2048) | \
                  CARD_ALG_BIT (CARD_ALG_RSA3072) | CARD_ALG_BIT (CARD_ALG_RSA4096) | \
                  CARD_ALG_BIT (CARD_ALG_EC_P256) | CARD_ALG_BIT (CARD_ALG_EC_P384))

/* Retired key management keys 82..95: numbers 05..18; decryption or key agreement by
 * their purpose, spare slots for generation. */
#define RETIRED(n) { 0x81 + (n), 0x04 + (n), "Retired Certificate for Key Management " #n, \
                     "RETIRED KEY " #n, CARD_USE_SIGN | CARD_USE_DECRYPT, 0, CARD_PIN_POLICY_ONCE, PIV_ALGS, \
                     CARD_SLOT_SPARE, 0 }

/* SP 800-73-4's key purposes; numbers and labels as OpenSC and ykcs11 have them. */
const struct card_slot piv_card_slots[PIV_NUM_SLOTS] = {
	{ 0x9A, 0x01, "Certificate for PIV Authentication", "PIV AUTH", CARD_USE_SIGN | CARD_USE_DECRYPT,
	  CARD_KEYGEN_SIGN_DECRYPT | CARD_KEYGEN_UNSAID, CARD_PIN_POLICY_ONCE, PIV_ALGS, CARD_SLOT_LABEL_CERT, 0 },
	{ 0x9C, 0x02, "Certificate for Digital Signature", "SIGN", CARD_USE_SIGN,
	  CARD_KEYGEN_SIGN, CARD_PIN_POLICY_ALWAYS, PIV_ALGS, 0, 0 },
	{ 0x9D, 0x03, "Certificate for Key Management", "KEY MAN", CARD_USE_DECRYPT,
	  CARD_KEYGEN_DECRYPT, CARD_PIN_POLICY_ONCE, PIV_ALGS, 0, 0 },
	{ 0x9E, 0x04, "Certificate for Card Authentication", "CARD AUTH", CARD_USE_SIGN,
	  0, CARD_PIN_POLICY_NEVER, PIV_ALGS, 0, 0 },
	RETIRED (1), RETIRED (2), RETIRED (3), RETIRED (4), RETIRED (5),
	RETIRED (6), RETIRED (7), RETIRED (8), RETIRED (9), RETIRED (10),
	RETIRED (11), RETIRED (12), RETIRED (13), RETIRED (14), RETIRED (15),
	RETIRED (16), RETIRED (17), RETIRED (18), RETIRED (19), RETIRED (20),
};

const struct piv_slot *
piv_slot_by_ref (uint8_t ref)
{
	size_t i;

	for (i = 0; i < PIV_NUM_SLOTS; i++) {
		if (piv_slots[i].ref == ref)
			return &piv_slots[i];
	}
	return NULL;
}

void
piv_apdu (struct card *card, struct apdu *apdu, uint8_t ins, uint8_t p1, uint8_t p2)
{
	assert (card != NULL);
	apdu_init (apdu, 0x00, ins, p1, p2);
	apdu->extended = card->extended;
}

card_rv
piv_select (struct card *card)
{
	struct apdu apdu;
	struct apdu_resp resp;
	card_rv rv;

	piv_apdu (card, &apdu, PIV_INS_SELECT, 0x04, 0x00);
	apdu.data = piv_aid;
	apdu.data_len = sizeof piv_aid;
	apdu.ne = 256;
	rv = apdu_exchange (card, &apdu, &resp, NULL);
	apdu_resp_clear (&resp);
	return rv;
}

static card_rv
piv_reselect (struct card *card)
{
	if (card == NULL || card->driver_data == NULL)
		return CARD_E_INTERNAL;
	return piv_select (card);
}

/* A simple command expecting data: GET VERSION, GET SERIAL. */
static card_rv
yk_get (struct card *card, uint8_t ins, struct apdu_resp *resp)
{
	struct apdu apdu;

	piv_apdu (card, &apdu, ins, 0x00, 0x00);
	apdu.ne = 256;
	return apdu_exchange (card, &apdu, resp, NULL);
}

static void
hex_string (char *out, size_t size, const uint8_t *data, size_t len)
{
	size_t i;

	assert (size > 0);
	out[0] = '\0';
	for (i = 0; i < len && 2 * i + 2 < size; i++)
		snprintf (out + 2 * i, size - 2 * i, "%02X", data[i]);
}

static int
all_zero (const uint8_t *data, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (data[i] != 0)
			return 0;
	}
	return 1;
}

/* Serial from the CHUID: the GUID (34) as hex, else the FASC-N (30) as hex
 * (its first 16 bytes: the serial field holds 32 characters). */
static card_rv
serial_from_chuid (struct card *card)
{
	uint8_t *chuid = NULL;
	size_t len = 0;
	struct tlv obj;
	card_rv rv;

	rv = piv_get_data (card, PIV_OBJ_CHUID, 0, &chuid, &len);
	if (rv == CARD_E_NOT_FOUND || rv == CARD_E_SECURITY) {
		tsr_log ("piv", "no CHUID: the card has no serial");
		rv = CARD_OK;
		goto out;
	}
	if (rv != CARD_OK)
		goto out;
	if (tlv_find (chuid, len, 0x34, &obj) == TLV_OK && obj.len > 0 &&
	    !all_zero (obj.value, obj.len))
		hex_string (card->info.serial, sizeof card->info.serial, obj.value, obj.len);
	else if (tlv_find (chuid, len, 0x30, &obj) == TLV_OK && obj.len > 0)
		hex_string (card->info.serial, sizeof card->info.serial, obj.value, obj.len);
out:
	free (chuid);
	return rv;
}

/* YubiKey: GET VERSION answered; the serial by GET SERIAL (firmware 5+), else CHUID. */
static card_rv
identify_yubikey (struct card *card, const uint8_t *version)
{
	struct apdu_resp resp;
	card_rv rv;
	uint32_t serial;

	piv_data (card)->yubikey = 1;
	memcpy (card->info.version, version, 3);
	snprintf (card->info.model, sizeof card->info.model, "YubiKey %u",
	          version[0] >= 4 ? version[0] : 4);
	snprintf (card->info.manufacturer, sizeof card->info.manufacturer, "Yubico");
	card->info.can_import = 1;
	card->info.can_reset = 1;
	card->info.has_metadata = version[0] > 5 || (version[0] == 5 && version[1] >= 3);
	card->info.gen_algs |= CARD_ALG_BIT (CARD_ALG_RSA1024);
	if (version[0] > 5 || (version[0] == 5 && version[1] >= 7))
		card->info.gen_algs |= CARD_ALG_BIT (CARD_ALG_RSA3072) | CARD_ALG_BIT (CARD_ALG_RSA4096);

	rv = yk_get (card, PIV_INS_YK_SERIAL, &resp);
	if (rv == CARD_OK && resp.len == 4) {
		serial = (uint32_t)resp.data[0] << 24 | (uint32_t)resp.data[1] << 16 |
		         (uint32_t)resp.data[2] << 8 | resp.data[3];
		snprintf (card->info.serial, sizeof card->info.serial, "%u", serial);
	}
	apdu_resp_clear (&resp);
	if (rv == CARD_OK || rv == CARD_E_NOT_SUPPORTED || rv == CARD_E_INVALID_DATA ||
	    rv == CARD_E_INTERNAL) {
		rv = CARD_OK;
		if (card->info.serial[0] == '\0')
			rv = serial_from_chuid (card);
	}
	return rv;
}

static card_rv
piv_probe (struct card *card)
{
	struct apdu_resp resp;
	card_rv rv;

	if (card == NULL || card->driver_data != NULL)
		return CARD_E_INTERNAL;
	memset (&resp, 0, sizeof resp);
	card->driver_data = calloc (1, sizeof (struct piv_data));
	if (card->driver_data == NULL)
		return CARD_E_NO_MEMORY;

	rv = piv_select (card);
	if (rv == CARD_E_NOT_FOUND || rv == CARD_E_INVALID_DATA || rv == CARD_E_NOT_SUPPORTED ||
	    rv == CARD_E_INTERNAL) {
		rv = CARD_E_NOT_SUPPORTED;   /* no PIV application */
		goto out;
	}
	if (rv != CARD_OK)
		goto out;

	card->info.pin_min = card->info.puk_min = 6;
	card->info.pin_max = card->info.puk_max = 8;
	card->info.can_generate = 1;
	card->info.gen_algs = CARD_ALG_BIT (CARD_ALG_RSA2048) | CARD_ALG_BIT (CARD_ALG_EC_P256) |
	                      CARD_ALG_BIT (CARD_ALG_EC_P384);
	card->info.so_admin_key = 1;
	card->slots = piv_card_slots;
	card->n_slots = PIV_NUM_SLOTS;

	rv = yk_get (card, PIV_INS_YK_VERSION, &resp);
	if (rv == CARD_OK && resp.len >= 3) {
		rv = identify_yubikey (card, resp.data);
	} else if (rv == CARD_OK || rv == CARD_E_NOT_SUPPORTED || rv == CARD_E_INVALID_DATA ||
	           rv == CARD_E_NOT_FOUND || rv == CARD_E_INTERNAL) {
		snprintf (card->info.model, sizeof card->info.model, "PIV card");
		snprintf (card->info.manufacturer, sizeof card->info.manufacturer, "unknown");
		rv = serial_from_chuid (card);
	}
	if (rv == CARD_OK)
		tsr_log ("piv", "%s by %s, serial '%s', version %u.%u.%u", card->info.model,
		         card->info.manufacturer, card->info.serial, card->info.version[0],
		         card->info.version[1], card->info.version[2]);
out:
	apdu_resp_clear (&resp);
	return rv;
}

static void
piv_release (struct card *card)
{
	if (card == NULL)
		return;
	free (card->driver_data);
	card->driver_data = NULL;
}

const struct card_driver card_driver_piv = {
	.name = "piv",
	.aid = piv_aid,
	.aid_len = sizeof piv_aid,
	.probe = piv_probe,
	.reselect = piv_reselect,
	.release = piv_release,
	.list_keys = piv_list_keys,
	.key_meta = piv_key_meta,
	.pin_status = piv_pin_status,
	.verify_pin = piv_verify_pin,
	.check_pin = piv_check_pin,
	.logout = piv_logout,
	.change_pin = piv_change_pin,
	.unblock_pin = piv_unblock_pin,
	.rsa_raw = piv_rsa_raw,
	.ecdsa_sign = piv_ecdsa_sign,
	.ecdh = piv_ecdh,
	.admin_auth = piv_admin_auth,
	.default_admin_key = piv_default_admin_key,
	.default_admin_key_len = sizeof piv_default_admin_key,
	.protected_admin_key = piv_yk_protected_admin_key,
	.generate = piv_generate,
	.write_cert = piv_write_cert,
	.read_object = piv_read_object,
	.write_object = piv_write_object,
	.reset = piv_yk_reset,
	.set_admin_key = piv_yk_set_admin_key,
	.import_key = piv_yk_import_key,
};
