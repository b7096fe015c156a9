/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* state.h: the card's persistent state in a text file (one record per line, binary as hex):
 *
 *   cardsim-state 1
 *   serial 12345678
 *   pin HEX8  puk HEX8             (padded reference values)
 *   pin-retries TOTAL LEFT         puk-retries TOTAL LEFT
 *   mgm ALG TOUCH HEXKEY
 *   key SLOT ALG PIN TOUCH ORIGIN HEX-DER-PRIVATE-KEY
 *   object TAG HEX
 *   pgp-...                        (the OpenPGP application: pgp_state.c)
 */
#ifndef CARDSIM_STATE_H
#define CARDSIM_STATE_H

#include "card.h"

/* Loads PATH into C (replacing its persistent state). 0 loaded, 1 no such file (C unchanged),
 * -1 unreadable or malformed (message on stderr). */
int cs_state_load(struct cs_card *c, const char *path);
/* Writes C to PATH atomically (PATH.tmp, mode 0600, then rename) and clears c->dirty. 0 / -1. */
int cs_state_save(struct cs_card *c, const char *path);

#endif
