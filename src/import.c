/*
 * src/import.c: private keys imported into a card slot (C_CreateObject of a
 * CKO_PRIVATE_KEY with CKA_TOKEN TRUE).
 */
#include "config.h"

#include "src/provision.h"

CK_RV
tsr_import_key_inlock (struct tsr_session *s, const CK_ATTRIBUTE *templ, CK_ULONG count,
                       CK_OBJECT_HANDLE *handle)
{
	struct tsr_slot *slot = NULL;
	CK_RV rv;

	(void)templ;
	(void)count;
	(void)handle;
	rv = tsr_write_check_inlock (s, &slot);
	if (rv != CKR_OK)
		return rv;
	tsr_log ("p11", "private key import: the card driver has no import command here: not supported");
	return CKR_FUNCTION_NOT_SUPPORTED;
}
