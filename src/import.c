/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * src/import.c: private keys imported into a card slot (C_CreateObject of a
 * CKO_PRIVATE_KEY with CKA_TOKEN TRUE), where the card has an import command
 * (card_can CARD_OP_IMPORT_KEY); elsewhere CKR_FUNCTION_NOT_SUPPORTED, with a log line saying why.
 *
 * RSA: CKA_MODULUS, CKA_PUBLIC_EXPONENT (65537, the card's only one), CKA_PRIME_1,
 * CKA_PRIME_2, CKA_EXPONENT_1, CKA_EXPONENT_2, CKA_COEFFICIENT (CKA_PRIVATE_EXPONENT
 * is not needed). EC: CKA_EC_PARAMS (a curve of keyalg.c the card can hold) and CKA_VALUE;
 * Ed25519 (CKK_EC_EDWARDS) and X25519 (CKK_EC_MONTGOMERY) the same, CKA_VALUE being the
 * 32-byte private key of RFC 8032 / RFC 7748. The slot is chosen
 * as for key generation (keygen.c: CKA_ID, else usage, else a free spare slot);
 * what a card key cannot be (CKA_EXTRACTABLE TRUE, CKA_SENSITIVE FALSE, ...) is
 * refused, and the whole template is checked, the public key made (importpub.c),
 * before anything is sent. Then the slot's public and private key objects appear as
 * for a generated key; C_CreateObject returns the private key's handle.
 *
 * The private components are not copied here: the driver builds its command in a
 * buffer it wipes, and the public-key checks clear their BIGNUMs. Nothing of the
 * key is logged.
 */
#include "config.h"

#include "src/provision.h"
#include "src/admin.h"

#include <stdlib.h>
#include <string.h>

struct tsr_import {
	struct tsr_keygen kg;
	struct card_key_parts parts;
	const CK_ATTRIBUTE *modulus, *exponent;
};

/* Significant bits of a big-endian unsigned integer. */
static CK_ULONG
tsr_bits_of (const CK_ATTRIBUTE *a)
{
	const uint8_t *p = a->pValue;
	CK_ULONG len = a->ulValueLen, bits;
	uint8_t top;

	while (len > 0 && *p == 0) {
		p++;
		len--;
	}
	if (len == 0)
		return 0;
	bits = len * 8;
	for (top = p[0]; !(top & 0x80); top = (uint8_t)(top << 1))
		bits--;
	return bits;
}

/* A required part: *VALUE, *LEN; false when absent or empty. */
static bool
tsr_import_part (const CK_ATTRIBUTE *t, CK_ULONG n, CK_ATTRIBUTE_TYPE type, const uint8_t **value, size_t *len)
{
	const CK_ATTRIBUTE *a = tsr_templ_attr (t, n, type);

	if (a == NULL || a->pValue == NULL || a->ulValueLen == 0)
		return false;
	*value = a->pValue;
	*len = a->ulValueLen;
	return true;
}

static CK_RV
tsr_import_rsa_template (const struct tsr_token *token, const CK_ATTRIBUTE *t, CK_ULONG n, struct tsr_import *im)
{
	struct card_key_parts *k = &im->parts;
	CK_RV rv;

	im->modulus = tsr_templ_attr (t, n, CKA_MODULUS);
	im->exponent = tsr_templ_attr (t, n, CKA_PUBLIC_EXPONENT);
	if (im->modulus == NULL || im->exponent == NULL || !tsr_import_part (t, n, CKA_PRIME_1, &k->p, &k->p_len) ||
	    !tsr_import_part (t, n, CKA_PRIME_2, &k->q, &k->q_len) ||
	    !tsr_import_part (t, n, CKA_EXPONENT_1, &k->dp, &k->dp_len) ||
	    !tsr_import_part (t, n, CKA_EXPONENT_2, &k->dq, &k->dq_len) ||
	    !tsr_import_part (t, n, CKA_COEFFICIENT, &k->qinv, &k->qinv_len)) {
		tsr_log ("p11", "import: an RSA key needs the modulus, public exponent and CRT parts");
		return CKR_TEMPLATE_INCOMPLETE;
	}
	if (!tsr_keygen_exponent_ok (im->exponent)) {
		tsr_log ("p11", "import: the card takes RSA keys with public exponent 65537 only");
		return CKR_ATTRIBUTE_VALUE_INVALID;
	}
	rv = tsr_keygen_rsa_alg (token, tsr_bits_of (im->modulus), &k->alg);
	if (rv != CKR_OK) {
		tsr_log ("p11", "import: RSA %lu bits: not a size of this card", (unsigned long)tsr_bits_of (im->modulus));
		rv = CKR_ATTRIBUTE_VALUE_INVALID;
	}
	return rv;
}

static CK_RV
tsr_import_ec_template (const struct tsr_token *token, const CK_ATTRIBUTE *t, CK_ULONG n, struct tsr_import *im)
{
	const CK_ATTRIBUTE *params = tsr_templ_attr (t, n, CKA_EC_PARAMS);
	CK_RV rv;

	if (params == NULL || !tsr_import_part (t, n, CKA_VALUE, &im->parts.scalar, &im->parts.scalar_len))
		return CKR_TEMPLATE_INCOMPLETE;
	rv = tsr_keygen_ec_alg (token, im->kg.kt, params, &im->parts.alg);
	if (rv == CKR_CURVE_NOT_SUPPORTED)
		tsr_log ("p11", "import: the card has no such curve");
	return rv;
}

/* The whole template, then the public key: nothing goes to the card before. */
static CK_RV
tsr_import_template (struct tsr_slot *slot, const CK_ATTRIBUTE *t, CK_ULONG n, struct tsr_import *im)
{
	CK_ULONG kt = 0;
	int r = tsr_templ_ulong_of (t, n, CKA_KEY_TYPE, &kt);
	CK_RV rv;

	if (r != 1)
		return r == -1 ? CKR_TEMPLATE_INCOMPLETE : CKR_ATTRIBUTE_VALUE_INVALID;
	if (kt != CKK_RSA && kt != CKK_EC && kt != CKK_EC_EDWARDS && kt != CKK_EC_MONTGOMERY)
		return CKR_ATTRIBUTE_VALUE_INVALID;
	im->kg.kt = kt;
	rv = tsr_keygen_priv_template (t, n, &im->kg);
	if (rv == CKR_OK)
		rv = kt == CKK_RSA ? tsr_import_rsa_template (slot->token, t, n, im)
		                    : tsr_import_ec_template (slot->token, t, n, im);
	if (rv == CKR_OK)
		rv = tsr_import_spki (&im->parts, im->modulus, im->exponent, &im->kg.spki, &im->kg.spki_len);
	im->kg.alg = im->parts.alg;
	return rv;
}

/* Why the card of SLOT cannot import, or CKR_OK. */
static CK_RV
tsr_import_supported (const struct tsr_slot *slot)
{
	const struct tsr_token *token = slot->token;

	if (token->card != NULL && card_can (token->card, CARD_OP_IMPORT_KEY))
		return CKR_OK;
	tsr_log ("p11", "import: %s (%s) has no private-key import command: not supported",
	         token->info.model, token->info.manufacturer);
	return CKR_FUNCTION_NOT_SUPPORTED;
}

CK_RV
tsr_import_key_inlock (struct tsr_session *s, const CK_ATTRIBUTE *templ, CK_ULONG count,
                       CK_OBJECT_HANDLE *handle)
{
	struct tsr_import im;
	struct tsr_slot *slot = NULL;
	CK_OBJECT_HANDLE pub = 0;
	CK_RV rv;

	memset (&im, 0, sizeof im);
	im.kg.sign = im.kg.dec = -1;
	im.kg.parts = &im.parts;
	rv = tsr_write_check_inlock (s, &slot);
	if (rv == CKR_OK)
		rv = tsr_import_supported (slot);
	if (rv == CKR_OK)
		rv = tsr_import_template (slot, templ, count, &im);
	if (rv == CKR_OK)
		rv = tsr_keygen_pick_slot_inlock (slot, &im.kg);
	if (rv == CKR_OK)
		rv = tsr_admin_call_inlock (slot, s->handle, tsr_keygen_fn, &im.kg);
	tsr_log ("p11", "import: key type %lu alg %d in %02X: 0x%lx", (unsigned long)im.kg.kt, (int)im.kg.alg,
	         im.kg.ref, (unsigned long)rv);
	if (rv == CKR_OK)
		rv = tsr_keygen_objects_inlock (slot, &im.kg, &pub, handle);
	free (im.kg.spki);
	return rv;
}
