/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * src/provision.h: the write path of the front end (provisioning): key pair
 * generation (keygen.c), certificate and key writes and deletes (certwrite.c,
 * create.c), attribute changes on token objects (setattr.c) and the per-card
 * pairing store that keeps what the card itself cannot hold (pairing.c).
 *
 * The card's key slot is the truth: a key, its public key and its certificate
 * are the objects of one card slot (tsr_object.key_ref). What an application
 * sets on them (CKA_ID, CKA_LABEL, CKA_SUBJECT) is an alias of the slot, shared
 * by its objects, kept in memory and in the pairing store of the card application's store id.
 */
#ifndef TSR_PROVISION_H
#define TSR_PROVISION_H

#include "src/tsr.h"

#define TSR_ALIAS_MAX 64          /* longest CKA_ID / CKA_LABEL / CKA_SUBJECT kept, bytes */
#define TSR_SUBJECT_MAX 1024
#define TSR_FPR_LEN 20            /* a public key's fingerprint (keyfpr.c): SHA-1 */

/* What is known about one card slot beyond the card (all optional). */
struct tsr_alias {
	uint8_t ref;                         /* card key reference */
	uint8_t fpr[TSR_FPR_LEN];            /* fingerprint of the key it belongs to (keyfpr.c) */
	uint8_t id[TSR_ALIAS_MAX];
	size_t id_len;                       /* 0: the default CKA_ID of the slot */
	char label[TSR_ALIAS_MAX + 1];       /* "": the default labels */
	uint8_t subject[TSR_SUBJECT_MAX];
	size_t subject_len;                  /* 0: none (a certificate's subject wins) */
	unsigned usage;                      /* TSR_USAGE_*: asked for at generation; 0 unknown */
};

/* ---- keyusage.c: the usage a key was generated with ---- */

#define TSR_USAGE_SIGN_SET 0x01u     /* the application said whether it signs... */
#define TSR_USAGE_SIGN     0x02u     /* ...and it does */
#define TSR_USAGE_DEC_SET  0x04u     /* said whether it decrypts (RSA) or derives (EC)... */
#define TSR_USAGE_DEC      0x08u     /* ...and it does */
/* From a template's answers: SIGN / DEC 1 yes, 0 no, -1 not said. */
void tsr_alias_usage_set (struct tsr_alias *alias, int sign, int dec);
/* Set the usage attributes of key object O (public or private) from ALIAS. */
void tsr_alias_usage_apply (struct tsr_object *o, const struct tsr_alias *alias);
/* What a key of slot DESC can do at all (card_slot.limit) caps a usage; the same on the key
 * objects of card slot REF of SLOT_ID, after anything set them. */
void tsr_usage_limit (const struct card_slot *desc, bool *sign, bool *decrypt, bool *derive);
void tsr_objects_usage_limit_inlock (CK_SLOT_ID slot_id, uint8_t ref);

/* ---- keyfpr.c: the fingerprint of a public key, the only one stored or compared ---- */

/* SHA-1 of the key's canonical SubjectPublicKeyInfo DER (keyfpr.c says which), the same
 * whichever way the key is given: an SPKI (DER), a certificate (DER), or a curve
 * (CKA_EC_PARAMS: the named curve's OID, DER) and point (CKA_EC_POINT: DER OCTET STRING,
 * or the raw point, uncompressed or compressed). false when the key does not parse. */
bool tsr_fpr_of_spki (const uint8_t *der, size_t len, uint8_t fpr[TSR_FPR_LEN]);
bool tsr_fpr_of_cert (const uint8_t *der, size_t len, uint8_t fpr[TSR_FPR_LEN]);
bool tsr_fpr_of_ec_point (const uint8_t *params, size_t params_len, const uint8_t *point, size_t point_len,
                          uint8_t fpr[TSR_FPR_LEN]);

/* ---- pairing.c: the store, one file per card application (SERIAL: its store id) ---- */

/* Load the aliases of card application STORE_ID: *aliases owned by the caller (free()). A
 * missing file, or one that is not a regular file of a sane size, is no alias (CKR_OK,
 * *count 0). */
CK_RV tsr_pairing_load (const char *store_id, struct tsr_alias **aliases, size_t *count);
/* Replace (or, with ALIAS->id_len == 0 and no label and no subject, remove) the alias of
 * ALIAS->ref in the store of SERIAL. The file is rewritten atomically, mode 0600. */
CK_RV tsr_pairing_store (const char *serial, const struct tsr_alias *alias);
/* Apply the stored aliases of card SERIAL to the objects of SLOT_ID (token open). */
void tsr_pairing_apply_inlock (CK_SLOT_ID slot_id, const char *serial);

/* ---- objects of a card slot (slotobj.c) ---- */

/* The fingerprint (keyfpr.c) of the key in card slot REF of SLOT_ID, from the public-key
 * information of its key objects. false when no key object of the slot carries one. */
bool tsr_slot_key_fpr_inlock (CK_SLOT_ID slot_id, uint8_t ref, uint8_t fpr[TSR_FPR_LEN]);
/* The alias of REF as stored for the key now in it (empty when none). */
void tsr_slot_alias_inlock (struct tsr_slot *slot, uint8_t ref, struct tsr_alias *alias);
/* Set ALIAS on every token object of its slot (keys and certificate). */
void tsr_alias_apply_objects_inlock (CK_SLOT_ID slot_id, const struct tsr_alias *alias);
/* Is ID (LEN bytes) the CKA_ID of a token object of SLOT_ID outside card slot REF? */
bool tsr_id_taken_inlock (CK_SLOT_ID slot_id, uint8_t ref, const void *id, size_t len);
/* The card slot named by a CKA_ID: a slot's number as one byte (card_slot.number), or an
 * alias in use. 0 if none. */
uint8_t tsr_ref_from_id_inlock (CK_SLOT_ID slot_id, const void *id, size_t len);
/* Does card slot REF hold a key (private key object) or a certificate? */
bool tsr_slot_ref_used_inlock (CK_SLOT_ID slot_id, uint8_t ref, CK_OBJECT_CLASS klass);
/* Drop the token objects of card slot REF of class KLASS (CK_UNAVAILABLE_INFORMATION: all). */
void tsr_slot_ref_drop_inlock (CK_SLOT_ID slot_id, uint8_t ref, CK_OBJECT_CLASS klass);
/* Build and store the objects of KEY of the classes in WANT (bit 1 << class), applying
 * the slot's alias; the handles of the new objects (NULL: not wanted). */
CK_RV tsr_slot_ref_store_inlock (struct tsr_slot *slot, const struct card_key *key, unsigned want,
                                 const struct tsr_alias *alias, CK_OBJECT_HANDLE *pub,
                                 CK_OBJECT_HANDLE *priv, CK_OBJECT_HANDLE *cert);
#define TSR_WANT(klass) (1u << (klass))

/* A write by session S: CKR_SESSION_READ_ONLY, CKR_USER_NOT_LOGGED_IN (neither user
 * nor SO logged in), else CKR_OK with *slot. */
CK_RV tsr_write_check_inlock (struct tsr_session *s, struct tsr_slot **slot);
/* Template look-ups: the attribute (NULL when absent); a CK_BBOOL / CK_ULONG value:
 * -1 absent, -2 malformed (wrong length or NULL), else the value (bool) / 1. */
const CK_ATTRIBUTE *tsr_templ_attr (const CK_ATTRIBUTE *templ, CK_ULONG count, CK_ATTRIBUTE_TYPE type);
int tsr_templ_bool_of (const CK_ATTRIBUTE *templ, CK_ULONG count, CK_ATTRIBUTE_TYPE type);
int tsr_templ_ulong_of (const CK_ATTRIBUTE *templ, CK_ULONG count, CK_ATTRIBUTE_TYPE type, CK_ULONG *value);

/* ---- certwrite.c ---- */

/* Write or delete (DER NULL) the certificate of REF, with admin authentication. */
CK_RV tsr_card_write_cert_inlock (struct tsr_slot *slot, CK_SESSION_HANDLE session, uint8_t ref,
                                  const uint8_t *der, size_t len);
/* A token object destroyed by C_DestroyObject (certificates; keys where the card can). */
CK_RV tsr_destroy_token_object_inlock (struct tsr_session *s, struct tsr_object *obj);
/* A certificate given to C_CreateObject with CKA_TOKEN TRUE. */
CK_RV tsr_create_token_cert_inlock (struct tsr_session *s, const CK_ATTRIBUTE *templ, CK_ULONG count,
                                    CK_OBJECT_HANDLE *handle);

/* ---- create.c, import.c ---- */
CK_RV tsr_create_token_object_inlock (struct tsr_session *s, CK_OBJECT_CLASS klass, const CK_ATTRIBUTE *templ,
                                      CK_ULONG count, CK_OBJECT_HANDLE *handle);
/* C_CreateObject of a CKO_PRIVATE_KEY with CKA_TOKEN TRUE: imported into a card slot. */
CK_RV tsr_import_key_inlock (struct tsr_session *s, const CK_ATTRIBUTE *templ, CK_ULONG count,
                             CK_OBJECT_HANDLE *handle);

/* ---- setattr.c ---- */
CK_RV tsr_setattr_token_inlock (struct tsr_session *s, struct tsr_object *obj,
                                const CK_ATTRIBUTE *templ, CK_ULONG count);

/* ---- keygen.c: a new key in a card slot, generated there or imported (import.c) ---- */
struct tsr_keygen {
	CK_KEY_TYPE kt;
	enum card_alg alg;
	int sign, dec;                 /* requested usage: 1 yes, 0 no, -1 not said */
	bool always_auth;
	const CK_ATTRIBUTE *id, *label;   /* the application's, not owned */
	uint8_t ref;
	bool had_cert;
	uint8_t *spki;                 /* owned: the new public key (from the card, or the import) */
	size_t spki_len;
	const struct card_key_parts *parts;   /* import: the private key, not owned; NULL: generate */
};

/* Can the card of TOKEN generate KT keys; their size range (bits). */
bool tsr_keygen_range (const struct tsr_token *token, CK_KEY_TYPE kt, CK_ULONG *min, CK_ULONG *max);
/* The card algorithm of an RSA key of BITS / of a curve of key type KT (CKK_EC,
 * CKK_EC_EDWARDS, CKK_EC_MONTGOMERY; CKA_EC_PARAMS): CKR_KEY_SIZE_RANGE,
 * CKR_CURVE_NOT_SUPPORTED, CKR_ATTRIBUTE_VALUE_INVALID (not one OID or curve name). */
CK_RV tsr_keygen_rsa_alg (const struct tsr_token *token, CK_ULONG bits, enum card_alg *alg);
CK_RV tsr_keygen_ec_alg (const struct tsr_token *token, CK_KEY_TYPE kt, const CK_ATTRIBUTE *params,
                         enum card_alg *alg);
/* Is the public exponent E the card's (65537)? */
bool tsr_keygen_exponent_ok (const CK_ATTRIBUTE *e);
/* The private-key template (KG->kt set): class, key type, what a card key cannot be
 * (extractable, not sensitive, session object, public), usage, CKA_ID, CKA_LABEL. */
CK_RV tsr_keygen_priv_template (const CK_ATTRIBUTE *t, CK_ULONG n, struct tsr_keygen *kg);
/* KG->ref: the slot named by CKA_ID, else by usage, else a free spare slot. */
CK_RV tsr_keygen_pick_slot_inlock (struct tsr_slot *slot, struct tsr_keygen *kg);
/* The card operation (tsr_admin_call_inlock): generate or import into KG->ref, and delete
 * the certificate left there. */
card_rv tsr_keygen_fn (struct card *card, void *user);
/* After the card took the key: its public and private key objects and its alias. */
CK_RV tsr_keygen_objects_inlock (struct tsr_slot *slot, struct tsr_keygen *kg, CK_OBJECT_HANDLE *pub,
                                 CK_OBJECT_HANDLE *priv);

/* ---- importpub.c ---- */
/* The SubjectPublicKeyInfo of the private key PARTS: RSA from MODULUS and PUBLIC_EXPONENT
 * after checking p * q = n, EC computed from the scalar on the curve of PARTS->alg.
 * *spki owned by the caller (free()). CKR_ATTRIBUTE_VALUE_INVALID for an inconsistent key. */
CK_RV tsr_import_spki (const struct card_key_parts *parts, const CK_ATTRIBUTE *modulus,
                       const CK_ATTRIBUTE *exponent, uint8_t **spki, size_t *spki_len);

#endif /* TSR_PROVISION_H */
