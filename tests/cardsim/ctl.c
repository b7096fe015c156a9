/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ctl.c: the control socket (UNIX stream, one command per line, one line per answer) and the
 * `cardsim ctl` client. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"
#include "sim.h"

static int fill_addr(struct sockaddr_un *sa, const char *path)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa->sun_path)) {
		fprintf(stderr, "cardsim: control socket path too long: %s\n", path);
		return -1;
	}
	strcpy(sa->sun_path, path);
	return 0;
}

int cs_ctl_listen(const char *path)
{
	struct sockaddr_un sa;
	int fd;

	if (fill_addr(&sa, path) < 0)
		return -1;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto fail;
	(void)unlink(path); /* a stale socket of an earlier run */
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(fd, 8) != 0) {
		close(fd);
		goto fail;
	}
	return fd;
fail:
	fprintf(stderr, "cardsim: control socket %s: %s\n", path, strerror(errno));
	return -1;
}

void cs_ctl_accept(struct cs_sim *s)
{
	int fd = accept4(s->ctl_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK), i;

	if (fd < 0)
		return;
	for (i = 0; i < CS_MAX_CLIENTS; i++) {
		if (s->clients[i].fd < 0) {
			s->clients[i].fd = fd;
			s->clients[i].len = 0;
			return;
		}
	}
	(void)send(fd, "error busy\n", 11, MSG_NOSIGNAL);
	close(fd);
}

static void drop_client(struct cs_ctl_client *cl)
{
	close(cl->fd);
	cl->fd = -1;
	cl->len = 0;
}

void cs_ctl_close_all(struct cs_sim *s)
{
	int i;

	for (i = 0; i < CS_MAX_CLIENTS; i++)
		if (s->clients[i].fd >= 0)
			drop_client(&s->clients[i]);
}

static void reply(struct cs_ctl_client *cl, const char *ans)
{
	size_t n = strlen(ans);
	char *msg = malloc(n + 2);

	if (msg == NULL)
		return;
	memcpy(msg, ans, n);
	msg[n] = '\n';
	/* Answers are short; a client that does not read them loses them. */
	(void)send(cl->fd, msg, n + 1, MSG_NOSIGNAL | MSG_DONTWAIT);
	free(msg);
}

void cs_ctl_service(struct cs_sim *s, struct cs_ctl_client *cl)
{
	char ans[256], *nl;
	ssize_t n;

	n = recv(cl->fd, cl->line + cl->len, sizeof(cl->line) - 1 - cl->len, 0);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		drop_client(cl);
		return;
	}
	cl->len += (size_t)n;
	cl->line[cl->len] = '\0';
	while ((nl = strchr(cl->line, '\n')) != NULL) {
		*nl = '\0';
		cs_ctl_command(s, cl->line, ans, sizeof(ans));
		reply(cl, ans);
		cl->len -= (size_t)(nl + 1 - cl->line);
		memmove(cl->line, nl + 1, cl->len + 1);
	}
	if (cl->len >= sizeof(cl->line) - 1) {
		reply(cl, "error line too long");
		drop_client(cl);
	}
}

/* `cardsim ctl PATH COMMAND [ARGS]`. */
int cs_ctl_client_main(int argc, char **argv)
{
	struct sockaddr_un sa;
	char line[512], ans[512];
	size_t len = 0, ansl = 0;
	struct pollfd pf;
	ssize_t k;
	int fd, i;

	if (argc < 2) {
		fprintf(stderr, "usage: cardsim ctl PATH COMMAND [ARGS]\n");
		return 2;
	}
	for (i = 1; i < argc; i++) {
		int w = snprintf(line + len, sizeof(line) - len, "%s%s", i > 1 ? " " : "", argv[i]);

		if (w < 0 || (size_t)w >= sizeof(line) - len - 1)
			return 2;
		len += (size_t)w;
	}
	line[len++] = '\n';
	if (fill_addr(&sa, argv[0]) < 0)
		return 1;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		fprintf(stderr, "cardsim ctl: cannot connect to %s: %s\n", argv[0], strerror(errno));
		if (fd >= 0)
			close(fd);
		return 1;
	}
	if (send(fd, line, len, MSG_NOSIGNAL) != (ssize_t)len) {
		close(fd);
		return 1;
	}
	pf.fd = fd;
	pf.events = POLLIN;
	while (ansl < sizeof(ans) - 1 && poll(&pf, 1, 10000) > 0) {
		k = recv(fd, ans + ansl, sizeof(ans) - 1 - ansl, 0);
		if (k <= 0)
			break;
		ansl += (size_t)k;
		if (memchr(ans, '\n', ansl) != NULL)
			break;
	}
	close(fd);
	if (ansl == 0) {
		fprintf(stderr, "cardsim ctl: no answer from %s\n", argv[0]);
		return 1;
	}
	ans[ansl] = '\0';
	fputs(ans, stdout);
	if (ans[ansl - 1] != '\n')
		fputc('\n', stdout);
	return 0;
}
