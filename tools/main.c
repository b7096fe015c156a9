/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tools/main.c: `tessera`: global options and the subcommands
 *   status    status.c (facts.c, cardfacts.c)
 *   doctor    doctor.c (modules.c, profiles.c)
 *   register  register.c (profiles.c)
 *   trace     trace.c
 */
#include "config.h"

#include "tools/tool.h"

#include "src/tsr.h"

#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
	"usage: tessera [--json] [--module PATH] COMMAND [ARGS]\n"
	"\n"
	"  status                     readers, cards, PIN counters, keys and certificates\n"
	"  doctor                     check everything a card needs to work, with a fix for each problem\n"
	"  register [--firefox|--thunderbird|--all] [--remove] [--no-modutil]\n"
	"                             add tessera to (or remove it from) the user's Firefox and\n"
	"                             Thunderbird profiles (they must be closed)\n"
	"  trace [-o FILE] [--log CATEGORIES] -- COMMAND [ARGS]\n"
	"                             run COMMAND with the module's log on (APDUs; PINs and\n"
	"                             secrets redacted) into FILE (default tessera-trace.log)\n"
	"\n"
	"  --json          output for scripts\n"
	"  --module PATH   the module to register or look for (default " TOOL_MODULE_PATH ")\n"
	"  -h, --help      this text;  --version  the version\n"
	"\n"
	"Exit codes: 0 fine; 1 a problem found (doctor) or not done (register); 2 usage;\n"
	"3 pcscd not reachable; 4 no reader; 5 no card; 6 a card that cannot be used;\n"
	"7 a PIN blocked (status). trace exits with COMMAND's status. See tessera(1).\n";

static const struct {
	const char *name;
	int (*run) (const struct tool_opts *opts, int argc, char **argv);
} tool_commands[] = {
	{ "status", tool_status },
	{ "doctor", tool_doctor },
	{ "register", tool_register },
	{ "trace", tool_trace },
};

int
main (int argc, char **argv)
{
	struct tool_opts opts = { false, TOOL_MODULE_PATH };
	int i, code;
	size_t c;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp (argv[i], "--json") == 0) {
			opts.json = true;
		} else if (strcmp (argv[i], "--module") == 0 && i + 1 < argc) {
			opts.module = argv[++i];
		} else if (strcmp (argv[i], "-h") == 0 || strcmp (argv[i], "--help") == 0) {
			fputs (usage_text, stdout);
			return TOOL_EXIT_OK;
		} else if (strcmp (argv[i], "--version") == 0) {
			printf ("tessera %s\n", VERSION);
			return TOOL_EXIT_OK;
		} else {
			fprintf (stderr, "tessera: unknown option \"%s\"\n%s", argv[i], usage_text);
			return TOOL_EXIT_USAGE;
		}
	}
	if (i == argc) {
		fputs (usage_text, stderr);
		return TOOL_EXIT_USAGE;
	}
	for (c = 0; c < sizeof tool_commands / sizeof tool_commands[0]; c++) {
		if (strcmp (argv[i], tool_commands[c].name) != 0)
			continue;
		/* the module's OpenSSL context and digests: key fingerprints as the module computes them */
		if (tsr_ossl_init () != CKR_OK) {
			fprintf (stderr, "tessera: cannot set up OpenSSL (default provider)\n");
			return TOOL_EXIT_PROBLEM;
		}
		code = tool_commands[c].run (&opts, argc - i, argv + i);
		tsr_ossl_free ();
		return code;
	}
	fprintf (stderr, "tessera: unknown command \"%s\"\n%s", argv[i], usage_text);
	return TOOL_EXIT_USAGE;
}
