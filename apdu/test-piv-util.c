/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * apdu/test-piv-util.c: helpers of the PIV driver tests.
 */
#include "config.h"

#include "apdu/test-piv.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "apdu/buf.h"
#include "apdu/mock-reader.h"
#include "apdu/tlv.h"

void
tp_add (struct tp_bytes *b, const uint8_t *data, size_t len)
{
	uint8_t *p = realloc (b->data, b->len + len + 1);

	ck_assert_ptr_nonnull (p);
	b->data = p;
	if (len)
		memcpy (b->data + b->len, data, len);
	b->len += len;
}

void
tp_add_hex (struct tp_bytes *b, const char *hex)
{
	size_t len;
	uint8_t *d = mock_unhex (hex, &len);

	tp_add (b, d, len);
	free (d);
}

void
tp_add_header (struct tp_bytes *b, uint32_t tag, size_t len)
{
	struct apdu_buf buf;

	apdu_buf_init (&buf);
	tlv_put_tag (&buf, tag);
	tlv_put_len (&buf, len);
	ck_assert (!apdu_buf_failed (&buf));
	tp_add (b, buf.data, buf.len);
	apdu_buf_clear (&buf);
}

void
tp_bytes_free (struct tp_bytes *b)
{
	free (b->data);
	b->data = NULL;
	b->len = 0;
}

struct card *
tp_open_plain (void)
{
	struct card *card = NULL;

	mock_expect (SELECT_PIV, APT " 90 00");
	mock_expect (GET_VERSION, "6D 00");
	mock_expect (GET_CHUID, "53 20 30 0A 00 11 22 33 44 55 66 77 88 99"
	                        " 34 10 00 11 22 33 44 55 66 77 88 99 AA BB CC DD EE FF FE 00 90 00");
	ck_assert_int_eq (card_open (&mock_reader_ops, "mock", NULL, &card), CARD_OK);
	ck_assert_int_eq (card_begin (card, NULL), CARD_OK);
	return card;
}

struct card *
tp_open_yubikey (int major, int minor)
{
	struct card *card = NULL;
	char version[32];

	snprintf (version, sizeof version, "%02X %02X 00 90 00", major, minor);
	mock_expect (SELECT_PIV, APT " 90 00");
	mock_expect (GET_VERSION, version);
	mock_expect (GET_SERIAL, "00 BC 61 4E 90 00");
	ck_assert_int_eq (card_open (&mock_reader_ops, "mock", NULL, &card), CARD_OK);
	ck_assert_int_eq (card_begin (card, NULL), CARD_OK);
	return card;
}

void
tp_close (struct card *card)
{
	card_end (card);
	card_close (card);
	ck_assert_msg (mock_check () == NULL, "%s", mock_check ());
	ck_assert_int_eq (mock_connections (), 0);
}

void
tp_expect_chained (const char *header, const uint8_t *data, size_t len, int le,
                   const char *last_resp)
{
	size_t hlen, rlen, off = 0, n;
	uint8_t *h = mock_unhex (header, &hlen);
	uint8_t *resp = mock_unhex (last_resp, &rlen);
	struct tp_bytes cmd = { 0 };

	ck_assert_uint_eq (hlen, 4);
	do {
		int last = len - off <= 255;
		n = last ? len - off : 255;
		tp_add (&cmd, h, 4);
		cmd.data[0] = (uint8_t)(h[0] | (last ? 0 : 0x10));
		tp_add (&cmd, (const uint8_t[]){ (uint8_t)n }, 1);
		tp_add (&cmd, data + off, n);
		if (last && le >= 0)
			tp_add (&cmd, (const uint8_t[]){ (uint8_t)le }, 1);
		if (last)
			mock_expect_bin (cmd.data, cmd.len, resp, rlen);
		else
			mock_expect_bin (cmd.data, cmd.len, (const uint8_t *)"\x90\x00", 2);
		tp_bytes_free (&cmd);
		off += n;
	} while (off < len);
	free (h);
	free (resp);
}

void
tp_serve_long (const char *cmd, const uint8_t *data, size_t len)
{
	size_t clen = 0, off = 0, n;
	uint8_t *c = cmd != NULL ? mock_unhex (cmd, &clen) : NULL;
	uint8_t piece[258];
	static const uint8_t get_response[] = { 0x00, 0xC0, 0x00, 0x00, 0x00 };
	uint8_t gr[5];
	size_t prev = 256;

	do {
		n = len - off > 256 ? 256 : len - off;
		memcpy (piece, data + off, n);
		off += n;
		if (off < len) {
			size_t left = len - off;
			piece[n] = 0x61;
			piece[n + 1] = (uint8_t)(left >= 256 ? 0 : left);
		} else {
			piece[n] = 0x90;
			piece[n + 1] = 0x00;
		}
		if (c != NULL) {
			mock_expect_bin (c, clen, piece, n + 2);
			free (c);
			c = NULL;
		} else {
			memcpy (gr, get_response, 5);
			gr[4] = (uint8_t)(prev >= 256 ? 0 : prev);
			mock_expect_bin (gr, 5, piece, n + 2);
		}
		prev = len - off;
	} while (off < len);
}

static const char rsa_pem[] =
	"-----BEGIN PRIVATE KEY-----\n"
	"MIIEvAIBADANBgkqhkiG9w0BAQEFAASCBKYwggSiAgEAAoIBAQChc6e5dT0hbcbJ\n"
	"HX2PYnCSebbP7PZuvywqTOqAMqEM1BgL/2PPoJSj92D+IaYgtJPlJw3DnkLhIkGl\n"
	"H7/NpYOaQ591UDzQwZZR1QhH/k4NlwHWI+HsgIT3f7jHJCRdtmo7SnOL5ksRJEGm\n"
	"bRpD94WrR8etrMBVJcdsFxkdmzXeBbbPeJjq+qUTc/o8ea7HDIWIpIp0eB5Y5l4V\n"
	"xGFJdDrvXoR8VgnV1X35YNXDgLoFsWsqWEhuZ/MWVNRHaKkkRbyx+nvXNIjWnQ1x\n"
	"seQEXw6TXU9Qc6MRx6eZgIk22piq+N1RiSaT1R1j6z7RJLvVedRZ/NYxvwCsnJgy\n"
	"1SmEu75lAgMBAAECggEAJf/zrRnj/nc4/2L6h4Hy3vbYyU2LnvtN6NLbqrq/3yYY\n"
	"VtKQanDwKztxT78Zu77kxF2RxsX8FcMbUkMLwNpBBFEAOftdpQC7YZ1TaqZ3Nomh\n"
	"PAaMCT8ijKI6GlzuVkQ18qiOU5Irfuhar1IkiXS7uFmXrM/pIOFYc59oIOjEH/I2\n"
	"pPiFiQ++UI3kW1IAFjt77QIl/1qXwq8U6PG70Qxc59D4j53JEC4aL4QCigREddbE\n"
	"Jm4e+tP/6yjuKkeJj5XOiGjDs6+7ZfsZFyYPXYBExlZEvLp9vBbs5UWJGNm8KlrN\n"
	"I3XbMBrZC/Dyy6GbCsdCWINwjoZemPDaq4eiAP6BoQKBgQDNe1a8TE21pvQmF/kf\n"
	"B/GdpoQ3gQChviZGtk/9uEY3dPJrEUuuGDRramabF94NzK56i8lcfB2OzCRQODDM\n"
	"+JMFlaJfJ6nsehhtQUebJ7iYrqZViVl1dyuDElG996y38Wlw29MUuFhszy7KbmVV\n"
	"vj1tfxOkl9zWwaRrBLJjEpNv+QKBgQDJJSUfdej5k25e5t+rPjDtOBx0+2PZ6/FW\n"
	"9BCl+RqHtzNRDmS29I+GJHVS81oScDlcHHiPORdg5seFe7bKzwz7OAnoZkLQLiOv\n"
	"TevPrpnots7sUW4EAO6+Tq5uVWNVra2BO/SpJq9W7jllnzOpiETuJyzStApodvPv\n"
	"K2i0JXC0zQKBgEXhfE3tZUAx1zZdUMvM187VooF9zckz8bB6sBmJYdfaXdcruqEq\n"
	"eilNtjdolov64ButDn31d9fodTES6wXKQ7XSfbX+tztFCqmdWczaZV0HiGnunA3m\n"
	"yVV6FXKVmJe18jX/jHmvd+MJUtBlWvEeEaX7YaLIQsKGeHQs1L38w0eBAoGAeSfx\n"
	"k2CfQu0l1u3znZ7pM4nPwjrF6zZt+PUrrf08mLClrVYhHf5zENaXAK7p+x8zvaK8\n"
	"j3BQ/6IiXemlscVDSXJ4rU4jQmf4QJiLyF2gAQdT3g4yWSECrQiRko3GNo5Vavll\n"
	"JhnSFWeKlQZuxNf6xQQ9wHCHsGKuDcq014WRvKUCgYBuWTI1r+U35d2PBFstP+zk\n"
	"sZpimJEeH/QVjCJATKaV55lawXC6fkyDczzXFIGQzAQHccVFsnLIuV6foI87L+HH\n"
	"OKcrThQSRxH30ySQFGyEPDrSdBlhrzgMGrmsz/SvGJ+PiDOotCTtMNYWNjdP0mbD\n"
	"ZqC745514WYPl4LZYdvx/g==\n"
	"-----END PRIVATE KEY-----\n";

EVP_PKEY *
tp_rsa_key (void)
{
	BIO *bio = BIO_new_mem_buf (rsa_pem, -1);
	EVP_PKEY *key;

	ck_assert_ptr_nonnull (bio);
	key = PEM_read_bio_PrivateKey (bio, NULL, NULL, NULL);
	BIO_free (bio);
	ck_assert_ptr_nonnull (key);
	return key;
}

EVP_PKEY *
tp_ec_key (const char *group)
{
	EVP_PKEY *key = EVP_EC_gen (group);

	ck_assert_ptr_nonnull (key);
	return key;
}

uint8_t *
tp_cert (EVP_PKEY *key, size_t pad, size_t *len)
{
	X509 *x = X509_new ();
	X509_NAME *name;
	X509_EXTENSION *ext;
	X509V3_CTX ctx;
	char *comment = malloc (pad + 1);
	unsigned char *der = NULL;
	uint8_t *out;
	int n;

	ck_assert_ptr_nonnull (x);
	ck_assert_ptr_nonnull (comment);
	memset (comment, 'c', pad);
	comment[pad] = '\0';
	X509_set_version (x, 2);
	ASN1_INTEGER_set (X509_get_serialNumber (x), 42);
	X509_gmtime_adj (X509_getm_notBefore (x), 0);
	X509_gmtime_adj (X509_getm_notAfter (x), 3600);
	name = X509_get_subject_name (x);
	X509_NAME_add_entry_by_txt (name, "CN", MBSTRING_ASC, (const unsigned char *)"tessera test",
	                            -1, -1, 0);
	X509_set_issuer_name (x, name);
	X509_set_pubkey (x, key);
	if (pad > 0) {
		X509V3_set_ctx (&ctx, x, x, NULL, NULL, 0);
		ext = X509V3_EXT_conf_nid (NULL, &ctx, NID_netscape_comment, comment);
		ck_assert_ptr_nonnull (ext);
		X509_add_ext (x, ext, -1);
		X509_EXTENSION_free (ext);
	}
	ck_assert_int_gt (X509_sign (x, key, EVP_sha256 ()), 0);
	n = i2d_X509 (x, &der);
	ck_assert_int_gt (n, 0);
	out = malloc ((size_t)n);
	ck_assert_ptr_nonnull (out);
	memcpy (out, der, (size_t)n);
	*len = (size_t)n;
	OPENSSL_free (der);
	X509_free (x);
	free (comment);
	return out;
}

uint8_t *
tp_pubkey_template (EVP_PKEY *key, size_t *len)
{
	struct tp_bytes b = { 0 };
	uint8_t point[133], bin[600];
	size_t plen = 0;
	BIGNUM *n = NULL, *e = NULL;
	int nlen, elen;

	if (EVP_PKEY_get_base_id (key) == EVP_PKEY_EC) {
		ck_assert (EVP_PKEY_get_octet_string_param (key, OSSL_PKEY_PARAM_PUB_KEY, point,
		                                            sizeof point, &plen) == 1);
		tp_add_header (&b, 0x86, plen);
		tp_add (&b, point, plen);
	} else {
		ck_assert (EVP_PKEY_get_bn_param (key, OSSL_PKEY_PARAM_RSA_N, &n) == 1);
		ck_assert (EVP_PKEY_get_bn_param (key, OSSL_PKEY_PARAM_RSA_E, &e) == 1);
		nlen = BN_bn2bin (n, bin);
		tp_add_header (&b, 0x81, (size_t)nlen);
		tp_add (&b, bin, (size_t)nlen);
		elen = BN_bn2bin (e, bin);
		tp_add_header (&b, 0x82, (size_t)elen);
		tp_add (&b, bin, (size_t)elen);
		BN_free (n);
		BN_free (e);
	}
	*len = b.len;
	return b.data;
}
