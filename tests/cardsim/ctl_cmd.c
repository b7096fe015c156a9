/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ctl_cmd.c: the control commands: remove, insert, swap FILE, reset, fail N MODE [SKIP], stats,
 * status, pins, pin-is PIN, quit. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "sim.h"
#include "state.h"

/* A swapped-in card is re-inserted this late, so that pcscd (which polls vpcd's
 * readers every 400 ms) sees the old card leave before the new one comes. */
#define CS_SWAP_MS 1000

static const struct {
	const char *name;
	enum cs_fail_mode mode;
} fail_modes[] = {
	{ "mute", FAIL_MUTE }, { "drop", FAIL_DROP }, { "garbage", FAIL_GARBAGE }, { "remove", FAIL_REMOVE },
	{ "truncate", FAIL_TRUNCATE }, { "lost", FAIL_LOST },
};

/* "sw:XXXX" or "after-sw:XXXX" into *sw. */
static bool parse_sw(const char *mode, const char *prefix, uint16_t *sw)
{
	size_t n = strlen(prefix);
	char *end = NULL;
	unsigned long v;

	if (strncmp(mode, prefix, n) != 0 || strlen(mode) != n + 4)
		return false;
	v = strtoul(mode + n, &end, 16);
	if (*end != '\0')
		return false;
	*sw = (uint16_t)v;
	return true;
}

static const char *parse_fail(struct cs_sim *s, char *count, char *mode, char *skip)
{
	char *end = NULL;
	unsigned long n, k = 0;
	size_t i;

	if (count == NULL || mode == NULL)
		return "error usage: fail N MODE [SKIP]";
	n = strtoul(count, &end, 10);
	if (end == count || *end != '\0' || n > 1000000)
		return "error bad count";
	if (skip != NULL) {
		k = strtoul(skip, &end, 10);
		if (end == skip || *end != '\0' || k > 1000000)
			return "error bad skip count";
	}
	for (i = 0; i < sizeof(fail_modes) / sizeof(fail_modes[0]); i++)
		if (strcmp(mode, fail_modes[i].name) == 0)
			break;
	if (i < sizeof(fail_modes) / sizeof(fail_modes[0]))
		s->fail_mode = fail_modes[i].mode;
	else if (parse_sw(mode, "sw:", &s->fail_sw))
		s->fail_mode = FAIL_SW;
	else if (parse_sw(mode, "after-sw:", &s->fail_sw))
		s->fail_mode = FAIL_AFTER_SW;
	else
		return "error unknown mode (mute, drop, sw:XXXX, garbage, remove, truncate, after-sw:XXXX, lost)";
	s->fail_left = (unsigned)n;
	s->fail_skip = (unsigned)k;
	return "ok";
}

/* "pins": the retry counters and the wrong PINs / PUKs presented, read without an APDU. */
static void pins(const struct cs_sim *s, char *ans, size_t n)
{
	snprintf(ans, n, "pin_tries %u puk_tries %u wrong %lu", s->card->pin_left, s->card->puk_left,
		 s->card->wrong_refs);
}

/* "pin-is PIN": is PIN (digits, 6..8) the card's PIN? No counter moves. */
static const char *pin_is(const struct cs_sim *s, const char *pin)
{
	uint8_t ref[8];
	size_t len = pin != NULL ? strlen(pin) : 0;

	if (len < 1 || len > 8)
		return "error usage: pin-is PIN";
	memset(ref, 0xFF, sizeof(ref));
	memcpy(ref, pin, len);
	return memcmp(ref, s->card->pin, sizeof(ref)) == 0 ? "yes" : "no";
}

/* Pull the card out, replace it by the card of state file PATH (a missing file is a new
 * card), and insert that one CS_SWAP_MS later. */
static const char *swap_card(struct cs_sim *s, const char *path)
{
	static char state_path[4096]; /* the new s->opt.state */
	struct cs_card *card;
	int rc;

	if (path == NULL)
		return "error usage: swap STATEFILE";
	if (strlen(path) >= sizeof(state_path))
		return "error path too long";
	card = cs_card_new(s->opt.profile, 0);
	if (card == NULL)
		return "error out of memory";
	card->no_extended = s->opt.no_extended;
	rc = cs_state_load(card, path);
	if (rc == 1)
		rc = cs_state_save(card, path);
	if (rc < 0) {
		cs_card_free(card);
		return "error cannot load the state file";
	}
	cs_log_event(s->log, "control: swap to %s (serial %u)", path, card->serial);
	if (s->opt.vscard != NULL)
		cs_sim_vscard_card(s, false);
	else
		cs_sim_disconnect(s, false);
	cs_card_free(s->card);
	s->card = card;
	snprintf(state_path, sizeof(state_path), "%s", path);
	s->opt.state = state_path;
	s->inserted = true;
	if (s->opt.vscard != NULL)
		cs_sim_vscard_card(s, true);   /* USB: the interrupt endpoint tells both changes */
	else
		s->next_connect = cs_now_ms() + CS_SWAP_MS;
	return "ok";
}

static const char *status(const struct cs_sim *s)
{
	if (!s->inserted)
		return "removed";
	if (s->opt.vscard != NULL)
		return s->vsc.fd < 0 || !s->vsc.reader_added ? "inserted disconnected" : "inserted powered";
	/* Not connected to vpcd (yet, or vpcd gone): the reader sees no card. */
	if (s->vpcd.fd < 0)
		return "inserted disconnected";
	/* "connected": vpcd has not powered the card since it connected, so pcscd has not seen
	 * it yet (the test bed waits for the word "powered"). */
	if (s->powered)
		return "inserted powered";
	return s->was_powered ? "inserted unpowered" : "inserted connected";
}

void cs_ctl_command(struct cs_sim *s, char *line, char *ans, size_t n)
{
	char *save = NULL, *cmd = strtok_r(line, " \t\r", &save);
	char *a1 = strtok_r(NULL, " \t\r", &save), *a2 = strtok_r(NULL, " \t\r", &save);
	char *a3 = strtok_r(NULL, " \t\r", &save);
	const char *r = "ok";

	if (cmd == NULL) {
		r = "error empty command";
	} else if (strcmp(cmd, "remove") == 0) {
		cs_log_event(s->log, "control: remove");
		if (s->opt.vscard != NULL)
			cs_sim_vscard_card(s, false);
		else
			cs_sim_disconnect(s, false);
		s->inserted = false;
	} else if (strcmp(cmd, "insert") == 0) {
		cs_log_event(s->log, "control: insert");
		if (!s->inserted && s->opt.vscard != NULL) {
			s->inserted = true;
			cs_sim_vscard_card(s, true);
		}
		if (!s->inserted)
			s->next_connect = cs_now_ms();
		s->inserted = true;
	} else if (strcmp(cmd, "swap") == 0) {
		r = swap_card(s, a1);
	} else if (strcmp(cmd, "reset") == 0) {
		cs_log_event(s->log, "control: reset");
		cs_card_power(s->card);
	} else if (strcmp(cmd, "fail") == 0) {
		r = parse_fail(s, a1, a2, a3);
	} else if (strcmp(cmd, "armed") == 0) {
		snprintf(ans, n, "armed %u skip %u", s->fail_left, s->fail_skip);
		return;
	} else if (strcmp(cmd, "pins") == 0) {
		pins(s, ans, n);
		return;
	} else if (strcmp(cmd, "pin-is") == 0) {
		r = pin_is(s, a1);
	} else if (strcmp(cmd, "stats") == 0) {
		snprintf(ans, n, "apdus %llu bytes_in %llu bytes_out %llu get_response %llu extended %llu", s->apdus,
			 s->bytes_in, s->bytes_out, s->get_responses, s->extended);
		return;
	} else if (strcmp(cmd, "status") == 0) {
		r = status(s);
	} else if (strcmp(cmd, "quit") == 0) {
		s->quit = true;
	} else if (strcmp(cmd, "help") == 0) {
		r = "commands: remove insert swap reset fail armed stats status pins pin-is quit";
	} else {
		r = "error unknown command";
	}
	snprintf(ans, n, "%s", r);
}
