/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * src/pkcs11-3.h: the PKCS #11 3.0 definitions the front end needs on top of
 * <p11-kit/pkcs11.h> (p11-kit 0.24 ships the 2.40 header only).
 *
 * Every definition is guarded, so that a newer pkcs11.h that already has it
 * still compiles: constants by #ifndef, types and the 3.0 function list by
 * TSR_NEED_P11_3_TYPES (set when the header does not define CKF_INTERFACE_FORK_SAFE,
 * which every 3.0 header does).
 */
#ifndef TSR_PKCS11_3_H
#define TSR_PKCS11_3_H

#include <p11-kit/pkcs11.h>

#ifndef CKF_INTERFACE_FORK_SAFE
#define TSR_NEED_P11_3_TYPES 1
#define CKF_INTERFACE_FORK_SAFE 0x00000001UL
#endif

#ifndef CKO_PROFILE
#define CKO_PROFILE 0x00000009UL
#endif
#ifndef CKA_PROFILE_ID
#define CKA_PROFILE_ID 0x00000601UL
#endif
#ifndef CKP_INVALID_ID
#define CKP_INVALID_ID 0x00000000UL
#endif
#ifndef CKP_BASELINE_PROVIDER
#define CKP_BASELINE_PROVIDER 0x00000001UL
#endif
#ifndef CKP_AUTHENTICATION_TOKEN
#define CKP_AUTHENTICATION_TOKEN 0x00000003UL
#endif
#ifndef CKP_PUBLIC_CERTIFICATES_TOKEN
#define CKP_PUBLIC_CERTIFICATES_TOKEN 0x00000004UL
#endif
#ifndef CKA_UNIQUE_ID
#define CKA_UNIQUE_ID 0x00000004UL
#endif
#ifndef CKR_OPERATION_CANCEL_FAILED
#define CKR_OPERATION_CANCEL_FAILED 0x00000202UL
#endif
#ifndef CKF_MESSAGE_ENCRYPT
#define CKF_MESSAGE_ENCRYPT 0x00000002UL
#define CKF_MESSAGE_DECRYPT 0x00000004UL
#define CKF_MESSAGE_SIGN    0x00000008UL
#define CKF_MESSAGE_VERIFY  0x00000010UL
#endif
#ifndef CKF_FIND_OBJECTS
#define CKF_FIND_OBJECTS    0x00000040UL
#endif
/* Edwards and Montgomery curves (3.0 section 2.3.5 and 2.3.7): p11-kit 0.24 has the
 * Edwards names but no Montgomery ones and no CK_EDDSA_PARAMS. */
#ifndef CKK_EC_EDWARDS
#define CKK_EC_EDWARDS 0x00000040UL
#endif
#ifndef CKK_EC_MONTGOMERY
#define CKK_EC_MONTGOMERY 0x00000041UL
#endif
#ifndef CKM_EC_EDWARDS_KEY_PAIR_GEN
#define CKM_EC_EDWARDS_KEY_PAIR_GEN 0x00001055UL
#endif
#ifndef CKM_EC_MONTGOMERY_KEY_PAIR_GEN
#define CKM_EC_MONTGOMERY_KEY_PAIR_GEN 0x00001056UL
#endif
#ifndef CKM_EDDSA
#define CKM_EDDSA 0x00001057UL
#endif
#ifndef CKF_ENCRYPT
#error "pkcs11.h without CKF_ENCRYPT"
#endif

#ifdef TSR_NEED_P11_3_TYPES

typedef CK_ULONG CK_PROFILE_ID;

/* CKM_EDDSA's optional parameter: phFlag TRUE is Ed25519ph, context data Ed25519ctx. */
typedef struct CK_EDDSA_PARAMS {
	CK_BBOOL phFlag;
	CK_ULONG ulContextDataLen;
	CK_BYTE_PTR pContextData;
} CK_EDDSA_PARAMS;
typedef CK_EDDSA_PARAMS *CK_EDDSA_PARAMS_PTR;

typedef struct CK_INTERFACE {
	CK_CHAR *pInterfaceName;
	CK_VOID_PTR pFunctionList;
	CK_FLAGS flags;
} CK_INTERFACE;
typedef CK_INTERFACE *CK_INTERFACE_PTR;
typedef CK_INTERFACE_PTR *CK_INTERFACE_PTR_PTR;

typedef CK_RV (*CK_C_GetInterfaceList) (CK_INTERFACE_PTR pInterfacesList, CK_ULONG_PTR pulCount);
typedef CK_RV (*CK_C_GetInterface) (CK_UTF8CHAR_PTR pInterfaceName, CK_VERSION_PTR pVersion,
                                    CK_INTERFACE_PTR_PTR ppInterface, CK_FLAGS flags);
typedef CK_RV (*CK_C_LoginUser) (CK_SESSION_HANDLE hSession, CK_USER_TYPE userType,
                                 CK_UTF8CHAR_PTR pPin, CK_ULONG ulPinLen,
                                 CK_UTF8CHAR_PTR pUsername, CK_ULONG ulUsernameLen);
typedef CK_RV (*CK_C_SessionCancel) (CK_SESSION_HANDLE hSession, CK_FLAGS flags);
/* Message-based functions: init (mechanism + key), one-shot, begin, next, final. */
typedef CK_RV (*CK_C_MessageEncryptInit) (CK_SESSION_HANDLE, CK_MECHANISM_PTR, CK_OBJECT_HANDLE);
typedef CK_RV (*CK_C_EncryptMessage) (CK_SESSION_HANDLE, CK_VOID_PTR, CK_ULONG, CK_BYTE_PTR, CK_ULONG,
                                      CK_BYTE_PTR, CK_ULONG, CK_BYTE_PTR, CK_ULONG_PTR);
typedef CK_RV (*CK_C_EncryptMessageBegin) (CK_SESSION_HANDLE, CK_VOID_PTR, CK_ULONG, CK_BYTE_PTR, CK_ULONG);
typedef CK_RV (*CK_C_EncryptMessageNext) (CK_SESSION_HANDLE, CK_VOID_PTR, CK_ULONG, CK_BYTE_PTR, CK_ULONG,
                                          CK_BYTE_PTR, CK_ULONG_PTR, CK_FLAGS);
typedef CK_RV (*CK_C_MessageEncryptFinal) (CK_SESSION_HANDLE);
typedef CK_RV (*CK_C_MessageDecryptInit) (CK_SESSION_HANDLE, CK_MECHANISM_PTR, CK_OBJECT_HANDLE);
typedef CK_RV (*CK_C_DecryptMessage) (CK_SESSION_HANDLE, CK_VOID_PTR, CK_ULONG, CK_BYTE_PTR, CK_ULONG,
                                      CK_BYTE_PTR, CK_ULONG, CK_BYTE_PTR, CK_ULONG_PTR);
typedef CK_RV (*CK_C_DecryptMessageBegin) (CK_SESSION_HANDLE, CK_VOID_PTR, CK_ULONG, CK_BYTE_PTR, CK_ULONG);
typedef CK_RV (*CK_C_DecryptMessageNext) (CK_SESSION_HANDLE, CK_VOID_PTR, CK_ULONG, CK_BYTE_PTR, CK_ULONG,
                                          CK_BYTE_PTR, CK_ULONG_PTR, CK_FLAGS);
typedef CK_RV (*CK_C_MessageDecryptFinal) (CK_SESSION_HANDLE);
typedef CK_RV (*CK_C_MessageSignInit) (CK_SESSION_HANDLE, CK_MECHANISM_PTR, CK_OBJECT_HANDLE);
typedef CK_RV (*CK_C_SignMessage) (CK_SESSION_HANDLE, CK_VOID_PTR, CK_ULONG, CK_BYTE_PTR, CK_ULONG,
                                   CK_BYTE_PTR, CK_ULONG_PTR);
typedef CK_RV (*CK_C_SignMessageBegin) (CK_SESSION_HANDLE, CK_VOID_PTR, CK_ULONG);
typedef CK_RV (*CK_C_SignMessageNext) (CK_SESSION_HANDLE, CK_VOID_PTR, CK_ULONG, CK_BYTE_PTR, CK_ULONG,
                                       CK_BYTE_PTR, CK_ULONG_PTR);
typedef CK_RV (*CK_C_MessageSignFinal) (CK_SESSION_HANDLE);
typedef CK_RV (*CK_C_MessageVerifyInit) (CK_SESSION_HANDLE, CK_MECHANISM_PTR, CK_OBJECT_HANDLE);
typedef CK_RV (*CK_C_VerifyMessage) (CK_SESSION_HANDLE, CK_VOID_PTR, CK_ULONG, CK_BYTE_PTR, CK_ULONG,
                                     CK_BYTE_PTR, CK_ULONG);
typedef CK_RV (*CK_C_VerifyMessageBegin) (CK_SESSION_HANDLE, CK_VOID_PTR, CK_ULONG);
typedef CK_RV (*CK_C_VerifyMessageNext) (CK_SESSION_HANDLE, CK_VOID_PTR, CK_ULONG, CK_BYTE_PTR, CK_ULONG,
                                         CK_BYTE_PTR, CK_ULONG);
typedef CK_RV (*CK_C_MessageVerifyFinal) (CK_SESSION_HANDLE);

/* The 3.0 list: the 2.40 members in their order, then the 3.0 additions. */
typedef struct CK_FUNCTION_LIST_3_0 {
	CK_VERSION version;
	CK_C_Initialize C_Initialize;
	CK_C_Finalize C_Finalize;
	CK_C_GetInfo C_GetInfo;
	CK_C_GetFunctionList C_GetFunctionList;
	CK_C_GetSlotList C_GetSlotList;
	CK_C_GetSlotInfo C_GetSlotInfo;
	CK_C_GetTokenInfo C_GetTokenInfo;
	CK_C_GetMechanismList C_GetMechanismList;
	CK_C_GetMechanismInfo C_GetMechanismInfo;
	CK_C_InitToken C_InitToken;
	CK_C_InitPIN C_InitPIN;
	CK_C_SetPIN C_SetPIN;
	CK_C_OpenSession C_OpenSession;
	CK_C_CloseSession C_CloseSession;
	CK_C_CloseAllSessions C_CloseAllSessions;
	CK_C_GetSessionInfo C_GetSessionInfo;
	CK_C_GetOperationState C_GetOperationState;
	CK_C_SetOperationState C_SetOperationState;
	CK_C_Login C_Login;
	CK_C_Logout C_Logout;
	CK_C_CreateObject C_CreateObject;
	CK_C_CopyObject C_CopyObject;
	CK_C_DestroyObject C_DestroyObject;
	CK_C_GetObjectSize C_GetObjectSize;
	CK_C_GetAttributeValue C_GetAttributeValue;
	CK_C_SetAttributeValue C_SetAttributeValue;
	CK_C_FindObjectsInit C_FindObjectsInit;
	CK_C_FindObjects C_FindObjects;
	CK_C_FindObjectsFinal C_FindObjectsFinal;
	CK_C_EncryptInit C_EncryptInit;
	CK_C_Encrypt C_Encrypt;
	CK_C_EncryptUpdate C_EncryptUpdate;
	CK_C_EncryptFinal C_EncryptFinal;
	CK_C_DecryptInit C_DecryptInit;
	CK_C_Decrypt C_Decrypt;
	CK_C_DecryptUpdate C_DecryptUpdate;
	CK_C_DecryptFinal C_DecryptFinal;
	CK_C_DigestInit C_DigestInit;
	CK_C_Digest C_Digest;
	CK_C_DigestUpdate C_DigestUpdate;
	CK_C_DigestKey C_DigestKey;
	CK_C_DigestFinal C_DigestFinal;
	CK_C_SignInit C_SignInit;
	CK_C_Sign C_Sign;
	CK_C_SignUpdate C_SignUpdate;
	CK_C_SignFinal C_SignFinal;
	CK_C_SignRecoverInit C_SignRecoverInit;
	CK_C_SignRecover C_SignRecover;
	CK_C_VerifyInit C_VerifyInit;
	CK_C_Verify C_Verify;
	CK_C_VerifyUpdate C_VerifyUpdate;
	CK_C_VerifyFinal C_VerifyFinal;
	CK_C_VerifyRecoverInit C_VerifyRecoverInit;
	CK_C_VerifyRecover C_VerifyRecover;
	CK_C_DigestEncryptUpdate C_DigestEncryptUpdate;
	CK_C_DecryptDigestUpdate C_DecryptDigestUpdate;
	CK_C_SignEncryptUpdate C_SignEncryptUpdate;
	CK_C_DecryptVerifyUpdate C_DecryptVerifyUpdate;
	CK_C_GenerateKey C_GenerateKey;
	CK_C_GenerateKeyPair C_GenerateKeyPair;
	CK_C_WrapKey C_WrapKey;
	CK_C_UnwrapKey C_UnwrapKey;
	CK_C_DeriveKey C_DeriveKey;
	CK_C_SeedRandom C_SeedRandom;
	CK_C_GenerateRandom C_GenerateRandom;
	CK_C_GetFunctionStatus C_GetFunctionStatus;
	CK_C_CancelFunction C_CancelFunction;
	CK_C_WaitForSlotEvent C_WaitForSlotEvent;
	CK_C_GetInterfaceList C_GetInterfaceList;
	CK_C_GetInterface C_GetInterface;
	CK_C_LoginUser C_LoginUser;
	CK_C_SessionCancel C_SessionCancel;
	CK_C_MessageEncryptInit C_MessageEncryptInit;
	CK_C_EncryptMessage C_EncryptMessage;
	CK_C_EncryptMessageBegin C_EncryptMessageBegin;
	CK_C_EncryptMessageNext C_EncryptMessageNext;
	CK_C_MessageEncryptFinal C_MessageEncryptFinal;
	CK_C_MessageDecryptInit C_MessageDecryptInit;
	CK_C_DecryptMessage C_DecryptMessage;
	CK_C_DecryptMessageBegin C_DecryptMessageBegin;
	CK_C_DecryptMessageNext C_DecryptMessageNext;
	CK_C_MessageDecryptFinal C_MessageDecryptFinal;
	CK_C_MessageSignInit C_MessageSignInit;
	CK_C_SignMessage C_SignMessage;
	CK_C_SignMessageBegin C_SignMessageBegin;
	CK_C_SignMessageNext C_SignMessageNext;
	CK_C_MessageSignFinal C_MessageSignFinal;
	CK_C_MessageVerifyInit C_MessageVerifyInit;
	CK_C_VerifyMessage C_VerifyMessage;
	CK_C_VerifyMessageBegin C_VerifyMessageBegin;
	CK_C_VerifyMessageNext C_VerifyMessageNext;
	CK_C_MessageVerifyFinal C_MessageVerifyFinal;
} CK_FUNCTION_LIST_3_0;
typedef CK_FUNCTION_LIST_3_0 *CK_FUNCTION_LIST_3_0_PTR;
typedef CK_FUNCTION_LIST_3_0_PTR *CK_FUNCTION_LIST_3_0_PTR_PTR;

/* The 3.0 functions (declared so that the module can define them). */
CK_RV C_GetInterfaceList (CK_INTERFACE_PTR pInterfacesList, CK_ULONG_PTR pulCount);
CK_RV C_GetInterface (CK_UTF8CHAR_PTR pInterfaceName, CK_VERSION_PTR pVersion,
                      CK_INTERFACE_PTR_PTR ppInterface, CK_FLAGS flags);
CK_RV C_LoginUser (CK_SESSION_HANDLE hSession, CK_USER_TYPE userType, CK_UTF8CHAR_PTR pPin,
                   CK_ULONG ulPinLen, CK_UTF8CHAR_PTR pUsername, CK_ULONG ulUsernameLen);
CK_RV C_SessionCancel (CK_SESSION_HANDLE hSession, CK_FLAGS flags);
CK_RV C_MessageEncryptInit (CK_SESSION_HANDLE, CK_MECHANISM_PTR, CK_OBJECT_HANDLE);
CK_RV C_EncryptMessage (CK_SESSION_HANDLE, CK_VOID_PTR, CK_ULONG, CK_BYTE_PTR, CK_ULONG,
                        CK_BYTE_PTR, CK_ULONG, CK_BYTE_PTR, CK_ULONG_PTR);
CK_RV C_EncryptMessageBegin (CK_SESSION_HANDLE, CK_VOID_PTR, CK_ULONG, CK_BYTE_PTR, CK_ULONG);
CK_RV C_EncryptMessageNext (CK_SESSION_HANDLE, CK_VOID_PTR, CK_ULONG, CK_BYTE_PTR, CK_ULONG,
                            CK_BYTE_PTR, CK_ULONG_PTR, CK_FLAGS);
CK_RV C_MessageEncryptFinal (CK_SESSION_HANDLE);
CK_RV C_MessageDecryptInit (CK_SESSION_HANDLE, CK_MECHANISM_PTR, CK_OBJECT_HANDLE);
CK_RV C_DecryptMessage (CK_SESSION_HANDLE, CK_VOID_PTR, CK_ULONG, CK_BYTE_PTR, CK_ULONG,
                        CK_BYTE_PTR, CK_ULONG, CK_BYTE_PTR, CK_ULONG_PTR);
CK_RV C_DecryptMessageBegin (CK_SESSION_HANDLE, CK_VOID_PTR, CK_ULONG, CK_BYTE_PTR, CK_ULONG);
CK_RV C_DecryptMessageNext (CK_SESSION_HANDLE, CK_VOID_PTR, CK_ULONG, CK_BYTE_PTR, CK_ULONG,
                            CK_BYTE_PTR, CK_ULONG_PTR, CK_FLAGS);
CK_RV C_MessageDecryptFinal (CK_SESSION_HANDLE);
CK_RV C_MessageSignInit (CK_SESSION_HANDLE, CK_MECHANISM_PTR, CK_OBJECT_HANDLE);
CK_RV C_SignMessage (CK_SESSION_HANDLE, CK_VOID_PTR, CK_ULONG, CK_BYTE_PTR, CK_ULONG,
                     CK_BYTE_PTR, CK_ULONG_PTR);
CK_RV C_SignMessageBegin (CK_SESSION_HANDLE, CK_VOID_PTR, CK_ULONG);
CK_RV C_SignMessageNext (CK_SESSION_HANDLE, CK_VOID_PTR, CK_ULONG, CK_BYTE_PTR, CK_ULONG,
                         CK_BYTE_PTR, CK_ULONG_PTR);
CK_RV C_MessageSignFinal (CK_SESSION_HANDLE);
CK_RV C_MessageVerifyInit (CK_SESSION_HANDLE, CK_MECHANISM_PTR, CK_OBJECT_HANDLE);
CK_RV C_VerifyMessage (CK_SESSION_HANDLE, CK_VOID_PTR, CK_ULONG, CK_BYTE_PTR, CK_ULONG,
                       CK_BYTE_PTR, CK_ULONG);
CK_RV C_VerifyMessageBegin (CK_SESSION_HANDLE, CK_VOID_PTR, CK_ULONG);
CK_RV C_VerifyMessageNext (CK_SESSION_HANDLE, CK_VOID_PTR, CK_ULONG, CK_BYTE_PTR, CK_ULONG,
                           CK_BYTE_PTR, CK_ULONG);
CK_RV C_MessageVerifyFinal (CK_SESSION_HANDLE);

#endif /* TSR_NEED_P11_3_TYPES */

#endif /* TSR_PKCS11_3_H */
