/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * apdu/test-openpgp-util.c: helpers of the OpenPGP library tests.
 */
#include "config.h"

#include "apdu/test-openpgp.h"

#include <check.h>
#include <stdlib.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "apdu/ossl.h"

struct card *
to_open (const struct reader_ops *ops, const char *name)
{
	struct card *card = calloc (1, sizeof *card);

	ck_assert_ptr_nonnull (card);
	ck_assert_int_eq (apdu_ossl_ref (), CARD_OK);
	card->reader = ops;
	ck_assert_int_eq (ops->connect (name, &card->conn), READER_OK);
	ck_assert_int_eq (ops->begin (card->conn), READER_OK);
	card->in_transaction = 1;
	card->extended = 1;   /* as an ATR announcing extended APDUs leaves it: opgp_open decides */
	return card;
}

void
to_close (struct card *card)
{
	card_close (card);   /* ends the transaction, disconnects, drops the OpenSSL reference */
}

EVP_PKEY *
to_spki_key (const uint8_t *spki, size_t len)
{
	const unsigned char *p = spki;
	EVP_PKEY *key = d2i_PUBKEY (NULL, &p, (long)len);

	ck_assert_ptr_nonnull (key);
	ck_assert_ptr_eq (p, spki + len);
	return key;
}

void
to_assert_rsa_sig (EVP_PKEY *key, const uint8_t *in, size_t len, const uint8_t *sig, size_t sig_len)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new (key, NULL);
	uint8_t out[512];
	size_t n = sizeof out;

	ck_assert_uint_eq (sig_len, (size_t)EVP_PKEY_get_size (key));
	ck_assert_int_eq (EVP_PKEY_verify_recover_init (ctx), 1);
	ck_assert_int_eq (EVP_PKEY_CTX_set_rsa_padding (ctx, RSA_PKCS1_PADDING), 1);
	ck_assert_int_eq (EVP_PKEY_verify_recover (ctx, out, &n, sig, sig_len), 1);
	ck_assert_uint_eq (n, len);
	ck_assert_mem_eq (out, in, len);
	EVP_PKEY_CTX_free (ctx);
}

void
to_assert_ecdsa_sig (EVP_PKEY *key, const uint8_t *hash, size_t len, const uint8_t *sig, size_t sig_len)
{
	ECDSA_SIG *s = ECDSA_SIG_new ();
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new (key, NULL);
	unsigned char *der = NULL;
	int n;

	ck_assert_int_eq (ECDSA_SIG_set0 (s, BN_bin2bn (sig, (int)sig_len / 2, NULL),
	                                  BN_bin2bn (sig + sig_len / 2, (int)sig_len / 2, NULL)), 1);
	n = i2d_ECDSA_SIG (s, &der);
	ck_assert_int_gt (n, 0);
	ck_assert_int_eq (EVP_PKEY_verify_init (ctx), 1);
	ck_assert_int_eq (EVP_PKEY_verify (ctx, der, (size_t)n, hash, len), 1);
	OPENSSL_free (der);
	ECDSA_SIG_free (s);
	EVP_PKEY_CTX_free (ctx);
}

void
to_assert_ed25519_sig (EVP_PKEY *key, const uint8_t *msg, size_t len, const uint8_t *sig, size_t sig_len)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new ();

	ck_assert_uint_eq (sig_len, 64);
	ck_assert_int_eq (EVP_DigestVerifyInit (md, NULL, NULL, NULL, key), 1);
	ck_assert_int_eq (EVP_DigestVerify (md, sig, sig_len, msg, len), 1);
	EVP_MD_CTX_free (md);
}

size_t
to_derive (EVP_PKEY *priv, EVP_PKEY *peer, uint8_t *out, size_t size)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new (priv, NULL);
	size_t n = size;

	ck_assert_int_eq (EVP_PKEY_derive_init (ctx), 1);
	ck_assert_int_eq (EVP_PKEY_derive_set_peer (ctx, peer), 1);
	ck_assert_int_eq (EVP_PKEY_derive (ctx, out, &n), 1);
	EVP_PKEY_CTX_free (ctx);
	return n;
}
