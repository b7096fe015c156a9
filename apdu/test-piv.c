/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * apdu/test-piv.c: the PIV driver against a scripted card: probe (YubiKey and
 * plain PIV), PIN operations (exact APDUs, padding, counters), list_keys
 * (certificates by response chaining, key history, YubiKey metadata), generic
 * objects, and malformed answers.
 */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

#include "apdu/card.h"
#include "apdu/mock-reader.h"
#include "apdu/test-piv.h"

static void
setup (void)
{
	mock_reset ();
}

static void
teardown (void)
{
	mock_reset ();
}

/* ---------------------------------------------------------------- probe */

START_TEST (test_probe_yubikey5)
{
	struct card *card = tp_open_yubikey (5, 4);

	ck_assert_str_eq (card->info.model, "YubiKey 5");
	ck_assert_str_eq (card->info.manufacturer, "Yubico");
	ck_assert_str_eq (card->info.serial, "12345678");
	ck_assert_uint_eq (card->info.version[0], 5);
	ck_assert_uint_eq (card->info.version[1], 4);
	ck_assert_int_eq (card->info.has_metadata, 1);
	ck_assert_int_eq (card->info.can_import, 1);
	ck_assert_int_eq (card->info.can_reset, 1);
	ck_assert_int_eq (card->info.can_generate, 1);
	ck_assert_int_eq (card->info.pin_min, 6);
	ck_assert_int_eq (card->info.puk_max, 8);
	tp_close (card);
}
END_TEST

START_TEST (test_probe_yubikey4_fascn)
{
	struct card *card = NULL;

	mock_expect (SELECT_PIV, APT " 90 00");
	mock_expect (GET_VERSION, "04 03 05 90 00");
	mock_expect (GET_SERIAL, "6D 00");
	/* CHUID with a FASC-N only: its first 16 bytes as hex */
	mock_expect (GET_CHUID, "53 1D 30 19 D4 E7 39 DA 73 9C ED 39 CE 73 9D 83 68 58 21 08 42 10 84 21"
	                        " C8 42 10 C3 EB FE 00 90 00");
	ck_assert_int_eq (card_open (&mock_reader_ops, "mock", NULL, &card), CARD_OK);
	ck_assert_str_eq (card->info.model, "YubiKey 4");
	ck_assert_str_eq (card->info.serial, "D4E739DA739CED39CE739D8368582108");
	ck_assert_int_eq (card->info.has_metadata, 0);
	card_close (card);
	ck_assert_ptr_null (mock_check ());
}
END_TEST

START_TEST (test_probe_chuid_errors)
{
	struct card *card = NULL;

	/* no CHUID at all: fine, no serial */
	mock_expect (SELECT_PIV, APT " 90 00");
	mock_expect (GET_VERSION, "6D 00");
	mock_expect (GET_CHUID, "6A 82");
	ck_assert_int_eq (card_open (&mock_reader_ops, "mock", NULL, &card), CARD_OK);
	ck_assert_str_eq (card->info.serial, "");
	card_close (card);

	/* truncated container, wrong tag: the card is broken */
	mock_expect (SELECT_PIV, APT " 90 00");
	mock_expect (GET_VERSION, "6D 00");
	mock_expect (GET_CHUID, "53 22 30 0A 00 11 90 00");
	ck_assert_int_eq (card_open (&mock_reader_ops, "mock", NULL, &card), CARD_E_BAD_RESPONSE);
	ck_assert_ptr_null (card);
	mock_expect (SELECT_PIV, APT " 90 00");
	mock_expect (GET_VERSION, "6D 00");
	mock_expect (GET_CHUID, "54 02 34 00 90 00");
	ck_assert_int_eq (card_open (&mock_reader_ops, "mock", NULL, &card), CARD_E_BAD_RESPONSE);
	ck_assert_ptr_null (mock_check ());
	ck_assert_int_eq (mock_connections (), 0);
}
END_TEST

/* ---------------------------------------------------------------- PIN */

#define PIN_123456 "31 32 33 34 35 36 FF FF"

START_TEST (test_verify_pin)
{
	struct card *card = tp_open_plain ();
	int tries = 99;
	size_t sent;

	mock_expect ("00 20 00 80 08 " PIN_123456, "90 00");
	ck_assert_int_eq (card->driver->verify_pin (card, CARD_PIN_USER, (const uint8_t *)"123456", 6,
	                                            &tries), CARD_OK);
	ck_assert_int_eq (tries, -1);

	mock_expect ("00 20 00 80 08 " PIN_123456, "63 C2");
	ck_assert_int_eq (card->driver->verify_pin (card, CARD_PIN_USER, (const uint8_t *)"123456", 6,
	                                            &tries), CARD_E_PIN_INCORRECT);
	ck_assert_int_eq (tries, 2);

	mock_expect ("00 20 00 80 08 31 32 33 34 35 36 37 38", "69 83");
	ck_assert_int_eq (card->driver->verify_pin (card, CARD_PIN_USER, (const uint8_t *)"12345678", 8,
	                                            &tries), CARD_E_PIN_LOCKED);
	ck_assert_int_eq (tries, 0);

	/* a context-specific login (PIN-always key) is a VERIFY of the same PIN */
	mock_expect ("00 20 00 80 08 " PIN_123456, "90 00");
	ck_assert_int_eq (card->driver->verify_pin (card, CARD_PIN_CONTEXT, (const uint8_t *)"123456", 6,
	                                            &tries), CARD_OK);

	/* the SO PIN (PUK) is checked by changing it to itself: nothing changes but its counter */
	mock_expect ("00 24 00 81 10 31 32 33 34 35 36 37 38 31 32 33 34 35 36 37 38", "63 C1");
	ck_assert_int_eq (card->driver->verify_pin (card, CARD_PIN_SO, (const uint8_t *)"12345678", 8,
	                                            &tries), CARD_E_PIN_INCORRECT);
	ck_assert_int_eq (tries, 1);

	/* length and characters checked before anything is sent */
	sent = mock_sent_count ();
	ck_assert_int_eq (card->driver->verify_pin (card, CARD_PIN_USER, (const uint8_t *)"12345", 5,
	                                            &tries), CARD_E_PIN_LEN);
	ck_assert_int_eq (card->driver->verify_pin (card, CARD_PIN_USER, (const uint8_t *)"123456789", 9,
	                                            &tries), CARD_E_PIN_LEN);
	ck_assert_int_eq (card->driver->verify_pin (card, CARD_PIN_USER, NULL, 0, &tries),
	                  CARD_E_PIN_LEN);
	ck_assert_int_eq (card->driver->verify_pin (card, CARD_PIN_USER,
	                                            (const uint8_t *)"123\xff" "56", 6, &tries),
	                  CARD_E_PIN_INVALID);
	ck_assert_int_eq (card->driver->verify_pin (card, CARD_PIN_SO, (const uint8_t *)"12345", 5,
	                                            &tries), CARD_E_PIN_LEN);
	ck_assert_uint_eq (mock_sent_count (), sent);
	tp_close (card);
}
END_TEST

START_TEST (test_pin_status_and_logout)
{
	struct card *card = tp_open_plain ();
	int verified = -1, tries = 99;

	mock_expect ("00 20 00 80", "90 00");
	ck_assert_int_eq (card->driver->pin_status (card, CARD_PIN_USER, &verified, &tries), CARD_OK);
	ck_assert_int_eq (verified, 1);
	ck_assert_int_eq (tries, -1);

	mock_expect ("00 20 00 80", "63 C3");
	ck_assert_int_eq (card->driver->pin_status (card, CARD_PIN_USER, &verified, &tries), CARD_OK);
	ck_assert_int_eq (verified, 0);
	ck_assert_int_eq (tries, 3);

	mock_expect ("00 20 00 80", "69 83");
	ck_assert_int_eq (card->driver->pin_status (card, CARD_PIN_USER, &verified, &tries), CARD_OK);
	ck_assert_int_eq (verified, 0);
	ck_assert_int_eq (tries, 0);

	mock_expect_fail ("00 20 00 80", READER_E_REMOVED);
	ck_assert_int_eq (card->driver->pin_status (card, CARD_PIN_USER, &verified, &tries),
	                  CARD_E_REMOVED);

	/* PUK: no APDU can tell on a plain card */
	ck_assert_int_eq (card->driver->pin_status (card, CARD_PIN_SO, &verified, &tries), CARD_OK);
	ck_assert_int_eq (tries, -1);

	mock_expect ("00 20 FF 80", "90 00");
	ck_assert_int_eq (card->driver->logout (card), CARD_OK);
	/* a card without VERIFY P1=FF: re-select instead */
	mock_expect ("00 20 FF 80", "6A 86");
	mock_expect (SELECT_PIV, APT " 90 00");
	ck_assert_int_eq (card->driver->logout (card), CARD_OK);
	tp_close (card);
}
END_TEST

START_TEST (test_puk_status_yubikey)
{
	struct card *card = tp_open_yubikey (5, 3);
	int verified = -1, tries = 99;

	mock_expect ("00 F7 00 81 00", "01 01 FF 05 01 00 06 02 03 02 90 00");
	ck_assert_int_eq (card->driver->pin_status (card, CARD_PIN_SO, &verified, &tries), CARD_OK);
	ck_assert_int_eq (verified, 0);
	ck_assert_int_eq (tries, 2);
	tp_close (card);
}
END_TEST

START_TEST (test_change_and_unblock)
{
	struct card *card = tp_open_plain ();
	int tries = 99;

	mock_expect ("00 24 00 80 10 " PIN_123456 " 36 35 34 33 32 31 30 FF", "63 C1");
	ck_assert_int_eq (card->driver->change_pin (card, CARD_PIN_USER, (const uint8_t *)"123456", 6,
	                                            (const uint8_t *)"6543210", 7, &tries),
	                  CARD_E_PIN_INCORRECT);
	ck_assert_int_eq (tries, 1);

	mock_expect ("00 24 00 81 10 31 32 33 34 35 36 37 38 38 37 36 35 34 33 32 31", "90 00");
	ck_assert_int_eq (card->driver->change_pin (card, CARD_PIN_SO, (const uint8_t *)"12345678", 8,
	                                            (const uint8_t *)"87654321", 8, &tries), CARD_OK);

	mock_expect ("00 2C 00 80 10 31 32 33 34 35 36 37 38 " PIN_123456, "90 00");
	ck_assert_int_eq (card->driver->unblock_pin (card, (const uint8_t *)"12345678", 8,
	                                             (const uint8_t *)"123456", 6, &tries), CARD_OK);
	mock_expect ("00 2C 00 80 10 31 32 33 34 35 36 37 38 " PIN_123456, "69 83");
	ck_assert_int_eq (card->driver->unblock_pin (card, (const uint8_t *)"12345678", 8,
	                                             (const uint8_t *)"123456", 6, &tries),
	                  CARD_E_PIN_LOCKED);

	/* new PIN too short: nothing sent */
	ck_assert_int_eq (card->driver->change_pin (card, CARD_PIN_USER, (const uint8_t *)"123456", 6,
	                                            (const uint8_t *)"123", 3, &tries), CARD_E_PIN_LEN);
	ck_assert_int_eq (card->driver->unblock_pin (card, (const uint8_t *)"1234", 4,
	                                             (const uint8_t *)"123456", 6, &tries),
	                  CARD_E_PIN_LEN);
	tp_close (card);
}
END_TEST

/* ---------------------------------------------------------------- list_keys */

static const char *const cert_get[] = {
	"00 CB 3F FF 05 5C 03 5F C1 05 00",   /* 9A */
	"00 CB 3F FF 05 5C 03 5F C1 0A 00",   /* 9C */
	"00 CB 3F FF 05 5C 03 5F C1 0B 00",   /* 9D */
	"00 CB 3F FF 05 5C 03 5F C1 01 00",   /* 9E */
};

static void
expect_retired_absent (int first, int last)
{
	char cmd[64];
	int i;

	for (i = first; i <= last; i++) {
		snprintf (cmd, sizeof cmd, "00 CB 3F FF 05 5C 03 5F C1 %02X 00", 0x0C + i);
		mock_expect (cmd, "6A 82");
	}
}

/* The 53 container of a certificate object. */
static void
cert_object (struct tp_bytes *b, const uint8_t *der, size_t len, uint8_t info)
{
	size_t inner = 1 + (len < 128 ? 1 : len < 256 ? 2 : 3) + len + 3 + 2;

	tp_add_header (b, 0x53, inner);
	tp_add_header (b, 0x70, len);
	tp_add (b, der, len);
	tp_add (b, (const uint8_t[]){ 0x71, 0x01, info, 0xFE, 0x00 }, 5);
}

START_TEST (test_list_keys_plain_2k_cert)
{
	struct card *card = tp_open_plain ();
	EVP_PKEY *key = tp_rsa_key ();
	struct tp_bytes obj = { 0 };
	struct card_key *keys = NULL;
	size_t count = 99, der_len, sent;
	uint8_t *der = tp_cert (key, 1200, &der_len);

	ck_assert_uint_gt (der_len, 1900);
	cert_object (&obj, der, der_len, 0x00);
	mock_expect (GET_KEY_HISTORY, "6A 82");          /* no key history: read every retired slot */
	tp_serve_long (cert_get[0], obj.data, obj.len);  /* 2 KB by GET RESPONSE */
	mock_expect (cert_get[1], "6A 82");
	mock_expect (cert_get[2], "6A 82");
	mock_expect (cert_get[3], "6A 82");
	expect_retired_absent (1, 20);
	sent = mock_sent_count ();
	ck_assert_int_eq (card->driver->list_keys (card, NULL, &keys, &count), CARD_OK);
	ck_assert_uint_eq (mock_sent_count () - sent, 1 + 4 + 20 + (obj.len - 1) / 256);
	ck_assert_uint_eq (count, 1);
	ck_assert_uint_eq (keys[0].ref, 0x9A);
	ck_assert_uint_eq (card_slot_by_ref (card, keys[0].ref)->number, 0x01);
	ck_assert_str_eq (card_slot_by_ref (card, keys[0].ref)->key_label, "PIV AUTH");
	ck_assert_int_eq (keys[0].has_key, 1);
	ck_assert_int_eq (keys[0].alg, CARD_ALG_RSA2048);
	ck_assert_int_eq (keys[0].pin_policy, CARD_PIN_POLICY_ONCE);
	ck_assert_int_eq (keys[0].touch_policy, CARD_TOUCH_POLICY_NEVER);
	ck_assert_int_eq (keys[0].origin_generated, -1);
	ck_assert_uint_eq (keys[0].cert_len, der_len);
	ck_assert (memcmp (keys[0].cert_der, der, der_len) == 0);
	ck_assert_ptr_null (keys[0].spki_der);
	card_keys_free (keys, count);
	tp_bytes_free (&obj);
	free (der);
	EVP_PKEY_free (key);
	tp_close (card);
}
END_TEST

START_TEST (test_list_keys_key_history)
{
	struct card *card = tp_open_plain ();
	EVP_PKEY *key = tp_ec_key ("P-256");
	struct tp_bytes obj = { 0 }, resp = { 0 };
	struct card_key *keys = NULL;
	size_t count = 0, der_len, sent, cmd_len;
	uint8_t *der = tp_cert (key, 0, &der_len), *cmd;

	/* one retired key with its certificate on the card: only 82 is read */
	mock_expect (GET_KEY_HISTORY, "53 08 C1 01 01 C2 01 00 FE 00 90 00");
	mock_expect (cert_get[0], "6A 82");
	mock_expect (cert_get[1], "6A 82");
	mock_expect (cert_get[2], "6A 82");
	mock_expect (cert_get[3], "6A 82");
	cert_object (&obj, der, der_len, 0x00);
	tp_add (&resp, obj.data, obj.len);
	tp_add_hex (&resp, "90 00");
	cmd = mock_unhex ("00 CB 3F FF 05 5C 03 5F C1 0D 00", &cmd_len);
	mock_expect_bin (cmd, cmd_len, resp.data, resp.len);
	free (cmd);
	sent = mock_sent_count ();
	ck_assert_int_eq (card->driver->list_keys (card, NULL, &keys, &count), CARD_OK);
	ck_assert_uint_eq (mock_sent_count () - sent, 6);
	ck_assert_uint_eq (count, 1);
	ck_assert_uint_eq (keys[0].ref, 0x82);
	ck_assert_uint_eq (card_slot_by_ref (card, keys[0].ref)->number, 0x05);
	ck_assert_str_eq (card_slot_by_ref (card, keys[0].ref)->key_label, "RETIRED KEY 1");
	ck_assert_int_eq (keys[0].alg, CARD_ALG_EC_P256);
	card_keys_free (keys, count);

	/* key history says none: 5 APDUs for an empty card */
	mock_expect (GET_KEY_HISTORY, "53 08 C1 01 00 C2 01 00 FE 00 90 00");
	mock_expect (cert_get[0], "6A 82");
	mock_expect (cert_get[1], "6A 82");
	mock_expect (cert_get[2], "6A 82");
	mock_expect (cert_get[3], "53 00 90 00");   /* an empty object counts as absent */
	ck_assert_int_eq (card->driver->list_keys (card, NULL, &keys, &count), CARD_OK);
	ck_assert_uint_eq (count, 0);
	card_keys_free (keys, count);

	tp_bytes_free (&obj);
	tp_bytes_free (&resp);
	free (der);
	EVP_PKEY_free (key);
	tp_close (card);
}
END_TEST

static uint8_t *
spki_of (EVP_PKEY *key, size_t *len)
{
	unsigned char *der = NULL;
	int n = i2d_PUBKEY (key, &der);

	ck_assert_int_gt (n, 0);
	*len = (size_t)n;
	return der;
}

START_TEST (test_list_keys_yubikey_metadata)
{
	struct card *card = tp_open_yubikey (5, 4);
	EVP_PKEY *ec = tp_ec_key ("P-256"), *rsa = tp_rsa_key ();
	struct tp_bytes obj = { 0 }, resp = { 0 }, meta = { 0 };
	struct card_key *keys = NULL;
	size_t count = 0, der_len, tmpl_len, spki_len, n;
	uint8_t *der = tp_cert (ec, 0, &der_len), *tmpl, *spki, *cmd;

	mock_expect (GET_KEY_HISTORY, "53 08 C1 01 00 C2 01 00 FE 00 90 00");
	/* 9A: certificate + metadata (generated, PIN once, touch never) */
	cert_object (&obj, der, der_len, 0x00);
	tp_add (&resp, obj.data, obj.len);
	tp_add_hex (&resp, "90 00");
	cmd = mock_unhex (cert_get[0], &n);
	mock_expect_bin (cmd, n, resp.data, resp.len);
	free (cmd);
	tmpl = tp_pubkey_template (ec, &tmpl_len);
	tp_add_hex (&meta, "01 01 11 02 02 02 01 03 01 01");
	tp_add_header (&meta, 0x04, tmpl_len);
	tp_add (&meta, tmpl, tmpl_len);
	tp_add_hex (&meta, "90 00");
	cmd = mock_unhex ("00 F7 00 9A 00", &n);
	mock_expect_bin (cmd, n, meta.data, meta.len);
	free (cmd);
	free (tmpl);
	tp_bytes_free (&meta);
	/* 9C: no certificate, an imported RSA key (PIN always, touch always); metadata > 256 bytes */
	mock_expect (cert_get[1], "6A 82");
	tmpl = tp_pubkey_template (rsa, &tmpl_len);
	tp_add_hex (&meta, "01 01 07 02 02 03 02 03 01 02");
	tp_add_header (&meta, 0x04, tmpl_len);
	tp_add (&meta, tmpl, tmpl_len);
	tp_serve_long ("00 F7 00 9C 00", meta.data, meta.len);
	free (tmpl);
	/* 9D, 9E: empty */
	mock_expect (cert_get[2], "6A 82");
	mock_expect ("00 F7 00 9D 00", "6A 88");
	mock_expect (cert_get[3], "6A 82");
	mock_expect ("00 F7 00 9E 00", "6A 88");

	ck_assert_int_eq (card->driver->list_keys (card, NULL, &keys, &count), CARD_OK);
	ck_assert_uint_eq (count, 2);
	ck_assert_uint_eq (keys[0].ref, 0x9A);
	ck_assert_int_eq (keys[0].alg, CARD_ALG_EC_P256);
	ck_assert_int_eq (keys[0].pin_policy, CARD_PIN_POLICY_ONCE);
	ck_assert_int_eq (keys[0].touch_policy, CARD_TOUCH_POLICY_NEVER);
	ck_assert_int_eq (keys[0].origin_generated, 1);
	ck_assert_ptr_nonnull (keys[0].cert_der);
	spki = spki_of (ec, &spki_len);
	ck_assert_uint_eq (keys[0].spki_len, spki_len);
	ck_assert (memcmp (keys[0].spki_der, spki, spki_len) == 0);
	OPENSSL_free (spki);

	ck_assert_uint_eq (keys[1].ref, 0x9C);
	ck_assert_uint_eq (card_slot_by_ref (card, keys[1].ref)->number, 0x02);
	ck_assert_int_eq (keys[1].has_key, 1);
	ck_assert_int_eq (keys[1].alg, CARD_ALG_RSA2048);
	ck_assert_int_eq (keys[1].pin_policy, CARD_PIN_POLICY_ALWAYS);
	ck_assert_int_eq (keys[1].touch_policy, CARD_TOUCH_POLICY_ALWAYS);
	ck_assert_int_eq (keys[1].origin_generated, 0);
	ck_assert_ptr_null (keys[1].cert_der);
	spki = spki_of (rsa, &spki_len);
	ck_assert_uint_eq (keys[1].spki_len, spki_len);
	ck_assert (memcmp (keys[1].spki_der, spki, spki_len) == 0);
	OPENSSL_free (spki);

	card_keys_free (keys, count);
	tp_bytes_free (&obj);
	tp_bytes_free (&resp);
	tp_bytes_free (&meta);
	free (der);
	EVP_PKEY_free (ec);
	EVP_PKEY_free (rsa);
	tp_close (card);
}
END_TEST

/* A YubiKey without key history: each retired slot's metadata first, the certificate
 * only of a slot with a key: a key generated into 83 without certificate is listed. */
START_TEST (test_list_keys_yubikey_retired_no_history)
{
	struct card *card = tp_open_yubikey (5, 4);
	EVP_PKEY *ec = tp_ec_key ("P-256");
	struct tp_bytes meta = { 0 };
	struct card_key *keys = NULL;
	size_t count = 0, tmpl_len, n, sent;
	uint8_t *tmpl, *cmd;
	char get[64];
	int i;

	mock_expect (GET_KEY_HISTORY, "6A 82");
	for (i = 0; i < 4; i++) {
		static const char *const meta_get[] = { "00 F7 00 9A 00", "00 F7 00 9C 00",
		                                        "00 F7 00 9D 00", "00 F7 00 9E 00" };
		mock_expect (cert_get[i], "6A 82");
		mock_expect (meta_get[i], "6A 88");
	}
	tmpl = tp_pubkey_template (ec, &tmpl_len);
	tp_add_hex (&meta, "01 01 11 02 02 02 01 03 01 01");
	tp_add_header (&meta, 0x04, tmpl_len);
	tp_add (&meta, tmpl, tmpl_len);
	tp_add_hex (&meta, "90 00");
	for (i = 0; i < 20; i++) {
		snprintf (get, sizeof get, "00 F7 00 %02X 00", 0x82 + i);
		if (i != 1) {
			mock_expect (get, "6A 88");
			continue;
		}
		cmd = mock_unhex (get, &n);
		mock_expect_bin (cmd, n, meta.data, meta.len);
		free (cmd);
		mock_expect ("00 CB 3F FF 05 5C 03 5F C1 0E 00", "6A 82");   /* 83: no certificate */
	}
	sent = mock_sent_count ();
	ck_assert_int_eq (card->driver->list_keys (card, NULL, &keys, &count), CARD_OK);
	ck_assert_uint_eq (mock_sent_count () - sent, 1 + 8 + 20 + 1);
	ck_assert_uint_eq (count, 1);
	ck_assert_uint_eq (keys[0].ref, 0x83);
	ck_assert_uint_eq (card_slot_by_ref (card, keys[0].ref)->number, 0x06);
	ck_assert_int_eq (keys[0].has_key, 1);
	ck_assert_int_eq (keys[0].alg, CARD_ALG_EC_P256);
	ck_assert_int_eq (keys[0].origin_generated, 1);
	ck_assert_ptr_null (keys[0].cert_der);
	ck_assert_ptr_nonnull (keys[0].spki_der);
	card_keys_free (keys, count);
	tp_bytes_free (&meta);
	free (tmpl);
	EVP_PKEY_free (ec);
	tp_close (card);
}
END_TEST

START_TEST (test_list_keys_malformed)
{
	static const char *const bad[] = {
		"53 10 70 0E 30 0C 90 00",        /* truncated container */
		"53 04 70 10 30 0C 90 00",        /* child longer than its parent */
		"54 02 70 00 90 00",              /* wrong tag */
		"53 05 71 01 00 FE 00 90 00",     /* no certificate tag */
		"53 83 FF FF FF 90 00",           /* huge length, nothing behind */
		"90 00",                          /* nothing at all */
	};
	struct card *card = tp_open_plain ();
	struct card_key *keys = (struct card_key *)1;
	size_t count = 99, i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		mock_expect (GET_KEY_HISTORY, "6A 82");
		mock_expect (cert_get[0], bad[i]);
		ck_assert_msg (card->driver->list_keys (card, NULL, &keys, &count) == CARD_E_BAD_RESPONSE,
		               "case %s", bad[i]);
		ck_assert_ptr_null (keys);
		ck_assert_uint_eq (count, 0);
	}
	/* malformed key history */
	mock_expect (GET_KEY_HISTORY, "53 08 C1 01 00 90 00");
	ck_assert_int_eq (card->driver->list_keys (card, NULL, &keys, &count), CARD_E_BAD_RESPONSE);
	/* the card goes away in the middle */
	mock_expect (GET_KEY_HISTORY, "6A 82");
	mock_expect (cert_get[0], "6A 82");
	mock_expect_fail (cert_get[1], READER_E_REMOVED);
	ck_assert_int_eq (card->driver->list_keys (card, NULL, &keys, &count), CARD_E_REMOVED);
	ck_assert_ptr_null (keys);
	tp_close (card);
}
END_TEST

START_TEST (test_list_keys_compressed_cert_skipped)
{
	struct card *card = tp_open_plain ();
	struct card_key *keys = NULL;
	size_t count = 99;

	mock_expect (GET_KEY_HISTORY, "53 08 C1 01 00 C2 01 00 FE 00 90 00");
	mock_expect (cert_get[0], "53 0B 70 04 1F 8B 08 00 71 01 01 FE 00 90 00");
	mock_expect (cert_get[1], "6A 82");
	mock_expect (cert_get[2], "6A 82");
	mock_expect (cert_get[3], "6A 82");
	ck_assert_int_eq (card->driver->list_keys (card, NULL, &keys, &count), CARD_OK);
	ck_assert_uint_eq (count, 0);
	card_keys_free (keys, count);
	tp_close (card);
}
END_TEST

/* ---------------------------------------------------------------- objects */

START_TEST (test_objects)
{
	struct card *card = tp_open_plain ();
	uint8_t *data = NULL;
	size_t len = 0;

	mock_expect ("00 CB 3F FF 03 5C 01 7E 00", "7E 12 4F 0B A0 00 00 03 08 00 00 10 00 01 00"
	                                           " 5F 2F 02 40 00 90 00");
	ck_assert_int_eq (card->driver->read_object (card, 0x7E, &data, &len), CARD_OK);
	ck_assert_uint_eq (len, 0x12);
	ck_assert_uint_eq (data[0], 0x4F);
	free (data);

	mock_expect ("00 CB 3F FF 05 5C 03 5F C1 09 00", "53 04 88 02 89 00 90 00");
	ck_assert_int_eq (card->driver->read_object (card, 0x5FC109, &data, &len), CARD_OK);
	ck_assert_uint_eq (len, 4);
	free (data);

	mock_expect ("00 CB 3F FF 05 5C 03 5F C1 08 00", "6A 82");
	ck_assert_int_eq (card->driver->read_object (card, 0x5FC108, &data, &len), CARD_E_NOT_FOUND);
	ck_assert_ptr_null (data);

	mock_expect ("00 DB 3F FF 0B 5C 03 5F FF 00 53 04 80 02 81 00", "90 00");
	ck_assert_int_eq (card->driver->write_object (card, 0x5FFF00,
	                                              (const uint8_t *)"\x80\x02\x81\x00", 4), CARD_OK);
	mock_expect ("00 DB 3F FF 07 5C 03 5F C1 09 53 00", "69 82");
	ck_assert_int_eq (card->driver->write_object (card, 0x5FC109, NULL, 0), CARD_E_SECURITY);
	tp_close (card);
}
END_TEST

/* One slot's unusable public-key template (metadata) does not fail the card: the
 * certificate's key stands in for it, and a key without a certificate is left out. */
/* With the front end's hints: spare slots believed empty and the key history believed
 * absent are not asked for; what was looked at is reported. */
START_TEST (test_list_keys_hints)
{
	struct card *card = tp_open_yubikey (5, 4);
	EVP_PKEY *ec = tp_ec_key ("P-256");
	struct tp_bytes meta = { 0 };
	struct card_list_hints hints;
	struct card_key *keys = NULL;
	size_t count = 0, tmpl_len, n, sent;
	uint8_t *tmpl, *cmd;
	int i;

	memset (&hints, 0, sizeof hints);
	hints.no_index = 1;
	hints.lazy_meta = 1;
	for (i = 0; i < 20; i++) {
		if (i != 1)
			CARD_REF_BIT_SET (hints.empty, 0x82 + i);
	}
	for (i = 0; i < 4; i++) {
		static const char *const meta_get[] = { "00 F7 00 9A 00", "00 F7 00 9C 00",
		                                        "00 F7 00 9D 00", "00 F7 00 9E 00" };
		mock_expect (cert_get[i], "6A 82");
		mock_expect (meta_get[i], "6A 88");   /* no certificate: is there a key? */
	}
	tmpl = tp_pubkey_template (ec, &tmpl_len);
	tp_add_hex (&meta, "01 01 11 02 02 02 01 03 01 01");
	tp_add_header (&meta, 0x04, tmpl_len);
	tp_add (&meta, tmpl, tmpl_len);
	tp_add_hex (&meta, "90 00");
	cmd = mock_unhex ("00 F7 00 83 00", &n);
	mock_expect_bin (cmd, n, meta.data, meta.len);
	free (cmd);
	mock_expect ("00 CB 3F FF 05 5C 03 5F C1 0E 00", "6A 82");   /* 83: no certificate */
	sent = mock_sent_count ();
	ck_assert_int_eq (card->driver->list_keys (card, &hints, &keys, &count), CARD_OK);
	ck_assert_uint_eq (mock_sent_count () - sent, 8 + 2);   /* no key history, no 82, 84..95 */
	ck_assert_ptr_null (mock_check ());
	ck_assert_uint_eq (count, 1);
	ck_assert_uint_eq (keys[0].ref, 0x83);
	ck_assert_int_eq (keys[0].meta_known, 1);
	ck_assert_int_eq (hints.has_index, -1);
	ck_assert_uint_eq (CARD_REF_BIT (hints.probed, 0x9A), 1);
	ck_assert_uint_eq (CARD_REF_BIT (hints.probed, 0x83), 1);
	ck_assert_uint_eq (CARD_REF_BIT (hints.probed, 0x82), 0);
	ck_assert_uint_eq (CARD_REF_BIT (hints.probed, 0x95), 0);
	card_keys_free (keys, count);
	tp_bytes_free (&meta);
	free (tmpl);
	EVP_PKEY_free (ec);
	tp_close (card);
}
END_TEST

START_TEST (test_list_keys_bad_template)
{
	struct card *card = tp_open_yubikey (5, 4);
	EVP_PKEY *ec = tp_ec_key ("P-256");
	struct tp_bytes obj = { 0 }, resp = { 0 };
	struct card_key *keys = NULL;
	size_t count = 0, der_len, n, i;
	uint8_t *der = tp_cert (ec, 0, &der_len), *cmd;

	mock_expect (GET_KEY_HISTORY, "53 08 C1 01 00 C2 01 00 FE 00 90 00");
	/* 9A: certificate; metadata says P-256 but its point is 3 bytes */
	cert_object (&obj, der, der_len, 0x00);
	tp_add (&resp, obj.data, obj.len);
	tp_add_hex (&resp, "90 00");
	cmd = mock_unhex (cert_get[0], &n);
	mock_expect_bin (cmd, n, resp.data, resp.len);
	free (cmd);
	mock_expect ("00 F7 00 9A 00", "01 01 11 02 02 02 01 03 01 01 04 05 86 03 04 01 02 90 00");
	/* 9C: no certificate; an RSA-2048 template without its exponent */
	mock_expect (cert_get[1], "6A 82");
	mock_expect ("00 F7 00 9C 00", "01 01 07 02 02 03 02 03 01 02 04 05 81 03 C0 01 02 90 00");
	mock_expect (cert_get[2], "6A 82");
	mock_expect ("00 F7 00 9D 00", "6A 88");
	mock_expect (cert_get[3], "6A 82");
	mock_expect ("00 F7 00 9E 00", "6A 88");

	ck_assert_int_eq (card->driver->list_keys (card, NULL, &keys, &count), CARD_OK);
	ck_assert_uint_ge (count, 1);
	ck_assert_uint_eq (keys[0].ref, 0x9A);
	ck_assert_int_eq (keys[0].has_key, 1);
	ck_assert_int_eq (keys[0].alg, CARD_ALG_EC_P256);
	ck_assert_ptr_nonnull (keys[0].cert_der);
	ck_assert_ptr_null (keys[0].spki_der);
	for (i = 1; i < count; i++)
		ck_assert (keys[i].ref != 0x9C || !keys[i].has_key);
	card_keys_free (keys, count);
	tp_bytes_free (&obj);
	tp_bytes_free (&resp);
	free (der);
	EVP_PKEY_free (ec);
	tp_close (card);
}
END_TEST

int
main (void)
{
	Suite *s = suite_create ("piv");
	TCase *probe = tcase_create ("probe");
	TCase *pin = tcase_create ("pin");
	TCase *keys = tcase_create ("keys");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture (probe, setup, teardown);
	tcase_add_test (probe, test_probe_yubikey5);
	tcase_add_test (probe, test_probe_yubikey4_fascn);
	tcase_add_test (probe, test_probe_chuid_errors);
	suite_add_tcase (s, probe);
	tcase_add_checked_fixture (pin, setup, teardown);
	tcase_add_test (pin, test_verify_pin);
	tcase_add_test (pin, test_pin_status_and_logout);
	tcase_add_test (pin, test_puk_status_yubikey);
	tcase_add_test (pin, test_change_and_unblock);
	suite_add_tcase (s, pin);
	tcase_add_checked_fixture (keys, setup, teardown);
	tcase_set_timeout (keys, 60);
	tcase_add_test (keys, test_list_keys_plain_2k_cert);
	tcase_add_test (keys, test_list_keys_key_history);
	tcase_add_test (keys, test_list_keys_yubikey_metadata);
	tcase_add_test (keys, test_list_keys_yubikey_retired_no_history);
	tcase_add_test (keys, test_list_keys_hints);
	tcase_add_test (keys, test_list_keys_bad_template);
	tcase_add_test (keys, test_list_keys_malformed);
	tcase_add_test (keys, test_list_keys_compressed_cert_skipped);
	tcase_add_test (keys, test_objects);
	suite_add_tcase (s, keys);
	sr = srunner_create (s);
	srunner_run_all (sr, CK_ENV);
	failed = srunner_ntests_failed (sr);
	srunner_free (sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
