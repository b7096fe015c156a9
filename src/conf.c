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
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "src/log.h"

/* written by C_Initialize / C_Finalize only */
static struct tsr_conf tsr_conf_module = { TSR_PIN_POLICY_CARD, true, TSR_CONF_CARD_TIMEOUT, NULL, 0, 0,
                                           TSR_PIN_ALWAYS_ASK, READER_CHOICE_AUTO, NULL, NULL };

void
tsr_conf_defaults (struct tsr_conf *conf)
{
	memset (conf, 0, sizeof *conf);
	conf->pin_policy = TSR_PIN_POLICY_CARD;
	conf->allow_default_mgm_key = true;
	conf->card_timeout = TSR_CONF_CARD_TIMEOUT;
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

int
tsr_conf_parse_hex_key (const char *s, size_t s_len, uint8_t key[TSR_CONF_MAX_KEY], size_t *key_len)
{
	size_t i;

	if (s == NULL || (s_len != 32 && s_len != 48 && s_len != 64))
		return -1;
	for (i = 0; i < s_len; i += 2) {
		int hi = OPENSSL_hexchar2int (s[i]), lo = OPENSSL_hexchar2int (s[i + 1]);
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
	for (i = conf->n_mgm_keys; i > 0; i--) {   /* the last line for a serial wins */
		if (strcmp (conf->mgm_keys[i - 1].serial, serial) == 0)
			return &conf->mgm_keys[i - 1];
	}
	return NULL;
}

/* Room for one more key: the array doubles (amortised linear time); the old copy is wiped. */
static bool
conf_grow_mgm_keys (struct tsr_conf *conf)
{
	struct tsr_conf_mgm_key *grown;
	size_t cap;

	if (conf->n_mgm_keys < conf->cap_mgm_keys)
		return true;
	cap = conf->cap_mgm_keys ? conf->cap_mgm_keys * 2 : 8;
	grown = calloc (cap, sizeof *grown);
	if (grown == NULL)
		return false;
	if (conf->n_mgm_keys > 0)
		memcpy (grown, conf->mgm_keys, conf->n_mgm_keys * sizeof *grown);
	if (conf->mgm_keys != NULL) {
		OPENSSL_cleanse (conf->mgm_keys, conf->n_mgm_keys * sizeof *conf->mgm_keys);
		free (conf->mgm_keys);
	}
	conf->mgm_keys = grown;
	conf->cap_mgm_keys = cap;
	return true;
}

/* management_key.SERIAL = HEX: a later line for the same serial replaces the earlier. Keys
 * are appended; conf_dedupe_mgm_keys keeps the last one of each serial after the file. */
static void
conf_add_mgm_key (struct tsr_conf *conf, const char *where, const char *serial, const char *value)
{
	struct tsr_conf_mgm_key entry;

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
	if (!conf_grow_mgm_keys (conf)) {
		tsr_log ("conf", "%s: out of memory: line ignored", where);
		goto out;
	}
	conf->mgm_keys[conf->n_mgm_keys++] = entry;
out:
	OPENSSL_cleanse (&entry, sizeof entry);
}

/* card_timeout = SECONDS: 0 (no limit) .. 3600. */
static void
conf_set_card_timeout (struct tsr_conf *conf, const char *where, const char *value)
{
	char *end = NULL;
	long v;

	errno = 0;
	v = strtol (value, &end, 10);
	if (errno != 0 || end == value || *end != '\0' || v < 0 || v > 3600) {
		tsr_log ("conf", "%s: card_timeout: \"%s\" is not 0..3600 seconds: default (%d) kept", where,
		         value, TSR_CONF_CARD_TIMEOUT);
		return;
	}
	conf->card_timeout = v;
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
conf_set_card_timeout_key (struct tsr_conf *conf, const char *where, const char *key, const char *value)
{
	(void)key;
	conf_set_card_timeout (conf, where, value);
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
	{ "card_timeout", conf_set_card_timeout_key },
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

/* One entry per serial, the last line's: sort by serial, ties by position (O(n log n)). */
static int
conf_cmp_index (const void *a, const void *b, void *keys)
{
	const struct tsr_conf_mgm_key *k = keys;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int c = strcmp (k[x].serial, k[y].serial);

	return c != 0 ? c : (x < y ? -1 : x > y);
}

static void
conf_dedupe_mgm_keys (struct tsr_conf *conf)
{
	struct tsr_conf_mgm_key *keep = NULL;
	size_t *idx = NULL, i, n = 0;

	if (conf->n_mgm_keys < 2)
		return;
	idx = malloc (conf->n_mgm_keys * sizeof *idx);
	keep = calloc (conf->n_mgm_keys, sizeof *keep);
	if (idx == NULL || keep == NULL)
		goto out;   /* duplicates stay: tsr_conf_mgm_key still finds the last */
	for (i = 0; i < conf->n_mgm_keys; i++)
		idx[i] = i;
	qsort_r (idx, conf->n_mgm_keys, sizeof *idx, conf_cmp_index, conf->mgm_keys);
	for (i = 0; i < conf->n_mgm_keys; i++) {
		if (i + 1 < conf->n_mgm_keys &&
		    strcmp (conf->mgm_keys[idx[i]].serial, conf->mgm_keys[idx[i + 1]].serial) == 0)
			continue;   /* a later line for this serial follows */
		keep[n++] = conf->mgm_keys[idx[i]];
	}
	OPENSSL_cleanse (conf->mgm_keys, conf->n_mgm_keys * sizeof *conf->mgm_keys);
	free (conf->mgm_keys);
	conf->mgm_keys = keep;
	conf->cap_mgm_keys = conf->n_mgm_keys;
	conf->n_mgm_keys = n;
	keep = NULL;
out:
	free (idx);
	free (keep);
}

void
tsr_conf_parse_buffer (struct tsr_conf *conf, const char *path, const char *data, size_t len)
{
	char line[TSR_CONF_MAX_LINE + 1];
	const char *p = data, *end = data + len, *nl;
	unsigned lineno = 0;
	size_t n;

	while (p < end) {
		nl = memchr (p, '\n', (size_t)(end - p));
		n = (size_t)((nl != NULL ? nl : end) - p);
		lineno++;
		if (n > 0 && p[n - 1] == '\r')
			n--;   /* CRLF files */
		if (memchr (p, '\0', n) != NULL)
			tsr_log ("conf", "%.40s:%u: NUL byte in the line: ignored", path, lineno);
		else if (n > TSR_CONF_MAX_LINE)
			tsr_log ("conf", "%.40s:%u: line longer than %d bytes: ignored", path, lineno, TSR_CONF_MAX_LINE);
		else {
			memcpy (line, p, n);
			line[n] = '\0';
			tsr_conf_parse_line (conf, path, lineno, line);
		}
		p = nl != NULL ? nl + 1 : end;
	}
	OPENSSL_cleanse (line, sizeof line);
	conf_dedupe_mgm_keys (conf);
}

/* The whole file PATH into *data (owned by the caller, wiped and freed by it): at most
 * TSR_CONF_MAX_SIZE bytes of a regular file. false (logged) otherwise. */
static bool
conf_read_file (const char *path, char **data, size_t *len)
{
	struct stat st;
	ssize_t got;
	int fd;
	bool ok = false;

	*data = NULL;
	*len = 0;
	fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		tsr_log ("conf", "%s: %s: defaults used", path, tsr_strerror (errno));
		return false;
	}
	if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode)) {
		tsr_log ("conf", "%s: not a regular file: defaults used", path);
		goto out;
	}
	*data = malloc (TSR_CONF_MAX_SIZE + 1);
	if (*data == NULL)
		goto out;
	while (*len <= TSR_CONF_MAX_SIZE &&
	       ((got = read (fd, *data + *len, TSR_CONF_MAX_SIZE + 1 - *len)) > 0 || (got < 0 && errno == EINTR)))
		*len += got > 0 ? (size_t)got : 0;
	if (*len > TSR_CONF_MAX_SIZE) {
		tsr_log ("conf", "%s: larger than %d bytes: defaults used", path, TSR_CONF_MAX_SIZE);
		goto out;
	}
	ok = true;
out:
	close (fd);
	return ok;
}

void
tsr_conf_parse_file (const char *path, struct tsr_conf *conf)
{
	char *data = NULL;
	size_t len = 0;

	tsr_conf_defaults (conf);
	if (conf_read_file (path, &data, &len))
		tsr_conf_parse_buffer (conf, path, data, len);
	if (data != NULL) {
		OPENSSL_cleanse (data, len);
		free (data);
	}
	tsr_log ("conf", "%s: pin_policy %s, default management key %s, %zu card key(s), card_timeout %ld s, "
	         "pin_always_keys %s, reader_backend %s, log %s%s%s", path,
	         conf->pin_policy == TSR_PIN_POLICY_FIPS ? "fips" : "card",
	         conf->allow_default_mgm_key ? "allowed" : "denied", conf->n_mgm_keys, conf->card_timeout,
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
