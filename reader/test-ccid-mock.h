/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * reader/test-ccid-mock.h: a simulated CCID reader behind a mock transport,
 * for the unit tests of the CCID backend's protocol layers. It decodes every
 * PC_to_RDR message, answers like a reader (TPDU level with a T=0 or T=1 card,
 * or APDU level), and injects the faults a test asks for. The card answers
 * every APDU with APDU_ANSWER_LEN bytes (0, 1, 2, ...) and 90 00.
 */
#ifndef TSR_READER_TEST_CCID_MOCK_H
#define TSR_READER_TEST_CCID_MOCK_H

#include "reader/ccid.h"

#define MOCK_MAX_LOG 256

struct mock_sent {
	uint8_t type;
	uint8_t p[3];                 /* bBWI / wLevelParameter / bPowerSelect ... */
	uint8_t data[300];
	size_t len;
};

struct mock_rdr {
	struct ccid_desc desc;
	int protocol;                 /* the card's: 0 or 1 (TPDU level) */
	uint8_t atr[33];
	size_t atr_len;
	int present;
	size_t answer_len;            /* the card's answer data length */
	uint8_t last_cmd[70000];      /* the last whole APDU the card got */
	size_t last_cmd_len;
	unsigned apdus;               /* APDUs the card executed */

	/* faults (each counts down as it is used) */
	int stale;                    /* answers with an old bSeq first */
	int time_ext;                 /* time extension answers first */
	int mute;                     /* the reader never answers (transport time-out) */
	int icc_mute;                 /* bError ICC_MUTE answers (T=1: the card lost a block) */
	int babble;                   /* the transport reports more data than asked */
	int short_xfr;                /* an answer shorter than its dwLength */
	int wrong_type;
	int gone;                     /* the device is gone (sticky) */
	int class_refused;            /* IccPowerOn refused at 5 V this often */
	int absent_flush;             /* an XfrBlock answered empty, ICC absent (card pulled) */
	int endless_chain;            /* APDU level: empty pieces marked "more to come" */
	/* T=1 card faults */
	int t1_bad_edc;               /* card blocks with a wrong EDC */
	int t1_wtx;                   /* S(WTX request, 3) before the answer */
	int t1_ifs;                   /* S(IFS request, 20) before the answer */
	int t1_ask_again;             /* answer I-blocks with R(N(R) = their N(S)) */
	int t1_deaf;                  /* ignore everything but RESYNCH (icc mute) */
	uint8_t t1_card_ifs;          /* the card's IFSC (0: 254) */
	uint8_t t1_card_ifsd;         /* the host's IFSD the card honours (its answer pieces) */

	/* what was sent */
	struct mock_sent log[MOCK_MAX_LOG];
	unsigned n_log;
	unsigned aborts;

	/* internal */
	uint8_t queue[8][70000];
	size_t queue_len[8];
	unsigned q_head, q_n;
	int t1_ns, t1_nr;
	uint8_t t1_in[70000];         /* chained command being gathered */
	size_t t1_in_len;
	uint8_t t1_out[70000];        /* answer being sent in pieces */
	size_t t1_out_len, t1_out_off, t1_last_piece;
	uint8_t t1_last_block[300];
	size_t t1_last_block_len;
	uint8_t t0_pending[300];
	size_t t0_pending_len;
	uint8_t apdu_out[70000];
	size_t apdu_out_len, apdu_out_off;
};

extern const struct ccid_transport_ops mock_transport;

/* A reader at LEVEL (CCID_LEVEL_*) with PROTOCOLS (dwProtocols), a card with
 * ATR present, answering ANSWER_LEN bytes. */
void mock_rdr_init (struct mock_rdr *m, uint32_t level, uint32_t protocols, const uint8_t *atr,
                    size_t atr_len);

/* How many messages of TYPE were sent. */
unsigned mock_count (const struct mock_rdr *m, uint8_t type);

#endif /* TSR_READER_TEST_CCID_MOCK_H */
