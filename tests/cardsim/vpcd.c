/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vpcd.c: TCP client side of vsmartcard's vpcd protocol. */
#include "config.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "vpcd.h"

void cs_vpcd_init(struct cs_vpcd *v)
{
	v->fd = -1;
	cs_buf_init(&v->rx);
}

int cs_vpcd_connect(struct cs_vpcd *v, const char *host, int port)
{
	struct addrinfo hints, *res = NULL, *ai;
	char service[16];
	int fd = -1, one = 1;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	snprintf(service, sizeof(service), "%d", port);
	if (getaddrinfo(host, service, &hints, &res) != 0) {
		errno = EHOSTUNREACH;
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0)
			continue;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0)
		return -1;
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	v->fd = fd;
	cs_buf_clear(&v->rx);
	return 0;
}

void cs_vpcd_close(struct cs_vpcd *v)
{
	if (v == NULL)
		return;
	if (v->fd >= 0)
		close(v->fd);
	v->fd = -1;
	cs_buf_free(&v->rx);
}

int cs_vpcd_read(struct cs_vpcd *v)
{
	uint8_t tmp[4096];
	int one = 1;
	ssize_t n;

	do
		n = recv(v->fd, tmp, sizeof(tmp), MSG_DONTWAIT);
	while (n < 0 && errno == EINTR);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return 0;
	if (n <= 0)
		return -1;
	/* vpcd writes the length and the APDU separately; with Nagle on its side the second
	 * write waits for our ACK, which Linux would delay ~40 ms: acknowledge at once. The
	 * kernel clears quick-ack mode by itself, so it is set again after every read. */
	(void)setsockopt(v->fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof(one));
	return cs_buf_append(&v->rx, tmp, (size_t)n);
}

int cs_vpcd_next(struct cs_vpcd *v, struct cs_buf *msg)
{
	size_t len;

	cs_buf_clear(msg);
	if (v->rx.len < 2)
		return 0;
	len = ((size_t)v->rx.data[0] << 8) | v->rx.data[1];
	if (v->rx.len < 2 + len)
		return 0;
	if (cs_buf_append(msg, v->rx.data + 2, len) < 0)
		return 0;
	cs_buf_consume(&v->rx, 2 + len);
	return 1;
}

int cs_vpcd_send(struct cs_vpcd *v, const uint8_t *p, size_t n)
{
	uint8_t hdr[2] = { (uint8_t)(n >> 8), (uint8_t)n };
	struct iovec iov[2] = { { hdr, 2 }, { (void *)p, n } };
	struct msghdr mh;
	size_t total = 2 + n, sent = 0;
	ssize_t k;

	if (n > 0xFFFF || v->fd < 0)
		return -1;
	while (sent < total) {
		memset(&mh, 0, sizeof(mh));
		mh.msg_iov = iov;
		mh.msg_iovlen = 2;
		k = sendmsg(v->fd, &mh, MSG_NOSIGNAL);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		sent += (size_t)k;
		/* Advance the iovecs past what was sent. */
		if ((size_t)k >= iov[0].iov_len) {
			k -= (ssize_t)iov[0].iov_len;
			iov[0].iov_len = 0;
			iov[1].iov_base = (uint8_t *)iov[1].iov_base + k;
			iov[1].iov_len -= (size_t)k;
		} else {
			iov[0].iov_base = (uint8_t *)iov[0].iov_base + k;
			iov[0].iov_len -= (size_t)k;
		}
	}
	return 0;
}
