/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * src/test-cache.c: the card cache's rules (cache.h): what is written comes back; a file
 * that is not exactly what this version writes, or another card's, is ignored whole;
 * empty spare slots are believed only for the same insertion and for ten minutes; slots
 * with a purpose are always probed; a key's metadata is used only for the same key.
 */
#include "config.h"

#include "src/cache.h"
#include "src/store.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

static char dir[64];

static const struct card_slot slots[] = {
	{ 0x9A, 1, "Cert A", "A", CARD_USE_SIGN, 0, CARD_PIN_POLICY_ONCE, ~0u, 0, 0 },
	{ 0x82, 5, "Spare 1", "S1", CARD_USE_DECRYPT, 0, CARD_PIN_POLICY_ONCE, ~0u, CARD_SLOT_SPARE, 0 },
	{ 0x83, 6, "Spare 2", "S2", CARD_USE_DECRYPT, 0, CARD_PIN_POLICY_ONCE, ~0u, CARD_SLOT_SPARE, 0 },
};

static void
setup (void)
{
	snprintf (dir, sizeof dir, "/tmp/tessera-cache-test.XXXXXX");
	ck_assert_ptr_nonnull (mkdtemp (dir));
	setenv ("TESSERA_CACHE_DIR", dir, 1);
	unsetenv ("TESSERA_REFRESH");
	ck_assert_int_eq (tsr_ossl_init (), CKR_OK);   /* fingerprints hash in the module's context */
}

static void
teardown (void)
{
	char cmd[128];

	snprintf (cmd, sizeof cmd, "rm -rf '%s'", dir);
	ck_assert_int_eq (system (cmd), 0);
	tsr_ossl_free ();
}

static void
write_file (const char *name, const char *text)
{
	char path[256];
	FILE *fp;

	snprintf (path, sizeof path, "%s/%s", dir, name);
	fp = fopen (path, "w");
	ck_assert_ptr_nonnull (fp);
	fputs (text, fp);
	fclose (fp);
}

/* A self-signed certificate of a new P-256 key, DER. Owned by the caller (free()). */
static uint8_t *
make_cert (size_t *len)
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen (NULL, NULL, "EC", "P-256");
	X509 *x = X509_new ();
	unsigned char *der = NULL;
	uint8_t *out;
	int n;

	X509_set_version (x, 2);
	X509_gmtime_adj (X509_getm_notBefore (x), 0);
	X509_gmtime_adj (X509_getm_notAfter (x), 3600);
	X509_set_pubkey (x, k);
	X509_sign (x, k, EVP_sha256 ());
	n = i2d_X509 (x, &der);
	ck_assert_int_gt (n, 0);
	out = malloc ((size_t)n);
	memcpy (out, der, (size_t)n);
	*len = (size_t)n;
	OPENSSL_free (der);
	X509_free (x);
	EVP_PKEY_free (k);
	return out;
}

static struct card
card_of_slots (void)
{
	struct card card;

	memset (&card, 0, sizeof card);
	card.slots = slots;
	card.n_slots = sizeof slots / sizeof slots[0];
	return card;
}

/* Two applications of one card may share a serial: their files are apart. */
START_TEST (test_store_id_per_application)
{
	static const struct card_driver a = { .name = "piv" }, b = { .name = "openpgp" };
	struct card ca, cb;
	char ida[64], idb[64], pa[4096], pb[4096];

	memset (&ca, 0, sizeof ca);
	memset (&cb, 0, sizeof cb);
	ca.driver = &a;
	cb.driver = &b;
	snprintf (ca.info.serial, sizeof ca.info.serial, "12345678");
	snprintf (cb.info.serial, sizeof cb.info.serial, "12345678");
	tsr_store_card_id (&ca, ida, sizeof ida);
	tsr_store_card_id (&cb, idb, sizeof idb);
	ck_assert_str_eq (ida, "piv-12345678");
	ck_assert_str_eq (idb, "openpgp-12345678");
	ck_assert (tsr_store_path ("card", ida, pa, sizeof pa, false));
	ck_assert (tsr_store_path ("card", idb, pb, sizeof pb, false));
	ck_assert_str_ne (pa, pb);
	cb.info.serial[0] = '\0';   /* no serial: no files */
	tsr_store_card_id (&cb, idb, sizeof idb);
	ck_assert_str_eq (idb, "");
	ck_assert (!tsr_store_path ("card", idb, pb, sizeof pb, false));
}
END_TEST

START_TEST (test_round_trip_and_mode)
{
	struct tsr_cache c, back;
	struct card_key key;
	char path[256];
	struct stat st;
	size_t len;

	tsr_cache_load ("4711", &c);
	ck_assert_int_eq (c.probed_at, 0);
	ck_assert_int_eq (c.has_index, -1);
	c.probed_at = 1000;
	snprintf (c.insertion, sizeof c.insertion, "Reader 0#3");
	c.has_index = 0;
	CARD_REF_BIT_SET (c.empty, 0x83);
	c.admin_protected = 1;
	memset (&key, 0, sizeof key);
	key.ref = 0x9A;
	key.has_key = 1;
	key.meta_known = 1;
	key.alg = CARD_ALG_EC_P256;
	key.pin_policy = CARD_PIN_POLICY_ALWAYS;
	key.touch_policy = CARD_TOUCH_POLICY_CACHED;
	key.origin_generated = 0;
	key.cert_der = make_cert (&len);
	key.cert_len = len;
	tsr_cache_put_meta (&c, &key);
	ck_assert (tsr_cache_save (&c));
	snprintf (path, sizeof path, "%s/card-4711", dir);
	ck_assert_int_eq (stat (path, &st), 0);
	ck_assert_uint_eq (st.st_mode & 0777, 0600);

	tsr_cache_load ("4711", &back);
	ck_assert_int_eq (back.probed_at, 1000);
	ck_assert_str_eq (back.insertion, "Reader 0#3");
	ck_assert_int_eq (back.has_index, 0);
	ck_assert_uint_eq (CARD_REF_BIT (back.empty, 0x83), 1);
	ck_assert_uint_eq (CARD_REF_BIT (back.empty, 0x82), 0);
	ck_assert_int_eq (back.admin_protected, 1);
	ck_assert_uint_eq (back.n_meta, 1);
	ck_assert_int_eq (back.meta[0].pin, CARD_PIN_POLICY_ALWAYS);
	ck_assert_int_eq (back.meta[0].touch, CARD_TOUCH_POLICY_CACHED);
	ck_assert_int_eq (back.meta[0].origin, 0);
	card_keys_clear (&key);
}
END_TEST

/* Not exactly this version's file, or another card's: ignored whole. */
START_TEST (test_bad_files_ignored)
{
	static const char *bad[] = {
		"tessera-card-cache 2\nserial 34373131\nadmin 1\n",                   /* other version */
		"tessera-card-cache 1\nserial 31\nadmin 1\n",                         /* other card */
		"tessera-card-cache 1\nserial 34373131\nadmin 1\nbogus line\n",       /* unknown line */
		"tessera-card-cache 1\nserial 34373131\nadmin 7\n",                   /* out of range */
		"tessera-card-cache 1\nserial 34373131\nempty 9a 1zz\n",              /* not hex */
		"tessera-card-cache 1\nserial 34373131\nmeta 9a 00 1 1 1 1\n",        /* short fingerprint */
		"tessera-card-cache 1\nserial 34373131\nprobed -5 2d 0\n",            /* negative time */
		"tessera-card-cache 1\n",                                            /* no serial */
		"",
	};
	struct tsr_cache c;
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		write_file ("card-4711", bad[i]);
		tsr_cache_load ("4711", &c);
		ck_assert_msg (c.admin_protected == -1 && c.probed_at == 0 && c.empty[0x9A >> 3] == 0,
		               "file %zu was trusted", i);
	}
	/* the good one, to show the loop above could have passed a file */
	write_file ("card-4711", "tessera-card-cache 1\nserial 34373131\nadmin 1\n");
	tsr_cache_load ("4711", &c);
	ck_assert_int_eq (c.admin_protected, 1);
}
END_TEST

/* The algorithms are stored as numbers: the newest (X25519) reads back, one past it is
 * refused like any other bad file. */
START_TEST (test_alg_range)
{
	static const char *fpr = "00112233445566778899aabbccddeeff00112233";
	char text[256];
	struct tsr_cache c;

	ck_assert_int_eq (CARD_ALG_X25519, 12);   /* stored numbers never move */
	snprintf (text, sizeof text, "tessera-card-cache 1\nserial 34373131\nmeta 01 %s %d 3 1 1\n", fpr,
	          (int)CARD_ALG_LAST);
	write_file ("card-4711", text);
	tsr_cache_load ("4711", &c);
	ck_assert_uint_eq (c.n_meta, 1);
	ck_assert_int_eq (c.meta[0].alg, CARD_ALG_X25519);
	snprintf (text, sizeof text, "tessera-card-cache 1\nserial 34373131\nmeta 01 %s %d 3 1 1\n", fpr,
	          (int)CARD_ALG_LAST + 1);
	write_file ("card-4711", text);
	tsr_cache_load ("4711", &c);
	ck_assert_uint_eq (c.n_meta, 0);
}
END_TEST

START_TEST (test_size_cap_and_nul)
{
	char big[20000], path[256];
	struct tsr_cache c;
	FILE *fp;

	memset (big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	memcpy (big, "tessera-card-cache 1\nserial 34373131\nadmin 1\n", 44);
	write_file ("card-4711", big);
	tsr_cache_load ("4711", &c);
	ck_assert_int_eq (c.admin_protected, -1);
	snprintf (path, sizeof path, "%s/card-4711", dir);
	fp = fopen (path, "w");
	fwrite ("tessera-card-cache 1\nserial 34373131\n\0admin 1\n", 1, 46, fp);
	fclose (fp);
	tsr_cache_load ("4711", &c);
	ck_assert_int_eq (c.admin_protected, -1);
}
END_TEST

/* Empty spare slots are believed for the same insertion, within ten minutes; slots with a
 * purpose never are. TESSERA_REFRESH: nothing is believed. */
START_TEST (test_hints_rules)
{
	struct card card = card_of_slots ();
	struct card_list_hints h;
	struct tsr_cache c;

	tsr_cache_load ("4711", &c);
	c.probed_at = (long long)time (NULL) - 5;
	snprintf (c.insertion, sizeof c.insertion, "R#1");
	c.has_index = 0;
	CARD_REF_BIT_SET (c.empty, 0x9A);
	CARD_REF_BIT_SET (c.empty, 0x82);
	tsr_cache_hints (&c, &card, "R#1", &h);
	ck_assert_uint_eq (CARD_REF_BIT (h.empty, 0x82), 1);
	ck_assert_uint_eq (CARD_REF_BIT (h.empty, 0x9A), 0);   /* a slot with a purpose */
	ck_assert_int_eq (h.no_index, 1);
	ck_assert_int_eq (h.lazy_meta, 1);
	tsr_cache_hints (&c, &card, "R#2", &h);                  /* the card was re-inserted */
	ck_assert_uint_eq (CARD_REF_BIT (h.empty, 0x82), 0);
	ck_assert_int_eq (h.no_index, 0);
	c.probed_at = (long long)time (NULL) - TSR_CACHE_EMPTY_TTL - 1;   /* too old */
	tsr_cache_hints (&c, &card, "R#1", &h);
	ck_assert_uint_eq (CARD_REF_BIT (h.empty, 0x82), 0);
	c.probed_at = (long long)time (NULL);
	ck_assert (tsr_cache_save (&c));
	setenv ("TESSERA_REFRESH", "1", 1);
	tsr_cache_load ("4711", &c);
	ck_assert_int_eq (c.probed_at, 0);
	unsetenv ("TESSERA_REFRESH");
	tsr_cache_load ("4711", &c);
	ck_assert_int_ne (c.probed_at, 0);
}
END_TEST

/* What list_keys probed becomes the beliefs; a full probe restarts the clock. */
START_TEST (test_note_list)
{
	struct card card = card_of_slots ();
	struct card_list_hints h;
	struct card_key key;
	struct tsr_cache c;

	tsr_cache_load ("4711", &c);
	tsr_cache_hints (&c, &card, "R#1", &h);
	CARD_REF_BIT_SET (h.probed, 0x82);
	CARD_REF_BIT_SET (h.probed, 0x83);
	h.has_index = 0;
	memset (&key, 0, sizeof key);
	key.ref = 0x83;
	key.has_key = 1;
	tsr_cache_note_list (&c, "R#1", &h, &key, 1);
	ck_assert_uint_eq (CARD_REF_BIT (c.empty, 0x82), 1);
	ck_assert_uint_eq (CARD_REF_BIT (c.empty, 0x83), 0);
	ck_assert_int_eq (c.has_index, 0);
	ck_assert_int_gt (c.probed_at, 0);
	ck_assert_str_eq (c.insertion, "R#1");
	/* the next open trusts 82 and does not restart the clock */
	c.probed_at -= 100;
	tsr_cache_hints (&c, &card, "R#1", &h);
	ck_assert_uint_eq (CARD_REF_BIT (h.empty, 0x82), 1);
	tsr_cache_note_list (&c, "R#1", &h, &key, 1);
	ck_assert_int_le (c.probed_at, (long long)time (NULL) - 100);
}
END_TEST

/* Metadata is used only for the key the cache saw in that slot. */
START_TEST (test_meta_same_key_only)
{
	struct tsr_cache c;
	struct card_key seen, now[2];
	size_t len;

	tsr_cache_load ("4711", &c);
	memset (&seen, 0, sizeof seen);
	seen.ref = 0x9A;
	seen.has_key = 1;
	seen.meta_known = 1;
	seen.pin_policy = CARD_PIN_POLICY_ALWAYS;
	seen.origin_generated = 1;
	seen.cert_der = make_cert (&len);
	seen.cert_len = len;
	tsr_cache_put_meta (&c, &seen);
	memset (now, 0, sizeof now);
	now[0].ref = 0x9A;                         /* the same certificate (key) */
	now[0].cert_der = malloc (len);
	memcpy (now[0].cert_der, seen.cert_der, len);
	now[0].cert_len = len;
	now[1].ref = 0x9A;                         /* another key in the slot */
	now[1].cert_der = make_cert (&now[1].cert_len);
	tsr_cache_apply_meta (&c, now, 2);
	ck_assert_int_eq (now[0].meta_known, 1);
	ck_assert_int_eq (now[0].pin_policy, CARD_PIN_POLICY_ALWAYS);
	ck_assert_int_eq (now[0].origin_generated, 1);
	ck_assert_int_eq (now[1].meta_known, 0);
	card_keys_clear (&seen);
	card_keys_clear (&now[0]);
	card_keys_clear (&now[1]);
}
END_TEST

int
main (void)
{
	Suite *s = suite_create ("cache");
	TCase *tc = tcase_create ("rules");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture (tc, setup, teardown);
	tcase_add_test (tc, test_store_id_per_application);
	tcase_add_test (tc, test_round_trip_and_mode);
	tcase_add_test (tc, test_bad_files_ignored);
	tcase_add_test (tc, test_size_cap_and_nul);
	tcase_add_test (tc, test_alg_range);
	tcase_add_test (tc, test_hints_rules);
	tcase_add_test (tc, test_note_list);
	tcase_add_test (tc, test_meta_same_key_only);
	suite_add_tcase (s, tc);
	sr = srunner_create (s);
	srunner_run_all (sr, CK_ENV);
	failed = srunner_ntests_failed (sr);
	srunner_free (sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
