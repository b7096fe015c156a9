/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * src/keyop.c: what every cryptographic operation shares: checking mechanism,
 * parameters and key at *Init, accumulating input, delivering output with the
 * PKCS #11 length conventions, and the private-key operations on the card.
 *
 * A private-key operation needs the application logged in as user (whatever the
 * card's own PIN state: another process may have verified it). A key with
 * CKA_ALWAYS_AUTHENTICATE needs C_Login(CKU_CONTEXT_SPECIFIC) after its *Init;
 * that PIN is verified again in the operation's own transaction, right before
 * the key is used (the card allows one operation per verification). With
 * pin_always_keys = login_pin (tessera.conf) the PIN held for the user's login
 * is verified there instead, and no context-specific login is needed.
 */
#include "config.h"

#include "src/tsr.h"
#include "src/conf.h"
#include "src/login.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

static CK_FLAGS
tsr_kind_flag (enum tsr_op_kind kind)
{
	static const CK_FLAGS flags[] = { CKF_SIGN, CKF_VERIFY, CKF_ENCRYPT, CKF_DECRYPT, CKF_DIGEST,
	                                  CKF_UNWRAP, CKF_DERIVE };
	return flags[kind];
}

static CK_ATTRIBUTE_TYPE
tsr_kind_attr (enum tsr_op_kind kind)
{
	static const CK_ATTRIBUTE_TYPE attrs[] = { CKA_SIGN, CKA_VERIFY, CKA_ENCRYPT, CKA_DECRYPT, 0,
	                                            CKA_UNWRAP, CKA_DERIVE };
	return attrs[kind];
}

static bool
tsr_mech_is_pss (CK_MECHANISM_TYPE m)
{
	return m == CKM_RSA_PKCS_PSS || m == CKM_SHA1_RSA_PKCS_PSS || m == CKM_SHA224_RSA_PKCS_PSS ||
	       m == CKM_SHA256_RSA_PKCS_PSS || m == CKM_SHA384_RSA_PKCS_PSS || m == CKM_SHA512_RSA_PKCS_PSS;
}

/* Can a key of type KT be used with M? ECDH1_DERIVE: EC and X25519 keys; the
 * cofactor variant: EC keys (X25519 multiplies by its cofactor anyway). */
static bool
tsr_mech_key_type_ok (CK_MECHANISM_TYPE m, CK_KEY_TYPE kt)
{
	if (m == CKM_ECDSA || (m >= CKM_ECDSA_SHA1 && m <= CKM_ECDSA_SHA512) || m == CKM_ECDH1_COFACTOR_DERIVE)
		return kt == CKK_EC;
	if (m == CKM_ECDH1_DERIVE)
		return kt == CKK_EC || kt == CKK_EC_MONTGOMERY;
	if (m == CKM_EDDSA)
		return kt == CKK_EC_EDWARDS;
	return kt == CKK_RSA;
}

/* CKM_EDDSA: pure Ed25519 only: no parameter, or CK_EDDSA_PARAMS without prehash and
 * without context (Ed25519ph and Ed25519ctx are other algorithms, that cards lack). */
static CK_RV
tsr_eddsa_params (const CK_MECHANISM *mech)
{
	const CK_EDDSA_PARAMS *p = mech->pParameter;

	if (p == NULL && mech->ulParameterLen == 0)
		return CKR_OK;
	if (p == NULL || mech->ulParameterLen != sizeof *p || p->phFlag != CK_FALSE || p->ulContextDataLen != 0) {
		tsr_log ("p11", "CKM_EDDSA: only pure Ed25519 (no prehash, no context)");
		return CKR_MECHANISM_PARAM_INVALID;
	}
	return CKR_OK;
}

static CK_RV
tsr_op_params (struct tsr_op *op, const CK_MECHANISM *mech)
{
	if (mech->mechanism == CKM_EDDSA)
		return tsr_eddsa_params (mech);
	if (tsr_mech_is_pss (mech->mechanism)) {
		const CK_RSA_PKCS_PSS_PARAMS *p = mech->pParameter;
		if (p == NULL || mech->ulParameterLen != sizeof *p)
			return CKR_MECHANISM_PARAM_INVALID;
		op->md = tsr_md_from_mech (p->hashAlg);
		op->mgf1_md = tsr_md_from_mgf (p->mgf);
		op->salt_len = p->sLen;
		if (op->md == NULL || op->mgf1_md == NULL)
			return CKR_MECHANISM_PARAM_INVALID;
		if (mech->mechanism != CKM_RSA_PKCS_PSS &&
		    EVP_MD_get_type (op->md) != EVP_MD_get_type (tsr_md_of_sign_mech (mech->mechanism)))
			return CKR_MECHANISM_PARAM_INVALID;
	} else if (mech->mechanism == CKM_RSA_PKCS_OAEP) {
		const CK_RSA_PKCS_OAEP_PARAMS *p = mech->pParameter;
		if (p == NULL || mech->ulParameterLen != sizeof *p)
			return CKR_MECHANISM_PARAM_INVALID;
		op->md = tsr_md_from_mech (p->hashAlg);
		op->mgf1_md = tsr_md_from_mgf (p->mgf);
		if (op->md == NULL || op->mgf1_md == NULL)
			return CKR_MECHANISM_PARAM_INVALID;
		if (p->source != 0 && p->source != CKZ_DATA_SPECIFIED)
			return CKR_MECHANISM_PARAM_INVALID;
		if (p->ulSourceDataLen > 0) {
			if (p->pSourceData == NULL)
				return CKR_MECHANISM_PARAM_INVALID;
			op->label = malloc (p->ulSourceDataLen);
			if (op->label == NULL)
				return CKR_HOST_MEMORY;
			memcpy (op->label, p->pSourceData, p->ulSourceDataLen);
			op->label_len = p->ulSourceDataLen;
		}
	} else {
		op->md = tsr_md_of_sign_mech (mech->mechanism);
	}
	return CKR_OK;
}

/* The key of an operation: on the session's token, visible, of the right class and usage. */
static CK_RV
tsr_op_check_key_inlock (struct tsr_session *s, enum tsr_op_kind kind, CK_MECHANISM_TYPE mech,
                         CK_OBJECT_HANDLE key, struct tsr_object **out)
{
	struct tsr_object *obj;
	bool want_private = kind == TSR_OP_SIGN || kind == TSR_OP_DECRYPT || kind == TSR_OP_UNWRAP ||
	                    kind == TSR_OP_DERIVE;
	CK_RV rv;

	rv = tsr_object_get_inlock (s, key, &obj);
	if (rv == CKR_OBJECT_HANDLE_INVALID)
		return CKR_KEY_HANDLE_INVALID;
	if (rv != CKR_OK)
		return rv;
	if (obj->klass != (want_private ? CKO_PRIVATE_KEY : CKO_PUBLIC_KEY))
		return CKR_KEY_TYPE_INCONSISTENT;
	if (!tsr_mech_key_type_ok (mech, obj->key_type))
		return CKR_KEY_TYPE_INCONSISTENT;
	if (!tsr_attr_bool (obj, tsr_kind_attr (kind), false))
		return CKR_KEY_FUNCTION_NOT_PERMITTED;
	if (!want_private && obj->pub == NULL)
		obj->pub = tsr_object_build_pub (obj);
	if (!want_private && obj->pub == NULL)
		return CKR_KEY_HANDLE_INVALID;
	*out = obj;
	return CKR_OK;
}

CK_RV
tsr_op_new_inlock (struct tsr_session *s, enum tsr_op_kind kind, const CK_MECHANISM *mech,
                   CK_OBJECT_HANDLE key, struct tsr_op **out)
{
	struct tsr_slot *slot = tsr_slot_get_inlock (s->slot_id);
	struct tsr_object *obj = NULL;
	CK_MECHANISM_INFO info;
	struct tsr_op *op = NULL;
	CK_RV rv;

	if (slot == NULL || slot->token == NULL) {
		rv = CKR_DEVICE_REMOVED;
		goto out;
	}
	rv = tsr_mech_info (slot->token, mech->mechanism, &info);
	if (rv == CKR_OK && !(info.flags & tsr_kind_flag (kind)))
		rv = CKR_MECHANISM_INVALID;
	if (rv != CKR_OK)
		goto out;
	if (kind != TSR_OP_DIGEST) {
		rv = tsr_op_check_key_inlock (s, kind, mech->mechanism, key, &obj);
		if (rv == CKR_OK && obj->card_key)
			rv = tsr_key_meta_resolve_inlock (s, obj);   /* PIN policy before the first use */
		if (rv != CKR_OK)
			goto out;
	}
	op = calloc (1, sizeof *op);
	if (op == NULL) {
		rv = CKR_HOST_MEMORY;
		goto out;
	}
	op->mech = mech->mechanism;
	op->key = key;
	rv = kind == TSR_OP_DIGEST ? CKR_OK : tsr_op_params (op, mech);
	if (rv != CKR_OK)
		goto out;
	if (kind == TSR_OP_DIGEST)
		op->md = tsr_md_from_mech (mech->mechanism);
	/* hash-and-sign and digests hash as the data comes; PSS/OAEP md is a parameter */
	if (op->md != NULL && (kind == TSR_OP_DIGEST || tsr_md_of_sign_mech (op->mech) != NULL)) {
		op->mdctx = EVP_MD_CTX_new ();
		if (op->mdctx == NULL || !EVP_DigestInit_ex (op->mdctx, op->md, NULL)) {
			rv = CKR_HOST_MEMORY;
			goto out;
		}
	}
	*out = op;
	op = NULL;
out:
	tsr_op_free (op);
	return rv;
}

CK_RV
tsr_op_update (struct tsr_op *op, const uint8_t *data, size_t len)
{
	uint8_t *buf;

	if (op->mdctx != NULL)
		return EVP_DigestUpdate (op->mdctx, data, len) ? CKR_OK : CKR_FUNCTION_FAILED;
	if (len == 0)
		return CKR_OK;
	if (op->buf_len + len > 65536)
		return CKR_DATA_LEN_RANGE;
	buf = realloc (op->buf, op->buf_len + len);
	if (buf == NULL)
		return CKR_HOST_MEMORY;
	memcpy (buf + op->buf_len, data, len);
	op->buf = buf;
	op->buf_len += len;
	return CKR_OK;
}

CK_RV
tsr_op_deliver (struct tsr_op *op, uint8_t *out, CK_ULONG_PTR out_len)
{
	assert (op->has_result);
	if (out == NULL) {
		*out_len = op->result_len;
		return CKR_OK;
	}
	if (*out_len < op->result_len) {
		*out_len = op->result_len;
		return CKR_BUFFER_TOO_SMALL;
	}
	if (op->result_len > 0)
		memcpy (out, op->result, op->result_len);
	*out_len = op->result_len;
	return CKR_OK;
}


struct tsr_priv_ctx {
	enum tsr_priv_kind kind;
	uint8_t ref;
	const uint8_t *pin;            /* a PIN-always key's PIN, or NULL */
	size_t pin_len;
	bool verify_first;             /* the PIN is not verified yet (login_pin): before the operation */
	const uint8_t *in;
	size_t in_len;
	uint8_t *out;
	size_t *out_len;
	int tries;
};

static card_rv
tsr_card_priv_op (struct card *card, struct tsr_priv_ctx *c)
{
	static const enum card_op ops[] = { CARD_OP_RSA, CARD_OP_ECDSA, CARD_OP_ECDH, CARD_OP_RSA_SIGN_PKCS1,
	                                    CARD_OP_RSA_DECRYPT_PKCS1, CARD_OP_EDDSA };

	if (!card_can (card, ops[c->kind]))
		return CARD_E_NOT_SUPPORTED;
	switch (c->kind) {
	case TSR_PRIV_RSA:
		return card->driver->rsa_raw (card, c->ref, c->in, c->in_len, c->out, c->out_len);
	case TSR_PRIV_ECDSA:
		return card->driver->ecdsa_sign (card, c->ref, c->in, c->in_len, c->out, c->out_len);
	case TSR_PRIV_ECDH:
		return card->driver->ecdh (card, c->ref, c->in, c->in_len, c->out, c->out_len);
	case TSR_PRIV_RSA_SIGN_PKCS1:
		return card->driver->rsa_sign_pkcs1 (card, c->ref, c->in, c->in_len, c->out, c->out_len);
	case TSR_PRIV_RSA_DECRYPT_PKCS1:
		return card->driver->rsa_decrypt_pkcs1 (card, c->ref, c->in, c->in_len, c->out, c->out_len);
	case TSR_PRIV_EDDSA:
		return card->driver->eddsa_sign (card, c->ref, c->in, c->in_len, c->out, c->out_len);
	}
	return CARD_E_INTERNAL;
}

/* The operation; a PIN-always key (C->pin) was authorised by the VERIFY of its
 * context-specific login, sent just before: only when another command came between
 * (the card refuses) is the PIN verified again, right before the key is used. */
static card_rv
tsr_card_priv (struct card *card, void *user)
{
	struct tsr_priv_ctx *c = user;
	card_rv crv;

	if (!c->verify_first) {
		crv = tsr_card_priv_op (card, c);
		if (crv != CARD_E_SECURITY || c->pin == NULL)
			return crv;
	}
	crv = card->driver->verify_pin (card, CARD_PIN_CONTEXT, c->pin, c->pin_len, &c->tries);
	if (crv == CARD_OK)
		crv = tsr_card_priv_op (card, c);
	return crv;
}

static CK_RV
tsr_card_private_inlock (struct tsr_session *s, struct tsr_object *key, struct tsr_op *op,
                         struct tsr_priv_ctx *ctx)
{
	struct tsr_slot *slot = tsr_slot_get_inlock (s->slot_id);
	uint8_t *login_pin = NULL;
	CK_RV rv;

	assert (key->card_key);
	if (slot == NULL || slot->token == NULL)
		return CKR_DEVICE_REMOVED;
	/* Never a private-key operation for an application that did not log in. */
	if (!slot->token->user_logged_in)
		return CKR_USER_NOT_LOGGED_IN;
	if (key->always_auth && op != NULL && op->context_login) {
		ctx->pin = op->context_pin;
		ctx->pin_len = op->context_pin_len;
	} else if (key->always_auth && tsr_conf_get ()->pin_always_keys == TSR_PIN_ALWAYS_LOGIN_PIN &&
	           slot->token->pin != NULL) {
		/* the user chose to give up a PIN per use; a copy, as the module lock is released
		 * during the card call and a C_Logout may wipe the held PIN meanwhile */
		login_pin = tsr_pin_dup (slot->token->pin, slot->token->pin_len);
		if (login_pin == NULL)
			return CKR_HOST_MEMORY;
		ctx->pin = login_pin;
		ctx->pin_len = slot->token->pin_len;
		ctx->verify_first = true;
	} else if (key->always_auth) {
		return CKR_USER_NOT_LOGGED_IN;
	}
	ctx->ref = key->key_ref;
	rv = tsr_card_call_inlock (slot, s->handle, tsr_card_priv, ctx);
	if (login_pin != NULL) {
		OPENSSL_cleanse (login_pin, ctx->pin_len);
		free (login_pin);
	}
	if (op != NULL && key->always_auth) {
		op->context_login = false;   /* one operation per context-specific login */
	}
	tsr_log ("p11", "private-key operation %d with key %02X: 0x%lx", (int)ctx->kind, key->key_ref,
	         (unsigned long)rv);
	return rv;
}

CK_RV
tsr_card_op_inlock (struct tsr_session *s, struct tsr_object *key, struct tsr_op *op, enum tsr_priv_kind kind,
                    const uint8_t *in, size_t in_len, uint8_t *out, size_t *out_len)
{
	struct tsr_priv_ctx ctx = { kind, 0, NULL, 0, false, in, in_len, out, out_len, -1 };

	return tsr_card_private_inlock (s, key, kind == TSR_PRIV_ECDH ? NULL : op, &ctx);
}
