/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tests/roles/test-conf.c: tessera.conf(5) parsing. Every malformed file gives the
 * defaults for what it got wrong, one log line saying so, and never a crash.
 */
#include "config.h"

#include "src/conf.h"
#include "src/log.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static char dir[] = "/tmp/tessera-conf.XXXXXX";
static char conf_path[256], log_path[256];
static struct tsr_conf conf;

static void
setup (void)
{
	ck_assert_ptr_nonnull (mkdtemp (dir));
	snprintf (conf_path, sizeof conf_path, "%s/tessera.conf", dir);
	snprintf (log_path, sizeof log_path, "%s/log", dir);
	setenv ("TESSERA_DEBUG", "conf", 1);
	setenv ("TESSERA_LOG", log_path, 1);
	tsr_log_configure ();
}

static void
teardown (void)
{
	tsr_conf_clear (&conf);
	tsr_log_close ();
	unlink (conf_path);
	unlink (log_path);
	rmdir (dir);
	memcpy (dir + strlen (dir) - 6, "XXXXXX", 6);
}

static void
write_conf (const char *text)
{
	FILE *f = fopen (conf_path, "w");

	ck_assert_ptr_nonnull (f);
	fputs (text, f);
	fclose (f);
}

/* Does the log contain NEEDLE? */
static bool
logged (const char *needle)
{
	char buf[8192];
	size_t n;
	FILE *f;

	tsr_log_close ();   /* flush */
	f = fopen (log_path, "r");
	if (f == NULL)
		return false;
	n = fread (buf, 1, sizeof buf - 1, f);
	fclose (f);
	buf[n] = '\0';
	tsr_log_configure ();
	return strstr (buf, needle) != NULL;
}

static const uint8_t key24[24] = {
	0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x01, 0x02, 0x03, 0x04,
	0x05, 0x06, 0x07, 0x08, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0xAA,
};

START_TEST (test_good_file)
{
	const struct tsr_conf_mgm_key *k;

	write_conf ("# tessera\n\n  pin_policy = fips   # comment\n"
	            "default_management_key=deny\r\n"
	            "management_key.12345678 = 0102030405060708010203040506070801020304050607aa\n"
	            "management_key.999 = 000102030405060708090a0b0c0d0e0f\n");
	tsr_conf_parse_file (conf_path, &conf);
	ck_assert_int_eq (conf.pin_policy, TSR_PIN_POLICY_FIPS);
	ck_assert (!conf.allow_default_mgm_key);
	ck_assert_uint_eq (conf.n_mgm_keys, 2);
	k = tsr_conf_mgm_key (&conf, "12345678");
	ck_assert_ptr_nonnull (k);
	ck_assert_uint_eq (k->key_len, 24);
	ck_assert_mem_eq (k->key, key24, 24);
	ck_assert_uint_eq (tsr_conf_mgm_key (&conf, "999")->key_len, 16);
	ck_assert_ptr_null (tsr_conf_mgm_key (&conf, "1234"));
	ck_assert (!logged ("ignored"));
	ck_assert (!logged ("0102030405060708"));   /* keys never logged */
}
END_TEST

START_TEST (test_reader_backend)
{
	write_conf ("reader_backend = ccid\n");
	tsr_conf_parse_file (conf_path, &conf);
	ck_assert_int_eq (conf.reader_backend, READER_CHOICE_CCID);
	write_conf ("reader_backend=pcsc\n");
	tsr_conf_parse_file (conf_path, &conf);
	ck_assert_int_eq (conf.reader_backend, READER_CHOICE_PCSC);
	write_conf ("reader_backend = usb\n");
	tsr_conf_parse_file (conf_path, &conf);
	ck_assert_int_eq (conf.reader_backend, READER_CHOICE_AUTO);
	ck_assert (logged ("reader_backend: \"usb\" is not pcsc, ccid or auto: default (auto) kept"));
}
END_TEST

START_TEST (test_missing_file)
{
	tsr_conf_parse_file ("/nonexistent/tessera.conf", &conf);
	ck_assert_int_eq (conf.pin_policy, TSR_PIN_POLICY_CARD);
	ck_assert (conf.allow_default_mgm_key);
	ck_assert_uint_eq (conf.n_mgm_keys, 0);
	ck_assert_int_eq (conf.reader_backend, READER_CHOICE_AUTO);
	ck_assert (logged ("/nonexistent/tessera.conf: No such file or directory: defaults used"));
}
END_TEST

START_TEST (test_unknown_key)
{
	write_conf ("pin_polcy = fips\npin_policy = fips\n");
	tsr_conf_parse_file (conf_path, &conf);
	ck_assert_int_eq (conf.pin_policy, TSR_PIN_POLICY_FIPS);
	ck_assert (logged ("tessera.conf:1: unknown key \"pin_polcy\": ignored"));
}
END_TEST

START_TEST (test_bad_values)
{
	write_conf ("pin_policy = FIPS-ish\ndefault_management_key = maybe\n"
	            "management_key.1 = 0102\nmanagement_key.2 = zz0102030405060708090a0b0c0d0e0f\n"
	            "management_key. = 000102030405060708090a0b0c0d0e0f\njust words\n= value\n");
	tsr_conf_parse_file (conf_path, &conf);
	ck_assert_int_eq (conf.pin_policy, TSR_PIN_POLICY_CARD);
	ck_assert (conf.allow_default_mgm_key);
	ck_assert_uint_eq (conf.n_mgm_keys, 0);
	ck_assert (logged (":1: pin_policy: \"FIPS-ish\" is neither card nor fips: default (card) kept"));
	ck_assert (logged (":2: default_management_key: \"maybe\" is neither allow nor deny"));
	ck_assert (logged (":3: management_key.1: not 32, 48 or 64 hex digits: line ignored"));
	ck_assert (logged (":4: management_key.2: not 32, 48 or 64 hex digits"));
	ck_assert (logged (":5: management_key.SERIAL: bad card serial"));
	ck_assert (logged (":6: not \"key = value\": ignored"));
	ck_assert (logged (":7: empty or overlong key: ignored"));
}
END_TEST

START_TEST (test_long_lines)
{
	size_t n = 100000;
	char *text = malloc (n + 64);

	ck_assert_ptr_nonnull (text);
	memcpy (text, "pin_policy = ", 13);
	memset (text + 13, 'x', n);
	strcpy (text + 13 + n, "\npin_policy = fips\n");
	write_conf (text);
	free (text);
	tsr_conf_parse_file (conf_path, &conf);
	ck_assert_int_eq (conf.pin_policy, TSR_PIN_POLICY_FIPS);   /* the next line still counts */
	ck_assert (logged (":1: line longer than 1024 bytes: ignored"));
}
END_TEST

START_TEST (test_binary_garbage)
{
	char text[4096];
	size_t i;

	for (i = 0; i < sizeof text - 1; i++)
		text[i] = (char)(1 + (i * 37) % 255);
	text[sizeof text - 1] = '\0';
	write_conf (text);
	tsr_conf_parse_file (conf_path, &conf);
	ck_assert_int_eq (conf.pin_policy, TSR_PIN_POLICY_CARD);
	ck_assert (conf.allow_default_mgm_key);
}
END_TEST

/* Write LEN bytes of DATA (NUL bytes included) as the file. */
static void
write_conf_bytes (const char *data, size_t len)
{
	FILE *f = fopen (conf_path, "w");

	ck_assert_ptr_nonnull (f);
	ck_assert_uint_eq (fwrite (data, 1, len, f), len);
	fclose (f);
}

/* A NUL byte spoils its own line only: the security setting after it still counts. */
START_TEST (test_nul_byte)
{
	static const char text[] = "pin_policy = fips\nabc\0def = 1\ndefault_management_key = deny\n";

	write_conf_bytes (text, sizeof text - 1);
	tsr_conf_parse_file (conf_path, &conf);
	ck_assert_int_eq (conf.pin_policy, TSR_PIN_POLICY_FIPS);
	ck_assert (!conf.allow_default_mgm_key);
	ck_assert (logged (":2: NUL byte in the line: ignored"));
}
END_TEST

/* Reads are bounded: a device that never ends, a file larger than the cap. */
START_TEST (test_bounded_read)
{
	char *big;
	size_t n = TSR_CONF_MAX_SIZE + 10;

	tsr_conf_parse_file ("/dev/zero", &conf);
	ck_assert_int_eq (conf.pin_policy, TSR_PIN_POLICY_CARD);
	ck_assert (logged ("/dev/zero: not a regular file: defaults used"));
	big = malloc (n);
	ck_assert_ptr_nonnull (big);
	memset (big, '#', n);
	memcpy (big, "pin_policy = fips\n", 18);
	big[n - 1] = '\n';
	write_conf_bytes (big, n);
	free (big);
	tsr_conf_parse_file (conf_path, &conf);
	ck_assert_int_eq (conf.pin_policy, TSR_PIN_POLICY_CARD);
	ck_assert (logged ("larger than 1048576 bytes: defaults used"));
}
END_TEST

/* 19,000 card keys (as many as 1 MiB holds) are read in linear time (20,000 once took
 * 8-13 s), the last line for a serial wins, and every key is found. */
START_TEST (test_many_keys)
{
	size_t n = 19000, i, pos = 0;
	char *text = malloc (n * 64 + 128);
	const struct tsr_conf_mgm_key *k;
	clock_t start;
	double cpu;

	ck_assert_ptr_nonnull (text);
	for (i = 0; i < n; i++)
		pos += (size_t)sprintf (text + pos, "management_key.%zu=%032zx\n", 10000 + i, i);
	pos += (size_t)sprintf (text + pos, "management_key.10007=%032x\n", 0xABCDu);
	write_conf_bytes (text, pos);
	free (text);
	start = clock ();
	tsr_conf_parse_file (conf_path, &conf);
	cpu = (double)(clock () - start) / CLOCKS_PER_SEC;
	ck_assert_uint_eq (conf.n_mgm_keys, n);
	k = tsr_conf_mgm_key (&conf, "28999");
	ck_assert_ptr_nonnull (k);
	ck_assert_uint_eq (k->key[15], (18999 & 0xFF));
	k = tsr_conf_mgm_key (&conf, "10007");
	ck_assert_ptr_nonnull (k);
	ck_assert_uint_eq (k->key[15], 0xCD);   /* the later line */
	/* linear: ~10 ms here, well under 1 s under valgrind; the quadratic reader took 2 s here, 8-13 s elsewhere */
	ck_assert_msg (cpu < 1.0, "19,000 keys took %.1f s of CPU", cpu);
}
END_TEST

/* card_timeout = SECONDS: 0 (no limit) to 3600; anything else leaves the default. */
START_TEST (test_card_timeout)
{
	write_conf ("card_timeout = 2\n");
	tsr_conf_parse_file (conf_path, &conf);
	ck_assert_int_eq (conf.card_timeout, 2);
	write_conf ("card_timeout = 0\n");
	tsr_conf_parse_file (conf_path, &conf);
	ck_assert_int_eq (conf.card_timeout, 0);
	write_conf ("card_timeout = -1\ncard_timeout = 3601\ncard_timeout = 5s\n");
	tsr_conf_parse_file (conf_path, &conf);
	ck_assert_int_eq (conf.card_timeout, TSR_CONF_CARD_TIMEOUT);
	ck_assert (logged (":3: card_timeout: \"5s\" is not 0..3600 seconds"));
}
END_TEST

START_TEST (test_module_load)
{
	write_conf ("pin_policy = fips\n");
	setenv ("TESSERA_CONF", conf_path, 1);
	tsr_conf_load ();
	ck_assert_int_eq (tsr_conf_get ()->pin_policy, TSR_PIN_POLICY_FIPS);
	tsr_conf_unload ();
	ck_assert_int_eq (tsr_conf_get ()->pin_policy, TSR_PIN_POLICY_CARD);
	ck_assert (tsr_conf_get ()->allow_default_mgm_key);
	unsetenv ("TESSERA_CONF");
}
END_TEST

/* Does the file PATH contain NEEDLE? */
static bool
file_has (const char *path, const char *needle)
{
	char buf[8192];
	size_t n;
	FILE *f = fopen (path, "r");

	if (f == NULL)
		return false;
	n = fread (buf, 1, sizeof buf - 1, f);
	fclose (f);
	buf[n] = '\0';
	return strstr (buf, needle) != NULL;
}

START_TEST (test_log_keys)
{
	write_conf ("log = p11,conf\nlog_file = /var/log/tessera.log\n");
	tsr_conf_parse_file (conf_path, &conf);
	ck_assert_str_eq (conf.log_debug, "p11,conf");
	ck_assert_str_eq (conf.log_file, "/var/log/tessera.log");
	tsr_conf_clear (&conf);
	ck_assert_ptr_null (conf.log_debug);
	ck_assert_ptr_null (conf.log_file);
	write_conf ("log_file = tessera.log\n");
	tsr_conf_parse_file (conf_path, &conf);
	ck_assert_ptr_null (conf.log_file);
	ck_assert (logged (":1: log_file: not an absolute path: line ignored"));
}
END_TEST

/* The file's log settings take effect at tsr_conf_load (its own problems included); the
 * environment wins over them, even set empty. */
START_TEST (test_log_from_file)
{
	char file_log[300], text[512];

	snprintf (file_log, sizeof file_log, "%s/from-file.log", dir);
	snprintf (text, sizeof text, "log = conf\nlog_file = %s\nbogus = 1\n", file_log);
	write_conf (text);
	setenv ("TESSERA_CONF", conf_path, 1);
	unsetenv ("TESSERA_DEBUG");
	unsetenv ("TESSERA_LOG");
	tsr_log_configure ();
	tsr_conf_load ();
	tsr_log ("conf", "after load");
	tsr_conf_unload ();
	tsr_log ("conf", "after unload");
	tsr_log_close ();
	ck_assert (file_has (file_log, ":3: unknown key \"bogus\": ignored"));
	ck_assert (file_has (file_log, "log conf to "));
	ck_assert (file_has (file_log, "after load"));
	ck_assert (!file_has (file_log, "after unload"));
	unlink (file_log);

	setenv ("TESSERA_DEBUG", "", 1);   /* set, empty: logging off whatever the file says */
	tsr_log_configure ();
	tsr_conf_load ();
	tsr_log ("conf", "env says off");
	tsr_conf_unload ();
	tsr_log_close ();
	ck_assert (access (file_log, F_OK) != 0);

	setenv ("TESSERA_DEBUG", "conf", 1);   /* the environment's file wins over log_file */
	setenv ("TESSERA_LOG", log_path, 1);
	tsr_log_configure ();
	tsr_conf_load ();
	tsr_log ("conf", "env file");
	tsr_conf_unload ();
	ck_assert (access (file_log, F_OK) != 0);
	ck_assert (logged ("env file"));
	unsetenv ("TESSERA_CONF");
}
END_TEST

/* The key table: every key once, the management key a prefix, NULL after the last. */
START_TEST (test_key_table)
{
	size_t i, j, n = 0;

	while (tsr_conf_key_name (n) != NULL)
		n++;
	ck_assert_uint_ge (n, 5);
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			ck_assert_str_ne (tsr_conf_key_name (i), tsr_conf_key_name (j));
	ck_assert_str_eq (tsr_conf_key_name (0), "pin_policy");
	ck_assert_ptr_null (tsr_conf_key_name (n + 1));
	for (i = 0; i < n; i++)
		if (strcmp (tsr_conf_key_name (i), "management_key.") == 0)
			break;
	ck_assert_uint_lt (i, n);
}
END_TEST

START_TEST (test_hex_key)
{
	uint8_t key[TSR_CONF_MAX_KEY];
	size_t len = 0;

	ck_assert_int_eq (tsr_conf_parse_hex_key ("0102030405060708010203040506070801020304050607aa", 48, key, &len), 0);
	ck_assert_uint_eq (len, 24);
	ck_assert_mem_eq (key, key24, 24);
	ck_assert_int_eq (tsr_conf_parse_hex_key ("0102030405060708010203040506070801020304050607a", 47, key, &len), -1);
	ck_assert_int_eq (tsr_conf_parse_hex_key ("12345678", 8, key, &len), -1);
	ck_assert_int_eq (tsr_conf_parse_hex_key ("0102030405060708010203040506070g", 32, key, &len), -1);
}
END_TEST

int
main (void)
{
	Suite *s = suite_create ("conf");
	TCase *tc = tcase_create ("conf");
	SRunner *sr;
	int failed;

	/* each test takes milliseconds; the limit catches a reader that never ends (/dev/zero) */
	tcase_set_timeout (tc, 30);
	tcase_add_checked_fixture (tc, setup, teardown);
	tcase_add_test (tc, test_good_file);
	tcase_add_test (tc, test_reader_backend);
	tcase_add_test (tc, test_missing_file);
	tcase_add_test (tc, test_unknown_key);
	tcase_add_test (tc, test_bad_values);
	tcase_add_test (tc, test_long_lines);
	tcase_add_test (tc, test_binary_garbage);
	tcase_add_test (tc, test_nul_byte);
	tcase_add_test (tc, test_bounded_read);
	tcase_add_test (tc, test_many_keys);
	tcase_add_test (tc, test_card_timeout);
	tcase_add_test (tc, test_module_load);
	tcase_add_test (tc, test_hex_key);
	tcase_add_test (tc, test_log_keys);
	tcase_add_test (tc, test_log_from_file);
	tcase_add_test (tc, test_key_table);
	suite_add_tcase (s, tc);
	sr = srunner_create (s);
	srunner_run_all (sr, CK_ENV);
	failed = srunner_ntests_failed (sr);
	srunner_free (sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
