/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tools/status.c: `tessera status`: the backend, the readers, and per card its type,
 * serial, version, PIN and PUK counters, and every key slot (algorithm, PIN and touch
 * policy, certificate subject, issuer and expiry, the CKA_ID and URI applications use).
 */
#include "config.h"

#include "tools/tool.h"

#include <string.h>

static const char *
origin_name (int origin)
{
	return origin == 1 ? "generated on the card" : origin == 0 ? "imported" : "origin unknown";
}

static void
tries_text (FILE *out, const char *what, int tries)
{
	if (tries < 0)
		fprintf (out, "%s: tries left unknown", what);
	else if (tries == 0)
		fprintf (out, "%s: BLOCKED", what);
	else
		fprintf (out, "%s: %d %s left", what, tries, tries == 1 ? "try" : "tries");
}

static void
key_text (FILE *out, const struct card_key *k, const struct tool_key *x)
{
	fprintf (out, "  key %s \"%s\": ", x->ref_hex, x->name);
	if (k->has_key)
		fprintf (out, "%s, PIN %s, touch %s, %s\n", tool_alg_name (k->alg),
		         tool_pin_policy_name (k->pin_policy), tool_touch_policy_name (k->touch_policy),
		         origin_name (k->origin_generated));
	else
		fprintf (out, "no key (a certificate only)\n");
	fprintf (out, "    CKA_ID %s%s\n", x->id_hex, x->id_is_alias ? " (set by an application)" : "");
	if (x->uri[0] != '\0')
		fprintf (out, "    %s\n", x->uri);
	if (!x->has_cert) {
		fprintf (out, "    %s\n", k->cert_der != NULL ? "certificate: unreadable" : "no certificate");
		return;
	}
	fprintf (out, "    certificate: %s\n      issued by %s\n", x->subject, x->issuer);
	if (x->days_left < 0)
		fprintf (out, "      EXPIRED %s (%ld days ago)\n", x->not_after, -x->days_left);
	else
		fprintf (out, "      expires %s (in %ld days)\n", x->not_after, x->days_left);
}

static void
card_text (FILE *out, const struct tool_reader *r)
{
	const struct tool_card *c = &r->card;
	size_t i;

	fprintf (out, "reader \"%s\" (%s): ", r->name, r->backend);
	if (c->state != TOOL_CARD_OK) {
		fprintf (out, "%s%s%s%s\n", tool_card_state_name (c->state), c->error[0] ? " (" : "",
		         c->error, c->error[0] ? ")" : "");
		return;
	}
	fprintf (out, "%s by %s (driver %s)\n", c->info.model, c->info.manufacturer, c->driver);
	fprintf (out, "  serial %s, version %u.%u.%u, ATR %s\n", c->info.serial, c->info.version[0],
	         c->info.version[1], c->info.version[2], c->atr_hex);
	fputs ("  ", out);
	tries_text (out, "PIN", c->pin_tries);
	fputs (c->pin_verified ? " (verified)" : "", out);
	fputs ("; ", out);
	tries_text (out, "PUK", c->puk_tries);
	fprintf (out, "\n  token %s\n", c->token_uri);
	if (c->n_keys == 0)
		fputs ("  no keys, no certificates\n", out);
	for (i = 0; i < c->n_keys && c->extra != NULL; i++)
		key_text (out, &c->keys[i], &c->extra[i]);
}

void
tool_status_text (FILE *out, const struct tool_facts *facts)
{
	size_t i;

	if (!facts->service_up) {
		fprintf (out, "backend %s: the PC/SC service (pcscd) cannot be reached\n", facts->backend);
		return;
	}
	fprintf (out, "backend %s: PC/SC service reachable, %zu %s\n", facts->backend, facts->n_readers,
	         facts->n_readers == 1 ? "reader" : "readers");
	for (i = 0; i < facts->n_readers; i++)
		card_text (out, &facts->readers[i]);
}

static void
tries_json (struct json *j, const char *key, int tries)
{
	if (tries < 0)
		json_null (j, key);
	else
		json_int (j, key, tries);
}

static void
key_json (struct json *j, const struct card_key *k, const struct tool_key *x)
{
	json_begin_object (j, NULL);
	json_string (j, "ref", x->ref_hex);
	json_string (j, "name", x->name);
	json_bool (j, "has_key", k->has_key != 0);
	json_string (j, "algorithm", k->has_key ? tool_alg_name (k->alg) : NULL);
	json_string (j, "pin_policy", k->has_key ? tool_pin_policy_name (k->pin_policy) : NULL);
	json_string (j, "touch_policy", k->has_key ? tool_touch_policy_name (k->touch_policy) : NULL);
	json_string (j, "origin", k->origin_generated == 1 ? "generated" : k->origin_generated == 0 ? "imported" : NULL);
	json_string (j, "cka_id", x->id_hex);
	json_bool (j, "cka_id_from_application", x->id_is_alias);
	json_string (j, "uri", x->uri[0] ? x->uri : NULL);
	if (x->has_cert) {
		json_begin_object (j, "certificate");
		json_string (j, "subject", x->subject);
		json_string (j, "issuer", x->issuer);
		json_string (j, "not_after", x->not_after);
		json_int (j, "days_left", x->days_left);
		json_end_object (j);
	} else {
		json_null (j, "certificate");
	}
	json_end_object (j);
}

static void
card_json (struct json *j, const struct tool_card *c)
{
	char version[16];
	size_t i;

	json_string (j, "state", tool_card_state_name (c->state));
	json_string (j, "error", c->error[0] ? c->error : NULL);
	json_string (j, "atr", c->atr_hex[0] ? c->atr_hex : NULL);
	if (c->state != TOOL_CARD_OK) {
		json_null (j, "card");
		return;
	}
	snprintf (version, sizeof version, "%u.%u.%u", c->info.version[0], c->info.version[1], c->info.version[2]);
	json_begin_object (j, "card");
	json_string (j, "driver", c->driver);
	json_string (j, "model", c->info.model);
	json_string (j, "manufacturer", c->info.manufacturer);
	json_string (j, "serial", c->info.serial);
	json_string (j, "version", version);
	json_begin_object (j, "pin");
	tries_json (j, "tries_left", c->pin_tries);
	json_bool (j, "verified", c->pin_verified != 0);
	json_bool (j, "blocked", c->pin_tries == 0);
	json_end_object (j);
	json_begin_object (j, "puk");
	tries_json (j, "tries_left", c->puk_tries);
	json_bool (j, "blocked", c->puk_tries == 0);
	json_end_object (j);
	json_string (j, "token_uri", c->token_uri);
	json_begin_array (j, "keys");
	for (i = 0; i < c->n_keys && c->extra != NULL; i++)
		key_json (j, &c->keys[i], &c->extra[i]);
	json_end_array (j);
	json_end_object (j);
}

void
tool_status_json (struct json *j, const struct tool_facts *facts)
{
	size_t i;

	json_string (j, "backend", facts->backend);
	json_bool (j, "service", facts->service_up);
	json_begin_array (j, "readers");
	for (i = 0; i < facts->n_readers; i++) {
		json_begin_object (j, NULL);
		json_string (j, "name", facts->readers[i].name);
		json_string (j, "backend", facts->readers[i].backend);
		card_json (j, &facts->readers[i].card);
		json_end_object (j);
	}
	json_end_array (j);
}

int
tool_status (const struct tool_opts *opts, int argc, char **argv)
{
	struct tool_facts facts;
	struct json j;
	int code;

	if (argc > 1) {
		fprintf (stderr, "tessera status: unexpected argument \"%s\"\n", argv[1]);
		return TOOL_EXIT_USAGE;
	}
	tool_facts_gather (&facts);
	code = tool_facts_exit (&facts);
	if (opts->json) {
		json_init (&j, stdout);
		json_begin_object (&j, NULL);
		json_string (&j, "tessera", VERSION);
		tool_status_json (&j, &facts);
		json_int (&j, "exit", code);
		json_end_object (&j);
		json_finish (&j);
	} else {
		tool_status_text (stdout, &facts);
	}
	tool_facts_free (&facts);
	return code;
}
