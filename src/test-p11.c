/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* src/test-p11.c: see test-p11.h. */
#include "config.h"

#include "src/test-p11.h"

#include <check.h>

CK_OBJECT_HANDLE
p11_find (CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE s, CK_OBJECT_CLASS klass, CK_BYTE id)
{
	CK_ATTRIBUTE t[] = { { CKA_CLASS, &klass, sizeof klass }, { CKA_ID, &id, 1 } };
	CK_OBJECT_HANDLE h[4] = { 0 };
	CK_ULONG n = 0;

	ck_assert_int_eq (f->C_FindObjectsInit (s, t, 2), CKR_OK);
	ck_assert_int_eq (f->C_FindObjects (s, h, 4, &n), CKR_OK);
	ck_assert_int_eq (f->C_FindObjectsFinal (s), CKR_OK);
	ck_assert_uint_le (n, 1);
	return n == 1 ? h[0] : 0;
}

CK_ULONG
p11_ulong (CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE s, CK_OBJECT_HANDLE h, CK_ATTRIBUTE_TYPE type)
{
	CK_ULONG v = 0;
	CK_ATTRIBUTE a = { type, &v, sizeof v };

	ck_assert_int_eq (f->C_GetAttributeValue (s, h, &a, 1), CKR_OK);
	ck_assert_uint_eq (a.ulValueLen, sizeof v);
	return v;
}

CK_BBOOL
p11_bool (CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE s, CK_OBJECT_HANDLE h, CK_ATTRIBUTE_TYPE type)
{
	CK_BBOOL b = 0xAA;
	CK_ATTRIBUTE a = { type, &b, sizeof b };

	ck_assert_int_eq (f->C_GetAttributeValue (s, h, &a, 1), CKR_OK);
	ck_assert_uint_eq (a.ulValueLen, sizeof b);
	return b;
}

void
mock_open_session (enum mock_profile profile, CK_FUNCTION_LIST_PTR *f, CK_SLOT_ID *slot, CK_SESSION_HANDLE *sess)
{
	CK_C_INITIALIZE_ARGS args = { NULL, NULL, NULL, NULL, CKF_LIBRARY_CANT_CREATE_OS_THREADS | CKF_OS_LOCKING_OK,
	                              NULL };
	CK_ULONG n = 1;

	tsr_set_backend (&mock_backend);
	mock_setup_profile (1, true, profile);
	ck_assert_int_eq (tsr_get_function_list (f), CKR_OK);
	ck_assert_int_eq ((*f)->C_Initialize (&args), CKR_OK);
	ck_assert_int_eq ((*f)->C_GetSlotList (CK_TRUE, slot, &n), CKR_OK);
	ck_assert_int_eq (n, 1);
	ck_assert_int_eq ((*f)->C_OpenSession (*slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, sess), CKR_OK);
}
