/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tools/doctor-setup.c: the checks of `tessera doctor` about where tessera is
 * registered (p11-kit, each Firefox and Thunderbird profile) and about other
 * modules (OpenSC's, typically) that offer the same card.
 */
#include "config.h"

#include "tools/doctor.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void
check_profile (struct checks *cs, const struct tool_profile *p, bool p11kit_ok)
{
	const char *app = tool_app_name (p->app), *flag = p->app == TOOL_APP_FIREFOX ? "firefox" : "thunderbird";
	struct tool_nss_module *mods = NULL;
	size_t n = 0, i;
	bool proxy = false;
	char fix[1024];

	if (!p->has_db || !tool_profile_modules (p, &mods, &n)) {
		snprintf (fix, sizeof fix, "Start %s once with this profile and close it, then run: tessera register --%s",
		          app, flag);
		check_add (cs, flag, V_WARN, fix, "%s profile \"%s\": no certificate database yet (%s)", app, p->name,
		           p->path);
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (tool_is_tessera_module (mods[i].library)) {
			if (mods[i].library[0] == '/' && access (mods[i].library, R_OK) != 0) {
				snprintf (fix, sizeof fix, "Close %s, then run: tessera register --%s --remove; tessera "
				          "register --%s", app, flag, flag);
				check_add (cs, flag, V_FAIL, fix, "%s profile \"%s\": tessera is registered as %s, which "
				           "does not exist", app, p->name, mods[i].library);
			} else {
				check_add (cs, flag, V_OK, NULL, "%s profile \"%s\": tessera registered (%s)", app, p->name,
				           mods[i].library);
			}
			goto out;
		}
		if (strstr (mods[i].library, "p11-kit-proxy") != NULL)
			proxy = true;
	}
	if (proxy && p11kit_ok) {
		check_add (cs, flag, V_OK, NULL, "%s profile \"%s\": tessera loaded through p11-kit-proxy", app, p->name);
		goto out;
	}
	snprintf (fix, sizeof fix, "Close %s, then run: tessera register --%s", app, flag);
	check_add (cs, flag, V_WARN, fix, "%s profile \"%s\": tessera is not registered: %s does not see the card",
	           app, p->name, app);
out:
	free (mods);
}

static void
check_other (struct checks *cs, const struct tool_other *o)
{
	char fix[2048];

	if (strcmp (o->where, "p11-kit") == 0)
		snprintf (fix, sizeof fix, "Applications that load every module p11-kit knows (GnuTLS, p11-kit-proxy.so "
		          "in Firefox) show the card twice and may ask for the PIN of the other module's token. If you do "
		          "not need %s for this card, keep p11-kit from loading it: put the line \"enable-in:\" (nothing "
		          "after it) in ~/.config/pkcs11/modules/%s.module for you, or in /etc/pkcs11/modules/%s.module "
		          "for everyone; \"disable-in: p11-kit-proxy\" keeps it out of the proxy only.", o->module,
		          o->module, o->module);
	else
		snprintf (fix, sizeof fix, "The application shows the card twice. Keep one module: with the application "
		          "closed, modutil -dbdir sql:PROFILE -delete \"%s\" (or in its settings: Privacy & Security, "
		          "Security Devices, Unload).", o->module);
	check_add (cs, "other-module", V_WARN, fix, "module \"%s\" (%s), registered in %s, also offers the card in "
	           "reader \"%s\"", o->module, o->library, o->where, o->reader);
}

void
doctor_check_setup (struct checks *cs, const struct tool_facts *facts, const struct tool_opts *opts)
{
	struct tool_profile *profiles = NULL;
	struct tool_other *others = NULL;
	size_t n = 0, n_others = 0, i;
	bool p11kit_ok = false, seen[3] = { false, false, false };
	char fix[1024];

	tool_profiles_find (TOOL_APP_FIREFOX | TOOL_APP_THUNDERBIRD, &profiles, &n);
	tool_modules_check (facts, profiles, n, &others, &n_others, &p11kit_ok);
	if (p11kit_ok) {
		check_add (cs, "p11-kit", V_OK, NULL, "tessera is registered with p11-kit");
	} else {
		snprintf (fix, sizeof fix, "Install the tessera-pkcs11 package, or copy tessera.module into %s "
		          "(make install does).", TOOL_P11KIT_MODULEDIR);
		check_add (cs, "p11-kit", V_WARN, fix, "tessera is not registered with p11-kit: applications that use "
		           "p11-kit (GnuTLS, p11tool, p11-kit-proxy.so) do not see the card");
	}
	for (i = 0; i < n; i++) {
		seen[profiles[i].app] = true;
		check_profile (cs, &profiles[i], p11kit_ok);
	}
	if (!seen[TOOL_APP_FIREFOX])
		check_add (cs, "firefox", V_OK, NULL, "no Firefox profile in ~/.mozilla/firefox");
	if (!seen[TOOL_APP_THUNDERBIRD])
		check_add (cs, "thunderbird", V_OK, NULL, "no Thunderbird profile in ~/.thunderbird");
	for (i = 0; i < n_others; i++)
		check_other (cs, &others[i]);
	(void)opts;
	free (others);
	free (profiles);
}
