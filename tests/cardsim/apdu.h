/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* apdu.h: command APDU parsing (ISO 7816-4 cases 1..4, short and extended) and the command
 * handlers' common signature. */
#ifndef CARDSIM_APDU_H
#define CARDSIM_APDU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "card.h"

struct cs_apdu {
	uint8_t cla, ins, p1, p2;
	const uint8_t *data; /* points into the caller's buffer */
	size_t lc;
	size_t le;      /* 0 when absent; 256 / 65536 for a zero Le */
	bool extended;
};

/* Parses RAW: 0 on success, else the status word to answer (6700). */
uint16_t cs_apdu_parse(const uint8_t *raw, size_t len, struct cs_apdu *a);

/* A command handler appends response data to OUT and returns the status word. */
typedef uint16_t cs_handler(struct cs_card *c, const struct cs_apdu *a, struct cs_buf *out);

/* app.c: a command after framing and chaining, to the application it is for. */
uint16_t cs_card_dispatch(struct cs_card *c, const struct cs_apdu *a, struct cs_buf *out);
/* piv.c: the application's dispatcher (after framing and chaining are resolved). */
uint16_t cs_piv_dispatch(struct cs_card *c, const struct cs_apdu *a, struct cs_buf *out);

/* Handlers, by file. */
cs_handler cs_piv_select, cs_piv_get_data, cs_piv_put_data;          /* piv.c */
cs_handler cs_pin_verify, cs_pin_change, cs_pin_reset_retry;         /* pin.c */
cs_handler cs_piv_general_auth;                                      /* auth.c */
cs_handler cs_piv_generate;                                          /* keys.c */
cs_handler cs_yk_version, cs_yk_serial, cs_yk_set_mgm, cs_yk_reset,
	cs_yk_set_retries, cs_yk_metadata;                               /* yubikey.c */
cs_handler cs_yk_import, cs_yk_attest;                               /* keys.c, attest.c */

/* Ensures the attestation key (slot F9) and its certificate (5FFF01) exist. 0 or -1. */
int cs_attest_ensure(struct cs_card *c);

#endif
