/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * apdu/openpgp-int.h: internals shared by apdu/openpgp-*.c. Not used elsewhere.
 */
#ifndef TSR_APDU_OPENPGP_INT_H
#define TSR_APDU_OPENPGP_INT_H

#include "apdu/apdu.h"
#include "apdu/openpgp.h"

#define OPGP_INS_VERIFY        0x20
#define OPGP_INS_CHANGE_REF    0x24
#define OPGP_INS_PSO           0x2A
#define OPGP_INS_RESET_RETRY   0x2C
#define OPGP_INS_GENERATE      0x47
#define OPGP_INS_CHALLENGE     0x84
#define OPGP_INS_INT_AUTH      0x88
#define OPGP_INS_SELECT        0xA4
#define OPGP_INS_SELECT_DATA   0xA5
#define OPGP_INS_GET_DATA      0xCA
#define OPGP_INS_PUT_DATA      0xDA
#define OPGP_INS_PUT_DATA_ODD  0xDB

#define OPGP_SW_TERMINATED     0x6285

/* Fill a command to the application: CLA 00, no data, no Le. */
void opgp_apdu (struct apdu *apdu, uint8_t ins, uint8_t p1, uint8_t p2);

/*
 * Send APDU to the card and collect the answer: extended APDUs when O allows them and
 * the data or Ne need them (split by command chaining when the data exceeds the card's
 * maximum command length), otherwise short APDUs with command chaining (if the card
 * has it) and GET RESPONSE. CARD_OK only for 9000; RESP (caller clears) holds the data
 * then. *SW (may be NULL) receives the status word whenever the card answered.
 */
card_rv opgp_exchange (struct card *card, const struct opgp *o, struct apdu *apdu,
                       struct apdu_resp *resp, uint16_t *sw);

/* Status word → card_rv, with the OpenPGP application's 6285 (terminated). */
card_rv opgp_sw_rv (uint16_t sw);

/* Compute the OpenPGP fingerprint of the new key SPKI in slot KEY and write it with
 * TIMESTAMP (openpgp-keys.c). */
card_rv opgp_store_fingerprint (struct card *card, struct opgp *o, enum opgp_key key,
                                const uint8_t *spki, size_t spki_len, uint32_t timestamp);

/* Control reference template of a key slot: B6, B8, A4. */
uint8_t opgp_crt (enum opgp_key key);

#endif /* TSR_APDU_OPENPGP_INT_H */
