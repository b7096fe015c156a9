/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vpcd.h: the vsmartcard vpcd protocol. The simulator is a TCP client of vpcd; each message is a
 * 2-byte big-endian length and a payload. A 1-byte payload is a control code; anything else is
 * a command APDU, answered with the response APDU. Connected = card present. */
#ifndef CARDSIM_VPCD_H
#define CARDSIM_VPCD_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define VPCD_CTRL_OFF   0x00
#define VPCD_CTRL_ON    0x01
#define VPCD_CTRL_RESET 0x02
#define VPCD_CTRL_ATR   0x04

struct cs_vpcd {
	int fd;           /* -1 when not connected */
	struct cs_buf rx; /* bytes received, not yet framed */
};

void cs_vpcd_init(struct cs_vpcd *v);
/* Connects to HOST:PORT (blocking connect). 0 or -1 (errno set). */
int cs_vpcd_connect(struct cs_vpcd *v, const char *host, int port);
void cs_vpcd_close(struct cs_vpcd *v); /* also releases the buffer; NULL accepted */
/* Reads what the socket has. 0, or -1 when vpcd closed the connection or on error. */
int cs_vpcd_read(struct cs_vpcd *v);
/* Moves the next complete message's payload into MSG (cleared first). 1 done, 0 none yet. */
int cs_vpcd_next(struct cs_vpcd *v, struct cs_buf *msg);
/* Sends one message. 0 or -1. */
int cs_vpcd_send(struct cs_vpcd *v, const uint8_t *p, size_t n);

#endif
