/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* state_load.c: reading the persistent card state (format in state.h). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

#include "crypto.h"
#include "hex.h"
#include "pgp.h"
#include "state.h"

#define MAX_TOKENS 8

static unsigned long num(const char *s, int base, bool *ok)
{
	char *end = NULL;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, base);
	if (errno != 0 || end == s || *end != '\0')
		*ok = false;
	return v;
}

static bool hex_exact(const char *s, uint8_t *dst, size_t n)
{
	struct cs_buf b;
	bool ok;

	cs_buf_init(&b);
	ok = cs_hex_decode(s, &b) == 0 && b.len == n;
	if (ok)
		memcpy(dst, b.data, n);
	cs_buf_free(&b);
	return ok;
}

static bool load_key(struct cs_card *c, char **t, int nt)
{
	bool ok = nt == 7;
	int idx = ok ? cs_slot_index((uint8_t)num(t[1], 16, &ok)) : -1;
	uint8_t alg = ok ? (uint8_t)num(t[2], 16, &ok) : 0;
	const unsigned char *p;
	struct cs_buf der;
	EVP_PKEY *k = NULL;

	cs_buf_init(&der);
	if (!ok || idx < 0 || cs_hex_decode(t[6], &der) < 0 || der.len == 0)
		goto out;
	p = der.data;
	k = d2i_AutoPrivateKey(NULL, &p, (long)der.len);
	ok = cs_crypto_key_is(k, alg);
	if (ok) {
		EVP_PKEY_free(c->keys[idx].pkey);
		c->keys[idx].pkey = k;
		k = NULL;
		c->keys[idx].alg = alg;
		c->keys[idx].pin_policy = (uint8_t)num(t[3], 16, &ok);
		c->keys[idx].touch_policy = (uint8_t)num(t[4], 16, &ok);
		c->keys[idx].origin = (uint8_t)num(t[5], 16, &ok);
	}
out:
	EVP_PKEY_free(k);
	cs_buf_free(&der);
	return ok && idx >= 0;
}

static bool load_object(struct cs_card *c, char **t, int nt)
{
	bool ok = nt == 3;
	struct cs_object *o = NULL;
	struct cs_buf v;

	cs_buf_init(&v);
	if (ok)
		o = cs_object_find(c, (unsigned)num(t[1], 16, &ok));
	if (o == NULL) { /* not an object of this card: refused */
		ok = false;
		goto out;
	}
	ok = ok && cs_hex_decode(t[2], &v) == 0 && v.len > 0 && cs_object_set(o, v.data, v.len) == 0;
out:
	cs_buf_free(&v);
	return ok;
}

static bool load_retries(uint8_t *total, uint8_t *left, char **t, int nt)
{
	bool ok = nt == 3;
	unsigned long a = ok ? num(t[1], 10, &ok) : 0, b = ok ? num(t[2], 10, &ok) : 0;

	if (!ok || a == 0 || a > 255 || b > a)
		return false;
	*total = (uint8_t)a;
	*left = (uint8_t)b;
	return true;
}

static bool load_mgm(struct cs_card *c, char **t, int nt)
{
	bool ok = nt == 4;
	uint8_t alg = ok ? (uint8_t)num(t[1], 16, &ok) : 0;
	size_t len = cs_alg_mgm_keylen(alg);

	if (!ok || len == 0 || !hex_exact(t[3], c->mgm_key, len))
		return false;
	c->mgm_alg = alg;
	c->mgm_len = len;
	c->mgm_touch = (uint8_t)num(t[2], 16, &ok);
	return ok;
}

static bool load_line(struct cs_card *c, char *line)
{
	char *t[MAX_TOKENS], *save = NULL, *s;
	int nt = 0;
	bool ok = true;

	for (s = strtok_r(line, " \t\r\n", &save); s != NULL && nt < MAX_TOKENS; s = strtok_r(NULL, " \t\r\n", &save))
		t[nt++] = s;
	if (nt == 0)
		return true;
	if (strcmp(t[0], "cardsim-state") == 0)
		return nt == 2 && strcmp(t[1], "1") == 0;
	if (strcmp(t[0], "serial") == 0) {
		c->serial = nt == 2 ? (uint32_t)num(t[1], 10, &ok) : 0;
		return ok && c->serial != 0;
	}
	if (strcmp(t[0], "pin") == 0 || strcmp(t[0], "puk") == 0)
		return nt == 2 && hex_exact(t[1], t[0][1] == 'i' ? c->pin : c->puk, 8);
	if (strcmp(t[0], "pin-retries") == 0)
		return load_retries(&c->pin_total, &c->pin_left, t, nt);
	if (strcmp(t[0], "puk-retries") == 0)
		return load_retries(&c->puk_total, &c->puk_left, t, nt);
	if (strcmp(t[0], "mgm") == 0)
		return load_mgm(c, t, nt);
	if (strcmp(t[0], "key") == 0)
		return load_key(c, t, nt);
	if (strcmp(t[0], "object") == 0)
		return load_object(c, t, nt);
	if (strncmp(t[0], "pgp-", 4) == 0)
		return cs_pgp_state_line(c->pgp, t, nt);
	return true; /* unknown records are skipped (newer versions) */
}

int cs_state_load(struct cs_card *c, const char *path)
{
	FILE *f = fopen(path, "re");
	char *line = NULL;
	size_t cap = 0;
	unsigned lineno = 0;
	int rc = -1;

	if (f == NULL) {
		if (errno == ENOENT)
			return 1;
		fprintf(stderr, "cardsim: cannot read state %s: %s\n", path, strerror(errno));
		return -1;
	}
	cs_card_factory(c);
	cs_pgp_factory(c->pgp);
	while (getline(&line, &cap, f) >= 0) {
		lineno++;
		if (!load_line(c, line)) {
			fprintf(stderr, "cardsim: %s:%u: malformed state record\n", path, lineno);
			goto out;
		}
	}
	if (lineno == 0) {
		fprintf(stderr, "cardsim: %s: empty state file\n", path);
		goto out;
	}
	c->dirty = false;
	rc = 0;
out:
	if (line != NULL)
		OPENSSL_cleanse(line, cap);
	free(line);
	fclose(f);
	return rc;
}
