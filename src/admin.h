/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * src/admin.h: card administration for the write path (key generation, object
 * writes): which management key to use, and where it comes from.
 */
#ifndef TSR_ADMIN_H
#define TSR_ADMIN_H

#include "src/tsr.h"

#define TSR_ADMIN_MAX 128   /* longest admin secret held (an SO PIN that is the admin credential) */

/* Run FN on the card of SLOT (for SESSION, 0: none) after admin authentication, in one
 * card call, where the card wants it (driver->admin_auth). The credential comes from, in
 * order: the SO login (the admin key given as the SO PIN, or an SO PIN that is the admin
 * credential); the card's PIN-protected admin key (driver->protected_admin_key, after user
 * login); the configuration (per card serial); the driver's well-known default unless the
 * configuration forbids it (logged as a warning). Copies of them are taken before the call
 * and wiped after it. CKR_USER_NOT_LOGGED_IN when neither the user nor the SO is logged in;
 * CKR_TOKEN_WRITE_PROTECTED when no key works. */
CK_RV tsr_admin_call_inlock (struct tsr_slot *slot, CK_SESSION_HANDLE session, tsr_card_fn fn, void *user);

/* Can a management key be had for TOKEN, judged without an APDU (C_GetTokenInfo):
 * false means CKF_WRITE_PROTECTED. */
bool tsr_admin_key_available (const struct tsr_token *token);

/* C_GetTokenInfo's flags of the SO role (PUK counter) and CKF_WRITE_PROTECTED, from state
 * known without an APDU; OR-ed into *FLAGS. */
void tsr_admin_token_flags (const struct tsr_token *token, CK_FLAGS *flags);

/* The admin key the card keeps protected by the user PIN (driver->protected_admin_key),
 * after the PIN was verified. Inside a card call. 0 and *key_len set when found; KEY is
 * wiped by the caller. */
int tsr_admin_protected_key (struct card *card, uint8_t key[32], size_t *key_len);

#endif /* TSR_ADMIN_H */
