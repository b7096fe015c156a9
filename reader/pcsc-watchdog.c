/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * reader/pcsc-watchdog.c: one thread that ends PC/SC calls on a card that never answers
 * (see pcsc-watchdog.h). It is started by the first armed call, sleeps until the earliest
 * deadline of the armed connections, shuts down the socket of each one past its deadline,
 * and is stopped and joined by reader_pcsc_watchdog(0, ...) (C_Finalize).
 *
 * Lock: wd.mutex (static, never destroyed) guards everything marked "watchdog mutex". A
 * socket is shut down only while its connection is armed, that is while its owner is
 * inside a PC/SC call on its context, so the descriptor cannot have been closed and
 * reused meanwhile.
 */
#include "config.h"

#include "reader/pcsc-watchdog.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "reader/log.h"
#include "reader/reader.h"

static struct {
	pthread_mutex_t mutex;
	pthread_cond_t cond;           /* watchdog mutex; CLOCK_MONOTONIC */
	bool cond_ready;               /* watchdog mutex */
	long timeout_ms;               /* watchdog mutex; 0: off */
	bool threads_allowed;          /* watchdog mutex */
	bool running, stop;            /* watchdog mutex */
	pthread_t thread;              /* watchdog mutex */
	struct pcsc_watch *armed;      /* watchdog mutex */
} wd = { .mutex = PTHREAD_MUTEX_INITIALIZER };
static pid_t wd_pid;               /* atomic; the process whose thread this is */

/* A forked child has no watchdog thread, and the mutex may have been held at fork(). */
static void
wd_after_fork (void)
{
	if (__atomic_load_n (&wd_pid, __ATOMIC_ACQUIRE) == getpid ())
		return;
	pthread_mutex_init (&wd.mutex, NULL);
	wd.cond_ready = false;
	wd.running = wd.stop = false;
	wd.armed = NULL;
	__atomic_store_n (&wd_pid, getpid (), __ATOMIC_RELEASE);
}

static void
wd_cond_init_inlock (void)
{
	pthread_condattr_t attr;

	if (wd.cond_ready)
		return;
	pthread_condattr_init (&attr);
	pthread_condattr_setclock (&attr, CLOCK_MONOTONIC);
	pthread_cond_init (&wd.cond, &attr);
	pthread_condattr_destroy (&attr);
	wd.cond_ready = true;
}

static bool
ts_before (const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

/* Shut down every armed connection past its deadline; *next: the earliest deadline left. */
static bool
wd_fire_inlock (const struct timespec *now, struct timespec *next)
{
	struct pcsc_watch *w;
	bool any = false;

	for (w = wd.armed; w != NULL; w = w->next) {
		if (w->fired)
			continue;
		if (!ts_before (now, &w->deadline)) {
			tsr_log ("pcsc", "%s: no answer within %ld ms: the connection is shut down",
			         w->reader, wd.timeout_ms);
			(void)shutdown (w->fd, SHUT_RDWR);
			w->fired = true;
			continue;
		}
		if (!any || ts_before (&w->deadline, next))
			*next = w->deadline;
		any = true;
	}
	return any;
}

static void *
wd_main (void *arg)
{
	struct timespec now, next;

	(void)arg;
	pthread_mutex_lock (&wd.mutex);
	while (!wd.stop) {
		clock_gettime (CLOCK_MONOTONIC, &now);
		if (wd_fire_inlock (&now, &next))
			pthread_cond_timedwait (&wd.cond, &wd.mutex, &next);
		else
			pthread_cond_wait (&wd.cond, &wd.mutex);
	}
	pthread_mutex_unlock (&wd.mutex);
	return NULL;
}

bool
pcsc_watchdog_enabled (void)
{
	bool on;

	pthread_mutex_lock (&wd.mutex);
	on = wd.timeout_ms > 0 && wd.threads_allowed;
	pthread_mutex_unlock (&wd.mutex);
	return on;
}

void
reader_pcsc_watchdog (long timeout_ms, int threads_allowed)
{
	bool join;

	wd_after_fork ();
	pthread_mutex_lock (&wd.mutex);
	wd_cond_init_inlock ();
	wd.timeout_ms = timeout_ms > 0 ? timeout_ms : 0;
	wd.threads_allowed = threads_allowed != 0;
	join = wd.running && (wd.timeout_ms == 0 || !wd.threads_allowed);
	if (join) {
		wd.stop = true;
		pthread_cond_broadcast (&wd.cond);
	}
	pthread_mutex_unlock (&wd.mutex);
	if (!join)
		return;
	pthread_join (wd.thread, NULL);
	pthread_mutex_lock (&wd.mutex);
	wd.running = false;
	wd.stop = false;
	pthread_mutex_unlock (&wd.mutex);
}

void
pcsc_watch_arm (struct pcsc_watch *w)
{
	pthread_mutex_lock (&wd.mutex);
	if (w->fd < 0 || wd.timeout_ms == 0 || !wd.threads_allowed || w->armed)
		goto out;
	if (!wd.running) {
		wd_cond_init_inlock ();
		wd.stop = false;
		int err = pthread_create (&wd.thread, NULL, wd_main, NULL);
		if (err != 0) {
			tsr_log ("pcsc", "cannot start the watchdog thread: %s", strerror (err));
			goto out;
		}
		wd.running = true;
	}
	clock_gettime (CLOCK_MONOTONIC, &w->deadline);
	w->deadline.tv_sec += wd.timeout_ms / 1000;
	w->deadline.tv_nsec += (wd.timeout_ms % 1000) * 1000000L;
	if (w->deadline.tv_nsec >= 1000000000L) {
		w->deadline.tv_sec++;
		w->deadline.tv_nsec -= 1000000000L;
	}
	w->fired = false;
	w->armed = true;
	w->next = wd.armed;
	wd.armed = w;
	pthread_cond_broadcast (&wd.cond);
out:
	pthread_mutex_unlock (&wd.mutex);
}

bool
pcsc_watch_disarm (struct pcsc_watch *w)
{
	struct pcsc_watch **p;
	bool fired;

	pthread_mutex_lock (&wd.mutex);
	if (w->armed) {
		for (p = &wd.armed; *p != NULL && *p != w; p = &(*p)->next)
			;
		if (*p == w)
			*p = w->next;
		w->armed = false;
		w->next = NULL;
	}
	fired = w->fired;
	pthread_mutex_unlock (&wd.mutex);
	return fired;
}

/* ---- which socket is the context's ---- */

struct sockset {
	int *fd;
	ino_t *ino;
	size_t n, cap;
};

/* The sockets open in this process now (owned by the caller: sockset_free). */
static struct sockset *
sockset_now (void)
{
	struct sockset *s = calloc (1, sizeof *s);
	struct dirent *e;
	struct stat st;
	DIR *d;
	int fd;

	d = opendir ("/proc/self/fd");
	if (s == NULL || d == NULL)
		goto fail;
	while ((e = readdir (d)) != NULL) {
		fd = atoi (e->d_name);
		/* by its /proc entry, not fstat (fd): the descriptor may be another thread's, opened
		 * or closed meanwhile (ThreadSanitizer reports a use of it as a race) */
		if (e->d_name[0] == '.' || fd == dirfd (d) || fstatat (dirfd (d), e->d_name, &st, 0) != 0 ||
		    !S_ISSOCK (st.st_mode))
			continue;
		if (s->n == s->cap) {
			size_t cap = s->cap ? 2 * s->cap : 32;
			int *nfd = realloc (s->fd, cap * sizeof *nfd);
			ino_t *nino = nfd != NULL ? realloc (s->ino, cap * sizeof *nino) : NULL;
			if (nfd != NULL)
				s->fd = nfd;
			if (nino == NULL)
				goto fail;
			s->ino = nino;
			s->cap = cap;
		}
		s->fd[s->n] = fd;
		s->ino[s->n++] = st.st_ino;
	}
	closedir (d);
	return s;
fail:
	if (d != NULL)
		closedir (d);
	if (s != NULL) {
		free (s->fd);
		free (s->ino);
		free (s);
	}
	return NULL;
}

static void
sockset_free (struct sockset *s)
{
	if (s == NULL)
		return;
	free (s->fd);
	free (s->ino);
	free (s);
}

void *
pcsc_socket_before (void)
{
	return pcsc_watchdog_enabled () ? sockset_now () : NULL;
}

int
pcsc_socket_after (void *snapshot)
{
	struct sockset *before = snapshot, *after = NULL;
	struct sockaddr_storage sa;
	socklen_t len;
	int found = -1, n = 0;
	size_t i, j;

	if (before == NULL)
		goto out;
	after = sockset_now ();
	for (i = 0; after != NULL && i < after->n; i++) {
		for (j = 0; j < before->n && (before->fd[j] != after->fd[i] || before->ino[j] != after->ino[i]); j++)
			;
		len = sizeof sa;
		if (j < before->n || getsockname (after->fd[i], (struct sockaddr *)&sa, &len) != 0 ||
		    sa.ss_family != AF_UNIX)
			continue;
		found = after->fd[i];
		n++;
	}
	if (n != 1) {
		tsr_log ("pcsc", "the PC/SC context's socket is not known (%d candidates): not watched", n);
		found = -1;
	}
out:
	sockset_free (before);
	sockset_free (after);
	return found;
}
