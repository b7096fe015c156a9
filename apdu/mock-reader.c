/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * apdu/mock-reader.c: scripted reader backend for unit tests.
 */
#include "config.h"

#include "apdu/mock-reader.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct reader_conn {
	int unused;
};

struct step {
	uint8_t *cmd;        /* NULL: any command */
	size_t cmd_len;
	uint8_t *resp;
	size_t resp_len;
	reader_rv rv;
};

static struct {
	struct step *steps;
	size_t n_steps, next;
	struct step *sent;   /* record (cmd only) */
	size_t n_sent;
	mock_handler handler;
	void *handler_user;
	reader_rv begin_rv, connect_rv;
	int depth, connections;
	char error[1024];
} M;

static void fail (const char *fmt, ...) __attribute__((format (printf, 1, 2)));

static void
fail (const char *fmt, ...)
{
	va_list ap;

	if (M.error[0] != '\0')
		return;
	va_start (ap, fmt);
	vsnprintf (M.error, sizeof M.error, fmt, ap);
	va_end (ap);
}

uint8_t *
mock_unhex (const char *hex, size_t *len)
{
	size_t n = 0, cap = strlen (hex) / 2 + 1;
	uint8_t *out = malloc (cap);
	unsigned v;

	if (out == NULL)
		abort ();
	while (*hex != '\0') {
		if (*hex == ' ' || *hex == '\n') {
			hex++;
			continue;
		}
		if (sscanf (hex, "%2x", &v) != 1 || hex[1] == '\0' || hex[1] == ' ')
			abort ();
		out[n++] = (uint8_t)v;
		hex += 2;
	}
	*len = n;
	return out;
}

static char *
tohex (const uint8_t *d, size_t len)
{
	char *s = malloc (len * 3 + 1);
	size_t i;

	if (s == NULL)
		abort ();
	s[0] = '\0';
	for (i = 0; i < len; i++)
		sprintf (s + 3 * i, "%02X ", d[i]);
	return s;
}

static void
free_steps (struct step *steps, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free (steps[i].cmd);
		free (steps[i].resp);
	}
	free (steps);
}

void
mock_reset (void)
{
	free_steps (M.steps, M.n_steps);
	free_steps (M.sent, M.n_sent);
	memset (&M, 0, sizeof M);
}

static struct step *
add_step (void)
{
	struct step *s = realloc (M.steps, (M.n_steps + 1) * sizeof *s);

	if (s == NULL)
		abort ();
	M.steps = s;
	memset (&s[M.n_steps], 0, sizeof *s);
	return &s[M.n_steps++];
}

static uint8_t *
dup (const uint8_t *d, size_t len)
{
	uint8_t *p = malloc (len ? len : 1);

	if (p == NULL)
		abort ();
	if (len)
		memcpy (p, d, len);
	return p;
}

void
mock_expect_bin (const uint8_t *cmd, size_t cmd_len, const uint8_t *resp, size_t resp_len)
{
	struct step *s = add_step ();

	if (cmd != NULL) {
		s->cmd = dup (cmd, cmd_len);
		s->cmd_len = cmd_len;
	}
	s->resp = dup (resp, resp_len);
	s->resp_len = resp_len;
}

void
mock_expect (const char *cmd_hex, const char *resp_hex)
{
	uint8_t *cmd = NULL, *resp;
	size_t cmd_len = 0, resp_len;

	if (cmd_hex != NULL)
		cmd = mock_unhex (cmd_hex, &cmd_len);
	resp = mock_unhex (resp_hex, &resp_len);
	mock_expect_bin (cmd, cmd_len, resp, resp_len);
	free (cmd);
	free (resp);
}

void
mock_expect_fail (const char *cmd_hex, reader_rv rv)
{
	mock_expect (cmd_hex, "");
	M.steps[M.n_steps - 1].rv = rv;
}

void
mock_set_handler (mock_handler handler, void *user)
{
	M.handler = handler;
	M.handler_user = user;
}

void mock_set_begin_rv (reader_rv rv) { M.begin_rv = rv; }
void mock_set_connect_rv (reader_rv rv) { M.connect_rv = rv; }
int mock_in_transaction (void) { return M.depth > 0; }
int mock_connections (void) { return M.connections; }
size_t mock_sent_count (void) { return M.n_sent; }

const uint8_t *
mock_sent (size_t i, size_t *len)
{
	if (i >= M.n_sent)
		return NULL;
	*len = M.sent[i].cmd_len;
	return M.sent[i].cmd;
}

const char *
mock_check (void)
{
	if (M.error[0] == '\0' && M.next < M.n_steps)
		snprintf (M.error, sizeof M.error, "%zu expected commands not sent (next is step %zu)",
		          M.n_steps - M.next, M.next);
	return M.error[0] ? M.error : NULL;
}

static reader_rv
mock_connect (const char *reader_name, struct reader_conn **conn)
{
	if (reader_name == NULL || conn == NULL)
		return READER_E_INVALID;
	if (M.connect_rv != READER_OK)
		return M.connect_rv;
	*conn = calloc (1, sizeof **conn);
	if (*conn == NULL)
		return READER_E_NO_MEMORY;
	M.connections++;
	return READER_OK;
}

static void
mock_disconnect (struct reader_conn *conn)
{
	if (conn == NULL)
		return;
	if (M.depth != 0)
		fail ("disconnect inside a transaction");
	M.connections--;
	free (conn);
}

static reader_rv
mock_begin (struct reader_conn *conn)
{
	reader_rv rv = M.begin_rv;

	(void)conn;
	M.begin_rv = READER_OK;
	if (rv != READER_OK && rv != READER_E_RESET)
		return rv;
	if (M.depth != 0)
		fail ("nested transaction");
	M.depth++;
	return rv;
}

static void
mock_end (struct reader_conn *conn)
{
	(void)conn;
	if (M.depth == 0)
		fail ("end without begin");
	else
		M.depth--;
}

static void
record (const uint8_t *cmd, size_t len)
{
	struct step *s = realloc (M.sent, (M.n_sent + 1) * sizeof *s);

	if (s == NULL)
		abort ();
	M.sent = s;
	memset (&s[M.n_sent], 0, sizeof *s);
	s[M.n_sent].cmd = dup (cmd, len);
	s[M.n_sent].cmd_len = len;
	M.n_sent++;
}

static reader_rv
mock_transmit (struct reader_conn *conn, const uint8_t *cmd, size_t cmd_len,
               uint8_t *resp, size_t *resp_len)
{
	struct step *s;
	char *want, *got;

	if (conn == NULL || cmd == NULL || resp == NULL || resp_len == NULL)
		return READER_E_INVALID;
	record (cmd, cmd_len);
	if (M.depth == 0)
		fail ("command %zu sent outside a transaction", M.n_sent - 1);
	if (M.next >= M.n_steps) {
		if (M.handler != NULL)
			return M.handler (M.handler_user, cmd, cmd_len, resp, resp_len);
		got = tohex (cmd, cmd_len);
		fail ("command %zu not in the script: %s", M.n_sent - 1, got);
		free (got);
		return READER_E_COMM;
	}
	s = &M.steps[M.next++];
	if (s->cmd != NULL && (s->cmd_len != cmd_len || memcmp (s->cmd, cmd, cmd_len) != 0)) {
		want = tohex (s->cmd, s->cmd_len);
		got = tohex (cmd, cmd_len);
		fail ("command %zu: expected %s, got %s", M.n_sent - 1, want, got);
		free (want);
		free (got);
		return READER_E_COMM;
	}
	if (s->rv != READER_OK)
		return s->rv;
	if (s->resp_len > *resp_len)
		return READER_E_COMM;
	memcpy (resp, s->resp, s->resp_len);
	*resp_len = s->resp_len;
	return READER_OK;
}

static reader_rv
mock_get_atr (struct reader_conn *conn, uint8_t *atr, size_t *atr_len)
{
	static const uint8_t mock_atr[] = { 0x3B, 0x80, 0x80, 0x01, 0x01 };

	if (conn == NULL || atr == NULL || atr_len == NULL || *atr_len < sizeof mock_atr)
		return READER_E_INVALID;
	memcpy (atr, mock_atr, sizeof mock_atr);
	*atr_len = sizeof mock_atr;
	return READER_OK;
}

const struct reader_ops mock_reader_ops = {
	.name = "mock",
	.connect = mock_connect,
	.disconnect = mock_disconnect,
	.begin = mock_begin,
	.end = mock_end,
	.transmit = mock_transmit,
	.get_atr = mock_get_atr,
};
