/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * src/test-mock.h: a mock backend for the front end's unit tests: a reader
 * monitor over readers the test adds, and a PIV-like card whose keys are real
 * OpenSSL keys (RSA 2048 in 9A and 9D, EC P-256 in 9C (PIN always), 9E and 82)
 * with certificates made by the test. Counters tell what reached the card.
 */
#ifndef TSR_TEST_MOCK_H
#define TSR_TEST_MOCK_H

#include "src/tsr.h"

#include <openssl/x509.h>

#define MOCK_PIN "123456"

struct mock_key {
	uint8_t ref, id;
	EVP_PKEY *key;         /* owned by the mock */
	X509 *cert;            /* owned by the mock */
	enum card_pin_policy pin_policy;
};

struct mock_state {
	int n_keys;
	struct mock_key keys[5];
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
	bool second_app;          /* the card has a second application ("mock2") */
	int reselect_calls;
	bool hold;                /* mock_mutex: private-key operations wait inside the card */
	int held;                 /* mock_mutex: operations waiting there now */
	bool keys_made_by_setup;  /* mock_setup had to make the keys (slow: RSA key generation) */
	char pin[9];              /* the user PIN (MOCK_PIN after mock_setup) */
	int change_calls;         /* CHANGE REFERENCE DATA of the user PIN */
	card_rv change_lost;      /* not CARD_OK: a PIN change is done, but its answer is lost
	                             and replaced by this (a status word gone astray) */
};

extern struct mock_state mock;
extern const struct tsr_backend mock_backend;

/* Make the keys and certificates, once per process. Test programs call it from main()
 * before srunner_run_all: a forked Check test then inherits them instead of generating
 * two RSA keys in its fixture, whose time is unbounded on a loaded machine. */
void mock_keys_make (void);
/* Reset the card state (the keys are made here only when mock_keys_make was not called:
 * keys_made_by_setup says so). */
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

#endif /* TSR_TEST_MOCK_H */
