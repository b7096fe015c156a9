/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * src/test-mock.c: the mock backend of the front end's unit tests (see test-mock.h).
 */
#include "config.h"

#include "src/test-mock.h"

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

static EVP_PKEY *
mock_gen (bool ec)
{
	return ec ? EVP_PKEY_Q_keygen (NULL, NULL, "EC", "P-256") : EVP_PKEY_Q_keygen (NULL, NULL, "RSA", (size_t)2048);
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
	X509_sign (x, key, EVP_sha256 ());
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

void
mock_keys_make (void)
{
	static const struct { uint8_t ref, id; bool ec; const char *cn; const char *ku; } spec[] = {
		{ 0x9A, 1, false, "Alice Test", NULL },
		{ 0x9C, 2, true, "Alice Test signing", "digitalSignature,nonRepudiation" },
		{ 0x9D, 3, false, "Alice Test encryption", "keyEncipherment" },
		{ 0x9E, 4, true, "Card Auth", NULL },
		{ 0x82, 5, true, "Old encryption", "keyAgreement" },
	};
	int i;

	if (mock.n_keys != 0)
		return;
	for (i = 0; i < 5; i++) {
		struct mock_key *k = &mock.keys[i];
		k->ref = spec[i].ref;
		k->id = spec[i].id;
		k->key = mock_gen (spec[i].ec);
		k->cert = mock_cert (k->key, spec[i].cn, 1000 + i, spec[i].ku);
		k->pin_policy = spec[i].ref == 0x9C ? CARD_PIN_POLICY_ALWAYS : CARD_PIN_POLICY_ONCE;
	}
	mock.n_keys = 5;
}

void
mock_setup (int readers, bool card)
{
	if (mock.n_keys == 0) {
		mock_keys_make ();
		mock.keys_made_by_setup = true;
	}
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
	int i;

	for (i = 0; i < mock.n_keys; i++) {
		EVP_PKEY_free (mock.keys[i].key);
		X509_free (mock.keys[i].cert);
	}
	mock.n_keys = 0;
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

/* ---- the card ---- */

static card_rv
mock_list_keys (struct card *card, struct card_list_hints *hints, struct card_key **keys, size_t *count)
{
	struct card_key *k = calloc ((size_t)mock.n_keys, sizeof *k);
	int i;

	(void)card;
	mock.card_calls++;
	if (k == NULL)
		return CARD_E_NO_MEMORY;
	for (i = 0; i < mock.n_keys; i++) {
		unsigned char *der = NULL;
		int len = i2d_X509 (mock.keys[i].cert, &der);
		k[i].ref = mock.keys[i].ref;
		k[i].has_key = 1;
		k[i].alg = EVP_PKEY_get_base_id (mock.keys[i].key) == EVP_PKEY_EC ? CARD_ALG_EC_P256 : CARD_ALG_RSA2048;
		/* as a card with metadata: lazy when asked, the slot's default policy meanwhile */
		k[i].meta_known = hints == NULL || !hints->lazy_meta;
		k[i].pin_policy = k[i].meta_known ? mock.keys[i].pin_policy : CARD_PIN_POLICY_DEFAULT;
		k[i].origin_generated = k[i].meta_known ? 1 : -1;
		if (hints != NULL)
			CARD_REF_BIT_SET (hints->probed, k[i].ref);
		k[i].cert_der = malloc ((size_t)len);
		memcpy (k[i].cert_der, der, (size_t)len);
		k[i].cert_len = (size_t)len;
		OPENSSL_free (der);
	}
	*keys = k;
	*count = (size_t)mock.n_keys;
	return CARD_OK;
}

static void
mock_keys_free (struct card_key *keys, size_t count)
{
	size_t i;

	for (i = 0; keys != NULL && i < count; i++) {
		free (keys[i].cert_der);
		free (keys[i].spki_der);
	}
	free (keys);
}

static card_rv
mock_pin_status (struct card *card, enum card_pin which, int *verified, int *tries)
{
	(void)card;
	(void)which;
	mock.card_calls++;
	*verified = mock.pin_verified;
	*tries = mock.pin_tries;
	return CARD_OK;
}

static card_rv
mock_verify (struct card *card, enum card_pin which, const uint8_t *pin, size_t len, int *tries)
{
	(void)card;
	mock.card_calls++;
	if (which == CARD_PIN_SO)
		return CARD_E_NOT_SUPPORTED;   /* the mock has no SO PIN */
	mock.verify_calls++;
	if (mock.pin_tries == 0)
		return CARD_E_PIN_LOCKED;
	if (len != strlen (mock.pin) || memcmp (pin, mock.pin, len) != 0) {
		*tries = --mock.pin_tries;
		mock.pin_verified = false;
		return mock.pin_tries == 0 ? CARD_E_PIN_LOCKED : CARD_E_PIN_INCORRECT;
	}
	mock.pin_tries = 3;
	mock.pin_verified = true;
	mock.always_ok = true;
	*tries = 3;
	return CARD_OK;
}

static card_rv
mock_logout (struct card *card)
{
	(void)card;
	mock.card_calls++;
	mock.pin_verified = false;
	return CARD_OK;
}

static card_rv
mock_change_pin (struct card *card, enum card_pin which, const uint8_t *o, size_t ol,
                 const uint8_t *n, size_t nl, int *tries)
{
	(void)card;
	mock.card_calls++;
	if (which != CARD_PIN_USER || nl >= sizeof mock.pin)
		return CARD_E_NOT_SUPPORTED;
	mock.change_calls++;
	if (mock.pin_tries == 0)
		return CARD_E_PIN_LOCKED;
	if (ol != strlen (mock.pin) || memcmp (o, mock.pin, ol) != 0) {
		*tries = --mock.pin_tries;
		return mock.pin_tries == 0 ? CARD_E_PIN_LOCKED : CARD_E_PIN_INCORRECT;
	}
	memcpy (mock.pin, n, nl);
	mock.pin[nl] = '\0';
	mock.pin_tries = 3;
	*tries = 3;
	return mock.change_lost;
}

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
static void
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

/* Security checks of a private-key operation: the PIN, and PIN-always. */
static card_rv
mock_authorise (uint8_t ref, struct mock_key **key)
{
	mock_maybe_hold ();
	mock.card_calls++;
	*key = mock_key_by_ref (ref);
	if (*key == NULL)
		return CARD_E_NOT_FOUND;
	if (!mock.pin_verified)
		return CARD_E_SECURITY;
	if ((*key)->pin_policy == CARD_PIN_POLICY_ALWAYS && !mock.always_ok)
		return CARD_E_SECURITY;
	mock.always_ok = false;
	mock.private_ops++;
	return CARD_OK;
}

static card_rv
mock_rsa_raw (struct card *card, uint8_t ref, const uint8_t *in, size_t in_len, uint8_t *out, size_t *out_len)
{
	struct mock_key *k;
	EVP_PKEY_CTX *ctx;
	card_rv crv = mock_authorise (ref, &k);

	(void)card;
	if (crv != CARD_OK)
		return crv;
	ctx = EVP_PKEY_CTX_new (k->key, NULL);
	if (EVP_PKEY_decrypt_init (ctx) <= 0 || EVP_PKEY_CTX_set_rsa_padding (ctx, RSA_NO_PADDING) <= 0 ||
	    EVP_PKEY_decrypt (ctx, out, out_len, in, in_len) <= 0)
		crv = CARD_E_INVALID_DATA;
	if (crv == CARD_OK && mock.fault && *out_len > 0) {
		out[*out_len - 1] ^= 0x01;
		mock.fault = false;
	}
	EVP_PKEY_CTX_free (ctx);
	return crv;
}

static card_rv
mock_ecdsa (struct card *card, uint8_t ref, const uint8_t *hash, size_t hash_len, uint8_t *out, size_t *out_len)
{
	struct mock_key *k;
	EVP_PKEY_CTX *ctx;
	unsigned char der[128];
	const unsigned char *p = der;
	size_t der_len = sizeof der;
	ECDSA_SIG *sig = NULL;
	card_rv crv = mock_authorise (ref, &k);

	(void)card;
	if (crv != CARD_OK)
		return crv;
	ctx = EVP_PKEY_CTX_new (k->key, NULL);
	if (hash_len != 32 || *out_len < 64 || EVP_PKEY_sign_init (ctx) <= 0 ||
	    EVP_PKEY_sign (ctx, der, &der_len, hash, hash_len) <= 0 ||
	    (sig = d2i_ECDSA_SIG (NULL, &p, (long)der_len)) == NULL) {
		crv = CARD_E_INVALID_DATA;
	} else {
		BN_bn2binpad (ECDSA_SIG_get0_r (sig), out, 32);
		BN_bn2binpad (ECDSA_SIG_get0_s (sig), out + 32, 32);
		*out_len = 64;
		if (mock.fault) {
			out[63] ^= 0x01;
			mock.fault = false;
		}
	}
	ECDSA_SIG_free (sig);
	EVP_PKEY_CTX_free (ctx);
	return crv;
}

static card_rv
mock_ecdh (struct card *card, uint8_t ref, const uint8_t *point, size_t point_len, uint8_t *out, size_t *out_len)
{
	struct mock_key *k;
	EVP_PKEY_CTX *ctx = NULL, *pctx = NULL;
	EVP_PKEY *peer = NULL;
	OSSL_PARAM params[3];
	card_rv crv = mock_authorise (ref, &k);

	(void)card;
	if (crv != CARD_OK)
		return crv;
	params[0] = OSSL_PARAM_construct_utf8_string (OSSL_PKEY_PARAM_GROUP_NAME, (char *)"P-256", 0);
	params[1] = OSSL_PARAM_construct_octet_string (OSSL_PKEY_PARAM_PUB_KEY, (void *)point, point_len);
	params[2] = OSSL_PARAM_construct_end ();
	pctx = EVP_PKEY_CTX_new_from_name (NULL, "EC", NULL);
	ctx = EVP_PKEY_CTX_new (k->key, NULL);
	if (EVP_PKEY_fromdata_init (pctx) <= 0 || EVP_PKEY_fromdata (pctx, &peer, EVP_PKEY_PUBLIC_KEY, params) <= 0 ||
	    EVP_PKEY_derive_init (ctx) <= 0 || EVP_PKEY_derive_set_peer (ctx, peer) <= 0 ||
	    EVP_PKEY_derive (ctx, out, out_len) <= 0)
		crv = CARD_E_INVALID_DATA;
	EVP_PKEY_free (peer);
	EVP_PKEY_CTX_free (pctx);
	EVP_PKEY_CTX_free (ctx);
	return crv;
}

static card_rv
mock_key_meta (struct card *card, struct card_key *key)
{
	struct mock_key *k = mock_key_by_ref (key->ref);

	(void)card;
	mock.card_calls++;
	mock.meta_calls++;
	if (k == NULL)
		return CARD_E_NOT_FOUND;
	key->has_key = 1;
	key->meta_known = 1;
	key->pin_policy = k->pin_policy;
	key->origin_generated = 1;
	key->alg = EVP_PKEY_get_base_id (k->key) == EVP_PKEY_EC ? CARD_ALG_EC_P256 : CARD_ALG_RSA2048;
	return CARD_OK;
}

static card_rv
mock_reselect (struct card *card)
{
	(void)card;
	mock.card_calls++;
	mock.reselect_calls++;
	return CARD_OK;
}

#define MOCK_ALGS (CARD_ALG_BIT (CARD_ALG_RSA2048) | CARD_ALG_BIT (CARD_ALG_EC_P256))
#define MOCK_SPARE(ref, n) { ref, n, "Spare certificate", "SPARE", CARD_USE_DECRYPT, 0, \
                             CARD_PIN_POLICY_ONCE, MOCK_ALGS, CARD_SLOT_SPARE, 0 }

/* A PIV-like slot table: four slots with purposes, two spare ones. */
static const struct card_slot mock_slots[] = {
	{ 0x9A, 1, "Certificate for PIV Authentication", "PIV AUTH", CARD_USE_SIGN | CARD_USE_DECRYPT,
	  CARD_KEYGEN_SIGN_DECRYPT | CARD_KEYGEN_UNSAID, CARD_PIN_POLICY_ONCE, MOCK_ALGS, CARD_SLOT_LABEL_CERT, 0 },
	{ 0x9C, 2, "Certificate for Digital Signature", "SIGN", CARD_USE_SIGN, CARD_KEYGEN_SIGN,
	  CARD_PIN_POLICY_ALWAYS, MOCK_ALGS, 0, 0 },
	{ 0x9D, 3, "Certificate for Key Management", "KEY MAN", CARD_USE_DECRYPT, CARD_KEYGEN_DECRYPT,
	  CARD_PIN_POLICY_ONCE, MOCK_ALGS, 0, 0 },
	{ 0x9E, 4, "Certificate for Card Authentication", "CARD AUTH", CARD_USE_SIGN, 0,
	  CARD_PIN_POLICY_NEVER, MOCK_ALGS, 0, 0 },
	MOCK_SPARE (0x82, 5), MOCK_SPARE (0x83, 6),
};

static const struct card_driver mock_driver = {
	.name = "mock",
	.reselect = mock_reselect,
	.list_keys = mock_list_keys,
	.key_meta = mock_key_meta,
	.pin_status = mock_pin_status,
	.verify_pin = mock_verify,
	.logout = mock_logout,
	.change_pin = mock_change_pin,
	.rsa_raw = mock_rsa_raw,
	.ecdsa_sign = mock_ecdsa,
	.ecdh = mock_ecdh,
};

static card_rv
mock_card_discover (const char *reader_name, int all, char apps[CARD_MAX_APPS][CARD_APP_NAME], size_t *n)
{
	(void)all;
	*n = 0;
	mock.card_calls++;
	if (strcmp (reader_name, "Mock Reader 0") != 0 || !mock.card_present)
		return CARD_E_REMOVED;
	snprintf (apps[(*n)++], CARD_APP_NAME, "mock");
	if (mock.second_app)
		snprintf (apps[(*n)++], CARD_APP_NAME, "mock2");
	return CARD_OK;
}

static card_rv
mock_card_open (const char *reader_name, const char *app, struct card **card)
{
	struct card *c;

	mock.open_calls++;
	if (strcmp (reader_name, "Mock Reader 0") != 0 || !mock.card_present)
		return CARD_E_REMOVED;
	if (mock.open_fails)
		return CARD_E_COMM;
	if (app != NULL && strcmp (app, "mock") != 0 && (strcmp (app, "mock2") != 0 || !mock.second_app))
		return CARD_E_NOT_SUPPORTED;
	c = calloc (1, sizeof *c);
	if (c == NULL)
		return CARD_E_NO_MEMORY;
	c->driver = &mock_driver;
	snprintf (c->info.serial, sizeof c->info.serial, "12345678");
	snprintf (c->info.model, sizeof c->info.model, "%s", app != NULL && strcmp (app, "mock2") == 0 ?
	          "Mock second application" : "YubiKey 5");
	snprintf (c->info.manufacturer, sizeof c->info.manufacturer, "Yubico");
	c->info.pin_min = 6;
	c->info.pin_max = 8;
	c->info.has_metadata = 1;
	c->slots = mock_slots;
	c->n_slots = sizeof mock_slots / sizeof mock_slots[0];
	*card = c;
	return CARD_OK;
}

static void
mock_card_close (struct card *card)
{
	free (card);
}

static card_rv
mock_card_begin (struct card *card, int *was_reset)
{
	(void)card;
	mock.card_calls++;
	if (!mock.card_present)
		return CARD_E_REMOVED;
	*was_reset = 0;
	if (mock.reset_pending) {
		mock.reset_pending = false;
		mock.pin_verified = false;
		*was_reset = 1;
	}
	return CARD_OK;
}

static void
mock_card_end (struct card *card)
{
	(void)card;
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
