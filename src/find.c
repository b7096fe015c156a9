/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * src/find.c: C_FindObjectsInit / C_FindObjects / C_FindObjectsFinal over the
 * cached objects (no APDU). The matching handles are collected at init: any
 * combination of attributes, compared byte for byte (NSS looks up by label, by
 * issuer + serial, by DER value, by subject, by class, by CKA_ID, and lists all
 * token objects). Secret attribute values never match.
 */
#include "config.h"

#include "src/tsr.h"

#include <stdlib.h>

struct tsr_find {
	CK_OBJECT_HANDLE *handles;   /* owned */
	size_t n, pos;
};

void
tsr_find_free (struct tsr_find *find)
{
	if (find == NULL)
		return;
	free (find->handles);
	free (find);
}

CK_RV
C_FindObjectsInit (CK_SESSION_HANDLE hSession, CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount)
{
	struct tsr_session *s;
	struct tsr_find *find = NULL;
	size_t i;
	CK_RV rv;

	rv = tsr_enter ();
	if (rv != CKR_OK)
		return rv;
	rv = tsr_session_token_inlock (hSession, &s, NULL, NULL);
	if (rv != CKR_OK)
		goto out;
	if (!tsr_check (pTemplate != NULL || ulCount == 0)) {
		rv = CKR_ARGUMENTS_BAD;
		goto out;
	}
	for (i = 0; i < ulCount; i++) {
		if (!tsr_check (pTemplate[i].pValue != NULL || pTemplate[i].ulValueLen == 0)) {
			rv = CKR_ARGUMENTS_BAD;
			goto out;
		}
	}
	if (s->find != NULL) {
		rv = CKR_OPERATION_ACTIVE;
		goto out;
	}
	find = calloc (1, sizeof *find);
	if (find == NULL || (tsr.n_objects > 0 &&
	                     (find->handles = calloc (tsr.n_objects, sizeof *find->handles)) == NULL)) {
		rv = CKR_HOST_MEMORY;
		goto out;
	}
	for (i = 0; i < tsr.n_objects; i++) {
		const struct tsr_object *obj = tsr.objects[i];
		if (tsr_object_visible_inlock (s, obj) && tsr_object_matches (obj, pTemplate, ulCount))
			find->handles[find->n++] = obj->handle;
	}
	s->find = find;
	find = NULL;
out:
	tsr_find_free (find);
	tsr_leave ();
	return rv;
}

CK_RV
C_FindObjects (CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE_PTR phObject, CK_ULONG ulMaxObjectCount,
               CK_ULONG_PTR pulObjectCount)
{
	struct tsr_session *s;
	CK_ULONG n = 0;
	CK_RV rv;

	rv = tsr_enter ();
	if (rv != CKR_OK)
		return rv;
	rv = tsr_session_get_inlock (hSession, &s);
	if (rv != CKR_OK)
		goto out;
	if (!tsr_check (phObject != NULL && pulObjectCount != NULL)) {
		rv = CKR_ARGUMENTS_BAD;
		goto out;
	}
	if (s->find == NULL) {
		rv = CKR_OPERATION_NOT_INITIALIZED;
		goto out;
	}
	while (n < ulMaxObjectCount && s->find->pos < s->find->n)
		phObject[n++] = s->find->handles[s->find->pos++];
	*pulObjectCount = n;
out:
	tsr_leave ();
	return rv;
}

CK_RV
C_FindObjectsFinal (CK_SESSION_HANDLE hSession)
{
	struct tsr_session *s;
	CK_RV rv;

	rv = tsr_enter ();
	if (rv != CKR_OK)
		return rv;
	rv = tsr_session_get_inlock (hSession, &s);
	if (rv != CKR_OK)
		goto out;
	if (s->find == NULL) {
		rv = CKR_OPERATION_NOT_INITIALIZED;
		goto out;
	}
	tsr_find_free (s->find);
	s->find = NULL;
out:
	tsr_leave ();
	return rv;
}
