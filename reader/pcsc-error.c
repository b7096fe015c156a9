/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * reader/pcsc-error.c: PC/SC return codes → reader_rv.
 */
#include "config.h"

#include "reader/log.h"
#include "reader/pcsc-error.h"

reader_rv
reader_pcsc_map (LONG rv, enum reader_pcsc_when when)
{
	int connected = (when == READER_PCSC_CONNECTED);

	switch (rv) {
	case SCARD_S_SUCCESS:
		return READER_OK;
	case SCARD_W_REMOVED_CARD:
	case SCARD_E_NO_SMARTCARD:
		return connected ? READER_E_REMOVED : READER_E_NO_CARD;
	case SCARD_E_READER_UNAVAILABLE:
	case SCARD_E_UNKNOWN_READER:
		/* On an open connection the card went away with its reader. */
		return connected ? READER_E_REMOVED : READER_E_NO_READER;
	case SCARD_E_NO_READERS_AVAILABLE:
		return READER_E_NO_READER;
	case SCARD_E_NO_SERVICE:
	case SCARD_E_SERVICE_STOPPED:
	case SCARD_E_INVALID_HANDLE:
	case SCARD_F_COMM_ERROR:
		/* Handles and the client socket die with pcscd: after a restart the
		 * library answers these for every old context and connection. */
		return READER_E_NO_SERVICE;
	case SCARD_E_SHARING_VIOLATION:
		return READER_E_SHARING;
	case SCARD_E_TIMEOUT:
		return READER_E_TIMEOUT;
	case SCARD_E_CANCELLED:
		return READER_E_CANCELLED;
	case SCARD_E_NO_MEMORY:
		return READER_E_NO_MEMORY;
	case SCARD_E_INVALID_PARAMETER:
	case SCARD_E_INVALID_VALUE:
	case SCARD_E_INSUFFICIENT_BUFFER:
		return READER_E_INVALID;
	case SCARD_W_RESET_CARD:
		return READER_E_RESET;
	default:
		/* SCARD_W_UNRESPONSIVE_CARD, SCARD_W_UNPOWERED_CARD,
		 * SCARD_E_NOT_TRANSACTED, SCARD_E_PROTO_MISMATCH, ... */
		return READER_E_COMM;
	}
}

reader_rv
reader_pcsc_fail (const char *func, const char *reader, LONG rv, enum reader_pcsc_when when)
{
	reader_rv ret = reader_pcsc_map (rv, when);

	tsr_log ("pcsc", "%s(%s): %s (0x%08lX) -> %s", func, reader ? reader : "-",
	         pcsc_stringify_error (rv), (unsigned long) rv, reader_rv_name (ret));
	return ret;
}
