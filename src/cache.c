/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * src/cache.c: the card cache (see cache.h for what it holds and when it is trusted).
 *
 * File "card-DRIVER-SERIAL" (the store id, store.c), at most TSR_CACHE_FILE_MAX bytes, lines:
 *   tessera-card-cache 1
 *   serial <hex of the store id>
 *   probed <unix time> <hex of the insertion key> <index: 1|0|-1>
 *   empty <ref hex> ...
 *   certs <ref hex> ...
 *   meta <ref> <fingerprint hex> <alg> <pin> <touch> <origin>
 *   admin <1|0|-1>
 *   puk <tries left, -1 unknown>
 * Nothing secret. Anything else, a line too many or out of range: the whole file is
 * ignored (logged) and replaced at the next save.
 */
#include "config.h"

#include "src/cache.h"
#include "src/store.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TSR_CACHE_FILE_MAX (16 * 1024)
#define TSR_CACHE_HEADER "tessera-card-cache 1"

static void
tsr_cache_init (struct tsr_cache *c, const char *serial)
{
	memset (c, 0, sizeof *c);
	snprintf (c->serial, sizeof c->serial, "%s", serial != NULL ? serial : "");
	c->has_index = -1;
	c->admin_protected = -1;
	c->puk_tries = -1;
}

static bool
tsr_cache_int (const char *word, long long min, long long max, long long *out)
{
	char *end = NULL;
	long long v;

	if (word == NULL || word[0] == '\0')
		return false;
	v = strtoll (word, &end, 10);
	if (end == NULL || *end != '\0' || v < min || v > max)
		return false;
	*out = v;
	return true;
}

static bool
tsr_cache_ref (const char *word, uint8_t *ref)
{
	size_t len = 0;

	return word != NULL && tsr_store_hex_get (word, ref, 1, &len) && len == 1;
}

static bool
tsr_cache_parse_meta (char **save, struct tsr_cache *c)
{
	struct tsr_cache_meta *m;
	long long alg, pin, touch, origin;
	size_t len = 0;
	char *fpr;

	if (c->n_meta == TSR_CACHE_MAX_META)
		return false;
	m = &c->meta[c->n_meta];
	if (!tsr_cache_ref (strtok_r (NULL, " \n", save), &m->ref))
		return false;
	fpr = strtok_r (NULL, " \n", save);
	if (fpr == NULL || !tsr_store_hex_get (fpr, m->fpr, sizeof m->fpr, &len) || len != sizeof m->fpr)
		return false;
	if (!tsr_cache_int (strtok_r (NULL, " \n", save), 0, CARD_ALG_LAST, &alg) ||
	    !tsr_cache_int (strtok_r (NULL, " \n", save), 0, CARD_PIN_POLICY_ALWAYS, &pin) ||
	    !tsr_cache_int (strtok_r (NULL, " \n", save), 0, CARD_TOUCH_POLICY_CACHED, &touch) ||
	    !tsr_cache_int (strtok_r (NULL, " \n", save), -1, 1, &origin))
		return false;
	m->alg = (enum card_alg)alg;
	m->pin = (enum card_pin_policy)pin;
	m->touch = (enum card_touch_policy)touch;
	m->origin = (int)origin;
	c->n_meta++;
	return strtok_r (NULL, " \n", save) == NULL;
}

static bool
tsr_cache_parse_probed (char **save, struct tsr_cache *c)
{
	long long at, index;
	size_t len = 0;
	char *ins;

	if (!tsr_cache_int (strtok_r (NULL, " \n", save), 0, (long long)1 << 40, &at))
		return false;
	ins = strtok_r (NULL, " \n", save);
	if (ins == NULL || !tsr_store_hex_get (ins, (uint8_t *)c->insertion, sizeof c->insertion - 1, &len))
		return false;
	c->insertion[len] = '\0';
	if (memchr (c->insertion, '\0', len) != NULL ||
	    !tsr_cache_int (strtok_r (NULL, " \n", save), -1, 1, &index))
		return false;
	c->probed_at = at;
	c->has_index = (int)index;
	return strtok_r (NULL, " \n", save) == NULL;
}

static bool
tsr_cache_parse_line (char *line, struct tsr_cache *c)
{
	char *save = NULL, *key = strtok_r (line, " \n", &save), *w;
	long long v;
	uint8_t ref;

	if (key == NULL)
		return false;
	if (strcmp (key, "probed") == 0)
		return tsr_cache_parse_probed (&save, c);
	if (strcmp (key, "meta") == 0)
		return tsr_cache_parse_meta (&save, c);
	if (strcmp (key, "admin") == 0 || strcmp (key, "puk") == 0) {
		bool admin = key[0] == 'a';
		if (!tsr_cache_int (strtok_r (NULL, " \n", &save), -1, admin ? 1 : 255, &v))
			return false;
		if (admin)
			c->admin_protected = (int)v;
		else
			c->puk_tries = (int)v;
		return strtok_r (NULL, " \n", &save) == NULL;
	}
	if (strcmp (key, "empty") == 0 || strcmp (key, "certs") == 0) {
		uint8_t *map = key[0] == 'e' ? c->empty : c->cert;
		while ((w = strtok_r (NULL, " \n", &save)) != NULL) {
			if (!tsr_cache_ref (w, &ref))
				return false;
			CARD_REF_BIT_SET (map, ref);
		}
		return true;
	}
	return false;
}

/* The serial line: exactly the card's serial. */
static bool
tsr_cache_parse_serial (char *line, const char *serial)
{
	char *save = NULL, *key = strtok_r (line, " \n", &save), *hex = strtok_r (NULL, " \n", &save);
	char got[33];
	size_t len = 0;

	if (key == NULL || strcmp (key, "serial") != 0 || hex == NULL ||
	    !tsr_store_hex_get (hex, (uint8_t *)got, sizeof got - 1, &len) || strtok_r (NULL, " \n", &save) != NULL)
		return false;
	got[len] = '\0';
	return strlen (got) == len && strcmp (got, serial) == 0;
}

static bool
tsr_cache_parse (char *data, struct tsr_cache *c)
{
	char *save = NULL, *line;
	size_t n = 0;

	for (line = strtok_r (data, "\n", &save); line != NULL; line = strtok_r (NULL, "\n", &save), n++) {
		bool ok;
		if (n == 0)
			ok = strcmp (line, TSR_CACHE_HEADER) == 0;
		else if (n == 1)
			ok = tsr_cache_parse_serial (line, c->serial);
		else
			ok = tsr_cache_parse_line (line, c);
		if (!ok)
			return false;
	}
	return n >= 2;
}

void
tsr_cache_load (const char *serial, struct tsr_cache *c)
{
	char path[4200], *data = NULL;
	const char *refresh = getenv ("TESSERA_REFRESH");
	size_t len = 0;

	tsr_cache_init (c, serial);
	if (refresh != NULL && refresh[0] != '\0' && strcmp (refresh, "0") != 0) {
		tsr_log ("p11", "card %s: TESSERA_REFRESH: the card cache is not used", serial);
		return;
	}
	if (!tsr_store_path ("card", serial, path, sizeof path, false) ||
	    !tsr_store_read (path, TSR_CACHE_FILE_MAX, &data, &len))
		return;
	if (memchr (data, '\0', len) != NULL || !tsr_cache_parse (data, c)) {
		tsr_log ("p11", "%s: not a card cache of card %s: ignored (replaced at the next save)", path, serial);
		tsr_cache_init (c, serial);
	}
	free (data);
}

static void
tsr_cache_write_refs (FILE *fp, const uint8_t map[32])
{
	unsigned i;

	for (i = 0; i < 256; i++) {
		if (CARD_REF_BIT (map, i))
			fprintf (fp, " %02x", i);
	}
}

static void
tsr_cache_write (FILE *fp, const void *user)
{
	const struct tsr_cache *c = user;
	size_t i;

	fprintf (fp, "%s\nserial ", TSR_CACHE_HEADER);
	tsr_store_hex_put (fp, (const uint8_t *)c->serial, strlen (c->serial));
	fprintf (fp, "\nprobed %lld ", c->probed_at);
	tsr_store_hex_put (fp, (const uint8_t *)c->insertion, strlen (c->insertion));
	fprintf (fp, " %d\nempty", c->has_index);
	tsr_cache_write_refs (fp, c->empty);
	fputs ("\ncerts", fp);
	tsr_cache_write_refs (fp, c->cert);
	fputc ('\n', fp);
	for (i = 0; i < c->n_meta; i++) {
		const struct tsr_cache_meta *m = &c->meta[i];
		fprintf (fp, "meta %02x ", m->ref);
		tsr_store_hex_put (fp, m->fpr, sizeof m->fpr);
		fprintf (fp, " %d %d %d %d\n", (int)m->alg, (int)m->pin, (int)m->touch, m->origin);
	}
	fprintf (fp, "admin %d\npuk %d\n", c->admin_protected, c->puk_tries);
}

bool
tsr_cache_save (const struct tsr_cache *c)
{
	char path[4200];

	if (!tsr_store_path ("card", c->serial, path, sizeof path, true))
		return false;
	return tsr_store_write (path, tsr_cache_write, c);
}

void
tsr_cache_insertion (const char *reader, uint32_t event_count, char *out, size_t size)
{
	snprintf (out, size, "%s#%u", reader, (unsigned)event_count);
}

void
tsr_cache_hints (const struct tsr_cache *c, const struct card *card, const char *insertion,
                 struct card_list_hints *h)
{
	long long now = (long long)time (NULL);
	size_t i;

	memset (h, 0, sizeof *h);
	h->lazy_meta = 1;
	h->has_index = -1;
	if (c->probed_at == 0 || now < c->probed_at || now - c->probed_at > TSR_CACHE_EMPTY_TTL ||
	    strcmp (c->insertion, insertion) != 0)
		return;   /* another insertion, or too old: probe everything */
	for (i = 0; i < card->n_slots; i++) {
		/* only spare slots: the slots with a purpose are looked at in every process */
		uint8_t ref = card->slots[i].ref;
		if (!(card->slots[i].flags & CARD_SLOT_SPARE))
			continue;
		if (CARD_REF_BIT (c->empty, ref))
			CARD_REF_BIT_SET (h->empty, ref);
		if (CARD_REF_BIT (c->cert, ref))
			CARD_REF_BIT_SET (h->cert, ref);
	}
	h->no_index = c->has_index == 0;
}

static const struct tsr_cache_meta *
tsr_cache_find_meta (const struct tsr_cache *c, uint8_t ref, const uint8_t fpr[TSR_FPR_LEN])
{
	size_t i;

	for (i = 0; i < c->n_meta; i++) {
		if (c->meta[i].ref == ref && memcmp (c->meta[i].fpr, fpr, TSR_FPR_LEN) == 0)
			return &c->meta[i];
	}
	return NULL;
}

void
tsr_cache_apply_meta (const struct tsr_cache *c, struct card_key *keys, size_t n)
{
	const struct tsr_cache_meta *m;
	uint8_t fpr[TSR_FPR_LEN];
	size_t i;

	for (i = 0; i < n; i++) {
		struct card_key *k = &keys[i];
		if (k->meta_known || k->cert_der == NULL || !tsr_fpr_of_cert (k->cert_der, k->cert_len, fpr))
			continue;
		m = tsr_cache_find_meta (c, k->ref, fpr);
		if (m == NULL)
			continue;
		k->alg = m->alg != CARD_ALG_NONE ? m->alg : k->alg;
		k->pin_policy = m->pin;
		k->touch_policy = m->touch;
		k->origin_generated = m->origin;
		k->meta_known = 1;
	}
}

/* The fingerprint of KEY's public key (certificate or SPKI). */
static bool
tsr_cache_key_fpr (const struct card_key *key, uint8_t fpr[TSR_FPR_LEN])
{
	if (key->cert_der != NULL && tsr_fpr_of_cert (key->cert_der, key->cert_len, fpr))
		return true;
	return key->spki_der != NULL && tsr_fpr_of_spki (key->spki_der, key->spki_len, fpr);
}

static void
tsr_cache_drop_meta (struct tsr_cache *c, uint8_t ref)
{
	size_t i = 0;

	while (i < c->n_meta) {
		if (c->meta[i].ref == ref)
			c->meta[i] = c->meta[--c->n_meta];
		else
			i++;
	}
}

void
tsr_cache_put_meta (struct tsr_cache *c, const struct card_key *key)
{
	struct tsr_cache_meta *m;
	uint8_t fpr[TSR_FPR_LEN];

	if (!key->meta_known || !key->has_key || !tsr_cache_key_fpr (key, fpr))
		return;
	tsr_cache_drop_meta (c, key->ref);
	if (c->n_meta == TSR_CACHE_MAX_META)
		return;
	m = &c->meta[c->n_meta++];
	m->ref = key->ref;
	memcpy (m->fpr, fpr, sizeof fpr);
	m->alg = key->alg;
	m->pin = key->pin_policy;
	m->touch = key->touch_policy;
	m->origin = key->origin_generated;
}

/* Did list_keys() skip anything on the cache's word? */
static bool
tsr_cache_used_beliefs (const struct card_list_hints *h)
{
	size_t i;

	for (i = 0; i < sizeof h->empty; i++) {
		if (h->empty[i] != 0)
			return true;
	}
	return h->no_index != 0;
}

void
tsr_cache_note_list (struct tsr_cache *c, const char *insertion, const struct card_list_hints *h,
                     const struct card_key *keys, size_t n)
{
	uint8_t used[32];
	size_t i;

	memset (used, 0, sizeof used);
	for (i = 0; i < n; i++) {
		CARD_REF_BIT_SET (used, keys[i].ref);
		tsr_cache_put_meta (c, &keys[i]);
	}
	for (i = 0; i < 256; i++) {
		if (!CARD_REF_BIT (h->probed, i))
			continue;
		if (CARD_REF_BIT (used, i))
			c->empty[i >> 3] &= (uint8_t)~(1u << (i & 7));
		else
			CARD_REF_BIT_SET (c->empty, i);
		c->cert[i >> 3] &= (uint8_t)~(1u << (i & 7));
	}
	for (i = 0; i < n; i++) {
		if (keys[i].cert_der != NULL)
			CARD_REF_BIT_SET (c->cert, keys[i].ref);
	}
	for (i = 0; i < 256; i++) {
		if (CARD_REF_BIT (used, i))
			c->empty[i >> 3] &= (uint8_t)~(1u << (i & 7));
	}
	if (h->has_index != -1)
		c->has_index = h->has_index;
	if (!tsr_cache_used_beliefs (h)) {
		/* everything was probed: the beliefs start again now, for this insertion */
		c->probed_at = (long long)time (NULL);
		snprintf (c->insertion, sizeof c->insertion, "%s", insertion);
	}
}

/* Load the cache of SLOT's card, let FN change it, save it. */
static void
tsr_cache_update_inlock (struct tsr_slot *slot, void (*fn) (struct tsr_cache *c, const void *arg),
                         const void *arg)
{
	struct tsr_cache c;

	if (slot->token == NULL || slot->token->store_id[0] == '\0')
		return;
	tsr_cache_load (slot->token->store_id, &c);
	fn (&c, arg);
	(void)tsr_cache_save (&c);
}

static void
tsr_cache_meta_fn (struct tsr_cache *c, const void *arg)
{
	tsr_cache_put_meta (c, arg);
}

void
tsr_cache_note_meta_inlock (struct tsr_slot *slot, const struct card_key *key)
{
	tsr_cache_update_inlock (slot, tsr_cache_meta_fn, key);
}

struct tsr_cache_write_arg {
	uint8_t ref;
	const struct card_key *key;
};

static void
tsr_cache_write_fn (struct tsr_cache *c, const void *arg)
{
	const struct tsr_cache_write_arg *w = arg;

	c->empty[w->ref >> 3] &= (uint8_t)~(1u << (w->ref & 7));
	if (w->key != NULL) {
		tsr_cache_put_meta (c, w->key);
		return;
	}
	/* a certificate written or deleted: its slot's key stays, but check its metadata
	 * against the next certificate (the fingerprint does that) */
}

void
tsr_cache_note_write_inlock (struct tsr_slot *slot, uint8_t ref, const struct card_key *key)
{
	struct tsr_cache_write_arg arg = { ref, key };

	tsr_cache_update_inlock (slot, tsr_cache_write_fn, &arg);
}

static void
tsr_cache_admin_fn (struct tsr_cache *c, const void *arg)
{
	c->admin_protected = *(const bool *)arg ? 1 : 0;
}

void
tsr_cache_note_admin_inlock (struct tsr_slot *slot, bool protected_key)
{
	tsr_cache_update_inlock (slot, tsr_cache_admin_fn, &protected_key);
}

static void
tsr_cache_puk_fn (struct tsr_cache *c, const void *arg)
{
	c->puk_tries = *(const int *)arg;
}

void
tsr_cache_note_puk_inlock (struct tsr_slot *slot, int tries)
{
	tsr_cache_update_inlock (slot, tsr_cache_puk_fn, &tries);
}
