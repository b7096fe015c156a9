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

CK_RV
tsr_sigcheck (const struct tsr_object *key, const uint8_t *in, size_t in_len, const uint8_t *sig, size_t sig_len)
{
	bool ok;

	if (key->pub == NULL)
		return CKR_OK;   /* no public key known: nothing to check against */
	ok = key->key_type == CKK_RSA ? tsr_sigcheck_rsa (key->pub, in, in_len, sig, sig_len)
	                              : tsr_sigcheck_ecdsa (key->pub, in, in_len, sig, sig_len);
	if (ok)
		return CKR_OK;
	tsr_log ("p11", "key %02X: the card's signature does not verify with the key's public key: "
	         "withheld (another key in the slot, or a card fault)", key->key_ref);
	return CKR_DEVICE_ERROR;
}
