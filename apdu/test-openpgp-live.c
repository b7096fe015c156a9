/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * apdu/test-openpgp-live.c: the OpenPGP library end to end through the PC/SC
 * backend against an OpenPGP card in a real reader, normally the card simulator
 * (--profile openpgp, or yubikey+openpgp) in the test bed, in its factory state
 * (PW1 123456, PW3 12345678):
 *
 *   tests/testbed --cards 1 --card-args "--profile openpgp" -- apdu/test-openpgp-live
 *
 * The reader name comes from argv[1], else $TESSERA_TEST_READER, else "Virtual PCD
 * 00 00". Every result is checked with OpenSSL against the public key the card gave.
 * Not a unit test: it changes the card (keys, PINs, certificates, counters) and leaves
 * it in its factory passwords.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "apdu/openpgp.h"
#include "apdu/test-openpgp.h"
#include "reader/reader.h"

static const char *reader_name = "Virtual PCD 00 00";
static struct card *card;
static struct opgp o;

static void
setup (void)
{
	card = to_open (&reader_pcsc_ops, reader_name);
	ck_assert_int_eq (opgp_open (card, 1, &o), CARD_OK);
}

static void
teardown (void)
{
	to_close (card);
	card = NULL;
}

static void
verify (enum opgp_pw ref, const char *pin)
{
	ck_assert_int_eq (opgp_verify (card, &o, ref, (const uint8_t *)pin, strlen (pin), NULL), CARD_OK);
}

/* Generate in KEY with ALGO (attributes hex); returns the public key, asserts the
 * fingerprint and date the library wrote are on the card. */
static EVP_PKEY *
generate (enum opgp_key key, const char *attr, uint32_t when)
{
	struct opgp_algo a;
	uint8_t raw[16], *spki = NULL, fpr[20];
	size_t spki_len = 0, i;
	EVP_PKEY *pub;

	for (i = 0; attr[2 * i]; i++)
		sscanf (attr + 2 * i, "%2hhx", &raw[i]);
	ck_assert_int_eq (opgp_algo_parse (raw, i, &a), CARD_OK);
	ck_assert_int_eq (opgp_generate (card, &o, key, &a, when, &spki, &spki_len), CARD_OK);
	pub = to_spki_key (spki, spki_len);
	ck_assert_int_eq (opgp_fingerprint (&o.ard.algo[key], key, spki, spki_len, when, fpr), CARD_OK);
	ck_assert_mem_eq (o.ard.fpr[key], fpr, 20);       /* as read back from the card */
	ck_assert_uint_eq (o.ard.gen_time[key], when);
	ck_assert_int_eq (opgp_has_key (&o.ard, key), 1);
	ck_assert_uint_eq (o.ard.key_status[key], 1);
	free (spki);
	return pub;
}

START_TEST (test_identity)
{
	ck_assert_uint_eq (o.ard.version, 0x0304);
	ck_assert_uint_eq (o.ard.aid[0], 0xD2);
	ck_assert_int_eq (o.ext, 1);
	ck_assert_int_eq (o.ard.cmd_chaining, 1);
	ck_assert_uint_eq (o.ard.lcs, 0x05);
	ck_assert (o.ard.caps.flags & OPGP_CAP_KEY_IMPORT);
	ck_assert (o.ard.caps.flags & OPGP_CAP_ALGO_CHANGE);
	ck_assert_uint_gt (o.ard.caps.max_cmd, 255);
	ck_assert_int_eq (o.ard.pw.pw1_tries, 3);
	ck_assert_int_eq (o.ard.pw.pw3_tries, 3);
	ck_assert_int_eq (o.kdf.on, 0);
}
END_TEST

START_TEST (test_passwords)
{
	int tries = 0, verified = 0;

	ck_assert_int_eq (opgp_verify (card, &o, OPGP_PW1, (const uint8_t *)"000000", 6, &tries), CARD_E_PIN_INCORRECT);
	ck_assert_int_eq (tries, 2);
	ck_assert_int_eq (opgp_pin_status (card, &o, OPGP_PW1, &verified, &tries), CARD_OK);
	ck_assert_int_eq (verified, 0);
	ck_assert_int_eq (tries, 2);
	verify (OPGP_PW1, "123456");
	ck_assert_int_eq (o.ard.pw.pw1_tries, 3);
	ck_assert_int_eq (opgp_pin_status (card, &o, OPGP_PW1, &verified, &tries), CARD_OK);
	ck_assert_int_eq (verified, 1);
	ck_assert_int_eq (opgp_logout (card, &o, OPGP_PW1), CARD_OK);
	ck_assert_int_eq (opgp_pin_status (card, &o, OPGP_PW1, &verified, &tries), CARD_OK);
	ck_assert_int_eq (verified, 0);
	ck_assert_int_eq (opgp_change_pin (card, &o, OPGP_PW1, (const uint8_t *)"123456", 6,
	                                   (const uint8_t *)"2468024", 7, NULL), CARD_OK);
	/* Block PW1, unblock with a resetting code, then by PW3. */
	verify (OPGP_PW3, "12345678");
	ck_assert_int_eq (opgp_set_resetting_code (card, &o, (const uint8_t *)"RC-CODE-1", 9), CARD_OK);
	ck_assert_int_eq (o.ard.pw.rc_tries, 3);
	while (opgp_verify (card, &o, OPGP_PW1, (const uint8_t *)"999999", 6, &tries) == CARD_E_PIN_INCORRECT)
		;
	ck_assert_int_eq (o.ard.pw.pw1_tries, 0);
	ck_assert_int_eq (opgp_verify (card, &o, OPGP_PW1, (const uint8_t *)"2468024", 7, &tries), CARD_E_PIN_LOCKED);
	ck_assert_int_eq (opgp_unblock_rc (card, &o, (const uint8_t *)"RC-CODE-2", 9, (const uint8_t *)"111111", 6,
	                                   &tries), CARD_E_PIN_INCORRECT);
	ck_assert_int_eq (tries, 2);
	ck_assert_int_eq (opgp_unblock_rc (card, &o, (const uint8_t *)"RC-CODE-1", 9, (const uint8_t *)"135791", 6,
	                                   NULL), CARD_OK);
	verify (OPGP_PW1, "135791");
	verify (OPGP_PW3, "12345678");
	ck_assert_int_eq (opgp_unblock_admin (card, &o, (const uint8_t *)"123456", 6), CARD_OK);
	ck_assert_int_eq (opgp_set_resetting_code (card, &o, NULL, 0), CARD_OK);
	ck_assert_int_eq (o.ard.pw.rc_tries, 0);
	verify (OPGP_PW1_SIGN, "123456");
}
END_TEST

START_TEST (test_rsa)
{
	uint8_t hash[32], di[51], sig[512], plain[48], ct[256], out[256];
	size_t dlen = sizeof di, slen = sizeof sig, clen = sizeof ct, olen = sizeof out;
	uint32_t count0 = 0, count1 = 0;
	EVP_PKEY *sigk, *deck;
	EVP_PKEY_CTX *ctx;

	verify (OPGP_PW3, "12345678");
	sigk = generate (OPGP_KEY_SIG, "010800002000", 1700000000);
	deck = generate (OPGP_KEY_DEC, "010800002000", 1700000001);
	ck_assert_int_eq (opgp_read_sig_counter (card, &o, &count0), CARD_OK);
	RAND_bytes (hash, sizeof hash);
	ck_assert_int_eq (opgp_digest_info (NID_sha256, hash, sizeof hash, di, &dlen), CARD_OK);
	ck_assert_int_eq (opgp_logout (card, &o, OPGP_PW1_SIGN), CARD_OK);
	ck_assert_int_eq (opgp_sign (card, &o, di, dlen, sig, &slen), CARD_E_SECURITY);
	verify (OPGP_PW1_SIGN, "123456");
	ck_assert_int_eq (opgp_sign (card, &o, di, dlen, sig, &slen), CARD_OK);
	to_assert_rsa_sig (sigk, di, dlen, sig, slen);
	ck_assert_int_eq (opgp_read_sig_counter (card, &o, &count1), CARD_OK);
	ck_assert_uint_eq (count1, count0 + 1);
	/* PW1 valid for one PSO:CDS (C4 byte 1 = 00): the next one needs it again. */
	ck_assert_int_eq (o.ard.pw.pw1_multi, 0);
	slen = sizeof sig;
	ck_assert_int_eq (opgp_sign (card, &o, di, dlen, sig, &slen), CARD_E_SECURITY);
	/* Decipher: the plaintext of what OpenSSL encrypted to the card's key. */
	RAND_bytes (plain, sizeof plain);
	ctx = EVP_PKEY_CTX_new (deck, NULL);
	ck_assert_int_eq (EVP_PKEY_encrypt_init (ctx), 1);
	ck_assert_int_eq (EVP_PKEY_CTX_set_rsa_padding (ctx, RSA_PKCS1_PADDING), 1);
	ck_assert_int_eq (EVP_PKEY_encrypt (ctx, ct, &clen, plain, sizeof plain), 1);
	EVP_PKEY_CTX_free (ctx);
	verify (OPGP_PW1, "123456");
	ck_assert_int_eq (opgp_decipher_rsa (card, &o, ct, clen, out, &olen), CARD_OK);
	ck_assert_uint_eq (olen, sizeof plain);
	ck_assert_mem_eq (out, plain, sizeof plain);
	EVP_PKEY_free (sigk);
	EVP_PKEY_free (deck);
}
END_TEST

START_TEST (test_ec)
{
	uint8_t hash[48], sig[96], pt[97], secret[48], want[48];
	size_t slen = sizeof sig, plen = 0, n = sizeof secret, wn;
	EVP_PKEY *pub, *peer;

	verify (OPGP_PW3, "12345678");
	/* Ed25519 signature key, P-384 authentication key. */
	pub = generate (OPGP_KEY_SIG, "162B06010401DA470F01", 1700000100);
	verify (OPGP_PW1_SIGN, "123456");
	ck_assert_int_eq (opgp_sign (card, &o, (const uint8_t *)"a message", 9, sig, &slen), CARD_OK);
	to_assert_ed25519_sig (pub, (const uint8_t *)"a message", 9, sig, slen);
	EVP_PKEY_free (pub);
	pub = generate (OPGP_KEY_AUT, "132B81040022", 1700000101);
	RAND_bytes (hash, sizeof hash);
	verify (OPGP_PW1, "123456");
	slen = sizeof sig;
	ck_assert_int_eq (opgp_internal_auth (card, &o, hash, 48, sig, &slen), CARD_OK);
	ck_assert_uint_eq (slen, 96);
	to_assert_ecdsa_sig (pub, hash, 48, sig, slen);
	EVP_PKEY_free (pub);
	/* X25519 and P-256 ECDH in the decryption slot. */
	pub = generate (OPGP_KEY_DEC, "122B060104019755010501", 1700000102);
	peer = EVP_PKEY_Q_keygen (NULL, NULL, "X25519");
	plen = 32;
	ck_assert_int_eq (EVP_PKEY_get_raw_public_key (peer, pt, &plen), 1);
	ck_assert_int_eq (opgp_ecdh (card, &o, pt, plen, secret, &n), CARD_OK);
	wn = to_derive (peer, pub, want, sizeof want);
	ck_assert_uint_eq (n, wn);
	ck_assert_mem_eq (secret, want, wn);
	EVP_PKEY_free (peer);
	EVP_PKEY_free (pub);
	verify (OPGP_PW3, "12345678");
	pub = generate (OPGP_KEY_DEC, "122A8648CE3D030107", 1700000103);
	peer = EVP_PKEY_Q_keygen (NULL, NULL, "EC", "P-256");
	ck_assert_int_eq (EVP_PKEY_get_octet_string_param (peer, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, pt, sizeof pt,
	                                                   &plen), 1);
	n = sizeof secret;
	verify (OPGP_PW1, "123456");
	ck_assert_int_eq (opgp_ecdh (card, &o, pt, plen, secret, &n), CARD_OK);
	wn = to_derive (peer, pub, want, sizeof want);
	ck_assert_uint_eq (n, 32);
	ck_assert_mem_eq (secret, want, wn);
	EVP_PKEY_free (peer);
	EVP_PKEY_free (pub);
}
END_TEST

static BIGNUM *
bn_of (EVP_PKEY *k, const char *name)
{
	BIGNUM *bn = NULL;

	ck_assert_int_eq (EVP_PKEY_get_bn_param (k, name, &bn), 1);
	return bn;
}

/* Import an OpenSSL RSA key (e, p, q) in the import format of the attributes ATTR. */
static void
import_rsa (enum opgp_key key, EVP_PKEY *k, const char *attr)
{
	BIGNUM *e = bn_of (k, OSSL_PKEY_PARAM_RSA_E), *p = bn_of (k, OSSL_PKEY_PARAM_RSA_FACTOR1);
	BIGNUM *q = bn_of (k, OSSL_PKEY_PARAM_RSA_FACTOR2);
	uint8_t be[8], bp[256], bq[256], raw[6];
	struct opgp_key_parts parts;
	struct opgp_algo a;
	size_t i;

	for (i = 0; i < 6; i++)
		sscanf (attr + 2 * i, "%2hhx", &raw[i]);
	ck_assert_int_eq (opgp_algo_parse (raw, 6, &a), CARD_OK);
	ck_assert_int_eq (opgp_set_algo (card, &o, key, &a), CARD_OK);
	memset (&parts, 0, sizeof parts);
	parts.e = be, parts.e_len = (size_t)BN_bn2bin (e, be);
	parts.p = bp, parts.p_len = (size_t)BN_bn2bin (p, bp);
	parts.q = bq, parts.q_len = (size_t)BN_bn2bin (q, bq);
	ck_assert_int_eq (opgp_import_key (card, &o, key, &parts, 1600000000), CARD_OK);
	ck_assert_uint_eq (o.ard.key_status[key], 2);
	BN_free (e), BN_clear_free (p), BN_clear_free (q);
}

START_TEST (test_import)
{
	EVP_PKEY *rsa = EVP_PKEY_Q_keygen (NULL, NULL, "RSA", (size_t)2048), *x = EVP_PKEY_Q_keygen (NULL, NULL, "X25519");
	EVP_PKEY *p384 = EVP_PKEY_Q_keygen (NULL, NULL, "EC", "P-384"), *peer = EVP_PKEY_Q_keygen (NULL, NULL, "X25519");
	uint8_t di[51], sig[256], d[48], pt[32], secret[32], want[32], *spki = NULL;
	size_t slen = sizeof sig, n = 32, spki_len = 0;
	struct opgp_key_parts parts;
	struct opgp_algo a = { .id = OPGP_ALGO_ECDH, .curve = OPGP_CURVE_X25519 };
	BIGNUM *bn = NULL;

	verify (OPGP_PW3, "12345678");
	/* RSA, standard format (e, p, q) into SIG and CRT with modulus into AUT. */
	import_rsa (OPGP_KEY_SIG, rsa, "010800002000");
	import_rsa (OPGP_KEY_AUT, rsa, "010800002003");
	memset (di, 0x3A, sizeof di);
	verify (OPGP_PW1_SIGN, "123456");
	ck_assert_int_eq (opgp_sign (card, &o, di, sizeof di, sig, &slen), CARD_OK);
	to_assert_rsa_sig (rsa, di, sizeof di, sig, slen);
	ck_assert_int_eq (opgp_read_pubkey (card, &o, OPGP_KEY_AUT, &spki, &spki_len), CARD_OK);
	{
		EVP_PKEY *back = to_spki_key (spki, spki_len);

		ck_assert_int_eq (EVP_PKEY_eq (back, rsa), 1);
		EVP_PKEY_free (back);
	}
	free (spki);
	/* X25519: the library reverses the private key as OpenPGP stores it. */
	ck_assert_int_eq (opgp_set_algo (card, &o, OPGP_KEY_DEC, &a), CARD_OK);
	ck_assert_int_eq (EVP_PKEY_get_raw_private_key (x, d, &n), 1);
	memset (&parts, 0, sizeof parts);
	parts.d = d, parts.d_len = 32;
	ck_assert_int_eq (opgp_import_key (card, &o, OPGP_KEY_DEC, &parts, 1600000001), CARD_OK);
	n = 32;
	ck_assert_int_eq (EVP_PKEY_get_raw_public_key (peer, pt, &n), 1);
	verify (OPGP_PW1, "123456");
	n = sizeof secret;
	ck_assert_int_eq (opgp_ecdh (card, &o, pt, 32, secret, &n), CARD_OK);
	ck_assert_uint_eq (to_derive (x, peer, want, sizeof want), 32);
	ck_assert_mem_eq (secret, want, 32);
	/* P-384 into AUT, with the public key required by the attributes (FF). */
	a.id = OPGP_ALGO_ECDSA, a.curve = OPGP_CURVE_P384, a.ec_import_pub = 1;
	ck_assert_int_eq (opgp_set_algo (card, &o, OPGP_KEY_AUT, &a), CARD_OK);
	ck_assert_int_eq (o.ard.algo[OPGP_KEY_AUT].ec_import_pub, 1);
	ck_assert_int_eq (EVP_PKEY_get_bn_param (p384, OSSL_PKEY_PARAM_PRIV_KEY, &bn), 1);
	parts.d = d, parts.d_len = (size_t)BN_bn2bin (bn, d);
	ck_assert_int_eq (opgp_import_key (card, &o, OPGP_KEY_AUT, &parts, 1600000002), CARD_OK);
	ck_assert_int_eq (opgp_read_pubkey (card, &o, OPGP_KEY_AUT, &spki, &spki_len), CARD_OK);
	{
		EVP_PKEY *back = to_spki_key (spki, spki_len);

		ck_assert_int_eq (EVP_PKEY_eq (back, p384), 1);
		EVP_PKEY_free (back);
	}
	free (spki);
	BN_clear_free (bn);
	EVP_PKEY_free (rsa);
	EVP_PKEY_free (x);
	EVP_PKEY_free (p384);
	EVP_PKEY_free (peer);
}
END_TEST

START_TEST (test_certificates)
{
	uint8_t cert[1500], *der = NULL;
	size_t n = 0;
	int key;

	verify (OPGP_PW3, "12345678");
	for (key = 0; key < OPGP_NKEYS; key++) {
		memset (cert, 0x40 + key, sizeof cert);
		ck_assert_int_eq (opgp_write_cert (card, &o, (enum opgp_key)key, cert, sizeof cert - (size_t)key), CARD_OK);
	}
	for (key = 0; key < OPGP_NKEYS; key++) {
		ck_assert_int_eq (opgp_read_cert (card, &o, (enum opgp_key)key, &der, &n), CARD_OK);
		ck_assert_uint_eq (n, sizeof cert - (size_t)key);
		ck_assert_uint_eq (der[0], 0x40 + key);
		free (der);
	}
	ck_assert_int_eq (opgp_write_cert (card, &o, OPGP_KEY_DEC, NULL, 0), CARD_OK);
	ck_assert_int_eq (opgp_read_cert (card, &o, OPGP_KEY_DEC, &der, &n), CARD_E_NOT_FOUND);
	ck_assert_int_eq (opgp_read_cert (card, &o, OPGP_KEY_AUT, &der, &n), CARD_OK);   /* untouched */
	free (der);
}
END_TEST

/* A KDF-DO written here: the card compares derived values from then on. */
START_TEST (test_kdf)
{
	uint8_t f9[110] = { 0x81, 0x01, 0x03, 0x82, 0x01, 0x08, 0x83, 0x04, 0x00, 0x00, 0x80, 0x00, 0x84, 0x08 };
	uint8_t h1[OPGP_PW_BUF], h3[OPGP_PW_BUF];
	struct opgp_kdf kdf;
	size_t n1, n3, k = 14;
	int tries;

	RAND_bytes (f9 + k, 8);
	k += 8;
	memcpy (f9 + k, "\x86\x08", 2);
	RAND_bytes (f9 + k + 2, 8);
	k += 10;
	ck_assert_int_eq (opgp_parse_kdf (f9, k, &kdf), CARD_OK);
	ck_assert_int_eq (opgp_kdf_derive (&kdf, 0x82, (const uint8_t *)"123456", 6, h1, &n1), CARD_OK);
	ck_assert_int_eq (opgp_kdf_derive (&kdf, 0x83, (const uint8_t *)"12345678", 8, h3, &n3), CARD_OK);
	f9[k++] = 0x87, f9[k++] = 0x20;
	memcpy (f9 + k, h1, 32), k += 32;
	f9[k++] = 0x88, f9[k++] = 0x20;
	memcpy (f9 + k, h3, 32), k += 32;
	verify (OPGP_PW3, "12345678");
	ck_assert_int_eq (opgp_put_data (card, &o, 0x00F9, 0, f9, k, 1), CARD_OK);
	ck_assert_int_eq (opgp_refresh (card, &o), CARD_OK);
	ck_assert_int_eq (o.kdf.on, 1);
	verify (OPGP_PW1, "123456");
	ck_assert_int_eq (opgp_verify (card, &o, OPGP_PW1, (const uint8_t *)"654321", 6, &tries), CARD_E_PIN_INCORRECT);
	ck_assert_int_eq (opgp_change_pin (card, &o, OPGP_PW1, (const uint8_t *)"123456", 6,
	                                   (const uint8_t *)"654321", 6, NULL), CARD_OK);
	verify (OPGP_PW1_SIGN, "654321");
	/* Without the library's derivation the plain PIN is refused. */
	o.kdf.on = 0;
	ck_assert_int_eq (opgp_verify (card, &o, OPGP_PW1, (const uint8_t *)"654321", 6, &tries), CARD_E_PIN_INCORRECT);
	o.kdf.on = 1;
	verify (OPGP_PW3, "12345678");
	ck_assert_int_eq (opgp_put_data (card, &o, 0x00F9, 0, (const uint8_t *)"\x81\x01\x00", 3, 0), CARD_OK);
	ck_assert_int_eq (opgp_refresh (card, &o), CARD_OK);
	ck_assert_int_eq (o.kdf.on, 0);
	verify (OPGP_PW1, "123456");   /* KDF off: the factory passwords */
}
END_TEST

/* Short APDUs only: long commands by chaining, long answers by GET RESPONSE. */
START_TEST (test_short_apdus)
{
	uint8_t plain[32], ct[512], out[512], *spki = NULL;
	size_t clen = sizeof ct, olen = sizeof out, spki_len = 0;
	EVP_PKEY *pub;
	EVP_PKEY_CTX *ctx;

	ck_assert_int_eq (opgp_open (card, 0, &o), CARD_OK);
	ck_assert_int_eq (o.ext, 0);
	verify (OPGP_PW3, "12345678");
	pub = generate (OPGP_KEY_DEC, "011000002000", 1700000200);   /* RSA-4096 */
	ck_assert_int_eq (opgp_read_pubkey (card, &o, OPGP_KEY_DEC, &spki, &spki_len), CARD_OK);
	free (spki);
	RAND_bytes (plain, sizeof plain);
	ctx = EVP_PKEY_CTX_new (pub, NULL);
	ck_assert_int_eq (EVP_PKEY_encrypt_init (ctx), 1);
	ck_assert_int_eq (EVP_PKEY_CTX_set_rsa_padding (ctx, RSA_PKCS1_PADDING), 1);
	ck_assert_int_eq (EVP_PKEY_encrypt (ctx, ct, &clen, plain, sizeof plain), 1);
	EVP_PKEY_CTX_free (ctx);
	verify (OPGP_PW1, "123456");
	ck_assert_int_eq (opgp_decipher_rsa (card, &o, ct, clen, out, &olen), CARD_OK);
	ck_assert_uint_eq (olen, sizeof plain);
	ck_assert_mem_eq (out, plain, sizeof plain);
	EVP_PKEY_free (pub);
}
END_TEST

int
main (int argc, char **argv)
{
	Suite *s = suite_create ("openpgp-live");
	TCase *tc = tcase_create ("live");
	SRunner *sr;
	int failed;

	if (argc > 1)
		reader_name = argv[1];
	else if (getenv ("TESSERA_TEST_READER") != NULL)
		reader_name = getenv ("TESSERA_TEST_READER");
	tcase_add_checked_fixture (tc, setup, teardown);
	tcase_set_timeout (tc, 300);
	tcase_add_test (tc, test_identity);
	tcase_add_test (tc, test_passwords);
	tcase_add_test (tc, test_rsa);
	tcase_add_test (tc, test_ec);
	tcase_add_test (tc, test_import);
	tcase_add_test (tc, test_certificates);
	tcase_add_test (tc, test_kdf);
	tcase_add_test (tc, test_short_apdus);
	suite_add_tcase (s, tc);
	sr = srunner_create (s);
	srunner_run_all (sr, CK_ENV);
	failed = srunner_ntests_failed (sr);
	srunner_free (sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
