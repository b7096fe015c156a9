/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * reader/ccid-ops.c: the direct USB CCID backend's table (struct reader_ops):
 * the watch (ccid-hub.c) and one card per connection (power on at connect,
 * APDUs by the reader's level and the card's protocol).
 *
 * One process holds the reader (it claimed the interface): a transaction is
 * a lock of the slot within the process. A card removed since connect (the
 * slot's event counter moved, or the reader says no card) is READER_E_REMOVED
 * from then on, and so is an unplugged reader; a failed exchange is checked
 * against the slot's status before it is called READER_E_COMM.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "reader/ccid-usb.h"
#include "reader/log.h"
#include "reader/precond.h"

/* PC/SC part 10's GET_FEATURE_REQUEST and the vendor escape of the CCID
 * driver, SCARD_CTL_CODE(3400) and SCARD_CTL_CODE(1). */
#define CTL_GET_FEATURE_REQUEST 0x42000D48u
#define CTL_ESCAPE 0x42000001u

struct reader_conn {
	struct ccid_hub *hub;         /* referenced */
	struct ccid_usbdev *d;        /* referenced */
	unsigned slot;
	struct ccid_card card;
	uint16_t events;              /* the slot's event counter at power on */
	unsigned resets;              /* the slot's power cycles seen */
	int in_transaction;
	int removed;                  /* sticky */
};

/* Has the card gone since this connection powered it? */
static int
card_gone (struct reader_conn *c)
{
	struct ccid_slot_state *s = &c->d->slots[c->slot];
	int gone;

	pthread_mutex_lock (&c->hub->lock);
	gone = c->d->gone || s->events != c->events || !s->present;
	pthread_mutex_unlock (&c->hub->lock);
	return gone || c->removed;
}

/* Power the card on and remember its ATR and the slot's counter. */
static reader_rv
power_on (struct reader_conn *c)
{
	struct ccid_slot_state *s = &c->d->slots[c->slot];
	reader_rv r;

	r = ccid_card_power_on (&c->card, &c->d->dev, (uint8_t) c->slot);
	pthread_mutex_lock (&c->hub->lock);
	c->events = s->events;
	if (r == READER_OK) {
		memcpy (s->atr, c->card.atr, c->card.atr_len);
		s->atr_len = c->card.atr_len;
		s->resets++;
		c->resets = s->resets;
	}
	pthread_mutex_unlock (&c->hub->lock);
	return r;
}

static void
ccid_disconnect (struct reader_conn *c)
{
	if (c == NULL)
		return;
	if (c->in_transaction)
		pthread_mutex_unlock (&c->d->slots[c->slot].txn);
	ccid_usbdev_unref (c->d);
	ccid_hub_unref (c->hub);
	free (c);
}

static reader_rv
ccid_connect (const char *name, struct reader_conn **out)
{
	struct reader_conn *c;
	reader_rv r;

	if (reader_precondition_failed (name != NULL && out != NULL))
		return READER_E_INVALID;
	*out = NULL;
	c = calloc (1, sizeof *c);
	if (c == NULL)
		return READER_E_NO_MEMORY;
	c->hub = ccid_hub_ref (0);   /* the readers a watch has found, no other */
	if (c->hub != NULL)
		c->d = ccid_hub_find (c->hub, name, &c->slot);
	if (c->d == NULL) {
		ccid_hub_unref (c->hub);
		free (c);
		return READER_E_NO_READER;
	}
	pthread_mutex_lock (&c->d->slots[c->slot].txn);
	r = power_on (c);
	pthread_mutex_unlock (&c->d->slots[c->slot].txn);
	if (r == READER_E_NO_READER)
		r = READER_E_NO_CARD;   /* unplugged meanwhile: no card to connect to */
	if (r != READER_OK) {
		tsr_log ("ccid", "%s: connect: %s", name, reader_rv_name (r));
		ccid_disconnect (c);
		return r;
	}
	tsr_log ("ccid", "%s: connected, T=%d, ATR %zu bytes", name, c->card.protocol,
	         c->card.atr_len);
	*out = c;
	return READER_OK;
}

/* An error of an exchange on an open connection, as reader.h's contract says. */
static reader_rv
conn_rv (struct reader_conn *c, reader_rv r)
{
	int present = 1;

	if (r == READER_OK || r == READER_E_INVALID || r == READER_E_NO_MEMORY)
		return r;
	if (r == READER_E_NO_CARD || r == READER_E_NO_READER || card_gone (c)) {
		c->removed = 1;
		return READER_E_REMOVED;
	}
	/* Failed with the card still counted in: ask the reader (a removal's
	 * interrupt may not have come in yet). */
	if (ccid_slot_status (&c->d->dev, (uint8_t) c->slot, &present) != READER_OK || !present) {
		c->removed = 1;
		return READER_E_REMOVED;
	}
	return r == READER_E_UNSUPPORTED ? r : READER_E_COMM;
}

static reader_rv
ccid_begin (struct reader_conn *c)
{
	struct ccid_slot_state *s;
	unsigned resets;
	reader_rv r = READER_OK;

	if (reader_precondition_failed (c != NULL && !c->in_transaction))
		return READER_E_INVALID;
	s = &c->d->slots[c->slot];
	pthread_mutex_lock (&s->txn);
	c->in_transaction = 1;
	if (card_gone (c)) {
		c->removed = 1;
		r = READER_E_REMOVED;
		goto out;
	}
	pthread_mutex_lock (&c->hub->lock);
	resets = s->resets;
	pthread_mutex_unlock (&c->hub->lock);
	if (resets != c->resets) {
		/* Reset through another connection: our protocol state is stale. */
		r = conn_rv (c, power_on (c));
		if (r == READER_OK)
			r = READER_E_RESET;
	}
out:
	if (r != READER_OK && r != READER_E_RESET) {
		c->in_transaction = 0;
		pthread_mutex_unlock (&s->txn);
	}
	return r;
}

static void
ccid_end (struct reader_conn *c)
{
	if (c == NULL || !c->in_transaction)
		return;
	c->in_transaction = 0;
	pthread_mutex_unlock (&c->d->slots[c->slot].txn);
}

static reader_rv
ccid_transmit (struct reader_conn *c, const uint8_t *cmd, size_t cmd_len, uint8_t *resp,
               size_t *resp_len)
{
	size_t size;
	reader_rv r;

	if (reader_precondition_failed (c != NULL && cmd != NULL && cmd_len >= 4) ||
	    reader_precondition_failed (resp != NULL && resp_len != NULL && *resp_len >= 2))
		return READER_E_INVALID;
	size = *resp_len;
	*resp_len = 0;
	if (card_gone (c)) {
		c->removed = 1;
		return READER_E_REMOVED;
	}
	r = ccid_card_transmit (&c->card, cmd, cmd_len, resp, &size);
	if (r == READER_OK)
		*resp_len = size;
	else
		tsr_log ("ccid", "%s: transmit: %s", c->d->slots[c->slot].name, reader_rv_name (r));
	return conn_rv (c, r);
}

static reader_rv
ccid_reset (struct reader_conn *c)
{
	reader_rv r;

	if (reader_precondition_failed (c != NULL))
		return READER_E_INVALID;
	if (card_gone (c))
		return READER_E_REMOVED;
	r = ccid_card_power_off (&c->card);
	if (r == READER_OK)
		r = power_on (c);
	return conn_rv (c, r);
}

static reader_rv
ccid_get_atr (struct reader_conn *c, uint8_t *atr, size_t *atr_len)
{
	if (reader_precondition_failed (c != NULL && atr != NULL && atr_len != NULL) ||
	    *atr_len < c->card.atr_len)
		return READER_E_INVALID;
	memcpy (atr, c->card.atr, c->card.atr_len);
	*atr_len = c->card.atr_len;
	return READER_OK;
}

static reader_rv
ccid_control (struct reader_conn *c, uint32_t code, const uint8_t *in, size_t in_len,
              uint8_t *out, size_t *out_len)
{
	if (reader_precondition_failed (c != NULL && (in != NULL || in_len == 0)) ||
	    reader_precondition_failed (out != NULL && out_len != NULL))
		return READER_E_INVALID;
	if (code == CTL_GET_FEATURE_REQUEST) {
		*out_len = 0;           /* no PIN pad features (yet) */
		return READER_OK;
	}
	if (code == CTL_ESCAPE)
		return conn_rv (c, ccid_card_escape (&c->card, in, in_len, out, out_len));
	return READER_E_UNSUPPORTED;
}

static const struct reader_ops ccid_ops = {
	.name = "ccid",
	.watch_open = ccid_watch_open,
	.watch_close = ccid_watch_close,
	.enumerate = ccid_enumerate,
	.watch_wait = ccid_watch_wait,
	.watch_wake = ccid_watch_wake,
	.connect = ccid_connect,
	.disconnect = ccid_disconnect,
	.reset = ccid_reset,
	.begin = ccid_begin,
	.end = ccid_end,
	.transmit = ccid_transmit,
	.get_atr = ccid_get_atr,
	.control = ccid_control,
};

const struct reader_ops *const reader_ccid_ops = &ccid_ops;
