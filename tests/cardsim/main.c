/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* main.c: cardsim command line: the simulator (a vpcd client) and the `ctl` client. */
#include "config.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hex.h"
#include "log.h"
#include "sim.h"
#include "state.h"

/* YubiKey 5 (USB) ATR (also for yubikey+openpgp), for --profile nist a generic T=0/T=1 ATR
 * with the historical bytes "cardsimPIV", for --profile openpgp one with the OpenPGP card's
 * historical bytes (command chaining, extended Lc/Le; TCK appended at startup). */
static const uint8_t atr_yubikey[] = { 0x3B, 0xFD, 0x13, 0x00, 0x00, 0x81, 0x31, 0xFE, 0x15, 0x80,
	0x73, 0xC0, 0x21, 0xC0, 0x57, 0x59, 0x75, 0x62, 0x69, 0x4B, 0x65, 0x79, 0x40 };
static const uint8_t atr_nist[] = { 0x3B, 0x8A, 0x80, 0x01, 'c', 'a', 'r', 'd', 's', 'i', 'm', 'P', 'I', 'V' };
static const uint8_t atr_openpgp[] = { 0x3B, 0xDA, 0x18, 0xFF, 0x81, 0xB1, 0xFE, 0x75, 0x1F, 0x03,
	0x00, 0x31, 0xC5, 0x73, 0xC0, 0x01, 0xC0, 0x05, 0x90, 0x00 };
#define ATR_OPENPGP_CAPS 16 /* third byte of the card capabilities (73): 80 chaining, 40 ext. */

static void usage(FILE *f)
{
	fputs("usage: cardsim --port PORT --state FILE [OPTIONS]\n"
	      "       cardsim --vscard SOCKET --state FILE [OPTIONS]\n"
	      "       cardsim ctl PATH COMMAND [ARGS]\n"
	      "\n"
	      "A PIV card (NIST SP 800-73-4, YubiKey 5 extensions), an OpenPGP card (3.4), or a\n"
	      "YubiKey with both, in vsmartcard's virtual reader: it connects to vpcd as a TCP\n"
	      "client; connected = card inserted.\n"
	      "\n"
	      "  --port PORT        vpcd port (vpcd default 35963; the second reader is PORT+1)\n"
	      "  --host ADDR        vpcd host (default 127.0.0.1)\n"
	      "  --vscard SOCKET    instead of vpcd: QEMU's ccid-card-passthru chardev (a UNIX\n"
	      "                     socket, QEMU the server): the card in QEMU's usb-ccid reader;\n"
	      "                     remove / insert send CardRemove / ATR\n"
	      "  --state FILE       the card's persistent state (keys, objects, PINs, counters),\n"
	      "                     rewritten atomically after every change, mode 0600; a missing\n"
	      "                     FILE is a new card (factory defaults, random serial)\n"
	      "  --control PATH     UNIX socket for control commands (see below)\n"
	      "  --latency-ms N     add N ms to every APDU\n"
	      "  --no-extended      short APDUs only: extended APDU -> 6700, long answers via 61xx\n"
	      "  --profile P        yubikey (default: PIV with YubiKey extensions), nist (plain PIV:\n"
	      "                     YubiKey commands answer 6D00), openpgp (an OpenPGP card 3.4),\n"
	      "                     yubikey+openpgp (both applications, each selected by its AID)\n"
	      "  --serial N         serial number of a new card (decimal; an existing FILE keeps\n"
	      "                     its serial)\n"
	      "  --atr HEX          ATR to present (default: YubiKey 5 ATR, or a generic one for nist\n"
	      "                     and openpgp)\n"
	      "  --log FILE         log every APDU and response (PIN data shown as XX)\n"
	      "  -h, --help         this text\n"
	      "\n"
	      "Factory defaults: PIN 123456, PUK 12345678 (3 tries each), management key\n"
	      "010203040506070801020304050607080102030405060708 (3DES); OpenPGP: PW1 123456,\n"
	      "PW3 12345678 (3 tries each), no resetting code, RSA-2048 attributes in all slots.\n"
	      "\n"
	      "Control commands (one per line; each answer is one line: ok, data, or error ...):\n"
	      "  remove             close the vpcd connection (card pulled)\n"
	      "  insert             reconnect (card inserted)\n"
	      "  swap FILE          remove the card, load the card of state file FILE (new\n"
	      "                     if missing) and insert it 1 s later\n"
	      "  reset              clear the card's volatile state (PIN verified, selection, ...)\n"
	      "  fail N MODE [SKIP] after SKIP more good APDUs (default 0), the next N fail. Not\n"
	      "                     executed by the card: mute (never answer), drop (close the\n"
	      "                     connection; reconnects after 200 ms), sw:XXXX (answer XXXX),\n"
	      "                     garbage (1..40 pseudo-random bytes), remove (the card is\n"
	      "                     pulled out until insert). Executed, then: truncate (half\n"
	      "                     the answer), after-sw:XXXX (XXXX instead of the answer),\n"
	      "                     lost (the card is pulled out: the answer is lost)\n"
	      "  armed              armed N skip K: faults still to come, good APDUs before them\n"
	      "  pins               pin_tries N puk_tries N wrong N (wrong PINs and PUKs\n"
	      "                     presented since start; no APDU, no counter moves)\n"
	      "  pin-is PIN         yes or no: is PIN the card's PIN (no counter moves)\n"
	      "  stats              apdus N bytes_in N bytes_out N get_response N extended N\n"
	      "                     (since start; the last two count GET RESPONSE commands and\n"
	      "                     extended-length commands among the APDUs)\n"
	      "  status             removed | inserted disconnected (no vpcd) | inserted connected\n"
	      "                     (not yet powered by vpcd) | inserted powered | inserted unpowered\n"
	      "  quit               stop the simulator\n"
	      "`cardsim ctl PATH COMMAND` sends one command and prints the answer; exit status 0,\n"
	      "or 1 when it cannot connect.\n", f);
}

static int parse_uint(const char *s, unsigned long max, unsigned long *v)
{
	char *end = NULL;

	*v = strtoul(s, &end, 10);
	return (end == s || *end != '\0' || *v > max) ? -1 : 0;
}

static int parse_atr(struct cs_opts *o, const char *hex)
{
	struct cs_buf b;
	int rc = -1;

	cs_buf_init(&b);
	if (cs_hex_decode(hex, &b) == 0 && b.len >= 2 && b.len <= CS_ATR_MAX) {
		memcpy(o->atr, b.data, b.len);
		o->atr_len = b.len;
		rc = 0;
	}
	cs_buf_free(&b);
	return rc;
}

static void default_atr(struct cs_opts *o)
{
	const uint8_t *atr = o->profile == CS_PROFILE_OPENPGP ? atr_openpgp : atr_nist;
	size_t i, n = o->profile == CS_PROFILE_OPENPGP ? sizeof(atr_openpgp) : sizeof(atr_nist);
	uint8_t tck = 0;

	if (o->profile == CS_PROFILE_YUBIKEY || o->profile == CS_PROFILE_YUBIKEY_OPENPGP) {
		memcpy(o->atr, atr_yubikey, sizeof(atr_yubikey));
		o->atr_len = sizeof(atr_yubikey);
		return;
	}
	memcpy(o->atr, atr, n);
	/* The OpenPGP card's historical bytes: no extended Lc/Le with --no-extended. */
	if (o->profile == CS_PROFILE_OPENPGP && o->no_extended)
		o->atr[ATR_OPENPGP_CAPS] = 0x80;
	for (i = 1; i < n; i++)
		tck ^= atr[i];
	o->atr[n] = tck;
	o->atr_len = n + 1;
}

enum { OPT_PORT = 256, OPT_HOST, OPT_STATE, OPT_CONTROL, OPT_LATENCY, OPT_NOEXT, OPT_PROFILE,
       OPT_SERIAL, OPT_ATR, OPT_LOG, OPT_VSCARD };

static const struct option long_opts[] = {
	{ "port", required_argument, NULL, OPT_PORT },
	{ "host", required_argument, NULL, OPT_HOST },
	{ "state", required_argument, NULL, OPT_STATE },
	{ "control", required_argument, NULL, OPT_CONTROL },
	{ "latency-ms", required_argument, NULL, OPT_LATENCY },
	{ "no-extended", no_argument, NULL, OPT_NOEXT },
	{ "profile", required_argument, NULL, OPT_PROFILE },
	{ "serial", required_argument, NULL, OPT_SERIAL },
	{ "atr", required_argument, NULL, OPT_ATR },
	{ "log", required_argument, NULL, OPT_LOG },
	{ "vscard", required_argument, NULL, OPT_VSCARD },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* Returns 0, or the exit status to use (-1: exit 0 after --help). */
static int parse_option(struct cs_opts *o, int opt, const char *arg, const char **atr)
{
	unsigned long v;

	switch (opt) {
	case OPT_PORT:
		if (parse_uint(arg, 65535, &v) < 0 || v == 0)
			return 2;
		o->port = (int)v;
		return 0;
	case OPT_HOST: o->host = arg; return 0;
	case OPT_VSCARD: o->vscard = arg; return 0;
	case OPT_STATE: o->state = arg; return 0;
	case OPT_CONTROL: o->control = arg; return 0;
	case OPT_LOG: o->log = arg; return 0;
	case OPT_ATR: *atr = arg; return 0;
	case OPT_NOEXT: o->no_extended = true; return 0;
	case OPT_LATENCY:
		if (parse_uint(arg, 600000, &v) < 0)
			return 2;
		o->latency_ms = (unsigned)v;
		return 0;
	case OPT_SERIAL:
		if (parse_uint(arg, 0xFFFFFFFFUL, &v) < 0 || v == 0)
			return 2;
		o->serial = (uint32_t)v;
		return 0;
	case OPT_PROFILE:
		if (strcmp(arg, "nist") == 0)
			o->profile = CS_PROFILE_NIST;
		else if (strcmp(arg, "yubikey") == 0)
			o->profile = CS_PROFILE_YUBIKEY;
		else if (strcmp(arg, "openpgp") == 0)
			o->profile = CS_PROFILE_OPENPGP;
		else if (strcmp(arg, "yubikey+openpgp") == 0)
			o->profile = CS_PROFILE_YUBIKEY_OPENPGP;
		else
			return 2;
		return 0;
	case 'h': usage(stdout); return -1;
	default: return 2;
	}
}

static int parse_args(struct cs_opts *o, int argc, char **argv)
{
	const char *atr = NULL;
	int opt, rc;

	memset(o, 0, sizeof(*o));
	o->host = "127.0.0.1";
	while ((opt = getopt_long(argc, argv, "h", long_opts, NULL)) != -1) {
		rc = parse_option(o, opt, optarg, &atr);
		if (rc != 0) {
			if (rc > 0)
				fprintf(stderr, "cardsim: bad option or value (see cardsim --help)\n");
			return rc;
		}
	}
	if (optind != argc || (o->port == 0 && o->vscard == NULL) || o->state == NULL) {
		fprintf(stderr, "cardsim: --port (or --vscard) and --state are required (see cardsim --help)\n");
		return 2;
	}
	default_atr(o);
	if (atr != NULL && parse_atr(o, atr) < 0) {
		fprintf(stderr, "cardsim: --atr needs 2..33 hex bytes\n");
		return 2;
	}
	return 0;
}

/* Creates the card from the state file, or a new one (saved at once). 0 or -1. */
static int open_card(struct cs_sim *s)
{
	int rc;

	s->card = cs_card_new(s->opt.profile, s->opt.serial);
	if (s->card == NULL)
		return -1;
	s->card->no_extended = s->opt.no_extended;
	rc = cs_state_load(s->card, s->opt.state);
	if (rc < 0)
		return -1;
	if (rc == 1)
		return cs_state_save(s->card, s->opt.state);
	return 0;
}

static int run(struct cs_sim *s)
{
	int i, rc = 1;

	s->ctl_fd = -1;
	for (i = 0; i < CS_MAX_CLIENTS; i++)
		s->clients[i].fd = -1;
	cs_vpcd_init(&s->vpcd);
	cs_vscard_init(&s->vsc);
	s->inserted = true;
	if (s->opt.log != NULL && (s->log = fopen(s->opt.log, "ae")) == NULL) {
		perror(s->opt.log);
		goto out;
	}
	if (open_card(s) < 0)
		goto out;
	if (s->opt.control != NULL && (s->ctl_fd = cs_ctl_listen(s->opt.control)) < 0)
		goto out;
	cs_log_event(s->log, "cardsim serial %u on %s:%d", s->card->serial, s->opt.host, s->opt.port);
	rc = cs_sim_run(s);
	cs_log_event(s->log, "quit");
out:
	cs_ctl_close_all(s);
	if (s->ctl_fd >= 0) {
		close(s->ctl_fd);
		unlink(s->opt.control);
	}
	cs_vpcd_close(&s->vpcd);
	cs_vscard_close(&s->vsc);
	cs_card_free(s->card);
	if (s->log != NULL)
		fclose(s->log);
	return rc;
}

static void on_signal(int sig)
{
	(void)sig;
	cs_sim_stop = 1;
}

static void install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal; /* no SA_RESTART: poll() returns EINTR */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

int main(int argc, char **argv)
{
	static struct cs_sim sim;
	int rc;

	install_signals();
	if (argc >= 2 && strcmp(argv[1], "ctl") == 0)
		return cs_ctl_client_main(argc - 2, argv + 2);
	rc = parse_args(&sim.opt, argc, argv);
	if (rc != 0)
		return rc < 0 ? 0 : rc;
	return run(&sim);
}
