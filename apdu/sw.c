/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * apdu/sw.c: status words and reader errors → card_rv.
 */
#include "config.h"

#include "apdu/apdu.h"

card_rv
apdu_sw_rv (uint16_t sw, int *tries_left)
{
	if (tries_left != NULL)
		*tries_left = -1;
	if ((sw & 0xFFF0) == 0x63C0) {
		if (tries_left != NULL)
			*tries_left = sw & 0x0F;
		/* 63C0 too: this attempt was wrong; the caller sees 0 tries left. */
		return CARD_E_PIN_INCORRECT;
	}
	switch (sw) {
	case 0x9000:
		return CARD_OK;
	case 0x6300:   /* verification failed, no counter (management key) */
		return CARD_E_AUTH_FAILED;
	case 0x6983:   /* authentication method blocked */
		if (tries_left != NULL)
			*tries_left = 0;
		return CARD_E_PIN_LOCKED;
	case 0x6982:   /* security status not satisfied */
		return CARD_E_SECURITY;
	case 0x6A82:   /* file or application not found */
	case 0x6A83:   /* record not found */
	case 0x6A88:   /* referenced data not found */
		return CARD_E_NOT_FOUND;
	case 0x6700:   /* wrong length */
	case 0x6A80:   /* incorrect data */
	case 0x6A86:   /* incorrect P1 P2 (PIV: algorithm does not match the key) */
	case 0x6A87:   /* Lc inconsistent with P1 P2 */
	case 0x6B00:   /* wrong parameters */
	case 0x6984:   /* reference data not usable */
		return CARD_E_INVALID_DATA;
	case 0x6A84:   /* not enough memory */
		return CARD_E_NO_SPACE;
	case 0x6D00:   /* instruction not supported */
	case 0x6E00:   /* class not supported */
	case 0x6A81:   /* function not supported */
	case 0x6881:   /* logical channel not supported */
	case 0x6882:   /* secure messaging not supported */
	case 0x6884:   /* command chaining not supported */
		return CARD_E_NOT_SUPPORTED;
	default:
		return CARD_E_INTERNAL;
	}
}

const char *
apdu_sw_name (uint16_t sw)
{
	if ((sw & 0xFF00) == 0x6100)
		return "more data";
	if ((sw & 0xFF00) == 0x6C00)
		return "wrong Le";
	if ((sw & 0xFFF0) == 0x63C0)
		return "verification failed (counter)";
	switch (sw) {
	case 0x9000: return "ok";
	case 0x6300: return "verification failed";
	case 0x6581: return "memory failure";
	case 0x6700: return "wrong length";
	case 0x6881: return "logical channel not supported";
	case 0x6882: return "secure messaging not supported";
	case 0x6883: return "last command of chain expected";
	case 0x6884: return "command chaining not supported";
	case 0x6982: return "security status not satisfied";
	case 0x6983: return "authentication method blocked";
	case 0x6984: return "reference data not usable";
	case 0x6985: return "conditions of use not satisfied";
	case 0x6A80: return "incorrect data";
	case 0x6A81: return "function not supported";
	case 0x6A82: return "not found";
	case 0x6A83: return "record not found";
	case 0x6A84: return "not enough memory";
	case 0x6A86: return "incorrect P1 P2";
	case 0x6A87: return "Lc inconsistent with P1 P2";
	case 0x6A88: return "referenced data not found";
	case 0x6B00: return "wrong parameters";
	case 0x6D00: return "instruction not supported";
	case 0x6E00: return "class not supported";
	case 0x6F00: return "no precise diagnosis";
	default: return "unknown status";
	}
}

card_rv
apdu_reader_rv (reader_rv rv)
{
	switch (rv) {
	case READER_OK:
		return CARD_OK;
	case READER_E_NO_CARD:
	case READER_E_REMOVED:
	case READER_E_NO_READER:
		return CARD_E_REMOVED;
	case READER_E_NO_SERVICE:
		return CARD_E_NO_SERVICE;
	case READER_E_NO_MEMORY:
		return CARD_E_NO_MEMORY;
	case READER_E_RESET:      /* only begin() reports it; card_begin() handles it */
	case READER_E_TIMEOUT:
	case READER_E_CANCELLED:
	case READER_E_SHARING:
	case READER_E_COMM:
		return CARD_E_COMM;
	case READER_E_INVALID:
	default:
		return CARD_E_INTERNAL;
	}
}
