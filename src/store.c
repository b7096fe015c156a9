/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * src/store.c: per-card files in the user's cache folder (see store.h).
 */
#include "config.h"

#include "src/store.h"
#include "src/log.h"

#include "apdu/card.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

/* The folder into DIR, created when CREATE. false when there is no home. */
static bool
tsr_store_dir (char *dir, size_t size, bool create)
{
	const char *env = getenv ("TESSERA_CACHE_DIR");
	const char *xdg = getenv ("XDG_CACHE_HOME");
	const char *home = getenv ("HOME");
	char parent[4096];
	int n;

	if (env != NULL && env[0] != '\0') {
		n = snprintf (dir, size, "%s", env);
		parent[0] = '\0';
	} else if (xdg != NULL && xdg[0] == '/') {
		n = snprintf (dir, size, "%s/tessera", xdg);
		snprintf (parent, sizeof parent, "%s", xdg);
	} else if (home != NULL && home[0] == '/') {
		n = snprintf (dir, size, "%s/.cache/tessera", home);
		snprintf (parent, sizeof parent, "%s/.cache", home);
	} else {
		return false;
	}
	if (n < 0 || (size_t)n >= size)
		return false;
	if (create) {
		if (parent[0] != '\0' && mkdir (parent, 0700) != 0 && errno != EEXIST)
			return false;
		if (mkdir (dir, 0700) != 0 && errno != EEXIST)
			return false;
	}
	return true;
}

bool
tsr_store_path (const char *prefix, const char *serial, char *path, size_t size, bool create)
{
	char dir[4096], safe[64];
	size_t i;
	int n;

	if (serial == NULL || serial[0] == '\0' || !tsr_store_dir (dir, sizeof dir, create))
		return false;
	for (i = 0; serial[i] != '\0' && i < sizeof safe - 1; i++) {
		char c = serial[i];
		bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		          c == '-' || c == '_' || c == '.';
		safe[i] = ok ? c : '_';
	}
	safe[i] = '\0';
	n = snprintf (path, size, "%s/%s-%s", dir, prefix, safe);
	return n > 0 && (size_t)n < size;
}

bool
tsr_store_read (const char *path, size_t max, char **data, size_t *len)
{
	struct stat st;
	char *buf = NULL;
	ssize_t got;
	size_t n = 0;
	bool ok = false;
	int fd;

	*data = NULL;
	*len = 0;
	fd = open (path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0)
		return false;
	if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode) || (size_t)st.st_size > max) {
		tsr_log ("p11", "%s: not a regular file of at most %zu bytes: ignored", path, max);
		goto out;
	}
	buf = malloc (max + 1);
	if (buf == NULL)
		goto out;
	while (n < max && (got = read (fd, buf + n, max - n)) > 0)
		n += (size_t)got;
	buf[n] = '\0';
	*data = buf;
	*len = n;
	buf = NULL;
	ok = true;
out:
	free (buf);
	close (fd);
	return ok;
}

bool
tsr_store_write (const char *path, void (*write) (FILE *fp, const void *user), const void *user)
{
	char tmp[4300];
	FILE *fp = NULL;
	bool ok = false;
	int fd;

	snprintf (tmp, sizeof tmp, "%s.%ld.tmp", path, (long)getpid ());
	fd = open (tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0 || (fp = fdopen (fd, "w")) == NULL)
		goto out;
	fd = -1;
	write (fp, user);
	if (fflush (fp) == 0 && fsync (fileno (fp)) == 0 && fclose (fp) == 0 && rename (tmp, path) == 0)
		ok = true;
	fp = NULL;
out:
	if (fp != NULL)
		fclose (fp);
	if (fd >= 0)
		close (fd);
	if (!ok) {
		tsr_log ("p11", "%s: cannot write: %s", path, tsr_strerror (errno));
		unlink (tmp);
	}
	return ok;
}

void
tsr_store_hex_put (FILE *fp, const uint8_t *data, size_t len)
{
	size_t i;

	if (len == 0)
		fputc ('-', fp);
	for (i = 0; i < len; i++)
		fprintf (fp, "%02x", data[i]);
}

bool
tsr_store_hex_get (const char *word, uint8_t *out, size_t max, size_t *len)
{
	size_t n = strlen (word), i;

	*len = 0;
	if (strcmp (word, "-") == 0)
		return true;
	if (n % 2 != 0 || n / 2 > max)
		return false;
	for (i = 0; i < n / 2; i++) {
		int hi = OPENSSL_hexchar2int (word[2 * i]), lo = OPENSSL_hexchar2int (word[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return false;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	*len = n / 2;
	return true;
}

void
tsr_store_card_id (const struct card *card, char *out, size_t size)
{
	if (size == 0)
		return;
	out[0] = '\0';
	if (card != NULL && card->driver != NULL && card->driver->name != NULL && card->info.serial[0] != '\0')
		snprintf (out, size, "%s-%s", card->driver->name, card->info.serial);
}
