/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * apdu/opgp-client.c: a small OpenPGP card client on the opgp_* library and the PC/SC
 * backend, for the integration tests that put the library next to GnuPG:
 *
 *   opgp-client READER fingerprints       each slot's public key (GENERATE P1=81) and date
 *                                         give the fingerprint the card holds (C5)
 *   opgp-client READER kdf PW1 PW3        the KDF-DO's initial values 87/88 are the
 *                                         library's derivations of PW1 and PW3; VERIFY PW1
 *   opgp-client READER pubkey SLOT OUT    the public key of slot 1..3 as SPKI DER
 *   opgp-client READER sign PIN IN OUT    PSO:CDS over SHA-256(IN) (RSA DigestInfo, ECDSA
 *   opgp-client READER auth PIN IN OUT    hash; signature DER for ECDSA) / INTERNAL AUTHENTICATE
 *   opgp-client READER ecdh PIN PEER OUT  PSO:DECIPHER (ECDH) with PEER (SPKI DER file)
 *
 * Exit status 0 on success, 1 on a failed check or card error (a line on stderr), 2 usage.
 * Never logs out: the card's security state is left as the other clients expect it.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/x509.h>

#include "apdu/openpgp.h"
#include "apdu/ossl.h"
#include "apdu/tlv.h"
#include "reader/reader.h"

static int
fail (const char *what, card_rv rv)
{
	fprintf (stderr, "opgp-client: %s: %s\n", what, card_rv_name (rv));
	return 1;
}

static uint8_t *
read_file (const char *path, size_t *len)
{
	FILE *f = fopen (path, "rb");
	uint8_t *buf = malloc (65536);

	*len = 0;
	if (f != NULL && buf != NULL)
		*len = fread (buf, 1, 65536, f);
	if (f != NULL)
		fclose (f);
	if (*len == 0) {
		free (buf);
		return NULL;
	}
	return buf;
}

static int
write_file (const char *path, const uint8_t *data, size_t len)
{
	FILE *f = fopen (path, "wb");
	int ok = f != NULL && fwrite (data, 1, len, f) == len;

	if (f != NULL && fclose (f) != 0)
		ok = 0;
	return ok ? 0 : 1;
}

static int
cmd_fingerprints (struct card *card, struct opgp *o)
{
	uint8_t *spki = NULL, fpr[20];
	size_t len = 0;
	int key, checked = 0, bad = 0;
	card_rv rv;

	for (key = 0; key < OPGP_NKEYS; key++) {
		if (!opgp_has_key (&o->ard, (enum opgp_key)key))
			continue;
		rv = opgp_read_pubkey (card, o, (enum opgp_key)key, &spki, &len);
		if (rv == CARD_OK)
			rv = opgp_fingerprint (&o->ard.algo[key], (enum opgp_key)key, spki, len, o->ard.gen_time[key], fpr);
		free (spki);
		spki = NULL;
		if (rv != CARD_OK)
			return fail ("fingerprint", rv);
		checked++;
		if (memcmp (fpr, o->ard.fpr[key], 20) != 0) {
			fprintf (stderr, "opgp-client: slot %d: the fingerprint on the card is not the key's\n", key + 1);
			bad++;
		} else {
			printf ("slot %d: fingerprint matches\n", key + 1);
		}
	}
	return checked == 0 || bad ? 1 : 0;
}

static int
cmd_kdf (struct card *card, struct opgp *o, const char *pw1, const char *pw3)
{
	uint8_t *f9 = NULL, h[OPGP_PW_BUF];
	size_t len = 0, n = 0;
	struct tlv t87, t88;
	card_rv rv;
	int ok;

	if (!o->kdf.on)
		return fail ("kdf", CARD_E_NOT_SUPPORTED);
	rv = opgp_get_data (card, o, 0x00F9, &f9, &len);
	if (rv != CARD_OK)
		return fail ("GET DATA F9", rv);
	ok = tlv_find (f9, len, 0x87, &t87) == TLV_OK && tlv_find (f9, len, 0x88, &t88) == TLV_OK &&
	     opgp_kdf_derive (&o->kdf, 0x82, (const uint8_t *)pw1, strlen (pw1), h, &n) == CARD_OK &&
	     n == t87.len && memcmp (h, t87.value, n) == 0 &&
	     opgp_kdf_derive (&o->kdf, 0x83, (const uint8_t *)pw3, strlen (pw3), h, &n) == CARD_OK &&
	     n == t88.len && memcmp (h, t88.value, n) == 0;
	free (f9);
	if (!ok) {
		fprintf (stderr, "opgp-client: the KDF-DO's initial values are not the derived PINs\n");
		return 1;
	}
	rv = opgp_verify (card, o, OPGP_PW1, (const uint8_t *)pw1, strlen (pw1), NULL);
	return rv == CARD_OK ? 0 : fail ("VERIFY with the derived PIN", rv);
}

/* r||s → DER ECDSA-Sig-Value into OUT (*len: size in, length out). */
static int
rs_to_der (const uint8_t *rs, size_t n, uint8_t *out, size_t *len)
{
	ECDSA_SIG *sig = ECDSA_SIG_new ();
	unsigned char *p = out;
	int dl = -1;

	if (sig != NULL && ECDSA_SIG_set0 (sig, BN_bin2bn (rs, (int)n / 2, NULL), BN_bin2bn (rs + n / 2, (int)n / 2, NULL)) == 1 &&
	    i2d_ECDSA_SIG (sig, NULL) <= (int)*len)
		dl = i2d_ECDSA_SIG (sig, &p);
	ECDSA_SIG_free (sig);
	if (dl <= 0)
		return 1;
	*len = (size_t)dl;
	return 0;
}

static int
cmd_sign (struct card *card, struct opgp *o, int auth, const char *pin, const char *in, const char *out)
{
	enum opgp_key key = auth ? OPGP_KEY_AUT : OPGP_KEY_SIG;
	const struct opgp_algo *algo = &o->ard.algo[key];
	uint8_t hash[32], data[83], sig[512], der[160], *msg;
	size_t mlen = 0, dlen = sizeof data, slen = sizeof sig, derlen = sizeof der;
	card_rv rv;

	msg = read_file (in, &mlen);
	if (msg == NULL || EVP_Digest (msg, mlen, hash, NULL, EVP_sha256 (), NULL) != 1) {
		free (msg);
		return fail (in, CARD_E_INVALID_DATA);
	}
	free (msg);
	if (algo->id == OPGP_ALGO_RSA) {
		rv = opgp_digest_info (NID_sha256, hash, sizeof hash, data, &dlen);
	} else {
		memcpy (data, hash, 32);   /* ECDSA: the hash; EdDSA: the hash as the message */
		dlen = 32;
		rv = CARD_OK;
	}
	if (rv == CARD_OK)
		rv = opgp_verify (card, o, auth ? OPGP_PW1 : OPGP_PW1_SIGN, (const uint8_t *)pin, strlen (pin), NULL);
	if (rv == CARD_OK)
		rv = auth ? opgp_internal_auth (card, o, data, dlen, sig, &slen) : opgp_sign (card, o, data, dlen, sig, &slen);
	if (rv != CARD_OK)
		return fail (auth ? "INTERNAL AUTHENTICATE" : "PSO:CDS", rv);
	if (algo->id == OPGP_ALGO_ECDSA) {
		if (rs_to_der (sig, slen, der, &derlen) != 0)
			return fail ("signature", CARD_E_BAD_RESPONSE);
		return write_file (out, der, derlen);
	}
	return write_file (out, sig, slen);
}

static int
cmd_ecdh (struct card *card, struct opgp *o, const char *pin, const char *peer, const char *out)
{
	uint8_t *der, pt[133], secret[66];
	const unsigned char *p;
	size_t len = 0, plen = sizeof pt, slen = sizeof secret;
	EVP_PKEY *pk;
	card_rv rv;

	der = read_file (peer, &len);
	p = der;
	pk = der != NULL ? d2i_PUBKEY (NULL, &p, (long)len) : NULL;
	free (der);
	if (pk == NULL)
		return fail (peer, CARD_E_INVALID_DATA);
	if (EVP_PKEY_is_a (pk, "X25519"))
		rv = EVP_PKEY_get_raw_public_key (pk, pt, &plen) == 1 ? CARD_OK : CARD_E_INVALID_DATA;
	else
		rv = EVP_PKEY_get_octet_string_param (pk, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, pt, sizeof pt, &plen) == 1
		     ? CARD_OK : CARD_E_INVALID_DATA;
	EVP_PKEY_free (pk);
	if (rv == CARD_OK)
		rv = opgp_verify (card, o, OPGP_PW1, (const uint8_t *)pin, strlen (pin), NULL);
	if (rv == CARD_OK)
		rv = opgp_ecdh (card, o, pt, plen, secret, &slen);
	if (rv != CARD_OK)
		return fail ("ECDH", rv);
	return write_file (out, secret, slen);
}

static int
cmd_pubkey (struct card *card, struct opgp *o, const char *slot, const char *out)
{
	uint8_t *spki = NULL;
	size_t len = 0;
	int key = atoi (slot) - 1, st;
	card_rv rv;

	if (key < 0 || key >= OPGP_NKEYS)
		return 2;
	rv = opgp_read_pubkey (card, o, (enum opgp_key)key, &spki, &len);
	if (rv != CARD_OK)
		return fail ("GENERATE P1=81", rv);
	st = write_file (out, spki, len);
	free (spki);
	return st;
}

static int
run (struct card *card, struct opgp *o, int argc, char **argv)
{
	const char *cmd = argv[2];

	if (strcmp (cmd, "fingerprints") == 0 && argc == 3)
		return cmd_fingerprints (card, o);
	if (strcmp (cmd, "kdf") == 0 && argc == 5)
		return cmd_kdf (card, o, argv[3], argv[4]);
	if (strcmp (cmd, "pubkey") == 0 && argc == 5)
		return cmd_pubkey (card, o, argv[3], argv[4]);
	if ((strcmp (cmd, "sign") == 0 || strcmp (cmd, "auth") == 0) && argc == 6)
		return cmd_sign (card, o, cmd[0] == 'a', argv[3], argv[4], argv[5]);
	if (strcmp (cmd, "ecdh") == 0 && argc == 6)
		return cmd_ecdh (card, o, argv[3], argv[4], argv[5]);
	return 2;
}

int
main (int argc, char **argv)
{
	struct card card;
	struct opgp o;
	card_rv rv;
	int st;

	if (argc < 3) {
		fputs ("usage: opgp-client READER fingerprints|kdf|pubkey|sign|auth|ecdh ARGS\n", stderr);
		return 2;
	}
	memset (&card, 0, sizeof card);
	card.reader = &reader_pcsc_ops;
	if (apdu_ossl_ref () != CARD_OK)
		return 1;
	if (reader_pcsc_ops.connect (argv[1], &card.conn) != READER_OK) {
		apdu_ossl_unref ();
		return fail (argv[1], CARD_E_REMOVED);
	}
	if (reader_pcsc_ops.begin (card.conn) != READER_OK) {
		st = fail ("transaction", CARD_E_COMM);
		goto out;
	}
	rv = opgp_open (&card, 1, &o);
	st = rv == CARD_OK ? run (&card, &o, argc, argv) : fail ("open", rv);
	if (st == 2)
		fputs ("opgp-client: bad command or arguments\n", stderr);
	reader_pcsc_ops.end (card.conn);
out:
	reader_pcsc_ops.disconnect (card.conn);
	apdu_ossl_unref ();
	return st;
}
