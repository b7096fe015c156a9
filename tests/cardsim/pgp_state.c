/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pgp_state.c: the OpenPGP application in the state file (state.h), one record per line,
 * binary as hex, "-" for empty:
 *
 *   pgp-misc PW1-MULTI SIG-COUNT TERMINATED
 *   pgp-pw pw1|pw3|rc LEFT HEX
 *   pgp-slot N STATUS ATTR-HEX FPR-HEX CA-FPR-HEX TIME-HEX
 *   pgp-key N HEX-DER-PRIVATE-KEY
 *   pgp-cert N HEX
 *   pgp-do TAG HEX
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/x509.h>

#include "hex.h"
#include "pgp.h"

static void write_hex(FILE *f, const uint8_t *p, size_t n)
{
	char *s;

	if (n == 0) {
		fputs(" -", f);
		return;
	}
	s = malloc(2 * n + 1);
	if (s == NULL) {
		fputs(" !", f); /* unreadable on purpose: the load fails rather than lose data */
		return;
	}
	cs_hex_encode(p, n, s);
	fputc(' ', f);
	fputs(s, f);
	OPENSSL_cleanse(s, 2 * n + 1);
	free(s);
}

static int write_key(FILE *f, int slot, EVP_PKEY *k)
{
	unsigned char *der = NULL;
	int n = i2d_PrivateKey(k, &der);

	if (n <= 0)
		return -1;
	fprintf(f, "pgp-key %d", slot);
	write_hex(f, der, (size_t)n);
	fputc('\n', f);
	OPENSSL_clear_free(der, (size_t)n);
	return 0;
}

int cs_pgp_state_save(FILE *f, const struct cs_pgp *p)
{
	static const char *const names[3] = { "pw1", "pw3", "rc" };
	const struct cs_pgp_pw *pws[3] = { &p->pw1, &p->pw3, &p->rc };
	const struct cs_pgp_key *k;
	int i, rc = 0;

	fprintf(f, "pgp-misc %u %u %u\n", p->pw1_multi, (unsigned)p->sig_count, p->terminated ? 1u : 0u);
	for (i = 0; i < 3; i++) {
		fprintf(f, "pgp-pw %s %u", names[i], pws[i]->left);
		write_hex(f, pws[i]->ref, pws[i]->len);
		fputc('\n', f);
	}
	for (i = 0; i < PGP_NKEYS; i++) {
		k = &p->keys[i];
		fprintf(f, "pgp-slot %d %u", i, k->status);
		write_hex(f, k->attr, k->attr_len);
		write_hex(f, k->fpr, 20);
		write_hex(f, k->ca_fpr, 20);
		write_hex(f, k->time, 4);
		fputc('\n', f);
		if (k->pkey != NULL)
			rc |= write_key(f, i, k->pkey);
		if (k->cert != NULL) {
			fprintf(f, "pgp-cert %d", i);
			write_hex(f, k->cert, k->cert_len);
			fputc('\n', f);
		}
	}
	for (i = 0; i < PGP_NDOS; i++) {
		if (p->dos[i].data == NULL)
			continue;
		fprintf(f, "pgp-do %x", p->dos[i].tag);
		write_hex(f, p->dos[i].data, p->dos[i].len);
		fputc('\n', f);
	}
	return rc;
}

static unsigned long num(const char *s, int base, unsigned long max, bool *ok)
{
	char *end = NULL;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, base);
	if (errno != 0 || end == s || *end != '\0' || v > max)
		*ok = false;
	return v;
}

/* Decodes HEX ("-" = empty) into B (cleared first): true when well-formed. */
static bool hex(const char *s, struct cs_buf *b)
{
	cs_buf_clear(b);
	return strcmp(s, "-") == 0 || cs_hex_decode(s, b) == 0;
}

static bool load_pw(struct cs_pgp *p, char **t, int nt, struct cs_buf *b)
{
	struct cs_pgp_pw *pw = NULL;
	bool ok = nt == 4;
	unsigned long left = ok ? num(t[2], 10, PGP_PW_TRIES, &ok) : 0;

	if (ok)
		pw = strcmp(t[1], "pw1") == 0 ? &p->pw1 : strcmp(t[1], "pw3") == 0 ? &p->pw3 :
		     strcmp(t[1], "rc") == 0 ? &p->rc : NULL;
	if (pw == NULL || !hex(t[3], b) || b->len > PGP_PW_MAX)
		return false;
	OPENSSL_cleanse(pw, sizeof(*pw));
	if (b->len > 0)
		memcpy(pw->ref, b->data, b->len);
	pw->len = b->len;
	pw->left = (uint8_t)left;
	return true;
}

static bool load_slot(struct cs_pgp *p, char **t, int nt, struct cs_buf *b)
{
	bool ok = nt == 7;
	int slot = ok ? (int)num(t[1], 10, PGP_NKEYS - 1, &ok) : 0;
	struct cs_pgp_key *k;
	struct cs_pgp_alg alg;

	if (!ok)
		return false;
	k = &p->keys[slot];
	k->status = (uint8_t)num(t[2], 10, 2, &ok);
	if (!ok || !hex(t[3], b) || cs_pgp_attr_parse(b->data, b->len, slot, &alg) < 0)
		return false;
	memcpy(k->attr, b->data, b->len);
	k->attr_len = b->len;
	if (!hex(t[4], b) || b->len != 20)
		return false;
	memcpy(k->fpr, b->data, 20);
	if (!hex(t[5], b) || b->len != 20)
		return false;
	memcpy(k->ca_fpr, b->data, 20);
	if (!hex(t[6], b) || b->len != 4)
		return false;
	memcpy(k->time, b->data, 4);
	return true;
}

/* A key record follows its slot record: the key must fit the slot's attributes. */
static bool load_key(struct cs_pgp *p, char **t, int nt, struct cs_buf *b)
{
	bool ok = nt == 3;
	int slot = ok ? (int)num(t[1], 10, PGP_NKEYS - 1, &ok) : 0;
	struct cs_pgp_alg alg;
	const unsigned char *q;
	EVP_PKEY *k;

	if (!ok || !hex(t[2], b) || b->len == 0)
		return false;
	q = b->data;
	k = d2i_AutoPrivateKey(NULL, &q, (long)b->len);
	cs_pgp_slot_alg(p, slot, &alg);
	if (!cs_pgp_crypto_key_is(k, &alg)) {
		EVP_PKEY_free(k);
		return false;
	}
	EVP_PKEY_free(p->keys[slot].pkey);
	p->keys[slot].pkey = k;
	return true;
}

static bool load_blob(struct cs_pgp *p, char **t, int nt, struct cs_buf *b, bool cert)
{
	bool ok = nt == 3;
	unsigned long id = ok ? num(t[1], cert ? 10 : 16, cert ? PGP_NKEYS - 1 : 0xFFFF, &ok) : 0;
	struct cs_object *o = cert ? NULL : cs_pgp_do_find(p, (unsigned)id);
	uint8_t *v;

	if (!ok || (!cert && o == NULL) || !hex(t[2], b) || b->len == 0)
		return false;
	if (!cert)
		return cs_pgp_do_valid(o->tag, b->data, b->len) && cs_object_set(o, b->data, b->len) == 0;
	if (b->len > PGP_CERT_MAX || (v = malloc(b->len)) == NULL)
		return false;
	memcpy(v, b->data, b->len);
	free(p->keys[id].cert);
	p->keys[id].cert = v;
	p->keys[id].cert_len = b->len;
	return true;
}

static bool load_misc(struct cs_pgp *p, char **t, int nt)
{
	bool ok = nt == 4;

	if (!ok)
		return false;
	p->pw1_multi = (uint8_t)num(t[1], 10, 1, &ok);
	p->sig_count = (uint32_t)num(t[2], 10, 0xFFFFFF, &ok);
	p->terminated = num(t[3], 10, 1, &ok) == 1;
	return ok;
}

bool cs_pgp_state_line(struct cs_pgp *p, char **t, int nt)
{
	struct cs_buf b;
	bool ok = true; /* unknown pgp- records are skipped (newer versions) */

	cs_buf_init(&b);
	if (strcmp(t[0], "pgp-misc") == 0)
		ok = load_misc(p, t, nt);
	else if (strcmp(t[0], "pgp-pw") == 0)
		ok = load_pw(p, t, nt, &b);
	else if (strcmp(t[0], "pgp-slot") == 0)
		ok = load_slot(p, t, nt, &b);
	else if (strcmp(t[0], "pgp-key") == 0)
		ok = load_key(p, t, nt, &b);
	else if (strcmp(t[0], "pgp-cert") == 0)
		ok = load_blob(p, t, nt, &b, true);
	else if (strcmp(t[0], "pgp-do") == 0)
		ok = load_blob(p, t, nt, &b, false);
	cs_buf_free(&b);
	return ok;
}
