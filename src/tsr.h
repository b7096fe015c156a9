/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * src/tsr.h: the front end's internal state and the functions its files share.
 *
 * Locking. Three kinds of lock; fields say which one guards them:
 * - "lock": the module lock (tsr_lock / tsr_unlock: the application's mutex
 *   callbacks, or a pthread mutex) guards the tables: slots, tokens, sessions,
 *   objects, operations. It is never held during card I/O.
 * - "io": each token's card lock (token->io, same locking mode) serialises the card
 *   operations of that token; it is taken with the module lock released
 *   (tsr_card_call_inlock: lock dropped, io taken, card I/O, io dropped, lock taken
 *   again), so calls that need no card never wait for one, and two cards work in
 *   parallel. Nothing takes the module lock while holding an io lock.
 * - "ev": event.c's static innermost pthread mutex guards the event queue of
 *   C_WaitForSlotEvent and the monitor hand-off (never destroyed).
 * Order: lock → ev; io alone. While a card call of a token is in flight
 * (token->calls > 0) nothing of that token is freed: sessions, objects, operations
 * and the token itself are retired (grave.c) and freed at the next tsr_leave after
 * its last call, so a caller's pointers stay valid across its own card call.
 */
#ifndef TSR_TSR_H
#define TSR_TSR_H

#include <assert.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include <openssl/evp.h>

#include "src/pkcs11-3.h"
#include "src/backend.h"
#include "src/log.h"

/* Precondition at the API edge: evaluates to false (and logs) when EXPR fails.
 * It hides no return: `if (!tsr_check (p != NULL)) { rv = CKR_ARGUMENTS_BAD; goto out; }` */
#define tsr_check(expr) \
	((expr) ? true : (tsr_log ("p11", "%s: precondition failed: %s", __func__, #expr), false))

#define TSR_MANUFACTURER "tessera project"
#define TSR_LIBRARY_DESCRIPTION "tessera PKCS #11 for smartcards"
#define TSR_VERSION_MAJOR 0
#define TSR_VERSION_MINOR 1

/* Copy S into a blank-padded, not NUL-terminated field of LEN bytes (UTF-8 safe cut). */
void tsr_pad (CK_UTF8CHAR *field, size_t len, const char *s);

/* ---- objects (object.c, attrs.c) ---- */

struct tsr_object {
	CK_OBJECT_HANDLE handle;     /* lock; never 0 */
	CK_SLOT_ID slot_id;          /* lock */
	CK_SESSION_HANDLE session;   /* lock; 0: token object, else the owning session */
	CK_OBJECT_CLASS klass;       /* lock */
	CK_KEY_TYPE key_type;        /* lock; CK_UNAVAILABLE_INFORMATION for non-keys */
	bool is_private;             /* lock; CKA_PRIVATE: visible only when logged in */
	bool card_key;               /* lock; a private key on the card (key_ref) */
	uint8_t key_ref;             /* lock; card key reference (struct card_slot.ref) */
	CK_ULONG key_bits;           /* lock; RSA modulus bits, EC field bits, 0 unknown */
	bool always_auth;            /* lock; CKA_ALWAYS_AUTHENTICATE */
	bool meta_pending;           /* lock; a card key built with its slot's defaults: the card's
	                                metadata is read when first needed (keymeta.c) */
	EVP_PKEY *pub;               /* lock; public half (keys), owned; NULL when unknown */
	CK_ATTRIBUTE *attrs;         /* lock; owned, each pValue owned */
	CK_ULONG n_attrs;            /* lock */
	size_t attrs_cap;            /* lock */
	bool oom;                    /* a tsr_attr_add failed (checked once after building) */
};

/* Allocate an empty object. Owned by the caller: tsr_object_free (accepts NULL). */
struct tsr_object *tsr_object_new (CK_OBJECT_CLASS klass);
void tsr_object_free (struct tsr_object *obj);

/* Append (or replace) an attribute, copying VALUE. Failure is remembered in obj->oom. */
void tsr_attr_set (struct tsr_object *obj, CK_ATTRIBUTE_TYPE type, const void *value, CK_ULONG len);
void tsr_attr_set_bool (struct tsr_object *obj, CK_ATTRIBUTE_TYPE type, bool value);
void tsr_attr_set_ulong (struct tsr_object *obj, CK_ATTRIBUTE_TYPE type, CK_ULONG value);
/* The attribute TYPE of OBJ, or NULL. Borrowed. */
const CK_ATTRIBUTE *tsr_attr_find (const struct tsr_object *obj, CK_ATTRIBUTE_TYPE type);
bool tsr_attr_bool (const struct tsr_object *obj, CK_ATTRIBUTE_TYPE type, bool dflt);
/* Is TYPE a secret of OBJ (CKR_ATTRIBUTE_SENSITIVE)? */
bool tsr_attr_is_sensitive (const struct tsr_object *obj, CK_ATTRIBUTE_TYPE type);
/* Does OBJ carry every attribute of TEMPLATE with the same value? */
bool tsr_object_matches (const struct tsr_object *obj, const CK_ATTRIBUTE *templ, CK_ULONG count);

/* Build the objects of one card key slot (certificate, public key, private key)
 * from KEY and the slot's descriptor in CARD's table; appended to *objs (owned array,
 * grown). CKR_HOST_MEMORY on failure. */
struct card_key;
CK_RV tsr_objects_from_card_key (const struct card *card, const struct card_key *key, CK_SLOT_ID slot_id,
                                 struct tsr_object ***objs, size_t *n_objs);
/* Set what KEY's metadata says (origin, PIN policy) on the key objects of its slot. */
struct card_slot;
struct tsr_session;
void tsr_objects_apply_meta_inlock (CK_SLOT_ID slot_id, const struct card_key *key, const struct card_slot *desc);
/* Is TYPE an attribute of a card key that its metadata decides? */
bool tsr_attr_from_meta (CK_ATTRIBUTE_TYPE type);
/* Read the card's metadata of OBJ's key now if its objects still have the slot's defaults
 * (one card call for session S), and apply it. CKR_OK when nothing was pending. */
CK_RV tsr_key_meta_resolve_inlock (struct tsr_session *s, struct tsr_object *obj);
/* The CKO_PROFILE object of a token. Owned by the caller. */
struct tsr_object *tsr_object_profile_new (CK_SLOT_ID slot_id);

/* Store OBJ in the module's object table, giving it a handle. Takes ownership
 * (frees it on failure). */
CK_RV tsr_object_store_inlock (struct tsr_object *obj, CK_OBJECT_HANDLE *handle);
/* Look up a handle as seen from session S (slot, visibility, login). Borrowed. */
struct tsr_session;
CK_RV tsr_object_get_inlock (struct tsr_session *s, CK_OBJECT_HANDLE handle, struct tsr_object **obj);
/* The same for the object functions (attributes, size, copy, destroy): any failure,
 * an object the session may not see included, is CKR_OBJECT_HANDLE_INVALID. Borrowed. */
CK_RV tsr_object_handle_inlock (struct tsr_session *s, CK_OBJECT_HANDLE handle, struct tsr_object **obj);
/* Destroy every object of SLOT_ID (token gone), or of one session (session closed). */
void tsr_objects_drop_slot_inlock (CK_SLOT_ID slot_id);
void tsr_objects_drop_session_inlock (CK_SESSION_HANDLE session);
/* Is OBJ visible to session S? */
bool tsr_object_visible_inlock (struct tsr_session *s, const struct tsr_object *obj);
/* Build the public key of OBJ from its attributes (SPKI or components). */
EVP_PKEY *tsr_object_build_pub (const struct tsr_object *obj);

/* ---- tokens and slots (slot.c, token.c) ---- */

#define TSR_MAX_MECHS 40
#define TSR_OPEN_RETRY_S 2

struct tsr_grave;

struct tsr_token {
	void *io;                        /* the card lock (tsr_mutex_*), see the top */
	unsigned calls;                  /* lock; card calls in flight (io held or wanted) */
	struct tsr_grave *graves;        /* lock; what waits to be freed until calls == 0 */
	size_t n_graves, graves_cap;     /* lock */
	bool dead;                       /* lock; no longer any slot's: freed once calls == 0 */
	struct card *card;               /* io (the pointer: lock); owned */
	struct card_key *keys;           /* lock; what the card said at open, until installed */
	size_t n_keys;                   /* lock */
	uint32_t generation;             /* lock; the monitor's card_generation at open */
	struct card_info info;           /* lock; copy, read once at probe */
	char store_id[64];               /* lock; the name of its files in the cache folder:
	                                    "DRIVER-SERIAL" (tsr_store_card_id), "" without a serial */
	char label[33];                  /* lock; NUL-terminated, no trailing blanks */
	bool user_logged_in;             /* lock */
	uint8_t *pin;                    /* lock; held while logged in to restore the login after a
	                                    reset by another process; OPENSSL_cleanse'd and freed at
	                                    logout / removal / finalize */
	size_t pin_len;                  /* lock */
	int pin_tries_left;              /* lock; from the last PIN exchange, -1 unknown */
	int pin_tries_max;               /* lock */
	bool so_logged_in;               /* lock; CKU_SO (login.c) */
	bool so_with_key;                /* lock; the SO logged in with the management key, not the PUK */
	uint8_t *so_secret;              /* lock; the SO's PUK or management key while logged in;
	                                    OPENSSL_cleanse'd and freed with the user PIN */
	size_t so_secret_len;            /* lock */
	int puk_tries_left;              /* lock; from metadata or the last PUK exchange, -1 unknown */
	int puk_tries_max;               /* lock */
	bool admin_key_protected;        /* lock; the card keeps a PIN-protected admin key */
	bool admin_known;                /* lock; admin_key_protected is the card's word (or the cache's) */
	bool has_rsa, has_ec;            /* lock */
	bool has_ed, has_x;              /* lock; Ed25519 (CKK_EC_EDWARDS), X25519 (CKK_EC_MONTGOMERY) keys */
	CK_ULONG rsa_min_bits, rsa_max_bits, ec_min_bits, ec_max_bits; /* lock */
};

struct tsr_slot {
	CK_SLOT_ID id;                   /* lock; stable for the life of the process */
	char reader_name[READER_MAX_NAME]; /* lock */
	char reader_manufacturer[READER_MAX_MANUFACTURER];  /* lock; from the reader backend */
	bool reader_present;             /* lock */
	bool card_present;               /* lock; the monitor's view */
	uint32_t card_generation;        /* lock */
	uint32_t event_count;            /* lock; the service's event count of the reader (cache.h) */
	struct tsr_token *token;         /* lock; NULL: no card, or a card we do not know */
	struct tsr_token *opening;       /* lock; the token being read (its io held), or NULL */
	bool discovering;                /* lock; its card's applications asked, the lock let go
	                                    (apps.c; C_Finalize waits for it) */
	uint32_t unrecognised_generation; /* lock; generation whose card is not ours */
	bool unrecognised;               /* lock */
	CK_RV open_failed;               /* lock; the last failed open of this generation... */
	uint32_t open_failed_generation; /* lock */
	struct timespec open_failed_at;  /* lock; ...and when: retried after TSR_OPEN_RETRY_S */
	bool event_pending;              /* ev; for C_WaitForSlotEvent */

	/* A card with several applications (PIV and OpenPGP on one YubiKey) shows each as a
	 * token of its own, in a slot of its own (apps.c). */
	char app[CARD_APP_NAME];         /* lock; this slot's application; "" in a reader's first
	                                    slot: the first application the card has */
	struct tsr_slot *first;          /* set once: the reader's first slot (itself for it) */
	/* in a reader's first slot only: */
	char apps[CARD_MAX_APPS][CARD_APP_NAME];   /* lock; the card's applications, driver order */
	size_t n_apps;                   /* lock */
	uint32_t apps_generation;        /* lock; the card_generation they are known for, 0 none */
	uint8_t atr[READER_MAX_ATR];     /* lock; the card's ATR at insertion (its kind) */
	size_t atr_len;                  /* lock */
	CK_SLOT_ID selected;             /* atomic (__atomic_*): the slot whose application the card
	                                    had selected at our last card call, 0 unknown (cardcall.c) */
};

/* A new slot for reader NAME (APP NULL: its first slot), or for application APP of the
 * card in that reader. Owned by the slot table; NULL when out of memory. */
struct tsr_slot *tsr_slot_add_inlock (const char *name, const char *app);
/* Slot by ID, or NULL. Borrowed. */
struct tsr_slot *tsr_slot_get_inlock (CK_SLOT_ID id);
/* For the API functions that name a slot: presence refreshed first (no APDU), then the
 * slot SLOTID into *SLOT (borrowed), or CKR_SLOT_ID_INVALID. */
CK_RV tsr_slot_find_inlock (CK_SLOT_ID id, struct tsr_slot **slot);
/* Apply the monitor's events (reader added, card in/out...). */
void tsr_slot_apply_event_inlock (const struct reader_event *ev);
/* Refresh presence now when nobody else is watching (no APDU). */
void tsr_slots_refresh_inlock (void);
/* Open the token of a slot whose card is present but not open yet. */
CK_RV tsr_slot_ensure_token_inlock (struct tsr_slot *slot);
/* For status calls (C_GetTokenInfo, C_GetSlotList): the slot's token, opened if this
 * card was never read; a card whose reading failed is not read again here (no APDU):
 * the stored failure is returned until an operation retries (token.c). */
CK_RV tsr_token_for_status_inlock (struct tsr_slot *slot);
/* ---- applications (apps.c) ---- */
/* The application to open in SLOT, or NULL when the card's are not known yet. */
const char *tsr_slot_app_inlock (const struct tsr_slot *slot);
/* After a card event in the reader of FIRST (its first slot): the other applications' slots
 * follow (presence, tokens dropped, events posted); a card just inserted whose kind (ATR) was
 * seen before gets its applications from the cache without an APDU. */
void tsr_apps_follow_inlock (struct tsr_slot *first, enum reader_event_kind kind, const uint8_t *atr,
                             size_t atr_len);
/* A card in FIRST's reader whose applications are not known: find them now (the module lock
 * is released meanwhile; one SELECT per driver) and make their slots. */
void tsr_apps_discover_inlock (struct tsr_slot *first);
/* The card's applications found by FIRST's token open: recorded, slots made for the others. */
void tsr_apps_found_inlock (struct tsr_slot *first, char apps[CARD_MAX_APPS][CARD_APP_NAME], size_t n,
                            const uint8_t *atr, size_t atr_len);
/* Are several applications of one card in use in this reader (cardcall.c selects them)? */
bool tsr_apps_shared (const struct tsr_slot *slot);

/* Forget the token: sessions closed, objects gone, login dropped, PIN wiped. */
void tsr_slot_drop_token_inlock (struct tsr_slot *slot);
void tsr_slots_free_inlock (void);
/* Monitor thread and C_WaitForSlotEvent plumbing (event.c). tsr_events_open:
 * C_Initialize, before the first refresh; tsr_events_stop: C_Finalize, returns when
 * every waiter and the monitor thread have left; tsr_events_after_fork: a child's
 * C_Initialize, before tsr_events_open. */
void tsr_events_open (void);
CK_RV tsr_events_start (bool threads_allowed);
void tsr_events_stop (void);
void tsr_events_after_fork (void);
void tsr_event_post (struct tsr_slot *slot);

/* Read the card of SLOT into a new token (the module lock is released during the
 * card I/O; slot->opening meanwhile). *token owned by the caller: install it in the
 * slot, or tsr_token_retire_inlock. */
CK_RV tsr_token_open_inlock (struct tsr_slot *slot, struct tsr_token **token);
/* Make the objects, label and pairing of the token just opened and set in SLOT. */
CK_RV tsr_token_install_inlock (struct tsr_slot *slot);
/* Free a token nobody uses (calls == 0). Accepts NULL. */
void tsr_token_free (struct tsr_token *token);
/* Forget the login (PIN wiped). */
void tsr_token_forget_login (struct tsr_token *token);
/* The card_rv → CKR_* translation at the front end's boundary. */
CK_RV tsr_ckr_from_card (card_rv crv);

/* One card operation on the token of SLOT for session SESSION (0: none): the module
 * lock is released while FN runs under the token's io lock in one transaction, with
 * the login restored after a reset by another process (cardcall.c). FN touches only
 * the card and USER, never module state. Afterwards: CKR_DEVICE_REMOVED when the
 * token went away meanwhile (the slot's token is dropped at once when the card
 * was pulled), CKR_SESSION_CLOSED when SESSION was closed meanwhile. */
typedef card_rv (*tsr_card_fn) (struct card *card, void *user);
CK_RV tsr_card_call_inlock (struct tsr_slot *slot, CK_SESSION_HANDLE session, tsr_card_fn fn, void *user);
/* The same with FLAGS: TSR_CALL_ONCE for what must not run twice (the card may have done it
 * when its answer is lost): never re-sent after a "state lost" answer, the application
 * state is restored before it instead; TSR_CALL_CHANGES_PIN for what changes a PIN or PUK
 * (or the SO's key): without a clear answer the held PINs are forgotten, never tried. */
#define TSR_CALL_ONCE 0x1u
#define TSR_CALL_CHANGES_PIN 0x2u
CK_RV tsr_card_call_flags_inlock (struct tsr_slot *slot, CK_SESSION_HANDLE session, tsr_card_fn fn,
                                  void *user, unsigned flags);
/* Wait, with the module lock released, until no card I/O of TOKEN runs (io taken and
 * given back). The caller holds a call (token->calls) so TOKEN stays. */
void tsr_token_wait_io_inlock (struct tsr_token *token);

/* ---- deferred frees (grave.c) ---- */
enum tsr_grave_kind { TSR_GRAVE_OBJECT, TSR_GRAVE_SESSION, TSR_GRAVE_OP };
/* Free P now, or when the last card call of OWNER ends (OWNER NULL: now). */
void tsr_retire_inlock (struct tsr_token *owner, enum tsr_grave_kind kind, void *p);
/* A token no slot holds any more: freed now or after its last call. */
void tsr_token_retire_inlock (struct tsr_token *token);
/* The token whose card calls protect the objects and sessions of SLOT_ID, or NULL. */
struct tsr_token *tsr_slot_owner_inlock (CK_SLOT_ID slot_id);
/* Free what waits for tokens without calls in flight (tsr_leave, C_Finalize). */
void tsr_graves_flush_inlock (void);

/* ---- sessions (session.c) ---- */

/* The first TSR_OP_COUNT kinds are operations a session holds between calls;
 * UNWRAP and DERIVE are one-call operations that share the checks. */
enum tsr_op_kind { TSR_OP_SIGN, TSR_OP_VERIFY, TSR_OP_ENCRYPT, TSR_OP_DECRYPT, TSR_OP_DIGEST,
                   TSR_OP_UNWRAP, TSR_OP_DERIVE };
#define TSR_OP_COUNT 5

struct tsr_op {
	CK_MECHANISM_TYPE mech;
	CK_OBJECT_HANDLE key;            /* 0 for digests */
	const EVP_MD *md;                /* hash: hash-and-sign, PSS/OAEP parameter, digest */
	const EVP_MD *mgf1_md;
	CK_ULONG salt_len;
	uint8_t *label;                  /* OAEP label, owned */
	size_t label_len;
	EVP_MD_CTX *mdctx;               /* multi-part hashing, owned */
	uint8_t *buf;                    /* accumulated input of single-part mechanisms, owned */
	size_t buf_len;
	bool multipart;                  /* C_*Update was used */
	uint8_t *result;                 /* computed output kept for a retry after
	                                    CKR_BUFFER_TOO_SMALL (the card is asked once), owned */
	size_t result_len;
	bool has_result;
	bool context_login;              /* CKU_CONTEXT_SPECIFIC login done for this operation */
	uint8_t *context_pin;            /* owned, wiped */
	size_t context_pin_len;
};

void tsr_op_free (struct tsr_op *op);

struct tsr_find;
struct tsr_session;
/* Free a session and its operations (not its objects). Accepts NULL. */
void tsr_session_free (struct tsr_session *s);

struct tsr_session {
	CK_SESSION_HANDLE handle;        /* lock; never 0 */
	CK_SLOT_ID slot_id;              /* lock */
	CK_FLAGS flags;                  /* lock; CKF_SERIAL_SESSION | CKF_RW_SESSION */
	struct tsr_op *ops[TSR_OP_COUNT];/* lock; owned, NULL when idle */
	struct tsr_find *find;           /* lock; owned, NULL when idle */
	bool closed;                     /* lock; out of the table, retired (grave.c) */
};

/* Look up an open session. Borrowed. */
CK_RV tsr_session_get_inlock (CK_SESSION_HANDLE handle, struct tsr_session **s);
/* Same, plus its slot and token (CKR_DEVICE_REMOVED / TOKEN_NOT_PRESENT when gone). */
CK_RV tsr_session_token_inlock (CK_SESSION_HANDLE handle, struct tsr_session **s,
                                struct tsr_slot **slot, struct tsr_token **token);
void tsr_sessions_close_slot_inlock (CK_SLOT_ID slot_id);
void tsr_sessions_free_inlock (void);
/* Counts for C_GetTokenInfo. */
void tsr_sessions_count_inlock (CK_SLOT_ID slot_id, CK_ULONG *all, CK_ULONG *rw);
/* End the private-key operations of every session of SLOT_ID (logout). */
void tsr_sessions_end_private_ops_inlock (CK_SLOT_ID slot_id);
void tsr_find_free (struct tsr_find *find);

/* ---- mechanisms (mech.c, crypto helpers in rsa.c) ---- */

/* Does the card of TOKEN do raw RSA (rsa_raw), the front end padding? Else its RSA
 * keys use the card's PKCS #1 v1.5 operations (rsa_sign_pkcs1, rsa_decrypt_pkcs1). */
bool tsr_token_rsa_raw (const struct tsr_token *token);
/* Is MECH offered by TOKEN, and its info. */
CK_RV tsr_mech_info (const struct tsr_token *token, CK_MECHANISM_TYPE mech, CK_MECHANISM_INFO *info);
/* The mechanisms of TOKEN; *count = number written (or needed when LIST is NULL). */
CK_ULONG tsr_mech_list (const struct tsr_token *token, CK_MECHANISM_TYPE *list, CK_ULONG max);
/* Hash mechanism / MGF to EVP_MD, or NULL. */
const EVP_MD *tsr_md_from_mech (CK_MECHANISM_TYPE mech);
const EVP_MD *tsr_md_from_mgf (CK_ULONG mgf);
/* The hash of a hash-and-sign mechanism (CKM_SHA256_RSA_PKCS...), or NULL. */
const EVP_MD *tsr_md_of_sign_mech (CK_MECHANISM_TYPE mech);

/* Prepare an operation of KIND with MECH on KEY for session S (parameters checked,
 * key class and usage checked). *op owned by the caller. */
CK_RV tsr_op_new_inlock (struct tsr_session *s, enum tsr_op_kind kind, const CK_MECHANISM *mech,
                         CK_OBJECT_HANDLE key, struct tsr_op **op);
/* Accumulate input (hash or buffer). */
CK_RV tsr_op_update (struct tsr_op *op, const uint8_t *data, size_t len);
/* Deliver a computed result with the PKCS #11 length conventions (NULL: length query).
 * *done is true when the operation is over (success or hard failure). */
CK_RV tsr_op_deliver (struct tsr_op *op, uint8_t *out, CK_ULONG_PTR out_len);
/* Set an operation of session S (replacing nothing: CKR_OPERATION_ACTIVE when busy). */
CK_RV tsr_session_start_op_inlock (struct tsr_session *s, enum tsr_op_kind kind, struct tsr_op *op);
void tsr_session_end_op_inlock (struct tsr_session *s, enum tsr_op_kind kind);

/* RSA padding (rsa.c). OUT is K bytes. */
CK_RV tsr_rsa_pad_pkcs1_sign (const uint8_t *in, size_t in_len, uint8_t *out, size_t k);
CK_RV tsr_rsa_pad_pss (EVP_PKEY *pub, const EVP_MD *md, const EVP_MD *mgf1, CK_ULONG salt_len,
                       const uint8_t *hash, size_t hash_len, uint8_t *out, size_t k);
CK_RV tsr_rsa_unpad_pkcs1 (const uint8_t *in, size_t k, uint8_t *out, size_t *out_len);
CK_RV tsr_rsa_unpad_oaep (const uint8_t *in, size_t k, const EVP_MD *md, const EVP_MD *mgf1,
                          const uint8_t *label, size_t label_len, uint8_t *out, size_t *out_len);
/* DigestInfo DER of a hash. *out_len = size written to OUT (at most 83 bytes). */
CK_RV tsr_digest_info (const EVP_MD *md, const uint8_t *hash, size_t hash_len, uint8_t *out, size_t *out_len);

/* Private-key operations on the card for a key object (keyop.c): what IN is and OUT receives.
 * TSR_PRIV_RSA: raw RSA of a block the size of the modulus; TSR_PRIV_ECDSA: r||s of a hash;
 * TSR_PRIV_ECDH: the shared secret with the peer's point (no operation state: OP unused);
 * TSR_PRIV_RSA_SIGN_PKCS1 / _DECRYPT_PKCS1, for a card that pads RSA itself (tsr_token_rsa_raw
 * false): the PKCS #1 v1.5 signature of a DigestInfo (or CKM_RSA_PKCS's data), the plaintext of
 * a cryptogram; TSR_PRIV_EDDSA: R||S (64 bytes) of pure Ed25519 over the whole message. */
enum tsr_priv_kind { TSR_PRIV_RSA, TSR_PRIV_ECDSA, TSR_PRIV_ECDH, TSR_PRIV_RSA_SIGN_PKCS1,
                     TSR_PRIV_RSA_DECRYPT_PKCS1, TSR_PRIV_EDDSA };
CK_RV tsr_card_op_inlock (struct tsr_session *s, struct tsr_object *key, struct tsr_op *op, enum tsr_priv_kind kind,
                          const uint8_t *in, size_t in_len, uint8_t *out, size_t *out_len);

/* Check the card's signature SIG of KEY with its public key (sigcheck.c): IN is the block
 * given to the card (raw RSA), the hash (ECDSA) or the message (EdDSA). CKR_DEVICE_ERROR
 * when it does not verify. */
CK_RV tsr_sigcheck (const struct tsr_object *key, const uint8_t *in, size_t in_len, const uint8_t *sig,
                    size_t sig_len);
/* The same for an RSA signature the card padded itself (PKCS #1 v1.5): IN is what it was
 * given (a DigestInfo, or the data of CKM_RSA_PKCS). */
CK_RV tsr_sigcheck_pkcs1 (const struct tsr_object *key, const uint8_t *in, size_t in_len, const uint8_t *sig,
                          size_t sig_len);

/* RSA decryption with a card key: IN (modulus size) → *out (owned by the caller). */
CK_RV tsr_rsa_decrypt_inlock (struct tsr_session *s, struct tsr_op *op, struct tsr_object *key,
                              const uint8_t *in, size_t in_len, uint8_t **out, size_t *out_len);

/* Create a session secret key from an unwrap / derive TEMPLATE and its VALUE (create.c).
 * BASE: the key it was derived from (its CKA_ALWAYS_SENSITIVE / CKA_NEVER_EXTRACTABLE carry
 * over), NULL for an unwrapped key (it was outside: both FALSE). */
CK_RV tsr_secret_key_create_inlock (struct tsr_session *s, const CK_ATTRIBUTE *templ, CK_ULONG count,
                                    const uint8_t *value, size_t value_len, const struct tsr_object *base,
                                    CK_OBJECT_HANDLE *handle);

/* C_UnwrapKey with CKM_AES_KEY_WRAP and the session AES key KEK (aeswrap.c). */
CK_RV tsr_aes_unwrap_inlock (struct tsr_session *s, const CK_MECHANISM *m, CK_OBJECT_HANDLE kek,
                             const uint8_t *in, size_t in_len, const CK_ATTRIBUTE *templ, CK_ULONG count,
                             CK_OBJECT_HANDLE *out);

/* ---- OpenSSL (ossl.c): the module's own library context ---- */

CK_RV tsr_ossl_init (void);
void tsr_ossl_free (void);
/* The module's OSSL_LIB_CTX: pass it to every *_ex / *_from_* OpenSSL call. */
OSSL_LIB_CTX *tsr_ossl (void);
/* SHA-1 (1) and SHA-2 (224..512) fetched from it; NULL for other sizes. */
const EVP_MD *tsr_md_sha (int bits);

/* ---- the module (module.c, lock.c) ---- */

struct tsr_module {
	bool initialized;                /* written by C_Initialize / C_Finalize only */
	pid_t pid;                       /* the process that initialised */
	bool threads_allowed;            /* !CKF_LIBRARY_CANT_CREATE_OS_THREADS */

	/* lock */
	struct tsr_slot **slots;
	size_t n_slots;
	CK_SLOT_ID next_slot_id;
	struct tsr_session **sessions;
	size_t n_sessions;
	CK_SESSION_HANDLE next_session;
	struct tsr_object **objects;
	size_t n_objects;
	CK_OBJECT_HANDLE next_object;
	struct reader_monitor *monitor;  /* set by C_Initialize, used by whoever holds
	                                    monitor_busy (ev, event.c) */
	struct tsr_token **dead_tokens;  /* tokens dropped while a card call was in flight */
	size_t n_dead_tokens;
	bool starting;                   /* C_Initialize's first look at the readers: an empty
	                                    reader found then is no slot event (slot.c) */
};

extern struct tsr_module tsr;

/* Module lock (lock.c). */
CK_RV tsr_lock_init (const CK_C_INITIALIZE_ARGS *args);
void tsr_lock_destroy (void);
void tsr_lock (void);
void tsr_unlock (void);
/* API entry: initialised in this process? Then take the lock. */
CK_RV tsr_enter (void);
/* API exit: free what was retired (grave.c), release the lock. */
void tsr_leave (void);
/* Mutexes in the module's locking mode (the tokens' io locks). tsr_mutex_new: *mutex
 * owned by the caller (tsr_mutex_free, accepts NULL). */
CK_RV tsr_mutex_new (void **mutex);
void tsr_mutex_free (void *mutex);
void tsr_mutex_lock (void *mutex);
void tsr_mutex_unlock (void *mutex);

/* The function lists (module.c). */
CK_RV tsr_get_function_list (CK_FUNCTION_LIST_PTR_PTR list);
CK_RV tsr_get_interface_list (CK_INTERFACE_PTR list, CK_ULONG_PTR count);
CK_RV tsr_get_interface (CK_UTF8CHAR_PTR name, CK_VERSION_PTR version, CK_INTERFACE_PTR_PTR iface,
                         CK_FLAGS flags);

#endif /* TSR_TSR_H */
