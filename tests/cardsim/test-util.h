/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-util.h: helpers for the cardsim unit tests: send hex APDUs to an in-memory card. */
#ifndef CARDSIM_TEST_UTIL_H
#define CARDSIM_TEST_UTIL_H

#include <check.h>
#include <stdint.h>

#include "buf.h"
#include "card.h"
#include "tlv.h"

/* A new card (ck_assert on failure); free with cs_card_free. */
struct cs_card *tc_card(enum cs_profile profile);
/* Sends the APDU given as hex; returns the SW; the response data (without SW) goes to DATA
 * when not NULL (cleared first). */
uint16_t tc_send(struct cs_card *c, const char *hex, struct cs_buf *data);
/* Sends raw bytes. */
uint16_t tc_send_raw(struct cs_card *c, const uint8_t *apdu, size_t n, struct cs_buf *data);
/* SELECT the PIV application (asserts 9000). */
void tc_select(struct cs_card *c);
/* VERIFY with the default PIN (asserts 9000). */
void tc_verify(struct cs_card *c);
/* Mutual authentication with the management key KEY of ALG; returns the final SW. */
uint16_t tc_mgm_auth(struct cs_card *c, uint8_t alg, const uint8_t *key);
/* SELECT the OpenPGP application (asserts 9000). */
void tc_pgp_select(struct cs_card *c);
/* VERIFY the OpenPGP application's PW1 (REF 81 or 82) or PW3 (83) with its factory value
 * (asserts 9000). */
void tc_pgp_verify(struct cs_card *c, uint8_t ref);
/* Finds TAG among the TLVs of P, descending into constructed ones (tag's first byte has bit
 * 0x20): 1 found, 0 not. */
int tc_tlv_deep(const uint8_t *p, size_t n, unsigned tag, struct cs_tlv *out);
/* Suite runner: runs S (with a generous timeout set by the caller) and returns the exit code. */
int tc_run(Suite *s);

#endif
