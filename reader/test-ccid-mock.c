/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * reader/test-ccid-mock.c: the simulated CCID reader of test-ccid-mock.h.
 */
#include "config.h"

#include <string.h>

#include "reader/test-ccid-mock.h"

#define S_RESP 0x20

/* Queue one answer message. */
static void
push (struct mock_rdr *m, uint8_t type, uint8_t seq, uint8_t icc, uint8_t cmd, uint8_t error,
      uint8_t specific, const uint8_t *data, size_t len)
{
	unsigned i = (m->q_head + m->q_n) % 8;
	uint8_t *q = m->queue[i];
	uint32_t dl = (uint32_t) len;

	if (m->short_xfr > 0) {
		m->short_xfr--;
		dl += 5;   /* claims more than it carries */
	}
	q[0] = type;
	q[1] = (uint8_t) dl;
	q[2] = (uint8_t) (dl >> 8);
	q[3] = (uint8_t) (dl >> 16);
	q[4] = (uint8_t) (dl >> 24);
	q[5] = 0;
	q[6] = seq;
	q[7] = (uint8_t) (icc | cmd << 6);
	q[8] = error;
	q[9] = specific;
	if (len > 0)
		memcpy (q + 10, data, len);
	m->queue_len[i] = 10 + len;
	m->q_n++;
}

/* The card runs one whole APDU. */
static size_t
card_apdu (struct mock_rdr *m, const uint8_t *cmd, size_t len, uint8_t *out)
{
	size_t i;

	memcpy (m->last_cmd, cmd, len);
	m->last_cmd_len = len;
	m->apdus++;
	for (i = 0; i < m->answer_len; i++)
		out[i] = (uint8_t) i;
	out[i++] = 0x90;
	out[i++] = 0x00;
	return i;
}

/* ---- T=0: the reader passes TPDUs, the card answers data + SW ---- */
static size_t
t0_tpdu (struct mock_rdr *m, const uint8_t *t, size_t len, uint8_t *out)
{
	static uint8_t full[70000];
	size_t n, p3 = len >= 5 ? (t[4] ? t[4] : 256) : 0;

	if (len >= 5 && t[1] == 0xC0) {           /* GET RESPONSE */
		if (m->t0_pending_len == 0) {
			out[0] = 0x69, out[1] = 0x85;
			return 2;
		}
		if (p3 > m->t0_pending_len) {
			out[0] = 0x6C, out[1] = (uint8_t) m->t0_pending_len;
			return 2;
		}
		memcpy (out, m->t0_pending, p3);
		memmove (m->t0_pending, m->t0_pending + p3, m->t0_pending_len - p3);
		m->t0_pending_len -= p3;
		out[p3] = m->t0_pending_len ? 0x61 : 0x90;
		out[p3 + 1] = (uint8_t) m->t0_pending_len;
		return p3 + 2;
	}
	if (len == 5) {                           /* case 1 or 2 */
		n = card_apdu (m, t, 4, full) - 2;
		if (n == 0) {
			out[0] = 0x90, out[1] = 0;
			return 2;
		}
		if (p3 != n) {
			m->apdus--;                        /* not executed: wrong length */
			out[0] = 0x6C, out[1] = (uint8_t) n;
			return 2;
		}
		memcpy (out, full, n + 2);
		return n + 2;
	}
	n = card_apdu (m, t, len, full) - 2;        /* case 3 (or 4 sent as 3) */
	if (n == 0) {
		out[0] = 0x90, out[1] = 0;
		return 2;
	}
	memcpy (m->t0_pending, full, n);
	m->t0_pending_len = n;
	out[0] = 0x61, out[1] = (uint8_t) n;
	return 2;
}

/* ---- T=1: the reader passes blocks ---- */
static int
t1_crc (const struct mock_rdr *m)
{
	struct ccid_atr a;

	return ccid_atr_parse (m->atr, m->atr_len, &a) == 0 && a.crc;
}

static size_t
t1_block (const struct mock_rdr *m, uint8_t pcb, const uint8_t *inf, size_t len, uint8_t *out)
{
	out[0] = 0;
	out[1] = pcb;
	out[2] = (uint8_t) len;
	if (len > 0)
		memcpy (out + 3, inf, len);
	return 3 + len + ccid_t1_edc (t1_crc (m), out, 3 + len, out + 3 + len);
}

/* The next piece of the card's answer. */
static size_t
t1_next_piece (struct mock_rdr *m, uint8_t *out)
{
	size_t ifsd = m->t1_card_ifsd ? m->t1_card_ifsd : 254;
	size_t left = m->t1_out_len - m->t1_out_off, piece = left > ifsd ? ifsd : left;
	int more = piece < left;
	size_t n = t1_block (m, (uint8_t) (m->t1_ns << 6 | (more ? 0x20 : 0)),
	                     m->t1_out + m->t1_out_off, piece, out);

	m->t1_last_piece = piece;
	return n;
}

/* What the card answers to block IN; 0: nothing (mute). */
static size_t
t1_card (struct mock_rdr *m, const uint8_t *in, size_t len, uint8_t *out)
{
	uint8_t pcb = in[1];
	size_t il = in[2];

	if (m->t1_deaf > 0 && pcb != 0xC0) {
		m->t1_deaf--;
		return 0;
	}
	if (pcb == 0xC0) {                            /* S(RESYNCH request) */
		m->t1_ns = m->t1_nr = 0;
		m->t1_in_len = m->t1_out_len = m->t1_out_off = 0;
		return t1_block (m, 0xE0, NULL, 0, out);
	}
	if (pcb == 0xC1 || pcb == (0xC0 | S_RESP | 0x03) || pcb == (0xC0 | S_RESP | 0x01)) {
		if (pcb == 0xC1)                          /* S(IFS request): IFSD */
			return t1_block (m, 0xE1, in + 3, 1, out);
		/* S(WTX/IFS response): now the block held back */
		if (pcb == (0xC0 | S_RESP | 0x01))
			m->t1_card_ifs = in[3];
		memcpy (out, m->t1_last_block, m->t1_last_block_len);
		return m->t1_last_block_len;
	}
	if ((pcb & 0xC0) == 0x80) {                   /* R-block */
		int nr = (pcb >> 4) & 1, last_i = m->t1_last_block_len > 0 && !(m->t1_last_block[1] & 0x80);
		int last_ns = (m->t1_last_block[1] >> 6) & 1;
		if (!(pcb & 0x03) && m->t1_out_off < m->t1_out_len && last_i && m->t1_last_piece > 0 &&
		    nr != last_ns) {
			m->t1_out_off += m->t1_last_piece;    /* acknowledged: the next piece */
			return t1_next_piece (m, out);
		}
		if ((last_i && nr == last_ns) || (m->t1_last_block_len > 0 && (m->t1_last_block[1] & 0xC0) == 0x80)) {
			memcpy (out, m->t1_last_block, m->t1_last_block_len);   /* again */
			return m->t1_last_block_len;
		}
		/* the host's I-block never came: ask for it */
		return t1_block (m, (uint8_t) (0x80 | m->t1_nr << 4), NULL, 0, out);
	}
	/* I-block */
	if (m->t1_ask_again > 0) {
		m->t1_ask_again--;
		return t1_block (m, (uint8_t) (0x80 | ((pcb >> 6) & 1) << 4), NULL, 0, out);
	}
	if (((pcb >> 6) & 1) != m->t1_nr)
		return t1_block (m, (uint8_t) (0x80 | m->t1_nr << 4), NULL, 0, out);
	memcpy (m->t1_in + m->t1_in_len, in + 3, il);
	m->t1_in_len += il;
	m->t1_nr ^= 1;
	if (pcb & 0x20)                               /* more: acknowledge */
		return t1_block (m, (uint8_t) (0x80 | m->t1_nr << 4), NULL, 0, out);
	m->t1_out_len = card_apdu (m, m->t1_in, m->t1_in_len, m->t1_out);
	m->t1_in_len = 0;
	m->t1_out_off = 0;
	(void) len;
	return t1_next_piece (m, out);
}

/* The card's block with the T=1 faults applied. */
static size_t
t1_tpdu (struct mock_rdr *m, const uint8_t *in, size_t len, uint8_t *out)
{
	uint8_t blk[300];
	size_t n = t1_card (m, in, len, blk);

	if (n == 0)
		return 0;
	if (!(blk[1] & 0x80) && in[1] != 0xE3 && in[1] != 0xE1) {
		/* a fresh I-block: this is the one sent again when asked */
		if (blk[1] >> 6 == (uint8_t) m->t1_ns) {
			m->t1_ns ^= 1;
		}
	}
	memcpy (m->t1_last_block, blk, n);
	m->t1_last_block_len = n;
	if (!(blk[1] & 0x80) && m->t1_wtx > 0) {
		m->t1_wtx--;
		return t1_block (m, 0xC3, (const uint8_t[]) { 3 }, 1, out);
	}
	if (!(blk[1] & 0x80) && m->t1_ifs > 0) {
		m->t1_ifs--;
		return t1_block (m, 0xC1, (const uint8_t[]) { 20 }, 1, out);
	}
	memcpy (out, blk, n);
	if (m->t1_bad_edc > 0) {
		m->t1_bad_edc--;
		out[n - 1] ^= 0x55;
	}
	return n;
}

/* ---- APDU level: wLevelParameter in, bChainParameter out ---- */
static void
apdu_level (struct mock_rdr *m, const uint8_t *data, size_t len, uint16_t level, uint8_t seq)
{
	static uint8_t gathered[70000];
	static size_t gathered_len;
	size_t chunk = m->desc.max_msg_len - 10, piece;
	uint8_t chain;

	if (level != 0x10) {
		if (level == 0 || level == 1)
			gathered_len = 0;
		memcpy (gathered + gathered_len, data, len);
		gathered_len += len;
		if (level == 1 || level == 3) {
			push (m, CCID_RDR_DATA_BLOCK, seq, 0, 0, 0, 0x10, NULL, 0);
			return;
		}
		m->apdu_out_len = card_apdu (m, gathered, gathered_len, m->apdu_out);
		m->apdu_out_off = 0;
	}
	if (level == 0x10 && m->endless_chain) {
		push (m, CCID_RDR_DATA_BLOCK, seq, 0, 0, 0, 0x03, NULL, 0);
		return;
	}
	piece = m->apdu_out_len - m->apdu_out_off > chunk ? chunk : m->apdu_out_len - m->apdu_out_off;
	if (m->apdu_out_off == 0)
		chain = piece == m->apdu_out_len ? 0x00 : 0x01;
	else
		chain = m->apdu_out_off + piece == m->apdu_out_len ? 0x02 : 0x03;
	push (m, CCID_RDR_DATA_BLOCK, seq, 0, 0, 0, chain, m->apdu_out + m->apdu_out_off, piece);
	m->apdu_out_off += piece;
}

static void
xfr_block (struct mock_rdr *m, const uint8_t *msg, size_t dl, uint8_t seq)
{
	static uint8_t out[70000];
	uint32_t level_kind = m->desc.features & CCID_LEVEL_MASK;
	size_t n;

	if (m->absent_flush > 0) {
		m->absent_flush--;
		m->present = 0;
		push (m, CCID_RDR_DATA_BLOCK, seq, 2, 0, 0, 0, NULL, 0);
		return;
	}
	if (m->icc_mute > 0) {
		m->icc_mute--;
		push (m, CCID_RDR_DATA_BLOCK, seq, 0, 1, CCID_ERR_ICC_MUTE, 0, NULL, 0);
		return;
	}
	if (level_kind != CCID_LEVEL_TPDU) {
		apdu_level (m, msg + 10, dl, (uint16_t) (msg[8] | msg[9] << 8), seq);
		return;
	}
	n = m->protocol == 1 ? t1_tpdu (m, msg + 10, dl, out) : t0_tpdu (m, msg + 10, dl, out);
	if (n == 0)
		push (m, CCID_RDR_DATA_BLOCK, seq, 0, 1, CCID_ERR_ICC_MUTE, 0, NULL, 0);
	else
		push (m, CCID_RDR_DATA_BLOCK, seq, 0, 0, 0, 0, out, n);
}

static void
process (struct mock_rdr *m, const uint8_t *msg, size_t len)
{
	uint8_t seq = msg[6], icc = m->present ? 0 : 2, type = msg[0];
	size_t dl = (size_t) msg[1] | (size_t) msg[2] << 8;

	(void) len;
	if (m->stale > 0) {
		m->stale--;
		push (m, CCID_RDR_DATA_BLOCK, (uint8_t) (seq - 1), icc, 0, 0, 0, NULL, 0);
	}
	if (m->time_ext > 0) {
		m->time_ext--;
		push (m, CCID_RDR_DATA_BLOCK, seq, icc, 2, 1, 0, NULL, 0);
	}
	if (m->wrong_type > 0) {
		m->wrong_type--;
		push (m, CCID_RDR_PARAMETERS, seq, icc, 0, 0, 0, NULL, 0);
		return;
	}
	switch (type) {
	case CCID_PC_GET_SLOT_STATUS:
	case CCID_PC_ICC_POWER_OFF:
		push (m, CCID_RDR_SLOT_STATUS, seq, icc, 0, 0, 0, NULL, 0);
		break;
	case CCID_PC_ICC_POWER_ON:
		if (!m->present)
			push (m, CCID_RDR_DATA_BLOCK, seq, 2, 1, CCID_ERR_ICC_MUTE, 0, NULL, 0);
		else if (m->class_refused > 0 && msg[7] == 1 && m->class_refused--)
			push (m, CCID_RDR_DATA_BLOCK, seq, 1, 1, CCID_ERR_CLASS_NOT_SUPPORTED, 0, NULL, 0);
		else
			push (m, CCID_RDR_DATA_BLOCK, seq, 0, 0, 0, 0, m->atr, m->atr_len);
		break;
	case CCID_PC_GET_PARAMETERS:
	case CCID_PC_SET_PARAMETERS:
		push (m, CCID_RDR_PARAMETERS, seq, icc, 0, 0,
		      type == CCID_PC_SET_PARAMETERS ? msg[7] : (uint8_t) (m->protocol ? 0 : 1),
		      msg + 10, dl);
		break;
	case CCID_PC_XFR_BLOCK:
		if (!m->present)
			push (m, CCID_RDR_DATA_BLOCK, seq, 2, 1, CCID_ERR_ICC_MUTE, 0, NULL, 0);
		else
			xfr_block (m, msg, dl, seq);
		break;
	case CCID_PC_ESCAPE:
		push (m, CCID_RDR_ESCAPE, seq, icc, 0, 0, 0, msg + 10, dl);
		break;
	default:
		push (m, CCID_RDR_SLOT_STATUS, seq, icc, 1, CCID_ERR_CMD_NOT_SUPPORTED, 0, NULL, 0);
	}
}

static reader_rv
mock_send (void *io, const uint8_t *buf, size_t len, unsigned timeout_ms)
{
	struct mock_rdr *m = io;
	struct mock_sent *s;

	(void) timeout_ms;
	if (m->gone)
		return READER_E_NO_READER;
	if (m->n_log < MOCK_MAX_LOG) {
		s = &m->log[m->n_log++];
		s->type = buf[0];
		memcpy (s->p, buf + 7, 3);
		s->len = len - 10 > sizeof s->data ? sizeof s->data : len - 10;
		memcpy (s->data, buf + 10, s->len);
	}
	if (buf[0] == CCID_PC_ABORT)
		return READER_OK;                      /* answered by nothing here */
	if (m->mute > 0) {
		m->mute--;
		return READER_OK;
	}
	process (m, buf, len);
	return READER_OK;
}

static reader_rv
mock_recv (void *io, uint8_t *buf, size_t size, size_t *len, unsigned timeout_ms)
{
	struct mock_rdr *m = io;
	size_t n;

	(void) timeout_ms;
	if (m->gone)
		return READER_E_NO_READER;
	if (m->q_n == 0)
		return READER_E_TIMEOUT;
	n = m->queue_len[m->q_head];
	if (m->babble > 0 || n > size) {
		if (m->babble > 0)
			m->babble--;
		m->q_head = (m->q_head + 1) % 8;
		m->q_n--;
		return READER_E_COMM;
	}
	memcpy (buf, m->queue[m->q_head], n);
	*len = n;
	m->q_head = (m->q_head + 1) % 8;
	m->q_n--;
	return READER_OK;
}

static reader_rv
mock_abort (void *io, uint8_t slot, uint8_t seq)
{
	struct mock_rdr *m = io;

	(void) slot, (void) seq;
	m->aborts++;
	m->q_n = 0;
	return READER_OK;
}

const struct ccid_transport_ops mock_transport = { mock_send, mock_recv, mock_abort };

void
mock_rdr_init (struct mock_rdr *m, uint32_t level, uint32_t protocols, const uint8_t *atr,
               size_t atr_len)
{
	struct ccid_atr a;

	memset (m, 0, sizeof *m);
	m->desc.max_slot = 0;
	m->desc.voltage = 0x07;
	m->desc.protocols = protocols;
	m->desc.features = level | CCID_FEAT_AUTO_PARAMS;
	m->desc.max_msg_len = 271;
	memcpy (m->atr, atr, atr_len);
	m->atr_len = atr_len;
	m->present = 1;
	if (ccid_atr_parse (atr, atr_len, &a) == 0)
		m->protocol = a.first_protocol == 1 && (protocols & 2) ? 1 : 0;
}

unsigned
mock_count (const struct mock_rdr *m, uint8_t type)
{
	unsigned i, n = 0;

	for (i = 0; i < m->n_log; i++)
		n += m->log[i].type == type;
	return n;
}
