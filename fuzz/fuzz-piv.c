/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fuzz/fuzz-piv.c: the whole PIV driver (probe, key list with certificates and metadata,
 * PIN status and VERIFY, RSA, ECDSA, ECDH, management key, generation, certificate write
 * and delete, data objects, PIN change and unblock) over a card whose every answer, status
 * words included, comes from the input. Input: a 2-byte mask of the operations
 * (piv-ops.c), then the answers (fuzz-reader.h). Seeds: traffic recorded from the
 * simulator (record-piv, record-seeds.sh).
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include "fuzz/fuzz-reader.h"
#include "fuzz/piv-ops.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t len);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t len)
{
	unsigned mask = 0xFFFF;

	if (len >= 2) {
		mask = (unsigned)data[0] << 8 | data[1];
		data += 2;
		len -= 2;
	}
	fuzz_reader_feed (data, len);
	fuzz_piv_ops (&fuzz_reader_ops, "Fuzz Reader", mask);
	return 0;
}
