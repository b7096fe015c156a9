/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * apdu/log.h: the logging entry point used by the apdu/ layer.
 *
 * Until the front end provides src/log.h, the apdu/ layer declares tsr_log()
 * here and ships a weak default (apdu/log.c) that prints to stderr when the
 * environment variable TESSERA_DEBUG names the category (comma-separated list,
 * or "all"). The front end's strong definition replaces it at link time.
 *
 * Categories used here: "apdu" (one line per command and response APDU, with
 * PIN-carrying data redacted), "card" (card_open/begin/end), "piv" (driver
 * decisions). Never pass a PIN or a key to tsr_log().
 */
#ifndef TSR_APDU_LOG_H
#define TSR_APDU_LOG_H

#if defined(__GNUC__) || defined(__clang__)
#define TSR_PRINTF(fmt, args) __attribute__((format (printf, fmt, args)))
#else
#define TSR_PRINTF(fmt, args)
#endif

/* Log one line (no trailing newline needed) in CATEGORY when that category is enabled. */
void tsr_log (const char *category, const char *fmt, ...) TSR_PRINTF (2, 3);

#endif /* TSR_APDU_LOG_H */
