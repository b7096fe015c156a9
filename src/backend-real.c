/*
 * src/backend-real.c: the backend table of the real module: the reader monitor
 * of reader/ and the card drivers of apdu/ over the PC/SC reader backend.
 */
#include "config.h"

#include "src/backend.h"

extern const struct tsr_backend tsr_backend_real;

static card_rv
tsr_real_card_open (const char *reader_name, struct card **card)
{
	return card_open (&reader_pcsc_ops, reader_name, card);
}

const struct tsr_backend tsr_backend_real = {
	.monitor_new = reader_monitor_new,
	.monitor_free = reader_monitor_free,
	.monitor_wait = reader_monitor_wait,
	.monitor_refresh = reader_monitor_refresh,
	.monitor_cancel = reader_monitor_cancel,
	.card_open = tsr_real_card_open,
	.card_close = card_close,
	.card_begin = card_begin,
	.card_end = card_end,
	.keys_free = card_keys_free,
	.card_timeout = reader_pcsc_watchdog,
};
