/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tools/cardfacts.c: one card, read through the card-neutral driver interface:
 * card_open (the drivers' probe: card->info), then in one transaction pin_status
 * for the user PIN and the SO PIN (PUK) and list_keys; per key the certificate's
 * names and expiry, the CKA_ID an application sees (the driver's, or the alias an
 * application stored in the module's pairing store) and the PKCS #11 URIs.
 */
#include "config.h"

#include "tools/tool.h"

#include <stdlib.h>
#include <string.h>

#include "src/provision.h"
#include "src/store.h"

/* The reader itself first: held exclusively by another program? a card that answers
 * the reset? (the PC/SC connect says; card_open would fold both into one error) */
static bool
card_reachable (const struct reader_ops *ops, struct tool_reader *reader)
{
	struct tool_card *c = &reader->card;
	struct reader_conn *conn = NULL;
	uint8_t atr[READER_MAX_ATR];
	size_t atr_len = sizeof atr, i;
	reader_rv rrv;

	rrv = ops->connect (reader->name, &conn);
	if (rrv == READER_OK && ops->get_atr (conn, atr, &atr_len) == READER_OK) {
		for (i = 0; i < atr_len; i++)
			snprintf (c->atr_hex + 2 * i, sizeof c->atr_hex - 2 * i, "%02X", atr[i]);
	}
	ops->disconnect (conn);
	switch (rrv) {
	case READER_OK:
		return true;
	case READER_E_SHARING:
		c->state = TOOL_CARD_HELD;
		break;
	case READER_E_NO_CARD:
		c->state = TOOL_CARD_NONE;
		break;
	case READER_E_REMOVED:
	case READER_E_NO_READER:
		c->state = TOOL_CARD_GONE;
		break;
	case READER_E_COMM:
	case READER_E_TIMEOUT:
		c->state = TOOL_CARD_MUTE;
		break;
	default:
		c->state = TOOL_CARD_ERROR;
		break;
	}
	snprintf (c->error, sizeof c->error, "%s", reader_rv_name (rrv));
	return false;
}

static void
card_failed (struct tool_card *c, card_rv rv)
{
	switch (rv) {
	case CARD_E_NOT_SUPPORTED: c->state = TOOL_CARD_UNKNOWN; break;
	case CARD_E_REMOVED: c->state = TOOL_CARD_GONE; break;
	case CARD_E_COMM:
	case CARD_E_BAD_RESPONSE: c->state = TOOL_CARD_MUTE; break;
	default: c->state = TOOL_CARD_ERROR; break;
	}
	snprintf (c->error, sizeof c->error, "%s", card_rv_name (rv));
}

/* A padded CK_TOKEN_INFO field without its trailing blanks, percent-encoded after OUT's text. */
static void
uri_field (char *out, size_t size, const char *attr, const CK_UTF8CHAR *field, size_t len)
{
	char text[33];

	while (len > 0 && field[len - 1] == ' ')
		len--;
	if (len >= sizeof text)
		len = sizeof text - 1;
	memcpy (text, field, len);
	text[len] = '\0';
	strncat (out, attr, size - strlen (out) - 1);
	tool_uri_append (out, size, text);
}

/* The token part of the URIs: manufacturer, model and serial as C_GetTokenInfo pads them. */
static void
card_token_uri (struct tool_card *c)
{
	CK_TOKEN_INFO ti;
	const char *serial = c->info.serial;

	if (strlen (serial) > sizeof ti.serialNumber)
		serial += strlen (serial) - sizeof ti.serialNumber;
	tsr_pad (ti.manufacturerID, sizeof ti.manufacturerID, c->info.manufacturer);
	tsr_pad (ti.model, sizeof ti.model, c->info.model);
	tsr_pad (ti.serialNumber, sizeof ti.serialNumber, serial);
	snprintf (c->token_uri, sizeof c->token_uri, "pkcs11:");
	uri_field (c->token_uri, sizeof c->token_uri, "manufacturer=", ti.manufacturerID, sizeof ti.manufacturerID);
	uri_field (c->token_uri, sizeof c->token_uri, ";model=", ti.model, sizeof ti.model);
	uri_field (c->token_uri, sizeof c->token_uri, ";serial=", ti.serialNumber, sizeof ti.serialNumber);
}

/* The CKA_ID of KEY: a stored alias whose key is still the one in the slot, else the driver's. */
static void
key_id (const struct card *card, const struct card_key *key, const struct tsr_alias *aliases,
        size_t n_aliases, struct tool_key *x)
{
	const struct card_slot *desc = card_slot_by_ref (card, key->ref);
	uint8_t fpr[TSR_FPR_LEN];
	bool have_fpr = false;
	size_t i;

	if (key->cert_der != NULL)
		have_fpr = tsr_fpr_of_cert (key->cert_der, key->cert_len, fpr);
	if (!have_fpr && key->spki_der != NULL)
		have_fpr = tsr_fpr_of_spki (key->spki_der, key->spki_len, fpr);
	x->id[0] = desc != NULL ? desc->number : 0;
	x->id_len = 1;
	snprintf (x->name, sizeof x->name, "%s", desc != NULL ? desc->key_label : "");
	for (i = 0; have_fpr && i < n_aliases; i++) {
		const struct tsr_alias *a = &aliases[i];
		if (a->ref != key->ref || a->id_len == 0 || a->id_len > sizeof x->id ||
		    memcmp (a->fpr, fpr, sizeof fpr) != 0)
			continue;
		memcpy (x->id, a->id, a->id_len);
		x->id_len = a->id_len;
		x->id_is_alias = true;
	}
	for (i = 0; i < x->id_len; i++)
		snprintf (x->id_hex + 2 * i, sizeof x->id_hex - 2 * i, "%02X", x->id[i]);
}

static void
card_keys_describe (struct tool_card *c, const struct card *card)
{
	struct tsr_alias *aliases = NULL;
	size_t n_aliases = 0, i;
	char id[64];

	c->extra = calloc (c->n_keys ? c->n_keys : 1, sizeof *c->extra);
	if (c->extra == NULL)
		return;
	tsr_store_card_id (card, id, sizeof id);
	if (tsr_pairing_load (id, &aliases, &n_aliases) != CKR_OK)
		n_aliases = 0;
	for (i = 0; i < c->n_keys; i++) {
		const struct card_key *k = &c->keys[i];
		struct tool_key *x = &c->extra[i];
		snprintf (x->ref_hex, sizeof x->ref_hex, "%02X", k->ref);
		key_id (card, k, aliases, n_aliases, x);
		if (k->cert_der != NULL)
			x->has_cert = tool_cert_describe (k->cert_der, k->cert_len, x);
		if (!k->has_key)
			continue;
		snprintf (x->uri, sizeof x->uri, "%s;id=", c->token_uri);
		tool_uri_append_bytes (x->uri, sizeof x->uri, x->id, x->id_len);
		strncat (x->uri, ";type=private", sizeof x->uri - strlen (x->uri) - 1);
	}
	free (aliases);
}

void
tool_card_read (const struct reader_ops *ops, struct tool_reader *reader)
{
	struct tool_card *c = &reader->card;
	struct card *card = NULL;
	int was_reset = 0, verified = 0;
	card_rv rv;

	c->pin_tries = c->puk_tries = -1;
	if (!card_reachable (ops, reader))
		return;
	rv = card_open (ops, reader->name, NULL, &card);
	if (rv != CARD_OK) {
		card_failed (c, rv);
		goto out;
	}
	c->state = TOOL_CARD_OK;
	c->driver = card->driver->name;
	c->info = card->info;
	card_token_uri (c);
	rv = card_begin (card, &was_reset);
	if (rv != CARD_OK) {
		card_failed (c, rv);
		goto out;
	}
	rv = card->driver->pin_status (card, CARD_PIN_USER, &c->pin_verified, &c->pin_tries);
	if (rv == CARD_OK)
		rv = card->driver->pin_status (card, CARD_PIN_SO, &verified, &c->puk_tries);
	if (rv == CARD_OK)
		rv = card->driver->list_keys (card, NULL, &c->keys, &c->n_keys);
	card_end (card);
	if (rv != CARD_OK) {
		card_failed (c, rv);
		goto out;
	}
	card_keys_describe (c, card);
out:
	card_close (card);
}
