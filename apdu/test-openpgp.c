/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * apdu/test-openpgp.c: the OpenPGP library's pure parts: algorithm attributes,
 * application related data (3.x and 2.x), PW status, historical bytes, cardholder
 * data, signature counter, public key templates as SPKI, OpenPGP fingerprints,
 * the KDF-DO and PIN derivation, DigestInfo.
 */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/x509.h>

#include "apdu/mock-reader.h"
#include "apdu/openpgp.h"
#include "apdu/spki.h"
#include "apdu/ossl.h"
#include "apdu/test-openpgp.h"
#include "tests/testkeys.h"

/* The simulator's 6E of a new card (serial 0123E857). */
#define ARD_34 \
	"6E 81 F5 4F 10 D2 76 00 01 24 01 03 04 FF 00 01 23 E8 57 00 00 5F 52 0A 00 31 C5 73 C0 01 C0 05 90 00" \
	" 7F 66 08 02 02 08 00 02 02 08 00 73 81 C8 C0 0A 7D 00 00 FF 08 00 00 FF 00 00" \
	" C1 06 01 08 00 00 20 00 C2 0B 12 2B 06 01 04 01 97 55 01 05 01 C3 0A 16 2B 06 01 04 01 DA 47 0F 01" \
	" C4 07 00 7F 7F 7F 03 00 03" \
	" C5 3C 11 11 11 11 11 11 11 11 11 11 11 11 11 11 11 11 11 11 11 11" \
	" 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00" \
	" 33 33 33 33 33 33 33 33 33 33 33 33 33 33 33 33 33 33 33 33" \
	" C6 3C 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00" \
	" 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00" \
	" CA CA CA CA CA CA CA CA CA CA CA CA CA CA CA CA CA CA CA CA" \
	" CD 0C 5F 00 00 01 00 00 00 00 5F 00 00 03 DE 06 01 01 02 00 03 02"

/* A 2.1 card: no 7F66, no DE, maximum lengths in C0, chaining without extended APDUs. */
#define ARD_21 \
	"4F 10 D2 76 00 01 24 01 02 01 00 05 00 00 12 34 00 00 5F 52 0A 00 31 C5 73 C0 01 80 05 90 00" \
	" 73 81 B7 C0 0A 7C 00 00 FF 07 FF 00 FE 01 00 C1 06 01 08 00 00 20 00 C2 06 01 08 00 00 20 00" \
	" C3 06 01 08 00 00 20 00 C4 07 01 20 20 20 02 00 03" \
	" C5 3C 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00" \
	" 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00" \
	" 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00" \
	" C6 3C 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00" \
	" 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00" \
	" 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00" \
	" CD 0C 00 00 00 00 00 00 00 00 00 00 00 00"

static void
setup (void)
{
	ck_assert_int_eq (apdu_ossl_ref (), CARD_OK);
}

static void
teardown (void)
{
	apdu_ossl_unref ();
}

static struct opgp_algo
algo_of (const char *hex)
{
	struct opgp_algo a;
	size_t len;
	uint8_t *v = mock_unhex (hex, &len);

	ck_assert_int_eq (opgp_algo_parse (v, len, &a), CARD_OK);
	free (v);
	return a;
}

START_TEST (test_algo)
{
	struct opgp_algo a;
	uint8_t out[16], *v;
	size_t len = sizeof out, n;

	a = algo_of ("01 10 00 00 20 02");
	ck_assert_uint_eq (a.id, OPGP_ALGO_RSA);
	ck_assert_uint_eq (a.rsa_bits, 4096);
	ck_assert_uint_eq (a.rsa_e_bits, 32);
	ck_assert_uint_eq (a.rsa_format, 2);
	ck_assert_int_eq (opgp_algo_encode (&a, out, &len), CARD_OK);
	ck_assert_uint_eq (len, 6);
	ck_assert_mem_eq (out, "\x01\x10\x00\x00\x20\x02", 6);
	a = algo_of ("01 08 00 00 11");   /* 2.x: no format byte */
	ck_assert_uint_eq (a.rsa_format, 0);
	ck_assert_uint_eq (a.rsa_e_bits, 17);
	a = algo_of ("13 2A 86 48 CE 3D 03 01 07");
	ck_assert_int_eq (a.curve, OPGP_CURVE_P256);
	ck_assert_int_eq (a.ec_import_pub, 0);
	a = algo_of ("12 2B 81 04 00 22 FF");
	ck_assert_int_eq (a.curve, OPGP_CURVE_P384);
	ck_assert_int_eq (a.ec_import_pub, 1);
	len = sizeof out;
	ck_assert_int_eq (opgp_algo_encode (&a, out, &len), CARD_OK);
	ck_assert_uint_eq (len, 7);
	ck_assert_uint_eq (out[6], 0xFF);
	a = algo_of ("16 2B 06 01 04 01 DA 47 0F 01 00");
	ck_assert_int_eq (a.curve, OPGP_CURVE_ED25519);
	a = algo_of ("12 2B 06 01 04 01 97 55 01 05 01");
	ck_assert_int_eq (a.curve, OPGP_CURVE_X25519);
	a = algo_of ("13 2B 24 03 03 02 08 01 01 07");
	ck_assert_int_eq (a.curve, OPGP_CURVE_BP256);
	ck_assert_uint_eq (opgp_curve_bytes (OPGP_CURVE_P521), 66);
	/* Refused: unknown curve, EdDSA on a non-Edwards curve, X25519 for signing, short,
	 * unknown algorithm, bad RSA format. */
	v = mock_unhex ("13 2B 81 04 00 0A", &n);
	ck_assert_int_eq (opgp_algo_parse (v, n, &a), CARD_E_NOT_SUPPORTED);
	free (v);
	v = mock_unhex ("16 2A 86 48 CE 3D 03 01 07", &n);
	ck_assert_int_eq (opgp_algo_parse (v, n, &a), CARD_E_INVALID_DATA);
	free (v);
	v = mock_unhex ("13 2B 06 01 04 01 97 55 01 05 01", &n);
	ck_assert_int_eq (opgp_algo_parse (v, n, &a), CARD_E_INVALID_DATA);
	free (v);
	ck_assert_int_eq (opgp_algo_parse ((const uint8_t *)"\x01", 1, &a), CARD_E_INVALID_DATA);
	ck_assert_int_eq (opgp_algo_parse ((const uint8_t *)"\x42\x01\x02", 3, &a), CARD_E_NOT_SUPPORTED);
	ck_assert_int_eq (opgp_algo_parse ((const uint8_t *)"\x01\x08\x00\x00\x20\x07", 6, &a), CARD_E_INVALID_DATA);
	/* an RSA key of 0 bits: refused, nothing left behind (no id, no size to build a key of) */
	ck_assert_int_eq (opgp_algo_parse ((const uint8_t *)"\x01\x00\x00\x00\x20", 5, &a), CARD_E_INVALID_DATA);
	ck_assert_int_eq (a.id, 0);
	ck_assert_uint_eq (a.rsa_bits, 0);
	{
		/* a public key template with an empty modulus, for 0 bits: nothing read past it */
		uint8_t *tmpl = malloc (4), *spki = NULL;
		size_t spki_len = 0;

		ck_assert_ptr_nonnull (tmpl);
		memcpy (tmpl, "\x01\x00\x01\x81", 4);
		ck_assert_int_eq (apdu_spki_rsa (tmpl + 4, 0, tmpl, 3, 0, &spki, &spki_len), CARD_E_BAD_RESPONSE);
		ck_assert_ptr_null (spki);
		free (tmpl);
	}
	len = 3;
	a = algo_of ("01 08 00 00 20 00");
	ck_assert_int_eq (opgp_algo_encode (&a, out, &len), CARD_E_INVALID_DATA);
}
END_TEST

START_TEST (test_ard_34)
{
	static const uint8_t zero[20];
	struct opgp_ard ard;
	size_t len;
	uint8_t *v = mock_unhex (ARD_34, &len);

	ck_assert_int_eq (opgp_parse_ard (v, len, &ard), CARD_OK);
	ck_assert_uint_eq (ard.version, 0x0304);
	ck_assert_uint_eq (ard.manufacturer, 0xFF00);
	ck_assert_uint_eq (ard.serial, 0x0123E857);
	ck_assert_int_eq (ard.cmd_chaining, 1);
	ck_assert_int_eq (ard.ext_lc_le, 1);
	ck_assert_uint_eq (ard.lcs, 0x05);
	ck_assert_uint_eq (ard.caps.flags, 0x7D);
	ck_assert_uint_eq (ard.caps.max_challenge, 255);
	ck_assert_uint_eq (ard.caps.max_cert, 2048);
	ck_assert_uint_eq (ard.caps.max_special, 255);
	ck_assert_uint_eq (ard.caps.max_cmd, 2048);     /* from 7F66, not from C0 */
	ck_assert_uint_eq (ard.caps.max_resp, 2048);
	ck_assert_uint_eq (ard.algo[0].rsa_bits, 2048);
	ck_assert_int_eq (ard.algo[1].curve, OPGP_CURVE_X25519);
	ck_assert_int_eq (ard.algo[2].curve, OPGP_CURVE_ED25519);
	ck_assert_uint_eq (ard.attr_len[2], 10);
	ck_assert_int_eq (ard.pw.pw1_multi, 0);
	ck_assert_int_eq (ard.pw.pw1_max, 127);
	ck_assert_int_eq (ard.pw.pw1_tries, 3);
	ck_assert_int_eq (ard.pw.rc_tries, 0);
	ck_assert_uint_eq (ard.fpr[0][0], 0x11);
	ck_assert_mem_eq (ard.fpr[1], zero, 20);
	ck_assert_uint_eq (ard.ca_fpr[2][19], 0xCA);
	ck_assert_uint_eq (ard.gen_time[0], 0x5F000001);
	ck_assert_uint_eq (ard.gen_time[2], 0x5F000003);
	ck_assert_uint_eq (ard.key_status[0], 1);
	ck_assert_uint_eq (ard.key_status[1], 0);
	ck_assert_uint_eq (ard.key_status[2], 2);
	ck_assert_int_eq (opgp_has_key (&ard, OPGP_KEY_SIG), 1);
	ck_assert_int_eq (opgp_has_key (&ard, OPGP_KEY_DEC), 0);
	ck_assert_int_eq (opgp_has_key (&ard, OPGP_KEY_AUT), 1);   /* DE says so (fingerprint too) */
	/* Without its own tag too. */
	ck_assert_int_eq (opgp_parse_ard (v + 3, len - 3, &ard), CARD_OK);
	ck_assert_uint_eq (ard.serial, 0x0123E857);
	/* Truncated, or with C4 missing: refused. */
	ck_assert_int_eq (opgp_parse_ard (v, len - 1, &ard), CARD_E_BAD_RESPONSE);
	ck_assert_int_eq (opgp_parse_ard (v, 60, &ard), CARD_E_BAD_RESPONSE);
	ck_assert_int_eq (opgp_parse_ard (NULL, 0, &ard), CARD_E_BAD_RESPONSE);
	free (v);
}
END_TEST

START_TEST (test_ard_21)
{
	struct opgp_ard ard;
	size_t len;
	uint8_t *v = mock_unhex (ARD_21, &len);

	ck_assert_int_eq (opgp_parse_ard (v, len, &ard), CARD_OK);
	ck_assert_uint_eq (ard.version, 0x0201);
	ck_assert_uint_eq (ard.manufacturer, 0x0005);
	ck_assert_int_eq (ard.cmd_chaining, 1);
	ck_assert_int_eq (ard.ext_lc_le, 0);
	/* 2.x: C0 bytes 7-10 are the maximum command and response lengths. */
	ck_assert_uint_eq (ard.caps.max_cert, 0x07FF);
	ck_assert_uint_eq (ard.caps.max_cmd, 0x00FE);
	ck_assert_uint_eq (ard.caps.max_resp, 0x0100);
	ck_assert_uint_eq (ard.caps.max_special, 0);
	ck_assert_uint_eq (ard.caps.flags & OPGP_CAP_KDF, 0);
	ck_assert_int_eq (ard.pw.pw1_multi, 1);
	ck_assert_int_eq (ard.pw.pw1_max, 32);
	ck_assert_int_eq (ard.pw.pw1_tries, 2);
	ck_assert_uint_eq (ard.key_status[0], 0xFF);   /* no DE */
	ck_assert_int_eq (opgp_has_key (&ard, OPGP_KEY_SIG), 0);
	free (v);
}
END_TEST

START_TEST (test_small_dos)
{
	struct opgp_pw_status pw;
	struct opgp_cardholder ch;
	struct opgp_ard ard;
	uint32_t count;
	size_t len;
	uint8_t *v;

	v = mock_unhex ("01 A0 08 7F 00 03 01", &len);
	ck_assert_int_eq (opgp_parse_pw_status (v, len, &pw), CARD_OK);
	ck_assert_int_eq (pw.pw1_multi, 1);
	ck_assert_int_eq (pw.pw1_pinblock2, 1);
	ck_assert_int_eq (pw.pw1_max, 32);
	ck_assert_int_eq (pw.rc_max, 8);
	ck_assert_int_eq (pw.pw3_tries, 1);
	ck_assert_int_eq (opgp_parse_pw_status (v, 6, &pw), CARD_E_BAD_RESPONSE);
	free (v);
	v = mock_unhex ("65 14 5B 09 44 6F 65 3C 3C 4A 6F 68 6E 5F 2D 02 65 6E 5F 35 01 32", &len);
	ck_assert_int_eq (opgp_parse_cardholder (v, len, &ch), CARD_OK);
	ck_assert_str_eq (ch.name, "Doe<<John");
	ck_assert_str_eq (ch.lang, "en");
	ck_assert_uint_eq (ch.sex, '2');
	free (v);
	v = mock_unhex ("7A 05 93 03 01 02 03", &len);
	ck_assert_int_eq (opgp_parse_sig_counter (v, len, &count), CARD_OK);
	ck_assert_uint_eq (count, 0x010203);
	ck_assert_int_eq (opgp_parse_sig_counter (v, 4, &count), CARD_E_BAD_RESPONSE);
	free (v);
	/* Historical bytes: category 80 with a compact status indicator; chaining only. */
	memset (&ard, 0, sizeof ard);
	v = mock_unhex ("80 73 C0 01 80 81 03", &len);
	opgp_parse_historical (v, len, &ard);
	ck_assert_int_eq (ard.cmd_chaining, 1);
	ck_assert_int_eq (ard.ext_lc_le, 0);
	ck_assert_uint_eq (ard.lcs, 0x03);
	free (v);
	/* A compact TLV running past the end is ignored, not read beyond. */
	memset (&ard, 0, sizeof ard);
	v = mock_unhex ("00 75 C0 01 05 90 00", &len);
	opgp_parse_historical (v, len, &ard);
	ck_assert_int_eq (ard.cmd_chaining, 0);
	free (v);
}
END_TEST

/* 7F49 templates from OpenSSL keys → SPKI equal to OpenSSL's own DER. */
static void
assert_spki (const char *attr, EVP_PKEY *key, const uint8_t *tmpl, size_t tlen)
{
	struct opgp_algo a = algo_of (attr);
	uint8_t *spki = NULL, *want = NULL;
	size_t len = 0;
	int wlen;

	ck_assert_int_eq (opgp_pubkey_to_spki (&a, tmpl, tlen, &spki, &len), CARD_OK);
	wlen = i2d_PUBKEY (key, &want);
	ck_assert_int_gt (wlen, 0);
	ck_assert_uint_eq (len, (size_t)wlen);
	ck_assert_mem_eq (spki, want, len);
	free (spki);
	OPENSSL_free (want);
}

START_TEST (test_spki)
{
	EVP_PKEY *rsa = testkey_rsa_next ();
	EVP_PKEY *p384 = EVP_PKEY_Q_keygen (NULL, NULL, "EC", "P-384");
	EVP_PKEY *ed = EVP_PKEY_Q_keygen (NULL, NULL, "ED25519"), *x = EVP_PKEY_Q_keygen (NULL, NULL, "X25519");
	struct opgp_algo a;
	uint8_t tmpl[600], pt[97], *spki = NULL;
	BIGNUM *n = NULL;
	size_t k = 0, plen = 0, len;

	/* RSA: 7F49 82 01 09 81 82 01 00 N 82 03 01 00 01 */
	ck_assert_int_eq (EVP_PKEY_get_bn_param (rsa, OSSL_PKEY_PARAM_RSA_N, &n), 1);
	memcpy (tmpl, "\x7F\x49\x82\x01\x09\x81\x82\x01\x00", 9);
	k = 9;
	BN_bn2bin (n, tmpl + k);
	k += 256;
	memcpy (tmpl + k, "\x82\x03\x01\x00\x01", 5);
	k += 5;
	assert_spki ("01 08 00 00 20 00", rsa, tmpl, k);
	assert_spki ("01 08 00 00 20 00", rsa, tmpl + 5, k - 5);   /* children only */
	a = algo_of ("01 0C 00 00 20 00");   /* not the attributes' size */
	ck_assert_int_eq (opgp_pubkey_to_spki (&a, tmpl, k, &spki, &len), CARD_E_BAD_RESPONSE);
	ck_assert_ptr_null (spki);
	/* P-384 */
	ck_assert_int_eq (EVP_PKEY_get_octet_string_param (p384, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, pt, sizeof pt,
	                                                   &plen), 1);
	memcpy (tmpl, "\x7F\x49\x63\x86\x61", 5);
	memcpy (tmpl + 5, pt, plen);
	assert_spki ("13 2B 81 04 00 22", p384, tmpl, 5 + plen);
	a = algo_of ("13 2A 86 48 CE 3D 03 01 07");   /* a P-384 point under P-256 attributes */
	ck_assert_int_eq (opgp_pubkey_to_spki (&a, tmpl, 5 + plen, &spki, &len), CARD_E_BAD_RESPONSE);
	/* Ed25519 and X25519: 32 raw bytes (an 0x40 prefix tolerated). */
	plen = 32;
	ck_assert_int_eq (EVP_PKEY_get_raw_public_key (ed, pt, &plen), 1);
	memcpy (tmpl, "\x7F\x49\x22\x86\x20", 5);
	memcpy (tmpl + 5, pt, 32);
	assert_spki ("16 2B 06 01 04 01 DA 47 0F 01", ed, tmpl, 37);
	plen = 32;
	ck_assert_int_eq (EVP_PKEY_get_raw_public_key (x, pt + 1, &plen), 1);
	pt[0] = 0x40;
	memcpy (tmpl, "\x86\x21", 2);
	memcpy (tmpl + 2, pt, 33);
	assert_spki ("12 2B 06 01 04 01 97 55 01 05 01", x, tmpl, 35);
	/* Missing or malformed templates. */
	a = algo_of ("12 2B 06 01 04 01 97 55 01 05 01");
	ck_assert_int_eq (opgp_pubkey_to_spki (&a, tmpl, 20, &spki, &len), CARD_E_BAD_RESPONSE);
	ck_assert_int_eq (opgp_pubkey_to_spki (&a, NULL, 0, &spki, &len), CARD_E_BAD_RESPONSE);
	BN_free (n);
	EVP_PKEY_free (rsa);
	EVP_PKEY_free (p384);
	EVP_PKEY_free (ed);
	EVP_PKEY_free (x);
}
END_TEST

/* SHA-1 over 99 LEN BODY. */
static void
v4_fpr (const uint8_t *body, size_t len, uint8_t fpr[20])
{
	EVP_MD_CTX *md = EVP_MD_CTX_new ();
	uint8_t hdr[3] = { 0x99, (uint8_t)(len >> 8), (uint8_t)len };

	ck_assert_int_eq (EVP_DigestInit_ex (md, EVP_sha1 (), NULL), 1);
	ck_assert_int_eq (EVP_DigestUpdate (md, hdr, 3), 1);
	ck_assert_int_eq (EVP_DigestUpdate (md, body, len), 1);
	ck_assert_int_eq (EVP_DigestFinal_ex (md, fpr, NULL), 1);
	EVP_MD_CTX_free (md);
}

START_TEST (test_fingerprint)
{
	EVP_PKEY *x = EVP_PKEY_Q_keygen (NULL, NULL, "X25519"), *rsa = testkey_rsa_next ();
	struct opgp_algo a = algo_of ("12 2B 06 01 04 01 97 55 01 05 01");
	uint8_t body[600], fpr[20], want[20], *spki = NULL;
	size_t plen = 32, k = 0;
	BIGNUM *n = NULL;
	int len;

	/* cv25519 in the decryption slot: ECDH (18), OID, MPI of 40 || key (263 bits), KDF
	 * parameters 03 01 08 07. */
	memcpy (body, "\x04\x5F\x00\x00\x01\x12\x0A\x2B\x06\x01\x04\x01\x97\x55\x01\x05\x01\x01\x07\x40", 20);
	ck_assert_int_eq (EVP_PKEY_get_raw_public_key (x, body + 20, &plen), 1);
	memcpy (body + 52, "\x03\x01\x08\x07", 4);
	v4_fpr (body, 56, want);
	len = i2d_PUBKEY (x, &spki);
	ck_assert_int_gt (len, 0);
	ck_assert_int_eq (opgp_fingerprint (&a, OPGP_KEY_DEC, spki, (size_t)len, 0x5F000001, fpr), CARD_OK);
	ck_assert_mem_eq (fpr, want, 20);
	OPENSSL_free (spki);
	spki = NULL;
	/* RSA: algorithm 1, MPI n (2048 bits), MPI e (17 bits: 65537). */
	ck_assert_int_eq (EVP_PKEY_get_bn_param (rsa, OSSL_PKEY_PARAM_RSA_N, &n), 1);
	memcpy (body, "\x04\x00\x00\x00\x2A\x01\x08\x00", 8);
	k = 8;
	BN_bn2bin (n, body + k);
	k += 256;
	memcpy (body + k, "\x00\x11\x01\x00\x01", 5);
	k += 5;
	v4_fpr (body, k, want);
	len = i2d_PUBKEY (rsa, &spki);
	a = algo_of ("01 08 00 00 20 00");
	ck_assert_int_eq (opgp_fingerprint (&a, OPGP_KEY_SIG, spki, (size_t)len, 42, fpr), CARD_OK);
	ck_assert_mem_eq (fpr, want, 20);
	/* Another date, another fingerprint; garbage is no key. */
	ck_assert_int_eq (opgp_fingerprint (&a, OPGP_KEY_SIG, spki, (size_t)len, 43, fpr), CARD_OK);
	ck_assert (memcmp (fpr, want, 20) != 0);
	ck_assert_int_eq (opgp_fingerprint (&a, OPGP_KEY_SIG, spki, 10, 42, fpr), CARD_E_INVALID_DATA);
	OPENSSL_free (spki);
	BN_free (n);
	EVP_PKEY_free (x);
	EVP_PKEY_free (rsa);
}
END_TEST

/* Iterated and salted S2K the plain way: COUNT octets of salt||pin in one buffer. */
static void
naive_s2k (const EVP_MD *md, const uint8_t salt[8], const char *pin, size_t count, uint8_t *out)
{
	size_t unit = 8 + strlen (pin), i;
	uint8_t *buf;

	if (count < unit)
		count = unit;
	buf = malloc (count);
	ck_assert_ptr_nonnull (buf);
	for (i = 0; i < count; i++)
		buf[i] = i % unit < 8 ? salt[i % unit] : (uint8_t)pin[i % unit - 8];
	ck_assert_int_eq (EVP_Digest (buf, count, out, NULL, md, NULL), 1);
	free (buf);
}

START_TEST (test_kdf)
{
	static const char f9[] = "81 01 03 82 01 08 83 04 00 01 00 05 84 08 01 02 03 04 05 06 07 08"
	                         " 86 08 A1 A2 A3 A4 A5 A6 A7 A8";
	struct opgp_kdf kdf;
	uint8_t out[OPGP_PW_BUF], want[64];
	size_t len, n;
	uint8_t *v = mock_unhex (f9, &len);

	ck_assert_int_eq (opgp_parse_kdf (v, len, &kdf), CARD_OK);
	ck_assert_int_eq (kdf.on, 1);
	ck_assert_int_eq (kdf.md_nid, NID_sha256);
	ck_assert_uint_eq (kdf.iterations, 0x10005);
	ck_assert_mem_eq (kdf.salt[1], "\x01\x02\x03\x04\x05\x06\x07\x08", 8);   /* 85 absent: 84's */
	ck_assert_uint_eq (kdf.salt[2][0], 0xA1);
	ck_assert_int_eq (opgp_kdf_derive (&kdf, 0x82, (const uint8_t *)"123456", 6, out, &n), CARD_OK);
	ck_assert_uint_eq (n, 32);
	naive_s2k (EVP_sha256 (), kdf.salt[0], "123456", 0x10005, want);
	ck_assert_mem_eq (out, want, 32);
	ck_assert_int_eq (opgp_kdf_derive (&kdf, 0x83, (const uint8_t *)"12345678", 8, out, &n), CARD_OK);
	naive_s2k (EVP_sha256 (), kdf.salt[2], "12345678", 0x10005, want);
	ck_assert_mem_eq (out, want, 32);
	/* A count smaller than salt||PIN hashes it once. */
	kdf.iterations = 3;
	kdf.md_nid = NID_sha512;
	ck_assert_int_eq (opgp_kdf_derive (&kdf, 0, (const uint8_t *)"abcdefgh", 8, out, &n), CARD_OK);
	ck_assert_uint_eq (n, 64);
	naive_s2k (EVP_sha512 (), kdf.salt[1], "abcdefgh", 3, want);
	ck_assert_mem_eq (out, want, 64);
	free (v);
	/* KDF off (81 00, or no F9): the PIN as it is. */
	ck_assert_int_eq (opgp_parse_kdf ((const uint8_t *)"\x81\x01\x00", 3, &kdf), CARD_OK);
	ck_assert_int_eq (kdf.on, 0);
	ck_assert_int_eq (opgp_kdf_derive (&kdf, 0x81, (const uint8_t *)"123456", 6, out, &n), CARD_OK);
	ck_assert_uint_eq (n, 6);
	ck_assert_mem_eq (out, "123456", 6);
	ck_assert_int_eq (opgp_parse_kdf (NULL, 0, &kdf), CARD_OK);
	ck_assert_int_eq (kdf.on, 0);
	/* Unknown hash, missing salt, an absurd count. */
	v = mock_unhex ("81 01 03 82 01 02 83 04 00 01 00 00 84 08 01 02 03 04 05 06 07 08", &len);
	ck_assert_int_eq (opgp_parse_kdf (v, len, &kdf), CARD_E_NOT_SUPPORTED);
	free (v);
	v = mock_unhex ("81 01 03 82 01 08 83 04 00 01 00 00", &len);
	ck_assert_int_eq (opgp_parse_kdf (v, len, &kdf), CARD_E_BAD_RESPONSE);
	free (v);
	v = mock_unhex ("81 01 03 82 01 08 83 04 7F 00 00 00 84 08 01 02 03 04 05 06 07 08", &len);
	ck_assert_int_eq (opgp_parse_kdf (v, len, &kdf), CARD_E_BAD_RESPONSE);
	free (v);
}
END_TEST

START_TEST (test_digest_info)
{
	uint8_t hash[64], out[83];
	size_t len = sizeof out;

	memset (hash, 0xAB, sizeof hash);
	ck_assert_int_eq (opgp_digest_info (NID_sha256, hash, 32, out, &len), CARD_OK);
	ck_assert_uint_eq (len, 51);
	ck_assert_mem_eq (out, "\x30\x31\x30\x0D\x06\x09\x60\x86\x48\x01\x65\x03\x04\x02\x01\x05\x00\x04\x20", 19);
	ck_assert_mem_eq (out + 19, hash, 32);
	len = sizeof out;
	ck_assert_int_eq (opgp_digest_info (NID_sha512, hash, 64, out, &len), CARD_OK);
	ck_assert_uint_eq (len, 83);
	len = sizeof out;
	ck_assert_int_eq (opgp_digest_info (NID_sha1, hash, 20, out, &len), CARD_OK);
	ck_assert_uint_eq (len, 35);
	len = sizeof out;
	ck_assert_int_eq (opgp_digest_info (NID_sha256, hash, 31, out, &len), CARD_E_INVALID_DATA);
	ck_assert_int_eq (opgp_digest_info (NID_md5, hash, 16, out, &len), CARD_E_NOT_SUPPORTED);
	len = 40;
	ck_assert_int_eq (opgp_digest_info (NID_sha256, hash, 32, out, &len), CARD_E_INVALID_DATA);
}
END_TEST

int
main (void)
{
	Suite *s = suite_create ("openpgp");
	TCase *tc = tcase_create ("parse");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture (tc, setup, teardown);
	tcase_set_timeout (tc, 120);
	tcase_add_test (tc, test_algo);
	tcase_add_test (tc, test_ard_34);
	tcase_add_test (tc, test_ard_21);
	tcase_add_test (tc, test_small_dos);
	tcase_add_test (tc, test_spki);
	tcase_add_test (tc, test_fingerprint);
	tcase_add_test (tc, test_kdf);
	tcase_add_test (tc, test_digest_info);
	suite_add_tcase (s, tc);
	sr = srunner_create (s);
	srunner_run_all (sr, CK_ENV);
	failed = srunner_ntests_failed (sr);
	srunner_free (sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
