/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * reader/pcsc-error.h: PC/SC return codes → reader_rv (internal to reader/).
 */
#ifndef TSR_READER_PCSC_ERROR_H
#define TSR_READER_PCSC_ERROR_H

#include <PCSC/winscard.h>

#include "reader/reader.h"

/* Where the code came from: "card removed" means NO_CARD before a connection
 * exists and REMOVED on an established one; a vanished reader likewise. */
enum reader_pcsc_when {
	READER_PCSC_CONNECTING,   /* SCardEstablishContext, SCardConnect */
	READER_PCSC_CONNECTED,    /* any call on an established connection */
};

/* Translate RV (not SCARD_S_SUCCESS, not SCARD_W_RESET_CARD: the caller
 * handles a reset itself). Pure: no logging. */
reader_rv reader_pcsc_map (LONG rv, enum reader_pcsc_when when);

/* Translate and log once: "FUNC(READER): <pcsc name> (0x...) -> <reader_rv>". */
reader_rv reader_pcsc_fail (const char *func, const char *reader, LONG rv,
                            enum reader_pcsc_when when);

#endif /* TSR_READER_PCSC_ERROR_H */
