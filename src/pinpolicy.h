/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * src/pinpolicy.h: what a PIN must look like before it is sent to the card.
 *
 * Always the card's own rules (length in bytes from the card's information, then
 * the driver's check_pin: e.g. a byte the card uses as padding). With `pin_policy = fips` (tessera.conf(5)) a new PIN also follows the
 * rule of NSS "Roles and services": at least 7 characters, at least three of the
 * five character classes (ASCII digits, lower case, upper case, other ASCII,
 * non-ASCII); an upper-case first character does not count as upper case and a
 * digit as last character does not count as a digit. A failed login or PIN
 * change then costs one second. The return value is the only feedback.
 */
#ifndef TSR_PINPOLICY_H
#define TSR_PINPOLICY_H

#include "src/tsr.h"
#include "src/conf.h"

#define TSR_FIPS_PIN_MIN_CHARS 7
#define TSR_FIPS_PIN_MIN_CLASSES 3

/* The card's rules for a PIN (CARD_PIN_USER) or PUK (CARD_PIN_SO) of TOKEN:
 * CKR_PIN_LEN_RANGE, CKR_PIN_INVALID or CKR_OK. */
CK_RV tsr_pin_card_check (const struct tsr_token *token, enum card_pin which,
                          const uint8_t *pin, CK_ULONG len);
/* The FIPS rule alone: CKR_PIN_LEN_RANGE under 7 characters (UTF-8 sequences count
 * as one), CKR_PIN_INVALID with fewer than 3 classes, else CKR_OK. */
CK_RV tsr_pin_fips_check (const uint8_t *pin, size_t len);
/* A new PIN or PUK: the card's rules, then the FIPS rule when MODE says so. */
CK_RV tsr_pin_new_check (const struct tsr_token *token, enum tsr_pin_policy_mode mode,
                         enum card_pin which, const uint8_t *pin, CK_ULONG len);
/* Did a login or PIN change fail on the PIN itself (the fips delay applies)? */
bool tsr_pin_failed (CK_RV rv);
/* Sleep one second (interrupted sleeps resumed); call with the module lock released. */
void tsr_pin_fail_delay (void);
/* An SO PIN of 32, 48 or 64 hex digits is an admin key: true and KEY filled
 * (wiped by the caller). */
bool tsr_so_pin_is_key (const uint8_t *pin, size_t len, uint8_t key[TSR_CONF_MAX_KEY], size_t *key_len);

#endif /* TSR_PINPOLICY_H */
