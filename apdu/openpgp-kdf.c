/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * apdu/openpgp-kdf.c: the KDF-DO (F9, OpenPGP card 3.3+, 4.3.2) and PIN
 * derivation: with KDF_ITERSALTED_S2K (81 = 03) the host sends, instead of a PIN,
 * the OpenPGP iterated and salted S2K (RFC 4880 3.7.1.3) of it: the hash (82: 08
 * SHA-256, 0A SHA-512) over salt || PIN repeated until the iteration count (83)
 * of octets is hashed. Salts: 84 for PW1, 85 for the resetting code, 86 for PW3
 * (85 and 86 may be absent: then 84 serves them too).
 */
#include "config.h"

#include "apdu/openpgp.h"

#include <assert.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>

#include "apdu/log.h"
#include "apdu/ossl.h"
#include "apdu/tlv.h"

#define KDF_NONE 0x00
#define KDF_ITERSALTED_S2K 0x03
/* A card asking for more than this many octets hashed is not believed (GnuPG's largest
 * encodable S2K count). */
#define KDF_MAX_ITERATIONS 65011712u

card_rv
opgp_parse_kdf (const uint8_t *data, size_t len, struct opgp_kdf *out)
{
	struct tlv t, alg;
	int i;

	assert (out != NULL);
	memset (out, 0, sizeof *out);
	if (data == NULL || len == 0)
		return CARD_OK;
	if (tlv_expect (data, len, 0xF9, 0, &t) == TLV_OK) {
		data = t.value;
		len = t.len;
	}
	if (tlv_find (data, len, 0x81, &alg) != TLV_OK || alg.len != 1)
		return CARD_E_BAD_RESPONSE;
	if (alg.value[0] == KDF_NONE)
		return CARD_OK;
	if (alg.value[0] != KDF_ITERSALTED_S2K || tlv_find (data, len, 0x82, &t) != TLV_OK || t.len != 1)
		return CARD_E_NOT_SUPPORTED;
	if (t.value[0] == 0x08)
		out->md_nid = NID_sha256;
	else if (t.value[0] == 0x0A)
		out->md_nid = NID_sha512;
	else
		return CARD_E_NOT_SUPPORTED;
	if (tlv_find (data, len, 0x83, &t) != TLV_OK || t.len != 4)
		return CARD_E_BAD_RESPONSE;
	out->iterations = (uint32_t)t.value[0] << 24 | (uint32_t)t.value[1] << 16 |
	                  (uint32_t)t.value[2] << 8 | t.value[3];
	if (out->iterations > KDF_MAX_ITERATIONS)
		return CARD_E_BAD_RESPONSE;
	for (i = 0; i < 3; i++) {
		if (tlv_find (data, len, (uint32_t)(0x84 + i), &t) == TLV_OK && t.len == 8)
			memcpy (out->salt[i], t.value, 8);
		else if (i == 0)
			return CARD_E_BAD_RESPONSE;
		else
			memcpy (out->salt[i], out->salt[0], 8);
	}
	out->on = 1;
	return CARD_OK;
}

/* The S2K itself: COUNT octets of SALT || PIN (at least one whole copy) through MD. */
static card_rv
s2k (const struct opgp_kdf *kdf, const uint8_t salt[8], const uint8_t *pin, size_t len,
     uint8_t out[OPGP_PW_BUF], size_t *out_len)
{
	EVP_MD *md = EVP_MD_fetch (apdu_libctx (), kdf->md_nid == NID_sha512 ? "SHA512" : "SHA256", NULL);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new ();
	size_t total = kdf->iterations, unit = 8 + len, done = 0, n;
	unsigned int mdlen = 0;
	card_rv rv = CARD_E_INTERNAL;

	if (md == NULL || ctx == NULL || EVP_DigestInit_ex2 (ctx, md, NULL) != 1)
		goto out;
	if (total < unit)
		total = unit;
	while (done < total) {
		n = total - done < 8 ? total - done : 8;
		if (EVP_DigestUpdate (ctx, salt, n) != 1)
			goto out;
		done += n;
		n = total - done < len ? total - done : len;
		if (n > 0 && EVP_DigestUpdate (ctx, pin, n) != 1)
			goto out;
		done += n;
	}
	if (EVP_DigestFinal_ex (ctx, out, &mdlen) != 1)
		goto out;
	*out_len = mdlen;
	rv = CARD_OK;
out:
	EVP_MD_CTX_free (ctx);
	EVP_MD_free (md);
	return rv;
}

card_rv
opgp_kdf_derive (const struct opgp_kdf *kdf, uint8_t ref, const uint8_t *pin, size_t len,
                 uint8_t out[OPGP_PW_BUF], size_t *out_len)
{
	int which;

	assert (kdf != NULL && out != NULL && out_len != NULL);
	*out_len = 0;
	if (pin == NULL && len > 0)
		return CARD_E_INVALID_DATA;
	if (len >= OPGP_PW_BUF)
		return CARD_E_PIN_LEN;
	if (!kdf->on) {
		memcpy (out, pin, len);
		*out_len = len;
		return CARD_OK;
	}
	which = ref == 0x83 ? 2 : ref == 0 ? 1 : 0;
	return s2k (kdf, kdf->salt[which], pin, len, out, out_len);
}
