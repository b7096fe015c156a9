/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tools/profiles.c: the user's Firefox and Thunderbird profiles (profiles.ini under
 * ~/.mozilla/firefox and ~/.thunderbird) and the list of PKCS #11 modules of each
 * profile's NSS database (pkcs11.txt: blocks of key=value lines, "library=" and
 * "name=" among them, separated by blank lines), read and rewritten atomically.
 */
#include "config.h"

#include "tools/tool.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define LINE_MAX_LEN 8192

/* Copy SRC into DST (SIZE bytes), cut when longer. */
static void
set_str (char *dst, size_t size, const char *src)
{
	size_t n = strnlen (src, size - 1);

	memcpy (dst, src, n);
	dst[n] = '\0';
}

const char *
tool_app_name (enum tool_app app)
{
	return app == TOOL_APP_FIREFOX ? "Firefox" : "Thunderbird";
}

bool
tool_is_tessera_module (const char *library)
{
	const char *base = strrchr (library, '/');

	return strcmp (base != NULL ? base + 1 : library, "tessera-pkcs11.so") == 0;
}

/* Firefox and Thunderbird hold a symbolic link "lock" -> "ADDRESS:+PID" while they run. */
static bool
profile_in_use (const char *dir)
{
	char path[4200], target[256];
	const char *p;
	ssize_t n;
	long pid;

	snprintf (path, sizeof path, "%s/lock", dir);
	n = readlink (path, target, sizeof target - 1);
	if (n <= 0)
		return false;
	target[n] = '\0';
	p = strrchr (target, ':');
	if (p == NULL)
		return false;
	p += p[1] == '+' ? 2 : 1;
	pid = strtol (p, NULL, 10);
	return pid > 0 && (kill ((pid_t)pid, 0) == 0 || errno == EPERM);
}

static void
profile_add (struct tool_profile **list, size_t *count, enum tool_app app, const char *root,
             const char *name, const char *path, bool relative)
{
	struct tool_profile *grown, *p;
	char file[4200];
	struct stat st;

	if (path[0] == '\0')
		return;
	grown = realloc (*list, (*count + 1) * sizeof *grown);
	if (grown == NULL)
		return;
	*list = grown;
	p = &grown[(*count)++];
	memset (p, 0, sizeof *p);
	p->app = app;
	snprintf (p->name, sizeof p->name, "%s", name[0] ? name : path);
	if (relative)
		snprintf (p->path, sizeof p->path, "%s/%s", root, path);
	else
		snprintf (p->path, sizeof p->path, "%s", path);
	snprintf (file, sizeof file, "%s/cert9.db", p->path);
	p->has_db = stat (file, &st) == 0;
	p->in_use = profile_in_use (p->path);
}

/* Read ROOT/profiles.ini: the [ProfileN] sections' Name, Path and IsRelative. */
static void
profiles_ini (enum tool_app app, const char *root, struct tool_profile **list, size_t *count)
{
	char file[4200], line[LINE_MAX_LEN], name[128] = "", path[4096] = "";
	bool in_profile = false, relative = true;
	FILE *f;

	snprintf (file, sizeof file, "%s/profiles.ini", root);
	f = fopen (file, "re");
	if (f == NULL)
		return;
	while (fgets (line, sizeof line, f) != NULL) {
		line[strcspn (line, "\r\n")] = '\0';
		if (line[0] == '[') {
			if (in_profile)
				profile_add (list, count, app, root, name, path, relative);
			in_profile = strncmp (line, "[Profile", 8) == 0;
			name[0] = path[0] = '\0';
			relative = true;
		} else if (strncmp (line, "Name=", 5) == 0) {
			set_str (name, sizeof name, line + 5);
		} else if (strncmp (line, "Path=", 5) == 0) {
			set_str (path, sizeof path, line + 5);
		} else if (strncmp (line, "IsRelative=", 11) == 0) {
			relative = line[11] != '0';
		}
	}
	if (in_profile)
		profile_add (list, count, app, root, name, path, relative);
	fclose (f);
}

void
tool_profiles_find (unsigned apps, struct tool_profile **profiles, size_t *count)
{
	const char *home = getenv ("HOME");
	char root[4096];

	*profiles = NULL;
	*count = 0;
	if (home == NULL || home[0] != '/')
		return;
	if (apps & TOOL_APP_FIREFOX) {
		snprintf (root, sizeof root, "%s/.mozilla/firefox", home);
		profiles_ini (TOOL_APP_FIREFOX, root, profiles, count);
	}
	if (apps & TOOL_APP_THUNDERBIRD) {
		snprintf (root, sizeof root, "%s/.thunderbird", home);
		profiles_ini (TOOL_APP_THUNDERBIRD, root, profiles, count);
	}
}

bool
tool_profile_modules (const struct tool_profile *profile, struct tool_nss_module **modules, size_t *count)
{
	char file[4200], line[LINE_MAX_LEN];
	struct tool_nss_module cur, *grown;
	bool in_block = false;
	FILE *f;

	*modules = NULL;
	*count = 0;
	snprintf (file, sizeof file, "%s/pkcs11.txt", profile->path);
	f = fopen (file, "re");
	if (f == NULL)
		return false;
	memset (&cur, 0, sizeof cur);
	for (;;) {
		bool eof = fgets (line, sizeof line, f) == NULL;
		if (!eof)
			line[strcspn (line, "\r\n")] = '\0';
		if ((eof || line[0] == '\0') && in_block) {
			grown = realloc (*modules, (*count + 1) * sizeof *grown);
			if (grown != NULL) {
				*modules = grown;
				grown[(*count)++] = cur;
			}
			memset (&cur, 0, sizeof cur);
			in_block = false;
		}
		if (eof)
			break;
		if (strncmp (line, "library=", 8) == 0) {
			set_str (cur.library, sizeof cur.library, line + 8);
			in_block = true;
		} else if (strncmp (line, "name=", 5) == 0) {
			set_str (cur.name, sizeof cur.name, line + 5);
			in_block = true;
		} else if (line[0] != '\0') {
			in_block = true;
		}
	}
	fclose (f);
	return true;
}

/* Replace the profile's pkcs11.txt by TEXT (same mode), atomically. */
static bool
pkcs11txt_write (const struct tool_profile *profile, const char *text, char *err, size_t err_size)
{
	char file[4200], tmp[4300];
	struct stat st;
	size_t len = strlen (text);
	bool ok = false;
	int fd;

	snprintf (file, sizeof file, "%s/pkcs11.txt", profile->path);
	snprintf (tmp, sizeof tmp, "%s/.pkcs11.txt.tessera-XXXXXX", profile->path);
	fd = mkstemp (tmp);
	if (fd < 0) {
		snprintf (err, err_size, "cannot write in %s: %s", profile->path, strerror (errno));
		return false;
	}
	if (stat (file, &st) == 0)
		fchmod (fd, st.st_mode & 07777);
	ok = write (fd, text, len) == (ssize_t)len && fsync (fd) == 0;
	if (close (fd) != 0)
		ok = false;
	if (ok && rename (tmp, file) != 0)
		ok = false;
	if (!ok) {
		snprintf (err, err_size, "cannot write %s: %s", file, strerror (errno));
		unlink (tmp);
	}
	return ok;
}

/* The whole pkcs11.txt (malloc'd, NUL-terminated), or NULL. */
static char *
pkcs11txt_read (const struct tool_profile *profile, char *err, size_t err_size)
{
	char file[4200], *text = NULL;
	long size;
	FILE *f;

	snprintf (file, sizeof file, "%s/pkcs11.txt", profile->path);
	f = fopen (file, "re");
	if (f == NULL || fseek (f, 0, SEEK_END) != 0 || (size = ftell (f)) < 0 || fseek (f, 0, SEEK_SET) != 0) {
		snprintf (err, err_size, "cannot read %s: %s", file, strerror (errno));
		goto out;
	}
	text = malloc ((size_t)size + 1);
	if (text == NULL || fread (text, 1, (size_t)size, f) != (size_t)size) {
		snprintf (err, err_size, "cannot read %s", file);
		free (text);
		text = NULL;
		goto out;
	}
	text[size] = '\0';
out:
	if (f != NULL)
		fclose (f);
	return text;
}

bool
tool_pkcs11txt_add (const struct tool_profile *profile, const char *name, const char *library,
                    char *err, size_t err_size)
{
	char *text = pkcs11txt_read (profile, err, err_size), *out = NULL;
	size_t len;
	bool ok = false;

	if (text == NULL)
		return false;
	len = strlen (text);
	/* blocks are separated by one blank line */
	if (asprintf (&out, "%s%s%slibrary=%s\nname=%s\n\n", text,
	              len > 0 && text[len - 1] != '\n' ? "\n" : "",
	              len > 1 && !(text[len - 1] == '\n' && text[len - 2] == '\n') ? "\n" : "",
	              library, name) < 0) {
		snprintf (err, err_size, "out of memory");
		out = NULL;
		goto out;
	}
	ok = pkcs11txt_write (profile, out, err, err_size);
out:
	free (out);
	free (text);
	return ok;
}

bool
tool_pkcs11txt_remove (const struct tool_profile *profile, const char *name, char *err, size_t err_size)
{
	char *text = pkcs11txt_read (profile, err, err_size), *out = NULL, *block, *next, *o;
	char want[300];
	bool ok = false;

	if (text == NULL)
		return false;
	out = calloc (1, strlen (text) + 1);
	if (out == NULL) {
		snprintf (err, err_size, "out of memory");
		goto out;
	}
	snprintf (want, sizeof want, "\nname=%s\n", name);
	/* copy every block (up to and including its blank line) but the one named NAME */
	o = out;
	for (block = text; *block != '\0'; block = next) {
		char *end = strstr (block, "\n\n"), saved;
		next = end != NULL ? end + 2 : block + strlen (block);
		saved = *next;
		*next = '\0';
		if (!(strncmp (block, want + 1, strlen (want + 1)) == 0 || strstr (block, want) != NULL))
			o = stpcpy (o, block);
		*next = saved;
	}
	ok = pkcs11txt_write (profile, out, err, err_size);
out:
	free (out);
	free (text);
	return ok;
}
