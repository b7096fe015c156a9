/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * src/log.c: tsr_log(), the categorised logger (see log.h).
 *
 * The configuration is read once per C_Initialize (or lazily at the first line)
 * and then only read; lines are written with one fprintf each under a private
 * mutex, so lines of different threads never interleave.
 */
#include "config.h"

#include "src/log.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define TSR_LOG_MAX_CATEGORIES 8

static pthread_mutex_t tsr_log_mutex = PTHREAD_MUTEX_INITIALIZER;
static bool tsr_log_configured;           /* tsr_log_mutex */
static bool tsr_log_all;                  /* tsr_log_mutex */
static char tsr_log_categories[TSR_LOG_MAX_CATEGORIES][16]; /* tsr_log_mutex */
static unsigned tsr_log_ncategories;      /* tsr_log_mutex */
static FILE *tsr_log_file;                /* tsr_log_mutex; NULL: stderr */
/* tessera.conf's "log" and "log_file", used when TESSERA_DEBUG / TESSERA_LOG are unset */
static char tsr_log_conf_debug[256];      /* tsr_log_mutex; "": none */
static char tsr_log_conf_file[4096];      /* tsr_log_mutex; "": none */

static void
tsr_log_parse_inlock (const char *spec)
{
	const char *p = spec;

	tsr_log_all = false;
	tsr_log_ncategories = 0;
	while (p != NULL && *p != '\0') {
		size_t len = strcspn (p, ",");
		if (len == 3 && strncmp (p, "all", 3) == 0)
			tsr_log_all = true;
		else if (len > 0 && len < sizeof tsr_log_categories[0] &&
		         tsr_log_ncategories < TSR_LOG_MAX_CATEGORIES) {
			memcpy (tsr_log_categories[tsr_log_ncategories], p, len);
			tsr_log_categories[tsr_log_ncategories][len] = '\0';
			tsr_log_ncategories++;
		}
		p += len;
		if (*p == ',')
			p++;
	}
}

static void
tsr_log_configure_inlock (void)
{
	const char *path = getenv ("TESSERA_LOG");
	const char *debug = getenv ("TESSERA_DEBUG");

	/* the environment wins, even set empty (logging off) */
	if (debug == NULL)
		debug = tsr_log_conf_debug;
	if (path == NULL)
		path = tsr_log_conf_file;
	tsr_log_parse_inlock (debug);
	if (tsr_log_file != NULL) {
		fclose (tsr_log_file);
		tsr_log_file = NULL;
	}
	if (path != NULL && *path != '\0' && (tsr_log_all || tsr_log_ncategories > 0)) {
		int fd = open (path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
		if (fd >= 0) {
			tsr_log_file = fdopen (fd, "a");
			if (tsr_log_file == NULL)
				close (fd);
		}
	}
	tsr_log_configured = true;
}

void
tsr_log_configure (void)
{
	pthread_mutex_lock (&tsr_log_mutex);
	tsr_log_configure_inlock ();
	pthread_mutex_unlock (&tsr_log_mutex);
}

bool
tsr_log_set_defaults (const char *categories, const char *path)
{
	bool in_effect;

	pthread_mutex_lock (&tsr_log_mutex);
	snprintf (tsr_log_conf_debug, sizeof tsr_log_conf_debug, "%s", categories ? categories : "");
	snprintf (tsr_log_conf_file, sizeof tsr_log_conf_file, "%s", path ? path : "");
	tsr_log_configure_inlock ();
	in_effect = getenv ("TESSERA_DEBUG") == NULL && (tsr_log_all || tsr_log_ncategories > 0);
	pthread_mutex_unlock (&tsr_log_mutex);
	return in_effect;
}

void
tsr_log_close (void)
{
	pthread_mutex_lock (&tsr_log_mutex);
	if (tsr_log_file != NULL)
		fclose (tsr_log_file);
	tsr_log_file = NULL;
	tsr_log_configured = false;
	pthread_mutex_unlock (&tsr_log_mutex);
}

static bool
tsr_log_enabled_inlock (const char *category)
{
	unsigned i;

	if (!tsr_log_configured)
		tsr_log_configure_inlock ();
	if (tsr_log_all)
		return true;
	for (i = 0; i < tsr_log_ncategories; i++) {
		if (strcmp (tsr_log_categories[i], category) == 0)
			return true;
	}
	return false;
}

bool
tsr_log_enabled (const char *category)
{
	bool on;

	pthread_mutex_lock (&tsr_log_mutex);
	on = tsr_log_enabled_inlock (category);
	pthread_mutex_unlock (&tsr_log_mutex);
	return on;
}

void
tsr_log (const char *category, const char *fmt, ...)
{
	char line[1024];
	struct timeval tv;
	struct tm tm;
	va_list ap;
	int saved_errno = errno;

	pthread_mutex_lock (&tsr_log_mutex);
	if (category == NULL || !tsr_log_enabled_inlock (category))
		goto out;
	va_start (ap, fmt);
	vsnprintf (line, sizeof line, fmt, ap);
	va_end (ap);
	gettimeofday (&tv, NULL);
	localtime_r (&tv.tv_sec, &tm);
	fprintf (tsr_log_file != NULL ? tsr_log_file : stderr,
	         "tessera %02d:%02d:%02d.%03ld [%d] %s: %s\n", tm.tm_hour, tm.tm_min, tm.tm_sec,
	         (long)(tv.tv_usec / 1000), (int)getpid (), category, line);
	if (tsr_log_file != NULL)
		fflush (tsr_log_file);
out:
	pthread_mutex_unlock (&tsr_log_mutex);
	errno = saved_errno;
}

const char *
tsr_strerror (int err)
{
	const char *text = strerrordesc_np (err);

	return text != NULL ? text : "unknown error";
}
