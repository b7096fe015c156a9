/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * src/test-mock.h: a mock backend for the front end's unit tests: a reader
 * monitor over readers the test adds, and a card whose keys are real OpenSSL keys
 * with certificates made by the test. Counters tell what reached the card.
 *
 * The card is one of three profiles (mock_setup_profile):
 * - MOCK_PROFILE_PIV: PIV-like (raw RSA, key metadata): RSA 2048 in 9A and 9D, EC P-256
 *   in 9C (PIN always), 9E and 82;
 * - MOCK_PROFILE_PGP_RSA, MOCK_PROFILE_PGP_ECC: OpenPGP-like: slots 01 (signature),
 *   02 (decryption), 03 (authentication; the mock lets it derive too), no raw RSA but
 *   the card's own PKCS #1 v1.5 signing and decryption, EdDSA, key generation and
 *   (Ed25519, X25519) import. PGP_RSA: RSA 2048 in 01 (PIN always) and 02, P-521 in 03.
 *   PGP_ECC: Ed25519 in 01, X25519 in 02 and brainpoolP384r1 in 03, the last two
 *   without certificates (the card reports their public keys).
 */
#ifndef TSR_TEST_MOCK_H
#define TSR_TEST_MOCK_H

#include "src/tsr.h"

#include <openssl/x509.h>

#define MOCK_PIN "123456"

enum mock_profile { MOCK_PROFILE_PIV, MOCK_PROFILE_PGP_RSA, MOCK_PROFILE_PGP_ECC };

struct mock_key {
	uint8_t ref, id;
	EVP_PKEY *key;         /* owned by the mock */
	X509 *cert;            /* owned by the mock; NULL: the card reports the public key */
	enum card_pin_policy pin_policy;
	int origin_generated;  /* 1 generated on the card, 0 imported */
};

#define MOCK_MAX_KEYS 8

struct mock_state {
	enum mock_profile profile;
	int n_keys;
	struct mock_key keys[MOCK_MAX_KEYS];
	int pin_tries;            /* left */
	bool pin_verified;        /* the card's PIN state */
	bool always_ok;           /* a VERIFY right before: one PIN-always operation allowed */
	bool card_present;        /* reader 0 */
	uint32_t generation;
	bool reset_pending;       /* next card_begin reports a reset by another process */
	int card_calls;           /* driver operations, card_begin included (any APDU) */
	int verify_calls;
	int private_ops;
	int meta_calls;           /* key_meta calls (metadata read when first needed) */
	int reader_count;         /* readers attached (names "Mock Reader 0", "... 1") */
	int wait_calls;           /* monitor waits in progress */
	int open_calls;           /* card_open calls */
	bool open_fails;          /* card_open answers CARD_E_COMM */
	bool fault;               /* the card's next signature is wrong (one bit flipped) */
	bool hold;                /* mock_mutex: private-key operations wait inside the card */
	int held;                 /* mock_mutex: operations waiting there now */
	bool second_app;          /* the card has a second application ("mock2") */
	int reselect_calls;
	bool keys_made_by_setup;  /* mock_setup had to make the keys (slow: RSA key generation) */
	char pin[9];              /* the user PIN (MOCK_PIN after mock_setup) */
	int change_calls;         /* CHANGE REFERENCE DATA of the user PIN */
	card_rv change_lost;      /* not CARD_OK: a PIN change is done, but its answer is lost
	                             and replaced by this (a status word gone astray) */
	enum card_pin last_verify;/* which PIN the last VERIFY was for */
	int generate_calls;       /* generate / import_key calls */
	enum card_alg last_alg;   /* the algorithm of the last generate / import_key */
};

extern struct mock_state mock;
extern const struct tsr_backend mock_backend;

/* Make the PIV profile's keys and certificates, once per process. Test programs call it
 * from main() before srunner_run_all: a forked Check test then inherits them instead of
 * generating RSA keys in its fixture, whose time is unbounded on a loaded machine. */
void mock_keys_make (void);
/* Make the keys and certificates of PROFILE (once per process and profile), give the card
 * those keys and reset its state. mock_setup: MOCK_PROFILE_PIV. */
void mock_setup_profile (int readers, bool card, enum mock_profile profile);
void mock_setup (int readers, bool card);
/* Free the keys (tests call it at exit; valgrind). */
void mock_teardown (void);
/* Insert / remove the card of reader 0; wakes a blocked monitor wait. */
void mock_card_insert (void);
void mock_card_remove (void);
/* Attach or detach readers (the last ones go first); wakes a blocked monitor wait. */
void mock_set_readers (int count);
/* Hold private-key operations inside the card (true) or let them go (false). */
void mock_hold (bool hold);
/* Wait until N operations are held inside the card. */
void mock_wait_held (int n);
/* The mock key of reference REF, or NULL. */
struct mock_key *mock_key_by_ref (uint8_t ref);
/* A new key: TYPE "RSA" (2048 bits), an EC curve name ("P-521", "brainpoolP384r1"),
 * "ED25519" or "X25519". Owned by the caller. */
EVP_PKEY *mock_gen_key (const char *type);

/* Internal: the card half of mock_backend (test-mock-card.c) and what it shares. */
void mock_maybe_hold (void);
card_rv mock_card_open (const char *reader_name, const char *app, struct card **card);
card_rv mock_card_discover (const char *reader_name, int all, char apps[CARD_MAX_APPS][CARD_APP_NAME],
                            size_t *n);
void mock_card_close (struct card *card);
card_rv mock_card_begin (struct card *card, int *was_reset);
void mock_card_end (struct card *card);
void mock_keys_free (struct card_key *keys, size_t count);

#endif /* TSR_TEST_MOCK_H */
