/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * reader/log.h: run-time selected debug logging for reader/.
 *
 * tsr_log() prints one line when the environment variable TESSERA_DEBUG names
 * CATEGORY ("TESSERA_DEBUG=monitor,pcsc", or "all"); it is silent otherwise.
 * The definition in reader/log-default.c is weak: the front end's logger
 * (src/log.h, later) replaces it at link time, as may apdu/'s own default.
 */
#ifndef TSR_READER_LOG_H
#define TSR_READER_LOG_H

void tsr_log (const char *category, const char *fmt, ...)
	__attribute__((format (printf, 2, 3)));

#endif /* TSR_READER_LOG_H */
