/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pgp_crypto.c: the OpenPGP application's cryptography on OpenSSL 3: key generation per
 * algorithm attributes, public key templates, signatures, RSA decryption, ECDH. */
#include "config.h"

#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/rsa.h>

#include "crypto.h"
#include "pgp.h"

static const char *group_name(enum cs_pgp_kind kind)
{
	return kind == PGP_KIND_P256 ? "P-256" : "P-384";
}

static size_t field_bytes(enum cs_pgp_kind kind)
{
	return kind == PGP_KIND_P256 ? 32 : kind == PGP_KIND_P384 ? 48 : 32;
}

EVP_PKEY *cs_pgp_crypto_generate(const struct cs_pgp_alg *alg)
{
	switch (alg->kind) {
	case PGP_KIND_RSA: return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)alg->rsa_bits);
	case PGP_KIND_P256:
	case PGP_KIND_P384: return EVP_PKEY_Q_keygen(NULL, NULL, "EC", group_name(alg->kind));
	case PGP_KIND_ED25519: return EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	case PGP_KIND_X25519: return EVP_PKEY_Q_keygen(NULL, NULL, "X25519");
	default: return NULL;
	}
}

bool cs_pgp_crypto_key_is(EVP_PKEY *k, const struct cs_pgp_alg *alg)
{
	char group[32];
	size_t n = 0;

	if (k == NULL)
		return false;
	switch (alg->kind) {
	case PGP_KIND_RSA:
		return EVP_PKEY_is_a(k, "RSA") && (unsigned)EVP_PKEY_get_bits(k) == alg->rsa_bits;
	case PGP_KIND_ED25519: return EVP_PKEY_is_a(k, "ED25519");
	case PGP_KIND_X25519: return EVP_PKEY_is_a(k, "X25519");
	case PGP_KIND_P256:
	case PGP_KIND_P384:
		if (!EVP_PKEY_is_a(k, "EC") ||
		    EVP_PKEY_get_utf8_string_param(k, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group), &n) != 1)
			return false;
		return strcmp(group, alg->kind == PGP_KIND_P256 ? "prime256v1" : "secp384r1") == 0 ||
		       strcmp(group, group_name(alg->kind)) == 0;
	default: return false;
	}
}

int cs_pgp_crypto_pubkey(EVP_PKEY *k, struct cs_buf *out)
{
	uint8_t raw[32];
	size_t n = sizeof(raw);

	if (EVP_PKEY_is_a(k, "ED25519") || EVP_PKEY_is_a(k, "X25519")) {
		if (EVP_PKEY_get_raw_public_key(k, raw, &n) != 1)
			return -1;
		return cs_buf_tlv(out, 0x86, raw, n);
	}
	return cs_crypto_pubkey_tlv(k, out); /* 81 82 (RSA) or 86 (EC point, uncompressed) */
}

/* One EVP_PKEY_sign or _decrypt call of CTX (initialised) into OUT. */
static int pkey_run(EVP_PKEY_CTX *ctx, bool sign, const uint8_t *in, size_t n, struct cs_buf *out)
{
	uint8_t buf[1024];
	size_t len = sizeof(buf);
	int rc = -1;

	if (sign ? EVP_PKEY_sign(ctx, buf, &len, in, n) != 1 : EVP_PKEY_decrypt(ctx, buf, &len, in, n) != 1)
		goto out;
	rc = cs_buf_append(out, buf, len);
out:
	OPENSSL_cleanse(buf, sizeof(buf));
	return rc;
}

static int rsa_op(EVP_PKEY *k, bool sign, const uint8_t *in, size_t n, struct cs_buf *out)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(k, NULL);
	int rc = -1;

	if (ctx == NULL || (sign ? EVP_PKEY_sign_init(ctx) : EVP_PKEY_decrypt_init(ctx)) != 1 ||
	    EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) != 1)
		goto out;
	rc = pkey_run(ctx, sign, in, n, out);
out:
	EVP_PKEY_CTX_free(ctx);
	return rc;
}

/* ECDSA over HASH, answered as r||s with each half the field size. */
static int ecdsa_rs(EVP_PKEY *k, enum cs_pgp_kind kind, const uint8_t *in, size_t n, struct cs_buf *out)
{
	size_t fb = field_bytes(kind);
	uint8_t rs[96];
	struct cs_buf der;
	const unsigned char *p;
	ECDSA_SIG *sig = NULL;
	const BIGNUM *r, *s;
	int rc = -1;

	cs_buf_init(&der);
	if (cs_crypto_ecdsa(k, in, n, &der) < 0)
		goto out;
	p = der.data;
	sig = d2i_ECDSA_SIG(NULL, &p, (long)der.len);
	if (sig == NULL)
		goto out;
	ECDSA_SIG_get0(sig, &r, &s);
	if (BN_bn2binpad(r, rs, (int)fb) < 0 || BN_bn2binpad(s, rs + fb, (int)fb) < 0)
		goto out;
	rc = cs_buf_append(out, rs, 2 * fb);
out:
	ECDSA_SIG_free(sig);
	cs_buf_free(&der);
	return rc;
}

static int ed25519(EVP_PKEY *k, const uint8_t *in, size_t n, struct cs_buf *out)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	uint8_t sig[64];
	size_t len = sizeof(sig);
	int rc = -1;

	if (md == NULL || EVP_DigestSignInit(md, NULL, NULL, NULL, k) != 1 ||
	    EVP_DigestSign(md, sig, &len, in, n) != 1)
		goto out;
	rc = cs_buf_append(out, sig, len);
out:
	EVP_MD_CTX_free(md);
	return rc;
}

int cs_pgp_crypto_sign(EVP_PKEY *k, const struct cs_pgp_alg *alg, const uint8_t *in, size_t n,
		       struct cs_buf *out)
{
	switch (alg->kind) {
	case PGP_KIND_RSA:
		/* The card pads to PKCS#1 v1.5 type 1; at most 40% of the modulus (3.4, 7.2.10). */
		if (n == 0 || n * 10 > (size_t)EVP_PKEY_get_size(k) * 4)
			return -1;
		return rsa_op(k, true, in, n, out);
	case PGP_KIND_P256:
	case PGP_KIND_P384:
		return n == 0 ? -1 : ecdsa_rs(k, alg->kind, in, n, out);
	case PGP_KIND_ED25519: return ed25519(k, in, n, out);
	default: return -1;
	}
}

int cs_pgp_crypto_rsa_decrypt(EVP_PKEY *k, const uint8_t *in, size_t n, struct cs_buf *out)
{
	if (n != (size_t)EVP_PKEY_get_size(k))
		return -1;
	return rsa_op(k, false, in, n, out);
}

static int x25519(EVP_PKEY *k, const uint8_t *pt, size_t n, struct cs_buf *out)
{
	EVP_PKEY *peer = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	uint8_t secret[32];
	size_t len = sizeof(secret);
	int rc = -1;

	if (n != 32)
		goto out;
	peer = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, pt, n);
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

int cs_pgp_crypto_ecdh(EVP_PKEY *k, const struct cs_pgp_alg *alg, const uint8_t *pt, size_t n,
		       struct cs_buf *out)
{
	switch (alg->kind) {
	case PGP_KIND_P256: return cs_crypto_ecdh(k, ALG_ECCP256, pt, n, out);
	case PGP_KIND_P384: return cs_crypto_ecdh(k, ALG_ECCP384, pt, n, out);
	case PGP_KIND_X25519: return x25519(k, pt, n, out);
	default: return -1;
	}
}
