/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tools/cert.c: what a user needs to know of a certificate: subject, issuer and
 * expiry (OpenSSL).
 */
#include "config.h"

#include "tools/tool.h"

#include <string.h>
#include <time.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/x509.h>

/* NAME as one RFC 2253 line in UTF-8 into OUT. */
static void
name_line (const X509_NAME *name, char *out, size_t size)
{
	BIO *bio = BIO_new (BIO_s_mem ());
	int n;

	out[0] = '\0';
	if (bio == NULL)
		return;
	if (X509_NAME_print_ex (bio, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) >= 0) {
		n = BIO_read (bio, out, (int)size - 1);
		out[n > 0 ? n : 0] = '\0';
	}
	BIO_free (bio);
}

bool
tool_cert_describe (const uint8_t *der, size_t len, struct tool_key *key)
{
	const unsigned char *p = der;
	const ASN1_TIME *not_after;
	struct tm tm;
	int days = 0, secs = 0;
	X509 *x;
	bool ok = false;

	x = d2i_X509 (NULL, &p, (long)len);
	if (x == NULL)
		goto out;
	name_line (X509_get_subject_name (x), key->subject, sizeof key->subject);
	name_line (X509_get_issuer_name (x), key->issuer, sizeof key->issuer);
	not_after = X509_get0_notAfter (x);
	if (ASN1_TIME_to_tm (not_after, &tm) != 1 || ASN1_TIME_diff (&days, &secs, NULL, not_after) != 1)
		goto out;
	strftime (key->not_after, sizeof key->not_after, "%Y-%m-%dT%H:%M:%SZ", &tm);
	/* whole days left: a certificate expiring in 3 hours has 0 days left, one expired an hour ago -1 */
	key->days_left = days;
	if (days == 0 && secs < 0)
		key->days_left = -1;
	else if (days < 0 && secs < 0)
		key->days_left = days - 1;
	ok = true;
out:
	X509_free (x);
	return ok;
}
