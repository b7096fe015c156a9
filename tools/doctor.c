/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tools/doctor.c: `tessera doctor`: every check a working card needs, each with a
 * verdict (ok, warning, problem) and, for what is wrong, a fix in plain words:
 * pcscd reachable, readers, a card answering (not held by another program), PIN and
 * PUK counters, certificates expiring within 30 days, tessera registered in p11-kit
 * and in the user's Firefox and Thunderbird profiles, and another module (OpenSC)
 * offering the same card. Exit 1 when a check found a problem.
 */
#include "config.h"

#include "tools/tool.h"
#include "tools/doctor.h"

#include <dirent.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define EXPIRY_WARN_DAYS 30

void
check_add (struct checks *cs, const char *id, enum verdict verdict, const char *fix, const char *fmt, ...)
{
	struct check *grown = realloc (cs->list, (cs->n + 1) * sizeof *grown);
	va_list ap;

	if (grown == NULL)
		return;
	cs->list = grown;
	snprintf (grown[cs->n].id, sizeof grown[cs->n].id, "%s", id);
	grown[cs->n].verdict = verdict;
	snprintf (grown[cs->n].fix, sizeof grown[cs->n].fix, "%s", fix != NULL ? fix : "");
	va_start (ap, fmt);
	vsnprintf (grown[cs->n].message, sizeof grown[cs->n].message, fmt, ap);
	va_end (ap);
	cs->n++;
}

/* The pid of a running scdaemon (GnuPG's smartcard daemon, which takes readers
 * exclusively by default), or 0. */
static long
scdaemon_pid (void)
{
	DIR *d = opendir ("/proc");
	struct dirent *e;
	char path[300], comm[64];
	long pid = 0;
	FILE *f;

	while (d != NULL && pid == 0 && (e = readdir (d)) != NULL) {
		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		snprintf (path, sizeof path, "/proc/%s/comm", e->d_name);
		f = fopen (path, "re");
		if (f == NULL)
			continue;
		if (fgets (comm, sizeof comm, f) != NULL && strcmp (comm, "scdaemon\n") == 0)
			pid = strtol (e->d_name, NULL, 10);
		fclose (f);
	}
	if (d != NULL)
		closedir (d);
	return pid;
}

static void
check_reader (struct checks *cs, const struct tool_reader *r)
{
	const struct tool_card *c = &r->card;
	char fix[1024];
	long pid;

	switch (c->state) {
	case TOOL_CARD_NONE:
		return;
	case TOOL_CARD_OK:
		check_add (cs, "card", V_OK, NULL, "reader \"%s\": %s #%s answers (driver %s)", r->name,
		           c->info.model, c->info.serial, c->driver);
		return;
	case TOOL_CARD_HELD:
		pid = scdaemon_pid ();
		if (pid > 0)
			snprintf (fix, sizeof fix, "scdaemon (GnuPG's smartcard daemon, pid %ld) is running and takes "
			          "readers for itself. Stop it with \"gpgconf --kill scdaemon\"; to keep it from taking "
			          "the reader again, add the line \"pcsc-shared\" to ~/.gnupg/scdaemon.conf.", pid);
		else
			snprintf (fix, sizeof fix, "Close the program that uses the card (a smartcard daemon, another "
			          "card tool, a virtual machine with the reader attached), then try again.");
		check_add (cs, "reader-access", V_FAIL, fix,
		           "reader \"%s\": another program holds the card exclusively", r->name);
		return;
	case TOOL_CARD_UNKNOWN:
		check_add (cs, "card", V_WARN, "tessera reads PIV cards (YubiKey PIV included); this card needs "
		           "another PKCS #11 module, for instance OpenSC's.",
		           "reader \"%s\": tessera does not know this card (ATR %s)", r->name, c->atr_hex);
		return;
	case TOOL_CARD_MUTE:
	case TOOL_CARD_GONE:
	case TOOL_CARD_ERROR:
		check_add (cs, "card", V_FAIL, "Take the card out and put it back in (a USB token: unplug it and "
		           "plug it in again); if it still fails, try another reader or USB port.",
		           "reader \"%s\": the card %s (%s)", r->name,
		           c->state == TOOL_CARD_GONE ? "went away while being read" : "does not answer", c->error);
		return;
	}
}

static void
check_pins (struct checks *cs, const struct tool_reader *r)
{
	const struct tool_card *c = &r->card;
	char fix[1024];

	if (c->pin_tries == 0 && c->puk_tries == 0) {
		snprintf (fix, sizeof fix, "PIN and PUK are both blocked: the keys on the card can no longer be "
		          "used. %s", c->info.can_reset ? "The card can be reset to its factory state, which "
		          "ERASES its keys and certificates: pkcs11-tool --module tessera-pkcs11.so --init-token "
		          "--label NAME --so-pin NEW-PUK. Ask whoever issued the card first." :
		          "Take the card to whoever issued it.");
		check_add (cs, "pin", V_FAIL, fix, "card #%s: PIN blocked, PUK blocked", c->info.serial);
	} else if (c->pin_tries == 0) {
		check_add (cs, "pin", V_FAIL, "Unblock it with the PUK and choose a new PIN: pkcs11-tool --module "
		           "tessera-pkcs11.so --login --login-type so --so-pin PUK --init-pin --new-pin NEW-PIN "
		           "(or ask whoever issued the card).", "card #%s: the PIN is blocked", c->info.serial);
	} else if (c->pin_tries == 1) {
		check_add (cs, "pin", V_WARN, "One more wrong PIN blocks it (the PUK can then unblock it). Make "
		           "sure of the PIN before using the card.", "card #%s: one PIN try left", c->info.serial);
	} else if (c->pin_tries > 1) {
		check_add (cs, "pin", V_OK, NULL, "card #%s: PIN %d tries left", c->info.serial, c->pin_tries);
	}
	if (c->puk_tries == 0 && c->pin_tries != 0)
		check_add (cs, "puk", V_WARN, "Keep the PIN safe: a blocked PIN could no longer be unblocked.",
		           "card #%s: the PUK is blocked", c->info.serial);
}

static void
check_certs (struct checks *cs, const struct tool_reader *r)
{
	const struct tool_card *c = &r->card;
	size_t i, good = 0;

	for (i = 0; i < c->n_keys && c->extra != NULL; i++) {
		const struct tool_key *x = &c->extra[i];
		if (!x->has_cert)
			continue;
		if (x->days_left < 0)
			check_add (cs, "certificate", V_FAIL, "Ask the certificate's issuer for a new one; "
			           "applications refuse an expired certificate.",
			           "card #%s key %s: certificate \"%s\" expired on %s", c->info.serial, x->ref_hex,
			           x->subject, x->not_after);
		else if (x->days_left <= EXPIRY_WARN_DAYS)
			check_add (cs, "certificate", V_WARN, "Ask the certificate's issuer for a new one before it "
			           "expires.", "card #%s key %s: certificate \"%s\" expires in %ld days (%s)",
			           c->info.serial, x->ref_hex, x->subject, x->days_left, x->not_after);
		else
			good++;
	}
	if (good > 0)
		check_add (cs, "certificate", V_OK, NULL, "card #%s: %zu certificate(s) valid for more than %d days",
		           c->info.serial, good, EXPIRY_WARN_DAYS);
}

/* The service, the readers, and per card its answer, PINs and certificates. */
static void
check_cards (struct checks *cs, const struct tool_facts *facts)
{
	bool any_card = false;
	size_t i;

	if (!facts->service_up) {
		check_add (cs, "pcscd", V_FAIL, "Start the PC/SC service: sudo systemctl start pcscd.socket "
		           "(not installed? sudo apt install pcscd).", "the PC/SC service (pcscd) cannot be reached");
		return;
	}
	check_add (cs, "pcscd", V_OK, NULL, "the PC/SC service (pcscd) answers");
	if (facts->n_readers == 0) {
		check_add (cs, "readers", V_FAIL, "Plug the reader (or USB token) in. \"lsusb\" shows whether the "
		           "computer sees it; a USB reader also needs pcscd's CCID driver: sudo apt install libccid.",
		           "no smartcard reader");
		return;
	}
	check_add (cs, "readers", V_OK, NULL, "%zu reader(s)", facts->n_readers);
	for (i = 0; i < facts->n_readers; i++) {
		const struct tool_reader *r = &facts->readers[i];
		if (r->card.state != TOOL_CARD_NONE)
			any_card = true;
		check_reader (cs, r);
		if (r->card.state == TOOL_CARD_OK) {
			check_pins (cs, r);
			check_certs (cs, r);
		}
	}
	if (!any_card)
		check_add (cs, "cards", V_FAIL, "Insert the card (a USB token: plug it in).", "no card in any reader");
}

static const char *
verdict_name (enum verdict v)
{
	return v == V_OK ? "ok" : v == V_WARN ? "warning" : "problem";
}

static void
doctor_text (const struct checks *cs, size_t problems, size_t warnings)
{
	static const char *const tag[] = { "[ok]     ", "[warning]", "[PROBLEM]" };
	size_t i;

	for (i = 0; i < cs->n; i++) {
		printf ("%s %s\n", tag[cs->list[i].verdict], cs->list[i].message);
		if (cs->list[i].fix[0] != '\0')
			printf ("          fix: %s\n", cs->list[i].fix);
	}
	printf ("%zu problem(s), %zu warning(s)\n", problems, warnings);
}

static void
doctor_json (const struct checks *cs, size_t problems, size_t warnings, int code)
{
	struct json j;
	size_t i;

	json_init (&j, stdout);
	json_begin_object (&j, NULL);
	json_string (&j, "tessera", VERSION);
	json_begin_array (&j, "checks");
	for (i = 0; i < cs->n; i++) {
		json_begin_object (&j, NULL);
		json_string (&j, "check", cs->list[i].id);
		json_string (&j, "result", verdict_name (cs->list[i].verdict));
		json_string (&j, "message", cs->list[i].message);
		json_string (&j, "fix", cs->list[i].fix[0] ? cs->list[i].fix : NULL);
		json_end_object (&j);
	}
	json_end_array (&j);
	json_int (&j, "problems", (long long)problems);
	json_int (&j, "warnings", (long long)warnings);
	json_int (&j, "exit", code);
	json_end_object (&j);
	json_finish (&j);
}

int
tool_doctor (const struct tool_opts *opts, int argc, char **argv)
{
	struct checks cs = { NULL, 0 };
	struct tool_facts facts;
	size_t i, problems = 0, warnings = 0;
	int code;

	if (argc > 1) {
		fprintf (stderr, "tessera doctor: unexpected argument \"%s\"\n", argv[1]);
		return TOOL_EXIT_USAGE;
	}
	tool_facts_gather (&facts);
	check_cards (&cs, &facts);
	doctor_check_setup (&cs, &facts, opts);
	for (i = 0; i < cs.n; i++) {
		problems += cs.list[i].verdict == V_FAIL;
		warnings += cs.list[i].verdict == V_WARN;
	}
	code = problems > 0 ? TOOL_EXIT_PROBLEM : TOOL_EXIT_OK;
	if (opts->json)
		doctor_json (&cs, problems, warnings, code);
	else
		doctor_text (&cs, problems, warnings);
	free (cs.list);
	tool_facts_free (&facts);
	return code;
}
