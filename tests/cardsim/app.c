/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* app.c: one card, one or two applications (PIV, OpenPGP), each selected by its AID. Like a
 * YubiKey, selecting one application ends the other's security context: the PINs verified
 * there must be presented again after it is selected anew. */
#include "config.h"

#include "apdu.h"
#include "pgp.h"

#define INS_SELECT 0xA4

bool cs_profile_has_piv(enum cs_profile profile)
{
	return profile != CS_PROFILE_OPENPGP;
}

bool cs_profile_has_pgp(enum cs_profile profile)
{
	return profile == CS_PROFILE_OPENPGP || profile == CS_PROFILE_YUBIKEY_OPENPGP;
}

static bool is_select_by_name(const struct cs_apdu *a)
{
	return a->ins == INS_SELECT && a->p1 == 0x04;
}

uint16_t cs_card_dispatch(struct cs_card *c, const struct cs_apdu *a, struct cs_buf *out)
{
	uint16_t sw;

	/* A SELECT of another AID (or of another card's full OpenPGP AID) keeps the selection. */
	if (cs_profile_has_pgp(c->profile) && is_select_by_name(a) && cs_pgp_aid_matches(c, a)) {
		if (c->app != CS_APP_PGP) {
			c->selected = false; /* the PIV application is left */
			cs_pgp_power(c->pgp);
		}
		sw = cs_pgp_dispatch(c, a, out);
		if (c->pgp->selected)
			c->app = CS_APP_PGP;
		return sw;
	}
	if (c->app == CS_APP_PGP && a->ins != INS_SELECT)
		return cs_pgp_dispatch(c, a, out);
	if (!cs_profile_has_piv(c->profile))
		return a->ins == INS_SELECT ? SW_NOT_FOUND : SW_INS_NOT_SUPPORTED;
	sw = cs_piv_dispatch(c, a, out);
	if (c->selected && c->app != CS_APP_PIV) {
		/* The PIV application was selected: the OpenPGP one is left. */
		cs_pgp_power(c->pgp);
		c->app = CS_APP_PIV;
	}
	return sw;
}
