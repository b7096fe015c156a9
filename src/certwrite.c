/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * src/certwrite.c: certificates written to and deleted from the card.
 *
 * C_CreateObject of an X.509 certificate with CKA_TOKEN TRUE goes to the card slot
 * its CKA_ID names (the one-byte scheme, or the alias of a slot), else to the slot
 * whose key matches the certificate's public key; no such slot: CKR_TEMPLATE_INCONSISTENT
 * (a card keeps certificates only beside their keys). The application's CKA_ID and
 * CKA_LABEL become the slot's alias (pairing store). C_DestroyObject of a token
 * certificate deletes it from the card; keys cannot be deleted (no card driver has a
 * command for it: CKR_ACTION_PROHIBITED, CKA_DESTROYABLE FALSE).
 */
#include "config.h"

#include "src/provision.h"
#include "src/admin.h"
#include "src/cache.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

struct tsr_cert_ctx {
	uint8_t ref;
	const uint8_t *der;
	size_t len;
};

static card_rv
tsr_cert_write_fn (struct card *card, void *user)
{
	struct tsr_cert_ctx *ctx = user;

	if (!card_can (card, CARD_OP_WRITE_CERT))
		return CARD_E_NOT_SUPPORTED;
	return card->driver->write_cert (card, ctx->ref, ctx->der, ctx->len);
}

CK_RV
tsr_card_write_cert_inlock (struct tsr_slot *slot, CK_SESSION_HANDLE session, uint8_t ref, const uint8_t *der,
                            size_t len)
{
	struct tsr_cert_ctx ctx = { ref, der, len };
	CK_RV rv;

	rv = tsr_admin_call_inlock (slot, session, tsr_cert_write_fn, &ctx);
	tsr_log ("p11", "slot %lu: %s certificate of key %02X: 0x%lx", (unsigned long)slot->id,
	         der != NULL ? "write" : "delete", ref, (unsigned long)rv);
	return rv;
}

/* The card slot whose key matches the certificate DER (LEN bytes), 0 if none. */
static uint8_t
tsr_ref_for_cert_inlock (CK_SLOT_ID slot_id, const uint8_t *der, size_t len)
{
	uint8_t want[TSR_FPR_LEN], have[TSR_FPR_LEN];
	uint8_t ref = 0;
	size_t i;

	if (!tsr_fpr_of_cert (der, len, want))
		return 0;
	for (i = 0; i < tsr.n_objects && ref == 0; i++) {
		const struct tsr_object *o = tsr.objects[i];
		if (o->slot_id == slot_id && o->session == 0 && o->klass == CKO_PRIVATE_KEY &&
		    tsr_slot_key_fpr_inlock (slot_id, o->key_ref, have) && memcmp (want, have, sizeof want) == 0)
			ref = o->key_ref;
	}
	return ref;
}

/* Where a certificate goes: *ref, and the alias it brings (template CKA_ID / CKA_LABEL). */
static CK_RV
tsr_cert_target_inlock (struct tsr_slot *slot, const CK_ATTRIBUTE *templ, CK_ULONG count,
                        uint8_t *ref, struct tsr_alias *alias)
{
	const CK_ATTRIBUTE *value = tsr_templ_attr (templ, count, CKA_VALUE);
	const CK_ATTRIBUTE *id = tsr_templ_attr (templ, count, CKA_ID);
	const CK_ATTRIBUTE *label = tsr_templ_attr (templ, count, CKA_LABEL);

	*ref = id != NULL && id->ulValueLen > 0 ? tsr_ref_from_id_inlock (slot->id, id->pValue, id->ulValueLen) : 0;
	if (*ref == 0)
		*ref = tsr_ref_for_cert_inlock (slot->id, value->pValue, value->ulValueLen);
	if (*ref == 0) {
		tsr_log ("p11", "certificate: no key on the card matches it and CKA_ID names no card slot");
		return CKR_TEMPLATE_INCONSISTENT;
	}
	tsr_slot_alias_inlock (slot, *ref, alias);
	if (id != NULL && id->ulValueLen > 1) {
		if (id->ulValueLen > sizeof alias->id || tsr_id_taken_inlock (slot->id, *ref, id->pValue, id->ulValueLen))
			return CKR_ATTRIBUTE_VALUE_INVALID;
		memcpy (alias->id, id->pValue, id->ulValueLen);
		alias->id_len = id->ulValueLen;
	}
	if (label != NULL && label->ulValueLen > 0) {
		if (label->ulValueLen >= sizeof alias->label)
			return CKR_ATTRIBUTE_VALUE_INVALID;
		memcpy (alias->label, label->pValue, label->ulValueLen);
		alias->label[label->ulValueLen] = '\0';
	}
	return CKR_OK;
}

/* Checks of a certificate template; *x (owned by the caller) the parsed CKA_VALUE. */
static CK_RV
tsr_cert_template (const CK_ATTRIBUTE *templ, CK_ULONG count, X509 **x)
{
	const CK_ATTRIBUTE *value = tsr_templ_attr (templ, count, CKA_VALUE);
	const unsigned char *p;
	CK_ULONG type = CKC_X_509;

	if (tsr_templ_ulong_of (templ, count, CKA_CERTIFICATE_TYPE, &type) == -2 || type != CKC_X_509)
		return CKR_ATTRIBUTE_VALUE_INVALID;
	if (tsr_templ_bool_of (templ, count, CKA_PRIVATE) == 1)
		return CKR_ATTRIBUTE_VALUE_INVALID;   /* certificates on a card are public */
	if (value == NULL || value->pValue == NULL || value->ulValueLen == 0)
		return CKR_TEMPLATE_INCOMPLETE;
	p = value->pValue;
	*x = X509_new_ex (tsr_ossl (), NULL);
	if (*x == NULL)
		return CKR_HOST_MEMORY;
	if (d2i_X509 (x, &p, (long)value->ulValueLen) == NULL || p != (const unsigned char *)value->pValue + value->ulValueLen) {
		X509_free (*x);
		*x = NULL;
		return CKR_ATTRIBUTE_VALUE_INVALID;
	}
	return CKR_OK;
}

CK_RV
tsr_create_token_cert_inlock (struct tsr_session *s, const CK_ATTRIBUTE *templ, CK_ULONG count,
                              CK_OBJECT_HANDLE *handle)
{
	const CK_ATTRIBUTE *value = tsr_templ_attr (templ, count, CKA_VALUE);
	struct tsr_slot *slot = NULL;
	struct tsr_alias alias;
	struct card_key key;
	X509 *x = NULL;
	uint8_t ref = 0;
	CK_RV rv;

	rv = tsr_write_check_inlock (s, &slot);
	if (rv == CKR_OK)
		rv = tsr_cert_template (templ, count, &x);
	if (rv == CKR_OK)
		rv = tsr_cert_target_inlock (slot, templ, count, &ref, &alias);
	if (rv == CKR_OK)
		rv = tsr_card_write_cert_inlock (slot, s->handle, ref, value->pValue, value->ulValueLen);
	if (rv != CKR_OK)
		goto out;
	if (alias.id_len > 0 || alias.label[0] != '\0')
		(void)tsr_pairing_store (slot->token->store_id, &alias);
	memset (&key, 0, sizeof key);
	key.ref = ref;
	key.cert_der = value->pValue;
	key.cert_len = value->ulValueLen;
	tsr_slot_ref_drop_inlock (slot->id, ref, CKO_CERTIFICATE);
	tsr_cache_note_write_inlock (slot, ref, NULL);
	rv = tsr_slot_ref_store_inlock (slot, &key, TSR_WANT (CKO_CERTIFICATE), &alias, NULL, NULL, handle);
out:
	X509_free (x);
	return rv;
}

CK_RV
tsr_destroy_token_object_inlock (struct tsr_session *s, struct tsr_object *obj)
{
	struct tsr_slot *slot = NULL;
	uint8_t ref = obj->key_ref;
	CK_RV rv;

	rv = tsr_write_check_inlock (s, &slot);
	if (rv != CKR_OK)
		return rv;
	if (obj->klass != CKO_CERTIFICATE || ref == 0) {
		tsr_log ("p11", "destroy: the card cannot delete keys (only overwrite them by generation "
		         "or import): refused");
		return CKR_ACTION_PROHIBITED;
	}
	rv = tsr_card_write_cert_inlock (slot, s->handle, ref, NULL, 0);
	if (rv == CKR_OK)
		tsr_slot_ref_drop_inlock (slot->id, ref, CKO_CERTIFICATE);
	return rv;
}
