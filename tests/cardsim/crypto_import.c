/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* crypto_import.c: private keys from the YubiKey IMPORT ASYMMETRIC KEY components. */
#include "config.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>

#include "card.h"
#include "crypto.h"

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

/* Checks the CRT parts against e = 65537: e * dp = 1 mod p-1, same for q. */
static bool crt_ok(const BIGNUM *e, const BIGNUM *pm1, const BIGNUM *dp, BN_CTX *bc)
{
	BIGNUM *r = BN_new();
	bool ok = r != NULL && BN_mod_mul(r, e, dp, pm1, bc) == 1 && BN_is_one(r);

	BN_free(r);
	return ok;
}

EVP_PKEY *cs_crypto_import_rsa(uint8_t alg, const uint8_t *const part[5], const size_t len[5])
{
	BIGNUM *bn[5] = { NULL }, *n = BN_new(), *e = BN_new(), *d = BN_new(), *phi = BN_new();
	BIGNUM *pm1 = BN_new(), *qm1 = BN_new();
	BN_CTX *bc = BN_CTX_new();
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	EVP_PKEY *k = NULL;
	int i;

	if (!n || !e || !d || !phi || !pm1 || !qm1 || !bc || !bld || BN_set_word(e, 65537) != 1)
		goto out;
	for (i = 0; i < 5; i++)
		if ((bn[i] = BN_bin2bn(part[i], (int)len[i], NULL)) == NULL || BN_is_zero(bn[i]))
			goto out;
	if (BN_mul(n, bn[0], bn[1], bc) != 1 || (unsigned)BN_num_bits(n) != cs_alg_rsa_bits(alg) ||
	    BN_sub(pm1, bn[0], BN_value_one()) != 1 || BN_sub(qm1, bn[1], BN_value_one()) != 1 ||
	    BN_mul(phi, pm1, qm1, bc) != 1 || BN_mod_inverse(d, e, phi, bc) == NULL ||
	    !crt_ok(e, pm1, bn[2], bc) || !crt_ok(e, qm1, bn[3], bc))
		goto out;
	if (OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) != 1 ||
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e) != 1 ||
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_D, d) != 1 ||
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_FACTOR1, bn[0]) != 1 ||
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_FACTOR2, bn[1]) != 1 ||
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_EXPONENT1, bn[2]) != 1 ||
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_EXPONENT2, bn[3]) != 1 ||
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_COEFFICIENT1, bn[4]) != 1)
		goto out;
	k = from_params("RSA", bld);
out:
	for (i = 0; i < 5; i++)
		BN_clear_free(bn[i]);
	BN_free(n);
	BN_free(e);
	BN_clear_free(d);
	BN_clear_free(phi);
	BN_clear_free(pm1);
	BN_clear_free(qm1);
	BN_CTX_free(bc);
	OSSL_PARAM_BLD_free(bld);
	return k;
}

EVP_PKEY *cs_crypto_import_ec(uint8_t alg, const uint8_t *d, size_t n)
{
	int nid = alg == ALG_ECCP256 ? NID_X9_62_prime256v1 : NID_secp384r1;
	EC_GROUP *g = EC_GROUP_new_by_curve_name(nid);
	EC_POINT *pub = g ? EC_POINT_new(g) : NULL;
	BIGNUM *priv = BN_bin2bn(d, (int)n, NULL);
	BN_CTX *bc = BN_CTX_new();
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	EVP_PKEY *k = NULL;
	uint8_t pt[133];
	size_t ptlen;

	if (!cs_alg_is_ec(alg) || n != cs_alg_ec_bytes(alg) || !pub || !priv || !bc || !bld)
		goto out;
	if (BN_is_zero(priv) || BN_cmp(priv, EC_GROUP_get0_order(g)) >= 0 ||
	    EC_POINT_mul(g, pub, priv, NULL, NULL, bc) != 1)
		goto out;
	ptlen = EC_POINT_point2oct(g, pub, POINT_CONVERSION_UNCOMPRESSED, pt, sizeof(pt), bc);
	if (ptlen == 0 ||
	    OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
					    alg == ALG_ECCP256 ? "P-256" : "P-384", 0) != 1 ||
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
