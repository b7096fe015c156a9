/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fuzz/fuzz-apdu.c: APDU exchanges (short and extended encoding, command chaining, GET
 * RESPONSE, 6Cxx, 6883, a chain left open, the caps on answers) and the status words.
 * Input: 8 bytes of command (CLA INS P1 P2, flags: bit 0 extended, bit 1 sensitive,
 * data length 2 bytes, Ne 2 bytes), then the card's answers (fuzz-reader.h). Two
 * exchanges run, so that one left open by the first is met by the second.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "apdu/apdu.h"
#include "fuzz/fuzz-reader.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t len);

static uint8_t payload[70000];

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t len)
{
	struct card card;
	struct apdu a;
	struct apdu_resp resp;
	int tries, i;

	if (len < 8)
		return 0;
	memset (&card, 0, sizeof card);
	card.reader = &fuzz_reader_ops;
	if (fuzz_reader_ops.connect ("fuzz", &card.conn) != READER_OK)
		return 0;
	apdu_init (&a, data[0], data[1], data[2], data[3]);
	a.extended = data[4] & 1;
	a.sensitive = (data[4] >> 1) & 1;
	a.data_len = ((size_t)data[5] << 8 | data[6]) * (data[4] & 4 ? 2 : 1);
	a.data = a.data_len > 0 ? payload : NULL;
	a.ne = (size_t)data[7] * 257;
	fuzz_reader_feed (data + 8, len - 8);
	for (i = 0; i < 2; i++) {
		if (apdu_exchange (&card, &a, &resp, &tries) == CARD_OK)
			apdu_resp_clear (&resp);
		(void)apdu_sw_name ((uint16_t)(data[1] << 8 | data[2]));
	}
	fuzz_reader_ops.disconnect (card.conn);
	return 0;
}
