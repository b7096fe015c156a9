/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* apdu/spki.c: see spki.h. */
#include "config.h"

#include "apdu/spki.h"

#include "apdu/buf.h"
#include "apdu/tlv.h"

static const uint8_t oid_rsa[] = { 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01 };
static const uint8_t oid_ec[] = { 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01 };

/* A positive DER INTEGER from big-endian unsigned bytes; 0 if the value is zero. */
static int
put_uint (struct apdu_buf *buf, const uint8_t *v, size_t len)
{
	size_t mark;

	while (len > 0 && v[0] == 0) {
		v++;
		len--;
	}
	if (len == 0)
		return 0;
	mark = tlv_begin (buf, 0x02);
	if (v[0] & 0x80)
		apdu_buf_add_byte (buf, 0x00);
	apdu_buf_add (buf, v, len);
	tlv_end (buf, mark);
	return 1;
}

/* SEQUENCE { SEQUENCE { ALG [PARAM | NULL] }, BIT STRING { 00 KEY } }: PARAM an OBJECT
 * IDENTIFIER's contents, or none; NULL_PARAM: an explicit NULL when there is no PARAM (RSA). */
static card_rv
spki_wrap (const uint8_t *alg, size_t alg_len, const uint8_t *param, size_t param_len, int null_param,
           const uint8_t *key, size_t key_len, uint8_t **spki, size_t *spki_len)
{
	struct apdu_buf out;
	size_t seq, algid, bits;
	card_rv rv = CARD_OK;

	apdu_buf_init (&out);
	seq = tlv_begin (&out, 0x30);
	algid = tlv_begin (&out, 0x30);
	tlv_put (&out, 0x06, alg, alg_len);
	if (param != NULL)
		tlv_put (&out, 0x06, param, param_len);
	else if (null_param)
		tlv_put (&out, 0x05, NULL, 0);
	tlv_end (&out, algid);
	bits = tlv_begin (&out, 0x03);
	apdu_buf_add_byte (&out, 0x00);
	apdu_buf_add (&out, key, key_len);
	tlv_end (&out, bits);
	tlv_end (&out, seq);
	*spki = apdu_buf_steal (&out, spki_len);
	if (*spki == NULL)
		rv = CARD_E_NO_MEMORY;
	apdu_buf_clear (&out);
	return rv;
}

card_rv
apdu_spki_rsa (const uint8_t *n, size_t n_len, const uint8_t *e, size_t e_len, size_t bits,
               uint8_t **spki, size_t *spki_len)
{
	struct apdu_buf key;
	size_t seq;
	card_rv rv = CARD_E_BAD_RESPONSE;

	*spki = NULL;
	*spki_len = 0;
	apdu_buf_init (&key);
	while (n_len > 0 && n[0] == 0) {
		n++;
		n_len--;
	}
	/* the modulus has exactly the key's size: its top bit is set */
	if (n_len == 0 || e_len == 0 || e_len > 8 || n_len * 8 != bits || !(n[0] & 0x80))
		goto out;
	seq = tlv_begin (&key, 0x30);
	put_uint (&key, n, n_len);
	if (!put_uint (&key, e, e_len))
		goto out;
	tlv_end (&key, seq);
	rv = CARD_E_NO_MEMORY;
	if (!apdu_buf_failed (&key))
		rv = spki_wrap (oid_rsa, sizeof oid_rsa, NULL, 0, 1, key.data, key.len, spki, spki_len);
out:
	apdu_buf_clear (&key);
	return rv;
}

card_rv
apdu_spki_ec (const uint8_t *curve_oid, size_t oid_len, size_t coord_bytes, const uint8_t *point,
              size_t point_len, uint8_t **spki, size_t *spki_len)
{
	*spki = NULL;
	*spki_len = 0;
	if (curve_oid == NULL || coord_bytes == 0 || point_len != 1 + 2 * coord_bytes || point[0] != 0x04)
		return CARD_E_BAD_RESPONSE;
	return spki_wrap (oid_ec, sizeof oid_ec, curve_oid, oid_len, 0, point, point_len, spki, spki_len);
}

card_rv
apdu_spki_raw (const uint8_t *alg_oid, size_t alg_len, const uint8_t *key, size_t key_len,
               uint8_t **spki, size_t *spki_len)
{
	*spki = NULL;
	*spki_len = 0;
	return spki_wrap (alg_oid, alg_len, NULL, 0, 0, key, key_len, spki, spki_len);
}
