/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-cardsim-keys.c: management key authentication, GENERATE, GENERAL AUTHENTICATE (RSA,
 * ECDSA, ECDH), PIN policies per slot, and the YubiKey commands (import, metadata, attestation,
 * set management key, PIN retries, reset). */
#include "config.h"

#include <string.h>

#include <openssl/core_names.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "crypto.h"
#include "hex.h"
#include "test-util.h"
#include "tlv.h"

static const uint8_t mgm3des[24] = { 1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 6, 7, 8 };
static const uint8_t aes128[16] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 };

static struct cs_card *ready_card(void)
{
	struct cs_card *c = tc_card(CS_PROFILE_YUBIKEY);

	tc_select(c);
	ck_assert_uint_eq(tc_mgm_auth(c, 0x03, mgm3des), 0x9000);
	return c;
}

START_TEST(mgm_auth)
{
	struct cs_card *c = tc_card(CS_PROFILE_YUBIKEY);
	uint8_t wrong[24];
	struct cs_buf r;
	struct cs_tlv t;
	uint8_t enc[8];
	char hex[64];

	cs_buf_init(&r);
	tc_select(c);
	memset(wrong, 7, sizeof(wrong));
	ck_assert_uint_eq(tc_mgm_auth(c, 0x03, wrong), 0x6982);
	ck_assert_uint_eq(tc_send(c, "00870A9B047C028000", NULL), 0x6A86); /* not the key's alg */
	ck_assert_uint_eq(tc_send(c, "008703", NULL), 0x6700);
	ck_assert_uint_eq(tc_send(c, "008703 9B 04 7D028000", NULL), 0x6A80);
	ck_assert_uint_eq(tc_send(c, "008703 9B 04 7C038000", NULL), 0x6A80); /* truncated */
	ck_assert_uint_eq(tc_send(c, "008703 9B 04 7C029900", NULL), 0x6A80); /* unknown tag */
	/* Response without a challenge first. */
	ck_assert_uint_eq(tc_send(c, "008703 9B 0C 7C0A 8208 0102030405060708", NULL), 0x6985);
	/* Single-step challenge / external authentication. */
	ck_assert_uint_eq(tc_send(c, "008703 9B 04 7C028100", &r), 0x9000);
	ck_assert_int_eq(cs_tlv_single(r.data, r.len, 0x7C, &t), 0);
	ck_assert_uint_eq(t.len, 10);
	ck_assert_int_eq(cs_crypto_block(0x03, mgm3des, t.val + 2, enc, true), 0);
	strcpy(hex, "0087039B0C7C0A8208");
	cs_hex_encode(enc, 8, hex + strlen(hex));
	ck_assert_uint_eq(tc_send(c, hex, NULL), 0x9000);
	ck_assert(c->mgm_authed);
	/* AES-128 management key. */
	ck_assert_uint_eq(tc_send(c, "00FFFFFF13089B10000102030405060708090A0B0C0D0E0F", NULL), 0x9000);
	ck_assert_uint_eq(tc_mgm_auth(c, 0x08, aes128), 0x9000);
	ck_assert_uint_eq(tc_send(c, "00FFFFFF13089B0F000102030405060708090A0B0C0D0E0F", NULL), 0x6A80);
	ck_assert_uint_eq(tc_send(c, "00FFFFFF13099B10000102030405060708090A0B0C0D0E0F", NULL), 0x6A80);
	ck_assert_uint_eq(tc_send(c, "00FFFF0013089B10000102030405060708090A0B0C0D0E0F", NULL), 0x6A86);
	/* AES-256 and AES-192 too. */
	ck_assert_uint_eq(tc_send(c, "00FFFFFF230C9B20" "000102030405060708090A0B0C0D0E0F"
				     "000102030405060708090A0B0C0D0E0F", NULL), 0x9000);
	ck_assert_uint_eq(tc_mgm_auth(c, 0x0C, (const uint8_t *)"\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f"
						  "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f"), 0x9000);
	cs_buf_free(&r);
	cs_card_free(c);
}
END_TEST

START_TEST(generate_and_sign_ec)
{
	struct cs_card *c = tc_card(CS_PROFILE_YUBIKEY);
	uint8_t hash[32], apdu[64];
	EVP_PKEY_CTX *vctx;
	struct cs_tlv t;
	struct cs_buf r;

	cs_buf_init(&r);
	tc_select(c);
	ck_assert_uint_eq(tc_send(c, "0047009A05AC03800111", NULL), 0x6982);
	ck_assert_uint_eq(tc_mgm_auth(c, 0x03, mgm3des), 0x9000);
	ck_assert_uint_eq(tc_send(c, "0047009B05AC03800111", NULL), 0x6A86);
	ck_assert_uint_eq(tc_send(c, "0047019A05AC03800111", NULL), 0x6A86);
	ck_assert_uint_eq(tc_send(c, "0047009A05AC03800199", NULL), 0x6A80);
	ck_assert_uint_eq(tc_send(c, "0047009A05AC04800111", NULL), 0x6A80);
	ck_assert_uint_eq(tc_send(c, "0047009A08AC06800111AA0109", NULL), 0x6A80);
	ck_assert_uint_eq(tc_send(c, "0047009A08AC06800111AA0103", &r), 0x9000);
	ck_assert_int_eq(cs_tlv_single(r.data, r.len, 0x7F49, &t), 0);
	ck_assert_int_eq(cs_tlv_find(t.val, t.len, 0x86, &t), 1);
	ck_assert_uint_eq(t.len, 65);
	/* PIN policy always: VERIFY must come right before. */
	memset(hash, 0x11, sizeof(hash));
	memcpy(apdu, "\x00\x87\x11\x9A\x26\x7C\x24\x82\x00\x81\x20", 11);
	memcpy(apdu + 11, hash, 32);
	ck_assert_uint_eq(tc_send_raw(c, apdu, 43, NULL), 0x6982);
	tc_verify(c);
	ck_assert_uint_eq(tc_send_raw(c, apdu, 43, &r), 0x9000);
	ck_assert_uint_eq(tc_send_raw(c, apdu, 43, NULL), 0x6982);
	ck_assert_int_eq(cs_tlv_single(r.data, r.len, 0x7C, &t), 0);
	ck_assert_int_eq(cs_tlv_find(t.val, t.len, 0x82, &t), 1);
	vctx = EVP_PKEY_CTX_new(c->keys[0].pkey, NULL);
	ck_assert_int_eq(EVP_PKEY_verify_init(vctx), 1);
	ck_assert_int_eq(EVP_PKEY_verify(vctx, t.val, t.len, hash, 32), 1);
	EVP_PKEY_CTX_free(vctx);
	/* Wrong algorithm for the slot, empty slot, hash too long, no 82 placeholder. */
	tc_verify(c);
	ck_assert_uint_eq(tc_send(c, "0087149A087C06820081020102", NULL), 0x6A80);
	ck_assert_uint_eq(tc_send(c, "0087119D087C06820081020102", NULL), 0x6A80);
	ck_assert_uint_eq(tc_send(c, "0087119A047C028102", NULL), 0x6A80);
	ck_assert_uint_eq(tc_send(c, "0087079A087C06820081020102", NULL), 0x6A80);
	cs_buf_free(&r);
	cs_card_free(c);
}
END_TEST

START_TEST(rsa_and_policies)
{
	struct cs_card *c = ready_card();
	uint8_t apdu[200], m[128], back[128];
	EVP_PKEY_CTX *ctx;
	struct cs_tlv t;
	struct cs_buf r;
	size_t n = sizeof(back);

	cs_buf_init(&r);
	/* RSA 1024 in 9E (PIN policy never by default). */
	ck_assert_uint_eq(tc_send(c, "0047009E05AC03800106", &r), 0x9000);
	ck_assert_int_eq(cs_tlv_single(r.data, r.len, 0x7F49, &t), 0);
	ck_assert_int_eq(cs_tlv_find(t.val, t.len, 0x82, &t), 1);
	ck_assert_mem_eq(t.val, "\x01\x00\x01", 3);
	memset(m, 0x42, sizeof(m));
	m[0] = 0x00;
	memcpy(apdu, "\x00\x87\x06\x9E\x88\x7C\x81\x85\x82\x00\x81\x81\x80", 13);
	memcpy(apdu + 13, m, 128);
	ck_assert_uint_eq(tc_send_raw(c, apdu, 141, &r), 0x9000);
	ck_assert_int_eq(cs_tlv_single(r.data, r.len, 0x7C, &t), 0);
	ck_assert_int_eq(cs_tlv_find(t.val, t.len, 0x82, &t), 1);
	ck_assert_uint_eq(t.len, 128);
	ctx = EVP_PKEY_CTX_new(c->keys[3].pkey, NULL);
	ck_assert_int_eq(EVP_PKEY_encrypt_init(ctx), 1);
	ck_assert_int_eq(EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_NO_PADDING), 1);
	ck_assert_int_eq(EVP_PKEY_encrypt(ctx, back, &n, t.val, t.len), 1);
	ck_assert_mem_eq(back, m, 128);
	EVP_PKEY_CTX_free(ctx);
	/* Input of the wrong size. */
	ck_assert_uint_eq(tc_send(c, "0087069E087C06820081020102", NULL), 0x6A80);
	/* 9D: PIN once. */
	ck_assert_uint_eq(tc_send(c, "0047009D05AC03800111", NULL), 0x9000);
	ck_assert_uint_eq(tc_send(c, "0087119D087C06820081020102", NULL), 0x6982);
	tc_verify(c);
	ck_assert_uint_eq(tc_send(c, "0087119D087C06820081020102", NULL), 0x9000);
	ck_assert_uint_eq(tc_send(c, "0087119D087C06820081020102", NULL), 0x9000);
	cs_buf_free(&r);
	cs_card_free(c);
}
END_TEST

START_TEST(ecdh)
{
	struct cs_card *c = ready_card();
	EVP_PKEY *peer = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
	uint8_t pt[97], apdu[120], secret[48];
	size_t n = 0, slen = sizeof(secret);
	EVP_PKEY_CTX *ctx;
	struct cs_tlv t;
	struct cs_buf r;

	cs_buf_init(&r);
	ck_assert_uint_eq(tc_send(c, "0047008205AC03800114", NULL), 0x9000);
	ck_assert_int_eq(EVP_PKEY_get_octet_string_param(peer, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, pt, sizeof(pt), &n), 1);
	ck_assert_uint_eq(n, 97);
	memcpy(apdu, "\x00\x87\x14\x82\x67\x7C\x65\x82\x00\x85\x61", 11);
	memcpy(apdu + 11, pt, 97);
	tc_verify(c);
	ck_assert_uint_eq(tc_send_raw(c, apdu, 108, &r), 0x9000);
	ck_assert_int_eq(cs_tlv_single(r.data, r.len, 0x7C, &t), 0);
	ck_assert_int_eq(cs_tlv_find(t.val, t.len, 0x82, &t), 1);
	ctx = EVP_PKEY_CTX_new(peer, NULL);
	ck_assert_int_eq(EVP_PKEY_derive_init(ctx), 1);
	ck_assert_int_eq(EVP_PKEY_derive_set_peer(ctx, c->keys[cs_slot_index(0x82)].pkey), 1);
	ck_assert_int_eq(EVP_PKEY_derive(ctx, secret, &slen), 1);
	ck_assert_uint_eq(t.len, slen);
	ck_assert_mem_eq(t.val, secret, slen);
	EVP_PKEY_CTX_free(ctx);
	/* A point not on the curve, a compressed point. */
	apdu[60] ^= 1;
	ck_assert_uint_eq(tc_send_raw(c, apdu, 108, NULL), 0x6A80);
	ck_assert_uint_eq(tc_send(c, "00871482087C068200850302AABB", NULL), 0x6A80);
	EVP_PKEY_free(peer);
	cs_buf_free(&r);
	cs_card_free(c);
}
END_TEST

START_TEST(import_metadata)
{
	struct cs_card *c = tc_card(CS_PROFILE_YUBIKEY);
	struct cs_buf r;
	struct cs_tlv t;

	cs_buf_init(&r);
	tc_select(c);
	/* EC import (private scalar 1): needs the management key; bad lengths refused. */
	ck_assert_uint_eq(tc_send(c, "00FE119A22 06 200000000000000000000000000000000000000000000000000000000000000001", NULL), 0x6982);
	ck_assert_uint_eq(tc_mgm_auth(c, 0x03, mgm3des), 0x9000);
	ck_assert_uint_eq(tc_send(c, "00FE119A0406020001", NULL), 0x6A80);
	ck_assert_uint_eq(tc_send(c, "00FE119A0306050001", NULL), 0x6A80);
	ck_assert_uint_eq(tc_send(c, "00FE999A0406020001", NULL), 0x6A86);
	ck_assert_uint_eq(tc_send(c, "00FE119A25 06 200000000000000000000000000000000000000000000000000000000000000001 AA0101", NULL), 0x9000);
	ck_assert_uint_eq(tc_send(c, "00F7009A00", &r), 0x9000);
	ck_assert_int_eq(cs_tlv_find(r.data, r.len, 0x01, &t), 1);
	ck_assert_uint_eq(t.val[0], 0x11);
	ck_assert_int_eq(cs_tlv_find(r.data, r.len, 0x02, &t), 1);
	ck_assert_mem_eq(t.val, "\x01\x01", 2);
	ck_assert_int_eq(cs_tlv_find(r.data, r.len, 0x03, &t), 1);
	ck_assert_uint_eq(t.val[0], 0x02);
	ck_assert_int_eq(cs_tlv_find(r.data, r.len, 0x04, &t), 1);
	/* Imported keys cannot be attested; empty slots are not found. */
	ck_assert_uint_eq(tc_send(c, "00F99A0000", NULL), 0x6A80);
	ck_assert_uint_eq(tc_send(c, "00F99C0000", NULL), 0x6A80);
	ck_assert_uint_eq(tc_send(c, "00F7009C00", NULL), 0x6A88);
	ck_assert_uint_eq(tc_send(c, "00F7009900", NULL), 0x6A86);
	/* PIN and management key metadata. */
	ck_assert_uint_eq(tc_send(c, "00F7008000", &r), 0x9000);
	ck_assert_int_eq(cs_tlv_find(r.data, r.len, 0x06, &t), 1);
	ck_assert_mem_eq(t.val, "\x03\x03", 2);
	ck_assert_int_eq(cs_tlv_find(r.data, r.len, 0x05, &t), 1);
	ck_assert_uint_eq(t.val[0], 1);
	ck_assert_uint_eq(tc_send(c, "00F7009B00", &r), 0x9000);
	ck_assert_int_eq(cs_tlv_find(r.data, r.len, 0x01, &t), 1);
	ck_assert_uint_eq(t.val[0], 0x03);
	/* RSA import with a missing component. */
	ck_assert_uint_eq(tc_send(c, "00FE079A06010101020101", NULL), 0x6A80);
	cs_buf_free(&r);
	cs_card_free(c);
}
END_TEST

START_TEST(attestation)
{
	struct cs_card *c = ready_card();
	const unsigned char *p;
	struct cs_buf r;
	X509 *x, *ca;

	cs_buf_init(&r);
	ck_assert_uint_eq(tc_send(c, "0047009C05AC03800111", NULL), 0x9000);
	ck_assert_uint_eq(tc_send(c, "00F99C00000000", &r), 0x9000);
	p = r.data;
	x = d2i_X509(NULL, &p, (long)r.len);
	ck_assert_ptr_nonnull(x);
	ck_assert_uint_eq(tc_send(c, "00CB3FFF0000055C035FFF010000", &r), 0x9000);
	p = r.data + 4; /* 53 82 LL LL */
	ca = d2i_X509(NULL, &p, (long)r.len - 4);
	ck_assert_ptr_nonnull(ca);
	ck_assert_int_eq(X509_verify(x, X509_get0_pubkey(ca)), 1);
	X509_free(x);
	X509_free(ca);
	cs_buf_free(&r);
	cs_card_free(c);
}
END_TEST

START_TEST(retries_and_reset)
{
	struct cs_card *c = tc_card(CS_PROFILE_YUBIKEY);
	int i;

	tc_select(c);
	ck_assert_uint_eq(tc_send(c, "00FA0505", NULL), 0x6982);
	ck_assert_uint_eq(tc_mgm_auth(c, 0x03, mgm3des), 0x9000);
	ck_assert_uint_eq(tc_send(c, "00FA0505", NULL), 0x6982); /* PIN too */
	tc_verify(c);
	ck_assert_uint_eq(tc_send(c, "00FA0005", NULL), 0x6A86);
	ck_assert_uint_eq(tc_send(c, "00FA0504", NULL), 0x9000);
	ck_assert_uint_eq(tc_send(c, "0020008000", NULL), 0x63C5);
	ck_assert_uint_eq(tc_send(c, "00DB3FFF085C035FC102530101", NULL), 0x9000);
	/* RESET only with PIN and PUK blocked. */
	ck_assert_uint_eq(tc_send(c, "00FB0000", NULL), 0x6985);
	for (i = 0; i < 5; i++)
		(void)tc_send(c, "0020008008303030303030FFFF", NULL);
	ck_assert_uint_eq(tc_send(c, "00FB0000", NULL), 0x6985);
	for (i = 0; i < 4; i++)
		(void)tc_send(c, "002C008010303030303030303031323334353636FFFF", NULL);
	ck_assert_uint_eq(tc_send(c, "002C008010313233343536373831323334353636FFFF", NULL), 0x6983);
	ck_assert_uint_eq(tc_send(c, "00FB0000", NULL), 0x9000);
	ck_assert_uint_eq(tc_send(c, "0020008000", NULL), 0x63C3);
	ck_assert_uint_eq(tc_send(c, "00CB3FFF055C035FC102", NULL), 0x6A82);
	tc_verify(c);
	ck_assert_uint_eq(tc_mgm_auth(c, 0x03, mgm3des), 0x9000);
	ck_assert_uint_eq(c->serial, 12345678);
	cs_card_free(c);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("cardsim-keys");
	TCase *tc = tcase_create("keys");

	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, mgm_auth);
	tcase_add_test(tc, generate_and_sign_ec);
	tcase_add_test(tc, rsa_and_policies);
	tcase_add_test(tc, ecdh);
	tcase_add_test(tc, import_metadata);
	tcase_add_test(tc, attestation);
	tcase_add_test(tc, retries_and_reset);
	suite_add_tcase(s, tc);
	return tc_run(s);
}
