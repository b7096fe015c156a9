/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * src/test-mock.c: the mock backend of the front end's unit tests (see test-mock.h):
 * the keys of the card's profiles and the reader monitor.
 */
#include "config.h"

#include "src/test-mock.h"
#include "tests/testkeys.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>

struct mock_state mock;

static pthread_mutex_t mock_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t mock_cond = PTHREAD_COND_INITIALIZER;
static int mock_changes;               /* mock_mutex: bumped at every presence change */
static bool mock_cancelled;            /* mock_mutex */

struct reader_monitor {
	int reported_changes;
	int reported_readers;
	bool reported_card;
	uint32_t reported_gen;
};

/* ---- keys and certificates ---- */

EVP_PKEY *
mock_gen_key (const char *type)
{
	if (strcmp (type, "RSA") == 0)
		return testkey_rsa_next ();   /* ready-made: generating one costs seconds */
	if (strcmp (type, "ED25519") == 0 || strcmp (type, "X25519") == 0)
		return EVP_PKEY_Q_keygen (NULL, NULL, type);
	return EVP_PKEY_Q_keygen (NULL, NULL, "EC", type);
}

static X509 *
mock_cert (EVP_PKEY *key, const char *cn, long serial, const char *ku)
{
	X509 *x = X509_new ();
	X509_NAME *name = X509_NAME_new ();
	X509V3_CTX ctx;
	X509_EXTENSION *ext;

	X509_set_version (x, 2);
	ASN1_INTEGER_set (X509_get_serialNumber (x), serial);
	X509_NAME_add_entry_by_txt (name, "O", MBSTRING_ASC, (const unsigned char *)"Tessera Test", -1, -1, 0);
	X509_NAME_add_entry_by_txt (name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
	X509_set_subject_name (x, name);
	X509_set_issuer_name (x, name);
	X509_gmtime_adj (X509_getm_notBefore (x), 0);
	X509_gmtime_adj (X509_getm_notAfter (x), 86400L * 30);
	X509_set_pubkey (x, key);
	if (ku != NULL) {
		X509V3_set_ctx (&ctx, x, x, NULL, NULL, 0);
		ext = X509V3_EXT_conf_nid (NULL, &ctx, NID_key_usage, ku);
		X509_add_ext (x, ext, -1);
		X509_EXTENSION_free (ext);
	}
	/* Ed25519 signs without a separate hash */
	X509_sign (x, key, EVP_PKEY_get_base_id (key) == EVP_PKEY_ED25519 ? NULL : EVP_sha256 ());
	X509_NAME_free (name);
	return x;
}

/* Hermetic: the module's per-card files go to a folder of this test program, made
 * before main() and removed after it by the process that made it (not by forked tests). */
static char mock_cache_dir[64];
static pid_t mock_cache_pid;

__attribute__ ((constructor)) static void
mock_cache_folder (void)
{
	const char *env = getenv ("TESSERA_CACHE_DIR");

	if (env != NULL && env[0] != '\0')
		return;
	snprintf (mock_cache_dir, sizeof mock_cache_dir, "/tmp/tessera-unit.XXXXXX");
	if (mkdtemp (mock_cache_dir) == NULL) {
		mock_cache_dir[0] = '\0';
		return;
	}
	mock_cache_pid = getpid ();
	setenv ("TESSERA_CACHE_DIR", mock_cache_dir, 1);
}

__attribute__ ((destructor)) static void
mock_cache_folder_remove (void)
{
	char cmd[128];

	if (mock_cache_dir[0] == '\0' || getpid () != mock_cache_pid)
		return;
	snprintf (cmd, sizeof cmd, "rm -rf '%s'", mock_cache_dir);
	if (system (cmd) != 0)
		fprintf (stderr, "could not remove %s\n", mock_cache_dir);
}

/* The keys of each profile: TYPE as mock_gen takes it; CN NULL: no certificate. */
struct mock_spec {
	uint8_t ref, id;
	const char *type, *cn, *ku;
	enum card_pin_policy pin;
};

static const struct mock_spec mock_spec_piv[] = {
	{ 0x9A, 1, "RSA", "Alice Test", NULL, CARD_PIN_POLICY_ONCE },
	{ 0x9C, 2, "P-256", "Alice Test signing", "digitalSignature,nonRepudiation", CARD_PIN_POLICY_ALWAYS },
	{ 0x9D, 3, "RSA", "Alice Test encryption", "keyEncipherment", CARD_PIN_POLICY_ONCE },
	{ 0x9E, 4, "P-256", "Card Auth", NULL, CARD_PIN_POLICY_ONCE },
	{ 0x82, 5, "P-256", "Old encryption", "keyAgreement", CARD_PIN_POLICY_ONCE },
	{ 0, 0, NULL, NULL, NULL, 0 },
};
static const struct mock_spec mock_spec_pgp_rsa[] = {
	{ 0x01, 1, "RSA", "Bob Signature", "digitalSignature,nonRepudiation", CARD_PIN_POLICY_ALWAYS },
	{ 0x02, 2, "RSA", "Bob Decryption", "keyEncipherment", CARD_PIN_POLICY_ONCE },
	{ 0x03, 3, "P-521", "Bob Authentication", NULL, CARD_PIN_POLICY_ONCE },
	{ 0, 0, NULL, NULL, NULL, 0 },
};
static const struct mock_spec mock_spec_pgp_ecc[] = {
	{ 0x01, 1, "ED25519", "Carol Signature", "digitalSignature", CARD_PIN_POLICY_ONCE },
	{ 0x02, 2, "X25519", NULL, NULL, CARD_PIN_POLICY_ONCE },
	{ 0x03, 3, "brainpoolP384r1", NULL, NULL, CARD_PIN_POLICY_ONCE },
	{ 0, 0, NULL, NULL, NULL, 0 },
};
static const struct mock_spec *const mock_specs[] = { mock_spec_piv, mock_spec_pgp_rsa, mock_spec_pgp_ecc };

/* Each profile's keys, made once; the card holds references to them (and, after a
 * generation or import, keys of its own). */
static struct mock_key mock_base[3][MOCK_MAX_KEYS];
static int mock_base_n[3];

static void
mock_base_make (enum mock_profile profile)
{
	const struct mock_spec *spec = mock_specs[profile];
	int i;

	for (i = 0; spec[i].type != NULL; i++) {
		struct mock_key *k = &mock_base[profile][i];
		k->ref = spec[i].ref;
		k->id = spec[i].id;
		k->key = mock_gen_key (spec[i].type);
		k->cert = spec[i].cn != NULL ? mock_cert (k->key, spec[i].cn, 1000 + i, spec[i].ku) : NULL;
		k->pin_policy = spec[i].pin;
		k->origin_generated = 1;
	}
	mock_base_n[profile] = i;
}

static void
mock_key_clear (struct mock_key *k)
{
	EVP_PKEY_free (k->key);
	X509_free (k->cert);
	memset (k, 0, sizeof *k);
}

void
mock_keys_make (void)
{
	if (mock_base_n[MOCK_PROFILE_PIV] == 0)
		mock_base_make (MOCK_PROFILE_PIV);
}

void
mock_setup (int readers, bool card)
{
	mock_setup_profile (readers, card, MOCK_PROFILE_PIV);
}

void
mock_setup_profile (int readers, bool card, enum mock_profile profile)
{
	int i;

	if (mock_base_n[profile] == 0) {
		mock_base_make (profile);
		mock.keys_made_by_setup = true;
	}
	for (i = 0; i < mock.n_keys; i++)
		mock_key_clear (&mock.keys[i]);
	for (i = 0; i < mock_base_n[profile]; i++) {
		mock.keys[i] = mock_base[profile][i];
		EVP_PKEY_up_ref (mock.keys[i].key);
		if (mock.keys[i].cert != NULL)
			X509_up_ref (mock.keys[i].cert);
	}
	mock.n_keys = mock_base_n[profile];
	mock.profile = profile;
	mock.generate_calls = 0;
	mock.last_alg = CARD_ALG_NONE;
	mock.last_verify = CARD_PIN_SO;
	mock.pin_tries = 3;
	snprintf (mock.pin, sizeof mock.pin, "%s", MOCK_PIN);
	mock.change_calls = 0;
	mock.change_lost = CARD_OK;
	mock.pin_verified = false;
	mock.always_ok = false;
	mock.card_present = card;
	mock.generation = 1;
	mock.reset_pending = false;
	mock.card_calls = mock.verify_calls = mock.private_ops = mock.open_calls = mock.meta_calls = 0;
	mock.open_fails = false;
	mock.hold = false;
	mock.second_app = false;
	mock.reselect_calls = 0;
	mock.fault = false;
	mock.reader_count = readers;
	pthread_mutex_lock (&mock_mutex);
	mock_cancelled = false;
	mock_changes++;
	pthread_mutex_unlock (&mock_mutex);
}

void
mock_teardown (void)
{
	int i, p;

	for (i = 0; i < mock.n_keys; i++)
		mock_key_clear (&mock.keys[i]);
	mock.n_keys = 0;
	for (p = 0; p < 3; p++) {
		for (i = 0; i < mock_base_n[p]; i++)
			mock_key_clear (&mock_base[p][i]);
		mock_base_n[p] = 0;
	}
}

struct mock_key *
mock_key_by_ref (uint8_t ref)
{
	int i;

	for (i = 0; i < mock.n_keys; i++) {
		if (mock.keys[i].ref == ref)
			return &mock.keys[i];
	}
	return NULL;
}

static void
mock_changed (void)
{
	pthread_mutex_lock (&mock_mutex);
	mock_changes++;
	pthread_cond_broadcast (&mock_cond);
	pthread_mutex_unlock (&mock_mutex);
}

void
mock_card_insert (void)
{
	mock.card_present = true;
	mock.generation++;
	mock.pin_verified = false;
	mock_changed ();
}

void
mock_set_readers (int count)
{
	mock.reader_count = count;
	mock_changed ();
}

void
mock_card_remove (void)
{
	mock.card_present = false;
	mock.pin_verified = false;
	mock_changed ();
}

/* ---- the monitor ---- */

static reader_rv
mock_monitor_new (struct reader_monitor **monitor)
{
	*monitor = calloc (1, sizeof **monitor);
	return *monitor != NULL ? READER_OK : READER_E_NO_MEMORY;
}

static void
mock_monitor_free (struct reader_monitor *monitor)
{
	free (monitor);
}

static void
mock_status (int i, struct reader_status *st)
{
	memset (st, 0, sizeof *st);
	snprintf (st->name, sizeof st->name, "Mock Reader %d", i);
	st->present = i < mock.reader_count;
	st->card_present = i == 0 && st->present && mock.card_present;
	st->card_generation = i == 0 ? mock.generation : 0;
}

/* Report what changed since the last report. */
static void
mock_report (struct reader_monitor *m, reader_event_cb cb, void *user)
{
	struct reader_event ev;
	int i;

	for (i = m->reported_readers; i < mock.reader_count; i++) {
		ev.kind = READER_EV_READER_ADDED;
		mock_status (i, &ev.status);
		cb (user, &ev);
	}
	if (m->reported_readers == 0 && mock.reader_count > 0) {
		m->reported_card = mock.card_present;
		m->reported_gen = mock.generation;
	}
	for (i = mock.reader_count; i < m->reported_readers; i++) {
		if (i == 0 && m->reported_card) {
			ev.kind = READER_EV_CARD_REMOVED;
			mock_status (i, &ev.status);
			cb (user, &ev);
			m->reported_card = false;
		}
		ev.kind = READER_EV_READER_REMOVED;
		mock_status (i, &ev.status);
		cb (user, &ev);
	}
	m->reported_readers = mock.reader_count;
	if (mock.reader_count > 0 &&
	    (m->reported_card != mock.card_present || m->reported_gen != mock.generation)) {
		if (m->reported_card) {
			ev.kind = READER_EV_CARD_REMOVED;
			mock_status (0, &ev.status);
			ev.status.card_present = 0;
			cb (user, &ev);
		}
		if (mock.card_present) {
			ev.kind = READER_EV_CARD_INSERTED;
			mock_status (0, &ev.status);
			cb (user, &ev);
		}
		m->reported_card = mock.card_present;
		m->reported_gen = mock.generation;
	}
}

static reader_rv
mock_monitor_wait (struct reader_monitor *m, long timeout_ms, reader_event_cb cb, void *user)
{
	reader_rv rv = READER_OK;

	(void)timeout_ms;   /* the tests only block forever or refresh */
	pthread_mutex_lock (&mock_mutex);
	mock.wait_calls++;
	while (!mock_cancelled && m->reported_changes == mock_changes)
		pthread_cond_wait (&mock_cond, &mock_mutex);
	if (mock_cancelled) {
		mock_cancelled = false;
		rv = READER_E_CANCELLED;
	}
	m->reported_changes = mock_changes;
	mock.wait_calls--;
	pthread_mutex_unlock (&mock_mutex);
	mock_report (m, cb, user);
	return rv;
}

static reader_rv
mock_monitor_refresh (struct reader_monitor *m, reader_event_cb cb, void *user)
{
	pthread_mutex_lock (&mock_mutex);
	m->reported_changes = mock_changes;
	pthread_mutex_unlock (&mock_mutex);
	mock_report (m, cb, user);
	return READER_OK;
}

static void
mock_monitor_cancel (struct reader_monitor *m)
{
	(void)m;
	pthread_mutex_lock (&mock_mutex);
	mock_cancelled = true;
	pthread_cond_broadcast (&mock_cond);
	pthread_mutex_unlock (&mock_mutex);
}

/* ---- holding operations inside the card (the card itself: test-mock-card.c) ---- */

void
mock_hold (bool hold)
{
	pthread_mutex_lock (&mock_mutex);
	mock.hold = hold;
	pthread_cond_broadcast (&mock_cond);
	pthread_mutex_unlock (&mock_mutex);
}

void
mock_wait_held (int n)
{
	pthread_mutex_lock (&mock_mutex);
	while (mock.held < n)
		pthread_cond_wait (&mock_cond, &mock_mutex);
	pthread_mutex_unlock (&mock_mutex);
}

/* A card that takes its time: wait here while the test holds operations. */
void
mock_maybe_hold (void)
{
	pthread_mutex_lock (&mock_mutex);
	mock.held++;
	pthread_cond_broadcast (&mock_cond);
	while (mock.hold)
		pthread_cond_wait (&mock_cond, &mock_mutex);
	mock.held--;
	pthread_cond_broadcast (&mock_cond);
	pthread_mutex_unlock (&mock_mutex);
}

const struct tsr_backend mock_backend = {
	.monitor_new = mock_monitor_new,
	.monitor_free = mock_monitor_free,
	.monitor_wait = mock_monitor_wait,
	.monitor_refresh = mock_monitor_refresh,
	.monitor_cancel = mock_monitor_cancel,
	.card_open = mock_card_open,
	.card_discover = mock_card_discover,
	.card_close = mock_card_close,
	.card_begin = mock_card_begin,
	.card_end = mock_card_end,
	.keys_free = mock_keys_free,
};
