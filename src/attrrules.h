/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * src/attrrules.h: what a template may hold and change (attrrules.c), and the attributes
 * every object answers (attrdefaults.c).
 */
#ifndef TSR_ATTRRULES_H
#define TSR_ATTRRULES_H

#include "src/tsr.h"

/* Every value of TEMPL has the shape of its attribute (CK_BBOOL, CK_ULONG): else
 * CKR_ATTRIBUTE_VALUE_INVALID (logged); a NULL value with a length: CKR_ARGUMENTS_BAD. */
CK_RV tsr_templ_check (const CK_ATTRIBUTE *templ, CK_ULONG count);
/* The same for a template that makes an object (C_CreateObject, C_UnwrapKey, C_DeriveKey,
 * C_GenerateKeyPair): attributes only the module sets are CKR_ATTRIBUTE_READ_ONLY. */
CK_RV tsr_templ_check_new (const CK_ATTRIBUTE *templ, CK_ULONG count);
/* May session object OBJ take the value T (checked by tsr_templ_check) through
 * C_SetAttributeValue (COPY false) or C_CopyObject (COPY true)? CKR_ATTRIBUTE_READ_ONLY if not. */
CK_RV tsr_attr_change_check (const struct tsr_object *obj, const CK_ATTRIBUTE *t, bool copy);
/* Is LEN a length the value of a secret key of type KT may have? CKR_ATTRIBUTE_VALUE_INVALID. */
CK_RV tsr_secret_len_check (CK_KEY_TYPE kt, size_t len);
/* C_GenerateKeyPair's templates: shapes, then a key pair must be a token object (a card
 * holds no session keys): CKR_TEMPLATE_INCONSISTENT without CKA_TOKEN TRUE. */
CK_RV tsr_keypair_templates_check (const CK_ATTRIBUTE *pub, CK_ULONG npub, const CK_ATTRIBUTE *priv,
                                   CK_ULONG npriv);

/* Add to OBJ, with its class's default, every attribute PKCS #11 gives its class that it
 * lacks (attrdefaults.c): reading one never answers CKR_ATTRIBUTE_TYPE_INVALID. */
void tsr_object_complete (struct tsr_object *obj);

#endif /* TSR_ATTRRULES_H */
