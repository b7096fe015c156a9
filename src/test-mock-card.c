/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * src/test-mock-card.c: the card of the mock backend (see test-mock.h): its two
 * drivers (PIV-like, OpenPGP-like), slot tables and operations on real OpenSSL keys.
 */
#include "config.h"

#include "src/test-mock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/rsa.h>

/* The card algorithm of a mock key (the mock's own mapping, not the front end's). */
static enum card_alg
mock_alg_of (EVP_PKEY *key)
{
	static const struct { const char *group; enum card_alg alg; } curves[] = {
		{ "prime256v1", CARD_ALG_EC_P256 }, { "secp384r1", CARD_ALG_EC_P384 },
		{ "secp521r1", CARD_ALG_EC_P521 }, { "brainpoolP256r1", CARD_ALG_EC_BP256 },
		{ "brainpoolP384r1", CARD_ALG_EC_BP384 }, { "brainpoolP512r1", CARD_ALG_EC_BP512 },
	};
	char group[64] = "";
	size_t i;

	switch (EVP_PKEY_get_base_id (key)) {
	case EVP_PKEY_RSA: return EVP_PKEY_get_bits (key) == 4096 ? CARD_ALG_RSA4096 : CARD_ALG_RSA2048;
	case EVP_PKEY_ED25519: return CARD_ALG_ED25519;
	case EVP_PKEY_X25519: return CARD_ALG_X25519;
	default: break;
	}
	EVP_PKEY_get_utf8_string_param (key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, NULL);
	for (i = 0; i < sizeof curves / sizeof curves[0]; i++) {
		if (strcmp (group, curves[i].group) == 0)
			return curves[i].alg;
	}
	return CARD_ALG_NONE;
}

/* DER of X (i2d F) into a malloc'ed copy. */
#define MOCK_DER(f, x, out, out_len) do { \
	unsigned char *der_ = NULL; \
	int len_ = f ((x), &der_); \
	*(out) = len_ > 0 ? malloc ((size_t)len_) : NULL; \
	if (*(out) != NULL) memcpy (*(out), der_, (size_t)len_); \
	*(out_len) = len_ > 0 ? (size_t)len_ : 0; \
	OPENSSL_free (der_); \
} while (0)

static card_rv
mock_list_keys (struct card *card, struct card_list_hints *hints, struct card_key **keys, size_t *count)
{
	struct card_key *k = calloc ((size_t)mock.n_keys + 1, sizeof *k);
	bool pgp = mock.profile != MOCK_PROFILE_PIV;
	int i;

	(void)card;
	mock.card_calls++;
	if (k == NULL)
		return CARD_E_NO_MEMORY;
	for (i = 0; i < mock.n_keys; i++) {
		const struct mock_key *m = &mock.keys[i];
		k[i].ref = m->ref;
		k[i].has_key = 1;
		k[i].alg = mock_alg_of (m->key);
		/* PIV: as a card with metadata: lazy when asked, the slot's default policy
		 * meanwhile; OpenPGP: the card's data objects say everything at once */
		k[i].meta_known = pgp || hints == NULL || !hints->lazy_meta;
		k[i].pin_policy = k[i].meta_known ? m->pin_policy : CARD_PIN_POLICY_DEFAULT;
		k[i].origin_generated = k[i].meta_known ? m->origin_generated : -1;
		if (hints != NULL)
			CARD_REF_BIT_SET (hints->probed, k[i].ref);
		if (m->cert != NULL)
			MOCK_DER (i2d_X509, m->cert, &k[i].cert_der, &k[i].cert_len);
		else
			MOCK_DER (i2d_PUBKEY, m->key, &k[i].spki_der, &k[i].spki_len);
	}
	*keys = k;
	*count = (size_t)mock.n_keys;
	return CARD_OK;
}

void
mock_keys_free (struct card_key *keys, size_t count)
{
	size_t i;

	for (i = 0; keys != NULL && i < count; i++) {
		free (keys[i].cert_der);
		free (keys[i].spki_der);
	}
	free (keys);
}

static card_rv
mock_pin_status (struct card *card, enum card_pin which, int *verified, int *tries)
{
	(void)card;
	(void)which;
	mock.card_calls++;
	*verified = mock.pin_verified;
	*tries = mock.pin_tries;
	return CARD_OK;
}

/* The user PIN. PIV allows a PIN-always key's next operation after any VERIFY; the
 * OpenPGP-like card only after the one for it (CARD_PIN_CONTEXT: PW1 for signing). */
static card_rv
mock_verify (struct card *card, enum card_pin which, const uint8_t *pin, size_t len, int *tries)
{
	(void)card;
	mock.card_calls++;
	if (which == CARD_PIN_SO)
		return CARD_E_NOT_SUPPORTED;   /* the mock has no SO PIN */
	mock.verify_calls++;
	mock.last_verify = which;
	if (mock.pin_tries == 0)
		return CARD_E_PIN_LOCKED;
	if (len != strlen (mock.pin) || memcmp (pin, mock.pin, len) != 0) {
		*tries = --mock.pin_tries;
		mock.pin_verified = false;
		return mock.pin_tries == 0 ? CARD_E_PIN_LOCKED : CARD_E_PIN_INCORRECT;
	}
	mock.pin_tries = 3;
	mock.pin_verified = true;
	mock.always_ok = mock.profile == MOCK_PROFILE_PIV || which == CARD_PIN_CONTEXT;
	*tries = 3;
	return CARD_OK;
}

static card_rv
mock_logout (struct card *card)
{
	(void)card;
	mock.card_calls++;
	mock.pin_verified = false;
	return CARD_OK;
}

static card_rv
mock_change_pin (struct card *card, enum card_pin which, const uint8_t *o, size_t ol,
                 const uint8_t *n, size_t nl, int *tries)
{
	(void)card;
	mock.card_calls++;
	if (which != CARD_PIN_USER || nl >= sizeof mock.pin)
		return CARD_E_NOT_SUPPORTED;
	mock.change_calls++;
	if (mock.pin_tries == 0)
		return CARD_E_PIN_LOCKED;
	if (ol != strlen (mock.pin) || memcmp (o, mock.pin, ol) != 0) {
		*tries = --mock.pin_tries;
		return mock.pin_tries == 0 ? CARD_E_PIN_LOCKED : CARD_E_PIN_INCORRECT;
	}
	memcpy (mock.pin, n, nl);
	mock.pin[nl] = '\0';
	mock.pin_tries = 3;
	*tries = 3;
	return mock.change_lost;
}

/* Security checks of a private-key operation: the PIN, and PIN-always. */
static card_rv
mock_authorise (uint8_t ref, struct mock_key **key)
{
	mock_maybe_hold ();
	mock.card_calls++;
	*key = mock_key_by_ref (ref);
	if (*key == NULL)
		return CARD_E_NOT_FOUND;
	if (!mock.pin_verified)
		return CARD_E_SECURITY;
	if ((*key)->pin_policy == CARD_PIN_POLICY_ALWAYS && !mock.always_ok)
		return CARD_E_SECURITY;
	mock.always_ok = false;
	mock.private_ops++;
	return CARD_OK;
}

/* A card fault, when the test asked for one: the last byte of the result flipped. */
static void
mock_maybe_fault (uint8_t *out, size_t len)
{
	if (mock.fault && len > 0) {
		out[len - 1] ^= 0x01;
		mock.fault = false;
	}
}

/* RSA private-key operation with PAD (RSA_NO_PADDING: raw; RSA_PKCS1_PADDING: the
 * card's own signature (SIGN) or decryption padding). */
static card_rv
mock_rsa (uint8_t ref, int pad, bool sign, const uint8_t *in, size_t in_len, uint8_t *out, size_t *out_len)
{
	struct mock_key *k;
	EVP_PKEY_CTX *ctx;
	card_rv crv = mock_authorise (ref, &k);

	if (crv != CARD_OK)
		return crv;
	if (EVP_PKEY_get_base_id (k->key) != EVP_PKEY_RSA)
		return CARD_E_INVALID_DATA;
	ctx = EVP_PKEY_CTX_new (k->key, NULL);
	if (sign ? EVP_PKEY_sign_init (ctx) <= 0 || EVP_PKEY_CTX_set_rsa_padding (ctx, pad) <= 0 ||
	           EVP_PKEY_sign (ctx, out, out_len, in, in_len) <= 0
	         : EVP_PKEY_decrypt_init (ctx) <= 0 || EVP_PKEY_CTX_set_rsa_padding (ctx, pad) <= 0 ||
	           EVP_PKEY_decrypt (ctx, out, out_len, in, in_len) <= 0)
		crv = CARD_E_INVALID_DATA;
	if (crv == CARD_OK)
		mock_maybe_fault (out, *out_len);
	EVP_PKEY_CTX_free (ctx);
	return crv;
}

static card_rv
mock_rsa_raw (struct card *card, uint8_t ref, const uint8_t *in, size_t in_len, uint8_t *out, size_t *out_len)
{
	(void)card;
	return mock_rsa (ref, RSA_NO_PADDING, false, in, in_len, out, out_len);
}

static card_rv
mock_rsa_sign_pkcs1 (struct card *card, uint8_t ref, const uint8_t *in, size_t in_len, uint8_t *out,
                     size_t *out_len)
{
	(void)card;
	return mock_rsa (ref, RSA_PKCS1_PADDING, true, in, in_len, out, out_len);
}

static card_rv
mock_rsa_decrypt_pkcs1 (struct card *card, uint8_t ref, const uint8_t *in, size_t in_len, uint8_t *out,
                        size_t *out_len)
{
	(void)card;
	return mock_rsa (ref, RSA_PKCS1_PADDING, false, in, in_len, out, out_len);
}

/* ECDSA over HASH, which must be the curve's size (the front end's job). */
static card_rv
mock_ecdsa (struct card *card, uint8_t ref, const uint8_t *hash, size_t hash_len, uint8_t *out, size_t *out_len)
{
	struct mock_key *k;
	EVP_PKEY_CTX *ctx;
	unsigned char der[256];
	const unsigned char *p = der;
	size_t der_len = sizeof der, field;
	ECDSA_SIG *sig = NULL;
	card_rv crv = mock_authorise (ref, &k);

	(void)card;
	if (crv != CARD_OK)
		return crv;
	if (EVP_PKEY_get_base_id (k->key) != EVP_PKEY_EC)
		return CARD_E_INVALID_DATA;
	field = ((size_t)EVP_PKEY_get_bits (k->key) + 7) / 8;
	ctx = EVP_PKEY_CTX_new (k->key, NULL);
	if (hash_len != field || *out_len < 2 * field || EVP_PKEY_sign_init (ctx) <= 0 ||
	    EVP_PKEY_sign (ctx, der, &der_len, hash, hash_len) <= 0 ||
	    (sig = d2i_ECDSA_SIG (NULL, &p, (long)der_len)) == NULL) {
		crv = CARD_E_INVALID_DATA;
	} else {
		BN_bn2binpad (ECDSA_SIG_get0_r (sig), out, (int)field);
		BN_bn2binpad (ECDSA_SIG_get0_s (sig), out + field, (int)field);
		*out_len = 2 * field;
		mock_maybe_fault (out, *out_len);
	}
	ECDSA_SIG_free (sig);
	EVP_PKEY_CTX_free (ctx);
	return crv;
}

static card_rv
mock_eddsa (struct card *card, uint8_t ref, const uint8_t *msg, size_t msg_len, uint8_t *out, size_t *out_len)
{
	struct mock_key *k;
	EVP_MD_CTX *ctx = NULL;
	card_rv crv = mock_authorise (ref, &k);

	(void)card;
	if (crv != CARD_OK)
		return crv;
	if (EVP_PKEY_get_base_id (k->key) != EVP_PKEY_ED25519 || *out_len < 64)
		return CARD_E_INVALID_DATA;
	ctx = EVP_MD_CTX_new ();
	if (EVP_DigestSignInit (ctx, NULL, NULL, NULL, k->key) != 1 ||
	    EVP_DigestSign (ctx, out, out_len, msg != NULL ? msg : (const uint8_t *)"", msg_len) != 1)
		crv = CARD_E_INVALID_DATA;
	else
		mock_maybe_fault (out, *out_len);
	EVP_MD_CTX_free (ctx);
	return crv;
}

/* The peer's public key for ECDH with K: an uncompressed point on K's curve, or 32 bytes
 * of X25519. Owned by the caller. */
static EVP_PKEY *
mock_peer (EVP_PKEY *k, const uint8_t *point, size_t point_len)
{
	EVP_PKEY_CTX *pctx;
	EVP_PKEY *peer = NULL;
	OSSL_PARAM params[3];
	char group[64] = "";

	if (EVP_PKEY_get_base_id (k) == EVP_PKEY_X25519)
		return point_len == 32 ? EVP_PKEY_new_raw_public_key (EVP_PKEY_X25519, NULL, point, 32) : NULL;
	EVP_PKEY_get_utf8_string_param (k, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, NULL);
	params[0] = OSSL_PARAM_construct_utf8_string (OSSL_PKEY_PARAM_GROUP_NAME, group, 0);
	params[1] = OSSL_PARAM_construct_octet_string (OSSL_PKEY_PARAM_PUB_KEY, (void *)point, point_len);
	params[2] = OSSL_PARAM_construct_end ();
	pctx = EVP_PKEY_CTX_new_from_name (NULL, "EC", NULL);
	if (EVP_PKEY_fromdata_init (pctx) <= 0 || EVP_PKEY_fromdata (pctx, &peer, EVP_PKEY_PUBLIC_KEY, params) <= 0)
		peer = NULL;
	EVP_PKEY_CTX_free (pctx);
	return peer;
}

static card_rv
mock_ecdh (struct card *card, uint8_t ref, const uint8_t *point, size_t point_len, uint8_t *out, size_t *out_len)
{
	struct mock_key *k;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *peer = NULL;
	card_rv crv = mock_authorise (ref, &k);

	(void)card;
	if (crv != CARD_OK)
		return crv;
	peer = mock_peer (k->key, point, point_len);
	ctx = EVP_PKEY_CTX_new (k->key, NULL);
	if (peer == NULL || EVP_PKEY_derive_init (ctx) <= 0 || EVP_PKEY_derive_set_peer (ctx, peer) <= 0 ||
	    EVP_PKEY_derive (ctx, out, out_len) <= 0)
		crv = CARD_E_INVALID_DATA;
	EVP_PKEY_free (peer);
	EVP_PKEY_CTX_free (ctx);
	return crv;
}

static card_rv
mock_key_meta (struct card *card, struct card_key *key)
{
	struct mock_key *k = mock_key_by_ref (key->ref);

	(void)card;
	mock.card_calls++;
	mock.meta_calls++;
	if (k == NULL)
		return CARD_E_NOT_FOUND;
	key->has_key = 1;
	key->meta_known = 1;
	key->pin_policy = k->pin_policy;
	key->origin_generated = 1;
	key->alg = mock_alg_of (k->key);
	return CARD_OK;
}

static card_rv
mock_reselect (struct card *card)
{
	(void)card;
	mock.card_calls++;
	mock.reselect_calls++;
	return CARD_OK;
}

/* The mock key of slot REF, made empty (a new one at the end when there is none). */
static struct mock_key *
mock_key_replace (uint8_t ref)
{
	struct mock_key *k = mock_key_by_ref (ref);

	if (k == NULL && mock.n_keys < MOCK_MAX_KEYS)
		k = &mock.keys[mock.n_keys++];
	if (k == NULL)
		return NULL;
	EVP_PKEY_free (k->key);
	X509_free (k->cert);
	memset (k, 0, sizeof *k);
	k->ref = ref;
	k->id = ref;
	return k;
}

/* Put KEY (taken) into slot REF with POLICY (DEFAULT: the slot's). */
static card_rv
mock_key_store (struct card *card, uint8_t ref, EVP_PKEY *key, enum card_pin_policy policy, int generated)
{
	const struct card_slot *desc = card_slot_by_ref (card, ref);
	struct mock_key *k;

	if (desc == NULL || !(desc->algs & CARD_ALG_BIT (mock_alg_of (key)))) {
		EVP_PKEY_free (key);
		return CARD_E_INVALID_DATA;
	}
	k = mock_key_replace (ref);
	if (k == NULL) {
		EVP_PKEY_free (key);
		return CARD_E_NO_SPACE;
	}
	k->key = key;
	k->pin_policy = policy != CARD_PIN_POLICY_DEFAULT ? policy : desc->pin_policy;
	k->origin_generated = generated;
	return CARD_OK;
}

static card_rv
mock_generate (struct card *card, uint8_t ref, enum card_alg alg, enum card_pin_policy pin,
               enum card_touch_policy touch, uint8_t **spki, size_t *spki_len)
{
	static const char *const types[] = {
		[CARD_ALG_RSA2048] = "RSA", [CARD_ALG_EC_P256] = "P-256", [CARD_ALG_EC_P384] = "P-384",
		[CARD_ALG_EC_P521] = "P-521", [CARD_ALG_EC_BP256] = "brainpoolP256r1",
		[CARD_ALG_EC_BP384] = "brainpoolP384r1", [CARD_ALG_EC_BP512] = "brainpoolP512r1",
		[CARD_ALG_ED25519] = "ED25519", [CARD_ALG_X25519] = "X25519",
	};
	EVP_PKEY *key;
	card_rv crv;

	(void)touch;
	mock.card_calls++;
	mock.generate_calls++;
	mock.last_alg = alg;
	if ((size_t)alg >= sizeof types / sizeof types[0] || types[alg] == NULL)
		return CARD_E_NOT_SUPPORTED;
	key = mock_gen_key (types[alg]);
	if (key == NULL)
		return CARD_E_INTERNAL;
	MOCK_DER (i2d_PUBKEY, key, spki, spki_len);
	crv = mock_key_store (card, ref, key, pin, 1);
	if (crv == CARD_OK && *spki == NULL)
		crv = CARD_E_NO_MEMORY;
	return crv;
}

/* Import: Ed25519 and X25519 only (their private key is the 32 bytes of SCALAR). */
static card_rv
mock_import_key (struct card *card, uint8_t ref, const struct card_key_parts *parts,
                 enum card_pin_policy pin, enum card_touch_policy touch)
{
	EVP_PKEY *key = NULL;

	(void)touch;
	mock.card_calls++;
	mock.generate_calls++;
	mock.last_alg = parts->alg;
	if ((parts->alg == CARD_ALG_ED25519 || parts->alg == CARD_ALG_X25519) && parts->scalar_len == 32)
		key = EVP_PKEY_new_raw_private_key (parts->alg == CARD_ALG_ED25519 ? EVP_PKEY_ED25519 : EVP_PKEY_X25519,
		                                    NULL, parts->scalar, 32);
	if (key == NULL)
		return CARD_E_NOT_SUPPORTED;
	return mock_key_store (card, ref, key, pin, 0);
}

static card_rv
mock_write_cert (struct card *card, uint8_t ref, const uint8_t *der, size_t der_len)
{
	struct mock_key *k = mock_key_by_ref (ref);
	const unsigned char *p = der;
	X509 *x = NULL;

	(void)card;
	mock.card_calls++;
	if (der != NULL && (x = d2i_X509 (NULL, &p, (long)der_len)) == NULL)
		return CARD_E_INVALID_DATA;
	if (k == NULL) {
		X509_free (x);
		return CARD_E_NOT_FOUND;
	}
	X509_free (k->cert);
	k->cert = x;
	return CARD_OK;
}

#define MOCK_ALGS (CARD_ALG_BIT (CARD_ALG_RSA2048) | CARD_ALG_BIT (CARD_ALG_EC_P256))
#define MOCK_SPARE(ref, n) { ref, n, "Spare certificate", "SPARE", CARD_USE_DECRYPT, 0, \
                             CARD_PIN_POLICY_ONCE, MOCK_ALGS, CARD_SLOT_SPARE, 0 }

/* A PIV-like slot table: four slots with purposes, two spare ones. */
static const struct card_slot mock_slots[] = {
	{ 0x9A, 1, "Certificate for PIV Authentication", "PIV AUTH", CARD_USE_SIGN | CARD_USE_DECRYPT,
	  CARD_KEYGEN_SIGN_DECRYPT | CARD_KEYGEN_UNSAID, CARD_PIN_POLICY_ONCE, MOCK_ALGS, CARD_SLOT_LABEL_CERT, 0 },
	{ 0x9C, 2, "Certificate for Digital Signature", "SIGN", CARD_USE_SIGN, CARD_KEYGEN_SIGN,
	  CARD_PIN_POLICY_ALWAYS, MOCK_ALGS, 0, 0 },
	{ 0x9D, 3, "Certificate for Key Management", "KEY MAN", CARD_USE_DECRYPT, CARD_KEYGEN_DECRYPT,
	  CARD_PIN_POLICY_ONCE, MOCK_ALGS, 0, 0 },
	{ 0x9E, 4, "Certificate for Card Authentication", "CARD AUTH", CARD_USE_SIGN, 0,
	  CARD_PIN_POLICY_NEVER, MOCK_ALGS, 0, 0 },
	MOCK_SPARE (0x82, 5), MOCK_SPARE (0x83, 6),
};

static const struct card_driver mock_driver = {
	.name = "mock",
	.reselect = mock_reselect,
	.list_keys = mock_list_keys,
	.key_meta = mock_key_meta,
	.pin_status = mock_pin_status,
	.verify_pin = mock_verify,
	.logout = mock_logout,
	.change_pin = mock_change_pin,
	.rsa_raw = mock_rsa_raw,
	.ecdsa_sign = mock_ecdsa,
	.ecdh = mock_ecdh,
};

#define MOCK_PGP_EC (CARD_ALG_BIT (CARD_ALG_EC_P256) | CARD_ALG_BIT (CARD_ALG_EC_P384) | \
                     CARD_ALG_BIT (CARD_ALG_EC_P521) | CARD_ALG_BIT (CARD_ALG_EC_BP256) | \
                     CARD_ALG_BIT (CARD_ALG_EC_BP384) | CARD_ALG_BIT (CARD_ALG_EC_BP512))
#define MOCK_PGP_SIGN (CARD_ALG_BIT (CARD_ALG_RSA2048) | MOCK_PGP_EC | CARD_ALG_BIT (CARD_ALG_ED25519))
#define MOCK_PGP_DEC (CARD_ALG_BIT (CARD_ALG_RSA2048) | MOCK_PGP_EC | CARD_ALG_BIT (CARD_ALG_X25519))

/* An OpenPGP-like slot table: signature, decryption, authentication (the mock's
 * authentication slot derives too, so that one EC key shows both). */
static const struct card_slot mock_pgp_slots[] = {
	{ 0x01, 1, "Signature certificate", "Signature", CARD_USE_SIGN, CARD_KEYGEN_SIGN,
	  CARD_PIN_POLICY_ALWAYS, MOCK_PGP_SIGN, CARD_SLOT_LABEL_CERT, 0 },
	{ 0x02, 2, "Decryption certificate", "Decryption", CARD_USE_DECRYPT, CARD_KEYGEN_DECRYPT,
	  CARD_PIN_POLICY_ONCE, MOCK_PGP_DEC, 0, 0 },
	{ 0x03, 3, "Authentication certificate", "Authentication", CARD_USE_SIGN | CARD_USE_DECRYPT,
	  CARD_KEYGEN_SIGN_DECRYPT | CARD_KEYGEN_UNSAID, CARD_PIN_POLICY_ONCE, MOCK_PGP_SIGN, 0, 0 },
};

/* No raw RSA: the card pads; no metadata command: list_keys says everything. */
static const struct card_driver mock_pgp_driver = {
	.name = "mock-openpgp",
	.reselect = mock_reselect,
	.list_keys = mock_list_keys,
	.pin_status = mock_pin_status,
	.verify_pin = mock_verify,
	.logout = mock_logout,
	.change_pin = mock_change_pin,
	.rsa_sign_pkcs1 = mock_rsa_sign_pkcs1,
	.rsa_decrypt_pkcs1 = mock_rsa_decrypt_pkcs1,
	.ecdsa_sign = mock_ecdsa,
	.eddsa_sign = mock_eddsa,
	.ecdh = mock_ecdh,
	.generate = mock_generate,
	.write_cert = mock_write_cert,
	.import_key = mock_import_key,
};

static void
mock_card_identity (struct card *c)
{
	if (mock.profile == MOCK_PROFILE_PIV) {
		c->driver = &mock_driver;
		snprintf (c->info.serial, sizeof c->info.serial, "12345678");
		snprintf (c->info.model, sizeof c->info.model, "YubiKey 5");
		snprintf (c->info.manufacturer, sizeof c->info.manufacturer, "Yubico");
		c->info.pin_max = 8;
		c->info.has_metadata = 1;
		c->slots = mock_slots;
		c->n_slots = sizeof mock_slots / sizeof mock_slots[0];
		return;
	}
	c->driver = &mock_pgp_driver;
	snprintf (c->info.serial, sizeof c->info.serial, "%s", mock.profile == MOCK_PROFILE_PGP_RSA ? "00061234" : "00065678");
	snprintf (c->info.model, sizeof c->info.model, "OpenPGP card 3.4");
	snprintf (c->info.manufacturer, sizeof c->info.manufacturer, "Mock");
	c->info.pin_max = 64;
	c->info.can_generate = 1;
	c->info.can_import = 1;
	c->info.gen_algs = MOCK_PGP_SIGN | MOCK_PGP_DEC;
	c->slots = mock_pgp_slots;
	c->n_slots = sizeof mock_pgp_slots / sizeof mock_pgp_slots[0];
}

card_rv
mock_card_discover (const char *reader_name, int all, char apps[CARD_MAX_APPS][CARD_APP_NAME], size_t *n)
{
	(void)all;
	*n = 0;
	mock.card_calls++;
	if (strcmp (reader_name, "Mock Reader 0") != 0 || !mock.card_present)
		return CARD_E_REMOVED;
	snprintf (apps[(*n)++], CARD_APP_NAME, "mock");
	if (mock.second_app)
		snprintf (apps[(*n)++], CARD_APP_NAME, "mock2");
	return CARD_OK;
}

card_rv
mock_card_open (const char *reader_name, const char *app, struct card **card)
{
	struct card *c;

	mock.open_calls++;
	if (strcmp (reader_name, "Mock Reader 0") != 0 || !mock.card_present)
		return CARD_E_REMOVED;
	if (mock.open_fails)
		return CARD_E_COMM;
	if (app != NULL && strcmp (app, "mock") != 0 && (strcmp (app, "mock2") != 0 || !mock.second_app))
		return CARD_E_NOT_SUPPORTED;
	c = calloc (1, sizeof *c);
	if (c == NULL)
		return CARD_E_NO_MEMORY;
	c->info.pin_min = 6;
	mock_card_identity (c);
	if (app != NULL && strcmp (app, "mock2") == 0)
		snprintf (c->info.model, sizeof c->info.model, "Mock second application");
	*card = c;
	return CARD_OK;
}

void
mock_card_close (struct card *card)
{
	free (card);
}

card_rv
mock_card_begin (struct card *card, int *was_reset)
{
	(void)card;
	mock.card_calls++;
	if (!mock.card_present)
		return CARD_E_REMOVED;
	*was_reset = 0;
	if (mock.reset_pending) {
		mock.reset_pending = false;
		mock.pin_verified = false;
		*was_reset = 1;
	}
	return CARD_OK;
}

void
mock_card_end (struct card *card)
{
	(void)card;
}
