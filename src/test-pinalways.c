/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * src/test-pinalways.c: PIN-always keys (CKA_ALWAYS_AUTHENTICATE, the mock's 9C)
 * and the mechanisms NSS chooses by. By default the combined hash-and-sign
 * mechanisms of the PIN-always key's type are shown without CKF_SIGN, so NSS
 * hashes itself and signs single-part, where it does the context-specific login;
 * C_SignInit still takes them. With pin_always_keys = login_pin the module
 * verifies the login PIN before each use instead (one VERIFY per signature, no
 * context-specific login, CKA_ALWAYS_AUTHENTICATE FALSE).
 */
#include "config.h"

#include "src/test-mock.h"
#include "src/test-p11.h"
#include "src/conf.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static CK_FUNCTION_LIST_PTR f;
static CK_SLOT_ID slot;
static CK_SESSION_HANDLE sess;
static CK_UTF8CHAR pin[] = MOCK_PIN;
static char conf_path[] = "/tmp/tessera-pinalways-XXXXXX";

/* Initialise as NSS does, with the configuration line CONF (NULL: no file). */
static void
init_with_conf (const char *conf)
{
	FILE *fp;
	int fd;

	if (conf != NULL) {
		strcpy (conf_path, "/tmp/tessera-pinalways-XXXXXX");
		fd = mkstemp (conf_path);
		ck_assert_int_ge (fd, 0);
		fp = fdopen (fd, "w");
		ck_assert_ptr_nonnull (fp);
		fprintf (fp, "%s\n", conf);
		fclose (fp);
		setenv ("TESSERA_CONF", conf_path, 1);
	} else {
		setenv ("TESSERA_CONF", "/nonexistent/tessera.conf", 1);
	}
	mock_open_session (MOCK_PROFILE_PIV, &f, &slot, &sess);
}

static void
setup_default (void)
{
	init_with_conf (NULL);
}

static void
setup_login_pin (void)
{
	init_with_conf ("pin_always_keys = login_pin");
}

static void
teardown (void)
{
	if (tsr.initialized)
		f->C_Finalize (NULL);
	unsetenv ("TESSERA_CONF");
	if (strchr (conf_path, 'X') == NULL)
		unlink (conf_path);
}

static CK_FLAGS
mech_flags (CK_MECHANISM_TYPE type)
{
	CK_MECHANISM_INFO info;

	ck_assert_int_eq (f->C_GetMechanismInfo (slot, type, &info), CKR_OK);
	return info.flags;
}

static bool
listed (CK_MECHANISM_TYPE type)
{
	CK_MECHANISM_TYPE list[64];
	CK_ULONG n = 64, i;

	ck_assert_int_eq (f->C_GetMechanismList (slot, list, &n), CKR_OK);
	for (i = 0; i < n; i++) {
		if (list[i] == type)
			return true;
	}
	return false;
}

/* Multi-part CKM_ECDSA_SHA256 with KEY (as modern NSS does with a combined mechanism);
 * CONTEXT: log in for the operation first. The C_SignFinal result. */
static CK_RV
sign_multipart (CK_OBJECT_HANDLE key, bool context, CK_BYTE *sig, CK_ULONG *len)
{
	CK_MECHANISM m = { CKM_ECDSA_SHA256, NULL, 0 };
	CK_BYTE part1[] = "TLS 1.3, client ", part2[] = "CertificateVerify";

	ck_assert_int_eq (f->C_SignInit (sess, &m, key), CKR_OK);
	if (context)
		ck_assert_int_eq (f->C_Login (sess, CKU_CONTEXT_SPECIFIC, pin, 6), CKR_OK);
	ck_assert_int_eq (f->C_SignUpdate (sess, part1, sizeof part1 - 1), CKR_OK);
	ck_assert_int_eq (f->C_SignUpdate (sess, part2, sizeof part2 - 1), CKR_OK);
	return f->C_SignFinal (sess, sig, len);
}

static void
verify_multipart (CK_BYTE *sig, CK_ULONG len)
{
	CK_MECHANISM m = { CKM_ECDSA_SHA256, NULL, 0 };
	CK_BYTE msg[] = "TLS 1.3, client CertificateVerify";

	ck_assert_int_eq (f->C_VerifyInit (sess, &m, p11_find (f, sess, CKO_PUBLIC_KEY, 2)), CKR_OK);
	ck_assert_int_eq (f->C_Verify (sess, msg, sizeof msg - 1, sig, len), CKR_OK);
}

static bool
always_authenticate (CK_OBJECT_HANDLE key)
{
	CK_BBOOL v = CK_FALSE;
	CK_ATTRIBUTE a = { CKA_ALWAYS_AUTHENTICATE, &v, sizeof v };

	ck_assert_int_eq (f->C_GetAttributeValue (sess, key, &a, 1), CKR_OK);
	return v == CK_TRUE;
}

START_TEST (test_default_mechanisms)
{
	CK_FLAGS ec = mech_flags (CKM_ECDSA_SHA256);

	/* the token holds a PIN-always EC key (9C): ECDSA with hashing verifies only */
	ck_assert (!(ec & CKF_SIGN));
	ck_assert (ec & CKF_VERIFY);
	ck_assert (!(mech_flags (CKM_ECDSA_SHA384) & CKF_SIGN));
	ck_assert (listed (CKM_ECDSA_SHA256));
	/* the single-part mechanisms NSS then uses, and RSA's (no PIN-always RSA key), sign */
	ck_assert (mech_flags (CKM_ECDSA) & CKF_SIGN);
	ck_assert (mech_flags (CKM_SHA256_RSA_PKCS_PSS) & CKF_SIGN);
	ck_assert (mech_flags (CKM_SHA256_RSA_PKCS) & CKF_SIGN);
	ck_assert (mech_flags (CKM_RSA_PKCS_PSS) & CKF_SIGN);
	ck_assert (mech_flags (CKM_ECDH1_DERIVE) & CKF_DERIVE);
}
END_TEST

START_TEST (test_default_pin_per_signature)
{
	CK_OBJECT_HANDLE k9c, k9e;
	CK_BYTE sig[128];
	CK_ULONG len = sizeof sig;
	int verifies;

	ck_assert_int_eq (f->C_Login (sess, CKU_USER, pin, 6), CKR_OK);
	k9c = p11_find (f, sess, CKO_PRIVATE_KEY, 2);
	k9e = p11_find (f, sess, CKO_PRIVATE_KEY, 4);
	ck_assert (always_authenticate (k9c));
	ck_assert (!always_authenticate (k9e));
	/* what Firefox 153 did before: multi-part without the context-specific login */
	ck_assert_int_eq (sign_multipart (k9c, false, sig, &len), CKR_USER_NOT_LOGGED_IN);
	/* an application that picks the combined mechanism and logs in still signs */
	verifies = mock.verify_calls;
	len = sizeof sig;
	ck_assert_int_eq (sign_multipart (k9c, true, sig, &len), CKR_OK);
	ck_assert_int_ge (mock.verify_calls, verifies + 1);
	verify_multipart (sig, len);
	/* a key without PIN-always signs with it as before (not offered is not refused) */
	len = sizeof sig;
	ck_assert_int_eq (sign_multipart (k9e, false, sig, &len), CKR_OK);
}
END_TEST

START_TEST (test_login_pin_mode)
{
	CK_OBJECT_HANDLE k9c;
	CK_BYTE sig[128];
	CK_ULONG len = sizeof sig;
	int verifies, i;

	/* no context-specific login is needed, so the combined mechanisms are offered */
	ck_assert (mech_flags (CKM_ECDSA_SHA256) & CKF_SIGN);
	ck_assert_int_eq (f->C_Login (sess, CKU_USER, pin, 6), CKR_OK);
	k9c = p11_find (f, sess, CKO_PRIVATE_KEY, 2);
	ck_assert (!always_authenticate (k9c));
	for (i = 0; i < 2; i++) {
		/* each signature: the module verifies the login PIN right before (the card's policy) */
		verifies = mock.verify_calls;
		len = sizeof sig;
		ck_assert_int_eq (sign_multipart (k9c, false, sig, &len), CKR_OK);
		ck_assert_int_eq (mock.verify_calls, verifies + 1);
		verify_multipart (sig, len);
	}
	/* an application that still logs in for the operation: its PIN is used */
	len = sizeof sig;
	ck_assert_int_eq (sign_multipart (k9c, true, sig, &len), CKR_OK);
	/* never without the user's login */
	ck_assert_int_eq (f->C_Logout (sess), CKR_OK);
	len = sizeof sig;
	ck_assert_int_eq (f->C_SignInit (sess, &(CK_MECHANISM){ CKM_ECDSA, NULL, 0 }, k9c), CKR_USER_NOT_LOGGED_IN);
}
END_TEST

START_TEST (test_conf_values)
{
	struct tsr_conf c;

	tsr_conf_defaults (&c);
	ck_assert_int_eq (c.pin_always_keys, TSR_PIN_ALWAYS_ASK);
	tsr_conf_parse_line (&c, "t", 1, "pin_always_keys = login_pin");
	ck_assert_int_eq (c.pin_always_keys, TSR_PIN_ALWAYS_LOGIN_PIN);
	tsr_conf_parse_line (&c, "t", 2, "pin_always_keys = sometimes");   /* logged, ignored */
	ck_assert_int_eq (c.pin_always_keys, TSR_PIN_ALWAYS_LOGIN_PIN);
	tsr_conf_parse_line (&c, "t", 3, "  pin_always_keys=ask  # the default");
	ck_assert_int_eq (c.pin_always_keys, TSR_PIN_ALWAYS_ASK);
	tsr_conf_clear (&c);
}
END_TEST

static Suite *
pinalways_suite (void)
{
	Suite *s = suite_create ("pinalways");
	TCase *tc = tcase_create ("default");
	TCase *tl = tcase_create ("login_pin");
	TCase *tconf = tcase_create ("conf");

	tcase_add_checked_fixture (tc, setup_default, teardown);
	tcase_add_test (tc, test_default_mechanisms);
	tcase_add_test (tc, test_default_pin_per_signature);
	suite_add_tcase (s, tc);
	tcase_add_checked_fixture (tl, setup_login_pin, teardown);
	tcase_add_test (tl, test_login_pin_mode);
	suite_add_tcase (s, tl);
	tcase_add_test (tconf, test_conf_values);
	suite_add_tcase (s, tconf);
	return s;
}

int
main (void)
{
	SRunner *sr = srunner_create (pinalways_suite ());
	int failed;

	srunner_run_all (sr, CK_ENV);
	failed = srunner_ntests_failed (sr);
	srunner_free (sr);
	mock_teardown ();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
