/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * apdu/openpgp-drv.c: the OpenPGP card driver (struct card_driver) over the OpenPGP
 * library (apdu/openpgp*.c): the card's identity, its slot table and its keys. The
 * operations are in openpgp-drvops.c.
 *
 * Slots: the three keys of the application, with the numbers OpenSC gives them (so
 * PKCS #11 URIs agree): 01 the signature key (PSO: COMPUTE DIGITAL SIGNATURE), 02 the
 * decryption key (PSO: DECIPHER), 03 the authentication key (INTERNAL AUTHENTICATE). The
 * signature key needs the PIN before every signature when the card says so (PW status
 * byte 1: "PW1 valid for one PSO:CDS"). Public keys come from the card (GENERATE
 * ASYMMETRIC KEY PAIR, P1=81: read), so they are there without a PIN; certificates from
 * the cardholder certificate DO (7F21), one per key on 3.x (SELECT DATA), the
 * authentication key's on 2.x. The token label is the cardholder's name.
 */
#include "config.h"

#include "apdu/openpgp-drv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "apdu/log.h"

static const uint8_t opgp_drv_aid[] = { 0xD2, 0x76, 0x00, 0x01, 0x24, 0x01 };

/* The algorithms a slot may hold (the card's attributes say which it has now). */
#define OPGP_RSA (CARD_ALG_BIT (CARD_ALG_RSA2048) | CARD_ALG_BIT (CARD_ALG_RSA3072) | \
                  CARD_ALG_BIT (CARD_ALG_RSA4096))
#define OPGP_EC (CARD_ALG_BIT (CARD_ALG_EC_P256) | CARD_ALG_BIT (CARD_ALG_EC_P384) | \
                 CARD_ALG_BIT (CARD_ALG_EC_P521) | CARD_ALG_BIT (CARD_ALG_EC_BP256) | \
                 CARD_ALG_BIT (CARD_ALG_EC_BP384) | CARD_ALG_BIT (CARD_ALG_EC_BP512))
#define OPGP_SIGN_ALGS (OPGP_RSA | OPGP_EC | CARD_ALG_BIT (CARD_ALG_ED25519))
#define OPGP_DEC_ALGS (OPGP_RSA | OPGP_EC | CARD_ALG_BIT (CARD_ALG_X25519))

static const struct card_slot opgp_slot_template[OPGP_NKEYS] = {
	{ OPGP_REF_SIG, 0x01, "Certificate for Signature", "Signature", CARD_USE_SIGN,
	  CARD_KEYGEN_SIGN, CARD_PIN_POLICY_ALWAYS, OPGP_SIGN_ALGS, 0, CARD_USE_SIGN },
	{ OPGP_REF_DEC, 0x02, "Certificate for Decryption", "Decryption", CARD_USE_DECRYPT,
	  CARD_KEYGEN_DECRYPT, CARD_PIN_POLICY_ONCE, OPGP_DEC_ALGS, 0, CARD_USE_DECRYPT },
	{ OPGP_REF_AUT, 0x03, "Certificate for Authentication", "Authentication", CARD_USE_SIGN,
	  CARD_KEYGEN_SIGN_DECRYPT | CARD_KEYGEN_UNSAID, CARD_PIN_POLICY_ONCE, OPGP_SIGN_ALGS,
	  CARD_SLOT_LABEL_CERT, CARD_USE_SIGN },
};

enum opgp_key
opgp_drv_key (uint8_t ref)
{
	return ref == OPGP_REF_SIG ? OPGP_KEY_SIG : ref == OPGP_REF_DEC ? OPGP_KEY_DEC : OPGP_KEY_AUT;
}

int
opgp_drv_ref_ok (uint8_t ref)
{
	return ref == OPGP_REF_SIG || ref == OPGP_REF_DEC || ref == OPGP_REF_AUT;
}

enum card_alg
opgp_drv_card_alg (const struct opgp_algo *a)
{
	if (a->id == OPGP_ALGO_RSA) {
		switch (a->rsa_bits) {
		case 2048: return CARD_ALG_RSA2048;
		case 3072: return CARD_ALG_RSA3072;
		case 4096: return CARD_ALG_RSA4096;
		default: return CARD_ALG_NONE;
		}
	}
	switch (a->curve) {
	case OPGP_CURVE_P256: return CARD_ALG_EC_P256;
	case OPGP_CURVE_P384: return CARD_ALG_EC_P384;
	case OPGP_CURVE_P521: return CARD_ALG_EC_P521;
	case OPGP_CURVE_BP256: return CARD_ALG_EC_BP256;
	case OPGP_CURVE_BP384: return CARD_ALG_EC_BP384;
	case OPGP_CURVE_BP512: return CARD_ALG_EC_BP512;
	case OPGP_CURVE_ED25519: return a->id == OPGP_ALGO_EDDSA ? CARD_ALG_ED25519 : CARD_ALG_NONE;
	case OPGP_CURVE_X25519: return a->id == OPGP_ALGO_ECDH ? CARD_ALG_X25519 : CARD_ALG_NONE;
	default: return CARD_ALG_NONE;
	}
}

/* The curve of an EC algorithm with ECDSA or ECDH (OPGP_CURVE_NONE for the others). */
enum opgp_curve
opgp_drv_curve (enum card_alg alg)
{
	switch (alg) {
	case CARD_ALG_EC_P256: return OPGP_CURVE_P256;
	case CARD_ALG_EC_P384: return OPGP_CURVE_P384;
	case CARD_ALG_EC_P521: return OPGP_CURVE_P521;
	case CARD_ALG_EC_BP256: return OPGP_CURVE_BP256;
	case CARD_ALG_EC_BP384: return OPGP_CURVE_BP384;
	case CARD_ALG_EC_BP512: return OPGP_CURVE_BP512;
	default: return OPGP_CURVE_NONE;
	}
}

/* The cardholder's name as people write it: 5B holds "Surname<<Given<Names". */
static void
opgp_drv_holder (const struct opgp_cardholder *ch, char *out, size_t size)
{
	const char *sep = strstr (ch->name, "<<");
	size_t i, n = 0;

	out[0] = '\0';
	if (ch->name[0] == '\0')
		return;
	if (sep != NULL)
		n = (size_t)snprintf (out, size, "%s %.*s", sep + 2, (int)(sep - ch->name), ch->name);
	else
		n = (size_t)snprintf (out, size, "%s", ch->name);
	for (i = 0; i < n && i < size; i++) {
		if (out[i] == '<')
			out[i] = ' ';
	}
}

/* What the card's application data tells: the slot table for this card, the info. */
static void
opgp_drv_describe (struct card *card, struct opgp_drv *d)
{
	const struct opgp_ard *ard = &d->o.ard;
	size_t i;

	memcpy (d->slots, opgp_slot_template, sizeof d->slots);
	if (ard->pw.pw1_multi)
		d->slots[0].pin_policy = CARD_PIN_POLICY_ONCE;   /* PW1 stays valid for signatures */
	card->slots = d->slots;
	card->n_slots = OPGP_NKEYS;
	snprintf (card->info.serial, sizeof card->info.serial, "%08X", (unsigned)ard->serial);
	snprintf (card->info.model, sizeof card->info.model, "OpenPGP card %u.%u", ard->version >> 8,
	          ard->version & 0xFF);
	if (ard->manufacturer == 0x0006)
		snprintf (card->info.manufacturer, sizeof card->info.manufacturer, "Yubico");
	else
		snprintf (card->info.manufacturer, sizeof card->info.manufacturer, "OpenPGP %04X", ard->manufacturer);
	card->info.version[0] = (uint8_t)(ard->version >> 8);
	card->info.version[1] = (uint8_t)ard->version;
	card->info.pin_min = 6;
	card->info.pin_max = ard->pw.pw1_max > 0 ? ard->pw.pw1_max : 127;
	card->info.puk_min = 8;
	card->info.puk_max = ard->pw.pw3_max > 0 ? ard->pw.pw3_max : 127;
	card->info.can_generate = 1;
	card->info.can_import = (ard->caps.flags & OPGP_CAP_KEY_IMPORT) != 0;
	card->info.has_metadata = 0;
	card->info.so_pin_is_admin = 1;   /* PW3: the SO's PIN is what writes need */
	for (i = 0; i < OPGP_NKEYS; i++) {
		enum card_alg now = opgp_drv_card_alg (&ard->algo[i]);
		if (ard->version < 0x0300)
			d->slots[i].algs &= OPGP_RSA;      /* elliptic curves came with 3.0 */
		if (!(ard->caps.flags & OPGP_CAP_ALGO_CHANGE))
			d->slots[i].algs = now != CARD_ALG_NONE ? CARD_ALG_BIT (now) : 0;
		card->info.gen_algs |= d->slots[i].algs;
	}
}

static card_rv
opgp_drv_probe (struct card *card)
{
	struct opgp_cardholder ch;
	struct opgp_drv *d;
	card_rv rv;

	if (card == NULL || card->driver_data != NULL)
		return CARD_E_INTERNAL;
	d = calloc (1, sizeof *d);
	if (d == NULL)
		return CARD_E_NO_MEMORY;
	card->driver_data = d;
	rv = opgp_open (card, card->extended, &d->o);
	if (rv == CARD_E_NOT_FOUND || rv == CARD_E_INVALID_DATA || rv == CARD_E_NOT_SUPPORTED ||
	    rv == CARD_E_INTERNAL)
		return CARD_E_NOT_SUPPORTED;   /* no OpenPGP application */
	if (rv != CARD_OK)
		return rv;
	opgp_drv_describe (card, d);
	memset (&ch, 0, sizeof ch);
	if (opgp_read_cardholder (card, &d->o, &ch) == CARD_OK)
		opgp_drv_holder (&ch, card->info.holder, sizeof card->info.holder);
	tsr_log ("openpgp", "%s by %s, serial %s, holder '%s'", card->info.model, card->info.manufacturer,
	         card->info.serial, card->info.holder);
	return CARD_OK;
}

static card_rv
opgp_drv_reselect (struct card *card)
{
	if (card == NULL || card->driver_data == NULL)
		return CARD_E_INTERNAL;
	return opgp_select (card);
}

static void
opgp_drv_release (struct card *card)
{
	if (card == NULL || card->driver_data == NULL)
		return;
	OPENSSL_cleanse (card->driver_data, sizeof (struct opgp_drv));
	free (card->driver_data);
	card->driver_data = NULL;
}

/* One slot: its public key (when the card has a key there) and certificate. */
static card_rv
opgp_drv_read_slot (struct card *card, struct opgp_drv *d, size_t i, struct card_key *key)
{
	card_rv rv = CARD_OK;

	memset (key, 0, sizeof *key);
	key->ref = d->slots[i].ref;
	key->alg = opgp_drv_card_alg (&d->o.ard.algo[i]);
	key->pin_policy = d->slots[i].pin_policy;
	key->touch_policy = CARD_TOUCH_POLICY_NEVER;
	key->origin_generated = d->o.ard.key_status[i] == 1 ? 1 : d->o.ard.key_status[i] == 2 ? 0 : -1;
	key->meta_known = 1;   /* all the card says of it is in its application data */
	if (opgp_has_key (&d->o.ard, (enum opgp_key)i)) {
		rv = opgp_read_pubkey (card, &d->o, (enum opgp_key)i, &key->spki_der, &key->spki_len);
		if (rv == CARD_E_NOT_SUPPORTED || rv == CARD_E_INVALID_DATA)
			/* a key of attributes not understood (secp256k1...): this key left out, with
			 * its log line, the card's other keys still listed */
			tsr_log ("openpgp", "key %02X: %s: not listed", d->slots[i].ref, card_rv_name (rv));
		if (rv == CARD_E_NOT_FOUND || rv == CARD_E_NOT_SUPPORTED || rv == CARD_E_INVALID_DATA)
			rv = CARD_OK;
		key->has_key = rv == CARD_OK && key->spki_der != NULL;
	}
	if (rv == CARD_OK) {
		rv = opgp_read_cert (card, &d->o, (enum opgp_key)i, &key->cert_der, &key->cert_len);
		if (rv == CARD_E_NOT_FOUND || rv == CARD_E_NOT_SUPPORTED)
			rv = CARD_OK;
	}
	return rv;
}

static card_rv
opgp_drv_list_keys (struct card *card, struct card_list_hints *hints, struct card_key **keys, size_t *count)
{
	struct opgp_drv *d;
	struct card_key *list;
	size_t i, n = 0;
	card_rv rv = CARD_OK;

	if (card == NULL || card->driver_data == NULL || keys == NULL || count == NULL)
		return CARD_E_INTERNAL;
	d = card->driver_data;
	*keys = NULL;
	*count = 0;
	list = calloc (OPGP_NKEYS, sizeof *list);
	if (list == NULL)
		return CARD_E_NO_MEMORY;
	if (hints != NULL)
		hints->has_index = -1;
	for (i = 0; i < OPGP_NKEYS && rv == CARD_OK; i++) {
		if (hints != NULL)
			CARD_REF_BIT_SET (hints->probed, d->slots[i].ref);
		rv = opgp_drv_read_slot (card, d, i, &list[n]);
		if (list[n].has_key || list[n].cert_der != NULL)
			n++;
		else
			card_keys_clear (&list[n]);
	}
	if (rv != CARD_OK) {
		card_keys_free (list, OPGP_NKEYS);   /* entries not filled are zero */
		return rv;
	}
	*keys = list;
	*count = n;
	tsr_log ("openpgp", "list_keys: %zu of %d slots in use", n, OPGP_NKEYS);
	return CARD_OK;
}

const struct card_driver card_driver_openpgp = {
	.name = "openpgp",
	.aid = opgp_drv_aid,
	.aid_len = sizeof opgp_drv_aid,
	.probe = opgp_drv_probe,
	.reselect = opgp_drv_reselect,
	.release = opgp_drv_release,
	.list_keys = opgp_drv_list_keys,
	.pin_status = opgp_drv_pin_status,
	.verify_pin = opgp_drv_verify_pin,
	.check_pin = opgp_drv_check_pin,
	.logout = opgp_drv_logout,
	.change_pin = opgp_drv_change_pin,
	.unblock_pin = opgp_drv_unblock_pin,
	.rsa_sign_pkcs1 = opgp_drv_rsa_sign_pkcs1,
	.rsa_decrypt_pkcs1 = opgp_drv_rsa_decrypt_pkcs1,
	.ecdsa_sign = opgp_drv_ecdsa_sign,
	.eddsa_sign = opgp_drv_eddsa_sign,
	.ecdh = opgp_drv_ecdh,
	.admin_auth = opgp_drv_admin_auth,
	.default_admin_key = (const uint8_t *)"12345678",
	.default_admin_key_len = 8,
	.generate = opgp_drv_generate,
	.write_cert = opgp_drv_write_cert,
	.import_key = opgp_drv_import_key,
};
