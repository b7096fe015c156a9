/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * src/admin.h: card administration for the write path (key generation, object
 * writes): which management key to use, and where it comes from.
 */
#ifndef TSR_ADMIN_H
#define TSR_ADMIN_H

#include "src/tsr.h"

/* The well-known default PIV management key (YubiKey factory key, 3DES or AES-192). */
extern const uint8_t tsr_admin_default_key[24];

/* Authenticate as card administrator (PIV: management key 9B) for a write, inside the
 * current card transaction. The key comes from, in order: an SO login with it; the card's
 * PIN-protected management key (YubiKey ADMIN DATA 5FFF00 / PRINTED 5FC109, readable after
 * user login); the configuration (per card serial); the well-known default key unless the
 * configuration forbids it (logged as a warning). CKR_USER_NOT_LOGGED_IN when neither the user
 * nor the SO is logged in; CKR_TOKEN_WRITE_PROTECTED when no key works. */
CK_RV tsr_admin_auth_inlock (struct tsr_slot *slot, struct card *card);

/* Can a management key be had for TOKEN, judged without an APDU (C_GetTokenInfo):
 * false means CKF_WRITE_PROTECTED. */
bool tsr_admin_key_available (const struct tsr_token *token);

/* C_GetTokenInfo's flags of the SO role (PUK counter) and CKF_WRITE_PROTECTED, from state
 * known without an APDU; OR-ed into *FLAGS. */
void tsr_admin_token_flags (const struct tsr_token *token, CK_FLAGS *flags);

/* The PIN-protected management key of a YubiKey (ADMIN DATA says it is stored, PRINTED
 * holds it; PRINTED is readable after the PIN). Inside a transaction. 0 and *key_len set
 * when found; KEY is wiped by the caller. Sets token->admin_key_protected when found. */
int tsr_admin_protected_key (struct tsr_token *token, struct card *card, uint8_t key[32], size_t *key_len);

#endif /* TSR_ADMIN_H */
