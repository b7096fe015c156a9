/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sim.h: the simulator process: options, connection state, fault injection, counters. */
#ifndef CARDSIM_SIM_H
#define CARDSIM_SIM_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "card.h"
#include "vpcd.h"
#include "vscard.h"

#define CS_RECONNECT_MS 200
#define CS_MAX_CLIENTS 8
#define CS_ATR_MAX 33

struct cs_opts {
	const char *host;
	int port;
	const char *vscard;   /* QEMU VSCard socket instead of vpcd (NULL: vpcd) */
	const char *state;
	const char *control;
	const char *log;
	unsigned latency_ms;
	bool no_extended;
	enum cs_profile profile;
	uint32_t serial;
	uint8_t atr[CS_ATR_MAX];
	size_t atr_len;
};

/* Faults: the first five never reach the card; the last three happen after the card has
 * executed the command (its state changed and saved). */
enum cs_fail_mode {
	FAIL_MUTE,      /* never answer */
	FAIL_DROP,      /* close the vpcd connection; reconnect after CS_RECONNECT_MS */
	FAIL_SW,        /* answer the status word fail_sw */
	FAIL_GARBAGE,   /* answer 1..40 pseudo-random bytes */
	FAIL_REMOVE,    /* the card is pulled out: no answer, stays out until "insert" */
	FAIL_TRUNCATE,  /* executed; the answer cut to half its length (at least one byte gone) */
	FAIL_AFTER_SW,  /* executed; the answer replaced by the status word fail_sw */
	FAIL_LOST,      /* executed; then the card is pulled out (answer lost), until "insert" */
};

struct cs_ctl_client {
	int fd; /* -1 = free */
	char line[512];
	size_t len;
};

struct cs_sim {
	struct cs_opts opt;
	struct cs_card *card;
	struct cs_vpcd vpcd;
	struct cs_vscard vsc; /* the transport when opt.vscard is set */
	bool inserted, powered, quit;
	bool was_powered; /* powered at least once since the connection was made */
	long long next_connect; /* CLOCK_MONOTONIC ms */
	int ctl_fd;
	struct cs_ctl_client clients[CS_MAX_CLIENTS];
	unsigned fail_left;
	unsigned fail_skip;          /* APDUs that still pass before the fault starts */
	enum cs_fail_mode fail_mode;
	uint16_t fail_sw;
	unsigned long long apdus, bytes_in, bytes_out;
	/* of those: GET RESPONSE (INS C0) commands, and extended-length commands (Lc or Le in 2-3 bytes) */
	unsigned long long get_responses, extended;
	FILE *log;
};

long long cs_now_ms(void);
/* Set by SIGTERM/SIGINT: the event loop ends (and the control socket is removed). */
extern volatile sig_atomic_t cs_sim_stop;
/* sim.c: the event loop (returns the exit status) and connection changes. */
int cs_sim_run(struct cs_sim *s);
void cs_sim_disconnect(struct cs_sim *s, bool reconnect);
/* VSCard: the card goes in (ATR, the card's volatile state reset) or out (CardRemove). */
void cs_sim_vscard_card(struct cs_sim *s, bool inserted);

/* ctl.c: the control socket. */
int cs_ctl_listen(const char *path);          /* listening fd, or -1 (message on stderr) */
void cs_ctl_accept(struct cs_sim *s);
void cs_ctl_service(struct cs_sim *s, struct cs_ctl_client *cl);
void cs_ctl_close_all(struct cs_sim *s);
/* Runs one command line and writes the one-line answer (no newline) into ANS. */
void cs_ctl_command(struct cs_sim *s, char *line, char *ans, size_t n);
/* `cardsim ctl PATH COMMAND [ARGS]`: exit status. */
int cs_ctl_client_main(int argc, char **argv);

#endif
