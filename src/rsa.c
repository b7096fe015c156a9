/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * src/rsa.c: RSA encodings done in software around the card's raw operation:
 * PKCS #1 v1.5 type 1 (signature) and type 2 (decryption) padding, EMSA-PSS and
 * OAEP, with OpenSSL's padding functions (deprecated in OpenSSL 3 but the only
 * interface to the encodings alone, hence OPENSSL_SUPPRESS_DEPRECATED here).
 * DigestInfo prefixes are the DER of the hash's AlgorithmIdentifier (RFC 8017 §9.2).
 */
#define OPENSSL_SUPPRESS_DEPRECATED 1

#include "config.h"

#include "src/tsr.h"

#include <string.h>

#include <openssl/rsa.h>

CK_RV
tsr_rsa_pad_pkcs1_sign (const uint8_t *in, size_t in_len, uint8_t *out, size_t k)
{
	if (in_len + 11 > k)
		return CKR_DATA_LEN_RANGE;
	return RSA_padding_add_PKCS1_type_1 (out, (int)k, in, (int)in_len) == 1 ? CKR_OK : CKR_FUNCTION_FAILED;
}

CK_RV
tsr_rsa_pad_pss (EVP_PKEY *pub, const EVP_MD *md, const EVP_MD *mgf1, CK_ULONG salt_len,
                 const uint8_t *hash, size_t hash_len, uint8_t *out, size_t k)
{
	RSA *rsa = pub != NULL ? EVP_PKEY_get1_RSA (pub) : NULL;
	CK_RV rv = CKR_FUNCTION_FAILED;

	if (rsa == NULL || (size_t)RSA_size (rsa) != k)
		goto out;
	if (hash_len != (size_t)EVP_MD_get_size (md)) {
		rv = CKR_DATA_LEN_RANGE;
		goto out;
	}
	if (salt_len > k || salt_len + hash_len + 2 > k) {
		rv = CKR_MECHANISM_PARAM_INVALID;
		goto out;
	}
	if (RSA_padding_add_PKCS1_PSS_mgf1 (rsa, out, hash, md, mgf1, (int)salt_len) == 1)
		rv = CKR_OK;
out:
	RSA_free (rsa);
	return rv;
}

CK_RV
tsr_rsa_unpad_pkcs1 (const uint8_t *in, size_t k, uint8_t *out, size_t *out_len)
{
	int n = RSA_padding_check_PKCS1_type_2 (out, (int)k, in, (int)k, (int)k);

	if (n < 0)
		return CKR_ENCRYPTED_DATA_INVALID;
	*out_len = (size_t)n;
	return CKR_OK;
}

CK_RV
tsr_rsa_unpad_oaep (const uint8_t *in, size_t k, const EVP_MD *md, const EVP_MD *mgf1,
                    const uint8_t *label, size_t label_len, uint8_t *out, size_t *out_len)
{
	int n = RSA_padding_check_PKCS1_OAEP_mgf1 (out, (int)k, in, (int)k, (int)k, label,
	                                           (int)label_len, md, mgf1);

	if (n < 0)
		return CKR_ENCRYPTED_DATA_INVALID;
	*out_len = (size_t)n;
	return CKR_OK;
}

CK_RV
tsr_digest_info (const EVP_MD *md, const uint8_t *hash, size_t hash_len, uint8_t *out, size_t *out_len)
{
	static const uint8_t sha1[] = { 0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a,
	                                0x05, 0x00, 0x04, 0x14 };
	static const uint8_t sha2[] = { 0x30, 0x00, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65,
	                                0x03, 0x04, 0x02, 0x00, 0x05, 0x00, 0x04, 0x00 };
	int nid = EVP_MD_get_type (md);
	uint8_t sub;

	if (hash_len != (size_t)EVP_MD_get_size (md) || hash_len > 64)
		return CKR_DATA_LEN_RANGE;
	if (nid == NID_sha1) {
		memcpy (out, sha1, sizeof sha1);
		memcpy (out + sizeof sha1, hash, hash_len);
		*out_len = sizeof sha1 + hash_len;
		return CKR_OK;
	}
	switch (nid) {
	case NID_sha256: sub = 1; break;
	case NID_sha384: sub = 2; break;
	case NID_sha512: sub = 3; break;
	case NID_sha224: sub = 4; break;
	default: return CKR_MECHANISM_INVALID;
	}
	memcpy (out, sha2, sizeof sha2);
	out[1] = (uint8_t)(sizeof sha2 - 2 + hash_len);
	out[14] = sub;
	out[18] = (uint8_t)hash_len;
	memcpy (out + sizeof sha2, hash, hash_len);
	*out_len = sizeof sha2 + hash_len;
	return CKR_OK;
}
