/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * reader/ccid-msg.c: CCID 1.1 messages (see ccid.h): PC_to_RDR built,
 * RDR_to_PC parsed, the class descriptor, NotifySlotChange. Fields larger than
 * a byte are little endian. Pure: no I/O, no log.
 */
#include "config.h"

#include <string.h>

#include "reader/ccid.h"

#define CCID_DESC_TYPE 0x21
#define CCID_DESC_LEN 54

static uint32_t
le32 (const uint8_t *p)
{
	return (uint32_t) p[0] | (uint32_t) p[1] << 8 | (uint32_t) p[2] << 16 | (uint32_t) p[3] << 24;
}

int
ccid_desc_parse (const uint8_t *d, size_t len, struct ccid_desc *out)
{
	size_t i = 0;

	/* A run of descriptors: bLength, bDescriptorType, ... */
	while (i + 2 <= len) {
		size_t dl = d[i];
		if (dl < 2 || i + dl > len)
			break;
		if (d[i + 1] == CCID_DESC_TYPE && dl >= CCID_DESC_LEN) {
			const uint8_t *p = d + i;
			memset (out, 0, sizeof *out);
			out->bcd = (uint16_t) (p[2] | p[3] << 8);
			out->max_slot = p[4];
			out->voltage = p[5];
			out->protocols = le32 (p + 6);
			out->default_clock = le32 (p + 10);
			out->max_clock = le32 (p + 14);
			out->data_rate = le32 (p + 19);
			out->max_data_rate = le32 (p + 23);
			out->max_ifsd = le32 (p + 28);
			out->features = le32 (p + 40);
			out->max_msg_len = le32 (p + 44);
			out->pin_support = p[52];
			out->max_busy_slots = p[53];
			return 0;
		}
		i += dl;
	}
	return -1;
}

size_t
ccid_msg_build (uint8_t *out, size_t out_size, uint8_t type, uint8_t slot, uint8_t seq,
                const uint8_t p[3], const uint8_t *data, size_t data_len)
{
	if (out_size < CCID_HEADER || data_len > out_size - CCID_HEADER || data_len > 0xFFFFFFFFu)
		return 0;
	out[0] = type;
	out[1] = (uint8_t) data_len;
	out[2] = (uint8_t) (data_len >> 8);
	out[3] = (uint8_t) (data_len >> 16);
	out[4] = (uint8_t) (data_len >> 24);
	out[5] = slot;
	out[6] = seq;
	out[7] = p != NULL ? p[0] : 0;
	out[8] = p != NULL ? p[1] : 0;
	out[9] = p != NULL ? p[2] : 0;
	if (data_len > 0)
		memcpy (out + CCID_HEADER, data, data_len);
	return CCID_HEADER + data_len;
}

int
ccid_answer_parse (const uint8_t *buf, size_t len, struct ccid_answer *a)
{
	uint32_t dl;

	if (buf == NULL || len < CCID_HEADER)
		return -1;
	dl = le32 (buf + 1);
	if (dl > len - CCID_HEADER)
		return -1;
	a->type = buf[0];
	a->slot = buf[5];
	a->seq = buf[6];
	a->icc = buf[7] & 0x03;
	a->cmd = (uint8_t) (buf[7] >> 6);
	a->error = buf[8];
	a->specific = buf[9];
	a->data = buf + CCID_HEADER;
	a->data_len = dl;
	return 0;
}

int
ccid_notify_parse (const uint8_t *buf, size_t len, unsigned slot, int *present, int *changed)
{
	size_t byte = 1 + slot / 4;
	unsigned shift = (slot % 4) * 2;

	if (buf == NULL || len < 2 || buf[0] != CCID_RDR_NOTIFY_SLOT_CHANGE || byte >= len)
		return -1;
	*present = (buf[byte] >> shift) & 1;
	*changed = (buf[byte] >> (shift + 1)) & 1;
	return 0;
}

const char *
ccid_error_name (uint8_t error)
{
	switch (error) {
	case CCID_ERR_CMD_ABORTED: return "command aborted";
	case CCID_ERR_ICC_MUTE: return "card mute";
	case CCID_ERR_XFR_PARITY: return "parity error";
	case CCID_ERR_XFR_OVERRUN: return "overrun";
	case CCID_ERR_HW_ERROR: return "reader hardware error";
	case CCID_ERR_BAD_ATR_TS: return "bad ATR TS";
	case CCID_ERR_BAD_ATR_TCK: return "bad ATR TCK";
	case CCID_ERR_PROTOCOL_NOT_SUPPORTED: return "protocol not supported";
	case CCID_ERR_CLASS_NOT_SUPPORTED: return "voltage class not supported";
	case CCID_ERR_PROCEDURE_BYTE_CONFLICT: return "procedure byte conflict";
	case CCID_ERR_DEACTIVATED_PROTOCOL: return "deactivated protocol";
	case CCID_ERR_BUSY_AUTO_SEQUENCE: return "busy with automatic sequence";
	case CCID_ERR_CMD_SLOT_BUSY: return "slot busy";
	case CCID_ERR_CMD_NOT_SUPPORTED: return "command not supported";
	default: return error < 0x80 ? "bad parameter" : "error";
	}
}
