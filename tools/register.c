/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tools/register.c: `tessera register [--firefox|--thunderbird|--all] [--remove]
 * [--no-modutil]`: add tessera's module to (or remove it from) the NSS database of
 * each of the user's Firefox and Thunderbird profiles, with NSS's modutil when it
 * is installed (libnss3-tools), else by rewriting the profile's pkcs11.txt the way
 * modutil does. A profile whose application is running is left alone: it rewrites
 * pkcs11.txt itself.
 */
#include "config.h"

#include "tools/tool.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define NSS_NAME "tessera"

struct reg_result {
	const char *action;      /* "added", "replaced" (another path was registered), "removed",
	                            "already registered", "not registered", "skipped", "failed" */
	const char *method;      /* "modutil", "pkcs11.txt", or NULL */
	char detail[1024];
};

static bool
in_path (const char *prog)
{
	const char *path = getenv ("PATH");
	char file[4200];
	size_t len;

	while (path != NULL && *path != '\0') {
		len = strcspn (path, ":");
		snprintf (file, sizeof file, "%.*s/%s", (int)len, path, prog);
		if (len > 0 && access (file, X_OK) == 0)
			return true;
		path += len + (path[len] == ':');
	}
	return false;
}

/* Run modutil with ARGV (stdin /dev/null); its output into OUT. true when it exits 0. */
static bool
run_modutil (const char *const argv[], char *out, size_t size)
{
	int fds[2], status = 0, fd;
	size_t len = 0;
	ssize_t n;
	pid_t pid;

	out[0] = '\0';
	if (pipe2 (fds, O_CLOEXEC) != 0)
		return false;
	pid = fork ();
	if (pid == 0) {
		fd = open ("/dev/null", O_RDONLY);
		dup2 (fd, 0);
		dup2 (fds[1], 1);
		dup2 (fds[1], 2);
		execvp (argv[0], (char *const *)argv);
		_exit (127);
	}
	close (fds[1]);
	while (pid > 0 && (n = read (fds[0], out + len, size - 1 - len)) > 0)
		len += (size_t)n;
	out[len] = '\0';
	close (fds[0]);
	while (pid > 0 && waitpid (pid, &status, 0) < 0 && errno == EINTR)
		;
	out[strcspn (out, "\n")] = '\0';   /* the first line says what went wrong */
	return pid > 0 && WIFEXITED (status) && WEXITSTATUS (status) == 0;
}

/* The name and library under which tessera is in the profile; false when it is not. */
static bool
registered_as (const struct tool_profile *p, char *name, size_t size, char *library, size_t lib_size)
{
	struct tool_nss_module *mods = NULL;
	size_t n = 0, i;
	bool found = false;

	if (tool_profile_modules (p, &mods, &n)) {
		for (i = 0; i < n && !found; i++) {
			if (tool_is_tessera_module (mods[i].library)) {
				snprintf (name, size, "%s", mods[i].name);
				snprintf (library, lib_size, "%s", mods[i].library);
				found = true;
			}
		}
	}
	free (mods);
	return found;
}

/* Add (REMOVE false) or remove the entry NAME, with modutil or in pkcs11.txt. */
static bool
reg_edit (const struct tool_profile *p, const char *name, const char *module, bool remove, bool use_modutil,
          struct reg_result *res)
{
	char db[4200];

	res->method = use_modutil ? "modutil" : "pkcs11.txt";
	snprintf (db, sizeof db, "sql:%s", p->path);
	if (use_modutil && remove)
		return run_modutil ((const char *const[]){ "modutil", "-dbdir", db, "-delete", name, "-force", NULL },
		                    res->detail, sizeof res->detail);
	if (use_modutil)
		return run_modutil ((const char *const[]){ "modutil", "-dbdir", db, "-add", name, "-libfile", module,
		                                          "-force", NULL }, res->detail, sizeof res->detail);
	if (remove)
		return tool_pkcs11txt_remove (p, name, res->detail, sizeof res->detail);
	return tool_pkcs11txt_add (p, name, module, res->detail, sizeof res->detail);
}

static void
reg_change (const struct tool_profile *p, const char *module, bool remove, bool use_modutil,
            struct reg_result *res)
{
	char name[256] = NSS_NAME, library[4096] = "";
	bool registered = registered_as (p, name, sizeof name, library, sizeof library), ok = true;

	if (!registered && remove) {
		res->action = "not registered";
		return;
	}
	if (registered && !remove && strcmp (library, module) == 0) {
		res->action = "already registered";
		return;
	}
	/* registered with another path: replaced */
	if (registered)
		ok = reg_edit (p, name, module, true, use_modutil, res);
	if (ok && !remove)
		ok = reg_edit (p, NSS_NAME, module, false, use_modutil, res);
	/* what the profile says now is the result */
	if (ok && registered_as (p, name, sizeof name, library, sizeof library) == remove) {
		ok = false;
		snprintf (res->detail, sizeof res->detail, "pkcs11.txt unchanged");
	}
	res->action = !ok ? "failed" : remove ? "removed" : registered ? "replaced" : "added";
	if (ok)
		res->detail[0] = '\0';
}

static void
reg_profile (const struct tool_profile *p, const char *module, bool remove, bool use_modutil,
             struct reg_result *res)
{
	memset (res, 0, sizeof *res);
	if (!p->has_db) {
		res->action = "skipped";
		snprintf (res->detail, sizeof res->detail, "no certificate database yet: start %s once with this "
		          "profile and close it", tool_app_name (p->app));
	} else if (p->in_use) {
		res->action = "skipped";
		snprintf (res->detail, sizeof res->detail, "%s is running with this profile: close it first",
		          tool_app_name (p->app));
	} else {
		reg_change (p, module, remove, use_modutil, res);
	}
}

static bool
reg_failed (const struct reg_result *res)
{
	return strcmp (res->action, "failed") == 0 || strcmp (res->action, "skipped") == 0;
}

static int
reg_parse (int argc, char **argv, unsigned *apps, bool *remove, bool *use_modutil)
{
	int i;

	*apps = 0;
	*remove = false;
	*use_modutil = true;
	for (i = 1; i < argc; i++) {
		if (strcmp (argv[i], "--firefox") == 0)
			*apps |= TOOL_APP_FIREFOX;
		else if (strcmp (argv[i], "--thunderbird") == 0)
			*apps |= TOOL_APP_THUNDERBIRD;
		else if (strcmp (argv[i], "--all") == 0)
			*apps |= TOOL_APP_FIREFOX | TOOL_APP_THUNDERBIRD;
		else if (strcmp (argv[i], "--remove") == 0)
			*remove = true;
		else if (strcmp (argv[i], "--no-modutil") == 0)
			*use_modutil = false;
		else {
			fprintf (stderr, "tessera register: unknown argument \"%s\"\n", argv[i]);
			return TOOL_EXIT_USAGE;
		}
	}
	if (*apps == 0)
		*apps = TOOL_APP_FIREFOX | TOOL_APP_THUNDERBIRD;
	return TOOL_EXIT_OK;
}

int
tool_register (const struct tool_opts *opts, int argc, char **argv)
{
	struct tool_profile *profiles = NULL;
	struct reg_result res;
	struct json j;
	unsigned apps;
	bool remove, use_modutil;
	size_t n = 0, i;
	int code;

	code = reg_parse (argc, argv, &apps, &remove, &use_modutil);
	if (code != TOOL_EXIT_OK)
		return code;
	if (!remove && opts->module[0] == '/' && access (opts->module, R_OK) != 0) {
		fprintf (stderr, "tessera register: no module at %s (install the package, or give --module PATH)\n",
		         opts->module);
		return TOOL_EXIT_PROBLEM;
	}
	use_modutil = use_modutil && in_path ("modutil");
	tool_profiles_find (apps, &profiles, &n);
	if (n == 0) {
		fprintf (stderr, "tessera register: no %s profile found (in ~/.mozilla/firefox, ~/.thunderbird)\n",
		         apps == TOOL_APP_FIREFOX ? "Firefox" : apps == TOOL_APP_THUNDERBIRD ? "Thunderbird" :
		         "Firefox or Thunderbird");
		code = TOOL_EXIT_PROBLEM;
	}
	if (opts->json) {
		json_init (&j, stdout);
		json_begin_object (&j, NULL);
		json_string (&j, "module", opts->module);
		json_begin_array (&j, "profiles");
	}
	for (i = 0; i < n; i++) {
		reg_profile (&profiles[i], opts->module, remove, use_modutil, &res);
		if (reg_failed (&res))
			code = TOOL_EXIT_PROBLEM;
		if (!opts->json) {
			printf ("%s profile \"%s\": %s%s%s\n", tool_app_name (profiles[i].app), profiles[i].name,
			        res.action, res.detail[0] ? ": " : "", res.detail);
			continue;
		}
		json_begin_object (&j, NULL);
		json_string (&j, "application", tool_app_name (profiles[i].app));
		json_string (&j, "name", profiles[i].name);
		json_string (&j, "path", profiles[i].path);
		json_string (&j, "action", res.action);
		json_string (&j, "method", res.method);
		json_string (&j, "error", res.detail[0] ? res.detail : NULL);
		json_end_object (&j);
	}
	if (opts->json) {
		json_end_array (&j);
		json_int (&j, "exit", code);
		json_end_object (&j);
		json_finish (&j);
	}
	free (profiles);
	return code;
}
