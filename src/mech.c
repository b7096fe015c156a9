/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * src/mech.c: the mechanism table and C_GetMechanismList / C_GetMechanismInfo.
 *
 * What a token offers follows from its keys and from what its card can generate
 * (card_info.gen_algs): RSA mechanisms when it holds an RSA key, EC mechanisms when
 * it holds an EC key, CKM_EDDSA for Ed25519 keys, CKM_ECDH1_DERIVE for EC and X25519
 * keys, with the key sizes it holds; the digests and AES key unwrap with a session
 * key always (software). Hashing and padding are done here with OpenSSL (CKF_HW marks
 * the card's part) where the card does the raw RSA operation (rsa_raw). A card
 * that pads itself (the PKCS #1 v1.5 operations of struct card_driver: OpenPGP) gets
 * CKM_RSA_PKCS and CKM_SHA*_RSA_PKCS only: PSS, OAEP and CKM_RSA_X_509 need the raw
 * operation, and are not listed for such a token at all (NSS takes a listed
 * mechanism for one it can sign with).
 *
 * PIN-always keys (CKA_ALWAYS_AUTHENTICATE) need C_Login(CKU_CONTEXT_SPECIFIC)
 * between C_SignInit and the signature. NSS does that login only on its
 * single-part path (PK11_Sign: it hashes, then CKM_RSA_PKCS / CKM_RSA_PKCS_PSS /
 * CKM_ECDSA); when C_GetMechanismInfo shows CKF_SIGN for a combined hash-and-sign
 * mechanism (CKM_SHA256_RSA_PKCS_PSS, CKM_ECDSA_SHA256, ...), modern NSS (Firefox
 * 153's 3.12x: TLS CertificateVerify, SGN_Begin) signs through
 * C_SignInit/Update/Final instead and never logs in. So C_GetMechanismInfo
 * shows those mechanisms as verify-only on a token holding a PIN-always key of
 * their key type: NSS then hashes itself and asks the PIN for each signature.
 * C_SignInit still accepts them (an application that picks one and does the
 * context-specific login, like pkcs11-tool -m ECDSA-SHA256, keeps working), and
 * with pin_always_keys = login_pin (tessera.conf) no such login is needed and
 * they are offered as usual.
 */
#include "config.h"

#include "src/tsr.h"
#include "src/conf.h"
#include "src/keyalg.h"
#include "src/provision.h"

#include <string.h>

/* DIGEST and SECRET are software, on every token; SECRET works on session AES keys
 * (aeswrap.c: the key-encryption key of ECDH S/MIME, derived from the card's ECDH).
 * RSA_RAW: RSA mechanisms that need the card's raw RSA operation. ECDH: EC or X25519
 * keys. The *_GEN families follow what the card can generate. */
enum tsr_family { TSR_FAM_DIGEST, TSR_FAM_SECRET, TSR_FAM_RSA, TSR_FAM_RSA_RAW, TSR_FAM_EC, TSR_FAM_ECDH,
                  TSR_FAM_ED, TSR_FAM_RSA_GEN, TSR_FAM_EC_GEN, TSR_FAM_ED_GEN, TSR_FAM_X_GEN };

#define TSR_EC_FLAGS (CKF_EC_F_P | CKF_EC_NAMEDCURVE | CKF_EC_UNCOMPRESS)
#define TSR_SIGVER (CKF_HW | CKF_SIGN | CKF_VERIFY)

static const struct {
	CK_MECHANISM_TYPE mech;
	enum tsr_family family;
	CK_FLAGS flags;
} tsr_mechs[] = {
	{ CKM_RSA_PKCS, TSR_FAM_RSA, TSR_SIGVER | CKF_ENCRYPT | CKF_DECRYPT | CKF_UNWRAP },
	{ CKM_RSA_X_509, TSR_FAM_RSA_RAW, TSR_SIGVER | CKF_ENCRYPT | CKF_DECRYPT },
	{ CKM_RSA_PKCS_PSS, TSR_FAM_RSA_RAW, TSR_SIGVER },
	{ CKM_RSA_PKCS_OAEP, TSR_FAM_RSA_RAW, CKF_HW | CKF_ENCRYPT | CKF_DECRYPT | CKF_UNWRAP },
	{ CKM_SHA1_RSA_PKCS, TSR_FAM_RSA, TSR_SIGVER },
	{ CKM_SHA224_RSA_PKCS, TSR_FAM_RSA, TSR_SIGVER },
	{ CKM_SHA256_RSA_PKCS, TSR_FAM_RSA, TSR_SIGVER },
	{ CKM_SHA384_RSA_PKCS, TSR_FAM_RSA, TSR_SIGVER },
	{ CKM_SHA512_RSA_PKCS, TSR_FAM_RSA, TSR_SIGVER },
	{ CKM_SHA1_RSA_PKCS_PSS, TSR_FAM_RSA_RAW, TSR_SIGVER },
	{ CKM_SHA224_RSA_PKCS_PSS, TSR_FAM_RSA_RAW, TSR_SIGVER },
	{ CKM_SHA256_RSA_PKCS_PSS, TSR_FAM_RSA_RAW, TSR_SIGVER },
	{ CKM_SHA384_RSA_PKCS_PSS, TSR_FAM_RSA_RAW, TSR_SIGVER },
	{ CKM_SHA512_RSA_PKCS_PSS, TSR_FAM_RSA_RAW, TSR_SIGVER },
	{ CKM_ECDSA, TSR_FAM_EC, TSR_SIGVER | TSR_EC_FLAGS },
	{ CKM_ECDSA_SHA1, TSR_FAM_EC, TSR_SIGVER | TSR_EC_FLAGS },
	{ CKM_ECDSA_SHA224, TSR_FAM_EC, TSR_SIGVER | TSR_EC_FLAGS },
	{ CKM_ECDSA_SHA256, TSR_FAM_EC, TSR_SIGVER | TSR_EC_FLAGS },
	{ CKM_ECDSA_SHA384, TSR_FAM_EC, TSR_SIGVER | TSR_EC_FLAGS },
	{ CKM_ECDSA_SHA512, TSR_FAM_EC, TSR_SIGVER | TSR_EC_FLAGS },
	{ CKM_ECDH1_DERIVE, TSR_FAM_ECDH, CKF_HW | CKF_DERIVE | TSR_EC_FLAGS },
	{ CKM_ECDH1_COFACTOR_DERIVE, TSR_FAM_EC, CKF_HW | CKF_DERIVE | TSR_EC_FLAGS },
	{ CKM_RSA_PKCS_KEY_PAIR_GEN, TSR_FAM_RSA_GEN, CKF_HW | CKF_GENERATE_KEY_PAIR },
	{ CKM_EC_KEY_PAIR_GEN, TSR_FAM_EC_GEN, CKF_HW | CKF_GENERATE_KEY_PAIR | TSR_EC_FLAGS },
	{ CKM_EDDSA, TSR_FAM_ED, TSR_SIGVER },
	{ CKM_EC_EDWARDS_KEY_PAIR_GEN, TSR_FAM_ED_GEN, CKF_HW | CKF_GENERATE_KEY_PAIR },
	{ CKM_EC_MONTGOMERY_KEY_PAIR_GEN, TSR_FAM_X_GEN, CKF_HW | CKF_GENERATE_KEY_PAIR },
	{ CKM_AES_KEY_WRAP, TSR_FAM_SECRET, CKF_UNWRAP },
	{ CKM_SHA_1, TSR_FAM_DIGEST, CKF_DIGEST },
	{ CKM_SHA224, TSR_FAM_DIGEST, CKF_DIGEST },
	{ CKM_SHA256, TSR_FAM_DIGEST, CKF_DIGEST },
	{ CKM_SHA384, TSR_FAM_DIGEST, CKF_DIGEST },
	{ CKM_SHA512, TSR_FAM_DIGEST, CKF_DIGEST },
};
#define TSR_N_MECHS (sizeof tsr_mechs / sizeof tsr_mechs[0])

bool
tsr_token_rsa_raw (const struct tsr_token *token)
{
	return card_can (token->card, CARD_OP_RSA);
}

/* Widen [*MIN, *MAX] (empty when !*ANY) by [MIN, MAX]. */
static void
tsr_range_add (bool *any, CK_ULONG *min, CK_ULONG *max, CK_ULONG lo, CK_ULONG hi)
{
	if (!*any || lo < *min)
		*min = lo;
	if (!*any || hi > *max)
		*max = hi;
	*any = true;
}

/* Widen the range by the keys of type KT the token holds (Ed25519 and X25519 have one
 * size: the table's) unless GEN_ONLY, and by what the card can generate (keygen.c). */
static void
tsr_type_range (const struct tsr_token *token, CK_KEY_TYPE kt, bool gen_only, bool *any, CK_ULONG *min,
                CK_ULONG *max)
{
	const struct tsr_keyalg *a;
	CK_ULONG lo = 0, hi = 0;
	size_t i;

	if (!gen_only && kt == CKK_RSA && token->has_rsa)
		tsr_range_add (any, min, max, token->rsa_min_bits, token->rsa_max_bits);
	if (!gen_only && kt == CKK_EC && token->has_ec)
		tsr_range_add (any, min, max, token->ec_min_bits, token->ec_max_bits);
	if (!gen_only && ((kt == CKK_EC_EDWARDS && token->has_ed) || (kt == CKK_EC_MONTGOMERY && token->has_x))) {
		for (i = 0; (a = tsr_keyalg_at (i)) != NULL; i++) {
			if (a->kt == kt)
				tsr_range_add (any, min, max, a->bits, a->bits);
		}
	}
	if (tsr_keygen_range (token, kt, &lo, &hi))
		tsr_range_add (any, min, max, lo, hi);
}

/* Key sizes of a family: those of the keys held, widened by what the card can
 * generate; the *_GEN families what it can generate. false when the token has none. */
static bool
tsr_family_range (const struct tsr_token *token, enum tsr_family family, CK_ULONG *min, CK_ULONG *max)
{
	bool any = false;

	*min = *max = 0;
	switch (family) {
	case TSR_FAM_RSA_RAW:
		if (tsr_token_rsa_raw (token))
			tsr_type_range (token, CKK_RSA, false, &any, min, max);
		break;
	case TSR_FAM_RSA: tsr_type_range (token, CKK_RSA, false, &any, min, max); break;
	case TSR_FAM_EC: tsr_type_range (token, CKK_EC, false, &any, min, max); break;
	case TSR_FAM_ECDH:
		tsr_type_range (token, CKK_EC, false, &any, min, max);
		tsr_type_range (token, CKK_EC_MONTGOMERY, false, &any, min, max);
		break;
	case TSR_FAM_ED: tsr_type_range (token, CKK_EC_EDWARDS, false, &any, min, max); break;
	case TSR_FAM_RSA_GEN: tsr_type_range (token, CKK_RSA, true, &any, min, max); break;
	case TSR_FAM_EC_GEN: tsr_type_range (token, CKK_EC, true, &any, min, max); break;
	case TSR_FAM_ED_GEN: tsr_type_range (token, CKK_EC_EDWARDS, true, &any, min, max); break;
	case TSR_FAM_X_GEN: tsr_type_range (token, CKK_EC_MONTGOMERY, true, &any, min, max); break;
	case TSR_FAM_DIGEST: case TSR_FAM_SECRET: break;
	}
	return any;
}

/* The flags of an RSA mechanism on a card that pads itself: signing and decryption
 * only where the card has the operation. */
static CK_FLAGS
tsr_mech_card_flags (const struct tsr_token *token, enum tsr_family family, CK_FLAGS flags)
{
	if (family != TSR_FAM_RSA || tsr_token_rsa_raw (token))
		return flags;
	if (!card_can (token->card, CARD_OP_RSA_SIGN_PKCS1))
		flags &= ~(CK_FLAGS)CKF_SIGN;
	if (!card_can (token->card, CARD_OP_RSA_DECRYPT_PKCS1))
		flags &= ~(CK_FLAGS)(CKF_DECRYPT | CKF_UNWRAP);
	return flags;
}

static bool
tsr_token_has_family (const struct tsr_token *token, enum tsr_family family)
{
	CK_ULONG min, max;

	return family == TSR_FAM_DIGEST || family == TSR_FAM_SECRET || tsr_family_range (token, family, &min, &max);
}

CK_RV
tsr_mech_info (const struct tsr_token *token, CK_MECHANISM_TYPE mech, CK_MECHANISM_INFO *info)
{
	size_t i;

	for (i = 0; i < TSR_N_MECHS; i++) {
		if (tsr_mechs[i].mech != mech || !tsr_token_has_family (token, tsr_mechs[i].family))
			continue;
		memset (info, 0, sizeof *info);
		info->flags = tsr_mech_card_flags (token, tsr_mechs[i].family, tsr_mechs[i].flags);
		if (tsr_mechs[i].family == TSR_FAM_SECRET) {
			info->ulMinKeySize = 16;   /* AES, in bytes */
			info->ulMaxKeySize = 32;
		} else if (tsr_mechs[i].family != TSR_FAM_DIGEST) {
			(void)tsr_family_range (token, tsr_mechs[i].family, &info->ulMinKeySize, &info->ulMaxKeySize);
		}
		return CKR_OK;
	}
	return CKR_MECHANISM_INVALID;
}

CK_ULONG
tsr_mech_list (const struct tsr_token *token, CK_MECHANISM_TYPE *list, CK_ULONG max)
{
	CK_ULONG n = 0;
	size_t i;

	for (i = 0; i < TSR_N_MECHS; i++) {
		if (!tsr_token_has_family (token, tsr_mechs[i].family))
			continue;
		if (list != NULL && n < max)
			list[n] = tsr_mechs[i].mech;
		n++;
	}
	return n;
}

const EVP_MD *
tsr_md_from_mech (CK_MECHANISM_TYPE mech)
{
	switch (mech) {
	case CKM_SHA_1: return tsr_md_sha (1);
	case CKM_SHA224: return tsr_md_sha (224);
	case CKM_SHA256: return tsr_md_sha (256);
	case CKM_SHA384: return tsr_md_sha (384);
	case CKM_SHA512: return tsr_md_sha (512);
	default: return NULL;
	}
}

const EVP_MD *
tsr_md_from_mgf (CK_ULONG mgf)
{
	switch (mgf) {
	case CKG_MGF1_SHA1: return tsr_md_sha (1);
	case CKG_MGF1_SHA224: return tsr_md_sha (224);
	case CKG_MGF1_SHA256: return tsr_md_sha (256);
	case CKG_MGF1_SHA384: return tsr_md_sha (384);
	case CKG_MGF1_SHA512: return tsr_md_sha (512);
	default: return NULL;
	}
}

const EVP_MD *
tsr_md_of_sign_mech (CK_MECHANISM_TYPE mech)
{
	switch (mech) {
	case CKM_SHA1_RSA_PKCS: case CKM_SHA1_RSA_PKCS_PSS: case CKM_ECDSA_SHA1:
		return tsr_md_sha (1);
	case CKM_SHA224_RSA_PKCS: case CKM_SHA224_RSA_PKCS_PSS: case CKM_ECDSA_SHA224:
		return tsr_md_sha (224);
	case CKM_SHA256_RSA_PKCS: case CKM_SHA256_RSA_PKCS_PSS: case CKM_ECDSA_SHA256:
		return tsr_md_sha (256);
	case CKM_SHA384_RSA_PKCS: case CKM_SHA384_RSA_PKCS_PSS: case CKM_ECDSA_SHA384:
		return tsr_md_sha (384);
	case CKM_SHA512_RSA_PKCS: case CKM_SHA512_RSA_PKCS_PSS: case CKM_ECDSA_SHA512:
		return tsr_md_sha (512);
	default:
		return NULL;
	}
}

/* Is MECH a combined hash-and-sign mechanism that a PIN-always key on SLOT_ID
 * would let bypass its context-specific login (see the top of this file)? */
static bool
tsr_mech_sign_withheld_inlock (CK_SLOT_ID slot_id, CK_MECHANISM_TYPE mech)
{
	CK_KEY_TYPE kt;
	size_t i;

	if (tsr_md_of_sign_mech (mech) == NULL || tsr_conf_get ()->pin_always_keys == TSR_PIN_ALWAYS_LOGIN_PIN)
		return false;
	kt = mech >= CKM_ECDSA_SHA1 && mech <= CKM_ECDSA_SHA512 ? CKK_EC : CKK_RSA;
	for (i = 0; i < tsr.n_objects; i++) {
		const struct tsr_object *o = tsr.objects[i];
		if (o->slot_id == slot_id && o->card_key && o->always_auth && o->key_type == kt)
			return true;
	}
	return false;
}

/* The token of SLOTID for the mechanism functions. */
static CK_RV
tsr_mech_token_inlock (CK_SLOT_ID slotID, struct tsr_token **token)
{
	struct tsr_slot *slot = tsr_slot_get_inlock (slotID);
	CK_RV rv;

	if (slot == NULL)
		return CKR_SLOT_ID_INVALID;
	rv = tsr_slot_ensure_token_inlock (slot);
	if (rv == CKR_OK)
		*token = slot->token;
	return rv;
}

CK_RV
C_GetMechanismList (CK_SLOT_ID slotID, CK_MECHANISM_TYPE_PTR pMechanismList, CK_ULONG_PTR pulCount)
{
	struct tsr_token *token;
	CK_ULONG n;
	CK_RV rv;

	rv = tsr_enter ();
	if (rv != CKR_OK)
		return rv;
	if (!tsr_check (pulCount != NULL)) {
		rv = CKR_ARGUMENTS_BAD;
		goto out;
	}
	rv = tsr_mech_token_inlock (slotID, &token);
	if (rv != CKR_OK)
		goto out;
	n = tsr_mech_list (token, pMechanismList, pMechanismList != NULL ? *pulCount : 0);
	if (pMechanismList != NULL && n > *pulCount)
		rv = CKR_BUFFER_TOO_SMALL;
	*pulCount = n;
out:
	tsr_leave ();
	return rv;
}

CK_RV
C_GetMechanismInfo (CK_SLOT_ID slotID, CK_MECHANISM_TYPE type, CK_MECHANISM_INFO_PTR pInfo)
{
	struct tsr_token *token;
	CK_RV rv;

	rv = tsr_enter ();
	if (rv != CKR_OK)
		return rv;
	if (!tsr_check (pInfo != NULL)) {
		rv = CKR_ARGUMENTS_BAD;
		goto out;
	}
	rv = tsr_mech_token_inlock (slotID, &token);
	if (rv != CKR_OK)
		goto out;
	rv = tsr_mech_info (token, type, pInfo);
	if (rv == CKR_OK && tsr_mech_sign_withheld_inlock (slotID, type))
		pInfo->flags &= ~(CK_FLAGS)CKF_SIGN;
out:
	tsr_leave ();
	return rv;
}
