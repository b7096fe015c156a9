/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vscard.c: the client side of QEMU's VSCard protocol over a UNIX socket (see vscard.h). */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "vscard.h"

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

void cs_vscard_init(struct cs_vscard *v)
{
	v->fd = -1;
	v->reader_added = 0;
	cs_buf_init(&v->rx);
}

int cs_vscard_frame(struct cs_buf *out, uint32_t type, uint32_t reader_id, const uint8_t *p, size_t n)
{
	uint8_t hdr[VSC_HEADER];

	if (n > 0xFFFFFFu)
		return -1;
	put32(hdr, type);
	put32(hdr + 4, reader_id);
	put32(hdr + 8, (uint32_t)n);
	cs_buf_clear(out);
	if (cs_buf_append(out, hdr, sizeof(hdr)) < 0 || (n > 0 && cs_buf_append(out, p, n) < 0))
		return -1;
	return 0;
}

int cs_vscard_send(struct cs_vscard *v, uint32_t type, uint32_t reader_id, const uint8_t *p, size_t n)
{
	struct cs_buf out;
	size_t sent = 0;
	ssize_t k;
	int rc = -1;

	if (v->fd < 0)
		return -1;
	cs_buf_init(&out);
	if (cs_vscard_frame(&out, type, reader_id, p, n) < 0)
		goto done;
	while (sent < out.len) {
		k = send(v->fd, out.data + sent, out.len - sent, MSG_NOSIGNAL);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			goto done;
		sent += (size_t)k;
	}
	rc = 0;
done:
	cs_buf_free(&out);
	return rc;
}

int cs_vscard_connect(struct cs_vscard *v, const char *path)
{
	/* Init: the magic "VSCD" as bytes, the version, one capability word (none). */
	uint8_t init[12] = { 'V', 'S', 'C', 'D' };
	struct sockaddr_un sa;
	int fd;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		close(fd);
		return -1;
	}
	v->fd = fd;
	v->reader_added = 0;
	cs_buf_clear(&v->rx);
	put32(init + 4, VSC_VERSION);
	if (cs_vscard_send(v, VSC_INIT, VSC_UNDEFINED_READER, init, sizeof(init)) < 0) {
		cs_vscard_close(v);
		return -1;
	}
	return 0;
}

void cs_vscard_close(struct cs_vscard *v)
{
	if (v == NULL)
		return;
	if (v->fd >= 0)
		close(v->fd);
	v->fd = -1;
	v->reader_added = 0;
	cs_buf_free(&v->rx);
}

int cs_vscard_read(struct cs_vscard *v)
{
	uint8_t tmp[4096];
	ssize_t n;

	do
		n = recv(v->fd, tmp, sizeof(tmp), MSG_DONTWAIT);
	while (n < 0 && errno == EINTR);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return 0;
	if (n <= 0)
		return -1;
	return cs_buf_append(&v->rx, tmp, (size_t)n);
}

int cs_vscard_next(struct cs_vscard *v, struct cs_vsc_msg *msg)
{
	size_t len;

	cs_buf_clear(&msg->payload);
	if (v->rx.len < VSC_HEADER)
		return 0;
	len = get32(v->rx.data + 8);
	if (v->rx.len - VSC_HEADER < len)
		return 0;
	msg->type = get32(v->rx.data);
	msg->reader_id = get32(v->rx.data + 4);
	if (len > 0 && cs_buf_append(&msg->payload, v->rx.data + VSC_HEADER, len) < 0)
		return 0;
	cs_buf_consume(&v->rx, VSC_HEADER + len);
	return 1;
}
