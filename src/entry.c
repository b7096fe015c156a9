/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * src/entry.c: the module's exported entry points (only these are visible in
 * tessera-pkcs11.so, see src/Makefile.am): C_GetFunctionList (2.x), and
 * C_GetInterfaceList and C_GetInterface (3.0), which 3.0 applications look up
 * with dlsym. Each installs the real backend (PC/SC reader monitor and card
 * drivers) and hands out the function lists of module.c. Unit tests link the front end without this file and install a mock.
 */
#include "config.h"

#include "src/tsr.h"

extern const struct tsr_backend tsr_backend_real;

CK_RV
C_GetFunctionList (CK_FUNCTION_LIST_PTR_PTR ppFunctionList)
{
	if (tsr_backend == NULL)
		tsr_set_backend (&tsr_backend_real);
	return tsr_get_function_list (ppFunctionList);
}

CK_RV
C_GetInterface (CK_UTF8CHAR_PTR pInterfaceName, CK_VERSION_PTR pVersion,
                CK_INTERFACE_PTR_PTR ppInterface, CK_FLAGS flags)
{
	if (tsr_backend == NULL)
		tsr_set_backend (&tsr_backend_real);
	return tsr_get_interface (pInterfaceName, pVersion, ppInterface, flags);
}

CK_RV
C_GetInterfaceList (CK_INTERFACE_PTR pInterfacesList, CK_ULONG_PTR pulCount)
{
	if (tsr_backend == NULL)
		tsr_set_backend (&tsr_backend_real);
	return tsr_get_interface_list (pInterfacesList, pulCount);
}
