/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fuzz/fuzz-templ.c: attribute templates at the PKCS #11 edge, through the function list,
 * on the front end with the unit tests' mock card (logged in): C_CreateObject,
 * C_FindObjectsInit, C_CopyObject, C_SetAttributeValue, C_GetAttributeValue, C_DeriveKey,
 * C_GenerateKeyPair. Input: a byte choosing the calls, then attributes: type (4 bytes,
 * big-endian, the first byte's low bits only, so that known types come up), a length byte
 * (0xFF: no value, a length of 0xFFFF), and the value.
 */
#include "config.h"

#include <string.h>

#include "src/test-mock.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t len);

#define MAX_ATTRS 16

static CK_FUNCTION_LIST_PTR f;
static CK_SLOT_ID slot;

static void
start (void)
{
	CK_C_INITIALIZE_ARGS args = { NULL, NULL, NULL, NULL, CKF_LIBRARY_CANT_CREATE_OS_THREADS | CKF_OS_LOCKING_OK, NULL };
	CK_ULONG n = 1;

	tsr_set_backend (&mock_backend);
	mock_keys_make ();
	mock_setup (1, true);
	if (tsr_get_function_list (&f) != CKR_OK || f->C_Initialize (&args) != CKR_OK ||
	    f->C_GetSlotList (CK_TRUE, &slot, &n) != CKR_OK || n != 1)
		__builtin_trap ();
}

/* The template in DATA into T (values point into DATA); the number of attributes. */
static CK_ULONG
parse (const uint8_t *data, size_t len, CK_ATTRIBUTE *t)
{
	CK_ULONG n = 0;
	size_t l;

	while (len >= 5 && n < MAX_ATTRS) {
		t[n].type = (CK_ATTRIBUTE_TYPE)((data[0] & 0x03) << 24 | data[1] << 16 | data[2] << 8 | data[3]);
		l = data[4];
		data += 5;
		len -= 5;
		if (l == 0xFF) {
			t[n].pValue = NULL;
			t[n].ulValueLen = 0xFFFF;
			n++;
			continue;
		}
		if (l > len)
			l = len;
		t[n].pValue = l > 0 ? (void *)data : NULL;
		t[n].ulValueLen = l;
		data += l;
		len -= l;
		n++;
	}
	return n;
}

static void
calls (CK_SESSION_HANDLE s, unsigned choice, CK_ATTRIBUTE *t, CK_ULONG n)
{
	CK_OBJECT_CLASS data_class = CKO_DATA;
	CK_ATTRIBUTE dt = { CKA_CLASS, &data_class, sizeof data_class };
	CK_OBJECT_HANDLE h = 0, copy = 0, found[4] = { 0, 0, 0, 0 };
	CK_ULONG count = 0;
	CK_BYTE point[65] = { 0x04 };
	CK_ECDH1_DERIVE_PARAMS params = { CKD_NULL, 0, NULL, sizeof point, point };
	CK_MECHANISM ecdh = { CKM_ECDH1_DERIVE, &params, sizeof params };
	CK_MECHANISM gen = { CKM_EC_KEY_PAIR_GEN, NULL, 0 };
	CK_BYTE buf[MAX_ATTRS][64];
	CK_ATTRIBUTE get[MAX_ATTRS];
	CK_ULONG i;

	if (choice & 1)
		(void)f->C_CreateObject (s, t, n, &h);
	if ((choice & 2) && f->C_FindObjectsInit (s, t, n) == CKR_OK) {
		(void)f->C_FindObjects (s, found, 4, &count);
		(void)f->C_FindObjectsFinal (s);
	}
	if ((choice & 4) && f->C_CreateObject (s, &dt, 1, &h) == CKR_OK) {
		(void)f->C_CopyObject (s, h, t, n, &copy);
		(void)f->C_SetAttributeValue (s, h, t, n);
	}
	if (choice & 8) {
		for (i = 0; i < n; i++) {
			get[i].type = t[i].type;
			get[i].pValue = (choice & 0x40) ? buf[i] : NULL;
			get[i].ulValueLen = t[i].ulValueLen < 64 ? t[i].ulValueLen : 64;
		}
		for (i = 0; i < count && i < 4; i++)
			(void)f->C_GetAttributeValue (s, found[i], get, n);
	}
	if (choice & 0x10)   /* the peer point is not on the curve: the template is checked first */
		(void)f->C_DeriveKey (s, &ecdh, found[0], t, n, &h);
	if (choice & 0x20)
		(void)f->C_GenerateKeyPair (s, &gen, t, n / 2, t + n / 2, n - n / 2, &h, &copy);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t len)
{
	CK_ATTRIBUTE t[MAX_ATTRS];
	CK_SESSION_HANDLE s = 0;
	CK_ULONG n;

	if (f == NULL)
		start ();
	if (len < 1)
		return 0;
	n = parse (data + 1, len - 1, t);
	if (f->C_OpenSession (slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &s) != CKR_OK)
		return 0;
	if (data[0] & 0x80)
		(void)f->C_Login (s, CKU_USER, (CK_UTF8CHAR_PTR)MOCK_PIN, 6);
	calls (s, data[0], t, n);
	(void)f->C_CloseSession (s);   /* its objects go with it */
	return 0;
}
