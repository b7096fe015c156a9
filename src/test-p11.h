/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * src/test-p11.h: PKCS #11 helpers the front end's unit tests share (Check assertions inside:
 * a failing call fails the test).
 */
#ifndef TSR_TEST_P11_H
#define TSR_TEST_P11_H

#include "src/tsr.h"
#include "src/test-mock.h"

/* The object of KLASS with CKA_ID ID in session S: its handle, 0 when there is none (more than
 * one fails the test). */
CK_OBJECT_HANDLE p11_find (CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE s, CK_OBJECT_CLASS klass, CK_BYTE id);
/* A CK_ULONG attribute of H. */
CK_ULONG p11_ulong (CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE s, CK_OBJECT_HANDLE h, CK_ATTRIBUTE_TYPE type);
/* A CK_BBOOL attribute of H as the module wrote it (one byte asserted). */
CK_BBOOL p11_bool (CK_FUNCTION_LIST_PTR f, CK_SESSION_HANDLE s, CK_OBJECT_HANDLE h, CK_ATTRIBUTE_TYPE type);

/* One reader with a card of PROFILE, the module initialized on the mock backend (no thread of
 * its own) and a R/W session open on the card's slot: *F, *SLOT, *SESS (Check assertions). */
void mock_open_session (enum mock_profile profile, CK_FUNCTION_LIST_PTR *f, CK_SLOT_ID *slot,
                        CK_SESSION_HANDLE *sess);

#endif /* TSR_TEST_P11_H */
