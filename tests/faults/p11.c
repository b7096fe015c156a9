/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tests/faults/p11.c: PKCS #11 helpers of the fault matrix (faults.h).
 */
#include "config.h"

#include "tests/faults/faults.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

CK_SLOT_ID
p11_slot (void)
{
	CK_SLOT_ID slots[8];
	int i;

	for (i = 0; i < 150; i++) {
		if (slot_list (CK_TRUE, slots) >= 1)
			return slots[0];
		usleep (100000);
	}
	return 0;
}

CK_SESSION_HANDLE
p11_session (CK_SLOT_ID slot)
{
	CK_SESSION_HANDLE s = 0;
	int i;

	for (i = 0; i < 150; i++) {
		if (token_present (slot) &&
		    f->C_OpenSession (slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &s) == CKR_OK)
			return s;
		usleep (100000);
	}
	return 0;
}

CK_OBJECT_HANDLE
p11_find (CK_SESSION_HANDLE s, CK_OBJECT_CLASS klass, CK_BYTE id)
{
	CK_ATTRIBUTE t[] = { { CKA_CLASS, &klass, sizeof klass }, { CKA_ID, &id, 1 } };
	CK_OBJECT_HANDLE h[2] = { 0, 0 };
	CK_ULONG n = 0;

	if (f->C_FindObjectsInit (s, t, 2) != CKR_OK)
		return 0;
	if (f->C_FindObjects (s, h, 2, &n) != CKR_OK)
		n = 0;
	(void)f->C_FindObjectsFinal (s);
	return n == 1 ? h[0] : 0;
}

size_t
p11_value (CK_SESSION_HANDLE s, CK_OBJECT_HANDLE h, unsigned char **der)
{
	CK_ATTRIBUTE a = { CKA_VALUE, NULL, 0 };

	*der = NULL;
	if (f->C_GetAttributeValue (s, h, &a, 1) != CKR_OK || a.ulValueLen == 0 ||
	    a.ulValueLen == CK_UNAVAILABLE_INFORMATION)
		return 0;
	a.pValue = *der = malloc (a.ulValueLen);
	if (*der == NULL || f->C_GetAttributeValue (s, h, &a, 1) != CKR_OK) {
		free (*der);
		*der = NULL;
		return 0;
	}
	return a.ulValueLen;
}

CK_RV
p11_sign (CK_SESSION_HANDLE s, CK_BYTE id, const char *pin, bool *verified)
{
	static const CK_BYTE data[] = "the fault matrix signs this";
	CK_OBJECT_HANDLE priv = p11_find (s, CKO_PRIVATE_KEY, id), pub = p11_find (s, CKO_PUBLIC_KEY, id);
	CK_KEY_TYPE kt = 0;
	CK_BBOOL always = CK_FALSE;
	CK_ATTRIBUTE a[] = { { CKA_KEY_TYPE, &kt, sizeof kt }, { CKA_ALWAYS_AUTHENTICATE, &always, 1 } };
	CK_MECHANISM m = { CKM_SHA256_RSA_PKCS, NULL, 0 };
	CK_BYTE sig[512];
	CK_ULONG len = sizeof sig;
	CK_RV rv;

	*verified = false;
	if (priv == 0)
		return CKR_KEY_HANDLE_INVALID;
	rv = f->C_GetAttributeValue (s, priv, a, 2);
	if (rv != CKR_OK)
		return rv;
	m.mechanism = kt == CKK_EC ? CKM_ECDSA_SHA256 : CKM_SHA256_RSA_PKCS;
	rv = f->C_SignInit (s, &m, priv);
	if (rv == CKR_OK && always)
		rv = f->C_Login (s, CKU_CONTEXT_SPECIFIC, (CK_UTF8CHAR_PTR)pin, (CK_ULONG)strlen (pin));
	if (rv != CKR_OK && always)   /* the operation stays after a failed login: end it */
		(void)f->C_Sign (s, (CK_BYTE_PTR)data, sizeof data - 1, sig, &len);
	if (rv == CKR_OK)
		rv = f->C_Sign (s, (CK_BYTE_PTR)data, sizeof data - 1, sig, &len);
	if (rv == CKR_OK && pub != 0 && f->C_VerifyInit (s, &m, pub) == CKR_OK)
		*verified = f->C_Verify (s, (CK_BYTE_PTR)data, sizeof data - 1, sig, len) == CKR_OK;
	return rv;
}

const char *
p11_rv_name (CK_RV rv)
{
	static const struct { CK_RV rv; const char *name; } names[] = {
		{ CKR_OK, "CKR_OK" }, { CKR_DEVICE_ERROR, "CKR_DEVICE_ERROR" },
		{ CKR_DEVICE_REMOVED, "CKR_DEVICE_REMOVED" }, { CKR_TOKEN_NOT_PRESENT, "CKR_TOKEN_NOT_PRESENT" },
		{ CKR_SESSION_HANDLE_INVALID, "CKR_SESSION_HANDLE_INVALID" },
		{ CKR_SESSION_CLOSED, "CKR_SESSION_CLOSED" }, { CKR_USER_NOT_LOGGED_IN, "CKR_USER_NOT_LOGGED_IN" },
		{ CKR_PIN_INCORRECT, "CKR_PIN_INCORRECT" }, { CKR_PIN_LOCKED, "CKR_PIN_LOCKED" },
		{ CKR_FUNCTION_FAILED, "CKR_FUNCTION_FAILED" }, { CKR_GENERAL_ERROR, "CKR_GENERAL_ERROR" },
		{ CKR_DEVICE_MEMORY, "CKR_DEVICE_MEMORY" }, { CKR_DATA_INVALID, "CKR_DATA_INVALID" },
		{ CKR_ENCRYPTED_DATA_INVALID, "CKR_ENCRYPTED_DATA_INVALID" },
		{ CKR_FUNCTION_NOT_SUPPORTED, "CKR_FUNCTION_NOT_SUPPORTED" },
		{ CKR_KEY_HANDLE_INVALID, "CKR_KEY_HANDLE_INVALID" }, { CKR_HOST_MEMORY, "CKR_HOST_MEMORY" },
		{ CKR_OPERATION_NOT_INITIALIZED, "CKR_OPERATION_NOT_INITIALIZED" },
		{ CKR_USER_ALREADY_LOGGED_IN, "CKR_USER_ALREADY_LOGGED_IN" },
		{ CKR_TEMPLATE_INCONSISTENT, "CKR_TEMPLATE_INCONSISTENT" },
		{ CKR_TOKEN_WRITE_PROTECTED, "CKR_TOKEN_WRITE_PROTECTED" },
	};
	static char other[32];
	size_t i;

	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (names[i].rv == rv)
			return names[i].name;
	}
	snprintf (other, sizeof other, "0x%lx", (unsigned long)rv);
	return other;
}
