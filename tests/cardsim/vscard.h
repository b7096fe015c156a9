/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vscard.h: QEMU's VSCard protocol (ccid-card-passthru), the simulator's second transport: it
 * connects to QEMU's chardev socket (a UNIX socket) and is the card in QEMU's emulated USB CCID
 * reader (usb-ccid). Every message: a header of three 32-bit big-endian words (type, reader id,
 * payload length) and the payload. The client sends Init once; QEMU answers an Init with an Init,
 * so an Init from QEMU is never answered (that would loop). Then ReaderAdd, and ATR for a card
 * inserted, CardRemove for one pulled; QEMU sends each APDU as APDU and gets the response back as
 * APDU. */
#ifndef CARDSIM_VSCARD_H
#define CARDSIM_VSCARD_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

enum {
	VSC_INIT = 1,
	VSC_ERROR = 2,
	VSC_READER_ADD = 3,
	VSC_READER_REMOVE = 4,
	VSC_ATR = 5,
	VSC_CARD_REMOVE = 6,
	VSC_APDU = 7,
	VSC_FLUSH = 8,
	VSC_FLUSH_COMPLETE = 9,
};
#define VSC_HEADER 12
#define VSC_VERSION 2               /* 0.0.2 */
#define VSC_READER_ID 0             /* QEMU's one reader */
#define VSC_UNDEFINED_READER 0xFFFFFFFFu

struct cs_vscard {
	int fd;                         /* -1 when not connected */
	struct cs_buf rx;               /* bytes received, not yet framed */
	int reader_added;               /* ReaderAdd sent on this connection */
};

struct cs_vsc_msg {
	uint32_t type, reader_id;
	struct cs_buf payload;
};

void cs_vscard_init(struct cs_vscard *v);
/* Connects to the UNIX socket PATH and sends Init. 0 or -1 (errno set). */
int cs_vscard_connect(struct cs_vscard *v, const char *path);
void cs_vscard_close(struct cs_vscard *v); /* also releases the buffer; NULL accepted */
/* Reads what the socket has. 0, or -1 when QEMU closed the connection or on error. */
int cs_vscard_read(struct cs_vscard *v);
/* Moves the next complete message into MSG (payload cleared first). 1 done, 0 none yet. */
int cs_vscard_next(struct cs_vscard *v, struct cs_vsc_msg *msg);
/* Sends one message. 0 or -1. */
int cs_vscard_send(struct cs_vscard *v, uint32_t type, uint32_t reader_id, const uint8_t *p, size_t n);
/* Frames one message into OUT (cleared first): header and payload. 0 or -1. */
int cs_vscard_frame(struct cs_buf *out, uint32_t type, uint32_t reader_id, const uint8_t *p, size_t n);

#endif
