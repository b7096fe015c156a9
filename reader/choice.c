/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * reader/choice.c: which backends the module uses (tessera.conf reader_backend),
 * and, for "auto", reader ops that route a connection to the backend holding
 * the named reader (the direct backend knows its readers without I/O; any
 * other name goes to pcscd).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "reader/log.h"
#include "reader/precond.h"
#include "reader/reader.h"

/* A routed connection: the backend that made it, and its own connection. */
struct reader_conn {
	const struct reader_ops *ops;
	struct reader_conn *inner;    /* owned by OPS */
};

static reader_rv
auto_connect (const char *reader_name, struct reader_conn **out)
{
	const struct reader_ops *ops = &reader_pcsc_ops;
	struct reader_conn *conn, *inner = NULL;
	reader_rv ret = READER_E_NO_READER;

	if (reader_precondition_failed (reader_name != NULL && out != NULL))
		return READER_E_INVALID;
	*out = NULL;
	conn = calloc (1, sizeof *conn);
	if (conn == NULL)
		return READER_E_NO_MEMORY;
	if (reader_ccid_ops != NULL) {
		ops = reader_ccid_ops;
		ret = ops->connect (reader_name, &inner);
	}
	if (ret == READER_E_NO_READER) {
		ops = &reader_pcsc_ops;
		ret = ops->connect (reader_name, &inner);
	}
	if (ret != READER_OK) {
		free (conn);
		return ret;
	}
	conn->ops = ops;
	conn->inner = inner;
	*out = conn;
	return READER_OK;
}

static void
auto_disconnect (struct reader_conn *conn)
{
	if (conn == NULL)
		return;
	conn->ops->disconnect (conn->inner);
	free (conn);
}

static reader_rv
auto_reset (struct reader_conn *conn)
{
	return conn->ops->reset (conn->inner);
}

static reader_rv
auto_begin (struct reader_conn *conn)
{
	return conn->ops->begin (conn->inner);
}

static void
auto_end (struct reader_conn *conn)
{
	if (conn != NULL)
		conn->ops->end (conn->inner);
}

static reader_rv
auto_transmit (struct reader_conn *conn, const uint8_t *cmd, size_t cmd_len,
               uint8_t *resp, size_t *resp_len)
{
	return conn->ops->transmit (conn->inner, cmd, cmd_len, resp, resp_len);
}

static reader_rv
auto_get_atr (struct reader_conn *conn, uint8_t *atr, size_t *atr_len)
{
	return conn->ops->get_atr (conn->inner, atr, atr_len);
}

static reader_rv
auto_control (struct reader_conn *conn, uint32_t code, const uint8_t *in, size_t in_len,
              uint8_t *out, size_t *out_len)
{
	return conn->ops->control (conn->inner, code, in, in_len, out, out_len);
}

/* Connections only: the monitor watches the two backends themselves. */
static const struct reader_ops reader_auto_ops = {
	.name = "auto",
	.connect = auto_connect,
	.disconnect = auto_disconnect,
	.reset = auto_reset,
	.begin = auto_begin,
	.end = auto_end,
	.transmit = auto_transmit,
	.get_atr = auto_get_atr,
	.control = auto_control,
};

const struct reader_ops *
reader_ops_for (enum reader_choice choice)
{
	if (reader_ccid_ops == NULL)
		return &reader_pcsc_ops;
	switch (choice) {
	case READER_CHOICE_CCID:
		return reader_ccid_ops;
	case READER_CHOICE_AUTO:
		return &reader_auto_ops;
	case READER_CHOICE_PCSC:
	default:
		return &reader_pcsc_ops;
	}
}

int
reader_choice_parse (const char *s, enum reader_choice *choice)
{
	if (s == NULL || choice == NULL)
		return -1;
	if (strcmp (s, "pcsc") == 0)
		*choice = READER_CHOICE_PCSC;
	else if (strcmp (s, "ccid") == 0)
		*choice = READER_CHOICE_CCID;
	else if (strcmp (s, "auto") == 0)
		*choice = READER_CHOICE_AUTO;
	else
		return -1;
	return 0;
}

const char *
reader_choice_name (enum reader_choice choice)
{
	switch (choice) {
	case READER_CHOICE_PCSC: return "pcsc";
	case READER_CHOICE_CCID: return "ccid";
	case READER_CHOICE_AUTO: return "auto";
	}
	return "?";
}
