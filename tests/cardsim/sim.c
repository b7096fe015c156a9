/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sim.c: the simulator's event loop: vpcd messages, reconnection with backoff, control
 * clients, fault injection, latency, log and state persistence. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "sim.h"
#include "state.h"

volatile sig_atomic_t cs_sim_stop;

long long cs_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

void cs_sim_disconnect(struct cs_sim *s, bool reconnect)
{
	if (s->vpcd.fd >= 0)
		cs_log_event(s->log, "disconnected from vpcd");
	if (s->vsc.fd >= 0)
		cs_log_event(s->log, "disconnected from QEMU");
	cs_vpcd_close(&s->vpcd);
	cs_vscard_close(&s->vsc);
	s->powered = false;
	s->was_powered = false;
	cs_card_power(s->card);
	s->next_connect = cs_now_ms() + (reconnect ? CS_RECONNECT_MS : 0);
}

static void send_answer(struct cs_sim *s, const uint8_t *cmd, size_t n, const uint8_t *r, size_t rn)
{
	int rc;

	cs_log_apdu(s->log, cmd, n, r, rn);
	if (s->opt.vscard != NULL)
		rc = cs_vscard_send(&s->vsc, VSC_APDU, VSC_READER_ID, r, rn);
	else
		rc = cs_vpcd_send(&s->vpcd, r, rn);
	if (rc < 0) {
		cs_sim_disconnect(s, true);
		return;
	}
	s->bytes_out += rn;
}

/* Fault injection (control command "fail N MODE [SKIP]"): does this APDU fail? */
static bool fail_now(struct cs_sim *s)
{
	if (s->fail_left == 0)
		return false;
	if (s->fail_skip > 0) {
		s->fail_skip--;
		return false;
	}
	s->fail_left--;
	return true;
}

static bool fail_executes(enum cs_fail_mode m)
{
	return m == FAIL_TRUNCATE || m == FAIL_AFTER_SW || m == FAIL_LOST;
}

/* 1..40 bytes from the APDU counter (reproducible runs). */
static void garbage(struct cs_sim *s, struct cs_buf *out)
{
	uint32_t x = (uint32_t)s->apdus * 2654435761u + 1;
	size_t i, n = 1 + (size_t)(s->apdus * 7 % 40);

	for (i = 0; i < n; i++) {
		x ^= x << 13, x ^= x >> 17, x ^= x << 5;
		(void)cs_buf_byte(out, (uint8_t)x);
	}
}

/* A fault that replaces the answer (RESP: the card's, when it executed the command). */
static void inject(struct cs_sim *s, const uint8_t *cmd, size_t n, const struct cs_buf *resp)
{
	uint8_t sw[2] = { (uint8_t)(s->fail_sw >> 8), (uint8_t)s->fail_sw };
	struct cs_buf g;

	switch (s->fail_mode) {
	case FAIL_MUTE:
		cs_log_apdu(s->log, cmd, n, NULL, 0);
		cs_log_event(s->log, "fail: mute");
		break;
	case FAIL_DROP:
		cs_log_apdu(s->log, cmd, n, NULL, 0);
		cs_log_event(s->log, "fail: drop the connection");
		cs_sim_disconnect(s, true);
		break;
	case FAIL_REMOVE:
	case FAIL_LOST:
		cs_log_apdu(s->log, cmd, n, NULL, 0);
		cs_log_event(s->log, s->fail_mode == FAIL_REMOVE ? "fail: card removed" :
		             "fail: executed, then the card removed (the answer is lost)");
		cs_sim_disconnect(s, false);
		s->inserted = false;
		break;
	case FAIL_SW:
	case FAIL_AFTER_SW:
		send_answer(s, cmd, n, sw, 2);
		break;
	case FAIL_GARBAGE:
		cs_buf_init(&g);
		garbage(s, &g);
		send_answer(s, cmd, n, g.data, g.len);
		cs_buf_free(&g);
		break;
	case FAIL_TRUNCATE:
		send_answer(s, cmd, n, resp->data, resp->len / 2);
		break;
	}
}

static void handle_apdu(struct cs_sim *s, const uint8_t *cmd, size_t n)
{
	struct cs_buf resp;
	bool fail;

	s->apdus++;
	s->bytes_in += n;
	if (n >= 4 && cmd[1] == 0xC0)
		s->get_responses++;
	/* Extended length: a body after the header that starts with 00 (short Lc is never 00;
	 * a short Le of 00 is the last of only 5 bytes). */
	if (n >= 7 && cmd[4] == 0x00)
		s->extended++;
	if (s->opt.latency_ms > 0)
		sleep_ms(s->opt.latency_ms);
	fail = fail_now(s);
	cs_buf_init(&resp);
	if (fail && !fail_executes(s->fail_mode)) {
		inject(s, cmd, n, &resp);
		goto out;
	}
	(void)cs_card_transmit(s->card, cmd, n, &resp);
	if (s->card->dirty && s->opt.state != NULL)
		(void)cs_state_save(s->card, s->opt.state);
	if (fail)
		inject(s, cmd, n, &resp);
	else
		send_answer(s, cmd, n, resp.data, resp.len);
out:
	cs_buf_free(&resp);
}

static void handle_message(struct cs_sim *s, const struct cs_buf *m)
{
	if (m->len != 1) {
		if (m->len > 0)
			handle_apdu(s, m->data, m->len);
		return;
	}
	switch (m->data[0]) {
	case VPCD_CTRL_OFF:
		cs_log_event(s->log, "power off");
		s->powered = false;
		cs_card_power(s->card);
		break;
	case VPCD_CTRL_ON:
	case VPCD_CTRL_RESET:
		cs_log_event(s->log, m->data[0] == VPCD_CTRL_ON ? "power on" : "reset");
		s->powered = s->was_powered = true;
		cs_card_power(s->card);
		break;
	case VPCD_CTRL_ATR:
		/* vpcd also asks for the ATR to poll for presence: no power change. */
		if (cs_vpcd_send(&s->vpcd, s->opt.atr, s->opt.atr_len) < 0)
			cs_sim_disconnect(s, true);
		break;
	default:
		cs_log_event(s->log, "unknown vpcd control code %02X", m->data[0]);
	}
}

static void service_vpcd(struct cs_sim *s)
{
	struct cs_buf m;

	if (cs_vpcd_read(&s->vpcd) < 0) {
		cs_sim_disconnect(s, true);
		return;
	}
	cs_buf_init(&m);
	while (s->vpcd.fd >= 0 && cs_vpcd_next(&s->vpcd, &m) == 1)
		handle_message(s, &m);
	cs_buf_free(&m);
}

void cs_sim_vscard_card(struct cs_sim *s, bool inserted)
{
	if (s->vsc.fd < 0 || !s->vsc.reader_added)
		return;
	if (inserted) {
		s->powered = s->was_powered = true;
		cs_card_power(s->card);
		if (cs_vscard_send(&s->vsc, VSC_ATR, VSC_READER_ID, s->opt.atr, s->opt.atr_len) < 0)
			cs_sim_disconnect(s, true);
		return;
	}
	s->powered = false;
	cs_card_power(s->card);
	if (cs_vscard_send(&s->vsc, VSC_CARD_REMOVE, VSC_READER_ID, NULL, 0) < 0)
		cs_sim_disconnect(s, true);
}

static void handle_vscard(struct cs_sim *s, const struct cs_vsc_msg *m)
{
	static const uint8_t name[] = "cardsim";

	switch (m->type) {
	case VSC_INIT:
		/* QEMU's Init (its first, or its answer to ours): never answered with an Init. */
		if (s->vsc.reader_added)
			break;
		cs_log_event(s->log, "QEMU: Init; adding the reader");
		if (cs_vscard_send(&s->vsc, VSC_READER_ADD, VSC_UNDEFINED_READER, name, sizeof(name) - 1) < 0) {
			cs_sim_disconnect(s, true);
			break;
		}
		s->vsc.reader_added = 1;
		if (s->inserted)
			cs_sim_vscard_card(s, true);
		break;
	case VSC_ERROR:
		if (m->payload.len == 4 && (m->payload.data[0] | m->payload.data[1] |
		                            m->payload.data[2] | m->payload.data[3]) != 0)
			cs_log_event(s->log, "QEMU: error %02X%02X%02X%02X", m->payload.data[0],
			             m->payload.data[1], m->payload.data[2], m->payload.data[3]);
		break;
	case VSC_APDU:
		if (m->payload.len > 0)
			handle_apdu(s, m->payload.data, m->payload.len);
		break;
	case VSC_FLUSH:
		if (cs_vscard_send(&s->vsc, VSC_FLUSH_COMPLETE, m->reader_id, NULL, 0) < 0)
			cs_sim_disconnect(s, true);
		break;
	default:
		cs_log_event(s->log, "QEMU: message type %u ignored", (unsigned)m->type);
	}
}

static void service_vscard(struct cs_sim *s)
{
	struct cs_vsc_msg m;

	if (cs_vscard_read(&s->vsc) < 0) {
		cs_sim_disconnect(s, true);
		return;
	}
	cs_buf_init(&m.payload);
	while (s->vsc.fd >= 0 && cs_vscard_next(&s->vsc, &m) == 1)
		handle_vscard(s, &m);
	cs_buf_free(&m.payload);
}

/* VSCard: the reader is there whether a card is in or not: always connected. */
static void try_connect_vscard(struct cs_sim *s)
{
	long long now = cs_now_ms();

	if (s->vsc.fd >= 0 || now < s->next_connect)
		return;
	if (cs_vscard_connect(&s->vsc, s->opt.vscard) == 0) {
		cs_log_event(s->log, "connected to QEMU %s", s->opt.vscard);
		return;
	}
	s->next_connect = now + CS_RECONNECT_MS;
}

static void try_connect(struct cs_sim *s)
{
	long long now = cs_now_ms();

	if (s->opt.vscard != NULL) {
		try_connect_vscard(s);
		return;
	}
	if (!s->inserted || s->vpcd.fd >= 0 || now < s->next_connect)
		return;
	if (cs_vpcd_connect(&s->vpcd, s->opt.host, s->opt.port) == 0) {
		cs_log_event(s->log, "connected to vpcd %s:%d", s->opt.host, s->opt.port);
		return;
	}
	s->next_connect = now + CS_RECONNECT_MS;
}

static int poll_timeout(const struct cs_sim *s)
{
	long long d;

	if (s->opt.vscard != NULL ? s->vsc.fd >= 0 : (!s->inserted || s->vpcd.fd >= 0))
		return -1;
	d = s->next_connect - cs_now_ms();
	return d < 0 ? 0 : (int)d;
}

int cs_sim_run(struct cs_sim *s)
{
	struct pollfd pf[CS_MAX_CLIENTS + 2];
	int map[CS_MAX_CLIENTS + 2];
	nfds_t n, i;

	while (!s->quit && !cs_sim_stop) {
		try_connect(s);
		n = 0;
		pf[n].fd = s->ctl_fd, pf[n].events = POLLIN, map[n++] = -1;
		if (s->vpcd.fd >= 0)
			pf[n].fd = s->vpcd.fd, pf[n].events = POLLIN, map[n++] = -2;
		if (s->vsc.fd >= 0)
			pf[n].fd = s->vsc.fd, pf[n].events = POLLIN, map[n++] = -3;
		for (i = 0; i < CS_MAX_CLIENTS; i++)
			if (s->clients[i].fd >= 0)
				pf[n].fd = s->clients[i].fd, pf[n].events = POLLIN, map[n++] = (int)i;
		if (poll(pf, n, poll_timeout(s)) < 0) {
			if (errno == EINTR)
				continue;
			return 1;
		}
		for (i = 0; i < n && !s->quit; i++) {
			if (pf[i].revents == 0)
				continue;
			if (map[i] == -1)
				cs_ctl_accept(s);
			else if (map[i] == -2 && s->vpcd.fd == pf[i].fd)
				service_vpcd(s);
			else if (map[i] == -3 && s->vsc.fd == pf[i].fd)
				service_vscard(s);
			else if (map[i] >= 0)
				cs_ctl_service(s, &s->clients[map[i]]);
		}
	}
	return 0;
}
