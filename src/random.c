/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * src/random.c: C_GenerateRandom (no login needed: OpenSSL's DRBG, seeded by the
 * operating system) and C_SeedRandom (not supported: the generator needs no
 * help from the application, and NSS accepts the refusal).
 */
#include "config.h"

#include "src/tsr.h"

#include <openssl/rand.h>

CK_RV
C_SeedRandom (CK_SESSION_HANDLE hSession, CK_BYTE_PTR pSeed, CK_ULONG ulSeedLen)
{
	struct tsr_session *s;
	CK_RV rv;

	rv = tsr_enter ();
	if (rv != CKR_OK)
		return rv;
	rv = tsr_session_get_inlock (hSession, &s);
	if (rv != CKR_OK)
		goto out;
	if (!tsr_check (pSeed != NULL || ulSeedLen == 0)) {
		rv = CKR_ARGUMENTS_BAD;
		goto out;
	}
	rv = CKR_RANDOM_SEED_NOT_SUPPORTED;
out:
	tsr_leave ();
	return rv;
}

CK_RV
C_GenerateRandom (CK_SESSION_HANDLE hSession, CK_BYTE_PTR RandomData, CK_ULONG ulRandomLen)
{
	struct tsr_session *s;
	CK_RV rv;

	rv = tsr_enter ();
	if (rv != CKR_OK)
		return rv;
	rv = tsr_session_get_inlock (hSession, &s);
	if (rv != CKR_OK)
		goto out;
	if (!tsr_check (RandomData != NULL || ulRandomLen == 0)) {
		rv = CKR_ARGUMENTS_BAD;
		goto out;
	}
	if (ulRandomLen > 0 && RAND_bytes_ex (tsr_ossl (), RandomData, ulRandomLen, 0) != 1)
		rv = CKR_FUNCTION_FAILED;
out:
	tsr_leave ();
	return rv;
}
