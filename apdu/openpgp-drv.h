/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * apdu/openpgp-drv.h: what the OpenPGP card driver's files share (openpgp-drv.c,
 * openpgp-drvops.c). Not used outside apdu/.
 */
#ifndef TSR_APDU_OPENPGP_DRV_H
#define TSR_APDU_OPENPGP_DRV_H

#include "apdu/openpgp.h"

/* The slots' key references (struct card_slot.ref): the keys' numbers. */
#define OPGP_REF_SIG 0x01
#define OPGP_REF_DEC 0x02
#define OPGP_REF_AUT 0x03

/* The driver's per-card state (card->driver_data). */
struct opgp_drv {
	struct opgp o;                         /* what opgp_open read */
	struct card_slot slots[OPGP_NKEYS];    /* this card's slot table (card->slots) */
};

enum opgp_key opgp_drv_key (uint8_t ref);
int opgp_drv_ref_ok (uint8_t ref);
enum card_alg opgp_drv_card_alg (const struct opgp_algo *a);
enum opgp_curve opgp_drv_curve (enum card_alg alg);

/* ---- openpgp-drvops.c: the operations of card_driver_openpgp ---- */
card_rv opgp_drv_pin_status (struct card *card, enum card_pin which, int *verified, int *tries_left);
card_rv opgp_drv_verify_pin (struct card *card, enum card_pin which, const uint8_t *pin, size_t pin_len,
                             int *tries_left);
card_rv opgp_drv_check_pin (struct card *card, enum card_pin which, const uint8_t *pin, size_t pin_len);
card_rv opgp_drv_logout (struct card *card);
card_rv opgp_drv_change_pin (struct card *card, enum card_pin which, const uint8_t *old_pin, size_t old_len,
                             const uint8_t *new_pin, size_t new_len, int *tries_left);
card_rv opgp_drv_unblock_pin (struct card *card, const uint8_t *puk, size_t puk_len, const uint8_t *new_pin,
                              size_t new_len, int *tries_left);
card_rv opgp_drv_ecdsa_sign (struct card *card, uint8_t ref, const uint8_t *hash, size_t hash_len,
                             uint8_t *out, size_t *out_len);
card_rv opgp_drv_rsa_sign_pkcs1 (struct card *card, uint8_t ref, const uint8_t *in, size_t in_len,
                                 uint8_t *out, size_t *out_len);
card_rv opgp_drv_rsa_decrypt_pkcs1 (struct card *card, uint8_t ref, const uint8_t *in, size_t in_len,
                                    uint8_t *out, size_t *out_len);
card_rv opgp_drv_eddsa_sign (struct card *card, uint8_t ref, const uint8_t *msg, size_t msg_len,
                             uint8_t *out, size_t *out_len);
card_rv opgp_drv_ecdh (struct card *card, uint8_t ref, const uint8_t *point, size_t point_len, uint8_t *out,
                       size_t *out_len);
card_rv opgp_drv_admin_auth (struct card *card, const uint8_t *key, size_t key_len);
card_rv opgp_drv_generate (struct card *card, uint8_t ref, enum card_alg alg, enum card_pin_policy pin_policy,
                           enum card_touch_policy touch_policy, uint8_t **spki, size_t *spki_len);
card_rv opgp_drv_write_cert (struct card *card, uint8_t ref, const uint8_t *der, size_t der_len);
card_rv opgp_drv_import_key (struct card *card, uint8_t ref, const struct card_key_parts *key,
                             enum card_pin_policy pin_policy, enum card_touch_policy touch_policy);

#endif /* TSR_APDU_OPENPGP_DRV_H */
