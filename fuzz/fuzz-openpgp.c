/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fuzz/fuzz-openpgp.c: the OpenPGP card's data objects as a card returns them
 * (apdu/openpgp*.c): application related data (6E), PW status bytes (C4), historical
 * bytes, cardholder data (65), the security support template (7A), the KDF-DO (F9) and
 * PIN derivation, algorithm attributes (C1..C3, which must encode back to what was
 * parsed) and public key templates (7F49) as SubjectPublicKeyInfo with their OpenPGP
 * fingerprint. Input: one byte, the length of the algorithm attributes that come first
 * (mod 17), then the attributes, then the rest for every other parser.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "apdu/openpgp.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t len);

static void
data_objects (const uint8_t *data, size_t len)
{
	struct opgp_ard ard;
	struct opgp_pw_status pw;
	struct opgp_cardholder ch;
	struct opgp_kdf kdf;
	uint8_t out[OPGP_PW_BUF];
	size_t out_len = 0;
	uint32_t count = 0;

	memset (&ard, 0, sizeof ard);
	(void)opgp_parse_ard (data, len, &ard);
	(void)opgp_parse_pw_status (data, len, &pw);
	opgp_parse_historical (data, len, &ard);
	(void)opgp_parse_cardholder (data, len, &ch);
	(void)opgp_parse_sig_counter (data, len, &count);
	/* a derivation hashes the iteration count's octets: kept small enough for the fuzzer */
	if (opgp_parse_kdf (data, len, &kdf) == CARD_OK && kdf.iterations <= 100000)
		(void)opgp_kdf_derive (&kdf, OPGP_PW1, (const uint8_t *)"123456", 6, out, &out_len);
}

static void
public_key (const uint8_t *attr, size_t attr_len, const uint8_t *tmpl, size_t len)
{
	struct opgp_algo algo;
	uint8_t again[32], fpr[20], *spki = NULL;
	size_t again_len = sizeof again, spki_len = 0;

	if (opgp_algo_parse (attr, attr_len, &algo) != CARD_OK)
		return;
	/* what was understood encodes to the attributes a card would take */
	if (opgp_algo_encode (&algo, again, &again_len) == CARD_OK) {
		struct opgp_algo back;
		if (opgp_algo_parse (again, again_len, &back) != CARD_OK || back.id != algo.id ||
		    back.curve != algo.curve || back.rsa_bits != algo.rsa_bits)
			abort ();
	}
	if (opgp_pubkey_to_spki (&algo, tmpl, len, &spki, &spki_len) == CARD_OK)
		(void)opgp_fingerprint (&algo, OPGP_KEY_DEC, spki, spki_len, 1700000000u, fpr);
	free (spki);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t len)
{
	size_t attr_len;

	if (len < 1)
		return 0;
	attr_len = data[0] % 17;
	data++;
	len--;
	if (attr_len > len)
		attr_len = len;
	public_key (data, attr_len, data + attr_len, len - attr_len);
	data_objects (data + attr_len, len - attr_len);
	return 0;
}
