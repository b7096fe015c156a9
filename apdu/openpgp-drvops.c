/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * apdu/openpgp-drvops.c: the operations of the OpenPGP card driver (openpgp-drv.c).
 *
 * PINs: CARD_PIN_USER is PW1 (VERIFY 82 for decryption and authentication, and 81 for
 * signatures too when PW1 stays valid for several of them); the context PIN of a
 * PIN-always signature key is PW1 for one signature (81); CARD_PIN_SO is PW3, which is
 * also what writes need (the admin credential: so_pin_is_admin). The PIN is derived
 * first where the card has a KDF-DO (the library does it).
 *
 * A logout sends nothing: scdaemon (GnuPG), which shares the card, remembers that it
 * verified the PIN and fails until gpg-agent restarts when somebody else logs the card
 * out (VERIFY P1=FF). tessera's own sessions never use a key without its login whatever
 * the card's state; the card forgets the PIN when it is reset or pulled out.
 *
 * The well-known default PW3 (12345678) is tried for a write only while PW3 has all its
 * tries: a wrong guess costs a try of a PIN that cannot be unblocked.
 */
#include "config.h"

#include "apdu/openpgp-drv.h"

#include <string.h>
#include <time.h>

#include "apdu/log.h"

static struct opgp_drv *
drv (struct card *card)
{
	return card != NULL ? card->driver_data : NULL;
}

card_rv
opgp_drv_pin_status (struct card *card, enum card_pin which, int *verified, int *tries_left)
{
	struct opgp_drv *d = drv (card);
	card_rv rv;

	if (d == NULL || verified == NULL || tries_left == NULL)
		return CARD_E_INTERNAL;
	rv = opgp_pin_status (card, &d->o, which == CARD_PIN_SO ? OPGP_PW3 : OPGP_PW1, verified, tries_left);
	if (*verified < 0)
		*verified = 0;   /* a 2.x card does not tell */
	return rv;
}

card_rv
opgp_drv_check_pin (struct card *card, enum card_pin which, const uint8_t *pin, size_t pin_len)
{
	(void)pin;
	if (card == NULL)
		return CARD_E_INTERNAL;
	if (which == CARD_PIN_SO)
		return pin_len < (size_t)card->info.puk_min || pin_len > (size_t)card->info.puk_max ? CARD_E_PIN_LEN
		                                                                                    : CARD_OK;
	return pin_len < (size_t)card->info.pin_min || pin_len > (size_t)card->info.pin_max ? CARD_E_PIN_LEN : CARD_OK;
}

card_rv
opgp_drv_verify_pin (struct card *card, enum card_pin which, const uint8_t *pin, size_t pin_len,
                     int *tries_left)
{
	struct opgp_drv *d = drv (card);
	card_rv rv;

	if (d == NULL)
		return CARD_E_INTERNAL;
	rv = opgp_drv_check_pin (card, which, pin, pin_len);
	if (rv != CARD_OK)
		return rv;
	if (which == CARD_PIN_SO)
		return opgp_verify (card, &d->o, OPGP_PW3, pin, pin_len, tries_left);
	if (which == CARD_PIN_CONTEXT)
		return opgp_verify (card, &d->o, OPGP_PW1_SIGN, pin, pin_len, tries_left);
	rv = opgp_verify (card, &d->o, OPGP_PW1, pin, pin_len, tries_left);
	if (rv == CARD_OK && d->o.ard.pw.pw1_multi)
		rv = opgp_verify (card, &d->o, OPGP_PW1_SIGN, pin, pin_len, tries_left);
	return rv;
}

card_rv
opgp_drv_logout (struct card *card)
{
	if (drv (card) == NULL)
		return CARD_E_INTERNAL;
	tsr_log ("openpgp", "logout: the card's PIN state is left as it is (shared with scdaemon)");
	return CARD_OK;
}

card_rv
opgp_drv_change_pin (struct card *card, enum card_pin which, const uint8_t *old_pin, size_t old_len,
                     const uint8_t *new_pin, size_t new_len, int *tries_left)
{
	struct opgp_drv *d = drv (card);
	card_rv rv;

	if (d == NULL)
		return CARD_E_INTERNAL;
	rv = opgp_drv_check_pin (card, which, new_pin, new_len);
	if (rv == CARD_OK)
		rv = opgp_change_pin (card, &d->o, which == CARD_PIN_SO ? OPGP_PW3 : OPGP_PW1, old_pin, old_len,
		                      new_pin, new_len, tries_left);
	return rv;
}

card_rv
opgp_drv_unblock_pin (struct card *card, const uint8_t *puk, size_t puk_len, const uint8_t *new_pin,
                      size_t new_len, int *tries_left)
{
	struct opgp_drv *d = drv (card);
	card_rv rv;

	if (d == NULL)
		return CARD_E_INTERNAL;
	rv = opgp_drv_check_pin (card, CARD_PIN_USER, new_pin, new_len);
	if (rv == CARD_OK)
		rv = opgp_verify (card, &d->o, OPGP_PW3, puk, puk_len, tries_left);
	if (rv == CARD_OK)
		rv = opgp_unblock_admin (card, &d->o, new_pin, new_len);
	return rv;
}

card_rv
opgp_drv_admin_auth (struct card *card, const uint8_t *key, size_t key_len)
{
	struct opgp_drv *d = drv (card);
	int tries = -1;

	if (d == NULL || key == NULL)
		return CARD_E_INTERNAL;
	if (key_len == 8 && memcmp (key, "12345678", 8) == 0 && d->o.ard.pw.pw3_tries < 3) {
		tsr_log ("openpgp", "the default admin PIN is not tried: PW3 has lost tries already");
		return CARD_E_AUTH_FAILED;
	}
	return opgp_verify (card, &d->o, OPGP_PW3, key, key_len, &tries);
}

/* A signature by key REF over IN, whatever its algorithm (the card's attributes decide what
 * IN is: a DigestInfo for RSA, a hash for ECDSA, the message for EdDSA): the signature key
 * by PSO: COMPUTE DIGITAL SIGNATURE, the authentication key by INTERNAL AUTHENTICATE. */
static card_rv
opgp_drv_sign_any (struct card *card, uint8_t ref, const uint8_t *in, size_t in_len, uint8_t *out,
                   size_t *out_len)
{
	struct opgp_drv *d = drv (card);

	if (d == NULL || !opgp_drv_ref_ok (ref) || out == NULL || out_len == NULL)
		return CARD_E_INTERNAL;
	if (ref == OPGP_REF_SIG)
		return opgp_sign (card, &d->o, in, in_len, out, out_len);
	if (ref == OPGP_REF_AUT)
		return opgp_internal_auth (card, &d->o, in, in_len, out, out_len);
	return CARD_E_NOT_SUPPORTED;   /* the decryption key does not sign */
}

card_rv
opgp_drv_ecdsa_sign (struct card *card, uint8_t ref, const uint8_t *hash, size_t hash_len, uint8_t *out,
                     size_t *out_len)
{
	return opgp_drv_sign_any (card, ref, hash, hash_len, out, out_len);
}

card_rv
opgp_drv_rsa_sign_pkcs1 (struct card *card, uint8_t ref, const uint8_t *in, size_t in_len, uint8_t *out,
                         size_t *out_len)
{
	return opgp_drv_sign_any (card, ref, in, in_len, out, out_len);
}

card_rv
opgp_drv_eddsa_sign (struct card *card, uint8_t ref, const uint8_t *msg, size_t msg_len, uint8_t *out,
                     size_t *out_len)
{
	return opgp_drv_sign_any (card, ref, msg, msg_len, out, out_len);
}

card_rv
opgp_drv_rsa_decrypt_pkcs1 (struct card *card, uint8_t ref, const uint8_t *in, size_t in_len, uint8_t *out,
                            size_t *out_len)
{
	struct opgp_drv *d = drv (card);

	if (d == NULL || !opgp_drv_ref_ok (ref) || out == NULL || out_len == NULL)
		return CARD_E_INTERNAL;
	if (ref != OPGP_REF_DEC)
		return CARD_E_NOT_SUPPORTED;   /* only the decryption key deciphers */
	return opgp_decipher_rsa (card, &d->o, in, in_len, out, out_len);   /* bad padding: 6A80 */
}

card_rv
opgp_drv_ecdh (struct card *card, uint8_t ref, const uint8_t *point, size_t point_len, uint8_t *out,
               size_t *out_len)
{
	struct opgp_drv *d = drv (card);

	if (d == NULL || !opgp_drv_ref_ok (ref))
		return CARD_E_INTERNAL;
	if (ref != OPGP_REF_DEC)
		return CARD_E_NOT_SUPPORTED;   /* only the decryption key agrees keys */
	return opgp_ecdh (card, &d->o, point, point_len, out, out_len);
}

/* The card's algorithm attributes for ALG in slot KEY (the slot's RSA format kept). */
static card_rv
opgp_drv_algo (const struct opgp_drv *d, enum opgp_key key, enum card_alg alg, struct opgp_algo *a)
{
	const struct opgp_algo *now = &d->o.ard.algo[key];

	memset (a, 0, sizeof *a);
	switch (alg) {
	case CARD_ALG_ED25519:
		if (key == OPGP_KEY_DEC)
			return CARD_E_NOT_SUPPORTED;   /* EdDSA signs */
		a->id = OPGP_ALGO_EDDSA;
		a->curve = OPGP_CURVE_ED25519;
		return CARD_OK;
	case CARD_ALG_X25519:
		if (key != OPGP_KEY_DEC)
			return CARD_E_NOT_SUPPORTED;   /* X25519 agrees keys */
		a->id = OPGP_ALGO_ECDH;
		a->curve = OPGP_CURVE_X25519;
		return CARD_OK;
	case CARD_ALG_RSA2048: case CARD_ALG_RSA3072: case CARD_ALG_RSA4096:
		a->id = OPGP_ALGO_RSA;
		a->rsa_bits = alg == CARD_ALG_RSA2048 ? 2048 : alg == CARD_ALG_RSA3072 ? 3072 : 4096;
		a->rsa_e_bits = now->id == OPGP_ALGO_RSA && now->rsa_e_bits ? now->rsa_e_bits : 32;
		a->rsa_format = now->id == OPGP_ALGO_RSA ? now->rsa_format : 0;
		return CARD_OK;
	default:
		a->curve = opgp_drv_curve (alg);
		if (a->curve == OPGP_CURVE_NONE)
			return CARD_E_NOT_SUPPORTED;
		a->id = key == OPGP_KEY_DEC ? OPGP_ALGO_ECDH : OPGP_ALGO_ECDSA;
		return CARD_OK;
	}
}

card_rv
opgp_drv_generate (struct card *card, uint8_t ref, enum card_alg alg, enum card_pin_policy pin_policy,
                   enum card_touch_policy touch_policy, uint8_t **spki, size_t *spki_len)
{
	struct opgp_drv *d = drv (card);
	struct opgp_algo a;
	card_rv rv;

	(void)pin_policy;     /* the card's PW status byte decides, for the signature key only */
	(void)touch_policy;
	if (d == NULL || !opgp_drv_ref_ok (ref) || spki == NULL || spki_len == NULL)
		return CARD_E_INTERNAL;
	rv = opgp_drv_algo (d, opgp_drv_key (ref), alg, &a);
	if (rv == CARD_OK)
		rv = opgp_generate (card, &d->o, opgp_drv_key (ref), &a, (uint32_t)time (NULL), spki, spki_len);
	tsr_log ("openpgp", "generate key %02X: %s", ref, card_rv_name (rv));
	return rv;
}

card_rv
opgp_drv_write_cert (struct card *card, uint8_t ref, const uint8_t *der, size_t der_len)
{
	struct opgp_drv *d = drv (card);

	if (d == NULL || !opgp_drv_ref_ok (ref))
		return CARD_E_INTERNAL;
	return opgp_write_cert (card, &d->o, opgp_drv_key (ref), der, der != NULL ? der_len : 0);
}

card_rv
opgp_drv_import_key (struct card *card, uint8_t ref, const struct card_key_parts *key,
                     enum card_pin_policy pin_policy, enum card_touch_policy touch_policy)
{
	static const uint8_t f4[] = { 0x01, 0x00, 0x01 };
	struct opgp_drv *d = drv (card);
	struct opgp_key_parts parts;
	struct opgp_algo a;
	card_rv rv;

	(void)pin_policy;
	(void)touch_policy;
	if (d == NULL || !opgp_drv_ref_ok (ref) || key == NULL)
		return CARD_E_INTERNAL;
	rv = opgp_drv_algo (d, opgp_drv_key (ref), key->alg, &a);
	if (rv == CARD_OK)
		rv = opgp_set_algo (card, &d->o, opgp_drv_key (ref), &a);
	if (rv != CARD_OK)
		return rv;
	memset (&parts, 0, sizeof parts);
	parts.e = f4;
	parts.e_len = sizeof f4;
	parts.p = key->p;
	parts.p_len = key->p_len;
	parts.q = key->q;
	parts.q_len = key->q_len;
	parts.d = key->scalar;
	parts.d_len = key->scalar_len;
	rv = opgp_import_key (card, &d->o, opgp_drv_key (ref), &parts, (uint32_t)time (NULL));
	tsr_log ("openpgp", "import into key %02X: %s", ref, card_rv_name (rv));
	return rv;
}
