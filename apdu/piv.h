/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * apdu/piv.h: internals of the PIV card driver (NIST SP 800-73-4 card edge,
 * YubiKey 4/5 extensions), shared by apdu/piv*.c. Not used outside apdu/.
 */
#ifndef TSR_APDU_PIV_H
#define TSR_APDU_PIV_H

#include <stddef.h>
#include <stdint.h>

#include "apdu/apdu.h"
#include "apdu/card.h"

/* PIV algorithm identifiers (SP 800-78-4; YubiKey extensions). */
#define PIV_ALG_3DES      0x03
#define PIV_ALG_RSA3072   0x05   /* YubiKey 5.7 */
#define PIV_ALG_RSA1024   0x06
#define PIV_ALG_RSA2048   0x07
#define PIV_ALG_AES128    0x08
#define PIV_ALG_AES192    0x0A
#define PIV_ALG_AES256    0x0C
#define PIV_ALG_ECC_P256  0x11
#define PIV_ALG_ECC_P384  0x14
#define PIV_ALG_RSA4096   0x16   /* YubiKey 5.7 */

/* Key references. */
#define PIV_REF_PIN       0x80
#define PIV_REF_PUK       0x81
#define PIV_REF_ADMIN     0x9B   /* card management key */

/* Instructions. */
#define PIV_INS_VERIFY          0x20
#define PIV_INS_CHANGE_REF      0x24
#define PIV_INS_RESET_RETRY     0x2C
#define PIV_INS_GENERATE        0x47
#define PIV_INS_GENERAL_AUTH    0x87
#define PIV_INS_SELECT          0xA4
#define PIV_INS_GET_DATA        0xCB
#define PIV_INS_PUT_DATA        0xDB
#define PIV_INS_YK_METADATA     0xF7
#define PIV_INS_YK_SERIAL       0xF8
#define PIV_INS_YK_VERSION      0xFD

/* Data objects. */
#define PIV_OBJ_CHUID         0x5FC102
#define PIV_OBJ_PRINTED       0x5FC109   /* YubiKey keeps a PIN-protected management key here */
#define PIV_OBJ_KEY_HISTORY   0x5FC10C
#define PIV_OBJ_DISCOVERY     0x7E

#define PIV_PIN_PAD_LEN 8
#define PIV_NUM_SLOTS   24   /* 9A 9C 9D 9E and the 20 retired slots 82..95 */
#define PIV_NUM_RETIRED 20

/* One key slot: its reference and certificate object. piv_card_slots (the slot
 * descriptors the front end sees, struct card.slots) has the same order. */
struct piv_slot {
	uint8_t ref;
	uint32_t cert_tag;
};

extern const struct piv_slot piv_slots[PIV_NUM_SLOTS];   /* main slots first, then 82..95 */
extern const struct card_slot piv_card_slots[PIV_NUM_SLOTS];
const struct piv_slot *piv_slot_by_ref (uint8_t ref);

/* The driver's per-card state (card->driver_data). */
struct piv_data {
	int yubikey;
	enum card_alg alg[PIV_NUM_SLOTS];  /* last known algorithm per slot (list_keys, generate) */
	uint8_t admin_alg;                 /* management key algorithm that worked, 0 unknown */
};

static inline struct piv_data *
piv_data (struct card *card)
{
	return (struct piv_data *)card->driver_data;
}

/* A command to the PIV application: CLA 00, the card's extended-length choice. */
void piv_apdu (struct card *card, struct apdu *apdu, uint8_t ins, uint8_t p1, uint8_t p2);
/* Ne of a command whose answer may be long: all of it in one extended APDU where the
 * card takes them, else 256 (and GET RESPONSE). */
#define PIV_NE_ALL(card) ((card)->extended ? APDU_EXT_MAX_NE : APDU_SHORT_MAX_NE)

/* SELECT the PIV application (probe and after a reset). */
card_rv piv_select (struct card *card);

/* ---- piv-data.c ---- */
/* GET DATA of object TAG; *data (owned by the caller, free(); NULL when empty)
 * receives the value of the 53 container (7E / 7F61 for those two objects). CARD_E_NOT_FOUND when absent, CARD_E_BAD_RESPONSE when the answer
 * is not one 53 object. SENSITIVE redacts the trace. */
card_rv piv_get_data (struct card *card, uint32_t tag, int sensitive, uint8_t **data, size_t *len);
/* PUT DATA of object TAG with DATA wrapped in 53. */
card_rv piv_put_data (struct card *card, uint32_t tag, const uint8_t *data, size_t len, int sensitive);
card_rv piv_read_object (struct card *card, uint32_t tag, uint8_t **data, size_t *len);
card_rv piv_write_object (struct card *card, uint32_t tag, const uint8_t *data, size_t len);
card_rv piv_write_cert (struct card *card, uint8_t ref, const uint8_t *der, size_t der_len);

/* ---- piv-pubkey.c ---- */
enum card_alg piv_alg_to_card (uint8_t piv_alg);
uint8_t piv_alg_from_card (enum card_alg alg);   /* 0 for CARD_ALG_NONE */
/* Algorithm of the public key of certificate DER, CARD_ALG_NONE if unusable. */
enum card_alg piv_cert_alg (const uint8_t *der, size_t len);
/* The children of a 7F49 public-key template (81 modulus + 82 exponent, or 86 point)
 * for key algorithm ALG → SubjectPublicKeyInfo DER in *spki (owned by the caller). */
card_rv piv_pubkey_to_spki (enum card_alg alg, const uint8_t *tmpl, size_t tmpl_len,
                            uint8_t **spki, size_t *spki_len);

/* ---- piv-meta.c (YubiKey >= 5.3) ---- */
struct piv_metadata {
	uint8_t alg;          /* PIV algorithm id, 0 if absent */
	uint8_t pin_policy;   /* 0 absent, 1 never, 2 once, 3 always */
	uint8_t touch_policy; /* 0 absent, 1 never, 2 always, 3 cached */
	uint8_t origin;       /* 0 absent, 1 generated, 2 imported */
	int tries_total, tries_left;   /* PIN/PUK: -1 if absent */
	const uint8_t *pubkey;         /* contents of tag 04 (points into the response) */
	size_t pubkey_len;
};
/* GET METADATA for REF. RESP (caller clears) holds the bytes META points into.
 * CARD_E_NOT_FOUND when the slot is empty. */
card_rv piv_get_metadata (struct card *card, uint8_t ref, struct apdu_resp *resp,
                          struct piv_metadata *meta);

/* ---- piv-keys.c ---- */
card_rv piv_list_keys (struct card *card, struct card_list_hints *hints, struct card_key **keys, size_t *count);
card_rv piv_key_meta (struct card *card, struct card_key *key);
/* The algorithm of the key in slot REF as far as known (cache, then metadata). */
enum card_alg piv_key_alg (struct card *card, uint8_t ref);
void piv_remember_alg (struct card *card, uint8_t ref, enum card_alg alg);

/* ---- piv-pin.c ---- */
card_rv piv_pin_status (struct card *card, enum card_pin which, int *verified, int *tries_left);
card_rv piv_check_pin (struct card *card, enum card_pin which, const uint8_t *pin, size_t pin_len);
card_rv piv_verify_pin (struct card *card, enum card_pin which,
                        const uint8_t *pin, size_t pin_len, int *tries_left);
card_rv piv_logout (struct card *card);
card_rv piv_change_pin (struct card *card, enum card_pin which,
                        const uint8_t *old_pin, size_t old_len,
                        const uint8_t *new_pin, size_t new_len, int *tries_left);
card_rv piv_unblock_pin (struct card *card, const uint8_t *puk, size_t puk_len,
                         const uint8_t *new_pin, size_t new_len, int *tries_left);

/* ---- piv-yk.c (YubiKey administration) ---- */
card_rv piv_yk_reset (struct card *card, const uint8_t *so_pin, size_t so_pin_len,
                      const uint8_t *admin_key, size_t admin_key_len);
card_rv piv_yk_protected_admin_key (struct card *card, uint8_t key[32], size_t *key_len);
/* The well-known factory management key (3DES / AES-192). */
extern const uint8_t piv_default_admin_key[24];
card_rv piv_yk_set_admin_key (struct card *card, const uint8_t *key, size_t key_len);

/* ---- piv-auth.c ---- */
/* GENERAL AUTHENTICATE: send 7C{TMPL} with algorithm ALG to key REF; *out (owned by the
 * caller, free()) receives the value of child WANT (e.g. 82) of the 7C answer. */
card_rv piv_general_auth (struct card *card, uint8_t alg, uint8_t ref,
                          const uint8_t *tmpl, size_t tmpl_len, uint32_t want,
                          uint8_t **out, size_t *out_len);
card_rv piv_rsa_raw (struct card *card, uint8_t ref, const uint8_t *in, size_t in_len,
                     uint8_t *out, size_t *out_len);
card_rv piv_ecdsa_sign (struct card *card, uint8_t ref, const uint8_t *hash, size_t hash_len,
                        uint8_t *out, size_t *out_len);
card_rv piv_ecdh (struct card *card, uint8_t ref, const uint8_t *point, size_t point_len,
                  uint8_t *out, size_t *out_len);

/* ---- piv-admin.c ---- */
card_rv piv_admin_auth (struct card *card, const uint8_t *key, size_t key_len);

/* ---- piv-gen.c ---- */
card_rv piv_generate (struct card *card, uint8_t ref, enum card_alg alg,
                      enum card_pin_policy pin_policy, enum card_touch_policy touch_policy,
                      uint8_t **spki, size_t *spki_len);
/* The YubiKey's PIN / touch policy byte (AA / AB), 0 for DEFAULT. */
uint8_t piv_yk_pin_policy (enum card_pin_policy p);
uint8_t piv_yk_touch_policy (enum card_touch_policy t);

/* ---- piv-import.c (YubiKey) ---- */
card_rv piv_yk_import_key (struct card *card, uint8_t ref, const struct card_key_parts *key,
                           enum card_pin_policy pin_policy, enum card_touch_policy touch_policy);

#endif /* TSR_APDU_PIV_H */
