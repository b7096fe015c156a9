/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * src/keygen.c: C_GenerateKeyPair on the card (CKM_RSA_PKCS_KEY_PAIR_GEN,
 * CKM_EC_KEY_PAIR_GEN, CKM_EC_EDWARDS_KEY_PAIR_GEN for Ed25519,
 * CKM_EC_MONTGOMERY_KEY_PAIR_GEN for X25519), of the algorithms the card says it can
 * make (card_info.gen_algs) in a slot that can hold them (card_slot.algs). The curve is
 * CKA_EC_PARAMS of the public-key template (keyalg.c); an Ed25519 key only signs and an
 * X25519 key only derives, so a template asking otherwise is inconsistent.
 *
 * The card slot: the one CKA_ID names (a slot's number as one byte, or the alias of
 * a slot in use), which is overwritten; else the slot the driver's table names for
 * the usage asked (card_slot.keygen_for; PIV: sign and decrypt/derive → 9A, sign
 * only → 9C, decrypt/derive only → 9D), or the first free spare slot (PIV: retired
 * 82..95) when that one is in use; none free: CKR_DEVICE_MEMORY (a key is replaced only
 * where CKA_ID names its slot: an OpenPGP card's three keys are never lost to a template
 * without one).
 * Templates without CKA_ID or CKA_LABEL (NSS) work: NSS sets CKA_ID afterwards
 * (setattr.c). A certificate left in the slot certified the replaced key: it is
 * deleted in the same transaction. Nothing is sent to the card before the whole
 * template has been checked. Key import (import.c) shares the template rules, the
 * slot choice and the new objects.
 */
#include "config.h"

#include "src/attrrules.h"
#include "src/provision.h"
#include "src/admin.h"
#include "src/cache.h"
#include "src/keyalg.h"

#include <stdlib.h>
#include <string.h>

bool
tsr_keygen_range (const struct tsr_token *token, CK_KEY_TYPE kt, CK_ULONG *min, CK_ULONG *max)
{
	const struct tsr_keyalg *a;
	bool any = false;
	size_t i;

	if (!card_can (token->card, CARD_OP_GENERATE))   /* what C_GenerateKeyPair asks too */
		return false;
	for (i = 0; (a = tsr_keyalg_at (i)) != NULL; i++) {
		if (a->kt != kt || !(token->info.gen_algs & CARD_ALG_BIT (a->alg)))
			continue;
		if (!any || a->bits < *min)
			*min = a->bits;
		if (!any || a->bits > *max)
			*max = a->bits;
		any = true;
	}
	return any;
}

CK_RV
tsr_keygen_rsa_alg (const struct tsr_token *token, CK_ULONG bits, enum card_alg *alg)
{
	const struct tsr_keyalg *a;
	size_t i;

	for (i = 0; (a = tsr_keyalg_at (i)) != NULL; i++) {
		if (a->kt == CKK_RSA && a->bits == bits && (token->info.gen_algs & CARD_ALG_BIT (a->alg))) {
			*alg = a->alg;
			return CKR_OK;
		}
	}
	return CKR_KEY_SIZE_RANGE;
}

/* CKA_EC_PARAMS of a KT key: a curve (keyalg.c) the card can make keys on. */
CK_RV
tsr_keygen_ec_alg (const struct tsr_token *token, CK_KEY_TYPE kt, const CK_ATTRIBUTE *params,
                   enum card_alg *alg)
{
	const uint8_t *p = params->pValue;
	size_t len = params->ulValueLen;
	const struct tsr_keyalg *a;

	/* one OBJECT IDENTIFIER, or (Edwards, Montgomery) one PrintableString */
	if (p == NULL || len < 2 || (p[0] != 0x06 && p[0] != 0x13) ||
	    ((size_t)p[1] + 2 != len && !(p[0] == 0x13 && (size_t)p[1] + 1 == len)))   /* keyalg.c */
		return CKR_ATTRIBUTE_VALUE_INVALID;
	a = tsr_keyalg_by_params (kt, p, len);
	if (a == NULL || !(token->info.gen_algs & CARD_ALG_BIT (a->alg)))
		return CKR_CURVE_NOT_SUPPORTED;
	*alg = a->alg;
	return CKR_OK;
}

/* The public exponent, when given, must be the card's: 65537. */
bool
tsr_keygen_exponent_ok (const CK_ATTRIBUTE *e)
{
	static const uint8_t f4[] = { 0x01, 0x00, 0x01 };
	const uint8_t *p = e->pValue;
	size_t len = e->ulValueLen;

	while (p != NULL && len > 0 && *p == 0) {
		p++;
		len--;
	}
	return p != NULL && len == sizeof f4 && memcmp (p, f4, len) == 0;
}

/* Class and key type, when given, must be those of the mechanism. */
static CK_RV
tsr_keygen_class (const CK_ATTRIBUTE *t, CK_ULONG n, CK_OBJECT_CLASS klass, CK_KEY_TYPE kt)
{
	CK_ULONG v = 0;
	int r;

	r = tsr_templ_ulong_of (t, n, CKA_CLASS, &v);
	if (r == -2 || (r == 1 && v != klass))
		return CKR_TEMPLATE_INCONSISTENT;
	r = tsr_templ_ulong_of (t, n, CKA_KEY_TYPE, &v);
	if (r == -2 || (r == 1 && v != kt))
		return CKR_TEMPLATE_INCONSISTENT;
	return CKR_OK;
}

static CK_RV
tsr_keygen_pub_template (const struct tsr_token *token, const CK_ATTRIBUTE *t, CK_ULONG n,
                         struct tsr_keygen *kg)
{
	const CK_ATTRIBUTE *a;
	CK_ULONG bits = 0;
	CK_RV rv;

	rv = tsr_keygen_class (t, n, CKO_PUBLIC_KEY, kg->kt);
	if (rv != CKR_OK)
		return rv;
	if (kg->kt == CKK_RSA) {
		if (tsr_templ_ulong_of (t, n, CKA_MODULUS_BITS, &bits) != 1)
			return tsr_templ_attr (t, n, CKA_MODULUS_BITS) ? CKR_ATTRIBUTE_VALUE_INVALID
			                                               : CKR_TEMPLATE_INCOMPLETE;
		a = tsr_templ_attr (t, n, CKA_PUBLIC_EXPONENT);
		if (a != NULL && !tsr_keygen_exponent_ok (a))
			return CKR_ATTRIBUTE_VALUE_INVALID;
		rv = tsr_keygen_rsa_alg (token, bits, &kg->alg);
	} else {
		a = tsr_templ_attr (t, n, CKA_EC_PARAMS);
		if (a == NULL)
			return CKR_TEMPLATE_INCOMPLETE;
		rv = tsr_keygen_ec_alg (token, kg->kt, a, &kg->alg);
	}
	if (rv == CKR_OK && (tsr_templ_attr (t, n, CKA_MODULUS) || tsr_templ_attr (t, n, CKA_EC_POINT)))
		rv = CKR_TEMPLATE_INCONSISTENT;   /* the card makes the key */
	kg->id = tsr_templ_attr (t, n, CKA_ID);
	kg->label = tsr_templ_attr (t, n, CKA_LABEL);
	return rv;
}

/* A usage attribute: -1 not said; 0/1 the value; -2 malformed. */
static int
tsr_keygen_usage (const CK_ATTRIBUTE *t, CK_ULONG n, CK_ATTRIBUTE_TYPE a, CK_ATTRIBUTE_TYPE b)
{
	int x = tsr_templ_bool_of (t, n, a), y = b != 0 ? tsr_templ_bool_of (t, n, b) : -1;

	if (x == -2 || y == -2)
		return -2;
	if (x == -1 && y == -1)
		return -1;
	return x == 1 || y == 1;
}

CK_RV
tsr_keygen_priv_template (const CK_ATTRIBUTE *t, CK_ULONG n, struct tsr_keygen *kg)
{
	const CK_ATTRIBUTE *id = tsr_templ_attr (t, n, CKA_ID), *label = tsr_templ_attr (t, n, CKA_LABEL);
	CK_RV rv;

	rv = tsr_keygen_class (t, n, CKO_PRIVATE_KEY, kg->kt);
	if (rv != CKR_OK)
		return rv;
	/* what a card key cannot be: extractable, not sensitive, a session object, public */
	if (tsr_templ_bool_of (t, n, CKA_EXTRACTABLE) == 1 || tsr_templ_bool_of (t, n, CKA_SENSITIVE) == 0 ||
	    tsr_templ_bool_of (t, n, CKA_TOKEN) == 0 || tsr_templ_bool_of (t, n, CKA_PRIVATE) == 0)
		return CKR_ATTRIBUTE_VALUE_INVALID;
	/* key material in a generation template */
	if (kg->parts == NULL &&
	    (tsr_templ_attr (t, n, CKA_VALUE) != NULL || tsr_templ_attr (t, n, CKA_PRIVATE_EXPONENT) != NULL))
		return CKR_ATTRIBUTE_VALUE_INVALID;
	kg->sign = tsr_keygen_usage (t, n, CKA_SIGN, 0);
	kg->dec = kg->kt == CKK_RSA ? tsr_keygen_usage (t, n, CKA_DECRYPT, CKA_UNWRAP)
	                            : tsr_keygen_usage (t, n, CKA_DERIVE, 0);
	if (kg->sign == -2 || kg->dec == -2)
		return CKR_ATTRIBUTE_VALUE_INVALID;
	/* Ed25519 only signs, X25519 only derives: a usage the key type cannot have is FALSE on
	 * the new key whatever the template says (pkcs11-tool asks SIGN and DERIVE of both) */
	if ((kg->kt == CKK_EC_EDWARDS && kg->dec == 1) || (kg->kt == CKK_EC_MONTGOMERY && kg->sign == 1))
		tsr_log ("p11", "generate: %s asked of a key that cannot: the key will not",
		         kg->kt == CKK_EC_EDWARDS ? "CKA_DERIVE" : "CKA_SIGN");
	if (kg->kt == CKK_EC_EDWARDS)
		kg->dec = 0;
	else if (kg->kt == CKK_EC_MONTGOMERY)
		kg->sign = 0;
	kg->always_auth = tsr_templ_bool_of (t, n, CKA_ALWAYS_AUTHENTICATE) == 1;
	if (id != NULL && kg->id != NULL &&
	    (id->ulValueLen != kg->id->ulValueLen ||
	     (id->ulValueLen > 0 && memcmp (id->pValue, kg->id->pValue, id->ulValueLen) != 0)))
		return CKR_TEMPLATE_INCONSISTENT;
	if (id != NULL)
		kg->id = id;
	if (label != NULL)
		kg->label = label;
	if (kg->id != NULL && (kg->id->ulValueLen > TSR_ALIAS_MAX || (kg->id->pValue == NULL && kg->id->ulValueLen)))
		return CKR_ATTRIBUTE_VALUE_INVALID;
	if (kg->label != NULL && (kg->label->ulValueLen > TSR_ALIAS_MAX ||
	                          (kg->label->pValue == NULL && kg->label->ulValueLen)))
		return CKR_ATTRIBUTE_VALUE_INVALID;
	return CKR_OK;
}

/* Which CARD_KEYGEN_* request the template makes (a usage not said counts as asked). */
static unsigned
tsr_keygen_request (const struct tsr_keygen *kg)
{
	bool sign = kg->sign != 0, dec = kg->dec != 0;

	if (sign && dec)
		return CARD_KEYGEN_SIGN_DECRYPT;
	if (sign)
		return CARD_KEYGEN_SIGN;
	return dec ? CARD_KEYGEN_DECRYPT : CARD_KEYGEN_UNSAID;
}

static bool
tsr_keygen_slot_free_inlock (CK_SLOT_ID slot_id, const struct card_slot *desc, enum card_alg alg)
{
	return (desc->algs & CARD_ALG_BIT (alg)) &&
	       !tsr_slot_ref_used_inlock (slot_id, desc->ref, CKO_PRIVATE_KEY) &&
	       !tsr_slot_ref_used_inlock (slot_id, desc->ref, CKO_CERTIFICATE);
}

/* The slot the driver's table names for this request, else the first free spare slot. */
static const struct card_slot *
tsr_keygen_slot_by_usage_inlock (struct tsr_slot *slot, const struct tsr_keygen *kg)
{
	const struct card *card = slot->token->card;
	unsigned want = tsr_keygen_request (kg);
	const struct card_slot *named = NULL;
	size_t i;

	for (i = 0; i < card->n_slots && named == NULL; i++) {
		if ((card->slots[i].keygen_for & want) && (card->slots[i].algs & CARD_ALG_BIT (kg->alg)))
			named = &card->slots[i];
	}
	if (named != NULL && tsr_keygen_slot_free_inlock (slot->id, named, kg->alg))
		return named;
	for (i = 0; i < card->n_slots; i++) {
		if ((card->slots[i].flags & CARD_SLOT_SPARE) &&
		    tsr_keygen_slot_free_inlock (slot->id, &card->slots[i], kg->alg))
			return &card->slots[i];
	}
	/* never a key replaced that the template did not name (NSS: no CKA_ID) */
	if (named != NULL)
		tsr_log ("p11", "generate: slot %02X holds a key or certificate; a CKA_ID of %02X replaces it",
		         named->ref, named->ref);
	return NULL;
}

/* The card slot for the new key (see the top of the file). */
CK_RV
tsr_keygen_pick_slot_inlock (struct tsr_slot *slot, struct tsr_keygen *kg)
{
	const struct card_slot *desc = NULL;
	uint8_t ref = 0;

	if (kg->id != NULL && kg->id->ulValueLen > 0)
		ref = tsr_ref_from_id_inlock (slot->id, kg->id->pValue, kg->id->ulValueLen);
	if (ref == 0 && kg->id != NULL && kg->id->ulValueLen == 1)
		return CKR_ATTRIBUTE_VALUE_INVALID;   /* a one-byte CKA_ID names a slot of the scheme */
	if (ref != 0) {
		desc = card_slot_by_ref (slot->token->card, ref);
		if (desc != NULL && !(desc->algs & CARD_ALG_BIT (kg->alg)))
			return kg->kt != CKK_RSA ? CKR_CURVE_NOT_SUPPORTED : CKR_KEY_SIZE_RANGE;
	} else {
		desc = tsr_keygen_slot_by_usage_inlock (slot, kg);
		if (desc == NULL) {
			tsr_log ("p11", "generate: the slot for this usage and every spare slot are in use");
			return CKR_DEVICE_MEMORY;
		}
	}
	if (desc == NULL)
		return CKR_ATTRIBUTE_VALUE_INVALID;
	kg->ref = desc->ref;
	kg->had_cert = tsr_slot_ref_used_inlock (slot->id, kg->ref, CKO_CERTIFICATE);
	return CKR_OK;
}

static enum card_pin_policy
tsr_keygen_pin_policy (const struct tsr_keygen *kg, const struct card *card)
{
	const struct card_slot *desc = card_slot_by_ref (card, kg->ref);

	if (kg->always_auth)
		return CARD_PIN_POLICY_ALWAYS;
	return desc != NULL ? desc->pin_policy : CARD_PIN_POLICY_ONCE;
}

card_rv
tsr_keygen_fn (struct card *card, void *user)
{
	struct tsr_keygen *kg = user;
	enum card_pin_policy pin = kg->always_auth ? CARD_PIN_POLICY_ALWAYS : CARD_PIN_POLICY_DEFAULT;
	card_rv crv;

	if (kg->parts != NULL) {
		crv = card->driver->import_key (card, kg->ref, kg->parts, pin, CARD_TOUCH_POLICY_DEFAULT);
	} else {
		free (kg->spki);
		kg->spki = NULL;
		crv = card->driver->generate (card, kg->ref, kg->alg, pin, CARD_TOUCH_POLICY_DEFAULT,
		                              &kg->spki, &kg->spki_len);
	}
	if (crv == CARD_OK && kg->had_cert) {
		/* the old certificate certified the key just replaced */
		if (card->driver->write_cert (card, kg->ref, NULL, 0) != CARD_OK)
			tsr_log ("p11", "generate: the old certificate of %02X could not be deleted", kg->ref);
	}
	return crv;
}

/* Usage attributes of the new objects as the application asked. */
static void
tsr_keygen_set_usage_inlock (const struct tsr_keygen *kg, CK_OBJECT_HANDLE pub, CK_OBJECT_HANDLE priv)
{
	size_t i;

	for (i = 0; i < tsr.n_objects; i++) {
		struct tsr_object *o = tsr.objects[i];
		bool rsa = kg->kt == CKK_RSA;
		if (o->handle == priv) {
			if (kg->sign != -1)
				tsr_attr_set_bool (o, CKA_SIGN, kg->sign == 1);
			if (kg->dec != -1) {
				tsr_attr_set_bool (o, CKA_DECRYPT, rsa && kg->dec == 1);
				tsr_attr_set_bool (o, CKA_UNWRAP, rsa && kg->dec == 1);
				tsr_attr_set_bool (o, CKA_DERIVE, !rsa && kg->dec == 1);
			}
		} else if (o->handle == pub) {
			if (kg->sign != -1)
				tsr_attr_set_bool (o, CKA_VERIFY, kg->sign == 1);
			if (kg->dec != -1) {
				tsr_attr_set_bool (o, CKA_ENCRYPT, rsa && kg->dec == 1);
				tsr_attr_set_bool (o, CKA_WRAP, rsa && kg->dec == 1);
				tsr_attr_set_bool (o, CKA_DERIVE, !rsa && kg->dec == 1);
			}
		}
	}
}

/* The alias the template brings (a CKA_ID outside the scheme, a label), stored. */
static CK_RV
tsr_keygen_alias_inlock (struct tsr_slot *slot, const struct tsr_keygen *kg, struct tsr_alias *alias)
{
	memset (alias, 0, sizeof *alias);
	alias->ref = kg->ref;
	if (!tsr_fpr_of_spki (kg->spki, kg->spki_len, alias->fpr))
		return CKR_FUNCTION_FAILED;
	if (kg->id != NULL && kg->id->ulValueLen > 1) {
		if (tsr_id_taken_inlock (slot->id, kg->ref, kg->id->pValue, kg->id->ulValueLen))
			return CKR_ATTRIBUTE_VALUE_INVALID;
		memcpy (alias->id, kg->id->pValue, kg->id->ulValueLen);
		alias->id_len = kg->id->ulValueLen;
	}
	if (kg->label != NULL && kg->label->ulValueLen > 0)
		memcpy (alias->label, kg->label->pValue, kg->label->ulValueLen);
	tsr_alias_usage_set (alias, kg->sign, kg->dec);   /* kept for the next process */
	return CKR_OK;
}

/* After the card made the key: the slot's objects and alias, new. */
CK_RV
tsr_keygen_objects_inlock (struct tsr_slot *slot, struct tsr_keygen *kg, CK_OBJECT_HANDLE *pub,
                           CK_OBJECT_HANDLE *priv)
{
	struct tsr_alias alias;
	struct card_key key;
	CK_RV rv;

	rv = tsr_keygen_alias_inlock (slot, kg, &alias);
	if (rv != CKR_OK)
		return rv;
	(void)tsr_pairing_store (slot->token->store_id, &alias);   /* replaces the old key's */
	memset (&key, 0, sizeof key);
	key.ref = kg->ref;
	key.has_key = 1;
	key.alg = kg->alg;
	key.pin_policy = tsr_keygen_pin_policy (kg, slot->token->card);
	key.touch_policy = CARD_TOUCH_POLICY_NEVER;
	key.origin_generated = kg->parts == NULL;
	key.spki_der = kg->spki;
	key.spki_len = kg->spki_len;
	key.meta_known = 1;
	tsr_cache_note_write_inlock (slot, kg->ref, &key);
	tsr_slot_ref_drop_inlock (slot->id, kg->ref, CK_UNAVAILABLE_INFORMATION);
	rv = tsr_slot_ref_store_inlock (slot, &key, TSR_WANT (CKO_PUBLIC_KEY) | TSR_WANT (CKO_PRIVATE_KEY),
	                                &alias, pub, priv, NULL);
	if (rv == CKR_OK)
		tsr_keygen_set_usage_inlock (kg, *pub, *priv);
	if (rv == CKR_OK)
		tsr_objects_usage_limit_inlock (slot->id, kg->ref);
	return rv;
}

static CK_RV
tsr_keygen_inlock (struct tsr_session *s, CK_MECHANISM_PTR mech, const CK_ATTRIBUTE *pubt, CK_ULONG npub,
                   const CK_ATTRIBUTE *privt, CK_ULONG npriv, CK_OBJECT_HANDLE *pub, CK_OBJECT_HANDLE *priv)
{
	struct tsr_keygen kg = { .alg = CARD_ALG_NONE, .sign = -1, .dec = -1 };
	struct tsr_slot *slot = NULL;
	CK_RV rv;

	switch (mech->mechanism) {
	case CKM_RSA_PKCS_KEY_PAIR_GEN: kg.kt = CKK_RSA; break;
	case CKM_EC_KEY_PAIR_GEN: kg.kt = CKK_EC; break;
	case CKM_EC_EDWARDS_KEY_PAIR_GEN: kg.kt = CKK_EC_EDWARDS; break;
	case CKM_EC_MONTGOMERY_KEY_PAIR_GEN: kg.kt = CKK_EC_MONTGOMERY; break;
	default: return CKR_MECHANISM_INVALID;
	}
	if (mech->pParameter != NULL || mech->ulParameterLen != 0)
		return CKR_MECHANISM_PARAM_INVALID;
	rv = tsr_keypair_templates_check (pubt, npub, privt, npriv);   /* attrrules.c */
	if (rv == CKR_OK)
		rv = tsr_write_check_inlock (s, &slot);
	if (rv == CKR_OK && !card_can (slot->token->card, CARD_OP_GENERATE)) {
		tsr_log ("p11", "generate: this card cannot generate keys");
		rv = CKR_FUNCTION_NOT_SUPPORTED;
	}
	if (rv == CKR_OK)
		rv = tsr_keygen_pub_template (slot->token, pubt, npub, &kg);
	if (rv == CKR_OK)
		rv = tsr_keygen_priv_template (privt, npriv, &kg);
	if (rv == CKR_OK)
		rv = tsr_keygen_pick_slot_inlock (slot, &kg);
	if (rv == CKR_OK)
		rv = tsr_admin_call_inlock (slot, s->handle, tsr_keygen_fn, &kg);
	tsr_log ("p11", "generate: key type %lu alg %d in %02X: 0x%lx", (unsigned long)kg.kt, (int)kg.alg,
	         kg.ref, (unsigned long)rv);
	if (rv == CKR_OK)
		rv = tsr_keygen_objects_inlock (slot, &kg, pub, priv);
	free (kg.spki);
	return rv;
}

CK_RV
C_GenerateKeyPair (CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
                   CK_ATTRIBUTE_PTR pPublicKeyTemplate, CK_ULONG ulPublicKeyAttributeCount,
                   CK_ATTRIBUTE_PTR pPrivateKeyTemplate, CK_ULONG ulPrivateKeyAttributeCount,
                   CK_OBJECT_HANDLE_PTR phPublicKey, CK_OBJECT_HANDLE_PTR phPrivateKey)
{
	struct tsr_session *s;
	CK_RV rv;

	rv = tsr_enter ();
	if (rv != CKR_OK)
		return rv;
	rv = tsr_session_token_inlock (hSession, &s, NULL, NULL);
	if (rv != CKR_OK)
		goto out;
	if (!tsr_check (pMechanism != NULL && phPublicKey != NULL && phPrivateKey != NULL &&
	                (pPublicKeyTemplate != NULL || ulPublicKeyAttributeCount == 0) &&
	                (pPrivateKeyTemplate != NULL || ulPrivateKeyAttributeCount == 0))) {
		rv = CKR_ARGUMENTS_BAD;
		goto out;
	}
	rv = tsr_keygen_inlock (s, pMechanism, pPublicKeyTemplate, ulPublicKeyAttributeCount,
	                        pPrivateKeyTemplate, ulPrivateKeyAttributeCount, phPublicKey, phPrivateKey);
out:
	tsr_leave ();
	return rv;
}
