/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * src/login.h: what login.c shares with pin.c and inittoken.c (the roles).
 *
 * CKU_USER is the card's user PIN. CKU_SO is its SO PIN, checked by the driver
 * (PIV: the PUK, by CHANGE REFERENCE DATA to itself), or, on a card whose SO may log
 * in with the admin key (card_info.so_admin_key), that key given as 32, 48 or 64 hex
 * digits (checked by authenticating with it). The SO's secret is held like the
 * user's PIN (token->so_secret).
 */
#ifndef TSR_LOGIN_H
#define TSR_LOGIN_H

#include "src/tsr.h"

/* One PIN exchange: the card call's arguments and what the card said. */
struct tsr_pin_ctx {
	enum card_pin which;
	const uint8_t *pin, *new_pin;
	size_t pin_len, new_len;
	int tries;
};

/* Card calls (tsr_card_fn) on a struct tsr_pin_ctx. */
card_rv tsr_card_verify (struct card *card, void *user);
card_rv tsr_card_change (struct card *card, void *user);
card_rv tsr_card_unblock (struct card *card, void *user);

/* Record what a PIN (CARD_PIN_USER) or PUK (CARD_PIN_SO) exchange told about its counter. */
void tsr_token_note_pin_result (struct tsr_slot *slot, enum card_pin which, CK_RV rv, int tries);

/* The CKR of a PIN exchange: the last wrong try (63C0) is CKR_PIN_LOCKED. */
CK_RV tsr_pin_rv (CK_RV rv, int tries);

/* A copy of the LEN bytes of PIN (malloc (LEN)), or NULL when out of memory. Owned by the
 * caller, who wipes it (OPENSSL_cleanse) before freeing it. */
uint8_t *tsr_pin_dup (const uint8_t *pin, size_t len);

/* Keep a copy of SECRET as the SO's (replacing any). CKR_HOST_MEMORY on failure. */
CK_RV tsr_token_hold_so_secret (struct tsr_token *token, const uint8_t *secret, size_t len, bool is_key);

/* The pin_policy of the configuration is fips. */
bool tsr_pin_policy_fips (void);

#endif /* TSR_LOGIN_H */
