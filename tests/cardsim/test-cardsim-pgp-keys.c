/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-cardsim-pgp-keys.c: the OpenPGP application's keys: GENERATE (80/81) for RSA
 * 2048/3072/4096, P-256, P-384, Ed25519, X25519; algorithm attribute changes; PSO:CDS with the
 * signature counter and "PW1 valid for one PSO:CDS"; PSO:DECIPHER (RSA, ECDH, X25519);
 * INTERNAL AUTHENTICATE; key import (4D); command chaining and extended APDUs. Every result
 * is checked with OpenSSL against the public key the card gave. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>

#include "hex.h"
#include "pgp.h"
#include "test-util.h"

static const uint8_t sha256_prefix[19] = { 0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48,
	0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20 };

#define ATTR_P256_SIG "132A8648CE3D030107"
#define ATTR_P256_DEC "122A8648CE3D030107"
#define ATTR_P384_SIG "132B81040022"
#define ATTR_ED25519  "162B06010401DA470F01"
#define ATTR_X25519   "122B060104019755010501"

/* Sends APDU (raw), following 61xx with GET RESPONSE; the whole answer in R. */
static uint16_t xfer(struct cs_card *c, const uint8_t *apdu, size_t n, struct cs_buf *r)
{
	static const uint8_t getresp[5] = { 0x00, 0xC0, 0x00, 0x00, 0x00 };
	struct cs_buf piece;
	uint16_t sw;

	cs_buf_init(&piece);
	cs_buf_clear(r);
	sw = tc_send_raw(c, apdu, n, &piece);
	ck_assert_int_eq(cs_buf_append(r, piece.data, piece.len), 0);
	while ((sw & 0xFF00) == 0x6100) {
		sw = tc_send_raw(c, getresp, sizeof(getresp), &piece);
		ck_assert_int_eq(cs_buf_append(r, piece.data, piece.len), 0);
	}
	cs_buf_free(&piece);
	return sw;
}

static uint16_t xfer_hex(struct cs_card *c, const char *hex, struct cs_buf *r)
{
	struct cs_buf a;
	uint16_t sw;

	cs_buf_init(&a);
	ck_assert_int_eq(cs_hex_decode(hex, &a), 0);
	sw = xfer(c, a.data, a.len, r);
	cs_buf_free(&a);
	return sw;
}

/* A case 4 APDU with DATA: extended (Lc 3 bytes, Le 0000) when EXT, else short (N <= 255). */
static uint16_t xfer_data(struct cs_card *c, uint8_t cla, uint8_t ins, uint8_t p1, uint8_t p2,
			  const uint8_t *data, size_t n, bool ext, struct cs_buf *r)
{
	uint8_t apdu[4 + 3 + 2048 + 2];
	size_t k = 0;

	ck_assert_uint_le(n, 2048);
	apdu[k++] = cla, apdu[k++] = ins, apdu[k++] = p1, apdu[k++] = p2;
	if (ext) {
		apdu[k++] = 0, apdu[k++] = (uint8_t)(n >> 8), apdu[k++] = (uint8_t)n;
	} else {
		ck_assert_uint_le(n, 255);
		apdu[k++] = (uint8_t)n;
	}
	memcpy(apdu + k, data, n);
	k += n;
	apdu[k++] = 0;
	if (ext)
		apdu[k++] = 0;
	return xfer(c, apdu, k, r);
}

/* The same data by command chaining in pieces of at most 255 bytes. */
static uint16_t xfer_chained(struct cs_card *c, uint8_t ins, uint8_t p1, uint8_t p2,
			     const uint8_t *data, size_t n, struct cs_buf *r)
{
	size_t off = 0;
	uint16_t sw;

	while (n - off > 255) {
		sw = xfer_data(c, 0x10, ins, p1, p2, data + off, 255, false, r);
		ck_assert_uint_eq(sw, 0x9000);
		off += 255;
	}
	return xfer_data(c, 0x00, ins, p1, p2, data + off, n - off, false, r);
}

static void put_attr(struct cs_card *c, unsigned tag, const char *attr)
{
	char apdu[80];

	snprintf(apdu, sizeof(apdu), "00DA00%02X%02X%s", tag, (unsigned)strlen(attr) / 2, attr);
	ck_assert_uint_eq(tc_send(c, apdu, NULL), 0x9000);
}

static EVP_PKEY *from_params(const char *type, OSSL_PARAM_BLD *bld)
{
	OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
	EVP_PKEY *k = NULL;

	ck_assert_ptr_nonnull(params);
	ck_assert_int_eq(EVP_PKEY_fromdata_init(ctx), 1);
	ck_assert_int_eq(EVP_PKEY_fromdata(ctx, &k, EVP_PKEY_PUBLIC_KEY, params), 1);
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	return k;
}

/* The public key of a 7F49 answer, for the algorithm KIND. */
static EVP_PKEY *pubkey(const struct cs_buf *r, enum cs_pgp_kind kind)
{
	struct cs_tlv t, a, b;
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	BIGNUM *n = NULL, *e = NULL;
	EVP_PKEY *k;

	ck_assert_int_eq(cs_tlv_single(r->data, r->len, 0x7F49, &t), 0);
	if (kind == PGP_KIND_RSA) {
		ck_assert_int_eq(cs_tlv_find(t.val, t.len, 0x81, &a), 1);
		ck_assert_int_eq(cs_tlv_find(t.val, t.len, 0x82, &b), 1);
		n = BN_bin2bn(a.val, (int)a.len, NULL);
		e = BN_bin2bn(b.val, (int)b.len, NULL);
		ck_assert_int_eq(OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n), 1);
		ck_assert_int_eq(OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e), 1);
		k = from_params("RSA", bld);
	} else {
		ck_assert_int_eq(cs_tlv_single(t.val, t.len, 0x86, &a), 0);
		if (kind == PGP_KIND_ED25519 || kind == PGP_KIND_X25519) {
			ck_assert_uint_eq(a.len, 32);
			k = EVP_PKEY_new_raw_public_key(kind == PGP_KIND_ED25519 ? EVP_PKEY_ED25519 : EVP_PKEY_X25519,
							NULL, a.val, a.len);
		} else {
			ck_assert_uint_eq(a.len, kind == PGP_KIND_P256 ? 65 : 97);
			ck_assert_int_eq(OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
									 kind == PGP_KIND_P256 ? "P-256" : "P-384", 0), 1);
			ck_assert_int_eq(OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, a.val, a.len), 1);
			k = from_params("EC", bld);
		}
	}
	ck_assert_ptr_nonnull(k);
	BN_free(n);
	BN_free(e);
	OSSL_PARAM_BLD_free(bld);
	return k;
}

/* GENERATE (P1 80) for the slot of CRT (B6, B8, A4); the new public key. */
static EVP_PKEY *generate(struct cs_card *c, uint8_t crt, enum cs_pgp_kind kind)
{
	uint8_t data[2] = { crt, 0x00 };
	struct cs_buf r, r2;
	EVP_PKEY *k;

	cs_buf_init(&r);
	cs_buf_init(&r2);
	ck_assert_uint_eq(xfer_data(c, 0x00, 0x47, 0x80, 0x00, data, 2, false, &r), 0x9000);
	k = pubkey(&r, kind);
	/* P1 81 reads the same public key back, without any password. */
	ck_assert_uint_eq(xfer_data(c, 0x00, 0x47, 0x81, 0x00, data, 2, true, &r2), 0x9000);
	ck_assert_uint_eq(r.len, r2.len);
	ck_assert_mem_eq(r.data, r2.data, r.len);
	cs_buf_free(&r);
	cs_buf_free(&r2);
	return k;
}

static void digest_info(uint8_t di[51], const char *msg)
{
	memcpy(di, sha256_prefix, sizeof(sha256_prefix));
	ck_assert_int_eq(EVP_Digest(msg, strlen(msg), di + 19, NULL, EVP_sha256(), NULL), 1);
}

/* RSA: the signature S recovers to exactly IN (PKCS#1 v1.5 type 1 over the DigestInfo). */
static void assert_rsa_sig(EVP_PKEY *k, const uint8_t *in, size_t n, const struct cs_buf *s)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(k, NULL);
	uint8_t out[512];
	size_t len = sizeof(out);

	ck_assert_uint_eq(s->len, (size_t)EVP_PKEY_get_size(k));
	ck_assert_int_eq(EVP_PKEY_verify_recover_init(ctx), 1);
	ck_assert_int_eq(EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING), 1);
	ck_assert_int_eq(EVP_PKEY_verify_recover(ctx, out, &len, s->data, s->len), 1);
	ck_assert_uint_eq(len, n);
	ck_assert_mem_eq(out, in, n);
	EVP_PKEY_CTX_free(ctx);
}

/* ECDSA r||s over HASH. */
static void assert_ecdsa_sig(EVP_PKEY *k, const uint8_t *hash, size_t n, const struct cs_buf *s, size_t fb)
{
	ECDSA_SIG *sig = ECDSA_SIG_new();
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(k, NULL);
	unsigned char *der = NULL;
	int dl;

	ck_assert_uint_eq(s->len, 2 * fb);
	ck_assert_int_eq(ECDSA_SIG_set0(sig, BN_bin2bn(s->data, (int)fb, NULL), BN_bin2bn(s->data + fb, (int)fb, NULL)), 1);
	dl = i2d_ECDSA_SIG(sig, &der);
	ck_assert_int_gt(dl, 0);
	ck_assert_int_eq(EVP_PKEY_verify_init(ctx), 1);
	ck_assert_int_eq(EVP_PKEY_verify(ctx, der, (size_t)dl, hash, n), 1);
	OPENSSL_free(der);
	ECDSA_SIG_free(sig);
	EVP_PKEY_CTX_free(ctx);
}

static void assert_ed25519_sig(EVP_PKEY *k, const uint8_t *msg, size_t n, const struct cs_buf *s)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();

	ck_assert_uint_eq(s->len, 64);
	ck_assert_int_eq(EVP_DigestVerifyInit(md, NULL, NULL, NULL, k), 1);
	ck_assert_int_eq(EVP_DigestVerify(md, s->data, s->len, msg, n), 1);
	EVP_MD_CTX_free(md);
}

static uint32_t sig_counter(struct cs_card *c)
{
	struct cs_buf r;
	uint32_t v;

	cs_buf_init(&r);
	ck_assert_uint_eq(tc_send(c, "00CA007A00", &r), 0x9000);
	ck_assert_uint_eq(r.len, 7);
	v = (uint32_t)r.data[4] << 16 | (uint32_t)r.data[5] << 8 | r.data[6];
	cs_buf_free(&r);
	return v;
}

START_TEST(rsa2048_operations)
{
	struct cs_card *c = tc_card(CS_PROFILE_OPENPGP);
	uint8_t di[51], plain[32], ct[257];
	size_t ctlen = sizeof(ct) - 1;
	EVP_PKEY *sig, *dec, *aut;
	EVP_PKEY_CTX *ctx;
	struct cs_buf r;

	cs_buf_init(&r);
	tc_pgp_select(c);
	ck_assert_uint_eq(tc_send(c, "00478000 02B600 00", NULL), 0x6982); /* PW3 first */
	ck_assert_uint_eq(tc_send(c, "00478100 02B600 00", NULL), 0x6A88); /* no key yet */
	tc_pgp_verify(c, 0x83);
	ck_assert_uint_eq(tc_send(c, "00478000 02B700 00", NULL), 0x6A80);
	sig = generate(c, 0xB6, PGP_KIND_RSA);
	dec = generate(c, 0xB8, PGP_KIND_RSA);
	aut = generate(c, 0xA4, PGP_KIND_RSA);
	ck_assert_int_eq(EVP_PKEY_get_bits(sig), 2048);

	/* PSO:CDS over a DigestInfo, PW1 (81) valid for one signature (C4 byte 1 = 00). */
	digest_info(di, "hello");
	ck_assert_uint_eq(xfer_data(c, 0x00, 0x2A, 0x9E, 0x9A, di, 51, false, &r), 0x6982);
	tc_pgp_verify(c, 0x82);
	ck_assert_uint_eq(xfer_data(c, 0x00, 0x2A, 0x9E, 0x9A, di, 51, false, &r), 0x6982);
	tc_pgp_verify(c, 0x81);
	ck_assert_uint_eq(xfer_data(c, 0x00, 0x2A, 0x9E, 0x9A, di, 51, false, &r), 0x9000);
	assert_rsa_sig(sig, di, 51, &r);
	ck_assert_uint_eq(sig_counter(c), 1);
	ck_assert_uint_eq(xfer_data(c, 0x00, 0x2A, 0x9E, 0x9A, di, 51, false, &r), 0x6982);
	/* C4 byte 1 = 01: one VERIFY for several signatures. */
	ck_assert_uint_eq(tc_send(c, "00DA00C40101", NULL), 0x9000);
	tc_pgp_verify(c, 0x81);
	ck_assert_uint_eq(xfer_data(c, 0x00, 0x2A, 0x9E, 0x9A, di, 51, true, &r), 0x9000);
	ck_assert_uint_eq(xfer_data(c, 0x00, 0x2A, 0x9E, 0x9A, di, 51, false, &r), 0x9000);
	assert_rsa_sig(sig, di, 51, &r);
	ck_assert_uint_eq(sig_counter(c), 3);
	/* More than 40% of the modulus is refused. */
	memset(ct, 0x11, 103);
	ck_assert_uint_eq(xfer_data(c, 0x00, 0x2A, 0x9E, 0x9A, ct, 103, false, &r), 0x6A80);

	/* PSO:DECIPHER: 00 || cryptogram (257 bytes): extended, then chained. */
	memset(plain, 0x5A, sizeof(plain));
	ctx = EVP_PKEY_CTX_new(dec, NULL);
	ck_assert_int_eq(EVP_PKEY_encrypt_init(ctx), 1);
	ck_assert_int_eq(EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING), 1);
	ck_assert_int_eq(EVP_PKEY_encrypt(ctx, ct + 1, &ctlen, plain, sizeof(plain)), 1);
	EVP_PKEY_CTX_free(ctx);
	ct[0] = 0x00;
	ck_assert_uint_eq(xfer_data(c, 0x00, 0x2A, 0x80, 0x86, ct, 257, true, &r), 0x9000);
	ck_assert_uint_eq(r.len, 32);
	ck_assert_mem_eq(r.data, plain, 32);
	ck_assert_uint_eq(xfer_chained(c, 0x2A, 0x80, 0x86, ct, 257, &r), 0x9000);
	ck_assert_mem_eq(r.data, plain, 32);
	ct[0] = 0x02;
	ck_assert_uint_eq(xfer_data(c, 0x00, 0x2A, 0x80, 0x86, ct, 257, true, &r), 0x6A80);
	ck_assert_uint_eq(xfer_data(c, 0x00, 0x2A, 0x80, 0x86, ct, 200, false, &r), 0x6A80);
	ck_assert_uint_eq(xfer_data(c, 0x00, 0x2A, 0x80, 0x87, ct, 200, false, &r), 0x6A86);

	/* INTERNAL AUTHENTICATE with the authentication key (PW1 82). */
	ck_assert_uint_eq(tc_send(c, "0020FF8200", NULL), 0x9000);
	ck_assert_uint_eq(xfer_data(c, 0x00, 0x88, 0x00, 0x00, di, 51, false, &r), 0x6982);
	tc_pgp_verify(c, 0x82);
	ck_assert_uint_eq(xfer_data(c, 0x00, 0x88, 0x00, 0x00, di, 51, false, &r), 0x9000);
	assert_rsa_sig(aut, di, 51, &r);

	/* A new signature key resets the signature counter; the key information says generated. */
	sig_counter(c);
	EVP_PKEY_free(sig);
	sig = generate(c, 0xB6, PGP_KIND_RSA);
	ck_assert_uint_eq(sig_counter(c), 0);
	cs_buf_free(&r);
	EVP_PKEY_free(sig);
	EVP_PKEY_free(dec);
	EVP_PKEY_free(aut);
	cs_card_free(c);
}
END_TEST

START_TEST(ec_operations)
{
	struct cs_card *c = tc_card(CS_PROFILE_OPENPGP);
	uint8_t hash[48], secret[48], point[97], xpub[32];
	size_t slen = sizeof(secret), plen, xlen = sizeof(xpub);
	EVP_PKEY *k, *peer;
	EVP_PKEY_CTX *ctx;
	struct cs_buf r, cipher;

	cs_buf_init(&r);
	cs_buf_init(&cipher);
	tc_pgp_select(c);
	tc_pgp_verify(c, 0x83);
	memset(hash, 0x3C, sizeof(hash));
	/* Algorithms a slot cannot hold are refused. */
	ck_assert_uint_eq(tc_send(c, "00DA00C109" ATTR_P256_DEC, NULL), 0x6A80);
	ck_assert_uint_eq(tc_send(c, "00DA00C20A162B06010401DA470F01", NULL), 0x6A80);
	ck_assert_uint_eq(tc_send(c, "00DA00C106010800001000", NULL), 0x6A80);
	ck_assert_uint_eq(tc_send(c, "00DA00C106010400002000", NULL), 0x6A80);
	ck_assert_uint_eq(tc_send(c, "00DA00C1060107D0002000", NULL), 0x6A80);

	/* P-256 ECDSA in the signature slot. */
	put_attr(c, 0xC1, ATTR_P256_SIG);
	k = generate(c, 0xB6, PGP_KIND_P256);
	tc_pgp_verify(c, 0x81);
	ck_assert_uint_eq(xfer_data(c, 0x00, 0x2A, 0x9E, 0x9A, hash, 32, false, &r), 0x9000);
	assert_ecdsa_sig(k, hash, 32, &r, 32);
	EVP_PKEY_free(k);
	/* Attributes with the import-format byte FF are taken; a change deletes the key. */
	put_attr(c, 0xC1, ATTR_ED25519 "FF");
	ck_assert_uint_eq(tc_send(c, "00478100 02B600 00", NULL), 0x6A88);
	k = generate(c, 0xB6, PGP_KIND_ED25519);
	tc_pgp_verify(c, 0x81);
	ck_assert_uint_eq(xfer_data(c, 0x00, 0x2A, 0x9E, 0x9A, (const uint8_t *)"message", 7, false, &r), 0x9000);
	assert_ed25519_sig(k, (const uint8_t *)"message", 7, &r);
	EVP_PKEY_free(k);

	/* P-384 in the authentication slot. */
	put_attr(c, 0xC3, ATTR_P384_SIG);
	k = generate(c, 0xA4, PGP_KIND_P384);
	tc_pgp_verify(c, 0x82);
	ck_assert_uint_eq(xfer_data(c, 0x00, 0x88, 0x00, 0x00, hash, 48, false, &r), 0x9000);
	assert_ecdsa_sig(k, hash, 48, &r, 48);
	EVP_PKEY_free(k);

	/* ECDH P-256 in the decryption slot: A6 { 7F49 { 86 peer point } }. */
	put_attr(c, 0xC2, ATTR_P256_DEC);
	k = generate(c, 0xB8, PGP_KIND_P256);
	peer = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	plen = 0;
	ck_assert_int_eq(EVP_PKEY_get_octet_string_param(peer, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, point,
							 sizeof(point), &plen), 1);
	cs_buf_clear(&r);
	ck_assert_int_eq(cs_buf_tlv(&r, 0x86, point, plen), 0);
	ck_assert_int_eq(cs_buf_tlv(&cipher, 0x7F49, r.data, r.len), 0);
	cs_buf_clear(&r);
	ck_assert_int_eq(cs_buf_tlv(&r, 0xA6, cipher.data, cipher.len), 0);
	cs_buf_clear(&cipher);
	ck_assert_int_eq(cs_buf_append(&cipher, r.data, r.len), 0);
	ctx = EVP_PKEY_CTX_new(peer, NULL);
	ck_assert_int_eq(EVP_PKEY_derive_init(ctx), 1);
	ck_assert_int_eq(EVP_PKEY_derive_set_peer(ctx, k), 1);
	ck_assert_int_eq(EVP_PKEY_derive(ctx, secret, &slen), 1);
	EVP_PKEY_CTX_free(ctx);
	ck_assert_uint_eq(tc_send(c, "0020FF8200", NULL), 0x9000);
	ck_assert_uint_eq(xfer_data(c, 0x00, 0x2A, 0x80, 0x86, cipher.data, cipher.len, false, &r), 0x6982);
	tc_pgp_verify(c, 0x82);
	ck_assert_uint_eq(xfer_data(c, 0x00, 0x2A, 0x80, 0x86, cipher.data, cipher.len, false, &r), 0x9000);
	ck_assert_uint_eq(r.len, 32);
	ck_assert_mem_eq(r.data, secret, 32);
	cipher.data[cipher.len - 1] ^= 0x01; /* not on the curve any more */
	ck_assert_uint_eq(xfer_data(c, 0x00, 0x2A, 0x80, 0x86, cipher.data, cipher.len, false, &r), 0x6A80);
	EVP_PKEY_free(peer);
	EVP_PKEY_free(k);

	/* X25519: the peer's 32-byte key in 86. */
	put_attr(c, 0xC2, ATTR_X25519);
	k = generate(c, 0xB8, PGP_KIND_X25519);
	peer = EVP_PKEY_Q_keygen(NULL, NULL, "X25519");
	ck_assert_int_eq(EVP_PKEY_get_raw_public_key(peer, xpub, &xlen), 1);
	ctx = EVP_PKEY_CTX_new(peer, NULL);
	slen = sizeof(secret);
	ck_assert_int_eq(EVP_PKEY_derive_init(ctx), 1);
	ck_assert_int_eq(EVP_PKEY_derive_set_peer(ctx, k), 1);
	ck_assert_int_eq(EVP_PKEY_derive(ctx, secret, &slen), 1);
	EVP_PKEY_CTX_free(ctx);
	cs_buf_clear(&cipher);
	ck_assert_int_eq(cs_hex_decode("A6257F4922 8620", &cipher), 0);
	ck_assert_int_eq(cs_buf_append(&cipher, xpub, 32), 0);
	tc_pgp_verify(c, 0x82);
	ck_assert_uint_eq(xfer_data(c, 0x00, 0x2A, 0x80, 0x86, cipher.data, cipher.len, false, &r), 0x9000);
	ck_assert_uint_eq(r.len, 32);
	ck_assert_mem_eq(r.data, secret, 32);
	EVP_PKEY_free(peer);
	EVP_PKEY_free(k);
	cs_buf_free(&r);
	cs_buf_free(&cipher);
	cs_card_free(c);
}
END_TEST

/* Appends BN as exactly N bytes (0: its own length). */
static size_t put_bn(struct cs_buf *b, const BIGNUM *bn, size_t n)
{
	uint8_t tmp[512];
	size_t len = n ? n : (size_t)BN_num_bytes(bn);

	ck_assert_int_ge(BN_bn2binpad(bn, tmp, (int)len), 0);
	ck_assert_int_eq(cs_buf_append(b, tmp, len), 0);
	return len;
}

/* 4D { CRT, 7F48 { tags and lengths }, 5F48 { DATA } } for the first COUNT components of
 * TAGS, whose values follow each other in DATA. */
static void build_4d(struct cs_buf *out, uint8_t crt, const uint8_t *tags, const size_t *lens, size_t count,
		     const uint8_t *data)
{
	struct cs_buf list, body;
	size_t i, total = 0;

	cs_buf_init(&list);
	cs_buf_init(&body);
	for (i = 0; i < count; i++) {
		ck_assert_int_eq(cs_buf_tlv_header(&list, tags[i], lens[i]), 0);
		total += lens[i];
	}
	ck_assert_int_eq(cs_buf_byte(&body, crt), 0);
	ck_assert_int_eq(cs_buf_byte(&body, 0), 0);
	ck_assert_int_eq(cs_buf_tlv(&body, 0x7F48, list.data, list.len), 0);
	ck_assert_int_eq(cs_buf_tlv(&body, 0x5F48, data, total), 0);
	cs_buf_clear(out);
	ck_assert_int_eq(cs_buf_tlv(out, 0x4D, body.data, body.len), 0);
	cs_buf_free(&list);
	cs_buf_free(&body);
}

static BIGNUM *rsa_bn(EVP_PKEY *k, const char *name)
{
	BIGNUM *bn = NULL;

	ck_assert_int_eq(EVP_PKEY_get_bn_param(k, name, &bn), 1);
	return bn;
}

START_TEST(import_rsa)
{
	struct cs_card *c = tc_card(CS_PROFILE_OPENPGP);
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048), *back;
	const char *names[7] = { OSSL_PKEY_PARAM_RSA_E, OSSL_PKEY_PARAM_RSA_FACTOR1, OSSL_PKEY_PARAM_RSA_FACTOR2,
				 OSSL_PKEY_PARAM_RSA_COEFFICIENT1, OSSL_PKEY_PARAM_RSA_EXPONENT1,
				 OSSL_PKEY_PARAM_RSA_EXPONENT2, OSSL_PKEY_PARAM_RSA_N };
	const uint8_t tags[7] = { 0x91, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97 };
	size_t lens[7];
	struct cs_buf data, apdu, r;
	uint8_t di[51];
	BIGNUM *bn;
	int i;

	cs_buf_init(&data);
	cs_buf_init(&apdu);
	cs_buf_init(&r);
	tc_pgp_select(c);
	/* CRT with modulus (format 03): e (4 bytes, as the attributes' 32 bits say), p, q, u,
	 * dp, dq, n. */
	for (i = 0; i < 7; i++) {
		bn = rsa_bn(k, names[i]);
		lens[i] = put_bn(&data, bn, i == 0 ? 4 : 0);
		BN_free(bn);
	}
	build_4d(&apdu, 0xA4, tags, lens, 7, data.data);
	ck_assert_uint_eq(xfer_data(c, 0x00, 0xDB, 0x3F, 0xFF, apdu.data, apdu.len, true, &r), 0x6982);
	tc_pgp_verify(c, 0x83);
	ck_assert_uint_eq(xfer_chained(c, 0xDB, 0x3F, 0xFF, apdu.data, apdu.len, &r), 0x9000);
	ck_assert_uint_eq(xfer_hex(c, "00478100 02A400 00", &r), 0x9000);
	back = pubkey(&r, PGP_KIND_RSA);
	ck_assert_int_eq(EVP_PKEY_eq(back, k), 1);
	EVP_PKEY_free(back);
	/* Standard format (e, p, q) into the signature slot, then a signature with it.
	 * With one wrong byte in q the key is refused. */
	data.data[lens[0] + lens[1] + 5] ^= 0x40;
	build_4d(&apdu, 0xB6, tags, lens, 3, data.data);
	ck_assert_uint_eq(xfer_data(c, 0x00, 0xDB, 0x3F, 0xFF, apdu.data, apdu.len, true, &r), 0x6A80);
	data.data[lens[0] + lens[1] + 5] ^= 0x40;
	/* A wrong dq (CRT part) too. */
	data.data[lens[0] + lens[1] + lens[2] + lens[3] + lens[4] + 3] ^= 0x01;
	build_4d(&apdu, 0xB6, tags, lens, 6, data.data);
	ck_assert_uint_eq(xfer_data(c, 0x00, 0xDB, 0x3F, 0xFF, apdu.data, apdu.len, true, &r), 0x6A80);
	data.data[lens[0] + lens[1] + lens[2] + lens[3] + lens[4] + 3] ^= 0x01;
	build_4d(&apdu, 0xB6, tags, lens, 3, data.data);
	ck_assert_uint_eq(xfer_data(c, 0x00, 0xDB, 0x3F, 0xFF, apdu.data, apdu.len, true, &r), 0x9000);
	digest_info(di, "imported");
	tc_pgp_verify(c, 0x81);
	ck_assert_uint_eq(xfer_data(c, 0x00, 0x2A, 0x9E, 0x9A, di, 51, false, &r), 0x9000);
	assert_rsa_sig(k, di, 51, &r);
	/* The key information says imported (02) for slots 1 and 3. */
	ck_assert_uint_eq(xfer_hex(c, "00CA006E00", &r), 0x9000);
	ck_assert_ptr_nonnull(memmem(r.data, r.len, "\xDE\x06\x01\x02\x02\x00\x03\x02", 8));
	/* Malformed templates. */
	ck_assert_uint_eq(tc_send(c, "00DB3FFF0A4D08B6007F4800 5F4800", NULL), 0x6A80);
	ck_assert_uint_eq(tc_send(c, "00DB3FFF0A4D08B7007F48005F4800", NULL), 0x6A80);
	ck_assert_uint_eq(tc_send(c, "00DB3FFF0C4D0AB6007F4802 91015F4800", NULL), 0x6A80);
	ck_assert_uint_eq(tc_send(c, "00DB3FFE0A4D08B6007F48005F4800", NULL), 0x6A86);
	cs_buf_free(&data);
	cs_buf_free(&apdu);
	cs_buf_free(&r);
	EVP_PKEY_free(k);
	cs_card_free(c);
}
END_TEST

/* Imports the private key D (and optional public PUB) into the slot of CRT. */
static uint16_t import_ec(struct cs_card *c, uint8_t crt, const uint8_t *d, size_t dn, const uint8_t *pub, size_t pn)
{
	const uint8_t tags[2] = { 0x92, 0x99 };
	size_t lens[2] = { dn, pn };
	struct cs_buf data, apdu, r;
	uint16_t sw;

	cs_buf_init(&data);
	cs_buf_init(&apdu);
	cs_buf_init(&r);
	ck_assert_int_eq(cs_buf_append(&data, d, dn), 0);
	if (pub != NULL)
		ck_assert_int_eq(cs_buf_append(&data, pub, pn), 0);
	build_4d(&apdu, crt, tags, lens, pub != NULL ? 2 : 1, data.data);
	sw = xfer_data(c, 0x00, 0xDB, 0x3F, 0xFF, apdu.data, apdu.len, false, &r);
	cs_buf_free(&data);
	cs_buf_free(&apdu);
	cs_buf_free(&r);
	return sw;
}

START_TEST(import_ec_keys)
{
	struct cs_card *c = tc_card(CS_PROFILE_OPENPGP);
	EVP_PKEY *k, *back, *peer;
	EVP_PKEY_CTX *ctx;
	uint8_t d[48], pt[97], raw[32], rev[32], secret[32], xpub[32];
	size_t plen = 0, rlen, slen = sizeof(secret), xlen = sizeof(xpub), i;
	struct cs_buf r;
	BIGNUM *bn = NULL;

	cs_buf_init(&r);
	tc_pgp_select(c);
	tc_pgp_verify(c, 0x83);
	/* P-384 in the authentication slot, with the public key (99) as well. */
	put_attr(c, 0xC3, ATTR_P384_SIG);
	k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
	ck_assert_int_eq(EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_PRIV_KEY, &bn), 1);
	ck_assert_int_eq(BN_bn2binpad(bn, d, 48), 48);
	ck_assert_int_eq(EVP_PKEY_get_octet_string_param(k, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, pt, sizeof(pt), &plen), 1);
	pt[10] ^= 1;
	ck_assert_uint_eq(import_ec(c, 0xA4, d, 48, pt, plen), 0x6A80); /* public key not the private's */
	pt[10] ^= 1;
	ck_assert_uint_eq(import_ec(c, 0xA4, d, 48, pt, plen), 0x9000);
	ck_assert_uint_eq(xfer_hex(c, "00478100 02A400 00", &r), 0x9000);
	back = pubkey(&r, PGP_KIND_P384);
	ck_assert_int_eq(EVP_PKEY_eq(back, k), 1);
	EVP_PKEY_free(back);
	EVP_PKEY_free(k);
	BN_clear_free(bn);

	/* Ed25519 in the signature slot: the 32-byte seed. */
	put_attr(c, 0xC1, ATTR_ED25519);
	k = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	rlen = sizeof(raw);
	ck_assert_int_eq(EVP_PKEY_get_raw_private_key(k, raw, &rlen), 1);
	ck_assert_uint_eq(import_ec(c, 0xB6, raw, 32, NULL, 0), 0x9000);
	tc_pgp_verify(c, 0x81);
	ck_assert_uint_eq(xfer_data(c, 0x00, 0x2A, 0x9E, 0x9A, (const uint8_t *)"abc", 3, false, &r), 0x9000);
	assert_ed25519_sig(k, (const uint8_t *)"abc", 3, &r);
	EVP_PKEY_free(k);

	/* X25519: OpenPGP gives the secret big-endian (reversed RFC 7748 order). */
	put_attr(c, 0xC2, ATTR_X25519);
	k = EVP_PKEY_Q_keygen(NULL, NULL, "X25519");
	rlen = sizeof(raw);
	ck_assert_int_eq(EVP_PKEY_get_raw_private_key(k, raw, &rlen), 1);
	for (i = 0; i < 32; i++)
		rev[i] = raw[31 - i];
	ck_assert_uint_eq(import_ec(c, 0xB8, rev, 32, NULL, 0), 0x9000);
	peer = EVP_PKEY_Q_keygen(NULL, NULL, "X25519");
	ck_assert_int_eq(EVP_PKEY_get_raw_public_key(peer, xpub, &xlen), 1);
	ctx = EVP_PKEY_CTX_new(k, NULL);
	ck_assert_int_eq(EVP_PKEY_derive_init(ctx), 1);
	ck_assert_int_eq(EVP_PKEY_derive_set_peer(ctx, peer), 1);
	ck_assert_int_eq(EVP_PKEY_derive(ctx, secret, &slen), 1);
	EVP_PKEY_CTX_free(ctx);
	tc_pgp_verify(c, 0x82);
	/* A cipher DO whose length is one short of its content is malformed. */
	cs_buf_clear(&r);
	ck_assert_int_eq(cs_hex_decode("A6257F4921 8620", &r), 0);
	ck_assert_int_eq(cs_buf_append(&r, xpub, 32), 0);
	{
		struct cs_buf out;

		cs_buf_init(&out);
		ck_assert_uint_eq(xfer_data(c, 0x00, 0x2A, 0x80, 0x86, r.data, r.len, false, &out), 0x6A80);
		cs_buf_free(&out);
	}
	cs_buf_clear(&r);
	ck_assert_int_eq(cs_hex_decode("A6257F4922 8620", &r), 0);
	ck_assert_int_eq(cs_buf_append(&r, xpub, 32), 0);
	{
		struct cs_buf out;

		cs_buf_init(&out);
		ck_assert_uint_eq(xfer_data(c, 0x00, 0x2A, 0x80, 0x86, r.data, r.len, false, &out), 0x9000);
		ck_assert_uint_eq(out.len, 32);
		ck_assert_mem_eq(out.data, secret, 32);
		cs_buf_free(&out);
	}
	EVP_PKEY_free(peer);
	EVP_PKEY_free(k);
	cs_buf_free(&r);
	cs_card_free(c);
}
END_TEST

/* RSA 3072 and 4096: long answers through extended Le or GET RESPONSE, long commands by
 * extended Lc or command chaining; a card without extended APDUs refuses them. */
START_TEST(rsa_large)
{
	struct cs_card *c = tc_card(CS_PROFILE_OPENPGP);
	uint8_t di[51], plain[48], ct[513];
	size_t ctlen = sizeof(ct) - 1;
	EVP_PKEY *k;
	EVP_PKEY_CTX *ctx;
	struct cs_buf r;

	cs_buf_init(&r);
	tc_pgp_select(c);
	tc_pgp_verify(c, 0x83);
	put_attr(c, 0xC1, "010C00002000");
	put_attr(c, 0xC2, "011000002000");
	k = generate(c, 0xB6, PGP_KIND_RSA);
	ck_assert_int_eq(EVP_PKEY_get_bits(k), 3072);
	digest_info(di, "large");
	tc_pgp_verify(c, 0x81);
	ck_assert_uint_eq(xfer_data(c, 0x00, 0x2A, 0x9E, 0x9A, di, 51, true, &r), 0x9000);
	assert_rsa_sig(k, di, 51, &r);
	EVP_PKEY_free(k);
	k = generate(c, 0xB8, PGP_KIND_RSA);
	ck_assert_int_eq(EVP_PKEY_get_bits(k), 4096);
	memset(plain, 0xA5, sizeof(plain));
	ctx = EVP_PKEY_CTX_new(k, NULL);
	ck_assert_int_eq(EVP_PKEY_encrypt_init(ctx), 1);
	ck_assert_int_eq(EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING), 1);
	ck_assert_int_eq(EVP_PKEY_encrypt(ctx, ct + 1, &ctlen, plain, sizeof(plain)), 1);
	EVP_PKEY_CTX_free(ctx);
	ct[0] = 0x00;
	tc_pgp_verify(c, 0x82);
	ck_assert_uint_eq(xfer_data(c, 0x00, 0x2A, 0x80, 0x86, ct, 513, true, &r), 0x9000);
	ck_assert_uint_eq(r.len, sizeof(plain));
	ck_assert_mem_eq(r.data, plain, sizeof(plain));
	c->no_extended = true;
	ck_assert_uint_eq(xfer_data(c, 0x00, 0x2A, 0x80, 0x86, ct, 513, true, &r), 0x6700);
	ck_assert_uint_eq(xfer_chained(c, 0x2A, 0x80, 0x86, ct, 513, &r), 0x9000);
	ck_assert_mem_eq(r.data, plain, sizeof(plain));
	/* The public key (> 512 bytes) in 256-byte pieces through GET RESPONSE. */
	ck_assert_uint_eq(xfer_hex(c, "00478100 02B800 00", &r), 0x9000);
	ck_assert_uint_gt(r.len, 512);
	EVP_PKEY_free(k);
	cs_buf_free(&r);
	cs_card_free(c);
}
END_TEST

/* Cardholder certificates: one per key, chosen by SELECT DATA (occurrence 0 AUT .. 2 SIG). */
START_TEST(certificates)
{
	struct cs_card *c = tc_card(CS_PROFILE_OPENPGP);
	uint8_t cert[1500];
	struct cs_buf r;

	cs_buf_init(&r);
	tc_pgp_select(c);
	memset(cert, 0x30, sizeof(cert));
	ck_assert_uint_eq(xfer_data(c, 0x00, 0xDA, 0x7F, 0x21, cert, sizeof(cert), true, &r), 0x6982);
	tc_pgp_verify(c, 0x83);
	ck_assert_uint_eq(xfer_data(c, 0x00, 0xDA, 0x7F, 0x21, cert, sizeof(cert), true, &r), 0x9000);
	ck_assert_uint_eq(tc_send(c, "00A5020406 60045C027F21", NULL), 0x9000);
	ck_assert_uint_eq(tc_send(c, "00DA7F2103 414243", NULL), 0x9000);
	ck_assert_uint_eq(tc_send(c, "00A5030406 60045C027F21", NULL), 0x6A86);
	ck_assert_uint_eq(tc_send(c, "00A5000406 60045C025F50", NULL), 0x6A88);
	ck_assert_uint_eq(tc_send(c, "00A5000405 5C027F2100", NULL), 0x6A80);
	ck_assert_uint_eq(xfer_hex(c, "00CA7F2100", &r), 0x9000);
	ck_assert_uint_eq(r.len, 3); /* occurrence 2: the signature key's */
	ck_assert_uint_eq(tc_send(c, "00A5000406 60045C027F21", NULL), 0x9000);
	ck_assert_uint_eq(xfer_hex(c, "00CA7F2100", &r), 0x9000);
	ck_assert_uint_eq(r.len, sizeof(cert));
	ck_assert_mem_eq(r.data, cert, sizeof(cert));
	ck_assert_uint_eq(xfer_hex(c, "00CA7F21000000", &r), 0x9000); /* extended Le */
	ck_assert_uint_eq(r.len, sizeof(cert));
	ck_assert_uint_eq(tc_send(c, "00A5010406 60045C027F21", NULL), 0x9000);
	ck_assert_uint_eq(xfer_hex(c, "00CA7F2100", &r), 0x9000);
	ck_assert_uint_eq(r.len, 0);
	/* Deleting. */
	ck_assert_uint_eq(tc_send(c, "00A5000406 60045C027F21", NULL), 0x9000);
	ck_assert_uint_eq(tc_send(c, "00DA7F2100", NULL), 0x9000);
	ck_assert_uint_eq(xfer_hex(c, "00CA7F2100", &r), 0x9000);
	ck_assert_uint_eq(r.len, 0);
	cs_buf_free(&r);
	cs_card_free(c);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("cardsim-pgp-keys");
	TCase *tc = tcase_create("pgp-keys");

	tcase_set_timeout(tc, 1200);
	tcase_add_test(tc, rsa2048_operations);
	tcase_add_test(tc, ec_operations);
	tcase_add_test(tc, import_rsa);
	tcase_add_test(tc, import_ec_keys);
	tcase_add_test(tc, rsa_large);
	tcase_add_test(tc, certificates);
	suite_add_tcase(s, tc);
	return tc_run(s);
}
