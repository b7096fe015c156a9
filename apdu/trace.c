/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * apdu/trace.c: one log line per command and response APDU (category "apdu"),
 * with the data of PIN-carrying commands redacted.
 */
#include "config.h"

#include "apdu/trace.h"

#include <stdio.h>

#include "apdu/log.h"

#define TRACE_MAX_BYTES 64   /* bytes shown per line; longer data is summarised */

/* VERIFY, CHANGE REFERENCE DATA and RESET RETRY COUNTER carry PINs; GENERAL AUTHENTICATE
 * carries what a private key makes (a deciphered block, an ECDH shared secret) and the
 * challenge and response of an authentication with a secret key (the management key). A
 * signature is no secret, but the command cannot tell a signature from a decipherment
 * (RSA: the same raw operation), so every GENERAL AUTHENTICATE is redacted, and the GET
 * RESPONSE pieces of its answer with it. */
int
apdu_trace_is_secret_ins (uint8_t ins)
{
	return ins == 0x20 || ins == 0x24 || ins == 0x2C || ins == 0x87;
}

static void
hex (char *out, size_t size, const uint8_t *data, size_t len)
{
	size_t i, n = len < TRACE_MAX_BYTES ? len : TRACE_MAX_BYTES;
	size_t pos = 0;

	out[0] = '\0';
	for (i = 0; i < n && pos + 4 < size; i++)
		pos += (size_t)snprintf (out + pos, size - pos, "%s%02X", i ? " " : "", data[i]);
	if (n < len && pos + 5 < size)
		snprintf (out + pos, size - pos, " ...");
}

void
apdu_trace_command (const uint8_t *cmd, size_t len, int redact)
{
	char text[TRACE_MAX_BYTES * 3 + 8];
	size_t head = len < 5 ? len : 5;

	if (redact && len > 5) {
		hex (text, sizeof text, cmd, head);
		tsr_log ("apdu", "> %s [%zu bytes redacted]", text, len - head);
		return;
	}
	hex (text, sizeof text, cmd, len);
	tsr_log ("apdu", "> %s (%zu bytes)", text, len);
}

void
apdu_trace_response (const uint8_t *resp, size_t len, int redact)
{
	char text[TRACE_MAX_BYTES * 3 + 8];

	if (len < 2) {
		tsr_log ("apdu", "< (%zu bytes: no status word)", len);
		return;
	}
	if (redact && len > 2) {
		tsr_log ("apdu", "< [%zu bytes redacted] %02X %02X", len - 2, resp[len - 2], resp[len - 1]);
		return;
	}
	hex (text, sizeof text, resp, len);
	tsr_log ("apdu", "< %s (%zu bytes)", text, len);
}
