/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tools/trace.c: `tessera trace [-o FILE] [--log CATEGORIES] -- COMMAND [ARGS]`:
 * run COMMAND with the module's log on (TESSERA_DEBUG, default every category, so
 * every APDU) into FILE (TESSERA_LOG; created 0600, emptied first), then say how many
 * APDUs were traced and how many had their data redacted. The module itself redacts:
 * PINs (VERIFY, CHANGE REFERENCE DATA, RESET RETRY COUNTER), imported private keys and
 * PIN-protected data never appear in its log. The exit status is COMMAND's.
 */
#include "config.h"

#include "tools/tool.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* Count the command APDU lines ("apdu: > ...") of the log and those redacted. */
static void
trace_count (const char *file, long *apdus, long *redacted)
{
	char line[2048];
	FILE *f = fopen (file, "re");

	*apdus = *redacted = 0;
	while (f != NULL && fgets (line, sizeof line, f) != NULL) {
		const char *p = strstr (line, " apdu: ");
		if (p == NULL)
			continue;
		if (strncmp (p + 7, "> ", 2) == 0)
			(*apdus)++;
		if (strstr (p, "redacted") != NULL)
			(*redacted)++;
	}
	if (f != NULL)
		fclose (f);
}

/* Run ARGV with the log variables set; its exit status the way a shell reports it. */
static int
trace_run (char **argv, const char *file, const char *categories)
{
	int status = 0;
	pid_t pid;

	pid = fork ();
	if (pid < 0) {
		fprintf (stderr, "tessera trace: fork: %s\n", strerror (errno));
		return 127;
	}
	if (pid == 0) {
		setenv ("TESSERA_DEBUG", categories, 1);
		setenv ("TESSERA_LOG", file, 1);
		execvp (argv[0], argv);
		fprintf (stderr, "tessera trace: cannot run %s: %s\n", argv[0], strerror (errno));
		_exit (errno == ENOENT ? 127 : 126);
	}
	while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFSIGNALED (status))
		return 128 + WTERMSIG (status);
	return WEXITSTATUS (status);
}

int
tool_trace (const struct tool_opts *opts, int argc, char **argv)
{
	const char *file = "tessera-trace.log", *categories = "all";
	long apdus, redacted;
	struct json j;
	int i, fd, code;

	for (i = 1; i < argc && strcmp (argv[i], "--") != 0; i++) {
		if (strcmp (argv[i], "-o") == 0 && i + 1 < argc)
			file = argv[++i];
		else if (strcmp (argv[i], "--log") == 0 && i + 1 < argc)
			categories = argv[++i];
		else
			break;
	}
	if (i >= argc || strcmp (argv[i], "--") != 0 || i + 1 >= argc) {
		fprintf (stderr, "usage: tessera trace [-o FILE] [--log CATEGORIES] -- COMMAND [ARGS]\n");
		return TOOL_EXIT_USAGE;
	}
	/* the module appends (O_APPEND, 0600): start the file empty, private to the user */
	fd = open (file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0 || fchmod (fd, 0600) != 0) {
		fprintf (stderr, "tessera trace: cannot write %s: %s\n", file, strerror (errno));
		if (fd >= 0)
			close (fd);
		return TOOL_EXIT_USAGE;
	}
	close (fd);
	code = trace_run (argv + i + 1, file, categories);
	trace_count (file, &apdus, &redacted);
	if (opts->json) {
		json_init (&j, stdout);
		json_begin_object (&j, NULL);
		json_string (&j, "log_file", file);
		json_string (&j, "categories", categories);
		json_int (&j, "apdus", apdus);
		json_int (&j, "redacted", redacted);
		json_int (&j, "exit", code);
		json_end_object (&j);
		json_finish (&j);
	} else {
		fprintf (stderr, "tessera trace: %ld APDUs (%ld lines redacted) in %s; %s exited with %d\n", apdus,
		         redacted, file, argv[i + 1], code);
	}
	return code;
}
