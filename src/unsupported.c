/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * src/unsupported.c: the functions of the list that the card cannot do (or that
 * come with a later step). Each exists, checks
 * what it can (initialised, session, arguments) and then answers
 * CKR_FUNCTION_NOT_SUPPORTED (or the spec's specific code).
 */
#include "config.h"

#include "src/tsr.h"

/* The session must exist; then RV. */
static CK_RV
tsr_session_then (CK_SESSION_HANDLE h, bool args_ok, CK_RV rv_then)
{
	struct tsr_session *s;
	CK_RV rv;

	rv = tsr_enter ();
	if (rv != CKR_OK)
		return rv;
	rv = tsr_session_get_inlock (h, &s);
	if (rv != CKR_OK)
		goto out;
	rv = tsr_check (args_ok) ? rv_then : CKR_ARGUMENTS_BAD;
out:
	tsr_leave ();
	return rv;
}

#define NS CKR_FUNCTION_NOT_SUPPORTED

CK_RV
C_GetOperationState (CK_SESSION_HANDLE hSession, CK_BYTE_PTR pOperationState, CK_ULONG_PTR pulOperationStateLen)
{
	(void)pOperationState;
	return tsr_session_then (hSession, pulOperationStateLen != NULL, NS);
}

CK_RV
C_SetOperationState (CK_SESSION_HANDLE hSession, CK_BYTE_PTR pOperationState, CK_ULONG ulOperationStateLen,
                     CK_OBJECT_HANDLE hEncryptionKey, CK_OBJECT_HANDLE hAuthenticationKey)
{
	(void)hEncryptionKey;
	(void)hAuthenticationKey;
	return tsr_session_then (hSession, pOperationState != NULL || ulOperationStateLen == 0, NS);
}

CK_RV
C_SignRecoverInit (CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism, CK_OBJECT_HANDLE hKey)
{
	(void)hKey;
	return tsr_session_then (hSession, pMechanism != NULL, NS);
}

CK_RV
C_SignRecover (CK_SESSION_HANDLE hSession, CK_BYTE_PTR pData, CK_ULONG ulDataLen,
               CK_BYTE_PTR pSignature, CK_ULONG_PTR pulSignatureLen)
{
	(void)pSignature;
	return tsr_session_then (hSession, (pData != NULL || ulDataLen == 0) && pulSignatureLen != NULL, NS);
}

CK_RV
C_VerifyRecoverInit (CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism, CK_OBJECT_HANDLE hKey)
{
	(void)hKey;
	return tsr_session_then (hSession, pMechanism != NULL, NS);
}

CK_RV
C_VerifyRecover (CK_SESSION_HANDLE hSession, CK_BYTE_PTR pSignature, CK_ULONG ulSignatureLen,
                 CK_BYTE_PTR pData, CK_ULONG_PTR pulDataLen)
{
	(void)pData;
	return tsr_session_then (hSession, (pSignature != NULL || ulSignatureLen == 0) && pulDataLen != NULL, NS);
}

CK_RV
C_DigestEncryptUpdate (CK_SESSION_HANDLE hSession, CK_BYTE_PTR pPart, CK_ULONG ulPartLen,
                       CK_BYTE_PTR pEncryptedPart, CK_ULONG_PTR pulEncryptedPartLen)
{
	(void)pEncryptedPart;
	return tsr_session_then (hSession, (pPart != NULL || ulPartLen == 0) && pulEncryptedPartLen != NULL, NS);
}

CK_RV
C_DecryptDigestUpdate (CK_SESSION_HANDLE hSession, CK_BYTE_PTR pEncryptedPart, CK_ULONG ulEncryptedPartLen,
                       CK_BYTE_PTR pPart, CK_ULONG_PTR pulPartLen)
{
	(void)pPart;
	return tsr_session_then (hSession, (pEncryptedPart != NULL || ulEncryptedPartLen == 0) && pulPartLen != NULL, NS);
}

CK_RV
C_SignEncryptUpdate (CK_SESSION_HANDLE hSession, CK_BYTE_PTR pPart, CK_ULONG ulPartLen,
                     CK_BYTE_PTR pEncryptedPart, CK_ULONG_PTR pulEncryptedPartLen)
{
	(void)pEncryptedPart;
	return tsr_session_then (hSession, (pPart != NULL || ulPartLen == 0) && pulEncryptedPartLen != NULL, NS);
}

CK_RV
C_DecryptVerifyUpdate (CK_SESSION_HANDLE hSession, CK_BYTE_PTR pEncryptedPart, CK_ULONG ulEncryptedPartLen,
                       CK_BYTE_PTR pPart, CK_ULONG_PTR pulPartLen)
{
	(void)pPart;
	return tsr_session_then (hSession, (pEncryptedPart != NULL || ulEncryptedPartLen == 0) && pulPartLen != NULL, NS);
}

CK_RV
C_GenerateKey (CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism, CK_ATTRIBUTE_PTR pTemplate,
               CK_ULONG ulCount, CK_OBJECT_HANDLE_PTR phKey)
{
	return tsr_session_then (hSession, pMechanism != NULL && phKey != NULL && (pTemplate != NULL || ulCount == 0), NS);
}

CK_RV
C_WrapKey (CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism, CK_OBJECT_HANDLE hWrappingKey,
           CK_OBJECT_HANDLE hKey, CK_BYTE_PTR pWrappedKey, CK_ULONG_PTR pulWrappedKeyLen)
{
	(void)hWrappingKey;
	(void)hKey;
	(void)pWrappedKey;
	return tsr_session_then (hSession, pMechanism != NULL && pulWrappedKeyLen != NULL, NS);
}

CK_RV
C_GetFunctionStatus (CK_SESSION_HANDLE hSession)
{
	return tsr_session_then (hSession, true, CKR_FUNCTION_NOT_PARALLEL);
}

CK_RV
C_CancelFunction (CK_SESSION_HANDLE hSession)
{
	return tsr_session_then (hSession, true, CKR_FUNCTION_NOT_PARALLEL);
}

/* PKCS #11 3.0 message-based functions: no mechanism of a card has them. */

CK_RV
C_MessageEncryptInit (CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE k)
{
	(void)k;
	return tsr_session_then (h, m != NULL, NS);
}

CK_RV
C_EncryptMessage (CK_SESSION_HANDLE h, CK_VOID_PTR p, CK_ULONG pl, CK_BYTE_PTR ad, CK_ULONG adl,
                  CK_BYTE_PTR pt, CK_ULONG ptl, CK_BYTE_PTR ct, CK_ULONG_PTR ctl)
{
	(void)p; (void)pl; (void)ad; (void)adl; (void)pt; (void)ptl; (void)ct;
	return tsr_session_then (h, ctl != NULL, NS);
}

CK_RV
C_EncryptMessageBegin (CK_SESSION_HANDLE h, CK_VOID_PTR p, CK_ULONG pl, CK_BYTE_PTR ad, CK_ULONG adl)
{
	(void)p; (void)pl; (void)ad; (void)adl;
	return tsr_session_then (h, true, NS);
}

CK_RV
C_EncryptMessageNext (CK_SESSION_HANDLE h, CK_VOID_PTR p, CK_ULONG pl, CK_BYTE_PTR pt, CK_ULONG ptl,
                      CK_BYTE_PTR ct, CK_ULONG_PTR ctl, CK_FLAGS f)
{
	(void)p; (void)pl; (void)pt; (void)ptl; (void)ct; (void)f;
	return tsr_session_then (h, ctl != NULL, NS);
}

CK_RV
C_MessageEncryptFinal (CK_SESSION_HANDLE h)
{
	return tsr_session_then (h, true, NS);
}

CK_RV
C_MessageDecryptInit (CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE k)
{
	(void)k;
	return tsr_session_then (h, m != NULL, NS);
}

CK_RV
C_DecryptMessage (CK_SESSION_HANDLE h, CK_VOID_PTR p, CK_ULONG pl, CK_BYTE_PTR ad, CK_ULONG adl,
                  CK_BYTE_PTR ct, CK_ULONG ctl, CK_BYTE_PTR pt, CK_ULONG_PTR ptl)
{
	(void)p; (void)pl; (void)ad; (void)adl; (void)ct; (void)ctl; (void)pt;
	return tsr_session_then (h, ptl != NULL, NS);
}

CK_RV
C_DecryptMessageBegin (CK_SESSION_HANDLE h, CK_VOID_PTR p, CK_ULONG pl, CK_BYTE_PTR ad, CK_ULONG adl)
{
	(void)p; (void)pl; (void)ad; (void)adl;
	return tsr_session_then (h, true, NS);
}

CK_RV
C_DecryptMessageNext (CK_SESSION_HANDLE h, CK_VOID_PTR p, CK_ULONG pl, CK_BYTE_PTR ct, CK_ULONG ctl,
                      CK_BYTE_PTR pt, CK_ULONG_PTR ptl, CK_FLAGS f)
{
	(void)p; (void)pl; (void)ct; (void)ctl; (void)pt; (void)f;
	return tsr_session_then (h, ptl != NULL, NS);
}

CK_RV
C_MessageDecryptFinal (CK_SESSION_HANDLE h)
{
	return tsr_session_then (h, true, NS);
}

CK_RV
C_MessageSignInit (CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE k)
{
	(void)k;
	return tsr_session_then (h, m != NULL, NS);
}

CK_RV
C_SignMessage (CK_SESSION_HANDLE h, CK_VOID_PTR p, CK_ULONG pl, CK_BYTE_PTR d, CK_ULONG dl,
               CK_BYTE_PTR sig, CK_ULONG_PTR sigl)
{
	(void)p; (void)pl; (void)d; (void)dl; (void)sig;
	return tsr_session_then (h, sigl != NULL, NS);
}

CK_RV
C_SignMessageBegin (CK_SESSION_HANDLE h, CK_VOID_PTR p, CK_ULONG pl)
{
	(void)p; (void)pl;
	return tsr_session_then (h, true, NS);
}

CK_RV
C_SignMessageNext (CK_SESSION_HANDLE h, CK_VOID_PTR p, CK_ULONG pl, CK_BYTE_PTR d, CK_ULONG dl,
                   CK_BYTE_PTR sig, CK_ULONG_PTR sigl)
{
	(void)p; (void)pl; (void)d; (void)dl; (void)sig; (void)sigl;
	return tsr_session_then (h, true, NS);
}

CK_RV
C_MessageSignFinal (CK_SESSION_HANDLE h)
{
	return tsr_session_then (h, true, NS);
}

CK_RV
C_MessageVerifyInit (CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE k)
{
	(void)k;
	return tsr_session_then (h, m != NULL, NS);
}

CK_RV
C_VerifyMessage (CK_SESSION_HANDLE h, CK_VOID_PTR p, CK_ULONG pl, CK_BYTE_PTR d, CK_ULONG dl,
                 CK_BYTE_PTR sig, CK_ULONG sigl)
{
	(void)p; (void)pl; (void)d; (void)dl; (void)sig; (void)sigl;
	return tsr_session_then (h, true, NS);
}

CK_RV
C_VerifyMessageBegin (CK_SESSION_HANDLE h, CK_VOID_PTR p, CK_ULONG pl)
{
	(void)p; (void)pl;
	return tsr_session_then (h, true, NS);
}

CK_RV
C_VerifyMessageNext (CK_SESSION_HANDLE h, CK_VOID_PTR p, CK_ULONG pl, CK_BYTE_PTR d, CK_ULONG dl,
                     CK_BYTE_PTR sig, CK_ULONG sigl)
{
	(void)p; (void)pl; (void)d; (void)dl; (void)sig; (void)sigl;
	return tsr_session_then (h, true, NS);
}

CK_RV
C_MessageVerifyFinal (CK_SESSION_HANDLE h)
{
	return tsr_session_then (h, true, NS);
}
