/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fuzz/fuzz-conf.c: the configuration file (tessera.conf(5)), as read from a file.
 */
#include "config.h"

#include "src/conf.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t len);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t len)
{
	struct tsr_conf conf;

	tsr_conf_defaults (&conf);
	tsr_conf_parse_buffer (&conf, "fuzz.conf", (const char *)data, len);
	(void)tsr_conf_mgm_key (&conf, "12345678");
	tsr_conf_clear (&conf);
	return 0;
}
