/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * src/backend-real.c: the backend table of the real module: the reader monitor
 * of reader/ and the card drivers of apdu/ over the reader backends chosen by
 * tessera.conf's reader_backend (pcsc, ccid, or auto: pcscd when it answers,
 * direct USB when not). The configuration is loaded before monitor_new.
 */
#include "config.h"

#include "src/backend.h"
#include "src/conf.h"

extern const struct tsr_backend tsr_backend_real;

static reader_rv
tsr_real_monitor_new (struct reader_monitor **monitor)
{
	return reader_monitor_new_for (tsr_conf_get ()->reader_backend, monitor);
}

static card_rv
tsr_real_card_open (const char *reader_name, const char *app, struct card **card)
{
	return card_open (reader_ops_for (tsr_conf_get ()->reader_backend), reader_name, app, card);
}

static card_rv
tsr_real_card_discover (const char *reader_name, int all, char apps[CARD_MAX_APPS][CARD_APP_NAME], size_t *n)
{
	return card_discover (reader_ops_for (tsr_conf_get ()->reader_backend), reader_name, all, apps, n);
}

const struct tsr_backend tsr_backend_real = {
	.monitor_new = tsr_real_monitor_new,
	.monitor_free = reader_monitor_free,
	.monitor_wait = reader_monitor_wait,
	.monitor_refresh = reader_monitor_refresh,
	.monitor_cancel = reader_monitor_cancel,
	.card_open = tsr_real_card_open,
	.card_discover = tsr_real_card_discover,
	.card_close = card_close,
	.card_begin = card_begin,
	.card_end = card_end,
	.keys_free = card_keys_free,
	.card_timeout = reader_pcsc_watchdog,
};
