/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * apdu/openpgp-import.c: key import into the OpenPGP card (3.4, 4.4.3.12): PUT
 * DATA (odd INS DB, 3F FF) of the extended header list 4D { control reference
 * template, 7F48 { the components' tags and lengths }, 5F48 { the components } }
 * in the import format of the slot's attributes: RSA e p q, with 1/q mod p, dp, dq
 * (CRT formats) and n (formats with modulus); EC the private key, and the public
 * key when the attributes end in FF. Then the host's fingerprint and date.
 */
#include "config.h"

#include "apdu/openpgp-int.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>

#include "apdu/buf.h"
#include "apdu/log.h"
#include "apdu/ossl.h"
#include "apdu/tlv.h"

#define NPARTS 8

/* The components in order, each with its tag, in DATA. */
struct parts {
	uint8_t tag[NPARTS];
	size_t len[NPARTS];
	size_t count;
	struct apdu_buf data;
};

static void
add_part (struct parts *pt, uint8_t tag, const uint8_t *v, size_t len)
{
	pt->tag[pt->count] = tag;
	pt->len[pt->count] = len;
	pt->count++;
	apdu_buf_add (&pt->data, v, len);
}

/* BN as exactly LEN bytes (left-padded); 0 when it does not fit. */
static int
add_bn (struct parts *pt, uint8_t tag, const BIGNUM *bn, size_t len)
{
	uint8_t *p = apdu_buf_reserve (&pt->data, len);

	if (p == NULL || BN_bn2binpad (bn, p, (int)len) < 0)
		return 0;
	pt->data.len += len;
	pt->tag[pt->count] = tag;
	pt->len[pt->count] = len;
	pt->count++;
	return 1;
}

static card_rv
rsa_parts (const struct opgp_algo *algo, const struct opgp_key_parts *k, struct parts *pt)
{
	BIGNUM *e = BN_bin2bn (k->e, (int)k->e_len, NULL), *p = BN_bin2bn (k->p, (int)k->p_len, NULL);
	BIGNUM *q = BN_bin2bn (k->q, (int)k->q_len, NULL), *n = BN_new (), *t = BN_new ();
	BIGNUM *u = BN_new (), *dp = BN_new (), *dq = BN_new ();
	BN_CTX *bc = BN_CTX_new_ex (apdu_libctx ());
	size_t half = algo->rsa_bits / 16, elen = (algo->rsa_e_bits + 7) / 8;
	int crt = algo->rsa_format >= 2, with_n = algo->rsa_format & 1, ok = 0;

	if (!e || !p || !q || !n || !t || !u || !dp || !dq || !bc || BN_is_zero (e) || BN_is_zero (p) ||
	    BN_is_zero (q) || BN_mul (n, p, q, bc) != 1 || (unsigned)BN_num_bits (n) != algo->rsa_bits)
		goto out;
	if (!add_bn (pt, 0x91, e, elen) || !add_bn (pt, 0x92, p, half) || !add_bn (pt, 0x93, q, half))
		goto out;
	if (crt) {
		if (BN_mod_inverse (u, q, p, bc) == NULL || BN_sub (t, p, BN_value_one ()) != 1 ||
		    BN_mod_inverse (dp, e, t, bc) == NULL || BN_sub (t, q, BN_value_one ()) != 1 ||
		    BN_mod_inverse (dq, e, t, bc) == NULL || !add_bn (pt, 0x94, u, half) ||
		    !add_bn (pt, 0x95, dp, half) || !add_bn (pt, 0x96, dq, half))
			goto out;
	}
	if (with_n && !add_bn (pt, 0x97, n, algo->rsa_bits / 8))
		goto out;
	ok = 1;
out:
	BN_clear_free (p), BN_clear_free (q), BN_clear_free (u), BN_clear_free (dp), BN_clear_free (dq);
	BN_clear_free (t), BN_free (e), BN_free (n);
	BN_CTX_free (bc);
	return ok ? CARD_OK : CARD_E_INVALID_DATA;
}

/* The public key of a NIST or brainpool private key D (uncompressed point). */
static card_rv
ec_public (enum opgp_curve curve, const uint8_t *d, size_t len, uint8_t *pt, size_t *pt_len)
{
	static const int nids[] = { [OPGP_CURVE_P256] = NID_X9_62_prime256v1, [OPGP_CURVE_P384] = NID_secp384r1,
		[OPGP_CURVE_P521] = NID_secp521r1, [OPGP_CURVE_BP256] = NID_brainpoolP256r1,
		[OPGP_CURVE_BP384] = NID_brainpoolP384r1, [OPGP_CURVE_BP512] = NID_brainpoolP512r1 };
	EC_GROUP *g = EC_GROUP_new_by_curve_name_ex (apdu_libctx (), NULL, nids[curve]);
	EC_POINT *pub = g ? EC_POINT_new (g) : NULL;
	BIGNUM *priv = BN_bin2bn (d, (int)len, NULL);
	card_rv rv = CARD_E_INVALID_DATA;

	if (pub && priv && !BN_is_zero (priv) && BN_cmp (priv, EC_GROUP_get0_order (g)) < 0 &&
	    EC_POINT_mul (g, pub, priv, NULL, NULL, NULL) == 1) {
		*pt_len = EC_POINT_point2oct (g, pub, POINT_CONVERSION_UNCOMPRESSED, pt, *pt_len, NULL);
		rv = *pt_len > 0 ? CARD_OK : CARD_E_INVALID_DATA;
	}
	BN_clear_free (priv);
	EC_POINT_free (pub);
	EC_GROUP_free (g);
	return rv;
}

static card_rv
ec_parts (const struct opgp_algo *algo, const struct opgp_key_parts *k, struct parts *pt)
{
	size_t bytes = opgp_curve_bytes (algo->curve), plen = 133, i, dl = k->d_len;
	int raw = algo->curve == OPGP_CURVE_ED25519 || algo->curve == OPGP_CURVE_X25519;
	const uint8_t *dv = k->d;
	uint8_t d[66], pub[133];
	EVP_PKEY *pk = NULL;
	card_rv rv = CARD_E_INVALID_DATA;

	memset (d, 0, sizeof d);
	/* A scalar may come with leading zeros or without them; 25519 keys are 32 bytes. */
	while (!raw && dv != NULL && dl > bytes && dv[0] == 0)
		dv++, dl--;
	if (bytes == 0 || bytes > sizeof d || dv == NULL || dl == 0 || dl > bytes || (raw && dl != 32))
		goto out;
	memcpy (d + bytes - dl, dv, dl);
	if (raw) {
		pk = EVP_PKEY_new_raw_private_key_ex (apdu_libctx (), algo->curve == OPGP_CURVE_ED25519 ?
		                                      "ED25519" : "X25519", NULL, d, 32);
		plen = 32;
		if (pk == NULL || EVP_PKEY_get_raw_public_key (pk, pub, &plen) != 1)
			goto out;
	} else if (algo->ec_import_pub && ec_public (algo->curve, d, bytes, pub, &plen) != CARD_OK) {
		goto out;
	}
	if (algo->curve == OPGP_CURVE_X25519) {
		/* OpenPGP keeps the X25519 private key big-endian: RFC 7748's order reversed. */
		for (i = 0; i < 16; i++) {
			uint8_t c = d[i];

			d[i] = d[31 - i];
			d[31 - i] = c;
		}
	}
	add_part (pt, 0x92, d, bytes);
	if (algo->ec_import_pub)
		add_part (pt, 0x99, pub, plen);
	rv = CARD_OK;
out:
	OPENSSL_cleanse (d, sizeof d);
	EVP_PKEY_free (pk);
	return rv;
}

/* 4D { CRT 00, 7F48 { tags and lengths }, 5F48 { data } } into OUT. */
static void
build_4d (enum opgp_key key, const struct parts *pt, struct apdu_buf *out)
{
	size_t m4d, m7f48, i;

	m4d = tlv_begin (out, 0x4D);
	apdu_buf_add_byte (out, opgp_crt (key));
	apdu_buf_add_byte (out, 0x00);
	m7f48 = tlv_begin (out, 0x7F48);
	for (i = 0; i < pt->count; i++) {
		tlv_put_tag (out, pt->tag[i]);
		tlv_put_len (out, pt->len[i]);
	}
	tlv_end (out, m7f48);
	tlv_put (out, 0x5F48, pt->data.data, pt->data.len);
	tlv_end (out, m4d);
}

card_rv
opgp_import_key (struct card *card, struct opgp *o, enum opgp_key key, const struct opgp_key_parts *parts,
                 uint32_t timestamp)
{
	const struct opgp_algo *algo;
	struct parts pt;
	struct apdu_buf tpl;
	uint8_t *spki = NULL;
	size_t spki_len = 0;
	card_rv rv;

	assert (card != NULL && o != NULL && parts != NULL);
	if ((unsigned)key >= OPGP_NKEYS)
		return CARD_E_INVALID_DATA;
	if (!(o->ard.caps.flags & OPGP_CAP_KEY_IMPORT))
		return CARD_E_NOT_SUPPORTED;
	algo = &o->ard.algo[key];
	memset (&pt, 0, sizeof pt);
	apdu_buf_init (&pt.data);
	apdu_buf_init (&tpl);
	if (algo->id == OPGP_ALGO_RSA)
		rv = parts->e && parts->p && parts->q ? rsa_parts (algo, parts, &pt) : CARD_E_INVALID_DATA;
	else
		rv = algo->curve != OPGP_CURVE_NONE ? ec_parts (algo, parts, &pt) : CARD_E_NOT_SUPPORTED;
	if (rv != CARD_OK)
		goto out;
	build_4d (key, &pt, &tpl);
	rv = CARD_E_NO_MEMORY;
	if (apdu_buf_failed (&pt.data) || apdu_buf_failed (&tpl))
		goto out;
	rv = opgp_put_data (card, o, 0x3FFF, 1, tpl.data, tpl.len, 1);
	if (rv == CARD_OK)
		rv = opgp_read_pubkey (card, o, key, &spki, &spki_len);
	if (rv == CARD_OK)
		rv = opgp_store_fingerprint (card, o, key, spki, spki_len, timestamp);
	if (rv == CARD_OK)
		rv = opgp_refresh (card, o);
out:
	free (spki);
	apdu_buf_clear (&pt.data);
	apdu_buf_clear (&tpl);
	return rv;
}
