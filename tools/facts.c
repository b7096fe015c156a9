/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tools/facts.c: the readers and their cards, as the module's own layers see them:
 * the reader monitor's first look (service, readers, cards: no APDU), then each card
 * through the card-neutral driver interface (cardfacts.c).
 */
#include "config.h"

#include "tools/tool.h"

#include <stdlib.h>
#include <string.h>

/* The monitor's first look: SERVICE_UP or SERVICE_DOWN, READER_ADDED for every reader,
 * CARD_INSERTED for every card. */
static void
facts_event (void *user, const struct reader_event *ev)
{
	struct tool_facts *facts = user;
	struct tool_reader *grown, *r;
	size_t i;

	switch (ev->kind) {
	case READER_EV_SERVICE_UP:
		facts->service_up = true;
		return;
	case READER_EV_SERVICE_DOWN:
		facts->service_up = false;
		return;
	case READER_EV_READER_ADDED:
		grown = realloc (facts->readers, (facts->n_readers + 1) * sizeof *grown);
		if (grown == NULL)
			return;
		facts->readers = grown;
		r = &facts->readers[facts->n_readers++];
		memset (r, 0, sizeof *r);
		snprintf (r->name, sizeof r->name, "%s", ev->status.name);
		r->backend = facts->backend;
		r->card.state = ev->status.card_present ? TOOL_CARD_OK : TOOL_CARD_NONE;
		return;
	case READER_EV_CARD_INSERTED:
	case READER_EV_CARD_REMOVED:
	case READER_EV_READER_REMOVED:
		for (i = 0; i < facts->n_readers; i++) {
			r = &facts->readers[i];
			if (strcmp (r->name, ev->status.name) == 0)
				r->card.state = ev->kind == READER_EV_CARD_INSERTED ? TOOL_CARD_OK : TOOL_CARD_NONE;
		}
		return;
	}
}

void
tool_facts_gather (struct tool_facts *facts)
{
	struct reader_monitor *monitor = NULL;
	size_t i;

	memset (facts, 0, sizeof *facts);
	facts->backend = reader_pcsc_ops.name;
	if (reader_monitor_new (&monitor) != READER_OK)
		return;
	reader_monitor_refresh (monitor, facts_event, facts);
	reader_monitor_free (monitor);
	for (i = 0; i < facts->n_readers; i++) {
		if (facts->readers[i].card.state == TOOL_CARD_OK)
			tool_card_read (&reader_pcsc_ops, &facts->readers[i]);
	}
}

void
tool_facts_free (struct tool_facts *facts)
{
	size_t i;

	if (facts == NULL)
		return;
	for (i = 0; i < facts->n_readers; i++) {
		card_keys_free (facts->readers[i].card.keys, facts->readers[i].card.n_keys);
		free (facts->readers[i].card.extra);
	}
	free (facts->readers);
	memset (facts, 0, sizeof *facts);
}

int
tool_facts_exit (const struct tool_facts *facts)
{
	bool any_card = false, bad_card = false, blocked = false;
	size_t i;

	if (!facts->service_up)
		return TOOL_EXIT_NO_SERVICE;
	if (facts->n_readers == 0)
		return TOOL_EXIT_NO_READER;
	for (i = 0; i < facts->n_readers; i++) {
		const struct tool_card *c = &facts->readers[i].card;
		if (c->state == TOOL_CARD_NONE)
			continue;
		any_card = true;
		if (c->state != TOOL_CARD_OK)
			bad_card = true;
		else if (c->pin_tries == 0)
			blocked = true;
	}
	if (!any_card)
		return TOOL_EXIT_NO_CARD;
	if (bad_card)
		return TOOL_EXIT_CARD;
	return blocked ? TOOL_EXIT_PIN_BLOCKED : TOOL_EXIT_OK;
}

const char *
tool_card_state_name (enum tool_card_state state)
{
	switch (state) {
	case TOOL_CARD_NONE: return "no card";
	case TOOL_CARD_OK: return "ok";
	case TOOL_CARD_HELD: return "held by another program";
	case TOOL_CARD_MUTE: return "not answering";
	case TOOL_CARD_UNKNOWN: return "unknown card";
	case TOOL_CARD_GONE: return "removed";
	case TOOL_CARD_ERROR: return "error";
	}
	return "error";
}

const char *
tool_alg_name (enum card_alg alg)
{
	switch (alg) {
	case CARD_ALG_NONE: return "unknown";
	case CARD_ALG_RSA1024: return "RSA 1024";
	case CARD_ALG_RSA2048: return "RSA 2048";
	case CARD_ALG_RSA3072: return "RSA 3072";
	case CARD_ALG_RSA4096: return "RSA 4096";
	case CARD_ALG_EC_P256: return "EC P-256";
	case CARD_ALG_EC_P384: return "EC P-384";
	case CARD_ALG_EC_P521: return "EC P-521";
	case CARD_ALG_EC_BP256: return "EC brainpoolP256r1";
	case CARD_ALG_EC_BP384: return "EC brainpoolP384r1";
	case CARD_ALG_EC_BP512: return "EC brainpoolP512r1";
	case CARD_ALG_ED25519: return "Ed25519";
	case CARD_ALG_X25519: return "X25519";
	}
	return "unknown";
}

const char *
tool_pin_policy_name (enum card_pin_policy policy)
{
	switch (policy) {
	case CARD_PIN_POLICY_DEFAULT: return "default";
	case CARD_PIN_POLICY_NEVER: return "never";
	case CARD_PIN_POLICY_ONCE: return "once";
	case CARD_PIN_POLICY_ALWAYS: return "always";
	}
	return "default";
}

const char *
tool_touch_policy_name (enum card_touch_policy policy)
{
	switch (policy) {
	case CARD_TOUCH_POLICY_DEFAULT: return "default";
	case CARD_TOUCH_POLICY_NEVER: return "never";
	case CARD_TOUCH_POLICY_ALWAYS: return "always";
	case CARD_TOUCH_POLICY_CACHED: return "cached";
	}
	return "default";
}
