/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tests/faults/matrix.c: the fault matrix (fault-matrix.sh: the operations that only read
 * the card, "reads"; fault-matrix-writes.sh: those that change it, "writes", each within the
 * suite's time limit per test on a loaded machine). One long-lived process keeps
 * the module loaded (threads allowed: the watchdog is on) and, for every operation of
 * ops.c, counts the APDUs it sends without a fault, then for every fault mode and every
 * APDU index I arms the simulator (`fail 1 MODE I`), runs the operation, and checks: it
 * returned within the time limit, with a sane CKR code (and a CKR_OK did what it says);
 * once the card is back (pulled out: put back) the PIN and PUK counters are full and no
 * wrong PIN or PUK was ever presented (`pins`: nothing but the matrix's right PINs is
 * sent, so any wrong one is the module's); and a fresh process finds the card consistent
 * (check.c) after every point of an operation that writes to the card, after every row
 * of the others. The figures (points, outcomes by CKR code) go to the TAP diagnostics.
 */
#include "config.h"

#include "tests/faults/faults.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Not executed: a wrong status word, garbage, the card pulled out. Executed, then: the
 * answer cut short, replaced by "security status not satisfied", lost with the card. */
static const char *const modes[] = { "sw:6F00", "garbage", "remove", "truncate", "after-sw:6982", "lost" };
#define N_MODES (sizeof modes / sizeof modes[0])
#define POINT_LIMIT_S 30      /* an operation under a fault must end within this */
#define MAX_RV 16

static const char *self;
static char point_name[160];
static unsigned long total_points, total_checks;
static struct { CK_RV rv; unsigned long n; } totals[MAX_RV];
static size_t n_totals;

static double
now_s (void)
{
	struct timespec ts;

	clock_gettime (CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
on_alarm (int sig)
{
	static const char msg[] = "Bail out! an operation under a fault did not return: ";

	(void)sig;
	(void)!write (STDOUT_FILENO, msg, sizeof msg - 1);
	(void)!write (STDOUT_FILENO, point_name, strlen (point_name));
	(void)!write (STDOUT_FILENO, "\n", 1);
	_exit (1);
}

const char *
fm_card_pin (void)
{
	static const char *const pins[] = { PIN, PIN_NEW, PIN_INIT };
	char cmd[32], ans[64];
	size_t i;

	for (i = 0; i < 3; i++) {
		snprintf (cmd, sizeof cmd, "pin-is %s", pins[i]);
		if (card_ctl (0, cmd, ans, sizeof ans) && strcmp (ans, "yes") == 0)
			return pins[i];
	}
	return NULL;
}

/* The module has seen the card leave (its token is gone), within 15 s. */
static void
wait_token_gone (void)
{
	int i;

	for (i = 0; i < 150 && token_present (fm.slot); i++)
		usleep (100000);
	if (token_present (fm.slot))
		tap_bail ("the module did not see the card go");
}

void
fm_recover (void)
{
	CK_SESSION_INFO info;
	char st[64] = "";
	const char *pin;
	CK_RV rv;

	if (card_ctl (0, "status", st, sizeof st) && strcmp (st, "removed") == 0) {
		wait_token_gone ();
		card_ctl (0, "insert", NULL, 0);
	}
	if (!card_wait_status (0, "inserted powered"))
		tap_bail ("the card did not come back");
	if (fm.sess == 0 || f->C_GetSessionInfo (fm.sess, &info) != CKR_OK) {
		fm.slot = p11_slot ();
		fm.sess = fm.slot != 0 ? p11_session (fm.slot) : 0;
		if (fm.sess == 0)
			tap_bail ("no session on the card");
	}
	pin = fm_card_pin ();
	if (pin == NULL)
		tap_bail ("the card's PIN is unknown");
	rv = f->C_Login (fm.sess, CKU_USER, (CK_UTF8CHAR_PTR)pin, 6);
	if (rv != CKR_OK && rv != CKR_USER_ALREADY_LOGGED_IN && rv != CKR_USER_ANOTHER_ALREADY_LOGGED_IN) {
		snprintf (point_name + strlen (point_name), sizeof point_name - strlen (point_name),
		          ": login after it: %s", p11_rv_name (rv));
		tap_bail (point_name);
	}
}

/* Counters full, no wrong PIN or PUK ever presented. */
static bool
pins_intact (char *ans, size_t size)
{
	return card_ctl (0, "pins", ans, size) && strcmp (ans, "pin_tries 3 puk_tries 3 wrong 0") == 0;
}

/* A fresh process checks the card; 9E's certificate one of CERTS. */
static bool
fresh_check (const char *certs)
{
	pid_t pid;
	int status = -1;

	total_checks++;
	fflush (stdout);
	pid = fork ();
	if (pid == 0) {
		execl (self, self, "check", fm.dir, PIN, certs, (char *)NULL);
		_exit (3);
	}
	return pid > 0 && waitpid (pid, &status, 0) == pid && WIFEXITED (status) && WEXITSTATUS (status) == 0;
}

/* What a fault may make an operation answer: a device error, the card gone, the card's
 * "security status not satisfied" (not logged in; for the management key, a key the card
 * refused: no usable key, the token write-protected). Anything else (a wrong PIN, bad data,
 * a general error, a CKR_OK that did nothing) blames the wrong party or hides the fault. */
static bool
rv_sane (CK_RV rv)
{
	return rv == CKR_OK || rv == CKR_DEVICE_ERROR || rv == CKR_DEVICE_REMOVED || rv == CKR_TOKEN_NOT_PRESENT ||
	       rv == CKR_SESSION_HANDLE_INVALID || rv == CKR_SESSION_CLOSED || rv == CKR_USER_NOT_LOGGED_IN ||
	       rv == CKR_TOKEN_WRITE_PROTECTED;
}

static void
tally (CK_RV rv, unsigned long *counts, CK_RV *rvs, size_t *n)
{
	size_t i;

	for (i = 0; i < *n && rvs[i] != rv; i++)
		;
	if (i == *n && *n < MAX_RV)
		rvs[(*n)++] = rv;
	if (i < MAX_RV)
		counts[i]++;
	for (i = 0; i < n_totals && totals[i].rv != rv; i++)
		;
	if (i == n_totals && n_totals < MAX_RV)
		totals[n_totals++].rv = rv;
	if (i < MAX_RV)
		totals[i].n++;
}

/* The certificates 9E may hold after a point of OP that returned RV. */
static const char *
allowed_certs (const struct fm_op *op, CK_RV rv, char *buf, size_t size)
{
	if (strncmp (op->name, "certificate write", 17) == 0)
		snprintf (buf, size, "%s", rv == CKR_OK ? fm.cert_b : fm.cert_a);
	else if (strncmp (op->name, "certificate delete", 18) == 0)
		snprintf (buf, size, "%s", rv == CKR_OK ? "absent" : fm.cert_a);
	else
		snprintf (buf, size, "%s", fm.cert_a);
	if (rv != CKR_OK && strncmp (op->name, "certificate write", 17) == 0)
		snprintf (buf + strlen (buf), size - strlen (buf), ",%s", fm.cert_b);   /* done, answer lost */
	if (rv != CKR_OK && strncmp (op->name, "certificate delete", 18) == 0)
		snprintf (buf + strlen (buf), size - strlen (buf), ",absent");
	return buf;
}

/* One point: OP with fault MODE at APDU INDEX. false (and a diagnostic) when it went wrong. */
static bool
point (const struct fm_op *op, const char *mode, unsigned long index, CK_RV *out)
{
	char cmd[64], ans[128], certs[1200];
	bool really = false, ok = true, removed;
	double start, took;
	CK_RV rv;

	snprintf (point_name, sizeof point_name, "%s, %s at APDU %lu", op->name, mode, index);
	op->prepare ();
	snprintf (cmd, sizeof cmd, "fail 1 %s %lu", mode, index);
	card_ctl (0, cmd, NULL, 0);
	alarm (POINT_LIMIT_S);
	start = now_s ();
	rv = op->run (&really);
	took = now_s () - start;
	alarm (0);
	/* a card pulled out during the operation: a CKR_OK may have been done just before */
	removed = (strcmp (mode, "remove") == 0 || strcmp (mode, "lost") == 0) &&
	          card_ctl (0, "armed", ans, sizeof ans) && strncmp (ans, "armed 0 ", 8) == 0;
	card_ctl (0, "fail 0 mute", NULL, 0);   /* disarmed, if the operation stopped earlier */
	fm_recover ();
	op->settle (rv);
	fm_recover ();
	*out = rv;
	if (getenv ("FM_VERBOSE") != NULL)
		tap_diag ("%s: %s%s, %.2f s", point_name, p11_rv_name (rv), rv == CKR_OK && !really ? " (not done)" : "", took);
	if (!rv_sane (rv) || (rv == CKR_OK && !really && !removed)) {
		tap_diag ("%s: %s%s", point_name, p11_rv_name (rv), rv == CKR_OK ? " but not done" : "");
		ok = false;
	}
	if (!pins_intact (ans, sizeof ans)) {
		tap_diag ("%s: %s", point_name, ans);
		ok = false;
	}
	if (op->changes_card && !fresh_check (allowed_certs (op, rv, certs, sizeof certs))) {
		tap_diag ("%s (%s): the card is not consistent", point_name, p11_rv_name (rv));
		ok = false;
	}
	if (took > POINT_LIMIT_S / 2)
		tap_diag ("%s: took %.1f s", point_name, took);
	return ok;
}

/* Every mode at every APDU index of OP. */
static void
run_op (const struct fm_op *op)
{
	unsigned long n, i, a0, counts[MAX_RV] = { 0 };
	CK_RV rvs[MAX_RV], rv;
	size_t m, n_rvs = 0, k;
	bool really = false, ok;
	char line[512], certs[1200];
	int len;

	if (getenv ("FM_ONLY") != NULL && strstr (op->name, getenv ("FM_ONLY")) == NULL)
		return;   /* a developer's run of one operation */
	op->prepare ();
	a0 = card_apdus (0);
	rv = op->run (&really);
	n = card_apdus (0) - a0;
	op->settle (rv);
	fm_recover ();
	if (!tap (rv == CKR_OK && really && n > 0, "%s without a fault: %lu APDUs", op->name, n))
		return;
	for (m = 0; m < N_MODES; m++) {
		ok = true;
		for (i = 0; i < n; i++) {
			ok = point (op, modes[m], i, &rv) && ok;
			tally (rv, counts, rvs, &n_rvs);
			total_points++;
		}
		if (!op->changes_card)
			ok = fresh_check (allowed_certs (op, CKR_DEVICE_ERROR, certs, sizeof certs)) && ok;
		tap (ok, "%s, %s at each of its %lu APDUs: sane answers, counters intact, the card consistent",
		     op->name, modes[m], n);
	}
	if (strncmp (op->name, "certificate", 11) == 0)
		op->prepare ();   /* 9E's certificate back as provisioned */
	len = snprintf (line, sizeof line, "%s: %lu points:", op->name, n * N_MODES);
	for (k = 0; k < n_rvs && len > 0 && (size_t)len < sizeof line; k++)
		len += snprintf (line + len, sizeof line - (size_t)len, " %s %lu", p11_rv_name (rvs[k]), counts[k]);
	tap_diag ("%s", line);
}

int
main (int argc, char **argv)
{
	char line[1024];
	size_t i;
	double start = now_s ();
	int len;

	if (argc > 1 && strcmp (argv[1], "check") == 0)
		return fm_check_main (argc - 2, argv + 2);
	if (argc != 3 || (strcmp (argv[2], "reads") != 0 && strcmp (argv[2], "writes") != 0))
		tap_bail ("usage: fault-matrix DIR reads|writes | fault-matrix check DIR PIN CERTS");
	self = argv[0];
	signal (SIGALRM, on_alarm);
	fm_ops_init (argv[1]);
	module_load (false);
	fm_recover ();
	tap (fresh_check (fm.cert_a), "a fresh process finds the provisioned card consistent");
	for (i = 0; i < fm_n_ops; i++) {
		if (fm_ops[i].changes_card == (strcmp (argv[2], "writes") == 0))
			run_op (&fm_ops[i]);
	}
	tap (fresh_check (fm.cert_a), "and finds it consistent at the end");
	len = snprintf (line, sizeof line, "fault matrix: %lu points, %lu fresh checks, %.0f s; outcomes:",
	                total_points, total_checks, now_s () - start);
	for (i = 0; i < n_totals && len > 0 && (size_t)len < sizeof line; i++)
		len += snprintf (line + len, sizeof line - (size_t)len, " %s %lu", p11_rv_name (totals[i].rv),
		                 totals[i].n);
	tap_diag ("%s", line);
	module_unload ();
	return tap_done ();
}
