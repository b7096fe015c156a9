/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * src/cache.h: the card cache, a file per card serial ("card-SERIAL" in the user's cache
 * folder, store.h) that lets the next process read the card with fewer APDUs.
 *
 * It never supplies a key: every key comes from the card in each process (its certificate,
 * or its metadata), and the cache holds only beliefs that save probing:
 * - which spare slots (card_slot flag CARD_SLOT_SPARE: PIV's retired slots 82..95) held
 *   neither key nor certificate, and whether the card has an index of them (PIV key
 *   history), as seen by the last probe. Trusted (those slots not probed) only while the
 *   card stays in the same reader (the service's event count for it unchanged) and for
 *   at most TSR_CACHE_EMPTY_TTL seconds after that probe: a key or a certificate another
 *   tool puts into such a slot is seen at the next insertion, within 10 minutes, or at
 *   once with TESSERA_REFRESH=1 (or after deleting the file). Slots with a purpose (PIV
 *   9A, 9C, 9D, 9E) are looked at in every process;
 * - the metadata of a key (PIN and touch policy, origin, algorithm), keyed by the key's
 *   fingerprint (keyfpr.c): used only for the key whose certificate, read from the card
 *   in this process, carries that same key;
 * - whether the card keeps its admin key protected by the PIN (the write-protected flag);
 * - the SO PIN's tries left as last seen, for C_GetTokenInfo's SO flags: the card is asked
 *   at the start only when the user PIN has lost tries (then whether it can be unblocked
 *   matters), else after tessera's own SO exchanges (one APDU saved at every start).
 * A file that is not exactly what this version writes (header, serial, every line) is
 * ignored and replaced, never trusted in part. tessera's own writes (key generation,
 * import, certificates) update it.
 */
#ifndef TSR_CACHE_H
#define TSR_CACHE_H

#include "src/tsr.h"
#include "src/provision.h"

#define TSR_CACHE_EMPTY_TTL 600
#define TSR_CACHE_MAX_META 32
#define TSR_CACHE_INSERTION_MAX (READER_MAX_NAME + 16)

struct tsr_cache_meta {
	uint8_t ref;
	uint8_t fpr[TSR_FPR_LEN];
	enum card_alg alg;
	enum card_pin_policy pin;
	enum card_touch_policy touch;
	int origin;                       /* 1 generated, 0 imported, -1 unknown */
};

struct tsr_cache {
	char serial[64];                  /* the card's store id (tsr_store_card_id) */
	long long probed_at;              /* when the empty slots were last probed (0: never) */
	char insertion[TSR_CACHE_INSERTION_MAX];   /* reader and the service's event count then */
	int has_index;                    /* 1, 0, -1 unknown */
	uint8_t empty[32];                /* bit REF: held nothing at that probe */
	uint8_t cert[32];                 /* bit REF: held a certificate at the last look */
	struct tsr_cache_meta meta[TSR_CACHE_MAX_META];
	size_t n_meta;
	int admin_protected;              /* 1, 0, -1 unknown */
	int puk_tries;                    /* the SO PIN's tries left at the last SO exchange, -1 unknown */
};

/* The cache of SERIAL into C (an empty one when there is none or it is not usable). */
void tsr_cache_load (const char *serial, struct tsr_cache *c);
/* Write C; false when it could not be (logged: the next process probes again). */
bool tsr_cache_save (const struct tsr_cache *c);
/* The insertion key of SLOT's card (reader name, the service's event count). */
void tsr_cache_insertion (const char *reader, uint32_t event_count, char *out, size_t size);
/* Hints for list_keys() of CARD from C: the empty beliefs of its spare slots when they hold
 * for INSERTION now; metadata read lazily. */
void tsr_cache_hints (const struct tsr_cache *c, const struct card *card, const char *insertion,
                      struct card_list_hints *h);
/* Metadata for the KEYS listed without it, where the cache saw the same key. */
void tsr_cache_apply_meta (const struct tsr_cache *c, struct card_key *keys, size_t n);
/* After list_keys(): what was probed (H) and the keys' metadata go into C. */
void tsr_cache_note_list (struct tsr_cache *c, const char *insertion, const struct card_list_hints *h,
                          const struct card_key *keys, size_t n);
/* Remember KEY's metadata (the key in its slot, read from the card now). */
void tsr_cache_put_meta (struct tsr_cache *c, const struct card_key *key);

/* For the module's state: the metadata of KEY of SLOT's token learnt now; the slot REF of
 * SLOT's token written by tessera (KEY: its new key with metadata, or NULL: nothing known,
 * e.g. a certificate written); whether the card keeps a PIN-protected admin key. */
void tsr_cache_note_meta_inlock (struct tsr_slot *slot, const struct card_key *key);
void tsr_cache_note_write_inlock (struct tsr_slot *slot, uint8_t ref, const struct card_key *key);
void tsr_cache_note_admin_inlock (struct tsr_slot *slot, bool protected_key);
void tsr_cache_note_puk_inlock (struct tsr_slot *slot, int tries);

#endif /* TSR_CACHE_H */
