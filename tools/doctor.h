/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tools/doctor.h: the checks of `tessera doctor`, shared by doctor.c (service, readers,
 * cards) and doctor-setup.c (where tessera is registered, other modules).
 */
#ifndef TSR_TOOL_DOCTOR_H
#define TSR_TOOL_DOCTOR_H

#include "tools/tool.h"

enum verdict { V_OK, V_WARN, V_FAIL };

struct check {
	char id[24];           /* what was checked: "pcscd", "pin", "firefox", ... */
	enum verdict verdict;
	char message[1024];
	char fix[2048];        /* "" when nothing is to be done */
};

struct checks {
	struct check *list;    /* owned */
	size_t n;
};

/* Append one check; FIX NULL or "" when there is nothing to do. */
void check_add (struct checks *cs, const char *id, enum verdict verdict, const char *fix, const char *fmt, ...)
	__attribute__ ((format (printf, 5, 6)));

/* p11-kit, the Firefox and Thunderbird profiles, other modules offering the same card. */
void doctor_check_setup (struct checks *cs, const struct tool_facts *facts, const struct tool_opts *opts);

#endif /* TSR_TOOL_DOCTOR_H */
