/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * reader/ccid-dev.c: one CCID command and its answer over a transport (see
 * ccid_exchange in ccid.h). Every answer is checked: the type, the slot, the
 * sequence number (a late answer to an aborted command is skipped), the
 * length; a time extension (bmCommandStatus 2) starts the wait again; a reader
 * that stays silent is sent ABORT and the command fails. Errors are logged
 * (category "ccid").
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "reader/ccid.h"
#include "reader/log.h"

/* Answers out of step (another sequence number) skipped before giving up. */
#define CCID_STALE_MAX 4

int
ccid_dev_init (struct ccid_dev *dev, const struct ccid_transport_ops *ops, void *io,
               const struct ccid_desc *desc, const char *name)
{
	memset (dev, 0, sizeof *dev);
	dev->ops = ops;
	dev->io = io;
	dev->desc = *desc;
	snprintf (dev->name, sizeof dev->name, "%s", name);
	/* Room for the largest answer the reader may send, and never less than a
	 * short APDU's (some descriptors understate it). */
	dev->rx_size = desc->max_msg_len < CCID_HEADER + 258 ? CCID_HEADER + 258 + 64 :
	               desc->max_msg_len > CCID_MAX_MSG ? CCID_MAX_MSG : desc->max_msg_len + 64;
	dev->rx = malloc (dev->rx_size);
	if (dev->rx == NULL)
		return -1;
	pthread_mutex_init (&dev->io_lock, NULL);
	return 0;
}

void
ccid_dev_clear (struct ccid_dev *dev)
{
	if (dev == NULL || dev->rx == NULL)
		return;
	pthread_mutex_destroy (&dev->io_lock);
	free (dev->rx);
	dev->rx = NULL;
}

static long long
now_ms (void)
{
	struct timespec ts;

	clock_gettime (CLOCK_MONOTONIC, &ts);
	return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A failed command (bmCommandStatus 1): what it means for the caller. */
static reader_rv
failed_rv (const struct ccid_dev *dev, const struct ccid_answer *a, uint8_t type)
{
	tsr_log ("ccid", "%s: slot %u: command %02X failed: %s (bError %02X, ICC %u)", dev->name,
	         a->slot, type, ccid_error_name (a->error), a->error, a->icc);
	if (a->icc == CCID_ICC_ABSENT)
		return READER_E_NO_CARD;
	switch (a->error) {
	case CCID_ERR_CMD_NOT_SUPPORTED:
		return READER_E_UNSUPPORTED;
	case CCID_ERR_CMD_SLOT_BUSY:
		return READER_E_SHARING;
	default:
		/* ICC_MUTE, parity, overrun, hardware error, bad ATR, aborted ... */
		return READER_E_COMM;
	}
}

/* Stop the command SEQ that did not answer: class request ABORT, then
 * PC_to_RDR_Abort, whose answer (if any) is read and dropped. */
static void
abort_command (struct ccid_dev *dev, uint8_t slot, uint8_t seq)
{
	uint8_t msg[CCID_HEADER];
	size_t n, len = 0;
	reader_rv r;

	tsr_log ("ccid", "%s: slot %u: no answer to message %u: ABORT", dev->name, slot, seq);
	r = dev->ops->abort (dev->io, slot, seq);
	if (r != READER_OK)
		tsr_log ("ccid", "%s: ABORT request: %s", dev->name, reader_rv_name (r));
	n = ccid_msg_build (msg, sizeof msg, CCID_PC_ABORT, slot, seq, NULL, NULL, 0);
	if (dev->ops->send (dev->io, msg, n, CCID_TIMEOUT_CONTROL_MS) == READER_OK)
		(void) dev->ops->recv (dev->io, dev->rx, dev->rx_size, &len, 500);
}

/* Receive until the answer to SEQ comes (or the time is up). */
static reader_rv
receive_answer (struct ccid_dev *dev, uint8_t slot, uint8_t seq, uint8_t type, uint8_t expect,
                unsigned timeout_ms, struct ccid_answer *a)
{
	/* No answer, time extensions included, is waited for beyond CCID_MAX_EXTENDED_MS. */
	long long start = now_ms (), limit = start + CCID_MAX_EXTENDED_MS, deadline = start + timeout_ms;
	int stale = 0;
	size_t len;
	reader_rv r;

	for (;;) {
		long long left;

		if (deadline > limit)
			deadline = limit;
		left = deadline - now_ms ();
		if (left <= 0) {
			if (deadline == limit)
				tsr_log ("ccid", "%s: time extensions beyond %d ms: given up", dev->name,
				         CCID_MAX_EXTENDED_MS);
			return READER_E_TIMEOUT;
		}
		r = dev->ops->recv (dev->io, dev->rx, dev->rx_size, &len, (unsigned) left);
		if (r != READER_OK)
			return r;
		if (ccid_answer_parse (dev->rx, len, a) != 0) {
			tsr_log ("ccid", "%s: short answer (%zu bytes)", dev->name, len);
			return READER_E_COMM;
		}
		if (a->seq != seq || a->slot != slot) {
			tsr_log ("ccid", "%s: answer for slot %u message %u while waiting for %u/%u: skipped",
			         dev->name, a->slot, a->seq, slot, seq);
			if (++stale > CCID_STALE_MAX)
				return READER_E_COMM;
			continue;
		}
		if (a->cmd == CCID_CMD_TIME_EXTENSION) {
			/* The card asked for more time: wait again (bError is a multiplier). */
			tsr_log ("ccid", "%s: time extension (x%u)", dev->name, a->error);
			deadline = now_ms () + (long long) timeout_ms * (a->error > 1 ? a->error : 1);
			continue;
		}
		if (a->cmd == CCID_CMD_FAILED)
			return failed_rv (dev, a, type);
		if (a->type != expect) {
			tsr_log ("ccid", "%s: answer type %02X, expected %02X", dev->name, a->type, expect);
			return READER_E_COMM;
		}
		return READER_OK;
	}
}

/* Copy the answer's data out of the receive buffer. */
static reader_rv
copy_data (const struct ccid_dev *dev, struct ccid_answer *a, uint8_t *out, size_t *out_len)
{
	size_t room = out_len != NULL ? *out_len : 0;

	if (a->data_len > room || (a->data_len > 0 && out == NULL)) {
		tsr_log ("ccid", "%s: answer of %zu bytes, room for %zu", dev->name, a->data_len, room);
		return READER_E_COMM;
	}
	if (a->data_len > 0)
		memcpy (out, a->data, a->data_len);
	a->data = out;
	if (out_len != NULL)
		*out_len = a->data_len;
	return READER_OK;
}

reader_rv
ccid_exchange (struct ccid_dev *dev, uint8_t slot, uint8_t type, const uint8_t p[3],
               const uint8_t *data, size_t data_len, uint8_t expect, unsigned timeout_ms,
               struct ccid_answer *a, uint8_t *out, size_t *out_len)
{
	uint8_t *msg;
	uint8_t seq;
	size_t n;
	reader_rv r;

	memset (a, 0, sizeof *a);
	msg = malloc (CCID_HEADER + data_len);
	if (msg == NULL)
		return READER_E_NO_MEMORY;
	pthread_mutex_lock (&dev->io_lock);
	if (dev->gone) {
		r = READER_E_NO_READER;
		goto out;
	}
	seq = dev->seq++;
	n = ccid_msg_build (msg, CCID_HEADER + data_len, type, slot, seq, p, data, data_len);
	r = dev->ops->send (dev->io, msg, n, CCID_TIMEOUT_CONTROL_MS);
	if (r == READER_OK)
		r = receive_answer (dev, slot, seq, type, expect, timeout_ms, a);
	if (r == READER_E_TIMEOUT) {
		abort_command (dev, slot, seq);
		r = READER_E_COMM;
	}
	if (r == READER_E_NO_READER) {
		tsr_log ("ccid", "%s: the device is gone", dev->name);
		dev->gone = 1;
	}
	if (r == READER_OK)
		r = copy_data (dev, a, out, out_len);
	else
		a->data = NULL;
out:
	pthread_mutex_unlock (&dev->io_lock);
	free (msg);
	return r;
}
