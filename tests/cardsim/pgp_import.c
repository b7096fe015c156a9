/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pgp_import.c: private keys from the components of a key import (5F48, described by the
 * cardholder private key template 7F48; OpenPGP card 3.4 section 4.4.3.12). */
#include "config.h"

#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/param_build.h>

#include "pgp.h"

#define P_E 0   /* 91 */
#define P_P 1   /* 92: p, or the EC private key */
#define P_Q 2   /* 93 */
#define P_U 3   /* 94: 1/q mod p */
#define P_DP 4  /* 95 */
#define P_DQ 5  /* 96 */
#define P_N 6   /* 97 */
#define P_PUB 8 /* 99: EC public key */

static EVP_PKEY *from_params(const char *type, OSSL_PARAM_BLD *bld)
{
	OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
	EVP_PKEY *k = NULL;

	if (params == NULL || ctx == NULL || EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &k, EVP_PKEY_KEYPAIR, params) != 1)
		k = NULL;
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	return k;
}

/* An optional component must equal the computed one. */
static bool matches(const struct cs_pgp_parts *parts, int i, const BIGNUM *want)
{
	BIGNUM *got;
	bool ok;

	if (parts->v[i] == NULL)
		return true;
	got = BN_bin2bn(parts->v[i], (int)parts->len[i], NULL);
	ok = got != NULL && BN_cmp(got, want) == 0;
	BN_clear_free(got);
	return ok;
}

struct rsa_bn {
	BIGNUM *e, *p, *q, *n, *d, *dp, *dq, *u, *t1, *t2, *phi;
};

static void rsa_bn_free(struct rsa_bn *b)
{
	BN_free(b->e);
	BN_clear_free(b->p), BN_clear_free(b->q), BN_free(b->n), BN_clear_free(b->d);
	BN_clear_free(b->dp), BN_clear_free(b->dq), BN_clear_free(b->u);
	BN_clear_free(b->t1), BN_clear_free(b->t2), BN_clear_free(b->phi);
}

/* Computes n, d, dp, dq and u from e, p, q; 0 or -1 (not a key). */
static int rsa_compute(struct rsa_bn *b, BN_CTX *bc)
{
	if (!(b->n = BN_new()) || !(b->d = BN_new()) || !(b->dp = BN_new()) || !(b->dq = BN_new()) ||
	    !(b->u = BN_new()) || !(b->t1 = BN_new()) || !(b->t2 = BN_new()) || !(b->phi = BN_new()))
		return -1;
	if (BN_check_prime(b->p, bc, NULL) != 1 || BN_check_prime(b->q, bc, NULL) != 1 ||
	    BN_mul(b->n, b->p, b->q, bc) != 1 || BN_sub(b->t1, b->p, BN_value_one()) != 1 ||
	    BN_sub(b->t2, b->q, BN_value_one()) != 1 || BN_mul(b->phi, b->t1, b->t2, bc) != 1)
		return -1;
	if (BN_mod_inverse(b->d, b->e, b->phi, bc) == NULL || BN_mod_inverse(b->dp, b->e, b->t1, bc) == NULL ||
	    BN_mod_inverse(b->dq, b->e, b->t2, bc) == NULL || BN_mod_inverse(b->u, b->q, b->p, bc) == NULL)
		return -1;
	return 0;
}

EVP_PKEY *cs_pgp_import_rsa(const struct cs_pgp_alg *alg, const struct cs_pgp_parts *parts)
{
	struct rsa_bn b;
	BN_CTX *bc = BN_CTX_new();
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	EVP_PKEY *k = NULL;

	memset(&b, 0, sizeof(b));
	if (bc == NULL || bld == NULL || !parts->v[P_E] || !parts->v[P_P] || !parts->v[P_Q])
		goto out;
	b.e = BN_bin2bn(parts->v[P_E], (int)parts->len[P_E], NULL);
	b.p = BN_bin2bn(parts->v[P_P], (int)parts->len[P_P], NULL);
	b.q = BN_bin2bn(parts->v[P_Q], (int)parts->len[P_Q], NULL);
	if (!b.e || !b.p || !b.q || !BN_is_odd(b.e) || BN_num_bits(b.e) < 2 || rsa_compute(&b, bc) < 0)
		goto out;
	if ((unsigned)BN_num_bits(b.n) != alg->rsa_bits || !matches(parts, P_U, b.u) ||
	    !matches(parts, P_DP, b.dp) || !matches(parts, P_DQ, b.dq) || !matches(parts, P_N, b.n))
		goto out;
	if (OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, b.n) != 1 ||
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, b.e) != 1 ||
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_D, b.d) != 1 ||
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_FACTOR1, b.p) != 1 ||
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_FACTOR2, b.q) != 1 ||
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_EXPONENT1, b.dp) != 1 ||
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_EXPONENT2, b.dq) != 1 ||
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_COEFFICIENT1, b.u) != 1)
		goto out;
	k = from_params("RSA", bld);
out:
	rsa_bn_free(&b);
	BN_CTX_free(bc);
	OSSL_PARAM_BLD_free(bld);
	return k;
}

/* A NIST curve key from the private scalar D (public key computed). */
static EVP_PKEY *import_nist(enum cs_pgp_kind kind, const uint8_t *d, size_t n)
{
	EC_GROUP *g = EC_GROUP_new_by_curve_name(kind == PGP_KIND_P256 ? NID_X9_62_prime256v1 : NID_secp384r1);
	EC_POINT *pub = g ? EC_POINT_new(g) : NULL;
	BIGNUM *priv = BN_bin2bn(d, (int)n, NULL);
	BN_CTX *bc = BN_CTX_new();
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	EVP_PKEY *k = NULL;
	uint8_t pt[97];
	size_t ptlen;

	if (!pub || !priv || !bc || !bld || BN_is_zero(priv) || BN_cmp(priv, EC_GROUP_get0_order(g)) >= 0 ||
	    EC_POINT_mul(g, pub, priv, NULL, NULL, bc) != 1)
		goto out;
	ptlen = EC_POINT_point2oct(g, pub, POINT_CONVERSION_UNCOMPRESSED, pt, sizeof(pt), bc);
	if (ptlen == 0 ||
	    OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
					    kind == PGP_KIND_P256 ? "P-256" : "P-384", 0) != 1 ||
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, priv) != 1 ||
	    OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pt, ptlen) != 1)
		goto out;
	k = from_params("EC", bld);
out:
	OSSL_PARAM_BLD_free(bld);
	BN_CTX_free(bc);
	BN_clear_free(priv);
	EC_POINT_free(pub);
	EC_GROUP_free(g);
	return k;
}

/* The optional public key (99) must be the one of the imported private key. */
static bool pub_matches(EVP_PKEY *k, const struct cs_pgp_parts *parts)
{
	struct cs_buf tpl;
	const uint8_t *pt = parts->v[P_PUB];
	size_t n = parts->len[P_PUB];
	bool ok;

	if (pt == NULL)
		return true;
	if (n == 33 && pt[0] == 0x40) /* 25519 keys with OpenPGP's native-point prefix */
		pt++, n--;
	cs_buf_init(&tpl);
	/* The template is 86 LEN POINT; LEN is one byte for every supported curve. */
	ok = cs_pgp_crypto_pubkey(k, &tpl) == 0 && tpl.len == n + 2 && memcmp(tpl.data + 2, pt, n) == 0;
	cs_buf_free(&tpl);
	return ok;
}

EVP_PKEY *cs_pgp_import_ec(const struct cs_pgp_alg *alg, const struct cs_pgp_parts *parts)
{
	size_t fb = alg->kind == PGP_KIND_P384 ? 48 : 32, i;
	uint8_t d[48];
	EVP_PKEY *k = NULL;

	/* The private key, right-aligned in the field size (leading zeros may be missing). */
	if (parts->v[P_P] == NULL || parts->len[P_P] == 0 || parts->len[P_P] > fb)
		return NULL;
	memset(d, 0, sizeof(d));
	memcpy(d + fb - parts->len[P_P], parts->v[P_P], parts->len[P_P]);
	switch (alg->kind) {
	case PGP_KIND_P256:
	case PGP_KIND_P384: k = import_nist(alg->kind, d, fb); break;
	case PGP_KIND_ED25519: k = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, d, 32); break;
	case PGP_KIND_X25519:
		/* OpenPGP keeps the X25519 secret big-endian: the reverse of RFC 7748's order. */
		for (i = 0; i < 16; i++) {
			uint8_t t = d[i];

			d[i] = d[31 - i];
			d[31 - i] = t;
		}
		k = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, d, 32);
		break;
	default: break;
	}
	OPENSSL_cleanse(d, sizeof(d));
	if (k != NULL && !pub_matches(k, parts)) {
		EVP_PKEY_free(k);
		k = NULL;
	}
	return k;
}
