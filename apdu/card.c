/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * apdu/card.c: the card-neutral part of the card-driver interface: open a
 * card and find its driver, transactions with reset recovery, names.
 */
#include "config.h"

#include "apdu/card.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "apdu/apdu.h"
#include "apdu/log.h"
#include "apdu/ossl.h"

/* The drivers tried by card_open(), in order. */
static const struct card_driver *const card_drivers[] = {
	&card_driver_piv,
	&card_driver_openpgp,
};

const char *
card_rv_name (card_rv rv)
{
	switch (rv) {
	case CARD_OK: return "CARD_OK";
	case CARD_E_REMOVED: return "CARD_E_REMOVED";
	case CARD_E_NO_SERVICE: return "CARD_E_NO_SERVICE";
	case CARD_E_COMM: return "CARD_E_COMM";
	case CARD_E_BAD_RESPONSE: return "CARD_E_BAD_RESPONSE";
	case CARD_E_NOT_FOUND: return "CARD_E_NOT_FOUND";
	case CARD_E_SECURITY: return "CARD_E_SECURITY";
	case CARD_E_PIN_INCORRECT: return "CARD_E_PIN_INCORRECT";
	case CARD_E_PIN_LOCKED: return "CARD_E_PIN_LOCKED";
	case CARD_E_PIN_LEN: return "CARD_E_PIN_LEN";
	case CARD_E_PIN_INVALID: return "CARD_E_PIN_INVALID";
	case CARD_E_AUTH_FAILED: return "CARD_E_AUTH_FAILED";
	case CARD_E_NOT_SUPPORTED: return "CARD_E_NOT_SUPPORTED";
	case CARD_E_INVALID_DATA: return "CARD_E_INVALID_DATA";
	case CARD_E_NO_SPACE: return "CARD_E_NO_SPACE";
	case CARD_E_NO_MEMORY: return "CARD_E_NO_MEMORY";
	case CARD_E_REFUSED: return "CARD_E_REFUSED";
	case CARD_E_INTERNAL: return "CARD_E_INTERNAL";
	}
	return "CARD_E_(unknown)";
}

void
card_keys_clear (struct card_key *key)
{
	free (key->cert_der);
	free (key->spki_der);
	memset (key, 0, sizeof *key);
}

void
card_keys_free (struct card_key *keys, size_t count)
{
	size_t i;

	if (keys == NULL)
		return;
	for (i = 0; i < count; i++) {
		free (keys[i].cert_der);
		free (keys[i].spki_der);
	}
	free (keys);
}

const struct card_slot *
card_slot_by_ref (const struct card *card, uint8_t ref)
{
	size_t i;

	for (i = 0; card != NULL && i < card->n_slots; i++) {
		if (card->slots[i].ref == ref)
			return &card->slots[i];
	}
	return NULL;
}

const struct card_slot *
card_slot_by_number (const struct card *card, uint8_t number)
{
	size_t i;

	for (i = 0; card != NULL && number != 0 && i < card->n_slots; i++) {
		if (card->slots[i].number == number)
			return &card->slots[i];
	}
	return NULL;
}

int
card_can (const struct card *card, enum card_op op)
{
	const struct card_driver *d = card != NULL ? card->driver : NULL;

	if (d == NULL)
		return 0;
	switch (op) {
	case CARD_OP_UNBLOCK_PIN: return d->unblock_pin != NULL;
	case CARD_OP_KEY_META: return d->key_meta != NULL && card->info.has_metadata;
	case CARD_OP_RSA: return d->rsa_raw != NULL;
	case CARD_OP_ECDSA: return d->ecdsa_sign != NULL;
	case CARD_OP_ECDH: return d->ecdh != NULL;
	case CARD_OP_ADMIN_AUTH: return d->admin_auth != NULL;
	case CARD_OP_PROTECTED_ADMIN_KEY: return d->protected_admin_key != NULL;
	case CARD_OP_GENERATE: return d->generate != NULL && card->info.can_generate;
	case CARD_OP_WRITE_CERT: return d->write_cert != NULL;
	case CARD_OP_READ_OBJECT: return d->read_object != NULL;
	case CARD_OP_WRITE_OBJECT: return d->write_object != NULL;
	case CARD_OP_RESET: return d->reset != NULL && card->info.can_reset;
	case CARD_OP_SET_ADMIN_KEY: return d->set_admin_key != NULL;
	case CARD_OP_IMPORT_KEY: return d->import_key != NULL && card->info.can_import;
	case CARD_OP_RSA_SIGN_PKCS1: return d->rsa_sign_pkcs1 != NULL;
	case CARD_OP_RSA_DECRYPT_PKCS1: return d->rsa_decrypt_pkcs1 != NULL;
	case CARD_OP_EDDSA: return d->eddsa_sign != NULL;
	}
	return 0;
}

/* Probe one driver inside its own transaction. */
static card_rv
probe_driver (struct card *card, const struct card_driver *driver)
{
	reader_rv rrv;
	card_rv rv;

	rrv = card->reader->begin (card->conn);
	if (rrv != READER_OK && rrv != READER_E_RESET)   /* a reset is harmless: probe selects */
		return apdu_reader_rv (rrv);
	card->in_transaction = 1;
	card->driver = driver;
	rv = driver->probe (card);
	card->reader->end (card->conn);
	card->in_transaction = 0;
	if (rv != CARD_OK) {
		if (driver->release != NULL)
			driver->release (card);
		card->driver = NULL;
		card->driver_data = NULL;
		card->slots = NULL;
		card->n_slots = 0;
		memset (&card->info, 0, sizeof card->info);
	}
	return rv;
}

/* What the ATR says about extended APDUs (card->extended). */
static void
card_note_atr (struct card *card, const char *reader_name)
{
	uint8_t atr[READER_MAX_ATR];
	size_t len = sizeof atr;

	card->extended = card->reader->get_atr (card->conn, atr, &len) == READER_OK &&
	                 apdu_atr_extended (atr, len);
	tsr_log ("card", "'%s': %s APDUs", reader_name, card->extended ? "extended" : "short");
}

card_rv
card_open (const struct reader_ops *reader, const char *reader_name, const char *app, struct card **out)
{
	struct card *card = NULL;
	reader_rv rrv;
	card_rv rv = CARD_E_NOT_SUPPORTED;
	size_t i;

	if (reader == NULL || reader_name == NULL || out == NULL)
		return CARD_E_INTERNAL;
	*out = NULL;
	card = calloc (1, sizeof *card);
	if (card == NULL) {
		rv = CARD_E_NO_MEMORY;
		goto out;
	}
	/* every card holds a reference to the module's OpenSSL context (card_close drops it) */
	rv = apdu_ossl_ref ();
	if (rv != CARD_OK) {
		free (card);
		card = NULL;
		goto out;
	}
	card->reader = reader;
	rrv = reader->connect (reader_name, &card->conn);
	if (rrv != READER_OK) {
		card->conn = NULL;
		rv = apdu_reader_rv (rrv);
		tsr_log ("card", "connect to '%s' failed: %s", reader_name, card_rv_name (rv));
		goto out;
	}
	card_note_atr (card, reader_name);
	rv = CARD_E_NOT_SUPPORTED;   /* no driver (of that application) took the card */
	for (i = 0; i < sizeof card_drivers / sizeof card_drivers[0]; i++) {
		if (app != NULL && strcmp (app, card_drivers[i]->name) != 0)
			continue;
		rv = probe_driver (card, card_drivers[i]);
		tsr_log ("card", "'%s': driver %s: %s", reader_name, card_drivers[i]->name,
		         card_rv_name (rv));
		if (rv != CARD_E_NOT_SUPPORTED)
			break;
	}
	if (rv != CARD_OK)
		goto out;
	*out = card;
	card = NULL;
out:
	card_close (card);
	return rv;
}

/* Is the application AID on the card? SELECT by name: 9000 or 61xx. */
static card_rv
card_select_aid (struct card *card, const uint8_t *aid, size_t aid_len, int *present)
{
	struct apdu apdu;
	struct apdu_resp resp;
	card_rv rv;

	apdu_init (&apdu, 0x00, 0xA4, 0x04, 0x00);
	apdu.data = aid;
	apdu.data_len = aid_len;
	apdu.ne = APDU_SHORT_MAX_NE;
	rv = apdu_transmit (card, &apdu, &resp);
	*present = rv == CARD_OK && (resp.sw == 0x9000 || (resp.sw & 0xFF00) == 0x6100);
	apdu_resp_clear (&resp);
	return rv;
}

card_rv
card_discover (const struct reader_ops *reader, const char *reader_name, int all,
               char apps[CARD_MAX_APPS][CARD_APP_NAME], size_t *n)
{
	struct card card;
	reader_rv rrv;
	card_rv rv = CARD_OK;
	size_t i;
	int present;

	if (reader == NULL || reader_name == NULL || apps == NULL || n == NULL)
		return CARD_E_INTERNAL;
	*n = 0;
	memset (&card, 0, sizeof card);
	card.reader = reader;
	rrv = reader->connect (reader_name, &card.conn);
	if (rrv != READER_OK)
		return apdu_reader_rv (rrv);
	rrv = reader->begin (card.conn);
	if (rrv != READER_OK && rrv != READER_E_RESET) {
		rv = apdu_reader_rv (rrv);
		goto out;
	}
	for (i = 0; i < sizeof card_drivers / sizeof card_drivers[0] && rv == CARD_OK; i++) {
		if (card_drivers[i]->aid == NULL || *n == CARD_MAX_APPS)
			continue;
		if (i == 0 && !all) {
			snprintf (apps[(*n)++], CARD_APP_NAME, "%s", card_drivers[i]->name);   /* assumed */
			continue;
		}
		rv = card_select_aid (&card, card_drivers[i]->aid, card_drivers[i]->aid_len, &present);
		if (rv == CARD_OK && present)
			snprintf (apps[(*n)++], CARD_APP_NAME, "%s", card_drivers[i]->name);
	}
	reader->end (card.conn);
	tsr_log ("card", "'%s': %zu application(s) found%s%s", reader_name, *n, *n > 0 ? ", the first " : "",
	         *n > 0 ? apps[0] : "");
out:
	reader->disconnect (card.conn);
	return rv;
}

void
card_close (struct card *card)
{
	if (card == NULL)
		return;
	if (card->driver != NULL && card->driver->release != NULL)
		card->driver->release (card);
	if (card->conn != NULL) {
		if (card->in_transaction)
			card->reader->end (card->conn);
		card->reader->disconnect (card->conn);
	}
	OPENSSL_cleanse (card, sizeof *card);
	free (card);
	apdu_ossl_unref ();
}

card_rv
card_begin (struct card *card, int *was_reset)
{
	reader_rv rrv;
	card_rv rv = CARD_OK;

	if (card == NULL || card->conn == NULL || card->driver == NULL || card->in_transaction)
		return CARD_E_INTERNAL;
	if (was_reset != NULL)
		*was_reset = 0;
	rrv = card->reader->begin (card->conn);
	if (rrv != READER_OK && rrv != READER_E_RESET) {
		rv = apdu_reader_rv (rrv);
		tsr_log ("card", "begin: %s", card_rv_name (rv));
		goto out;
	}
	card->in_transaction = 1;
	if (rrv == READER_E_RESET) {
		tsr_log ("card", "card was reset by another process: re-selecting");
		if (was_reset != NULL)
			*was_reset = 1;
		rv = card->driver->reselect (card);
		if (rv != CARD_OK) {
			tsr_log ("card", "reselect after reset: %s", card_rv_name (rv));
			card_end (card);
		}
	}
out:
	return rv;
}

void
card_end (struct card *card)
{
	if (card == NULL || !card->in_transaction)
		return;
	card->reader->end (card->conn);
	card->in_transaction = 0;
}
