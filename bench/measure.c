/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* bench/measure.c: clocks, the card simulator's counters, PC/SC calls, context switches. */
#include "bench/p11bench.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

double bench_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

void bench_sleep_ms(double ms)
{
	struct timespec ts;

	ts.tv_sec = (time_t)(ms / 1e3);
	ts.tv_nsec = (long)((ms - (double)ts.tv_sec * 1e3) * 1e6);
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

void bench_print(const char *name, const char *fmt, ...)
{
	va_list ap;

	printf("%s=", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

bool bench_card_ctl(const char *command, char *ans, size_t size)
{
	const char *paths = getenv("CARDSIM_CONTROL");
	struct sockaddr_un sa;
	size_t len = 0, plen;
	bool ok = false;
	ssize_t n;
	int fd = -1;

	if (paths == NULL || *paths == '\0' || size == 0)
		goto out;
	plen = strcspn(paths, " ");
	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	if (plen >= sizeof sa.sun_path)
		goto out;
	memcpy(sa.sun_path, paths, plen);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0)
		goto out;
	if (write(fd, command, strlen(command)) < 0 || write(fd, "\n", 1) != 1)
		goto out;
	while (len + 1 < size && (n = read(fd, ans + len, size - 1 - len)) > 0) {
		len += (size_t)n;
		if (memchr(ans, '\n', len) != NULL)
			break;
	}
	ans[len] = '\0';
	ans[strcspn(ans, "\n")] = '\0';
	ok = len > 0 && strncmp(ans, "error", 5) != 0;
out:
	if (fd >= 0)
		close(fd);
	return ok;
}

/* The value after the word NAME in a stats line, or -1. */
static long stat_field(const char *line, const char *name)
{
	const char *p = line;
	size_t n = strlen(name);

	while ((p = strstr(p, name)) != NULL) {
		if ((p == line || p[-1] == ' ') && p[n] == ' ')
			return strtol(p + n + 1, NULL, 10);
		p += n;
	}
	return -1;
}

long bench_pcsc_now(void)
{
	unsigned long (*calls)(void) = NULL;
	void *h = dlopen("libpcsclite.so.1", RTLD_LAZY | RTLD_NOLOAD);
	long r = -1;

	/* Not loaded yet (OpenSC loads it in C_Initialize): no call so far. */
	if (h == NULL)
		return 0;
	*(void **)&calls = dlsym(h, "bench_pcsc_calls");
	if (calls != NULL)
		r = (long)calls();
	dlclose(h);
	return r;
}

void bench_window_start(struct bench_window *w)
{
	char line[256];

	w->apdus = w->get_response = w->extended = -1;
	if (bench_card_ctl("stats", line, sizeof line)) {
		w->apdus = stat_field(line, "apdus");
		w->get_response = stat_field(line, "get_response");
		w->extended = stat_field(line, "extended");
	}
	w->pcsc = bench_pcsc_now();
	w->t0 = bench_now_ms();
}

double bench_window_print(const struct bench_window *w)
{
	double t1 = bench_now_ms();
	struct bench_window end;

	bench_window_start(&end);
	bench_print("wall_ms", "%.3f", t1 - w->t0);
	if (w->apdus >= 0 && end.apdus >= 0) {
		bench_print("apdus", "%ld", end.apdus - w->apdus);
		bench_print("get_response", "%ld", end.get_response - w->get_response);
		bench_print("extended", "%ld", end.extended - w->extended);
	}
	if (w->pcsc >= 0 && end.pcsc >= 0)
		bench_print("pcsc", "%ld", end.pcsc - w->pcsc);
	return t1 - w->t0;
}

/* voluntary + involuntary context switches of thread TID, or 0. */
static long thread_switches(long tid)
{
	char path[64], line[256];
	long total = 0, n;
	FILE *fp;

	snprintf(path, sizeof path, "/proc/self/task/%ld/status", tid);
	fp = fopen(path, "r");
	if (fp == NULL)
		return 0;
	while (fgets(line, sizeof line, fp) != NULL) {
		if (sscanf(line, "voluntary_ctxt_switches: %ld", &n) == 1 ||
		    sscanf(line, "nonvoluntary_ctxt_switches: %ld", &n) == 1)
			total += n;
	}
	fclose(fp);
	return total;
}

long bench_other_switches(int *threads)
{
	DIR *d = opendir("/proc/self/task");
	long self = (long)syscall(SYS_gettid), tid, total = 0;
	struct dirent *e;

	*threads = 0;
	while (d != NULL && (e = readdir(d)) != NULL) {
		tid = atol(e->d_name);
		if (tid <= 0 || tid == self)
			continue;
		total += thread_switches(tid);
		(*threads)++;
	}
	if (d != NULL)
		closedir(d);
	return total;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

void bench_percentiles(double *v, size_t n, double *p50, double *p99)
{
	size_t i99;

	*p50 = *p99 = 0;
	if (n == 0)
		return;
	qsort(v, n, sizeof *v, cmp_double);
	*p50 = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	/* nearest rank: the smallest value with at least 99 % of the values at or below it */
	i99 = (99 * n + 99) / 100;
	*p99 = v[i99 > 0 ? i99 - 1 : 0];
}
