/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * src/conf.c: reading tessera.conf(5) (see conf.h).
 *
 * The keys are the table tsr_conf_keys below: one row and one setter per key. The
 * manual page documents exactly these (tests/docs/conf-keys.sh reads the table
 * through tsr_conf_key_name and compares). Whatever goes wrong is logged (category
 * "conf", never a key's value) and leaves the default; the file is read once per
 * C_Initialize.
 */
#include "config.h"

#include "src/conf.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "src/log.h"

/* written by C_Initialize / C_Finalize only */
static struct tsr_conf tsr_conf_module = { TSR_PIN_POLICY_CARD, true, NULL, 0, TSR_PIN_ALWAYS_ASK,
                                           READER_CHOICE_AUTO, NULL, NULL };

void
tsr_conf_defaults (struct tsr_conf *conf)
{
	memset (conf, 0, sizeof *conf);
	conf->pin_policy = TSR_PIN_POLICY_CARD;
	conf->allow_default_mgm_key = true;
	conf->pin_always_keys = TSR_PIN_ALWAYS_ASK;
	conf->reader_backend = READER_CHOICE_AUTO;
}

void
tsr_conf_clear (struct tsr_conf *conf)
{
	if (conf == NULL)
		return;
	if (conf->mgm_keys != NULL) {
		OPENSSL_cleanse (conf->mgm_keys, conf->n_mgm_keys * sizeof *conf->mgm_keys);
		free (conf->mgm_keys);
	}
	free (conf->log_debug);
	free (conf->log_file);
	tsr_conf_defaults (conf);
}

static int
hex_nibble (char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
tsr_conf_parse_hex_key (const char *s, size_t s_len, uint8_t key[TSR_CONF_MAX_KEY], size_t *key_len)
{
	size_t i;

	if (s == NULL || (s_len != 32 && s_len != 48 && s_len != 64))
		return -1;
	for (i = 0; i < s_len; i += 2) {
		int hi = hex_nibble (s[i]), lo = hex_nibble (s[i + 1]);
		if (hi < 0 || lo < 0) {
			OPENSSL_cleanse (key, TSR_CONF_MAX_KEY);
			return -1;
		}
		key[i / 2] = (uint8_t)(hi << 4 | lo);
	}
	*key_len = s_len / 2;
	return 0;
}

const struct tsr_conf_mgm_key *
tsr_conf_mgm_key (const struct tsr_conf *conf, const char *serial)
{
	size_t i;

	if (conf == NULL || serial == NULL || serial[0] == '\0')
		return NULL;
	for (i = 0; i < conf->n_mgm_keys; i++) {
		if (strcmp (conf->mgm_keys[i].serial, serial) == 0)
			return &conf->mgm_keys[i];
	}
	return NULL;
}

/* management_key.SERIAL = HEX: a later line for the same serial replaces the earlier. */
static void
conf_add_mgm_key (struct tsr_conf *conf, const char *where, const char *serial, const char *value)
{
	struct tsr_conf_mgm_key entry, *grown;
	size_t i;

	memset (&entry, 0, sizeof entry);
	if (serial[0] == '\0' || strlen (serial) >= sizeof entry.serial) {
		tsr_log ("conf", "%s: management_key.SERIAL: bad card serial: line ignored", where);
		goto out;
	}
	if (tsr_conf_parse_hex_key (value, strlen (value), entry.key, &entry.key_len) != 0) {
		tsr_log ("conf", "%s: management_key.%s: not 32, 48 or 64 hex digits: line ignored",
		         where, serial);
		goto out;
	}
	memcpy (entry.serial, serial, strlen (serial) + 1);
	for (i = 0; i < conf->n_mgm_keys; i++) {
		if (strcmp (conf->mgm_keys[i].serial, serial) == 0) {
			conf->mgm_keys[i] = entry;
			goto out;
		}
	}
	grown = calloc (conf->n_mgm_keys + 1, sizeof *grown);
	if (grown == NULL) {
		tsr_log ("conf", "%s: out of memory: line ignored", where);
		goto out;
	}
	if (conf->n_mgm_keys > 0)
		memcpy (grown, conf->mgm_keys, conf->n_mgm_keys * sizeof *grown);
	grown[conf->n_mgm_keys] = entry;
	if (conf->mgm_keys != NULL) {
		OPENSSL_cleanse (conf->mgm_keys, conf->n_mgm_keys * sizeof *conf->mgm_keys);
		free (conf->mgm_keys);
	}
	conf->mgm_keys = grown;
	conf->n_mgm_keys++;
out:
	OPENSSL_cleanse (&entry, sizeof entry);
}

static void
conf_set_pin_policy (struct tsr_conf *conf, const char *where, const char *key, const char *value)
{
	if (strcmp (value, "card") == 0)
		conf->pin_policy = TSR_PIN_POLICY_CARD;
	else if (strcmp (value, "fips") == 0)
		conf->pin_policy = TSR_PIN_POLICY_FIPS;
	else
		tsr_log ("conf", "%s: pin_policy: \"%s\" is neither card nor fips: default (card) kept",
		         where, value);
}

static void
conf_set_default_mgm_key (struct tsr_conf *conf, const char *where, const char *key, const char *value)
{
	if (strcmp (value, "allow") == 0)
		conf->allow_default_mgm_key = true;
	else if (strcmp (value, "deny") == 0)
		conf->allow_default_mgm_key = false;
	else
		tsr_log ("conf", "%s: default_management_key: \"%s\" is neither allow nor deny: "
		         "default (allow) kept", where, value);
}

static void
conf_set_mgm_key (struct tsr_conf *conf, const char *where, const char *key, const char *value)
{
	conf_add_mgm_key (conf, where, key + strlen ("management_key."), value);
}

static void
conf_set_pin_always_keys (struct tsr_conf *conf, const char *where, const char *key, const char *value)
{
	(void)key;
	if (strcmp (value, "ask") == 0)
		conf->pin_always_keys = TSR_PIN_ALWAYS_ASK;
	else if (strcmp (value, "login_pin") == 0)
		conf->pin_always_keys = TSR_PIN_ALWAYS_LOGIN_PIN;
	else
		tsr_log ("conf", "%s: pin_always_keys: \"%s\" is neither ask nor login_pin: default (ask) kept",
		         where, value);
}

static void
conf_set_reader_backend (struct tsr_conf *conf, const char *where, const char *key, const char *value)
{
	(void)key;
	if (strcmp (value, "pcsc") == 0)
		conf->reader_backend = READER_CHOICE_PCSC;
	else if (strcmp (value, "ccid") == 0)
		conf->reader_backend = READER_CHOICE_CCID;
	else if (strcmp (value, "auto") == 0)
		conf->reader_backend = READER_CHOICE_AUTO;
	else
		tsr_log ("conf", "%s: reader_backend: \"%s\" is not pcsc, ccid or auto: default (auto) kept",
		         where, value);
}

/* Replace the string *FIELD (owned) by a copy of VALUE. */
static void
conf_set_string (char **field, const char *where, const char *key, const char *value)
{
	char *copy = strdup (value);

	if (copy == NULL) {
		tsr_log ("conf", "%s: %s: out of memory: line ignored", where, key);
		return;
	}
	free (*field);
	*field = copy;
}

static void
conf_set_log (struct tsr_conf *conf, const char *where, const char *key, const char *value)
{
	conf_set_string (&conf->log_debug, where, key, value);
}

static void
conf_set_log_file (struct tsr_conf *conf, const char *where, const char *key, const char *value)
{
	if (value[0] != '/') {
		tsr_log ("conf", "%s: log_file: not an absolute path: line ignored", where);
		return;
	}
	conf_set_string (&conf->log_file, where, key, value);
}

/* The keys, in the order of tessera.conf(5). A name ending in '.' is a prefix: the rest
 * of the key is the user's (management_key.SERIAL). */
static const struct {
	const char *name;
	void (*set) (struct tsr_conf *conf, const char *where, const char *key, const char *value);
} tsr_conf_keys[] = {
	{ "pin_policy", conf_set_pin_policy },
	{ "default_management_key", conf_set_default_mgm_key },
	{ "management_key.", conf_set_mgm_key },
	{ "pin_always_keys", conf_set_pin_always_keys },
	{ "reader_backend", conf_set_reader_backend },
	{ "log", conf_set_log },
	{ "log_file", conf_set_log_file },
};

const char *
tsr_conf_key_name (size_t i)
{
	return i < sizeof tsr_conf_keys / sizeof tsr_conf_keys[0] ? tsr_conf_keys[i].name : NULL;
}

static void
conf_set (struct tsr_conf *conf, const char *where, const char *key, const char *value)
{
	size_t i, len;

	for (i = 0; i < sizeof tsr_conf_keys / sizeof tsr_conf_keys[0]; i++) {
		len = strlen (tsr_conf_keys[i].name);
		if (tsr_conf_keys[i].name[len - 1] == '.' ? strncmp (key, tsr_conf_keys[i].name, len) == 0
		                                          : strcmp (key, tsr_conf_keys[i].name) == 0) {
			tsr_conf_keys[i].set (conf, where, key, value);
			return;
		}
	}
	tsr_log ("conf", "%s: unknown key \"%s\": ignored", where, key);
}

/* Trim blanks at both ends of [*s, *e). */
static void
trim (const char **s, const char **e)
{
	while (*s < *e && isspace ((unsigned char)**s))
		(*s)++;
	while (*e > *s && isspace ((unsigned char)(*e)[-1]))
		(*e)--;
}

void
tsr_conf_parse_line (struct tsr_conf *conf, const char *path, unsigned lineno, const char *line)
{
	char where[64], key[TSR_CONF_MAX_LINE], value[TSR_CONF_MAX_LINE];
	const char *ks = line, *ke, *vs, *ve = line + strcspn (line, "#");
	size_t klen, vlen;

	snprintf (where, sizeof where, "%.40s:%u", path, lineno);
	trim (&ks, &ve);
	if (ks == ve)
		return;   /* blank or comment */
	ke = memchr (ks, '=', (size_t)(ve - ks));
	if (ke == NULL) {
		tsr_log ("conf", "%s: not \"key = value\": ignored", where);
		return;
	}
	vs = ke + 1;
	trim (&ks, &ke);
	trim (&vs, &ve);
	klen = (size_t)(ke - ks);
	vlen = (size_t)(ve - vs);
	if (klen == 0 || klen >= sizeof key || vlen >= sizeof value) {
		tsr_log ("conf", "%s: empty or overlong key: ignored", where);
		return;
	}
	memcpy (key, ks, klen);
	key[klen] = '\0';
	memcpy (value, vs, vlen);
	value[vlen] = '\0';
	conf_set (conf, where, key, value);
	OPENSSL_cleanse (value, sizeof value);
}

/* Read one line into BUF (NUL-terminated, newline dropped). *too_long is set and the
 * rest of the line skipped when it does not fit. false at end of file. */
static bool
read_line (FILE *f, char *buf, size_t size, bool *too_long)
{
	size_t len;
	int c;

	*too_long = false;
	if (fgets (buf, (int)size, f) == NULL)
		return false;
	len = strlen (buf);
	if (len > 0 && buf[len - 1] == '\n') {
		buf[--len] = '\0';
		if (len > 0 && buf[len - 1] == '\r')
			buf[--len] = '\0';   /* CRLF files */
		return true;
	}
	if (feof (f))
		return true;
	*too_long = true;
	while ((c = fgetc (f)) != EOF && c != '\n')
		;
	return true;
}

void
tsr_conf_parse_file (const char *path, struct tsr_conf *conf)
{
	char line[TSR_CONF_MAX_LINE + 2];
	unsigned lineno = 0;
	bool too_long;
	FILE *f;

	tsr_conf_defaults (conf);
	f = fopen (path, "re");
	if (f == NULL) {
		tsr_log ("conf", "%s: %s: defaults used", path, tsr_strerror (errno));
		return;
	}
	while (read_line (f, line, sizeof line, &too_long)) {
		lineno++;
		if (too_long)
			tsr_log ("conf", "%.40s:%u: line longer than %d bytes: ignored", path, lineno,
			         TSR_CONF_MAX_LINE);
		else
			tsr_conf_parse_line (conf, path, lineno, line);
	}
	OPENSSL_cleanse (line, sizeof line);
	fclose (f);
	tsr_log ("conf", "%s: pin_policy %s, default management key %s, %zu card key(s), pin_always_keys %s, "
	         "reader_backend %s, log %s%s%s", path,
	         conf->pin_policy == TSR_PIN_POLICY_FIPS ? "fips" : "card",
	         conf->allow_default_mgm_key ? "allowed" : "denied", conf->n_mgm_keys,
	         conf->pin_always_keys == TSR_PIN_ALWAYS_LOGIN_PIN ? "login_pin" : "ask",
	         conf->reader_backend == READER_CHOICE_PCSC ? "pcsc" :
	         conf->reader_backend == READER_CHOICE_CCID ? "ccid" : "auto",
	         conf->log_debug != NULL ? conf->log_debug : "(not set)",
	         conf->log_file != NULL ? " to " : "", conf->log_file != NULL ? conf->log_file : "");
}

void
tsr_conf_load (void)
{
	const char *path = getenv ("TESSERA_CONF");
	struct tsr_conf again;

	if (path == NULL || path[0] == '\0')
		path = TSR_CONF_DEFAULT_PATH;
	tsr_conf_clear (&tsr_conf_module);
	tsr_conf_parse_file (path, &tsr_conf_module);
	/* log and log_file: the environment (TESSERA_DEBUG, TESSERA_LOG) wins. When the file
	 * itself turned logging on, read it again so that its own problems are logged too. */
	if (tsr_log_set_defaults (tsr_conf_module.log_debug, tsr_conf_module.log_file)) {
		tsr_conf_parse_file (path, &again);
		tsr_conf_clear (&again);
	}
}

void
tsr_conf_unload (void)
{
	tsr_conf_clear (&tsr_conf_module);
	tsr_log_set_defaults (NULL, NULL);
}

const struct tsr_conf *
tsr_conf_get (void)
{
	return &tsr_conf_module;
}
