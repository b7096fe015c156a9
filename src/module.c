/*
 * tessera-pkcs11.so entry points.
 *
 * Only C_GetFunctionList and C_GetInterface are exported (see src/Makefile.am).
 * Build-system skeleton: the front end (slots, sessions, objects, mechanisms)
 * fills the function list in its own files.
 */
#include "config.h"

#include <p11-kit/pkcs11.h>

CK_RV C_GetFunctionList (CK_FUNCTION_LIST_PTR_PTR list);
CK_RV C_GetInterface (CK_UTF8CHAR_PTR name, CK_VERSION_PTR version, void **iface, CK_FLAGS flags);

static CK_FUNCTION_LIST tsr_function_list = {
	.version = { CRYPTOKI_VERSION_MAJOR, CRYPTOKI_VERSION_MINOR },
};

CK_RV
C_GetFunctionList (CK_FUNCTION_LIST_PTR_PTR list)
{
	if (list == NULL)
		return CKR_ARGUMENTS_BAD;
	*list = &tsr_function_list;
	return CKR_OK;
}

CK_RV
C_GetInterface (CK_UTF8CHAR_PTR name, CK_VERSION_PTR version, void **iface, CK_FLAGS flags)
{
	(void)name;
	(void)version;
	(void)flags;
	if (iface == NULL)
		return CKR_ARGUMENTS_BAD;
	return CKR_FUNCTION_NOT_SUPPORTED;
}
