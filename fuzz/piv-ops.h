/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fuzz/piv-ops.h: every operation of the PIV driver, in one order, on the card of a reader
 * backend: what fuzz-piv runs over the fuzzer's answers, and what record-piv runs against
 * the simulator to record real traffic as its seed.
 */
#ifndef TSR_FUZZ_PIV_OPS_H
#define TSR_FUZZ_PIV_OPS_H

#include "reader/reader.h"

/* Run the operations whose bit is set in MASK (all: 0xFFFF) on the card in READER_NAME. */
void fuzz_piv_ops (const struct reader_ops *reader, const char *reader_name, unsigned mask);

#endif /* TSR_FUZZ_PIV_OPS_H */
