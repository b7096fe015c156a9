/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fuzz/record.c: `record-piv OUT READER` runs the PIV operations of fuzz-piv (piv-ops.c)
 * against the card in READER over PC/SC (the simulator, in the test bed) and writes every
 * answer to OUT in fuzz-piv's input format: the seed of its corpus (record-seeds.sh).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "fuzz/piv-ops.h"
#include "reader/reader.h"

static FILE *out;

static reader_rv
rec_transmit (struct reader_conn *conn, const uint8_t *cmd, size_t cmd_len, uint8_t *resp, size_t *resp_len)
{
	reader_rv rv = reader_pcsc_ops.transmit (conn, cmd, cmd_len, resp, resp_len);
	size_t n = rv == READER_OK ? *resp_len : 0;

	fputc ((int)(rv == READER_E_REMOVED ? 0xFF : n >> 8), out);
	fputc ((int)(rv == READER_E_REMOVED ? 0xFF : n & 0xFF), out);
	fwrite (resp, 1, n, out);
	return rv;
}

int
main (int argc, char **argv)
{
	struct reader_ops ops = reader_pcsc_ops;

	if (argc != 3) {
		fprintf (stderr, "usage: record-piv OUT READER\n");
		return 2;
	}
	out = fopen (argv[1], "wb");
	if (out == NULL) {
		perror (argv[1]);
		return 1;
	}
	fputc (0xFF, out);   /* the operations' mask: all */
	fputc (0xFF, out);
	ops.transmit = rec_transmit;
	fuzz_piv_ops (&ops, argv[2], 0xFFFF);
	return fclose (out) == 0 ? 0 : 1;
}
