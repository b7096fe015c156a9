/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * apdu/piv-admin.c: card management key (9B) mutual authentication.
 *
 *   host → 7C { 80 00 }                  card → 7C { 80 E(K, witness) }
 *   host → 7C { 80 witness, 81 challenge } card → 7C { 82 E(K, challenge) }
 *
 * The host proves the key by decrypting the witness, the card by encrypting
 * the challenge, which the host checks. Block cipher in ECB: 3DES (03),
 * AES-128 (08), AES-192 (0A), AES-256 (0C). The algorithm comes from YubiKey
 * metadata when the card has it, else from the key length; a 24-byte key is
 * tried as 3DES first, then as AES-192 when the card refuses the algorithm.
 */
#include "config.h"

#include "apdu/piv.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "apdu/buf.h"
#include "apdu/log.h"
#include "apdu/ossl.h"
#include "apdu/tlv.h"

#define ADMIN_MAX_BLOCK 16

/* The OpenSSL name of the block cipher in ECB for ALG with a KEY_LEN-byte key, or NULL. */
static const char *
admin_cipher (uint8_t alg, size_t key_len)
{
	switch (alg) {
	case PIV_ALG_3DES: return key_len == 24 ? "DES-EDE3-ECB" : NULL;
	case PIV_ALG_AES128: return key_len == 16 ? "AES-128-ECB" : NULL;
	case PIV_ALG_AES192: return key_len == 24 ? "AES-192-ECB" : NULL;
	case PIV_ALG_AES256: return key_len == 32 ? "AES-256-ECB" : NULL;
	default: return NULL;
	}
}

/* One block (LEN = the cipher's block size) in ECB, no padding. */
static card_rv
ecb_block (const EVP_CIPHER *cipher, const uint8_t *key, int encrypt,
           const uint8_t *in, size_t len, uint8_t *out)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new ();
	int n = 0, fin = 0;
	card_rv rv = CARD_E_INTERNAL;

	if (ctx == NULL)
		return CARD_E_NO_MEMORY;
	if (EVP_CipherInit_ex (ctx, cipher, NULL, key, NULL, encrypt) == 1 &&
	    EVP_CIPHER_CTX_set_padding (ctx, 0) == 1 &&
	    EVP_CipherUpdate (ctx, out, &n, in, (int)len) == 1 &&
	    EVP_CipherFinal_ex (ctx, out + n, &fin) == 1 && (size_t)(n + fin) == len)
		rv = CARD_OK;
	EVP_CIPHER_CTX_free (ctx);
	return rv;
}

/* Second step: return the witness, send our challenge, check the card's answer. */
static card_rv
answer_witness (struct card *card, uint8_t alg, const EVP_CIPHER *cipher, const uint8_t *key,
                const uint8_t *witness, size_t bs)
{
	uint8_t plain[ADMIN_MAX_BLOCK], challenge[ADMIN_MAX_BLOCK], expect[ADMIN_MAX_BLOCK];
	struct apdu_buf tmpl;
	uint8_t *res = NULL;
	size_t res_len = 0;
	card_rv rv;

	apdu_buf_init (&tmpl);
	rv = ecb_block (cipher, key, 0, witness, bs, plain);
	if (rv != CARD_OK)
		goto out;
	if (RAND_bytes_ex (apdu_libctx (), challenge, bs, 0) != 1) {
		rv = CARD_E_INTERNAL;
		goto out;
	}
	rv = ecb_block (cipher, key, 1, challenge, bs, expect);
	if (rv != CARD_OK)
		goto out;
	tlv_put (&tmpl, 0x80, plain, bs);
	tlv_put (&tmpl, 0x81, challenge, bs);
	if (apdu_buf_failed (&tmpl)) {
		rv = CARD_E_NO_MEMORY;
		goto out;
	}
	rv = piv_general_auth (card, alg, PIV_REF_ADMIN, tmpl.data, tmpl.len, 0x82, &res, &res_len);
	if (rv == CARD_E_SECURITY || rv == CARD_E_INVALID_DATA) {
		rv = CARD_E_AUTH_FAILED;   /* the card did not accept our witness: wrong key */
		goto out;
	}
	if (rv != CARD_OK)
		goto out;
	if (res_len != bs || CRYPTO_memcmp (res, expect, bs) != 0) {
		tsr_log ("piv", "management key: the card's answer to our challenge is wrong");
		rv = CARD_E_AUTH_FAILED;
	}
out:
	OPENSSL_cleanse (plain, sizeof plain);
	OPENSSL_cleanse (expect, sizeof expect);
	apdu_buf_clear (&tmpl);
	free (res);
	return rv;
}

static card_rv
mutual_auth (struct card *card, uint8_t alg, const uint8_t *key, size_t key_len)
{
	static const uint8_t ask_witness[] = { 0x80, 0x00 };
	const char *name = admin_cipher (alg, key_len);
	EVP_CIPHER *cipher = NULL;   /* owned: fetched from the module's context */
	uint8_t *witness = NULL;
	size_t witness_len = 0, bs;
	card_rv rv;

	if (name == NULL)
		return CARD_E_INVALID_DATA;
	cipher = EVP_CIPHER_fetch (apdu_libctx (), name, NULL);
	if (cipher == NULL) {
		tsr_log ("piv", "management key: no %s in OpenSSL", name);
		rv = CARD_E_NOT_SUPPORTED;
		goto out;
	}
	bs = (size_t)EVP_CIPHER_get_block_size (cipher);
	assert (bs <= ADMIN_MAX_BLOCK);
	rv = piv_general_auth (card, alg, PIV_REF_ADMIN, ask_witness, sizeof ask_witness, 0x80,
	                       &witness, &witness_len);
	if (rv != CARD_OK)
		goto out;
	if (witness_len != bs) {
		rv = CARD_E_BAD_RESPONSE;
		goto out;
	}
	rv = answer_witness (card, alg, cipher, key, witness, bs);
out:
	free (witness);
	EVP_CIPHER_free (cipher);
	return rv;
}

/* The algorithms to try for a key of KEY_LEN bytes, best guess first. */
static size_t
candidates (struct card *card, size_t key_len, uint8_t algs[2])
{
	struct piv_metadata meta;
	struct apdu_resp resp;
	size_t n = 0;

	memset (&resp, 0, sizeof resp);
	if (card->info.has_metadata &&
	    piv_get_metadata (card, PIV_REF_ADMIN, &resp, &meta) == CARD_OK && meta.alg != 0)
		algs[n++] = meta.alg;
	else if (piv_data (card)->admin_alg != 0)
		algs[n++] = piv_data (card)->admin_alg;
	apdu_resp_clear (&resp);
	if (n == 1 && admin_cipher (algs[0], key_len) != NULL)
		return n;
	n = 0;
	switch (key_len) {
	case 16: algs[n++] = PIV_ALG_AES128; break;
	case 24: algs[n++] = PIV_ALG_3DES; algs[n++] = PIV_ALG_AES192; break;
	case 32: algs[n++] = PIV_ALG_AES256; break;
	default: break;
	}
	return n;
}

card_rv
piv_admin_auth (struct card *card, const uint8_t *key, size_t key_len)
{
	uint8_t algs[2];
	size_t n, i;
	card_rv rv = CARD_E_INVALID_DATA;

	if (card == NULL || card->driver_data == NULL || key == NULL)
		return CARD_E_INTERNAL;
	n = candidates (card, key_len, algs);
	for (i = 0; i < n; i++) {
		rv = mutual_auth (card, algs[i], key, key_len);
		tsr_log ("piv", "management key with algorithm %02X: %s", algs[i], card_rv_name (rv));
		if (rv != CARD_E_INVALID_DATA && rv != CARD_E_NOT_SUPPORTED)
			break;
	}
	if (rv == CARD_OK)
		piv_data (card)->admin_alg = algs[i];
	return rv;
}
