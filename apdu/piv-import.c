/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * apdu/piv-import.c: private-key import, the YubiKey extension IMPORT ASYMMETRIC
 * KEY (00 FE alg ref, data: RSA 01 p, 02 q, 03 dp, 04 dq, 05 qinv, each padded to
 * half the modulus size; EC 06 private scalar padded to the curve's size; then
 * [AA pin policy] [AB touch policy] when not DEFAULT). Needs admin_auth first.
 * Other PIV cards have no import command: CARD_E_NOT_SUPPORTED, no APDU.
 *
 * The command carries the private key: it is marked sensitive (never traced), built
 * in a buffer that is wiped when released (apdu_buf_clear), and logged only as
 * algorithm, slot and result.
 */
#include "config.h"

#include "apdu/piv.h"

#include <string.h>

#include "apdu/buf.h"
#include "apdu/log.h"
#include "apdu/tlv.h"

#define PIV_INS_YK_IMPORT 0xFE

/* Bytes of each component of a key of ALG: RSA half the modulus, EC the curve. 0: unknown. */
static size_t
element_len (enum card_alg alg)
{
	switch (alg) {
	case CARD_ALG_RSA1024: return 64;
	case CARD_ALG_RSA2048: return 128;
	case CARD_ALG_RSA3072: return 192;
	case CARD_ALG_RSA4096: return 256;
	case CARD_ALG_EC_P256: return 32;
	case CARD_ALG_EC_P384: return 48;
	case CARD_ALG_NONE:
	default: return 0;
	}
}

/* TAG with VALUE left-padded with zeros to SIZE bytes; a longer value fails BUF. */
static void
put_padded (struct apdu_buf *buf, uint32_t tag, const uint8_t *value, size_t len, size_t size)
{
	while (len > 0 && value != NULL && *value == 0) {
		value++;
		len--;
	}
	if (value == NULL || len == 0 || len > size) {
		apdu_buf_fail (buf);
		return;
	}
	tlv_put_tag (buf, tag);
	tlv_put_len (buf, size);
	apdu_buf_add_fill (buf, 0x00, size - len);
	apdu_buf_add (buf, value, len);
}

static int
is_rsa (enum card_alg alg)
{
	return alg == CARD_ALG_RSA1024 || alg == CARD_ALG_RSA2048 || alg == CARD_ALG_RSA3072 ||
	       alg == CARD_ALG_RSA4096;
}

/* The command data; BUF failed when a component does not fit the algorithm. */
static void
build_data (struct apdu_buf *buf, const struct card_key_parts *key,
            enum card_pin_policy pin_policy, enum card_touch_policy touch_policy)
{
	size_t size = element_len (key->alg);

	if (is_rsa (key->alg)) {
		put_padded (buf, 0x01, key->p, key->p_len, size);
		put_padded (buf, 0x02, key->q, key->q_len, size);
		put_padded (buf, 0x03, key->dp, key->dp_len, size);
		put_padded (buf, 0x04, key->dq, key->dq_len, size);
		put_padded (buf, 0x05, key->qinv, key->qinv_len, size);
	} else {
		put_padded (buf, 0x06, key->scalar, key->scalar_len, size);
	}
	if (piv_yk_pin_policy (pin_policy) != 0)
		tlv_put_byte (buf, 0xAA, piv_yk_pin_policy (pin_policy));
	if (piv_yk_touch_policy (touch_policy) != 0)
		tlv_put_byte (buf, 0xAB, piv_yk_touch_policy (touch_policy));
}

card_rv
piv_yk_import_key (struct card *card, uint8_t ref, const struct card_key_parts *key,
                   enum card_pin_policy pin_policy, enum card_touch_policy touch_policy)
{
	struct apdu_buf data;
	struct apdu apdu;
	struct apdu_resp resp;
	card_rv rv;

	if (card == NULL || card->driver_data == NULL || key == NULL)
		return CARD_E_INTERNAL;
	if (!piv_data (card)->yubikey)
		return CARD_E_NOT_SUPPORTED;
	if (piv_slot_by_ref (ref) == NULL)
		return CARD_E_NOT_FOUND;
	if (piv_alg_from_card (key->alg) == 0 || element_len (key->alg) == 0)
		return CARD_E_NOT_SUPPORTED;
	memset (&resp, 0, sizeof resp);
	apdu_buf_init (&data);
	build_data (&data, key, pin_policy, touch_policy);
	if (apdu_buf_failed (&data)) {
		tsr_log ("piv", "import into %02X: a key component does not fit algorithm %02X", ref,
		         piv_alg_from_card (key->alg));
		rv = CARD_E_INVALID_DATA;
		goto out;
	}
	piv_apdu (card, &apdu, PIV_INS_YK_IMPORT, piv_alg_from_card (key->alg), ref);
	apdu.data = data.data;
	apdu.data_len = data.len;
	apdu.sensitive = 1;
	rv = apdu_exchange (card, &apdu, &resp, NULL);
	tsr_log ("piv", "import %02X into %02X: %s", piv_alg_from_card (key->alg), ref, card_rv_name (rv));
	if (rv == CARD_OK)
		piv_remember_alg (card, ref, key->alg);
out:
	apdu_resp_clear (&resp);
	apdu_buf_clear (&data);
	return rv;
}
