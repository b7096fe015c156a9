/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * src/ossl.c: the front end's use of the module's own OpenSSL library context.
 *
 * A PKCS #11 module must not depend on how its host application configured
 * OpenSSL (engines made default, providers, properties, OPENSSL_CONF): with
 * `openssl -engine pkcs11`, for instance, the application's default context
 * sends RSA and EC keys to an ENGINE that cannot import them. All software crypto
 * of the module therefore runs in one private OSSL_LIB_CTX with the default
 * provider loaded explicitly, owned by the lowest layer that needs it
 * (apdu/ossl.c: apdu_libctx). The front end holds a reference to it from
 * C_Initialize to C_Finalize (after every key is gone), and fetches the digests
 * from it once.
 */
#include "config.h"

#include "src/tsr.h"

#include "apdu/ossl.h"

enum { TSR_MD_SHA1, TSR_MD_SHA224, TSR_MD_SHA256, TSR_MD_SHA384, TSR_MD_SHA512, TSR_N_MD };

static bool tsr_libctx_ref;               /* written by init/free only */
static EVP_MD *tsr_mds[TSR_N_MD];         /* written by init/free only */

static const char *const tsr_md_names[TSR_N_MD] = { "SHA1", "SHA224", "SHA256", "SHA384", "SHA512" };

CK_RV
tsr_ossl_init (void)
{
	int i;

	if (apdu_ossl_ref () != CARD_OK) {
		tsr_log ("p11", "cannot create an OpenSSL library context with the default provider");
		return CKR_GENERAL_ERROR;
	}
	tsr_libctx_ref = true;
	for (i = 0; i < TSR_N_MD; i++) {
		tsr_mds[i] = EVP_MD_fetch (apdu_libctx (), tsr_md_names[i], NULL);
		if (tsr_mds[i] == NULL) {
			tsr_ossl_free ();
			return CKR_GENERAL_ERROR;
		}
	}
	return CKR_OK;
}

void
tsr_ossl_free (void)
{
	int i;

	for (i = 0; i < TSR_N_MD; i++) {
		EVP_MD_free (tsr_mds[i]);
		tsr_mds[i] = NULL;
	}
	if (tsr_libctx_ref)
		apdu_ossl_unref ();
	tsr_libctx_ref = false;
}

OSSL_LIB_CTX *
tsr_ossl (void)
{
	return apdu_libctx ();
}

const EVP_MD *
tsr_md_sha (int bits)
{
	switch (bits) {
	case 1: return tsr_mds[TSR_MD_SHA1];
	case 224: return tsr_mds[TSR_MD_SHA224];
	case 256: return tsr_mds[TSR_MD_SHA256];
	case 384: return tsr_mds[TSR_MD_SHA384];
	case 512: return tsr_mds[TSR_MD_SHA512];
	default: return NULL;
	}
}
