/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fuzz/fuzz-reader.h: a reader backend whose card answers from a byte stream (the fuzzer's
 * input): each transmit() takes the next answer, a big-endian 2-byte length and that many
 * bytes (a short stream gives a short answer); 0xFFFF is "card removed", 0xFFFE a reset,
 * and an empty stream is a mute card (READER_E_COMM). Used by the harnesses of the APDU
 * layer and the PIV driver; record.c writes real card traffic in the same format (seeds).
 */
#ifndef TSR_FUZZ_READER_H
#define TSR_FUZZ_READER_H

#include <stddef.h>
#include <stdint.h>

#include "reader/reader.h"

extern const struct reader_ops fuzz_reader_ops;

/* The answers the card gives from now on (DATA is borrowed until the next call). */
void fuzz_reader_feed (const uint8_t *data, size_t len);

#endif /* TSR_FUZZ_READER_H */
