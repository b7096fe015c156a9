/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * src/test-keyfpr.c: the public-key fingerprint of the pairing store (keyfpr.c).
 * One key, given every way the module meets it (the SPKI a card's public-key
 * template makes, a raw, DER-wrapped or compressed EC point, a certificate, an SPKI
 * whose BIT STRING declares unused bits, OpenSSL's own re-encodings), has one
 * fingerprint: the SHA-1 of its canonical SPKI, as stored by earlier versions.
 * The EC key here has an X starting with 00 and a Y ending with three zero bits,
 * the keys that broke the pairing of NSS's EC keys after a certificate import.
 */
#include "config.h"

#include "src/provision.h"
#include "tests/testkeys.h"
#include "apdu/piv.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

/* A P-256 point: X starts with 00, the last byte of Y is 0x58 (three trailing zero bits). */
static const uint8_t point[65] = {
	0x04, 0x00, 0x9d, 0x30, 0xc4, 0x42, 0x8a, 0xff, 0x4f, 0xd1, 0x8b, 0xe2,
	0xce, 0x00, 0x32, 0xbc, 0x9c, 0x1f, 0xb9, 0xfd, 0x45, 0xef, 0xe9, 0xdc,
	0xee, 0xc3, 0x1d, 0xcd, 0xb9, 0x24, 0xcb, 0x59, 0x0f, 0x9f, 0xaf, 0x3a,
	0xd9, 0xe9, 0x9a, 0x35, 0x29, 0x35, 0x9a, 0x63, 0x36, 0x4e, 0xed, 0x3c,
	0xc9, 0x19, 0x79, 0x8c, 0x2c, 0x50, 0xf6, 0xd1, 0xfb, 0x21, 0x68, 0xd1,
	0xa0, 0x95, 0x4b, 0xe8, 0x58,
};
static const uint8_t p256[] = { 0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07 };

static void
setup (void)
{
	ck_assert_int_eq (tsr_ossl_init (), CKR_OK);
}

static void
teardown (void)
{
	tsr_ossl_free ();
}

/* The SPKI the PIV driver makes of the card's template 86 <point>: *len bytes, free(). */
static uint8_t *
card_spki (size_t *len)
{
	uint8_t tmpl[2 + sizeof point];
	uint8_t *spki = NULL;

	tmpl[0] = 0x86;
	tmpl[1] = sizeof point;
	memcpy (tmpl + 2, point, sizeof point);
	ck_assert_int_eq (piv_pubkey_to_spki (CARD_ALG_EC_P256, tmpl, sizeof tmpl, &spki, len), CARD_OK);
	return spki;
}

static void
sha1 (const void *data, size_t len, uint8_t md[TSR_FPR_LEN])
{
	unsigned int n = 0;

	ck_assert (EVP_Digest (data, len, md, &n, EVP_sha1 (), NULL));
	ck_assert_uint_eq (n, TSR_FPR_LEN);
}

/* A certificate for PK, signed by a key of its own: DER in *der (OPENSSL_free), its length. */
static int
cert_for (EVP_PKEY *pk, unsigned char **der)
{
	EVP_PKEY *ca = EVP_PKEY_Q_keygen (NULL, NULL, "EC", "P-256");
	X509 *x = X509_new ();
	int len;

	ck_assert_ptr_nonnull (ca);
	ck_assert_ptr_nonnull (x);
	X509_set_version (x, 2);
	ASN1_INTEGER_set (X509_get_serialNumber (x), 1);
	X509_NAME_add_entry_by_txt (X509_get_subject_name (x), "CN", MBSTRING_ASC, (const unsigned char *)"fpr", -1, -1, 0);
	X509_set_issuer_name (x, X509_get_subject_name (x));
	X509_gmtime_adj (X509_getm_notBefore (x), 0);
	X509_gmtime_adj (X509_getm_notAfter (x), 86400);
	ck_assert (X509_set_pubkey (x, pk));
	ck_assert_int_gt (X509_sign (x, ca, EVP_sha256 ()), 0);
	*der = NULL;
	len = i2d_X509 (x, der);
	ck_assert_int_gt (len, 0);
	X509_free (x);
	EVP_PKEY_free (ca);
	return len;
}

START_TEST (test_ec_every_way)
{
	uint8_t want[TSR_FPR_LEN], got[TSR_FPR_LEN], wrapped[2 + sizeof point], compressed[33];
	uint8_t *spki, *bits_left;
	unsigned char *der = NULL, *cert = NULL;
	const unsigned char *p;
	size_t spki_len;
	X509_PUBKEY *xpub, *dup;
	EVP_PKEY *pk;
	int n;

	/* the card's SPKI: the canonical one, so the fingerprint is its plain SHA-1 */
	spki = card_spki (&spki_len);
	ck_assert_uint_eq (spki_len, 91);
	ck_assert_uint_eq (spki[25], 0x00);   /* BIT STRING: no unused bits */
	sha1 (spki, spki_len, want);
	ck_assert (tsr_fpr_of_spki (spki, spki_len, got));
	ck_assert_mem_eq (got, want, TSR_FPR_LEN);

	/* the uncompressed point, raw and as CKA_EC_POINT (DER OCTET STRING) */
	ck_assert (tsr_fpr_of_ec_point (p256, sizeof p256, point, sizeof point, got));
	ck_assert_mem_eq (got, want, TSR_FPR_LEN);
	wrapped[0] = 0x04;
	wrapped[1] = sizeof point;
	memcpy (wrapped + 2, point, sizeof point);
	ck_assert (tsr_fpr_of_ec_point (p256, sizeof p256, wrapped, sizeof wrapped, got));
	ck_assert_mem_eq (got, want, TSR_FPR_LEN);

	/* the compressed point: 02 (Y even) || X */
	compressed[0] = 0x02;
	memcpy (compressed + 1, point + 1, 32);
	ck_assert (tsr_fpr_of_ec_point (p256, sizeof p256, compressed, sizeof compressed, got));
	ck_assert_mem_eq (got, want, TSR_FPR_LEN);

	/* X with its leading 00 dropped is not the key: no fingerprint, not another one */
	memcpy (wrapped, point, 1);
	memcpy (wrapped + 1, point + 2, sizeof point - 2);
	ck_assert (!tsr_fpr_of_ec_point (p256, sizeof p256, wrapped, sizeof point - 1, got));

	/* the same SPKI with the BIT STRING declaring the trailing three zero bits unused */
	bits_left = malloc (spki_len);
	ck_assert_ptr_nonnull (bits_left);
	memcpy (bits_left, spki, spki_len);
	bits_left[25] = 3;
	ck_assert (tsr_fpr_of_spki (bits_left, spki_len, got));
	ck_assert_mem_eq (got, want, TSR_FPR_LEN);

	/* OpenSSL's re-encodings: i2d_PUBKEY, and a copy by X509_PUBKEY_dup (which in
	 * OpenSSL 3.0 gives the BIT STRING above) */
	p = spki;
	pk = d2i_PUBKEY (NULL, &p, (long)spki_len);
	ck_assert_ptr_nonnull (pk);
	n = i2d_PUBKEY (pk, &der);
	ck_assert_int_gt (n, 0);
	ck_assert (tsr_fpr_of_spki (der, (size_t)n, got));
	ck_assert_mem_eq (got, want, TSR_FPR_LEN);
	OPENSSL_free (der);
	der = NULL;
	p = spki;
	xpub = d2i_X509_PUBKEY (NULL, &p, (long)spki_len);
	ck_assert_ptr_nonnull (xpub);
	dup = X509_PUBKEY_dup (xpub);
	ck_assert_ptr_nonnull (dup);
	n = i2d_X509_PUBKEY (dup, &der);
	ck_assert_int_gt (n, 0);
	ck_assert (tsr_fpr_of_spki (der, (size_t)n, got));
	ck_assert_mem_eq (got, want, TSR_FPR_LEN);
	OPENSSL_free (der);

	/* a certificate for the key */
	n = cert_for (pk, &cert);
	ck_assert (tsr_fpr_of_cert (cert, (size_t)n, got));
	ck_assert_mem_eq (got, want, TSR_FPR_LEN);

	OPENSSL_free (cert);
	X509_PUBKEY_free (dup);
	X509_PUBKEY_free (xpub);
	EVP_PKEY_free (pk);
	free (bits_left);
	free (spki);
}
END_TEST

START_TEST (test_rsa)
{
	EVP_PKEY *pk = testkey_rsa_next ();
	uint8_t want[TSR_FPR_LEN], got[TSR_FPR_LEN];
	unsigned char *der = NULL, *cert = NULL;
	int n;

	ck_assert_ptr_nonnull (pk);
	n = i2d_PUBKEY (pk, &der);
	ck_assert_int_gt (n, 0);
	sha1 (der, (size_t)n, want);
	ck_assert (tsr_fpr_of_spki (der, (size_t)n, got));
	ck_assert_mem_eq (got, want, TSR_FPR_LEN);
	n = cert_for (pk, &cert);
	ck_assert (tsr_fpr_of_cert (cert, (size_t)n, got));
	ck_assert_mem_eq (got, want, TSR_FPR_LEN);
	OPENSSL_free (cert);
	OPENSSL_free (der);
	EVP_PKEY_free (pk);
}
END_TEST

START_TEST (test_distinct_and_malformed)
{
	EVP_PKEY *other = EVP_PKEY_Q_keygen (NULL, NULL, "EC", "P-256");
	uint8_t a[TSR_FPR_LEN], b[TSR_FPR_LEN], *spki, *longer;
	unsigned char *der = NULL;
	size_t spki_len;
	int n;

	spki = card_spki (&spki_len);
	ck_assert (tsr_fpr_of_spki (spki, spki_len, a));
	ck_assert_ptr_nonnull (other);
	n = i2d_PUBKEY (other, &der);
	ck_assert (tsr_fpr_of_spki (der, (size_t)n, b));
	ck_assert (memcmp (a, b, TSR_FPR_LEN) != 0);
	/* trailing bytes, a truncated SPKI, a point off the curve, nothing at all */
	longer = malloc (spki_len + 1);
	ck_assert_ptr_nonnull (longer);
	memcpy (longer, spki, spki_len);
	longer[spki_len] = 0;
	ck_assert (!tsr_fpr_of_spki (longer, spki_len + 1, b));
	ck_assert (!tsr_fpr_of_spki (spki, spki_len - 1, b));
	spki[spki_len - 1] ^= 1;
	ck_assert (!tsr_fpr_of_spki (spki, spki_len, b));
	ck_assert (!tsr_fpr_of_spki (NULL, 0, b));
	ck_assert (!tsr_fpr_of_cert (spki, spki_len, b));
	ck_assert (!tsr_fpr_of_ec_point (p256, sizeof p256, point, 0, b));
	ck_assert (!tsr_fpr_of_ec_point (point, sizeof point, point, sizeof point, b));   /* not an OID */
	free (longer);
	free (spki);
	OPENSSL_free (der);
	EVP_PKEY_free (other);
}
END_TEST

/* The key objects of a slot with a certificate carry the certificate's SPKI as it is. */
START_TEST (test_objects_keep_cert_spki)
{
	static const struct card_slot slot82 = { 0x82, 0x05, "Retired Certificate 1", "RETIRED KEY 1",
		CARD_USE_DECRYPT, 0, CARD_PIN_POLICY_ONCE, CARD_ALG_BIT (CARD_ALG_EC_P256), CARD_SLOT_SPARE, 0 };
	struct card card;
	struct tsr_object **objs = NULL;
	struct card_key key;
	uint8_t *spki;
	unsigned char *cert = NULL;
	const unsigned char *p;
	size_t spki_len, n = 0, i, keys = 0;
	EVP_PKEY *pk;
	uint8_t want[TSR_FPR_LEN], got[TSR_FPR_LEN];

	spki = card_spki (&spki_len);
	p = spki;
	pk = d2i_PUBKEY (NULL, &p, (long)spki_len);
	ck_assert_ptr_nonnull (pk);
	memset (&key, 0, sizeof key);
	memset (&card, 0, sizeof card);
	card.slots = &slot82;
	card.n_slots = 1;
	key.ref = 0x82;
	key.has_key = 1;
	key.alg = CARD_ALG_EC_P256;
	key.cert_len = (size_t)cert_for (pk, &cert);
	key.cert_der = cert;
	key.spki_der = spki;
	key.spki_len = spki_len;
	ck_assert_int_eq (tsr_objects_from_card_key (&card, &key, 1, &objs, &n), CKR_OK);
	ck_assert_uint_eq (n, 3);
	sha1 (spki, spki_len, want);
	for (i = 0; i < n; i++) {
		const CK_ATTRIBUTE *a = tsr_attr_find (objs[i], CKA_PUBLIC_KEY_INFO);
		ck_assert_ptr_nonnull (a);
		ck_assert_uint_eq (a->ulValueLen, spki_len);
		ck_assert_mem_eq (a->pValue, spki, spki_len);
		ck_assert (tsr_fpr_of_spki (a->pValue, a->ulValueLen, got));
		ck_assert_mem_eq (got, want, TSR_FPR_LEN);
		keys += objs[i]->klass != CKO_CERTIFICATE;
		tsr_object_free (objs[i]);
	}
	ck_assert_uint_eq (keys, 2);
	free (objs);
	OPENSSL_free (cert);
	EVP_PKEY_free (pk);
	free (spki);
}
END_TEST

/* Ed25519 and X25519 (RFC 8410): the SPKI is the algorithm OID without parameters and
 * the 32 bytes of the key; the same key from CKA_EC_PARAMS (OID, or PKCS #11 3.0's curve
 * name) and CKA_EC_POINT (DER OCTET STRING, or raw), and from a certificate. */
static void
check_ecx (const uint8_t oid[5], const char *name, const uint8_t key[32])
{
	uint8_t spki[44] = { 0x30, 0x2a, 0x30, 0x05 }, want[TSR_FPR_LEN], got[TSR_FPR_LEN];
	uint8_t wrapped[34] = { 0x04, 0x20 }, params[16];
	unsigned char *cert = NULL;
	const unsigned char *p = spki;
	size_t name_len = strlen (name);
	EVP_PKEY *pk;
	int n;

	memcpy (spki + 4, oid, 5);
	memcpy (spki + 9, "\x03\x21\x00", 3);
	memcpy (spki + 12, key, 32);
	sha1 (spki, sizeof spki, want);
	ck_assert (tsr_fpr_of_spki (spki, sizeof spki, got));
	ck_assert_mem_eq (got, want, TSR_FPR_LEN);
	memcpy (wrapped + 2, key, 32);
	memset (got, 0, sizeof got);
	ck_assert (tsr_fpr_of_ec_point (oid, 5, wrapped, sizeof wrapped, got));
	ck_assert_mem_eq (got, want, TSR_FPR_LEN);
	memset (got, 0, sizeof got);
	ck_assert (tsr_fpr_of_ec_point (oid, 5, key, 32, got));
	ck_assert_mem_eq (got, want, TSR_FPR_LEN);
	params[0] = 0x13;
	params[1] = (uint8_t)name_len;
	memcpy (params + 2, name, name_len);
	memset (got, 0, sizeof got);
	ck_assert (tsr_fpr_of_ec_point (params, name_len + 2, wrapped, sizeof wrapped, got));
	ck_assert_mem_eq (got, want, TSR_FPR_LEN);
	/* not a key of the curve: refused */
	ck_assert (!tsr_fpr_of_ec_point (oid, 5, key, 31, got));
	/* from a certificate for the key */
	pk = d2i_PUBKEY (NULL, &p, sizeof spki);
	ck_assert_ptr_nonnull (pk);
	n = cert_for (pk, &cert);
	memset (got, 0, sizeof got);
	ck_assert (tsr_fpr_of_cert (cert, (size_t)n, got));
	ck_assert_mem_eq (got, want, TSR_FPR_LEN);
	OPENSSL_free (cert);
	EVP_PKEY_free (pk);
}

START_TEST (test_ed25519_x25519)
{
	/* RFC 8032 7.1 test 1's public key; RFC 7748 6.1 Alice's public key */
	static const uint8_t ed[32] = {
		0xd7, 0x5a, 0x98, 0x01, 0x82, 0xb1, 0x0a, 0xb7, 0xd5, 0x4b, 0xfe, 0xd3, 0xc9, 0x64, 0x07, 0x3a,
		0x0e, 0xe1, 0x72, 0xf3, 0xda, 0xa6, 0x23, 0x25, 0xaf, 0x02, 0x1a, 0x68, 0xf7, 0x07, 0x51, 0x1a,
	};
	static const uint8_t x[32] = {
		0x85, 0x20, 0xf0, 0x09, 0x89, 0x30, 0xa7, 0x54, 0x74, 0x8b, 0x7d, 0xdc, 0xb4, 0x3e, 0xf7, 0x5a,
		0x0d, 0xbf, 0x3a, 0x0d, 0x26, 0x38, 0x1a, 0xf4, 0xeb, 0xa4, 0xa9, 0x8e, 0xaa, 0x9b, 0x4e, 0x6a,
	};
	static const uint8_t ed_oid[5] = { 0x06, 0x03, 0x2b, 0x65, 0x70 };
	static const uint8_t x_oid[5] = { 0x06, 0x03, 0x2b, 0x65, 0x6e };
	uint8_t a[TSR_FPR_LEN], b[TSR_FPR_LEN];

	check_ecx (ed_oid, "edwards25519", ed);
	check_ecx (x_oid, "curve25519", x);
	/* the same 32 bytes as an Ed25519 and as an X25519 key: two keys */
	ck_assert (tsr_fpr_of_ec_point (ed_oid, 5, x, 32, a));
	ck_assert (tsr_fpr_of_ec_point (x_oid, 5, x, 32, b));
	ck_assert (memcmp (a, b, TSR_FPR_LEN) != 0);
}
END_TEST

static Suite *
keyfpr_suite (void)
{
	Suite *s = suite_create ("keyfpr");
	TCase *tc = tcase_create ("fingerprint");

	tcase_add_checked_fixture (tc, setup, teardown);
	tcase_add_test (tc, test_ec_every_way);
	tcase_add_test (tc, test_rsa);
	tcase_add_test (tc, test_ed25519_x25519);
	tcase_add_test (tc, test_distinct_and_malformed);
	tcase_add_test (tc, test_objects_keep_cert_spki);
	suite_add_tcase (s, tc);
	return s;
}

int
main (void)
{
	SRunner *sr = srunner_create (keyfpr_suite ());
	int failed;

	srunner_run_all (sr, CK_ENV);
	failed = srunner_ntests_failed (sr);
	srunner_free (sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
