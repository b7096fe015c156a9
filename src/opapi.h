/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * src/opapi.h: helpers of the operation functions (opapi.c).
 */
#ifndef TSR_OPAPI_H
#define TSR_OPAPI_H

#include "src/tsr.h"

/* The session H and its active operation of KIND (CKR_OPERATION_NOT_INITIALIZED). */
CK_RV tsr_op_get_inlock (CK_SESSION_HANDLE h, enum tsr_op_kind kind, struct tsr_session **s,
                         struct tsr_op **op);
/* Whole API functions: *Init and *Update. */
CK_RV tsr_op_init_api (CK_SESSION_HANDLE h, enum tsr_op_kind kind, CK_MECHANISM_PTR mech,
                       CK_OBJECT_HANDLE key);
CK_RV tsr_op_update_api (CK_SESSION_HANDLE h, enum tsr_op_kind kind, CK_BYTE_PTR data, CK_ULONG len);
/* End the operation of KIND of session H, which a call failed with WHY; returns WHY (or
 * why there is no such operation). */
CK_RV tsr_op_abort_api (CK_SESSION_HANDLE h, enum tsr_op_kind kind, CK_RV why);
/* The *Update of a single-block operation (RSA encrypt / decrypt): the part is
 * collected, nothing comes out before *Final (*OUT_LEN = 0). */
CK_RV tsr_op_collect_api (CK_SESSION_HANDLE h, enum tsr_op_kind kind, CK_BYTE_PTR data, CK_ULONG len,
                          CK_ULONG_PTR out_len);
/* After a final call returned RV with output buffer OUT: does the operation go on?
 * (length query, or CKR_BUFFER_TOO_SMALL) */
bool tsr_op_keeps_going (CK_RV rv, const void *out);
/* The operation's input: the finished hash (into HASH, EVP_MAX_MD_SIZE) or the buffer. */
CK_RV tsr_op_input (struct tsr_op *op, uint8_t *hash, const uint8_t **data, size_t *len);
/* The common opening of a finishing call (C_Sign/C_SignFinal, C_Encrypt/C_EncryptFinal,
 * C_Decrypt/C_DecryptFinal): the session's operation of KIND, the arguments (OUT_LEN set; DATA
 * given for a single-part call unless DATA_LEN is 0) and the operation's key. *s, *op and *key
 * are borrowed. *keep is true when the operation must survive the failure (no such session or
 * operation); otherwise the caller ends the operation on failure. Expects the lock held. */
CK_RV tsr_op_finish_start_inlock (CK_SESSION_HANDLE h, enum tsr_op_kind kind, const void *data,
                                  CK_ULONG data_len, bool single, const CK_ULONG *out_len,
                                  struct tsr_session **s, struct tsr_op **op, struct tsr_object **key,
                                  bool *keep);
/* A single-part call (C_Sign, C_Digest, ...) after the operation's C_*Update: the spec's
 * CKR_OPERATION_ACTIVE (the caller ends the operation, as any failed final call does). */
CK_RV tsr_op_single_check (const struct tsr_op *op, bool single);
/* The operation's key object (NULL when it is gone or invisible now). Borrowed. */
struct tsr_object *tsr_op_key_inlock (struct tsr_session *s, struct tsr_op *op);

#endif /* TSR_OPAPI_H */
