/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * apdu/piv-data.c: PIV data objects: GET DATA / PUT DATA (00 CB / 00 DB 3F FF
 * with a 5C tag list and a 53 container), certificates, generic objects.
 */
#include "config.h"

#include "apdu/piv.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "apdu/buf.h"
#include "apdu/log.h"
#include "apdu/tlv.h"

/* Objects whose content is secret (YubiKey: PIN-protected management key, admin data). */
static int
object_is_sensitive (uint32_t tag)
{
	return tag == PIV_OBJ_PRINTED || (tag & 0xFFFF00) == 0x5FFF00;
}

/* The tag of the answer: 53, but the discovery object and the biometric group
 * template answer with their own tag (SP 800-73-4 part 1, 3.1). */
static uint32_t
container_tag (uint32_t tag)
{
	return tag == PIV_OBJ_DISCOVERY || tag == 0x7F61 ? tag : 0x53;
}

card_rv
piv_get_data (struct card *card, uint32_t tag, int sensitive, uint8_t **data, size_t *len)
{
	struct apdu_buf cmd;
	struct apdu apdu;
	struct apdu_resp resp;
	struct tlv obj;
	card_rv rv;

	assert (card != NULL && data != NULL && len != NULL);
	*data = NULL;
	*len = 0;
	memset (&resp, 0, sizeof resp);
	apdu_buf_init (&cmd);
	tlv_put_tag (&cmd, 0x5C);
	tlv_put_len (&cmd, tlv_tag_size (tag));
	tlv_put_tag (&cmd, tag);
	if (apdu_buf_failed (&cmd)) {
		rv = tlv_tag_size (tag) == 0 ? CARD_E_INVALID_DATA : CARD_E_NO_MEMORY;
		goto out;
	}
	piv_apdu (card, &apdu, PIV_INS_GET_DATA, 0x3F, 0xFF);
	apdu.data = cmd.data;
	apdu.data_len = cmd.len;
	apdu.ne = PIV_NE_ALL (card);
	apdu.sensitive = sensitive;
	rv = apdu_exchange (card, &apdu, &resp, NULL);
	if (rv != CARD_OK)
		goto out;
	if (tlv_expect (resp.data, resp.len, container_tag (tag), 1, &obj) != TLV_OK) {
		tsr_log ("piv", "GET DATA %06X: answer is not a %X container", (unsigned)tag,
		         (unsigned)container_tag (tag));
		rv = CARD_E_BAD_RESPONSE;
		goto out;
	}
	if (obj.len > 0) {
		*data = malloc (obj.len);
		if (*data == NULL) {
			rv = CARD_E_NO_MEMORY;
			goto out;
		}
		memcpy (*data, obj.value, obj.len);
		*len = obj.len;
	}
out:
	apdu_resp_clear (&resp);
	apdu_buf_clear (&cmd);
	return rv;
}

card_rv
piv_put_data (struct card *card, uint32_t tag, const uint8_t *data, size_t len, int sensitive)
{
	struct apdu_buf cmd;
	struct apdu apdu;
	struct apdu_resp resp;
	card_rv rv;

	assert (card != NULL && (data != NULL || len == 0));
	memset (&resp, 0, sizeof resp);
	apdu_buf_init (&cmd);
	tlv_put_tag (&cmd, 0x5C);
	tlv_put_len (&cmd, tlv_tag_size (tag));
	tlv_put_tag (&cmd, tag);
	tlv_put (&cmd, 0x53, data, len);
	if (apdu_buf_failed (&cmd)) {
		rv = CARD_E_INVALID_DATA;
		goto out;
	}
	piv_apdu (card, &apdu, PIV_INS_PUT_DATA, 0x3F, 0xFF);
	apdu.data = cmd.data;
	apdu.data_len = cmd.len;
	apdu.sensitive = sensitive;
	rv = apdu_exchange (card, &apdu, &resp, NULL);
out:
	apdu_resp_clear (&resp);
	apdu_buf_clear (&cmd);
	return rv;
}

card_rv
piv_read_object (struct card *card, uint32_t tag, uint8_t **data, size_t *len)
{
	if (card == NULL || card->driver_data == NULL || data == NULL || len == NULL ||
	    tag == 0 || tlv_tag_size (tag) == 0)
		return CARD_E_INTERNAL;
	return piv_get_data (card, tag, object_is_sensitive (tag), data, len);
}

card_rv
piv_write_object (struct card *card, uint32_t tag, const uint8_t *data, size_t len)
{
	if (card == NULL || card->driver_data == NULL || (data == NULL && len != 0) ||
	    tag == 0 || tlv_tag_size (tag) == 0)
		return CARD_E_INTERNAL;
	return piv_put_data (card, tag, data, len, object_is_sensitive (tag));
}

/* Certificate object: 53 { 70 cert, 71 00 (not compressed), FE 00 (LRC) }; NULL deletes. */
card_rv
piv_write_cert (struct card *card, uint8_t ref, const uint8_t *der, size_t der_len)
{
	const struct piv_slot *slot = piv_slot_by_ref (ref);
	struct apdu_buf obj;
	card_rv rv;

	if (card == NULL || card->driver_data == NULL || (der != NULL && der_len == 0))
		return CARD_E_INTERNAL;
	if (slot == NULL)
		return CARD_E_NOT_FOUND;
	apdu_buf_init (&obj);
	if (der != NULL) {
		tlv_put (&obj, 0x70, der, der_len);
		tlv_put_byte (&obj, 0x71, 0x00);
		tlv_put (&obj, 0xFE, NULL, 0);
		if (apdu_buf_failed (&obj)) {
			rv = CARD_E_NO_MEMORY;
			goto out;
		}
	}
	rv = piv_put_data (card, slot->cert_tag, obj.data, obj.len, 0);
	tsr_log ("piv", "%s certificate of %02X: %s", der ? "write" : "delete", ref, card_rv_name (rv));
out:
	apdu_buf_clear (&obj);
	return rv;
}
