/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * src/sigcheck.c: a card's signature is checked with the key's public key before it is
 * returned. Nothing the module believes about a key (its certificate, its public key read
 * from the card or the card cache's metadata) can then make it hand out a signature by
 * another key, and a card that computes a wrong signature (a fault) is caught: both are
 * CKR_DEVICE_ERROR with a log line, never a bad signature.
 */
#include "config.h"

#include "src/tsr.h"

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/rsa.h>

/* RSA: SIG^e mod n must be EM, the block the card was given. */
static bool
tsr_sigcheck_rsa (EVP_PKEY *pub, const uint8_t *em, size_t k, const uint8_t *sig, size_t sig_len)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey (tsr_ossl (), pub, NULL);
	uint8_t out[512];
	size_t out_len = sizeof out;
	bool ok = false;

	if (ctx != NULL && sig_len == k && k <= sizeof out && EVP_PKEY_verify_recover_init (ctx) > 0 &&
	    EVP_PKEY_CTX_set_rsa_padding (ctx, RSA_NO_PADDING) > 0 &&
	    EVP_PKEY_verify_recover (ctx, out, &out_len, sig, sig_len) > 0)
		ok = out_len == k && CRYPTO_memcmp (out, em, k) == 0;
	EVP_PKEY_CTX_free (ctx);
	return ok;
}

/* ECDSA: r||s over HASH. */
static bool
tsr_sigcheck_ecdsa (EVP_PKEY *pub, const uint8_t *hash, size_t hash_len, const uint8_t *sig, size_t sig_len)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey (tsr_ossl (), pub, NULL);
	ECDSA_SIG *es = ECDSA_SIG_new ();
	BIGNUM *r = NULL, *s = NULL;
	unsigned char *der = NULL;
	int der_len = -1;
	bool ok = false;

	if (ctx == NULL || es == NULL || sig_len == 0 || sig_len % 2 != 0)
		goto out;
	r = BN_bin2bn (sig, (int)(sig_len / 2), NULL);
	s = BN_bin2bn (sig + sig_len / 2, (int)(sig_len / 2), NULL);
	if (r == NULL || s == NULL || !ECDSA_SIG_set0 (es, r, s))
		goto out;
	r = s = NULL;
	der_len = i2d_ECDSA_SIG (es, &der);
	ok = der_len > 0 && EVP_PKEY_verify_init (ctx) > 0 &&
	     EVP_PKEY_verify (ctx, der, (size_t)der_len, hash, hash_len) == 1;
out:
	BN_free (r);
	BN_free (s);
	OPENSSL_free (der);
	ECDSA_SIG_free (es);
	EVP_PKEY_CTX_free (ctx);
	return ok;
}

/* EdDSA (pure Ed25519): SIG over the whole message MSG. */
static bool
tsr_sigcheck_eddsa (EVP_PKEY *pub, const uint8_t *msg, size_t msg_len, const uint8_t *sig, size_t sig_len)
{
	static const uint8_t empty[1];
	EVP_MD_CTX *ctx = EVP_MD_CTX_new ();
	bool ok;

	ok = ctx != NULL && EVP_DigestVerifyInit_ex (ctx, NULL, NULL, tsr_ossl (), NULL, pub, NULL) == 1 &&
	     EVP_DigestVerify (ctx, sig, sig_len, msg != NULL ? msg : empty, msg_len) == 1;
	EVP_MD_CTX_free (ctx);
	return ok;
}

/* RSA PKCS #1 v1.5 made by the card's padding: SIG must verify over IN (no hash named:
 * the recovered block, its type 1 padding removed, is IN itself). */
static bool
tsr_sigcheck_rsa_pkcs1 (EVP_PKEY *pub, const uint8_t *in, size_t in_len, const uint8_t *sig, size_t sig_len)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey (tsr_ossl (), pub, NULL);
	bool ok;

	ok = ctx != NULL && sig_len == (size_t)EVP_PKEY_get_size (pub) && EVP_PKEY_verify_init (ctx) > 0 &&
	     EVP_PKEY_CTX_set_rsa_padding (ctx, RSA_PKCS1_PADDING) > 0 &&
	     EVP_PKEY_verify (ctx, sig, sig_len, in, in_len) == 1;
	EVP_PKEY_CTX_free (ctx);
	return ok;
}

static CK_RV
tsr_sigcheck_result (const struct tsr_object *key, bool ok)
{
	if (ok)
		return CKR_OK;
	tsr_log ("p11", "key %02X: the card's signature does not verify with the key's public key: "
	         "withheld (another key in the slot, or a card fault)", key->key_ref);
	return CKR_DEVICE_ERROR;
}

CK_RV
tsr_sigcheck (const struct tsr_object *key, const uint8_t *in, size_t in_len, const uint8_t *sig, size_t sig_len)
{
	bool ok;

	if (key->pub == NULL)
		return CKR_OK;   /* no public key known: nothing to check against */
	if (key->key_type == CKK_RSA)
		ok = tsr_sigcheck_rsa (key->pub, in, in_len, sig, sig_len);
	else if (key->key_type == CKK_EC_EDWARDS)
		ok = tsr_sigcheck_eddsa (key->pub, in, in_len, sig, sig_len);
	else
		ok = tsr_sigcheck_ecdsa (key->pub, in, in_len, sig, sig_len);
	return tsr_sigcheck_result (key, ok);
}

CK_RV
tsr_sigcheck_pkcs1 (const struct tsr_object *key, const uint8_t *in, size_t in_len, const uint8_t *sig,
                    size_t sig_len)
{
	if (key->pub == NULL)
		return CKR_OK;
	return tsr_sigcheck_result (key, tsr_sigcheck_rsa_pkcs1 (key->pub, in, in_len, sig, sig_len));
}
