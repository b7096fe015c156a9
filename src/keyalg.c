/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * src/keyalg.c: the one table that ties a card algorithm (enum card_alg) to its
 * PKCS #11 key type and size, its OpenSSL name and its CKA_EC_PARAMS.
 *
 * CKA_EC_PARAMS is the DER of the curve's OBJECT IDENTIFIER: RFC 5480 for the NIST
 * curves, RFC 5639 for brainpool, RFC 8410 (id-Ed25519, id-X25519) for the Edwards and
 * Montgomery curves, which is what PKCS #11 3.0 recommends and what the key's
 * SubjectPublicKeyInfo carries as its algorithm. 3.0 also allows the curve's name as a
 * PrintableString ("edwards25519", "curve25519"), which some applications send when they
 * generate a key: it is accepted in templates, never produced.
 */
#include "config.h"

#include "src/keyalg.h"

#include <string.h>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/objects.h>

static const uint8_t tsr_oid_p256[] = { 0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07 };
static const uint8_t tsr_oid_p384[] = { 0x06, 0x05, 0x2B, 0x81, 0x04, 0x00, 0x22 };
static const uint8_t tsr_oid_p521[] = { 0x06, 0x05, 0x2B, 0x81, 0x04, 0x00, 0x23 };
static const uint8_t tsr_oid_bp256[] = { 0x06, 0x09, 0x2B, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x07 };
static const uint8_t tsr_oid_bp384[] = { 0x06, 0x09, 0x2B, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x0B };
static const uint8_t tsr_oid_bp512[] = { 0x06, 0x09, 0x2B, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x0D };
static const uint8_t tsr_oid_ed25519[] = { 0x06, 0x03, 0x2B, 0x65, 0x70 };
static const uint8_t tsr_oid_x25519[] = { 0x06, 0x03, 0x2B, 0x65, 0x6E };

#define TSR_OID(o) o, sizeof o

static const struct tsr_keyalg tsr_keyalgs[] = {
	{ CARD_ALG_RSA1024, CKK_RSA, 1024, 0, NULL, NULL, 0, NULL },
	{ CARD_ALG_RSA2048, CKK_RSA, 2048, 0, NULL, NULL, 0, NULL },
	{ CARD_ALG_RSA3072, CKK_RSA, 3072, 0, NULL, NULL, 0, NULL },
	{ CARD_ALG_RSA4096, CKK_RSA, 4096, 0, NULL, NULL, 0, NULL },
	{ CARD_ALG_EC_P256, CKK_EC, 256, NID_X9_62_prime256v1, "prime256v1", TSR_OID (tsr_oid_p256), NULL },
	{ CARD_ALG_EC_P384, CKK_EC, 384, NID_secp384r1, "secp384r1", TSR_OID (tsr_oid_p384), NULL },
	{ CARD_ALG_EC_P521, CKK_EC, 521, NID_secp521r1, "secp521r1", TSR_OID (tsr_oid_p521), NULL },
	{ CARD_ALG_EC_BP256, CKK_EC, 256, NID_brainpoolP256r1, "brainpoolP256r1", TSR_OID (tsr_oid_bp256), NULL },
	{ CARD_ALG_EC_BP384, CKK_EC, 384, NID_brainpoolP384r1, "brainpoolP384r1", TSR_OID (tsr_oid_bp384), NULL },
	{ CARD_ALG_EC_BP512, CKK_EC, 512, NID_brainpoolP512r1, "brainpoolP512r1", TSR_OID (tsr_oid_bp512), NULL },
	{ CARD_ALG_ED25519, CKK_EC_EDWARDS, 255, NID_ED25519, "ED25519", TSR_OID (tsr_oid_ed25519), "edwards25519" },
	{ CARD_ALG_X25519, CKK_EC_MONTGOMERY, 255, NID_X25519, "X25519", TSR_OID (tsr_oid_x25519), "curve25519" },
};
#define TSR_N_KEYALGS (sizeof tsr_keyalgs / sizeof tsr_keyalgs[0])

const struct tsr_keyalg *
tsr_keyalg (enum card_alg alg)
{
	size_t i;

	for (i = 0; i < TSR_N_KEYALGS; i++) {
		if (tsr_keyalgs[i].alg == alg)
			return &tsr_keyalgs[i];
	}
	return NULL;
}

const struct tsr_keyalg *
tsr_keyalg_at (size_t i)
{
	return i < TSR_N_KEYALGS ? &tsr_keyalgs[i] : NULL;
}

/* Is PARAMS the PrintableString NAME (DER: 13 len name)? OpenSC 0.23's pkcs11-tool (Debian
 * 12) counts a terminating NUL it does not send ("13 0B curve25519"): that one is taken for
 * what it means. */
static bool
tsr_params_is_name (const uint8_t *params, size_t len, const char *name)
{
	size_t n = name != NULL ? strlen (name) : 0;

	return n > 0 && n < 127 && len == n + 2 && params[0] == 0x13 &&
	       (params[1] == n || params[1] == n + 1) && memcmp (params + 2, name, n) == 0;
}

const struct tsr_keyalg *
tsr_keyalg_by_params (CK_KEY_TYPE kt, const uint8_t *params, size_t len)
{
	size_t i;

	if (params == NULL || len < 2)
		return NULL;
	for (i = 0; i < TSR_N_KEYALGS; i++) {
		const struct tsr_keyalg *a = &tsr_keyalgs[i];
		if (a->kt != kt || a->oid == NULL)
			continue;
		if ((len == a->oid_len && memcmp (params, a->oid, len) == 0) ||
		    tsr_params_is_name (params, len, a->curve_name))
			return a;
	}
	return NULL;
}

CK_KEY_TYPE
tsr_key_type_of_pkey (EVP_PKEY *pk)
{
	switch (pk != NULL ? EVP_PKEY_get_base_id (pk) : EVP_PKEY_NONE) {
	case EVP_PKEY_RSA: return CKK_RSA;
	case EVP_PKEY_EC: return CKK_EC;
	case EVP_PKEY_ED25519: return CKK_EC_EDWARDS;
	case EVP_PKEY_X25519: return CKK_EC_MONTGOMERY;
	default: return CK_UNAVAILABLE_INFORMATION;
	}
}

const struct tsr_keyalg *
tsr_keyalg_of_pkey (EVP_PKEY *pk)
{
	CK_KEY_TYPE kt = tsr_key_type_of_pkey (pk);
	char group[64];
	int nid = NID_undef;
	size_t i;

	if (kt == CK_UNAVAILABLE_INFORMATION)
		return NULL;
	if (kt == CKK_EC) {
		if (!EVP_PKEY_get_utf8_string_param (pk, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, NULL))
			return NULL;
		nid = OBJ_txt2nid (group);   /* short or long name ("prime256v1", "P-256") */
		if (nid == NID_undef)
			nid = EC_curve_nist2nid (group);
	} else if (kt != CKK_RSA) {
		nid = EVP_PKEY_get_base_id (pk);
	}
	for (i = 0; i < TSR_N_KEYALGS; i++) {
		const struct tsr_keyalg *a = &tsr_keyalgs[i];
		if (a->kt == kt && (kt == CKK_RSA ? a->bits == (CK_ULONG)EVP_PKEY_get_bits (pk) : a->nid == nid))
			return a;
	}
	return NULL;
}

CK_ULONG
tsr_key_bits_of_pkey (EVP_PKEY *pk)
{
	CK_KEY_TYPE kt = tsr_key_type_of_pkey (pk);
	const struct tsr_keyalg *a;

	if (kt == CKK_EC_EDWARDS || kt == CKK_EC_MONTGOMERY) {
		/* OpenSSL counts the security bits of the group order (253): the field has 255 */
		a = tsr_keyalg_of_pkey (pk);
		return a != NULL ? a->bits : 0;
	}
	return pk != NULL ? (CK_ULONG)EVP_PKEY_get_bits (pk) : 0;
}

CK_MECHANISM_TYPE
tsr_keygen_mech_of (CK_KEY_TYPE kt)
{
	switch (kt) {
	case CKK_RSA: return CKM_RSA_PKCS_KEY_PAIR_GEN;
	case CKK_EC_EDWARDS: return CKM_EC_EDWARDS_KEY_PAIR_GEN;
	case CKK_EC_MONTGOMERY: return CKM_EC_MONTGOMERY_KEY_PAIR_GEN;
	default: return CKM_EC_KEY_PAIR_GEN;
	}
}
