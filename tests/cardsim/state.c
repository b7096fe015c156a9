/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* state.c: persistent card state, text format (see state.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/x509.h>

#include "hex.h"
#include "pgp.h"
#include "state.h"

static int write_hex(FILE *f, const uint8_t *p, size_t n)
{
	char *s = malloc(2 * n + 1);

	if (s == NULL)
		return -1;
	cs_hex_encode(p, n, s);
	fputs(s, f);
	OPENSSL_cleanse(s, 2 * n + 1);
	free(s);
	return 0;
}

static int write_key(FILE *f, const struct cs_key *k, uint8_t slot)
{
	unsigned char *der = NULL;
	int n = i2d_PrivateKey(k->pkey, &der), rc = -1;

	if (n <= 0)
		goto out;
	fprintf(f, "key %02x %02x %02x %02x %02x ", slot, k->alg, k->pin_policy, k->touch_policy, k->origin);
	rc = write_hex(f, der, (size_t)n);
	fputc('\n', f);
out:
	if (der != NULL)
		OPENSSL_clear_free(der, (size_t)n);
	return rc;
}

static int write_all(FILE *f, const struct cs_card *c)
{
	int i, rc = 0;

	fprintf(f, "cardsim-state 1\nserial %u\npin ", c->serial);
	rc |= write_hex(f, c->pin, 8);
	fputs("\npuk ", f);
	rc |= write_hex(f, c->puk, 8);
	fprintf(f, "\npin-retries %u %u\npuk-retries %u %u\nmgm %02x %02x ", c->pin_total, c->pin_left,
		c->puk_total, c->puk_left, c->mgm_alg, c->mgm_touch);
	rc |= write_hex(f, c->mgm_key, c->mgm_len);
	fputc('\n', f);
	for (i = 0; i < CS_NSLOTS; i++)
		if (c->keys[i].pkey != NULL)
			rc |= write_key(f, &c->keys[i], cs_slot_id(i));
	for (i = 0; i < CS_NOBJECTS; i++) {
		if (c->objects[i].data == NULL)
			continue;
		fprintf(f, "object %x ", c->objects[i].tag);
		rc |= write_hex(f, c->objects[i].data, c->objects[i].len);
		fputc('\n', f);
	}
	rc |= cs_pgp_state_save(f, c->pgp);
	return rc;
}

int cs_state_save(struct cs_card *c, const char *path)
{
	size_t n = strlen(path) + 5;
	char *tmp = malloc(n);
	FILE *f = NULL;
	int fd, rc = -1;

	if (tmp == NULL)
		goto out;
	snprintf(tmp, n, "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || (f = fdopen(fd, "w")) == NULL) {
		if (fd >= 0)
			close(fd);
		goto out;
	}
	if (write_all(f, c) < 0 || fflush(f) != 0 || fsync(fileno(f)) != 0)
		goto out;
	if (fclose(f) != 0) {
		f = NULL;
		goto out;
	}
	f = NULL;
	if (rename(tmp, path) != 0)
		goto out;
	c->dirty = false;
	rc = 0;
out:
	if (rc < 0)
		fprintf(stderr, "cardsim: cannot write state %s: %s\n", path, strerror(errno));
	if (f != NULL) {
		fclose(f);
		unlink(tmp);
	}
	free(tmp);
	return rc;
}
