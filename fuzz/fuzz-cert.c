/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fuzz/fuzz-cert.c: what parses a certificate or a public key from the card: the key
 * objects built from a card slot's certificate or SubjectPublicKeyInfo (certobj.c), the
 * fingerprints of the pairing store (keyfpr.c), the algorithm of a certificate and the
 * public-key template of GENERATE / metadata (apdu/piv-pubkey.c). Input: one byte of
 * choice (algorithm, which way), then the DER or template.
 */
#include "config.h"

#include <stdlib.h>

#include "apdu/piv.h"
#include "src/provision.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t len);

static void
objects (const uint8_t *der, size_t len, bool cert, enum card_alg alg)
{
	struct card_key key = { 0 };
	struct card card = { 0 };
	struct tsr_object **objs = NULL;
	size_t n = 0, i;

	card.slots = piv_card_slots;   /* 9A's descriptor: labels, usages */
	card.n_slots = PIV_NUM_SLOTS;
	key.ref = 0x9A;
	key.has_key = 1;
	key.alg = alg;
	key.pin_policy = CARD_PIN_POLICY_ONCE;
	if (cert) {
		key.cert_der = (uint8_t *)der;
		key.cert_len = len;
	} else {
		key.spki_der = (uint8_t *)der;
		key.spki_len = len;
	}
	(void)tsr_objects_from_card_key (&card, &key, 1, &objs, &n);
	for (i = 0; i < n; i++)
		tsr_object_free (objs[i]);
	free (objs);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t len)
{
	static bool ready;
	uint8_t fpr[TSR_FPR_LEN], *spki = NULL;
	size_t spki_len = 0;
	enum card_alg alg;

	if (!ready)
		ready = tsr_ossl_init () == CKR_OK;
	if (len < 1 || !ready)
		return 0;
	alg = (enum card_alg)(data[0] % (CARD_ALG_LAST + 1));
	data++;
	len--;
	(void)tsr_fpr_of_cert (data, len, fpr);
	(void)tsr_fpr_of_spki (data, len, fpr);
	if (len > 10)
		(void)tsr_fpr_of_ec_point (data, 10, data + 10, len - 10, fpr);
	(void)piv_cert_alg (data, len);
	if (piv_pubkey_to_spki (alg, data, len, &spki, &spki_len) == CARD_OK)
		objects (spki, spki_len, false, alg);
	free (spki);
	objects (data, len, true, alg);
	objects (data, len, false, alg);
	return 0;
}
