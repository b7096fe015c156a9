/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fuzz/piv-ops.c: the PIV driver's operations for fuzzing and recording (piv-ops.h). The
 * arguments are fixed, so that recorded answers fit them when replayed; nothing here
 * changes the card for good (the PIN is changed to itself, the certificate written to 9E
 * is deleted again).
 */
#include "config.h"

#include "fuzz/piv-ops.h"

#include <stdlib.h>
#include <string.h>

#include "apdu/card.h"

static const uint8_t pin[] = "123456", puk[] = "12345678";
static const uint8_t mgm[24] = { 1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 6, 7, 8 };
/* The generator of P-256: a valid peer point for ECDH. */
static const uint8_t point[65] = {
	0x04, 0x6B, 0x17, 0xD1, 0xF2, 0xE1, 0x2C, 0x42, 0x47, 0xF8, 0xBC, 0xE6, 0xE5, 0x63, 0xA4, 0x40, 0xF2,
	0x77, 0x03, 0x7D, 0x81, 0x2D, 0xEB, 0x33, 0xA0, 0xF4, 0xA1, 0x39, 0x45, 0xD8, 0x98, 0xC2, 0x96,
	0x4F, 0xE3, 0x42, 0xE2, 0xFE, 0x1A, 0x7F, 0x9B, 0x8E, 0xE7, 0xEB, 0x4A, 0x7C, 0x0F, 0x9E, 0x16,
	0x2B, 0xCE, 0x33, 0x57, 0x6B, 0x31, 0x5E, 0xCE, 0xCB, 0xB6, 0x40, 0x68, 0x37, 0xBF, 0x51, 0xF5,
};

static void
keys_and_pins (struct card *card, unsigned mask)
{
	struct card_key *keys = NULL;
	size_t n = 0;
	int verified = 0, tries = 0;

	if (mask & 0x1) {
		(void)card->driver->list_keys (card, NULL, &keys, &n);
		card_keys_free (keys, n);
	}
	if (mask & 0x2) {
		(void)card->driver->pin_status (card, CARD_PIN_USER, &verified, &tries);
		(void)card->driver->pin_status (card, CARD_PIN_SO, &verified, &tries);
	}
	if (mask & 0x4)
		(void)card->driver->verify_pin (card, CARD_PIN_USER, pin, 6, &tries);
}

static void
private_ops (struct card *card, unsigned mask)
{
	uint8_t in[256], out[512];
	size_t len;

	memset (in, 0x5A, sizeof in);
	in[0] = 0x00;
	if (mask & 0x8) {
		len = sizeof out;
		(void)card->driver->rsa_raw (card, 0x9A, in, 256, out, &len);
	}
	if (mask & 0x10) {
		len = sizeof out;
		(void)card->driver->ecdsa_sign (card, 0x9C, in, 32, out, &len);
	}
	if (mask & 0x20) {
		len = sizeof out;
		(void)card->driver->ecdh (card, 0x9D, point, sizeof point, out, &len);
	}
}

static void
admin_ops (struct card *card, unsigned mask)
{
	static const uint8_t cert[] = { 0x30, 0x03, 0x02, 0x01, 0x01 };
	uint8_t *spki = NULL, *data = NULL;
	size_t spki_len = 0, len = 0;

	if (mask & 0x40)
		(void)card->driver->admin_auth (card, mgm, sizeof mgm);
	if (mask & 0x80) {
		(void)card->driver->generate (card, 0x83, CARD_ALG_EC_P256, CARD_PIN_POLICY_DEFAULT,
		                              CARD_TOUCH_POLICY_DEFAULT, &spki, &spki_len);
		free (spki);
	}
	if (mask & 0x100) {
		(void)card->driver->write_cert (card, 0x9E, cert, sizeof cert);
		(void)card->driver->write_cert (card, 0x9E, NULL, 0);
	}
	if (mask & 0x200) {
		(void)card->driver->read_object (card, 0x5FC109, &data, &len);
		free (data);
	}
}

static void
pin_ops (struct card *card, unsigned mask)
{
	int tries = 0;

	if (mask & 0x400)
		(void)card->driver->change_pin (card, CARD_PIN_USER, pin, 6, pin, 6, &tries);
	if (mask & 0x800)
		(void)card->driver->unblock_pin (card, puk, 8, pin, 6, &tries);
	if (mask & 0x1000)
		(void)card->driver->logout (card);
	if (mask & 0x2000)
		(void)card->driver->reselect (card);
}

void
fuzz_piv_ops (const struct reader_ops *reader, const char *reader_name, unsigned mask)
{
	struct card *card = NULL;
	int was_reset = 0;

	if (card_open (reader, reader_name, NULL, &card) != CARD_OK)   /* any driver: PIV, then OpenPGP */
		return;
	if (card_begin (card, &was_reset) == CARD_OK) {
		keys_and_pins (card, mask);
		private_ops (card, mask);
		admin_ops (card, mask);
		pin_ops (card, mask);
		card_end (card);
	}
	card_close (card);
}
