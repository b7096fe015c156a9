/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * apdu/test-piv-ops.c: the PIV driver's key operations against a scripted card:
 * RSA (command and response chaining), ECDSA (DER → r||s), ECDH, management key
 * authentication against a mock card that really computes 3DES/AES, key
 * generation (SPKI from the card's template), certificate write/delete, private-key
 * import (YubiKey), and malformed answers.
 */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include "apdu/card.h"
#include "apdu/mock-reader.h"
#include "apdu/test-piv.h"
#include "apdu/tlv.h"

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

static void
expect_bin_hex (const char *cmd_hex, const struct tp_bytes *resp)
{
	size_t n;
	uint8_t *cmd = mock_unhex (cmd_hex, &n);

	mock_expect_bin (cmd, n, resp->data, resp->len);
	free (cmd);
}

/* ---------------------------------------------------------------- RSA */

START_TEST (test_rsa_raw_chaining)
{
	struct card *card = tp_open_plain ();
	struct tp_bytes cmd = { 0 }, resp = { 0 };
	uint8_t in[256], sig[256], out[512];
	size_t out_len = sizeof out;

	memset (in, 0xA5, sizeof in);
	memset (sig, 0x5A, sizeof sig);
	sig[0] = 0x01;
	/* alg unknown: the 256-byte input says RSA-2048 (07) */
	tp_add_hex (&cmd, "7C 82 01 06 82 00 81 82 01 00");
	tp_add (&cmd, in, sizeof in);
	tp_expect_chained ("00 87 07 9A", cmd.data, cmd.len, 0, "61 00");
	tp_add_hex (&resp, "7C 82 01 04 82 82 01 00");
	tp_add (&resp, sig, sizeof sig);
	tp_serve_long (NULL, resp.data, resp.len);
	ck_assert_int_eq (card->driver->rsa_raw (card, 0x9A, in, sizeof in, out, &out_len), CARD_OK);
	ck_assert_uint_eq (out_len, 256);
	ck_assert (memcmp (out, sig, 256) == 0);

	/* a result with its leading zero byte dropped is padded back */
	tp_expect_chained ("00 87 07 9A", cmd.data, cmd.len, 0, "61 00");
	tp_bytes_free (&resp);
	tp_add_hex (&resp, "7C 82 01 02 82 81 FF");
	tp_add (&resp, sig + 1, 255);
	tp_serve_long (NULL, resp.data, resp.len);
	sig[0] = 0x00;
	out_len = sizeof out;
	ck_assert_int_eq (card->driver->rsa_raw (card, 0x9A, in, sizeof in, out, &out_len), CARD_OK);
	ck_assert_uint_eq (out_len, 256);
	ck_assert_uint_eq (out[0], 0);
	ck_assert (memcmp (out + 1, sig + 1, 255) == 0);

	/* no APDU for impossible input */
	out_len = sizeof out;
	ck_assert_int_eq (card->driver->rsa_raw (card, 0x9A, in, 100, out, &out_len),
	                  CARD_E_INVALID_DATA);
	out_len = 10;
	ck_assert_int_eq (card->driver->rsa_raw (card, 0x9A, in, sizeof in, out, &out_len),
	                  CARD_E_INVALID_DATA);
	/* 1024-bit input, security status not satisfied */
	mock_expect (NULL, "69 82");
	out_len = sizeof out;
	ck_assert_int_eq (card->driver->rsa_raw (card, 0x9C, in, 128, out, &out_len), CARD_E_SECURITY);
	tp_bytes_free (&cmd);
	tp_bytes_free (&resp);
	tp_close (card);
}
END_TEST

/* ---------------------------------------------------------------- ECDSA / ECDH */

static struct tp_bytes
ecdsa_answer (EVP_PKEY *key, const uint8_t *hash, size_t hash_len, struct tp_bytes *der_out)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new (key, NULL);
	uint8_t der[160];
	size_t der_len = sizeof der;
	struct tp_bytes resp = { 0 };

	ck_assert_ptr_nonnull (ctx);
	ck_assert_int_eq (EVP_PKEY_sign_init (ctx), 1);
	ck_assert_int_eq (EVP_PKEY_sign (ctx, der, &der_len, hash, hash_len), 1);
	EVP_PKEY_CTX_free (ctx);
	tp_add_header (&resp, 0x7C, 1 + (der_len < 128 ? 1 : 2) + der_len);
	tp_add_header (&resp, 0x82, der_len);
	tp_add (&resp, der, der_len);
	tp_add_hex (&resp, "90 00");
	tp_add (der_out, der, der_len);
	return resp;
}

/* r||s back to DER: must be the card's signature. */
static void
assert_rs_is (const uint8_t *rs, size_t len, const struct tp_bytes *der)
{
	ECDSA_SIG *sig = ECDSA_SIG_new ();
	unsigned char *enc = NULL;
	int n;

	ECDSA_SIG_set0 (sig, BN_bin2bn (rs, (int)len / 2, NULL), BN_bin2bn (rs + len / 2, (int)len / 2, NULL));
	n = i2d_ECDSA_SIG (sig, &enc);
	ck_assert_int_eq (n, (int)der->len);
	ck_assert (memcmp (enc, der->data, der->len) == 0);
	OPENSSL_free (enc);
	ECDSA_SIG_free (sig);
}

START_TEST (test_ecdsa_sign)
{
	struct card *card = tp_open_plain ();
	EVP_PKEY *key = tp_ec_key ("P-256"), *key384 = tp_ec_key ("P-384");
	struct tp_bytes der = { 0 }, resp;
	uint8_t hash[64], out[96];
	size_t out_len = sizeof out;

	RAND_bytes (hash, sizeof hash);
	resp = ecdsa_answer (key, hash, 32, &der);
	{
		struct tp_bytes cmd = { 0 };
		tp_add_hex (&cmd, "00 87 11 9A 26 7C 24 82 00 81 20");
		tp_add (&cmd, hash, 32);
		tp_add_hex (&cmd, "00");
		mock_expect_bin (cmd.data, cmd.len, resp.data, resp.len);
		tp_bytes_free (&cmd);
	}
	ck_assert_int_eq (card->driver->ecdsa_sign (card, 0x9A, hash, 32, out, &out_len), CARD_OK);
	ck_assert_uint_eq (out_len, 64);
	assert_rs_is (out, out_len, &der);
	tp_bytes_free (&resp);
	tp_bytes_free (&der);

	/* a 48-byte hash with an unknown key: P-384 (14) */
	resp = ecdsa_answer (key384, hash, 48, &der);
	{
		struct tp_bytes cmd = { 0 };
		tp_add_hex (&cmd, "00 87 14 9C 36 7C 34 82 00 81 30");
		tp_add (&cmd, hash, 48);
		tp_add_hex (&cmd, "00");
		mock_expect_bin (cmd.data, cmd.len, resp.data, resp.len);
		tp_bytes_free (&cmd);
	}
	out_len = sizeof out;
	ck_assert_int_eq (card->driver->ecdsa_sign (card, 0x9C, hash, 48, out, &out_len), CARD_OK);
	ck_assert_uint_eq (out_len, 96);
	assert_rs_is (out, out_len, &der);
	tp_bytes_free (&resp);
	tp_bytes_free (&der);

	/* malformed answers */
	mock_expect (NULL, "7C 05 82 10 00 90 00");       /* truncated */
	out_len = sizeof out;
	ck_assert_int_eq (card->driver->ecdsa_sign (card, 0x9A, hash, 32, out, &out_len),
	                  CARD_E_BAD_RESPONSE);
	mock_expect (NULL, "53 02 82 00 90 00");          /* wrong tag */
	ck_assert_int_eq (card->driver->ecdsa_sign (card, 0x9A, hash, 32, out, &out_len),
	                  CARD_E_BAD_RESPONSE);
	mock_expect (NULL, "7C 02 80 00 90 00");          /* no 82 */
	ck_assert_int_eq (card->driver->ecdsa_sign (card, 0x9A, hash, 32, out, &out_len),
	                  CARD_E_BAD_RESPONSE);
	mock_expect (NULL, "7C 04 82 02 30 00 90 00");    /* not a signature */
	ck_assert_int_eq (card->driver->ecdsa_sign (card, 0x9A, hash, 32, out, &out_len),
	                  CARD_E_BAD_RESPONSE);
	EVP_PKEY_free (key);
	EVP_PKEY_free (key384);
	tp_close (card);
}
END_TEST

START_TEST (test_ecdsa_hash_fitting)
{
	struct card *card = tp_open_yubikey (5, 4);
	EVP_PKEY *key = tp_ec_key ("P-256");
	struct tp_bytes der = { 0 }, resp, cmd = { 0 };
	uint8_t hash[64], out[64], padded[32];
	size_t out_len = sizeof out;

	/* the key's algorithm from metadata; a SHA-512 hash is cut to the leftmost 32 bytes */
	RAND_bytes (hash, sizeof hash);
	mock_expect ("00 F7 00 9D 00", "01 01 11 02 02 01 01 03 01 01 90 00");
	resp = ecdsa_answer (key, hash, 32, &der);
	tp_add_hex (&cmd, "00 87 11 9D 26 7C 24 82 00 81 20");
	tp_add (&cmd, hash, 32);
	tp_add_hex (&cmd, "00");
	mock_expect_bin (cmd.data, cmd.len, resp.data, resp.len);
	ck_assert_int_eq (card->driver->ecdsa_sign (card, 0x9D, hash, 64, out, &out_len), CARD_OK);
	tp_bytes_free (&cmd);
	tp_bytes_free (&resp);
	tp_bytes_free (&der);

	/* a 20-byte hash is left-padded with zeros (the algorithm is remembered now) */
	memset (padded, 0, 12);
	memcpy (padded + 12, hash, 20);
	resp = ecdsa_answer (key, padded, 32, &der);
	tp_add_hex (&cmd, "00 87 11 9D 26 7C 24 82 00 81 20");
	tp_add (&cmd, padded, 32);
	tp_add_hex (&cmd, "00");
	mock_expect_bin (cmd.data, cmd.len, resp.data, resp.len);
	out_len = sizeof out;
	ck_assert_int_eq (card->driver->ecdsa_sign (card, 0x9D, hash, 20, out, &out_len), CARD_OK);
	tp_bytes_free (&cmd);
	tp_bytes_free (&resp);
	tp_bytes_free (&der);
	EVP_PKEY_free (key);
	tp_close (card);
}
END_TEST

START_TEST (test_ecdh)
{
	struct card *card = tp_open_plain ();
	struct tp_bytes cmd = { 0 }, resp = { 0 };
	uint8_t point[97], secret[48], out[64];
	size_t out_len = sizeof out;

	memset (point, 0x33, sizeof point);
	point[0] = 0x04;
	memset (secret, 0x77, sizeof secret);
	tp_add_hex (&cmd, "00 87 11 9D 47 7C 45 82 00 85 41");
	tp_add (&cmd, point, 65);
	tp_add_hex (&cmd, "00");
	tp_add_hex (&resp, "7C 22 82 20");
	tp_add (&resp, secret, 32);
	tp_add_hex (&resp, "90 00");
	mock_expect_bin (cmd.data, cmd.len, resp.data, resp.len);
	ck_assert_int_eq (card->driver->ecdh (card, 0x9D, point, 65, out, &out_len), CARD_OK);
	ck_assert_uint_eq (out_len, 32);
	ck_assert (memcmp (out, secret, 32) == 0);
	tp_bytes_free (&cmd);
	tp_bytes_free (&resp);

	/* P-384 by the point's length */
	tp_add_hex (&cmd, "00 87 14 82 67 7C 65 82 00 85 61");
	tp_add (&cmd, point, 97);
	tp_add_hex (&cmd, "00");
	tp_add_hex (&resp, "7C 32 82 30");
	tp_add (&resp, secret, 48);
	tp_add_hex (&resp, "90 00");
	mock_expect_bin (cmd.data, cmd.len, resp.data, resp.len);
	out_len = sizeof out;
	ck_assert_int_eq (card->driver->ecdh (card, 0x82, point, 97, out, &out_len), CARD_OK);
	ck_assert_uint_eq (out_len, 48);
	tp_bytes_free (&cmd);
	tp_bytes_free (&resp);

	/* bad input: nothing sent; a secret of the wrong size: bad response */
	out_len = sizeof out;
	ck_assert_int_eq (card->driver->ecdh (card, 0x9D, point, 64, out, &out_len), CARD_E_INVALID_DATA);
	mock_expect (NULL, "7C 04 82 02 01 02 90 00");
	ck_assert_int_eq (card->driver->ecdh (card, 0x9D, point, 65, out, &out_len), CARD_E_BAD_RESPONSE);
	ck_assert_int_eq (card->driver->ecdh (card, 0x77, point, 65, out, &out_len), CARD_E_INTERNAL);
	tp_close (card);
}
END_TEST

/* ---------------------------------------------------------------- management key */

/* A card model for 9B mutual authentication that really computes the crypto. */
struct mgm_card {
	uint8_t alg;
	uint8_t key[32];
	size_t key_len;
	uint8_t witness[16];
	int have_witness;
	int lie;          /* answer the challenge wrongly */
	int metadata;     /* answer GET METADATA for 9B */
};

static const EVP_CIPHER *
mgm_cipher (uint8_t alg)
{
	switch (alg) {
	case 0x03: return EVP_des_ede3_ecb ();
	case 0x08: return EVP_aes_128_ecb ();
	case 0x0A: return EVP_aes_192_ecb ();
	default: return EVP_aes_256_ecb ();
	}
}

static void
mgm_crypt (struct mgm_card *m, int enc, const uint8_t *in, size_t len, uint8_t *out)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new ();
	int n = 0;

	ck_assert (EVP_CipherInit_ex (ctx, mgm_cipher (m->alg), NULL, m->key, NULL, enc) == 1);
	EVP_CIPHER_CTX_set_padding (ctx, 0);
	ck_assert (EVP_CipherUpdate (ctx, out, &n, in, (int)len) == 1);
	ck_assert_int_eq (n, (int)len);
	EVP_CIPHER_CTX_free (ctx);
}

static reader_rv
sw (uint8_t *resp, size_t *len, size_t at, uint16_t word)
{
	resp[at] = (uint8_t)(word >> 8);
	resp[at + 1] = (uint8_t)word;
	*len = at + 2;
	return READER_OK;
}

static reader_rv
mgm_handler (void *user, const uint8_t *cmd, size_t len, uint8_t *resp, size_t *resp_len)
{
	struct mgm_card *m = user;
	size_t bs = m->alg == 0x03 ? 8 : 16;
	struct tlv dyn, w, c;
	uint8_t plain[16];

	if (len >= 4 && cmd[1] == 0xF7 && cmd[3] == 0x9B && m->metadata) {
		memcpy (resp, "\x01\x01", 2);
		resp[2] = m->alg;
		return sw (resp, resp_len, 3, 0x9000);
	}
	if (len < 6 || cmd[0] != 0x00 || cmd[1] != 0x87 || cmd[3] != 0x9B || cmd[4] != len - 6)
		return sw (resp, resp_len, 0, 0x6D00);
	if (cmd[2] != m->alg)
		return sw (resp, resp_len, 0, 0x6A80);
	if (tlv_expect (cmd + 5, len - 6, 0x7C, 0, &dyn) != TLV_OK ||
	    tlv_find_child (&dyn, 0x80, &w) != TLV_OK)
		return sw (resp, resp_len, 0, 0x6A80);
	if (w.len == 0) {   /* step 1: an encrypted witness */
		RAND_bytes (m->witness, (int)bs);
		m->have_witness = 1;
		resp[0] = 0x7C;
		resp[1] = (uint8_t)(2 + bs);
		resp[2] = 0x80;
		resp[3] = (uint8_t)bs;
		mgm_crypt (m, 1, m->witness, bs, resp + 4);
		return sw (resp, resp_len, 4 + bs, 0x9000);
	}
	if (!m->have_witness || w.len != bs || memcmp (w.value, m->witness, bs) != 0 ||
	    tlv_find_child (&dyn, 0x81, &c) != TLV_OK || c.len != bs) {
		m->have_witness = 0;
		return sw (resp, resp_len, 0, 0x6982);
	}
	m->have_witness = 0;
	memcpy (plain, c.value, bs);
	resp[0] = 0x7C;
	resp[1] = (uint8_t)(2 + bs);
	resp[2] = 0x82;
	resp[3] = (uint8_t)bs;
	mgm_crypt (m, 1, plain, bs, resp + 4);
	if (m->lie)
		resp[4] ^= 1;
	return sw (resp, resp_len, 4 + bs, 0x9000);
}

static const uint8_t default_3des[24] = {
	1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 6, 7, 8
};

START_TEST (test_admin_auth_3des)
{
	struct card *card = tp_open_plain ();
	struct mgm_card m = { .alg = 0x03, .key_len = 24 };
	uint8_t wrong[24];

	memcpy (m.key, default_3des, 24);
	mock_set_handler (mgm_handler, &m);
	ck_assert_int_eq (card->driver->admin_auth (card, default_3des, 24), CARD_OK);
	memcpy (wrong, default_3des, 24);
	wrong[0] ^= 0x80;   /* a different key, not only a parity bit */
	wrong[1] ^= 0x80;
	ck_assert_int_eq (card->driver->admin_auth (card, wrong, 24), CARD_E_AUTH_FAILED);
	m.lie = 1;
	ck_assert_int_eq (card->driver->admin_auth (card, default_3des, 24), CARD_E_AUTH_FAILED);
	ck_assert_int_eq (card->driver->admin_auth (card, default_3des, 10), CARD_E_INVALID_DATA);
	tp_close (card);
}
END_TEST

START_TEST (test_admin_auth_aes)
{
	struct card *card = tp_open_plain ();
	struct mgm_card m = { .alg = 0x0A, .key_len = 24 };
	size_t len, i;
	const uint8_t *sent;
	int tried_3des = 0;

	RAND_bytes (m.key, 24);
	mock_set_handler (mgm_handler, &m);
	/* 24 bytes: 3DES refused with 6A80, then AES-192 */
	ck_assert_int_eq (card->driver->admin_auth (card, m.key, 24), CARD_OK);
	for (i = 0; i < mock_sent_count (); i++) {
		sent = mock_sent (i, &len);
		if (len > 3 && sent[1] == 0x87 && sent[2] == 0x03)
			tried_3des = 1;
	}
	ck_assert (tried_3des);
	ck_assert_uint_eq (mock_sent (mock_sent_count () - 1, &len)[2], 0x0A);

	m.alg = 0x08;
	ck_assert_int_eq (card->driver->admin_auth (card, m.key, 16), CARD_OK);
	m.alg = 0x0C;
	RAND_bytes (m.key, 32);
	ck_assert_int_eq (card->driver->admin_auth (card, m.key, 32), CARD_OK);
	ck_assert_int_eq (card->driver->admin_auth (card, m.key, 24), CARD_E_INVALID_DATA);
	tp_close (card);
}
END_TEST

START_TEST (test_admin_auth_metadata)
{
	struct card *card = tp_open_yubikey (5, 7);
	struct mgm_card m = { .alg = 0x0A, .key_len = 24, .metadata = 1 };
	size_t first, len, i;

	RAND_bytes (m.key, 24);
	mock_set_handler (mgm_handler, &m);
	first = mock_sent_count ();
	ck_assert_int_eq (card->driver->admin_auth (card, m.key, 24), CARD_OK);
	/* metadata first, then straight to AES-192: no 3DES attempt */
	ck_assert_uint_eq (mock_sent (first, &len)[1], 0xF7);
	for (i = first + 1; i < mock_sent_count (); i++)
		ck_assert_uint_eq (mock_sent (i, &len)[2], 0x0A);
	ck_assert_uint_eq (mock_sent_count () - first, 3);
	tp_close (card);
}
END_TEST

/* ---------------------------------------------------------------- generate */

static void
assert_spki_of (const uint8_t *spki, size_t len, EVP_PKEY *key)
{
	unsigned char *der = NULL;
	int n = i2d_PUBKEY (key, &der);

	ck_assert_int_eq (n, (int)len);
	ck_assert (memcmp (der, spki, len) == 0);
	OPENSSL_free (der);
}

START_TEST (test_generate)
{
	struct card *card = tp_open_yubikey (5, 4);
	EVP_PKEY *ec = tp_ec_key ("P-256"), *rsa = tp_rsa_key ();
	struct tp_bytes resp = { 0 };
	uint8_t *tmpl, *spki = NULL, in[128], out[256];
	size_t tmpl_len, spki_len = 0, out_len = sizeof out;

	tmpl = tp_pubkey_template (ec, &tmpl_len);
	tp_add_hex (&resp, "7F 49");
	tp_add_header (&resp, 0xFF, tmpl_len);   /* length only: drop the fake tag byte below */
	memmove (resp.data + 2, resp.data + 3, resp.len - 3);
	resp.len--;
	tp_add (&resp, tmpl, tmpl_len);
	tp_add_hex (&resp, "90 00");
	expect_bin_hex ("00 47 00 9A 05 AC 03 80 01 11 00", &resp);
	ck_assert_int_eq (card->driver->generate (card, 0x9A, CARD_ALG_EC_P256, CARD_PIN_POLICY_DEFAULT,
	                                          CARD_TOUCH_POLICY_DEFAULT, &spki, &spki_len), CARD_OK);
	assert_spki_of (spki, spki_len, ec);
	free (spki);
	free (tmpl);
	tp_bytes_free (&resp);

	/* RSA-2048 with YubiKey policies; the answer comes by GET RESPONSE */
	tmpl = tp_pubkey_template (rsa, &tmpl_len);
	tp_add_hex (&resp, "7F 49 82");
	tp_add (&resp, (const uint8_t[]){ (uint8_t)(tmpl_len >> 8), (uint8_t)tmpl_len }, 2);
	tp_add (&resp, tmpl, tmpl_len);
	tp_serve_long ("00 47 00 9C 0B AC 09 80 01 07 AA 01 03 AB 01 03 00", resp.data, resp.len);
	ck_assert_int_eq (card->driver->generate (card, 0x9C, CARD_ALG_RSA2048, CARD_PIN_POLICY_ALWAYS,
	                                          CARD_TOUCH_POLICY_CACHED, &spki, &spki_len), CARD_OK);
	assert_spki_of (spki, spki_len, rsa);
	free (spki);
	free (tmpl);
	tp_bytes_free (&resp);
	/* the slot's algorithm is remembered: a 1024-bit input is refused without an APDU */
	memset (in, 1, sizeof in);
	ck_assert_int_eq (card->driver->rsa_raw (card, 0x9C, in, sizeof in, out, &out_len),
	                  CARD_E_INVALID_DATA);

	/* malformed answers */
	mock_expect ("00 47 00 9E 05 AC 03 80 01 11 00", "7F 49 05 86 41 04 90 00");
	ck_assert_int_eq (card->driver->generate (card, 0x9E, CARD_ALG_EC_P256, CARD_PIN_POLICY_DEFAULT,
	                                          CARD_TOUCH_POLICY_DEFAULT, &spki, &spki_len),
	                  CARD_E_BAD_RESPONSE);
	ck_assert_ptr_null (spki);
	mock_expect ("00 47 00 9E 05 AC 03 80 01 11 00", "7F 48 03 86 01 04 90 00");
	ck_assert_int_eq (card->driver->generate (card, 0x9E, CARD_ALG_EC_P256, CARD_PIN_POLICY_DEFAULT,
	                                          CARD_TOUCH_POLICY_DEFAULT, &spki, &spki_len),
	                  CARD_E_BAD_RESPONSE);
	mock_expect ("00 47 00 9E 05 AC 03 80 01 11 00", "7F 49 04 86 02 04 00 90 00");
	ck_assert_int_eq (card->driver->generate (card, 0x9E, CARD_ALG_EC_P256, CARD_PIN_POLICY_DEFAULT,
	                                          CARD_TOUCH_POLICY_DEFAULT, &spki, &spki_len),
	                  CARD_E_BAD_RESPONSE);
	mock_expect ("00 47 00 9E 05 AC 03 80 01 11 00", "69 82");
	ck_assert_int_eq (card->driver->generate (card, 0x9E, CARD_ALG_EC_P256, CARD_PIN_POLICY_DEFAULT,
	                                          CARD_TOUCH_POLICY_DEFAULT, &spki, &spki_len),
	                  CARD_E_SECURITY);
	ck_assert_int_eq (card->driver->generate (card, 0x9E, CARD_ALG_NONE, CARD_PIN_POLICY_DEFAULT,
	                                          CARD_TOUCH_POLICY_DEFAULT, &spki, &spki_len),
	                  CARD_E_NOT_SUPPORTED);
	EVP_PKEY_free (ec);
	EVP_PKEY_free (rsa);
	tp_close (card);
}
END_TEST

/* ---------------------------------------------------------------- import */

START_TEST (test_import_key)
{
	struct card *card = tp_open_yubikey (5, 4);
	struct card *plain;
	struct card_key_parts ec = { .alg = CARD_ALG_EC_P256 }, rsa = { .alg = CARD_ALG_RSA2048 };
	uint8_t scalar[32], part[5][128], big[33];
	struct tp_bytes data = { 0 };
	size_t sent;
	int i;

	/* EC: a scalar with a leading zero byte dropped is padded back to 32 bytes */
	memset (scalar, 0x11, sizeof scalar);
	scalar[0] = 0x00;
	ec.scalar = scalar + 1;
	ec.scalar_len = 31;
	tp_add_hex (&data, "00 FE 11 9A 22 06 20");
	tp_add (&data, scalar, sizeof scalar);
	mock_expect_bin (data.data, data.len, (const uint8_t[]){ 0x90, 0x00 }, 2);
	ck_assert_int_eq (card->driver->import_key (card, 0x9A, &ec, CARD_PIN_POLICY_DEFAULT,
	                                            CARD_TOUCH_POLICY_DEFAULT), CARD_OK);
	tp_bytes_free (&data);

	/* RSA-2048 with policies: 5 x 131 bytes + AA + AB, by command chaining */
	for (i = 0; i < 5; i++)
		memset (part[i], 0x21 + i, sizeof part[i]);
	rsa.p = part[0], rsa.p_len = 128;
	rsa.q = part[1], rsa.q_len = 128;
	rsa.dp = part[2], rsa.dp_len = 128;
	rsa.dq = part[3], rsa.dq_len = 128;
	rsa.qinv = part[4] + 1, rsa.qinv_len = 127;   /* short: padded */
	part[4][0] = 0x00;
	for (i = 0; i < 5; i++) {
		tp_add_header (&data, (uint32_t)(i + 1), 128);
		tp_add (&data, part[i], 128);
	}
	tp_add_hex (&data, "AA 01 03 AB 01 03");
	tp_expect_chained ("00 FE 07 9C", data.data, data.len, -1, "90 00");
	ck_assert_int_eq (card->driver->import_key (card, 0x9C, &rsa, CARD_PIN_POLICY_ALWAYS,
	                                            CARD_TOUCH_POLICY_CACHED), CARD_OK);
	tp_bytes_free (&data);

	/* refused without an APDU: a component too long, an unknown slot or algorithm */
	sent = mock_sent_count ();
	memset (big, 0x01, sizeof big);
	ec.scalar = big;
	ec.scalar_len = sizeof big;
	ck_assert_int_eq (card->driver->import_key (card, 0x9A, &ec, CARD_PIN_POLICY_DEFAULT,
	                                            CARD_TOUCH_POLICY_DEFAULT), CARD_E_INVALID_DATA);
	ec.scalar_len = 0;
	ck_assert_int_eq (card->driver->import_key (card, 0x9A, &ec, CARD_PIN_POLICY_DEFAULT,
	                                            CARD_TOUCH_POLICY_DEFAULT), CARD_E_INVALID_DATA);
	ck_assert_int_eq (card->driver->import_key (card, 0x99, &rsa, CARD_PIN_POLICY_DEFAULT,
	                                            CARD_TOUCH_POLICY_DEFAULT), CARD_E_NOT_FOUND);
	rsa.alg = CARD_ALG_NONE;
	ck_assert_int_eq (card->driver->import_key (card, 0x9A, &rsa, CARD_PIN_POLICY_DEFAULT,
	                                            CARD_TOUCH_POLICY_DEFAULT), CARD_E_NOT_SUPPORTED);
	ck_assert_uint_eq (mock_sent_count (), sent);

	/* without admin authentication the card refuses */
	ec.scalar = scalar;
	ec.scalar_len = sizeof scalar;
	tp_add_hex (&data, "00 FE 11 9E 22 06 20");
	tp_add (&data, scalar, sizeof scalar);
	mock_expect_bin (data.data, data.len, (const uint8_t[]){ 0x69, 0x82 }, 2);
	ck_assert_int_eq (card->driver->import_key (card, 0x9E, &ec, CARD_PIN_POLICY_DEFAULT,
	                                            CARD_TOUCH_POLICY_DEFAULT), CARD_E_SECURITY);
	tp_bytes_free (&data);
	tp_close (card);

	/* a PIV card that is not a YubiKey has no import command: nothing is sent */
	plain = tp_open_plain ();
	sent = mock_sent_count ();
	ck_assert_int_eq (plain->info.can_import, 0);
	ck_assert_int_eq (plain->driver->import_key (plain, 0x9A, &ec, CARD_PIN_POLICY_DEFAULT,
	                                             CARD_TOUCH_POLICY_DEFAULT), CARD_E_NOT_SUPPORTED);
	ck_assert_uint_eq (mock_sent_count (), sent);
	tp_close (plain);
}
END_TEST

/* ---------------------------------------------------------------- certificates */

START_TEST (test_write_cert)
{
	struct card *card = tp_open_plain ();
	EVP_PKEY *key = tp_rsa_key ();
	struct tp_bytes data = { 0 };
	size_t der_len;
	uint8_t *der = tp_cert (key, 1300, &der_len);

	/* 5C 03 5F C1 05 53 { 70 cert, 71 01 00, FE 00 }, by command chaining */
	tp_add_hex (&data, "5C 03 5F C1 05");
	tp_add_header (&data, 0x53, 4 + der_len + 5);
	tp_add_header (&data, 0x70, der_len);
	tp_add (&data, der, der_len);
	tp_add_hex (&data, "71 01 00 FE 00");
	ck_assert_uint_gt (data.len, 2000);
	tp_expect_chained ("00 DB 3F FF", data.data, data.len, -1, "90 00");
	ck_assert_int_eq (card->driver->write_cert (card, 0x9A, der, der_len), CARD_OK);

	/* card full on the last piece */
	tp_expect_chained ("00 DB 3F FF", data.data, data.len, -1, "6A 84");
	ck_assert_int_eq (card->driver->write_cert (card, 0x9A, der, der_len), CARD_E_NO_SPACE);

	/* a chain that failed is ended (another command) before the next command */
	mock_expect ("00 C0 00 00 00", "69 85");
	mock_expect ("00 DB 3F FF 07 5C 03 5F C1 0A 53 00", "90 00");
	ck_assert_int_eq (card->driver->write_cert (card, 0x9C, NULL, 0), CARD_OK);
	mock_expect ("00 DB 3F FF 07 5C 03 5F C1 20 53 00", "69 82");
	ck_assert_int_eq (card->driver->write_cert (card, 0x95, NULL, 0), CARD_E_SECURITY);
	ck_assert_int_eq (card->driver->write_cert (card, 0x99, NULL, 0), CARD_E_NOT_FOUND);
	tp_bytes_free (&data);
	free (der);
	EVP_PKEY_free (key);
	tp_close (card);
}
END_TEST

int
main (void)
{
	Suite *s = suite_create ("piv-ops");
	TCase *crypt = tcase_create ("crypt");
	TCase *admin = tcase_create ("admin");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture (crypt, setup, teardown);
	tcase_set_timeout (crypt, 60);
	tcase_add_test (crypt, test_rsa_raw_chaining);
	tcase_add_test (crypt, test_ecdsa_sign);
	tcase_add_test (crypt, test_ecdsa_hash_fitting);
	tcase_add_test (crypt, test_ecdh);
	suite_add_tcase (s, crypt);
	tcase_add_checked_fixture (admin, setup, teardown);
	tcase_set_timeout (admin, 60);
	tcase_add_test (admin, test_admin_auth_3des);
	tcase_add_test (admin, test_admin_auth_aes);
	tcase_add_test (admin, test_admin_auth_metadata);
	tcase_add_test (admin, test_generate);
	tcase_add_test (admin, test_write_cert);
	tcase_add_test (admin, test_import_key);
	suite_add_tcase (s, admin);
	sr = srunner_create (s);
	srunner_run_all (sr, CK_ENV);
	failed = srunner_ntests_failed (sr);
	srunner_free (sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
