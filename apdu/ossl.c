/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * apdu/ossl.c: the module's own OpenSSL library context (see ossl.h).
 */
#include "config.h"

#include "apdu/ossl.h"

#include <assert.h>
#include <pthread.h>

#include <openssl/crypto.h>
#include <openssl/provider.h>

#include "apdu/log.h"

static pthread_mutex_t ossl_mutex = PTHREAD_MUTEX_INITIALIZER;
static unsigned ossl_refs;              /* ossl_mutex */
static OSSL_LIB_CTX *ossl_ctx;          /* ossl_mutex; read by apdu_libctx under a reference */
static OSSL_PROVIDER *ossl_provider;    /* ossl_mutex */

static void
ossl_destroy (void)
{
	OSSL_PROVIDER_unload (ossl_provider);
	ossl_provider = NULL;
	OSSL_LIB_CTX_free (ossl_ctx);
	ossl_ctx = NULL;
}

card_rv
apdu_ossl_ref (void)
{
	card_rv rv = CARD_OK;

	pthread_mutex_lock (&ossl_mutex);
	if (ossl_refs == 0) {
		ossl_ctx = OSSL_LIB_CTX_new ();
		if (ossl_ctx != NULL)
			ossl_provider = OSSL_PROVIDER_load (ossl_ctx, "default");
		if (ossl_ctx == NULL || ossl_provider == NULL) {
			tsr_log ("card", "cannot create an OpenSSL library context with the default provider");
			ossl_destroy ();
			rv = CARD_E_INTERNAL;
			goto out;
		}
	}
	ossl_refs++;
out:
	pthread_mutex_unlock (&ossl_mutex);
	return rv;
}

void
apdu_ossl_unref (void)
{
	pthread_mutex_lock (&ossl_mutex);
	assert (ossl_refs > 0);
	if (ossl_refs > 0 && --ossl_refs == 0)
		ossl_destroy ();
	pthread_mutex_unlock (&ossl_mutex);
}

OSSL_LIB_CTX *
apdu_libctx (void)
{
	OSSL_LIB_CTX *ctx;

	pthread_mutex_lock (&ossl_mutex);
	ctx = ossl_ctx;
	pthread_mutex_unlock (&ossl_mutex);
	return ctx;
}
