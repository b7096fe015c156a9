/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * reader/ccid.h: the direct USB CCID backend's insides (internal to reader/).
 *
 * Layers, bottom up, each in its own file:
 *   ccid-msg.c    CCID 1.1 messages: build a PC_to_RDR message, parse an
 *                 RDR_to_PC answer, the class descriptor, NotifySlotChange (pure)
 *   ccid-atr.c    the ATR: protocols, TA1, TC1, IFSC, BWI/CWI, EDC (pure)
 *   ccid-dev.c    one message exchange with a reader over a transport: bSeq
 *                 checked, time extension honoured, a bounded wait, errors mapped
 *   ccid-t0.c     T=0 at TPDU level (cases 1-4, 61xx, 6Cxx)
 *   ccid-t1.c     T=1 at TPDU level (I/R/S blocks, chaining, IFS, WTX, RESYNCH)
 *   ccid-apdu.c   one APDU by the reader's exchange level (TPDU: T=0 / T=1;
 *                 short APDU; extended APDU with wLevelParameter chaining)
 *   ccid-slot.c   a card in a slot: power on (ATR, protocol, SetParameters), off
 *   ccid-usb.c    libusb-1.0: find CCID interfaces, claim, the transport,
 *                 the interrupt endpoint, hotplug
 *   ccid-hub.c    the process's readers (one hub), watch_* of struct reader_ops
 *   ccid-ops.c    connect .. control of struct reader_ops
 * The unit tests run ccid-msg .. ccid-slot against a mock transport.
 */
#ifndef TSR_READER_CCID_H
#define TSR_READER_CCID_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "reader/reader.h"

/* ---- CCID 1.1 messages (ccid-msg.c) ---- */

#define CCID_HEADER 10

enum {
	CCID_PC_ICC_POWER_ON = 0x62,
	CCID_PC_ICC_POWER_OFF = 0x63,
	CCID_PC_GET_SLOT_STATUS = 0x65,
	CCID_PC_XFR_BLOCK = 0x6F,
	CCID_PC_GET_PARAMETERS = 0x6C,
	CCID_PC_SET_PARAMETERS = 0x61,
	CCID_PC_ESCAPE = 0x6B,
	CCID_PC_ABORT = 0x72,
	CCID_RDR_DATA_BLOCK = 0x80,
	CCID_RDR_SLOT_STATUS = 0x81,
	CCID_RDR_PARAMETERS = 0x82,
	CCID_RDR_ESCAPE = 0x83,
	CCID_RDR_NOTIFY_SLOT_CHANGE = 0x50,
	CCID_RDR_HARDWARE_ERROR = 0x51,
};

/* bStatus: bmICCStatus (bits 0-1) and bmCommandStatus (bits 6-7). */
#define CCID_ICC_ACTIVE 0
#define CCID_ICC_INACTIVE 1
#define CCID_ICC_ABSENT 2
#define CCID_CMD_OK 0
#define CCID_CMD_FAILED 1
#define CCID_CMD_TIME_EXTENSION 2

/* bError values when bmCommandStatus is FAILED. */
#define CCID_ERR_CMD_ABORTED 0xFF
#define CCID_ERR_ICC_MUTE 0xFE
#define CCID_ERR_XFR_PARITY 0xFD
#define CCID_ERR_XFR_OVERRUN 0xFC
#define CCID_ERR_HW_ERROR 0xFB
#define CCID_ERR_BAD_ATR_TS 0xF8
#define CCID_ERR_BAD_ATR_TCK 0xF7
#define CCID_ERR_PROTOCOL_NOT_SUPPORTED 0xF6
#define CCID_ERR_CLASS_NOT_SUPPORTED 0xF5
#define CCID_ERR_PROCEDURE_BYTE_CONFLICT 0xF4
#define CCID_ERR_DEACTIVATED_PROTOCOL 0xF3
#define CCID_ERR_BUSY_AUTO_SEQUENCE 0xF2
#define CCID_ERR_CMD_SLOT_BUSY 0xE0
#define CCID_ERR_CMD_NOT_SUPPORTED 0x00

/* dwFeatures bits used here. */
#define CCID_FEAT_AUTO_PARAMS 0x00000002u       /* parameters from the ATR by the reader */
#define CCID_FEAT_AUTO_VOLTAGE 0x00000008u
#define CCID_FEAT_AUTO_PPS 0x00000080u          /* PPS made by the reader */
#define CCID_FEAT_AUTO_IFSD 0x00000400u         /* S(IFS) sent by the reader (T=1) */
#define CCID_LEVEL_MASK 0x00070000u
#define CCID_LEVEL_CHAR 0x00000000u
#define CCID_LEVEL_TPDU 0x00010000u
#define CCID_LEVEL_SHORT_APDU 0x00020000u
#define CCID_LEVEL_EXT_APDU 0x00040000u

/* The CCID class descriptor (bDescriptorType 0x21, 54 bytes). */
struct ccid_desc {
	uint16_t bcd;
	uint8_t max_slot;             /* bMaxSlotIndex */
	uint8_t voltage;              /* bVoltageSupport: 1 5V, 2 3V, 4 1.8V */
	uint32_t protocols;           /* dwProtocols: 1 T=0, 2 T=1 */
	uint32_t default_clock;       /* kHz */
	uint32_t max_clock;
	uint32_t data_rate;           /* bps */
	uint32_t max_data_rate;
	uint32_t max_ifsd;
	uint32_t features;            /* dwFeatures */
	uint32_t max_msg_len;         /* dwMaxCCIDMessageLength */
	uint8_t pin_support;
	uint8_t max_busy_slots;
};

/* Parse a class descriptor from DESC[0..LEN) (the interface's or an endpoint's
 * "extra" bytes: the first 0x21 descriptor of 54 bytes found). 0 or -1. */
int ccid_desc_parse (const uint8_t *desc, size_t len, struct ccid_desc *out);

/* Build a PC_to_RDR message: header (TYPE, dwLength = DATA_LEN, SLOT, SEQ,
 * the three message-specific bytes P) and DATA into OUT (size OUT_SIZE).
 * Returns the length, 0 when it does not fit. */
size_t ccid_msg_build (uint8_t *out, size_t out_size, uint8_t type, uint8_t slot, uint8_t seq,
                       const uint8_t p[3], const uint8_t *data, size_t data_len);

/* An RDR_to_PC answer, parsed; DATA points into the buffer given. */
struct ccid_answer {
	uint8_t type, slot, seq;
	uint8_t icc;                  /* bmICCStatus */
	uint8_t cmd;                  /* bmCommandStatus */
	uint8_t error;                /* bError */
	uint8_t specific;             /* bChainParameter / bClockStatus / bProtocolNum */
	const uint8_t *data;
	size_t data_len;              /* dwLength */
};

/* Parse BUF[0..LEN): -1 when shorter than the header or than dwLength says
 * (a short transfer), 0 otherwise (extra bytes after dwLength are ignored). */
int ccid_answer_parse (const uint8_t *buf, size_t len, struct ccid_answer *a);

/* Apply RDR_to_PC_NotifySlotChange BUF[0..LEN) for slot SLOT: *present (the ICC
 * is there) and *changed (it changed since the last notification). -1 when
 * BUF is not one or does not cover SLOT. */
int ccid_notify_parse (const uint8_t *buf, size_t len, unsigned slot, int *present, int *changed);

/* A failed command's bError, in words, for the log. */
const char *ccid_error_name (uint8_t error);

/* ---- The ATR (ccid-atr.c) ---- */

struct ccid_atr {
	int inverse;                  /* TS 3F */
	uint8_t ta1;                  /* Fi/Di, 0x11 when absent */
	int has_ta1;
	uint8_t tc1;                  /* extra guard time (0 when absent) */
	uint8_t wi;                   /* T=0 waiting integer TC2, 10 when absent */
	unsigned protocols;           /* bit T: protocol T offered (T=0 when no TD1) */
	int first_protocol;           /* the first offered: the default one */
	int specific;                 /* TA2 present: specific mode, protocol SPECIFIC_T */
	int specific_t;
	uint8_t ifsc;                 /* T=1: first TA for T=1 (i >= 3), 32 when absent */
	uint8_t bwi, cwi;             /* T=1: first TB for T=1, 4 and 13 when absent */
	int crc;                      /* T=1: first TC for T=1 bit 0: CRC, else LRC */
	size_t hist_len;
	const uint8_t *hist;          /* the historical bytes, into the ATR given */
};

/* Parse ATR[0..LEN). 0, or -1 for a malformed ATR (bad TS, too short, TCK
 * wrong where it must be present). */
int ccid_atr_parse (const uint8_t *atr, size_t len, struct ccid_atr *out);

/* ---- One message exchange (ccid-dev.c) ---- */

/* How a reader is reached: the real one is libusb (ccid-usb.c), the unit
 * tests' a mock. Every call has a time limit. */
struct ccid_transport_ops {
	/* Send one message (bulk OUT). READER_OK; READER_E_NO_READER when the device
	 * is gone; READER_E_COMM for any other failure (READER_E_TIMEOUT: not taken). */
	reader_rv (*send) (void *io, const uint8_t *buf, size_t len, unsigned timeout_ms);
	/* Receive one message (bulk IN) into BUF (SIZE bytes); *len its length.
	 * READER_E_TIMEOUT when nothing came in time; READER_E_NO_READER (gone);
	 * READER_E_COMM (babble: more than SIZE, or another USB error). */
	reader_rv (*recv) (void *io, uint8_t *buf, size_t size, size_t *len, unsigned timeout_ms);
	/* The class request ABORT (control pipe) for SLOT and SEQ. */
	reader_rv (*abort) (void *io, uint8_t slot, uint8_t seq);
};

/* Time limits (ms). A reader that never answers gives READER_E_COMM after this
 * long; each time extension the reader asks for starts the wait again, up to
 * CCID_MAX_EXTENDED_MS in all. */
#define CCID_TIMEOUT_CONTROL_MS 3000      /* slot status, parameters, power off */
#define CCID_TIMEOUT_POWER_ON_MS 5000
#define CCID_TIMEOUT_XFR_MS 20000         /* one block or APDU */
#define CCID_MAX_EXTENDED_MS 180000
#define CCID_MAX_MSG 65556                /* 10 + extended APDU + 2 + slack */

/* One CCID interface: its descriptor, the exchange lock and sequence number. */
struct ccid_dev {
	const struct ccid_transport_ops *ops;
	void *io;
	struct ccid_desc desc;
	char name[READER_MAX_NAME];   /* for the log */
	pthread_mutex_t io_lock;      /* one exchange at a time (taken by ccid_exchange) */
	uint8_t seq;                  /* io_lock: bSeq of the next message */
	uint8_t *rx;                  /* io_lock: owned, RX_SIZE */
	size_t rx_size;
	int gone;                     /* io_lock: the device went away (USB) */
};

/* Set up DEV over OPS/IO with DESC. 0, or -1 out of memory. ccid_dev_clear frees. */
int ccid_dev_init (struct ccid_dev *dev, const struct ccid_transport_ops *ops, void *io,
                   const struct ccid_desc *desc, const char *name);
void ccid_dev_clear (struct ccid_dev *dev);

/* One command and its answer: message TYPE to SLOT with P and DATA; the answer
 * must be of type EXPECT. On READER_OK the command succeeded (bmCommandStatus
 * OK), *a holds the answer's header fields and its data is copied into OUT
 * (*out_len: size in, length out; OUT may be NULL when no data is wanted; a->data
 * points into OUT). Errors: READER_E_NO_CARD (no ICC in the slot), READER_E_COMM
 * (mute card, a parity or overrun error, the reader's hardware error, an answer
 * out of step or of the wrong type, babble, a short transfer, more data than OUT
 * holds, no answer within TIMEOUT_MS: then ABORT is sent), READER_E_NO_READER
 * (the device is gone), READER_E_UNSUPPORTED (the reader does not know the
 * command), READER_E_SHARING (slot busy). a->error gets bError (or 0). */
reader_rv ccid_exchange (struct ccid_dev *dev, uint8_t slot, uint8_t type, const uint8_t p[3],
                         const uint8_t *data, size_t data_len, uint8_t expect,
                         unsigned timeout_ms, struct ccid_answer *a, uint8_t *out, size_t *out_len);

/* ---- Protocols (ccid-t0.c, ccid-t1.c, ccid-apdu.c) ---- */

/* T=1 state of one card. */
struct ccid_t1 {
	uint8_t ns;                   /* N(S) of our next I-block */
	uint8_t nr;                   /* N(S) expected in the card's next I-block */
	uint8_t ifsc;                 /* the card's information field size */
	uint8_t ifsd;                 /* ours */
	int crc;                      /* EDC: CRC (1) or LRC (0) */
	uint8_t nad;
	uint8_t bwi;                  /* for the reader's timing of a block */
	int more_bwt;                 /* WTX multiplier for the next block (0: none) */
};

void ccid_t1_init (struct ccid_t1 *t1, const struct ccid_atr *atr);

/* The EDC of BLOCK[0..LEN) into EDC (1 byte LRC or 2 bytes CRC); its size. */
size_t ccid_t1_edc (int crc, const uint8_t *block, size_t len, uint8_t edc[2]);

/* Where T=0 / T=1 send their TPDU or block: one XfrBlock of the slot, the
 * answer copied into RESP (*resp_len: size in, length out). BWI: bBWI of the
 * message (T=1 WTX). */
struct ccid_link {
	reader_rv (*xfr) (void *ctx, const uint8_t *out, size_t out_len, uint8_t bwi,
	                  uint8_t *resp, size_t *resp_len);
	void *ctx;
	const char *name;             /* for the log */
};

/* One APDU by T=0 TPDUs: cases 1-4, 61xx (GET RESPONSE), 6Cxx (again with
 * Le = xx). Extended APDUs cannot go by T=0 here: READER_E_COMM, nothing sent. */
reader_rv ccid_t0_transmit (const struct ccid_link *link, const uint8_t *cmd, size_t cmd_len,
                            uint8_t *resp, size_t *resp_len);

/* Send S(IFS request) for T1->ifsd. */
reader_rv ccid_t1_set_ifsd (struct ccid_t1 *t1, const struct ccid_link *link);

/* One APDU by T=1 blocks, chained both ways, with error recovery. */
reader_rv ccid_t1_transmit (struct ccid_t1 *t1, const struct ccid_link *link,
                            const uint8_t *cmd, size_t cmd_len, uint8_t *resp, size_t *resp_len);

/* One APDU at the reader's APDU level: whole (short) or in wLevelParameter
 * chunks of at most CHUNK bytes (extended), the answer gathered by
 * bChainParameter. XFR sends one XfrBlock with wLevelParameter LEVEL and gives
 * the answer's data and bChainParameter. */
struct ccid_apdu_link {
	reader_rv (*xfr) (void *ctx, const uint8_t *out, size_t out_len, uint16_t level,
	                  uint8_t *resp, size_t *resp_len, uint8_t *chain);
	void *ctx;
	size_t chunk;                 /* dwMaxCCIDMessageLength - 10 */
	int extended;                 /* the reader takes extended APDUs */
	const char *name;
};

reader_rv ccid_apdu_transmit (const struct ccid_apdu_link *link, const uint8_t *cmd,
                              size_t cmd_len, uint8_t *resp, size_t *resp_len);

/* ---- A card in a slot (ccid-slot.c) ---- */

struct ccid_card {
	struct ccid_dev *dev;         /* not owned */
	uint8_t slot;
	uint8_t atr[READER_MAX_ATR];
	size_t atr_len;
	struct ccid_atr parsed;       /* hist points into ATR */
	int protocol;                 /* 0 or 1 */
	struct ccid_t1 t1;
};

/* Power the card on (the voltage the reader picks, else 5 V, 3 V, 1.8 V), read
 * and parse its ATR, choose the protocol both sides have, set the parameters
 * (TPDU level) and, for T=1, the IFSD. READER_E_NO_CARD: no card;
 * READER_E_COMM: mute, a bad ATR, no common protocol. */
reader_rv ccid_card_power_on (struct ccid_card *card, struct ccid_dev *dev, uint8_t slot);
reader_rv ccid_card_power_off (struct ccid_card *card);

/* The slot's ICC status now (GetSlotStatus: a reader query, no APDU):
 * *present 1/0. */
reader_rv ccid_slot_status (struct ccid_dev *dev, uint8_t slot, int *present);

/* One APDU to the card by the reader's level and the card's protocol. */
reader_rv ccid_card_transmit (struct ccid_card *card, const uint8_t *cmd, size_t cmd_len,
                              uint8_t *resp, size_t *resp_len);

/* PC_to_RDR_Escape with IN; the answer's data into OUT. */
reader_rv ccid_card_escape (struct ccid_card *card, const uint8_t *in, size_t in_len,
                            uint8_t *out, size_t *out_len);

#endif /* TSR_READER_CCID_H */
