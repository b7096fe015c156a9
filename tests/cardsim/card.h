/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* card.h: the simulated card's state (persistent and volatile) and its APDU entry point: a PIV
 * application (YubiKey or plain NIST), an OpenPGP application (pgp.h), or both. */
#ifndef CARDSIM_CARD_H
#define CARDSIM_CARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "buf.h"

/* Status words. */
#define SW_OK                 0x9000
#define SW_WRONG_LENGTH       0x6700
#define SW_LC_NOT_SUPPORTED   0x6881
#define SW_SM_NOT_SUPPORTED   0x6882
#define SW_LAST_CMD_EXPECTED  0x6883
#define SW_SECURITY           0x6982
#define SW_BLOCKED            0x6983
#define SW_CONDITIONS         0x6985
#define SW_WRONG_DATA         0x6A80
#define SW_NO_SPACE           0x6A84
#define SW_NOT_FOUND          0x6A82
#define SW_WRONG_P1P2         0x6A86
#define SW_REF_NOT_FOUND      0x6A88
#define SW_INS_NOT_SUPPORTED  0x6D00
#define SW_CLA_NOT_SUPPORTED  0x6E00
#define SW_UNKNOWN            0x6F00

/* Algorithm identifiers (SP 800-78-4 table 6-2 and YubiKey additions). */
#define ALG_3DES     0x03
#define ALG_RSA1024  0x06
#define ALG_RSA2048  0x07
#define ALG_RSA3072  0x05 /* YubiKey 5.7 */
#define ALG_RSA4096  0x16 /* YubiKey 5.7 */
#define ALG_AES128   0x08
#define ALG_AES192   0x0A
#define ALG_AES256   0x0C
#define ALG_ECCP256  0x11
#define ALG_ECCP384  0x14

#define POLICY_DEFAULT 0x00
#define PIN_NEVER  0x01
#define PIN_ONCE   0x02
#define PIN_ALWAYS 0x03
#define TOUCH_NEVER  0x01
#define TOUCH_ALWAYS 0x02
#define TOUCH_CACHED 0x03

#define ORIGIN_GENERATED 0x01
#define ORIGIN_IMPORTED  0x02

/* YUBIKEY: PIV with the YubiKey 5 extensions; NIST: plain PIV; OPENPGP: an OpenPGP card 3.4;
 * YUBIKEY_OPENPGP: a YubiKey 5 with both applications, each selected by its AID. */
enum cs_profile { CS_PROFILE_YUBIKEY, CS_PROFILE_NIST, CS_PROFILE_OPENPGP, CS_PROFILE_YUBIKEY_OPENPGP };

/* The application selected last. */
enum cs_app { CS_APP_NONE, CS_APP_PIV, CS_APP_PGP };

struct cs_pgp;

/* Key slots: 9A 9C 9D 9E, retired 82..95, YubiKey attestation F9. */
#define CS_NSLOTS 25
#define SLOT_ATTEST 0xF9

struct cs_key {
	EVP_PKEY *pkey; /* owned; NULL = empty slot */
	uint8_t alg;
	uint8_t pin_policy;
	uint8_t touch_policy;
	uint8_t origin;
};

/* Data objects (SP 800-73-4 part 1 table 3 plus YubiKey's 5FFFxx). */
#define CS_NOBJECTS 48
struct cs_object {
	unsigned tag;   /* 0 = unused table entry */
	uint8_t *data;  /* owned value (content of 53, or the whole 7E/7F61 TLV); NULL = absent */
	size_t len;
};

enum cs_auth_step { AUTH_NONE, AUTH_WITNESS, AUTH_CHALLENGE };

struct cs_card {
	/* configuration (not persisted) */
	enum cs_profile profile;
	bool no_extended;

	/* persistent state */
	uint32_t serial;
	uint8_t pin[8], puk[8];
	uint8_t pin_total, pin_left, puk_total, puk_left;
	uint8_t mgm_alg, mgm_touch;
	uint8_t mgm_key[32];
	size_t mgm_len;
	struct cs_key keys[CS_NSLOTS];
	struct cs_object objects[CS_NOBJECTS];
	struct cs_pgp *pgp; /* owned OpenPGP application state (kept with every profile, so that a
			       state file used with several profiles loses nothing) */
	bool dirty; /* persistent state changed since the last save */
	unsigned long wrong_refs; /* wrong PINs and PUKs presented since start (not saved) */

	/* volatile state (cleared by power on/off and reset) */
	enum cs_app app;
	bool selected; /* the PIV application */
	bool pin_verified;
	bool pin_always;   /* VERIFY was the previous command (PIN policy "always") */
	bool mgm_authed;
	enum cs_auth_step auth_step;
	uint8_t auth_block[16];

	/* APDU framing: command chaining and pending response (see apdu.c) */
	bool chaining;
	uint8_t chain_hdr[3]; /* INS P1 P2 of the chain */
	struct cs_buf chain;
	struct cs_buf pending;
	uint16_t pending_sw;
};

/* Factory values: PIN 123456, PUK 12345678, 3DES management key 0102..08 x3. */
extern const uint8_t cs_default_pin[8], cs_default_puk[8], cs_default_mgm[24];

/* Returns a new card with factory defaults (owned by the caller, free with cs_card_free), or
 * NULL when out of memory. SERIAL 0 draws a random one. */
struct cs_card *cs_card_new(enum cs_profile profile, uint32_t serial);
void cs_card_free(struct cs_card *c);
/* Factory reset of the persistent state (keeps the serial and configuration). */
void cs_card_factory(struct cs_card *c);
/* Power on/off or warm reset: clears the volatile state. */
void cs_card_power(struct cs_card *c);

/* One command APDU in, one response APDU (data + SW) out, written into RESP (cleared first).
 * Returns 0, or -1 when out of memory (RESP then holds 6F00). */
int cs_card_transmit(struct cs_card *c, const uint8_t *cmd, size_t len, struct cs_buf *resp);

/* Which applications a profile's card carries. */
bool cs_profile_has_piv(enum cs_profile profile);
bool cs_profile_has_pgp(enum cs_profile profile);

/* Slot and object tables. */
int cs_slot_index(uint8_t slot);            /* -1 when not a key slot */
uint8_t cs_slot_id(int index);
struct cs_object *cs_object_find(struct cs_card *c, unsigned tag); /* NULL: no such object */
/* As cs_object_find, but only objects of the card's profile (what GET/PUT DATA see). */
struct cs_object *cs_object_visible(struct cs_card *c, unsigned tag);
bool cs_object_pin_protected(unsigned tag);
int cs_object_set(struct cs_object *o, const uint8_t *v, size_t n); /* n 0 = delete; -1 ENOMEM */

/* PIN/PUK encoding check: 6..8 bytes then FF padding (NIST profile: digits only). */
bool cs_pin_format_ok(const struct cs_card *c, const uint8_t ref[8], bool puk);

#endif
