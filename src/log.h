/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * src/log.h: run-time categorised logging for the whole module.
 *
 * TESSERA_DEBUG selects categories: a comma list of p11, conf, card, piv, apdu,
 * reader, monitor, pcsc (or "all"); off by default. Output goes to stderr, or
 * appends to the file named by TESSERA_LOG (created 0600). tessera.conf's "log"
 * and "log_file" do the same when the environment does not set them. The apdu/ and reader/ layers declare the
 * same tsr_log() and ship a weak default; this strong definition wins in the module.
 * Never pass a PIN (or any secret) to tsr_log.
 */
#ifndef TSR_LOG_H
#define TSR_LOG_H

#include <stdbool.h>

void tsr_log (const char *category, const char *fmt, ...)
	__attribute__ ((format (printf, 2, 3)));

/* True when CATEGORY is enabled (to skip building expensive log lines). */
bool tsr_log_enabled (const char *category);

/* Re-read TESSERA_DEBUG / TESSERA_LOG (C_Initialize calls it; tests too). */
void tsr_log_configure (void);

/* The text of an errno value for a log line: untranslated and without touching the locale
 * (strerror() consults the locale and is not thread-safe; inside a host application's
 * process a module must not). Never NULL. */
const char *tsr_strerror (int err);

/* The configuration file's "log" (CATEGORIES) and "log_file" (PATH), either NULL: used when
 * TESSERA_DEBUG / TESSERA_LOG are not set in the environment (which wins, even set empty).
 * Applies them at once; true when they turned logging on (the environment did not). */
bool tsr_log_set_defaults (const char *categories, const char *path);

/* Close the log file, if any (C_Finalize). */
void tsr_log_close (void);

#endif /* TSR_LOG_H */
