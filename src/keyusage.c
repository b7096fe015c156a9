/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * src/keyusage.c: the usage a key was generated with, kept in its slot's alias (and so
 * in the pairing store) and applied to the slot's key objects in every later process:
 * the card signs, decrypts and derives with any slot, so what an application asked for
 * at generation is what the key is for, whatever the slot's default. The public and the
 * private key of the pair always agree (CKA_SIGN / CKA_VERIFY, CKA_DECRYPT and CKA_UNWRAP
 * / CKA_ENCRYPT and CKA_WRAP for RSA, CKA_DERIVE on both for EC).
 */
#include "config.h"

#include "src/provision.h"

void
tsr_alias_usage_set (struct tsr_alias *alias, int sign, int dec)
{
	alias->usage = 0;
	if (sign >= 0)
		alias->usage |= TSR_USAGE_SIGN_SET | (sign ? TSR_USAGE_SIGN : 0);
	if (dec >= 0)
		alias->usage |= TSR_USAGE_DEC_SET | (dec ? TSR_USAGE_DEC : 0);
}

void
tsr_alias_usage_apply (struct tsr_object *o, const struct tsr_alias *alias)
{
	bool sign = (alias->usage & TSR_USAGE_SIGN) != 0, dec = (alias->usage & TSR_USAGE_DEC) != 0;
	bool rsa = o->key_type == CKK_RSA, priv = o->klass == CKO_PRIVATE_KEY;

	if (o->klass != CKO_PRIVATE_KEY && o->klass != CKO_PUBLIC_KEY)
		return;
	if (alias->usage & TSR_USAGE_SIGN_SET)
		tsr_attr_set_bool (o, priv ? CKA_SIGN : CKA_VERIFY, sign);
	if (alias->usage & TSR_USAGE_DEC_SET) {
		tsr_attr_set_bool (o, priv ? CKA_DECRYPT : CKA_ENCRYPT, rsa && dec);
		tsr_attr_set_bool (o, priv ? CKA_UNWRAP : CKA_WRAP, rsa && dec);
		tsr_attr_set_bool (o, CKA_DERIVE, !rsa && dec);
	}
}
