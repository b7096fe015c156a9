/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* log.h: the APDU log (--log FILE). PIN, PUK and new PIN data are never written. */
#ifndef CARDSIM_LOG_H
#define CARDSIM_LOG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Writes "> CMD" and "< RESP" lines; the data of VERIFY, CHANGE REFERENCE DATA and RESET
 * RETRY COUNTER is shown as XX. F NULL: nothing. */
void cs_log_apdu(FILE *f, const uint8_t *cmd, size_t n, const uint8_t *resp, size_t rn);
/* Writes "# MESSAGE" (printf format). */
void cs_log_event(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Formats CMD into S (size >= 3*N+1) as hex pairs with PIN data redacted. */
void cs_log_format_cmd(const uint8_t *cmd, size_t n, char *s);

#endif
