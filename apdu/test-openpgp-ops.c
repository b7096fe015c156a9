/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * apdu/test-openpgp-ops.c: the OpenPGP library's exchanges with a scripted card
 * (apdu/mock-reader.c): opening, passwords (wrong PIN as 6982, KDF-derived values,
 * status, logout, change, unblock, resetting code), public keys and generation with
 * the fingerprint and date written afterwards, signatures, RSA and ECDH decipher,
 * key import (the 4D template checked component by component), certificates by
 * SELECT DATA, and the transport: extended APDUs, command chaining, both together.
 */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "apdu/mock-reader.h"
#include "apdu/openpgp.h"
#include "apdu/test-openpgp.h"
#include "tests/testkeys.h"
#include "apdu/tlv.h"

#define SELECT "00 A4 04 00 06 D2 76 00 01 24 01"
#define AID34 "4F 10 D2 76 00 01 24 01 03 04 FF 00 01 23 E8 57 00 00"
#define HIST_EXT "5F 52 0A 00 31 C5 73 C0 01 C0 05 90 00"
#define C0_34 "C0 0A 7D 00 00 FF 08 00 00 FF 00 00"
#define C4_34 "C4 07 00 7F 7F 7F 03 00 03"
#define FPRS "C5 3C" " 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00" \
	" 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00" \
	" 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"

static struct card *card;
static struct opgp o;

static void
setup (void)
{
	mock_reset ();
	card = to_open (&mock_reader_ops, "mock");
	memset (&o, 0, sizeof o);
}

static void
teardown (void)
{
	const char *err = mock_check ();

	to_close (card);
	card = NULL;
	mock_reset ();
	ck_assert_msg (err == NULL, "mock: %s", err ? err : "");
}

/* 6E of a 3.4 card with attributes C1..C3 (hex), 7F66 MAX (hex 2 bytes) and C0 KDF flag. */
static char *
ard_hex (const char *c1, const char *c2, const char *c3, const char *max, int kdf)
{
	char inner[600], *s = malloc (900);
	size_t a = strlen (c1) / 2 + 2 + strlen (c2) / 2 + 2 + strlen (c3) / 2 + 2;
	size_t l73 = 12 + a + 9 + 62;

	ck_assert_ptr_nonnull (s);
	snprintf (inner, sizeof inner, "%s %s 7F 66 08 02 02 %s 02 02 08 00 73 %02zX C0 0A %02X 00 00 FF 08 00 00 FF 00 00"
	          " C1 %02zX %s C2 %02zX %s C3 %02zX %s %s %s", AID34, HIST_EXT, max, l73, kdf ? 0x7D : 0x7C,
	          strlen (c1) / 2, c1, strlen (c2) / 2, c2, strlen (c3) / 2, c3, C4_34, FPRS);
	snprintf (s, 900, "6E 81 %02zX %s 90 00", 18 + 13 + 11 + 2 + l73, inner);
	return s;
}

/* Expect the command CMD_HEX and answer RESP (binary). */
static void
expect_bin (const char *cmd_hex, const uint8_t *resp, size_t len)
{
	size_t n;
	uint8_t *cmd = mock_unhex (cmd_hex, &n);

	mock_expect_bin (cmd, n, resp, len);
	free (cmd);
}

static void
parse_into (const char *hex_with_sw)
{
	size_t len;
	uint8_t *v = mock_unhex (hex_with_sw, &len);

	ck_assert_int_eq (opgp_parse_ard (v, len - 2, &o.ard), CARD_OK);
	free (v);
}

#define RSA2048 "010800002000"
#define P256SIG "132A8648CE3D030107"
#define P256DEC "122A8648CE3D030107"
#define X25519 "122B060104019755010501"
#define ED25519 "162B06010401DA470F01"

START_TEST (test_open)
{
	char *ard = ard_hex (RSA2048, RSA2048, RSA2048, "08 00", 1);

	mock_expect (SELECT, "90 00");
	mock_expect ("00 CA 00 6E 00", ard);
	mock_expect ("00 CA 00 F9 00 00 00", "81 01 03 82 01 08 83 04 00 00 10 00 84 08 01 02 03 04 05 06 07 08 90 00");
	ck_assert_int_eq (opgp_open (card, 1, &o), CARD_OK);
	ck_assert_int_eq (o.ext, 1);
	ck_assert_int_eq (o.kdf.on, 1);
	ck_assert_uint_eq (o.kdf.iterations, 0x1000);
	ck_assert_uint_eq (o.ard.serial, 0x0123E857);
	/* Short APDUs only when the caller says so; a KDF-DO the card does not have is no KDF. */
	mock_expect (SELECT, "90 00");
	mock_expect ("00 CA 00 6E 00", ard);
	mock_expect ("00 CA 00 F9 00", "6A 88");
	ck_assert_int_eq (opgp_open (card, 0, &o), CARD_OK);
	ck_assert_int_eq (o.ext, 0);
	ck_assert_int_eq (o.kdf.on, 0);
	free (ard);
	/* A key of attributes not understood (ECDSA on secp256k1): no key to read, and no
	 * GENERATE sent for it (the mock fails on any command not expected). */
	ard = ard_hex ("132B8104000A", RSA2048, RSA2048, "08 00", 0);
	mock_expect (SELECT, "90 00");
	mock_expect ("00 CA 00 6E 00", ard);
	ck_assert_int_eq (opgp_open (card, 1, &o), CARD_OK);
	ck_assert_int_eq (o.ard.algo[0].id, 0);
	{
		uint8_t *spki = NULL;
		size_t spki_len = 0;

		ck_assert_int_eq (opgp_read_pubkey (card, &o, OPGP_KEY_SIG, &spki, &spki_len), CARD_E_NOT_SUPPORTED);
		ck_assert_ptr_null (spki);
	}
	/* Not an OpenPGP card; a terminated one. */
	mock_expect (SELECT, "6A 82");
	ck_assert_int_eq (opgp_open (card, 1, &o), CARD_E_NOT_FOUND);
	mock_expect (SELECT, "62 85");
	ck_assert_int_eq (opgp_open (card, 1, &o), CARD_E_NOT_SUPPORTED);
	/* Garbage instead of 6E. */
	mock_expect (SELECT, "90 00");
	mock_expect ("00 CA 00 6E 00", "6E 03 4F 01 00 90 00");
	ck_assert_int_eq (opgp_open (card, 1, &o), CARD_E_BAD_RESPONSE);
	free (ard);
}
END_TEST

START_TEST (test_verify)
{
	char *ard = ard_hex (RSA2048, RSA2048, RSA2048, "08 00", 0);
	int tries = 0, verified = 0;

	parse_into (ard);
	/* A wrong PIN: 6982, tries from the PW status bytes read afterwards. */
	mock_expect ("00 20 00 82 06 31 31 31 31 31 31", "69 82");
	mock_expect ("00 CA 00 C4 00", "00 7F 7F 7F 02 00 03 90 00");
	ck_assert_int_eq (opgp_verify (card, &o, OPGP_PW1, (const uint8_t *)"111111", 6, &tries), CARD_E_PIN_INCORRECT);
	ck_assert_int_eq (tries, 2);
	ck_assert_int_eq (o.ard.pw.pw1_tries, 2);
	/* Some cards say 63Cx. */
	mock_expect ("00 20 00 83 08 31 31 31 31 31 31 31 31", "63 C1");
	mock_expect ("00 CA 00 C4 00", "00 7F 7F 7F 02 00 01 90 00");
	ck_assert_int_eq (opgp_verify (card, &o, OPGP_PW3, (const uint8_t *)"11111111", 8, &tries), CARD_E_PIN_INCORRECT);
	ck_assert_int_eq (tries, 1);
	/* The last try: locked. */
	mock_expect ("00 20 00 83 08 31 31 31 31 31 31 31 32", "69 82");
	mock_expect ("00 CA 00 C4 00", "00 7F 7F 7F 02 00 00 90 00");
	ck_assert_int_eq (opgp_verify (card, &o, OPGP_PW3, (const uint8_t *)"11111112", 8, &tries), CARD_E_PIN_LOCKED);
	ck_assert_int_eq (tries, 0);
	mock_expect ("00 20 00 81 06 31 32 33 34 35 36", "90 00");
	mock_expect ("00 CA 00 C4 00", "00 7F 7F 7F 03 00 00 90 00");
	ck_assert_int_eq (opgp_verify (card, &o, OPGP_PW1_SIGN, (const uint8_t *)"123456", 6, &tries), CARD_OK);
	ck_assert_int_eq (tries, -1);
	ck_assert_int_eq (o.ard.pw.pw1_tries, 3);
	/* Lengths checked before anything is sent. */
	ck_assert_int_eq (opgp_verify (card, &o, OPGP_PW1, (const uint8_t *)"12345", 5, &tries), CARD_E_PIN_LEN);
	ck_assert_int_eq (opgp_verify (card, &o, OPGP_PW3, (const uint8_t *)"1234567", 7, &tries), CARD_E_PIN_LEN);
	/* Status and logout. */
	mock_expect ("00 20 00 82", "63 C2");
	ck_assert_int_eq (opgp_pin_status (card, &o, OPGP_PW1, &verified, &tries), CARD_OK);
	ck_assert_int_eq (verified, 0);
	ck_assert_int_eq (tries, 2);
	mock_expect ("00 20 00 81", "90 00");
	ck_assert_int_eq (opgp_pin_status (card, &o, OPGP_PW1_SIGN, &verified, &tries), CARD_OK);
	ck_assert_int_eq (verified, 1);
	mock_expect ("00 20 00 83", "69 83");
	ck_assert_int_eq (opgp_pin_status (card, &o, OPGP_PW3, &verified, &tries), CARD_OK);
	ck_assert_int_eq (tries, 0);
	mock_expect ("00 20 FF 82", "90 00");
	ck_assert_int_eq (opgp_logout (card, &o, OPGP_PW1), CARD_OK);
	/* A 2.x card: no status by VERIFY, no logout. */
	o.ard.version = 0x0201;
	mock_expect ("00 CA 00 C4 00", "00 7F 7F 7F 01 00 03 90 00");
	ck_assert_int_eq (opgp_pin_status (card, &o, OPGP_PW1, &verified, &tries), CARD_OK);
	ck_assert_int_eq (verified, -1);
	ck_assert_int_eq (tries, 1);
	ck_assert_int_eq (opgp_logout (card, &o, OPGP_PW1), CARD_E_NOT_SUPPORTED);
	free (ard);
}
END_TEST

START_TEST (test_change_unblock_kdf)
{
	char *ard = ard_hex (RSA2048, RSA2048, RSA2048, "08 00", 1);
	uint8_t pw1[OPGP_PW_BUF], rc[OPGP_PW_BUF], cmd[5 + 64];
	size_t n1, nrc;
	int tries;

	parse_into (ard);
	mock_expect ("00 24 00 81 0C 31 32 33 34 35 36 36 35 34 33 32 31", "90 00");
	mock_expect ("00 CA 00 C4 00", "00 7F 7F 7F 03 00 03 90 00");
	ck_assert_int_eq (opgp_change_pin (card, &o, OPGP_PW1, (const uint8_t *)"123456", 6,
	                                   (const uint8_t *)"654321", 6, &tries), CARD_OK);
	mock_expect ("00 24 00 83 10 31 32 33 34 35 36 37 38 38 37 36 35 34 33 32 31", "69 82");
	mock_expect ("00 CA 00 C4 00", "00 7F 7F 7F 03 00 02 90 00");
	ck_assert_int_eq (opgp_change_pin (card, &o, OPGP_PW3, (const uint8_t *)"12345678", 8,
	                                   (const uint8_t *)"87654321", 8, &tries), CARD_E_PIN_INCORRECT);
	ck_assert_int_eq (tries, 2);
	ck_assert_int_eq (opgp_change_pin (card, &o, OPGP_PW1, (const uint8_t *)"123456", 6,
	                                   (const uint8_t *)"65432", 5, &tries), CARD_E_PIN_LEN);
	/* Resetting code: set, then unblock with it (its own counter); unblock by PW3. */
	mock_expect ("00 DA 00 D3 08 52 43 31 32 33 34 35 36", "90 00");
	mock_expect ("00 CA 00 C4 00", "00 7F 7F 7F 00 03 03 90 00");
	ck_assert_int_eq (opgp_set_resetting_code (card, &o, (const uint8_t *)"RC123456", 8), CARD_OK);
	ck_assert_int_eq (o.ard.pw.rc_tries, 3);
	mock_expect ("00 2C 00 81 0E 52 43 31 32 33 34 35 37 31 31 31 31 31 31", "69 82");
	mock_expect ("00 CA 00 C4 00", "00 7F 7F 7F 00 02 03 90 00");
	ck_assert_int_eq (opgp_unblock_rc (card, &o, (const uint8_t *)"RC123457", 8, (const uint8_t *)"111111", 6,
	                                   &tries), CARD_E_PIN_INCORRECT);
	ck_assert_int_eq (tries, 2);
	mock_expect ("00 2C 02 81 06 32 32 32 32 32 32", "90 00");
	mock_expect ("00 CA 00 C4 00", "00 7F 7F 7F 03 02 03 90 00");
	ck_assert_int_eq (opgp_unblock_admin (card, &o, (const uint8_t *)"222222", 6), CARD_OK);
	mock_expect ("00 DA 00 D3", "90 00");
	mock_expect ("00 CA 00 C4 00", "00 7F 7F 7F 03 00 03 90 00");
	ck_assert_int_eq (opgp_set_resetting_code (card, &o, NULL, 0), CARD_OK);
	/* With KDF: the derived values go to the card, PW1's salt for PW1, RC's for the code. */
	ck_assert_int_eq (opgp_parse_kdf ((const uint8_t *)"\x81\x01\x03\x82\x01\x08\x83\x04\x00\x00\x04\x00"
	                                  "\x84\x08\x01\x01\x01\x01\x01\x01\x01\x01\x85\x08\x02\x02\x02\x02\x02\x02\x02\x02",
	                                  32, &o.kdf), CARD_OK);
	ck_assert_int_eq (opgp_kdf_derive (&o.kdf, 0x82, (const uint8_t *)"123456", 6, pw1, &n1), CARD_OK);
	ck_assert_int_eq (opgp_kdf_derive (&o.kdf, 0, (const uint8_t *)"RC123456", 8, rc, &nrc), CARD_OK);
	ck_assert (memcmp (pw1, rc, 32) != 0);
	memcpy (cmd, "\x00\x20\x00\x82\x20", 5);
	memcpy (cmd + 5, pw1, 32);
	mock_expect_bin (cmd, 37, (const uint8_t *)"\x90\x00", 2);
	mock_expect ("00 CA 00 C4 00", "00 7F 7F 7F 03 00 03 90 00");
	ck_assert_int_eq (opgp_verify (card, &o, OPGP_PW1, (const uint8_t *)"123456", 6, &tries), CARD_OK);
	memcpy (cmd, "\x00\xDA\x00\xD3\x20", 5);
	memcpy (cmd + 5, rc, 32);
	mock_expect_bin (cmd, 37, (const uint8_t *)"\x90\x00", 2);
	mock_expect ("00 CA 00 C4 00", "00 7F 7F 7F 03 03 03 90 00");
	ck_assert_int_eq (opgp_set_resetting_code (card, &o, (const uint8_t *)"RC123456", 8), CARD_OK);
	free (ard);
}
END_TEST

/* A 7F49 answer for KEY (RSA 81/82, EC 86, 25519 raw) with SW 9000. */
static void
pubkey_answer (EVP_PKEY *key, uint8_t *out, size_t *len)
{
	struct apdu_buf b;
	uint8_t pt[600];
	size_t n = sizeof pt, m;
	BIGNUM *bn = NULL;

	apdu_buf_init (&b);
	m = tlv_begin (&b, 0x7F49);
	if (EVP_PKEY_is_a (key, "RSA")) {
		ck_assert_int_eq (EVP_PKEY_get_bn_param (key, OSSL_PKEY_PARAM_RSA_N, &bn), 1);
		n = (size_t)BN_bn2bin (bn, pt);
		tlv_put (&b, 0x81, pt, n);
		tlv_put (&b, 0x82, "\x01\x00\x01", 3);
		BN_free (bn);
	} else if (EVP_PKEY_is_a (key, "EC")) {
		ck_assert_int_eq (EVP_PKEY_get_octet_string_param (key, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, pt, n, &n), 1);
		tlv_put (&b, 0x86, pt, n);
	} else {
		ck_assert_int_eq (EVP_PKEY_get_raw_public_key (key, pt, &n), 1);
		tlv_put (&b, 0x86, pt, n);
	}
	tlv_end (&b, m);
	apdu_buf_add (&b, "\x90\x00", 2);
	ck_assert (!apdu_buf_failed (&b));
	memcpy (out, b.data, b.len);
	*len = b.len;
	apdu_buf_clear (&b);
}

static void
assert_same_key (const uint8_t *spki, size_t len, EVP_PKEY *key)
{
	EVP_PKEY *got = to_spki_key (spki, len);

	ck_assert_int_eq (EVP_PKEY_eq (got, key), 1);
	EVP_PKEY_free (got);
}

START_TEST (test_generate)
{
	char *ard = ard_hex (P256SIG, X25519, ED25519, "08 00", 0);
	char *ard2 = ard_hex (P256SIG, RSA2048, ED25519, "08 00", 0);
	EVP_PKEY *ec = EVP_PKEY_Q_keygen (NULL, NULL, "EC", "P-256"), *rsa = testkey_rsa_next ();
	uint8_t resp[600], fpr[20], cmd[32], *spki = NULL;
	size_t rlen = 0, slen = 0;

	parse_into (ard);
	o.ext = 1;
	/* Read: P1=81, extended Le; an empty slot is not found. */
	pubkey_answer (ec, resp, &rlen);
	expect_bin ("00 47 81 00 00 00 02 B6 00 00 00", resp, rlen);
	ck_assert_int_eq (opgp_read_pubkey (card, &o, OPGP_KEY_SIG, &spki, &slen), CARD_OK);
	assert_same_key (spki, slen, ec);
	free (spki);
	mock_expect ("00 47 81 00 00 00 02 A4 00 00 00", "6A 88");
	ck_assert_int_eq (opgp_read_pubkey (card, &o, OPGP_KEY_AUT, &spki, &slen), CARD_E_NOT_FOUND);
	ck_assert_ptr_null (spki);
	/* Generate in the signature slot: GENERATE, then fingerprint C7 and date CE, then 6E. */
	expect_bin ("00 47 80 00 00 00 02 B6 00 00 00", resp, rlen);
	mock_expect (NULL, "90 00");   /* C7: checked below */
	mock_expect ("00 DA 00 CE 04 5F 00 00 2A", "90 00");
	mock_expect ("00 CA 00 6E 00 00 00", ard);
	ck_assert_int_eq (opgp_generate (card, &o, OPGP_KEY_SIG, NULL, 0x5F00002A, &spki, &slen), CARD_OK);
	assert_same_key (spki, slen, ec);
	ck_assert_int_eq (opgp_fingerprint (&o.ard.algo[0], OPGP_KEY_SIG, spki, slen, 0x5F00002A, fpr), CARD_OK);
	memcpy (cmd, "\x00\xDA\x00\xC7\x14", 5);
	memcpy (cmd + 5, fpr, 20);
	{
		size_t n = 0;
		const uint8_t *sent = mock_sent (mock_sent_count () - 3, &n);

		ck_assert_uint_eq (n, 25);
		ck_assert_mem_eq (sent, cmd, 25);
	}
	free (spki);
	/* Generate with an algorithm change: RSA-2048 in the decryption slot (X25519 now). */
	pubkey_answer (rsa, resp, &rlen);
	mock_expect ("00 DA 00 C2 06 01 08 00 00 20 00", "90 00");
	mock_expect ("00 CA 00 6E 00 00 00", ard2);
	expect_bin ("00 47 80 00 00 00 02 B8 00 00 00", resp, rlen);
	mock_expect (NULL, "90 00");
	mock_expect ("00 DA 00 CF 04 00 00 00 01", "90 00");
	mock_expect ("00 CA 00 6E 00 00 00", ard2);
	{
		struct opgp_algo a = { .id = OPGP_ALGO_RSA, .rsa_bits = 2048 };

		ck_assert_int_eq (opgp_generate (card, &o, OPGP_KEY_DEC, &a, 1, &spki, &slen), CARD_OK);
	}
	assert_same_key (spki, slen, rsa);
	free (spki);
	/* A card that does not change attributes. */
	o.ard.caps.flags &= (uint8_t)~OPGP_CAP_ALGO_CHANGE;
	{
		struct opgp_algo a = { .id = OPGP_ALGO_ECDSA, .curve = OPGP_CURVE_P384 };

		ck_assert_int_eq (opgp_generate (card, &o, OPGP_KEY_AUT, &a, 1, &spki, &slen), CARD_E_NOT_SUPPORTED);
	}
	/* A public key that does not fit the attributes. */
	pubkey_answer (ec, resp, &rlen);
	expect_bin ("00 47 81 00 00 00 02 B8 00 00 00", resp, rlen);
	ck_assert_int_eq (opgp_read_pubkey (card, &o, OPGP_KEY_DEC, &spki, &slen), CARD_E_BAD_RESPONSE);
	EVP_PKEY_free (ec);
	EVP_PKEY_free (rsa);
	free (ard);
	free (ard2);
}
END_TEST

START_TEST (test_crypto_ops)
{
	char *ard = ard_hex (RSA2048, P256DEC, P256SIG, "08 00", 0);
	uint8_t sig[256], in[51], out[300], cmd[400];
	size_t len;

	parse_into (ard);
	o.ext = 1;
	memset (in, 0x44, sizeof in);
	memset (sig, 0x55, sizeof sig);
	/* PSO:CDS: the answer must have the key's size. */
	memcpy (cmd, "\x00\x2A\x9E\x9A\x00\x00\x33", 7);
	memcpy (cmd + 7, in, 51);
	memcpy (cmd + 58, "\x00\x00", 2);
	memcpy (out, sig, 256);
	memcpy (out + 256, "\x90\x00", 2);
	mock_expect_bin (cmd, 60, out, 258);
	len = sizeof out;
	ck_assert_int_eq (opgp_sign (card, &o, in, 51, out, &len), CARD_OK);
	ck_assert_uint_eq (len, 256);
	ck_assert_mem_eq (out, sig, 256);
	mock_expect_bin (cmd, 60, (const uint8_t *)"\x55\x55\x90\x00", 4);
	len = sizeof out;
	ck_assert_int_eq (opgp_sign (card, &o, in, 51, out, &len), CARD_E_BAD_RESPONSE);
	mock_expect_bin (cmd, 60, (const uint8_t *)"\x69\x82", 2);
	ck_assert_int_eq (opgp_sign (card, &o, in, 51, out, &len), CARD_E_SECURITY);
	/* INTERNAL AUTHENTICATE with the P-256 key: r||s, 64 bytes. */
	mock_expect ("00 88 00 00 00 00 03 01 02 03 00 00",
	             "11 11 11 11 11 11 11 11 11 11 11 11 11 11 11 11 11 11 11 11 11 11 11 11 11 11 11 11 11 11 11 11"
	             " 22 22 22 22 22 22 22 22 22 22 22 22 22 22 22 22 22 22 22 22 22 22 22 22 22 22 22 22 22 22 22 22 90 00");
	len = 64;
	ck_assert_int_eq (opgp_internal_auth (card, &o, (const uint8_t *)"\x01\x02\x03", 3, out, &len), CARD_OK);
	ck_assert_uint_eq (out[63], 0x22);
	/* ECDH: A6 { 7F49 { 86 point } }; a whole point in the answer gives its x. */
	memcpy (cmd, "\x00\x2A\x80\x86\x00\x00\x48\xA6\x46\x7F\x49\x43\x86\x41", 14);
	memset (cmd + 14, 0x04, 1);
	memset (cmd + 15, 0x77, 64);
	memcpy (cmd + 79, "\x00\x00", 2);
	memset (out, 0x04, 1);
	memset (out + 1, 0x33, 32);
	memset (out + 33, 0x99, 32);
	memcpy (out + 65, "\x90\x00", 2);
	mock_expect_bin (cmd, 81, out, 67);
	len = 32;
	ck_assert_int_eq (opgp_ecdh (card, &o, cmd + 14, 65, out, &len), CARD_OK);
	ck_assert_uint_eq (len, 32);
	ck_assert_uint_eq (out[0], 0x33);
	ck_assert_uint_eq (out[31], 0x33);
	ck_assert_int_eq (opgp_ecdh (card, &o, cmd + 15, 64, out, &len), CARD_E_INVALID_DATA);
	ck_assert_int_eq (opgp_decipher_rsa (card, &o, in, 51, out, &len), CARD_E_NOT_SUPPORTED);
	/* RSA decipher: padding indicator 00, the cryptogram left-padded to the modulus. */
	free (ard);
	ard = ard_hex (RSA2048, RSA2048, RSA2048, "08 00", 0);
	parse_into (ard);
	memcpy (cmd, "\x00\x2A\x80\x86\x00\x01\x01\x00\x00", 9);
	memset (cmd + 9, 0x66, 255);
	memcpy (cmd + 264, "\x00\x00", 2);
	mock_expect_bin (cmd, 266, (const uint8_t *)"\x01\x02\x03\x90\x00", 5);
	len = sizeof out;
	ck_assert_int_eq (opgp_decipher_rsa (card, &o, cmd + 9, 255, out, &len), CARD_OK);
	ck_assert_uint_eq (len, 3);
	free (ard);
}
END_TEST

/* The transport: extended pieces when the data exceed the card's maximum command length;
 * short pieces with chaining when extended APDUs are off; refused without either. */
START_TEST (test_transport)
{
	char *ard = ard_hex (RSA2048, RSA2048, RSA2048, "01 00", 0);
	uint8_t cert[600], exp[300];
	size_t n;

	parse_into (ard);
	ck_assert_uint_eq (o.ard.caps.max_cmd, 256);
	memset (cert, 0x30, sizeof cert);
	o.ext = 1;
	/* 600 bytes, 256 per extended piece: 256 + 256 + 88 */
	memcpy (exp, "\x10\xDA\x7F\x21\x00\x01\x00", 7);
	memcpy (exp + 7, cert, 256);
	mock_expect_bin (exp, 263, (const uint8_t *)"\x90\x00", 2);
	mock_expect_bin (exp, 263, (const uint8_t *)"\x90\x00", 2);
	memcpy (exp, "\x00\xDA\x7F\x21\x58", 5);   /* the last piece fits a short APDU */
	memcpy (exp + 5, cert, 88);
	mock_expect_bin (exp, 5 + 88, (const uint8_t *)"\x90\x00", 2);
	ck_assert_int_eq (opgp_write_cert (card, &o, OPGP_KEY_AUT, cert, sizeof cert), CARD_OK);
	/* A refused middle piece stops the chain. */
	memcpy (exp, "\x10\xDA\x7F\x21\x00\x01\x00", 7);
	mock_expect_bin (exp, 263, (const uint8_t *)"\x69\x82", 2);
	ck_assert_int_eq (opgp_write_cert (card, &o, OPGP_KEY_AUT, cert, sizeof cert), CARD_E_SECURITY);
	/* Short APDUs: 255 + 255 + 90 with CLA 10 for all but the last. */
	o.ext = 0;
	memcpy (exp, "\x10\xDA\x7F\x21\xFF", 5);
	memcpy (exp + 5, cert, 255);
	mock_expect_bin (exp, 260, (const uint8_t *)"\x90\x00", 2);
	mock_expect_bin (exp, 260, (const uint8_t *)"\x90\x00", 2);
	memcpy (exp, "\x00\xDA\x7F\x21\x5A", 5);
	mock_expect_bin (exp, 5 + 90, (const uint8_t *)"\x90\x00", 2);
	ck_assert_int_eq (opgp_write_cert (card, &o, OPGP_KEY_AUT, cert, sizeof cert), CARD_OK);
	/* Neither chaining nor extended APDUs: long data cannot go. */
	o.ard.cmd_chaining = 0;
	ck_assert_int_eq (opgp_write_cert (card, &o, OPGP_KEY_AUT, cert, sizeof cert), CARD_E_NOT_SUPPORTED);
	/* Too large for the card's certificate DO. */
	o.ard.caps.max_cert = 100;
	ck_assert_int_eq (opgp_write_cert (card, &o, OPGP_KEY_AUT, cert, sizeof cert), CARD_E_NO_SPACE);
	/* A long answer in short mode: Le 00 and GET RESPONSE. */
	mock_expect ("00 CA 7F 21 00", "61 03");
	mock_expect ("00 C0 00 00 03", "30 01 00 90 00");
	{
		uint8_t *der = NULL;

		ck_assert_int_eq (opgp_read_cert (card, &o, OPGP_KEY_AUT, &der, &n), CARD_OK);
		ck_assert_uint_eq (n, 3);
		free (der);
	}
	free (ard);
}
END_TEST

START_TEST (test_certificates)
{
	char *ard = ard_hex (RSA2048, RSA2048, RSA2048, "08 00", 0);
	uint8_t *der = NULL;
	size_t n = 0;

	parse_into (ard);
	o.ext = 1;
	/* SIG: occurrence 2, then back to 0. */
	mock_expect ("00 A5 02 04 06 60 04 5C 02 7F 21", "90 00");
	mock_expect ("00 CA 7F 21 00 00 00", "30 03 02 01 07 90 00");
	mock_expect ("00 A5 00 04 06 60 04 5C 02 7F 21", "90 00");
	ck_assert_int_eq (opgp_read_cert (card, &o, OPGP_KEY_SIG, &der, &n), CARD_OK);
	ck_assert_uint_eq (n, 5);
	free (der);
	/* DEC empty: not found (and the occurrence reset all the same). */
	mock_expect ("00 A5 01 04 06 60 04 5C 02 7F 21", "90 00");
	mock_expect ("00 CA 7F 21 00 00 00", "90 00");
	mock_expect ("00 A5 00 04 06 60 04 5C 02 7F 21", "90 00");
	ck_assert_int_eq (opgp_read_cert (card, &o, OPGP_KEY_DEC, &der, &n), CARD_E_NOT_FOUND);
	ck_assert_ptr_null (der);
	/* Deleting the AUT one: occurrence 0 needs no SELECT DATA. */
	mock_expect ("00 DA 7F 21", "90 00");
	ck_assert_int_eq (opgp_write_cert (card, &o, OPGP_KEY_AUT, NULL, 0), CARD_OK);
	/* A 2.x card keeps only the AUT certificate. */
	o.ard.version = 0x0200;
	ck_assert_int_eq (opgp_read_cert (card, &o, OPGP_KEY_SIG, &der, &n), CARD_E_NOT_SUPPORTED);
	mock_expect ("00 CA 7F 21 00 00 00", "30 00 90 00");
	ck_assert_int_eq (opgp_read_cert (card, &o, OPGP_KEY_AUT, &der, &n), CARD_OK);
	free (der);
	free (ard);
}
END_TEST

int
main (void)
{
	Suite *s = suite_create ("openpgp-ops");
	TCase *tc = tcase_create ("ops");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture (tc, setup, teardown);
	tcase_set_timeout (tc, 120);
	tcase_add_test (tc, test_open);
	tcase_add_test (tc, test_verify);
	tcase_add_test (tc, test_change_unblock_kdf);
	tcase_add_test (tc, test_generate);
	tcase_add_test (tc, test_crypto_ops);
	tcase_add_test (tc, test_transport);
	tcase_add_test (tc, test_certificates);
	suite_add_tcase (s, tc);
	sr = srunner_create (s);
	srunner_run_all (sr, CK_ENV);
	failed = srunner_ntests_failed (sr);
	srunner_free (sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
