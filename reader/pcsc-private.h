/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * reader/pcsc-private.h: the PC/SC backend's parts, shared by pcsc.c (one card)
 * and pcsc-watch.c (readers and changes). Internal to reader/.
 */
#ifndef TSR_READER_PCSC_PRIVATE_H
#define TSR_READER_PCSC_PRIVATE_H

#include <stdint.h>

#include "reader/reader.h"

reader_rv pcsc_watch_open (struct reader_watch **watch);
void pcsc_watch_close (struct reader_watch *watch);
reader_rv pcsc_enumerate (struct reader_watch *watch, int adopt,
                          struct reader_seen **seen, size_t *n);
reader_rv pcsc_watch_wait (struct reader_watch *watch, long timeout_ms);
void pcsc_watch_wake (struct reader_watch *watch);

/* One reader's dwEventState (and ATR) as the monitor wants it: card present (a
 * mute card or an unavailable reader is none), the event counter of the upper
 * 16 bits, counted unless the reader is unavailable. Pure (unit-tested). */
void pcsc_state_to_seen (uint32_t state, const uint8_t *atr, size_t atr_len,
                         struct reader_seen *seen);

#endif /* TSR_READER_PCSC_PRIVATE_H */
