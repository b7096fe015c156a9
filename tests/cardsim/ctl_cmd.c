/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ctl_cmd.c: the control commands: remove, insert, swap FILE, reset, fail N MODE, stats, status, quit. */
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

static const char *parse_fail(struct cs_sim *s, char *count, char *mode)
{
	char *end = NULL;
	unsigned long n, sw;

	if (count == NULL || mode == NULL)
		return "error usage: fail N mute|drop|sw:XXXX";
	n = strtoul(count, &end, 10);
	if (end == count || *end != '\0' || n > 1000000)
		return "error bad count";
	if (strcmp(mode, "mute") == 0) {
		s->fail_mode = FAIL_MUTE;
	} else if (strcmp(mode, "drop") == 0) {
		s->fail_mode = FAIL_DROP;
	} else if (strncmp(mode, "sw:", 3) == 0 && strlen(mode) == 7) {
		sw = strtoul(mode + 3, &end, 16);
		if (*end != '\0')
			return "error bad status word";
		s->fail_mode = FAIL_SW;
		s->fail_sw = (uint16_t)sw;
	} else {
		return "error unknown mode (mute, drop, sw:XXXX)";
	}
	s->fail_left = (unsigned)n;
	return "ok";
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
		r = parse_fail(s, a1, a2);
	} else if (strcmp(cmd, "stats") == 0) {
		snprintf(ans, n, "apdus %llu bytes_in %llu bytes_out %llu get_response %llu extended %llu", s->apdus,
			 s->bytes_in, s->bytes_out, s->get_responses, s->extended);
		return;
	} else if (strcmp(cmd, "status") == 0) {
		r = status(s);
	} else if (strcmp(cmd, "quit") == 0) {
		s->quit = true;
	} else if (strcmp(cmd, "help") == 0) {
		r = "commands: remove insert swap reset fail stats status quit";
	} else {
		r = "error unknown command";
	}
	snprintf(ans, n, "%s", r);
}
