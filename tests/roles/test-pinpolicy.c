/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tests/roles/test-pinpolicy.c: the PIN rules of src/pinpolicy.c, one example per
 * clause of the FIPS rule (NSS "Roles and services") and of the card's own rules.
 */
#include "config.h"

#include "src/pinpolicy.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

static CK_RV
fips (const char *pin)
{
	return tsr_pin_fips_check ((const uint8_t *)pin, strlen (pin));
}

START_TEST (test_fips_length)
{
	ck_assert_uint_eq (fips (""), CKR_PIN_LEN_RANGE);
	ck_assert_uint_eq (fips ("aB3$xy"), CKR_PIN_LEN_RANGE);       /* 6: too short */
	ck_assert_uint_eq (fips ("aB3$xyz"), CKR_OK);                 /* 7, four classes */
	/* length counts characters: 6 characters in 7 bytes is still too short */
	ck_assert_uint_eq (fips ("ab3$x\xc3\xa9"), CKR_PIN_LEN_RANGE);
}
END_TEST

START_TEST (test_fips_classes)
{
	ck_assert_uint_eq (fips ("abcdefgh"), CKR_PIN_INVALID);       /* one class */
	ck_assert_uint_eq (fips ("abcd1234"), CKR_PIN_INVALID);       /* two: lower, digit (last 4 free) */
	ck_assert_uint_eq (fips ("abc12de3"), CKR_PIN_INVALID);       /* two: the final digit is free */
	ck_assert_uint_eq (fips ("ab1cd2e3"), CKR_PIN_INVALID);       /* digits not last still lower+digit */
	ck_assert_uint_eq (fips ("abc1DEf"), CKR_OK);                 /* lower, digit, upper */
	ck_assert_uint_eq (fips ("abc-def1"), CKR_PIN_INVALID);       /* lower, other; the 1 is free */
	ck_assert_uint_eq (fips ("abc-de1f"), CKR_OK);                /* lower, other, digit */
}
END_TEST

START_TEST (test_fips_first_upper)
{
	ck_assert_uint_eq (fips ("Abcdef1"), CKR_PIN_INVALID);        /* "Password1": A and 1 are free */
	ck_assert_uint_eq (fips ("Abcdef12"), CKR_PIN_INVALID);       /* lower + digit (2 is free, 1 counts) */
	ck_assert_uint_eq (fips ("Abc-ef1"), CKR_PIN_INVALID);        /* lower + other */
	ck_assert_uint_eq (fips ("AbCdef1"), CKR_PIN_INVALID);        /* lower + upper (the inner C) */
	ck_assert_uint_eq (fips ("AbC-ef1"), CKR_OK);                 /* lower, upper, other */
	ck_assert_uint_eq (fips ("aBcdef1"), CKR_PIN_INVALID);        /* lower + upper: the 1 is free */
	ck_assert_uint_eq (fips ("aBcd1ef"), CKR_OK);                 /* lower, upper, digit */
}
END_TEST

START_TEST (test_fips_last_digit)
{
	ck_assert_uint_eq (fips ("abc-def9"), CKR_PIN_INVALID);       /* lower + other */
	ck_assert_uint_eq (fips ("abc-de9f"), CKR_OK);
	ck_assert_uint_eq (fips ("1abc-def"), CKR_OK);                /* a first digit counts */
}
END_TEST

START_TEST (test_fips_non_ascii)
{
	ck_assert_uint_eq (fips ("abcd\xc3\xa9" "fg"), CKR_PIN_INVALID);   /* lower + non-ASCII */
	ck_assert_uint_eq (fips ("abc\xc3\xa9" "1fg"), CKR_OK);            /* lower, non-ASCII, digit */
	ck_assert_uint_eq (fips ("\xc3\xa9\xc3\xa9\xc3\xa9" "-" "\xc3\xa9" "aa"), CKR_OK); /* é, other, lower */
}
END_TEST

/* A driver whose card takes no byte 0xFF in a PIN (as PIV, which pads with it). */
static card_rv
stub_check_pin (struct card *card, enum card_pin which, const uint8_t *pin, size_t len)
{
	(void)card;
	(void)which;
	return memchr (pin, 0xFF, len) != NULL ? CARD_E_PIN_INVALID : CARD_OK;
}

static const struct card_driver stub_driver = { .name = "stub", .check_pin = stub_check_pin };

START_TEST (test_card_rules)
{
	struct tsr_token token;
	struct card card;

	memset (&token, 0, sizeof token);
	memset (&card, 0, sizeof card);
	/* without a driver's check, only the lengths of the card's information count */
	token.info.pin_min = 6;
	token.info.pin_max = 8;
	ck_assert_uint_eq (tsr_pin_card_check (&token, CARD_PIN_USER, (const uint8_t *)"123\xff" "56", 6), CKR_OK);
	card.driver = &stub_driver;
	token.card = &card;
	token.info.pin_min = 6;
	token.info.pin_max = 8;
	token.info.puk_min = 6;
	token.info.puk_max = 8;
	ck_assert_uint_eq (tsr_pin_card_check (&token, CARD_PIN_USER, (const uint8_t *)"12345", 5), CKR_PIN_LEN_RANGE);
	ck_assert_uint_eq (tsr_pin_card_check (&token, CARD_PIN_USER, (const uint8_t *)"123456789", 9), CKR_PIN_LEN_RANGE);
	ck_assert_uint_eq (tsr_pin_card_check (&token, CARD_PIN_USER, (const uint8_t *)"123456", 6), CKR_OK);
	ck_assert_uint_eq (tsr_pin_card_check (&token, CARD_PIN_SO, (const uint8_t *)"12345678", 8), CKR_OK);
	ck_assert_uint_eq (tsr_pin_card_check (&token, CARD_PIN_USER, (const uint8_t *)"123\xff" "56", 6), CKR_PIN_INVALID);
	/* fips on top: a good FIPS PIN longer than PIV's 8 bytes is still out of range */
	ck_assert_uint_eq (tsr_pin_new_check (&token, TSR_PIN_POLICY_FIPS, CARD_PIN_USER,
	                                      (const uint8_t *)"abC-de1fg", 9), CKR_PIN_LEN_RANGE);
	ck_assert_uint_eq (tsr_pin_new_check (&token, TSR_PIN_POLICY_FIPS, CARD_PIN_USER,
	                                      (const uint8_t *)"123456", 6), CKR_PIN_LEN_RANGE);
	ck_assert_uint_eq (tsr_pin_new_check (&token, TSR_PIN_POLICY_FIPS, CARD_PIN_USER,
	                                      (const uint8_t *)"1234567", 7), CKR_PIN_INVALID);
	ck_assert_uint_eq (tsr_pin_new_check (&token, TSR_PIN_POLICY_CARD, CARD_PIN_USER,
	                                      (const uint8_t *)"1234567", 7), CKR_OK);
	ck_assert_uint_eq (tsr_pin_new_check (&token, TSR_PIN_POLICY_FIPS, CARD_PIN_USER,
	                                      (const uint8_t *)"abC-de1f", 8), CKR_OK);
}
END_TEST

START_TEST (test_so_pin_is_key)
{
	uint8_t key[TSR_CONF_MAX_KEY];
	size_t len = 0;

	ck_assert (tsr_so_pin_is_key ((const uint8_t *)"010203040506070801020304050607080102030405060708", 48, key, &len));
	ck_assert_uint_eq (len, 24);
	ck_assert (!tsr_so_pin_is_key ((const uint8_t *)"12345678", 8, key, &len));
}
END_TEST

int
main (void)
{
	Suite *s = suite_create ("pinpolicy");
	TCase *tc = tcase_create ("pinpolicy");
	SRunner *sr;
	int failed;

	tcase_add_test (tc, test_fips_length);
	tcase_add_test (tc, test_fips_classes);
	tcase_add_test (tc, test_fips_first_upper);
	tcase_add_test (tc, test_fips_last_digit);
	tcase_add_test (tc, test_fips_non_ascii);
	tcase_add_test (tc, test_card_rules);
	tcase_add_test (tc, test_so_pin_is_key);
	suite_add_tcase (s, tc);
	sr = srunner_create (s);
	srunner_run_all (sr, CK_ENV);
	failed = srunner_ntests_failed (sr);
	srunner_free (sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
