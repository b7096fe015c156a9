/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * apdu/trace.h: APDU trace lines (category "apdu"), internal to apdu/.
 */
#ifndef TSR_APDU_TRACE_H
#define TSR_APDU_TRACE_H

#include <stddef.h>
#include <stdint.h>

/* 1 for instructions whose data (and answer) is always redacted (VERIFY, CHANGE REFERENCE
 * DATA, RESET RETRY COUNTER, GENERAL AUTHENTICATE). */
int apdu_trace_is_secret_ins (uint8_t ins);

/* Log an encoded command; REDACT hides everything after the header and Lc. */
void apdu_trace_command (const uint8_t *cmd, size_t len, int redact);
/* Log a response (data + SW); REDACT hides the data, keeps the SW. */
void apdu_trace_response (const uint8_t *resp, size_t len, int redact);

#endif /* TSR_APDU_TRACE_H */
