/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* crypto.c: key generation, private-key operations, management-key cipher, key import. */
#include "config.h"

#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include "card.h"
#include "crypto.h"

bool cs_alg_is_rsa(uint8_t alg)
{
	return cs_alg_rsa_bits(alg) != 0;
}

bool cs_alg_is_ec(uint8_t alg)
{
	return cs_alg_ec_bytes(alg) != 0;
}

unsigned cs_alg_rsa_bits(uint8_t alg)
{
	switch (alg) {
	case ALG_RSA1024: return 1024;
	case ALG_RSA2048: return 2048;
	case ALG_RSA3072: return 3072;
	case ALG_RSA4096: return 4096;
	default: return 0;
	}
}

size_t cs_alg_ec_bytes(uint8_t alg)
{
	return alg == ALG_ECCP256 ? 32 : alg == ALG_ECCP384 ? 48 : 0;
}

size_t cs_alg_mgm_keylen(uint8_t alg)
{
	switch (alg) {
	case ALG_3DES: return 24;
	case ALG_AES128: return 16;
	case ALG_AES192: return 24;
	case ALG_AES256: return 32;
	default: return 0;
	}
}

size_t cs_alg_block(uint8_t alg)
{
	return alg == ALG_3DES ? 8 : cs_alg_mgm_keylen(alg) ? 16 : 0;
}

static const char *ec_group(uint8_t alg)
{
	return alg == ALG_ECCP256 ? "P-256" : "P-384";
}

int cs_crypto_random(uint8_t *p, size_t n)
{
	return RAND_bytes(p, (int)n) == 1 ? 0 : -1;
}

EVP_PKEY *cs_crypto_generate(uint8_t alg)
{
	if (cs_alg_is_rsa(alg))
		return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)cs_alg_rsa_bits(alg));
	if (cs_alg_is_ec(alg))
		return EVP_PKEY_Q_keygen(NULL, NULL, "EC", ec_group(alg));
	return NULL;
}

int cs_crypto_block(uint8_t alg, const uint8_t *key, const uint8_t *in, uint8_t *out, bool enc)
{
	const EVP_CIPHER *ciph;
	EVP_CIPHER_CTX *ctx;
	int l1 = 0, l2 = 0, rc = -1;

	switch (alg) {
	case ALG_3DES: ciph = EVP_des_ede3_ecb(); break;
	case ALG_AES128: ciph = EVP_aes_128_ecb(); break;
	case ALG_AES192: ciph = EVP_aes_192_ecb(); break;
	case ALG_AES256: ciph = EVP_aes_256_ecb(); break;
	default: return -1;
	}
	ctx = EVP_CIPHER_CTX_new();
	if (ctx == NULL)
		goto out;
	if (EVP_CipherInit_ex(ctx, ciph, NULL, key, NULL, enc ? 1 : 0) != 1 ||
	    EVP_CIPHER_CTX_set_padding(ctx, 0) != 1 ||
	    EVP_CipherUpdate(ctx, out, &l1, in, (int)cs_alg_block(alg)) != 1 ||
	    EVP_CipherFinal_ex(ctx, out + l1, &l2) != 1)
		goto out;
	rc = (size_t)(l1 + l2) == cs_alg_block(alg) ? 0 : -1;
out:
	EVP_CIPHER_CTX_free(ctx);
	return rc;
}

/* Runs a one-shot EVP_PKEY operation (decrypt, sign) into OUT. */
static int pkey_op(EVP_PKEY_CTX *ctx, bool sign, const uint8_t *in, size_t n, struct cs_buf *out)
{
	size_t len = 0;
	uint8_t tmp[1024];

	if (sign ? EVP_PKEY_sign(ctx, NULL, &len, in, n) != 1 : EVP_PKEY_decrypt(ctx, NULL, &len, in, n) != 1)
		return -1;
	if (len > sizeof(tmp))
		return -1;
	if (sign ? EVP_PKEY_sign(ctx, tmp, &len, in, n) != 1 : EVP_PKEY_decrypt(ctx, tmp, &len, in, n) != 1)
		return -1;
	return cs_buf_append(out, tmp, len);
}

int cs_crypto_rsa_raw(EVP_PKEY *k, const uint8_t *in, size_t n, struct cs_buf *out)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(k, NULL);
	int rc = -1;

	if (ctx == NULL || EVP_PKEY_decrypt_init(ctx) != 1 ||
	    EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_NO_PADDING) != 1)
		goto out;
	rc = pkey_op(ctx, false, in, n, out);
out:
	EVP_PKEY_CTX_free(ctx);
	return rc;
}

int cs_crypto_ecdsa(EVP_PKEY *k, const uint8_t *in, size_t n, struct cs_buf *out)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(k, NULL);
	int rc = -1;

	if (ctx == NULL || EVP_PKEY_sign_init(ctx) != 1)
		goto out;
	rc = pkey_op(ctx, true, in, n, out);
out:
	EVP_PKEY_CTX_free(ctx);
	return rc;
}

static EVP_PKEY *ec_public(uint8_t alg, const uint8_t *pt, size_t n)
{
	OSSL_PARAM params[3];
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	EVP_PKEY_CTX *chk = NULL;
	EVP_PKEY *peer = NULL;

	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)ec_group(alg), 0);
	params[1] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, (void *)pt, n);
	params[2] = OSSL_PARAM_construct_end();
	if (ctx == NULL || EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &peer, EVP_PKEY_PUBLIC_KEY, params) != 1)
		goto out;
	chk = EVP_PKEY_CTX_new(peer, NULL);
	if (chk == NULL || EVP_PKEY_public_check(chk) != 1) {
		EVP_PKEY_free(peer);
		peer = NULL;
	}
out:
	EVP_PKEY_CTX_free(chk);
	EVP_PKEY_CTX_free(ctx);
	return peer;
}

int cs_crypto_ecdh(EVP_PKEY *k, uint8_t alg, const uint8_t *pt, size_t n, struct cs_buf *out)
{
	EVP_PKEY *peer = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	uint8_t secret[64];
	size_t len = sizeof(secret);
	int rc = -1;

	/* Only uncompressed points, as SP 800-73-4 specifies for the 85 template. */
	if (n != 1 + 2 * cs_alg_ec_bytes(alg) || pt[0] != 0x04)
		goto out;
	peer = ec_public(alg, pt, n);
	ctx = EVP_PKEY_CTX_new(k, NULL);
	if (peer == NULL || ctx == NULL || EVP_PKEY_derive_init(ctx) != 1 ||
	    EVP_PKEY_derive_set_peer(ctx, peer) != 1 || EVP_PKEY_derive(ctx, secret, &len) != 1)
		goto out;
	rc = cs_buf_append(out, secret, len);
out:
	OPENSSL_cleanse(secret, sizeof(secret));
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(peer);
	return rc;
}

static int bn_tlv(EVP_PKEY *k, const char *name, unsigned tag, struct cs_buf *out)
{
	BIGNUM *bn = NULL;
	uint8_t tmp[1024];
	int n, rc = -1;

	if (EVP_PKEY_get_bn_param(k, name, &bn) != 1)
		goto out;
	n = BN_num_bytes(bn);
	if (n <= 0 || (size_t)n > sizeof(tmp))
		goto out;
	BN_bn2bin(bn, tmp);
	rc = cs_buf_tlv(out, tag, tmp, (size_t)n);
out:
	BN_free(bn);
	return rc;
}

int cs_crypto_pubkey_tlv(EVP_PKEY *k, struct cs_buf *out)
{
	uint8_t pt[133];
	size_t n = 0;

	if (EVP_PKEY_is_a(k, "RSA")) {
		if (bn_tlv(k, OSSL_PKEY_PARAM_RSA_N, 0x81, out) < 0)
			return -1;
		return bn_tlv(k, OSSL_PKEY_PARAM_RSA_E, 0x82, out);
	}
	if (EVP_PKEY_get_octet_string_param(k, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, pt, sizeof(pt), &n) != 1)
		return -1;
	return cs_buf_tlv(out, 0x86, pt, n);
}

bool cs_crypto_key_is(EVP_PKEY *k, uint8_t alg)
{
	char group[32];
	size_t n = 0;

	if (k == NULL)
		return false;
	if (cs_alg_is_rsa(alg))
		return EVP_PKEY_is_a(k, "RSA") && (unsigned)EVP_PKEY_get_bits(k) == cs_alg_rsa_bits(alg);
	if (!cs_alg_is_ec(alg) || !EVP_PKEY_is_a(k, "EC"))
		return false;
	if (EVP_PKEY_get_utf8_string_param(k, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group), &n) != 1)
		return false;
	return strcmp(group, alg == ALG_ECCP256 ? "prime256v1" : "secp384r1") == 0 ||
	       strcmp(group, ec_group(alg)) == 0;
}
