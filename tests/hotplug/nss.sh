#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# tests/hotplug/nss.sh: NSS and card changes. A program that keeps the module loaded sees the
# card go and come back through SECMOD_WaitForAnyTokenEvent (tests/hotplug/nss-wait.c), and
# after a swap for another provisioned card, a new certutil process lists the new card's
# certificates and not the old one's.
. "$(dirname "$0")/../lib.sh"
[ -x "$TESSERA_BUILDDIR/tests/hotplug/nss-wait" ] || tap_skip_all "built without NSS (libnss3-dev)"
testbed --cards 1 --reader-name "Yubico YubiKey" -- sh -c '
	set -u
	T=$1
	C="$CARDSIM ctl $CARDSIM_CONTROL"
	n=0
	ok() { n=$((n + 1)); echo "ok $n - $*"; }
	no() { n=$((n + 1)); echo "not ok $n - $*"; }
	mkdir -p "$T/db" && certutil -N -d "sql:$T/db" --empty-password >/dev/null 2>&1
	# nss-wait'"'"'s own TAP lines, without its plan: they are the first tests here
	"$TESSERA_BUILDDIR/tests/hotplug/nss-wait" "sql:$T/db" >"$T/wait.tap" 2>&1
	grep -v "^1\.\." "$T/wait.tap"
	n=$(grep -c "^\(not \)\{0,1\}ok " "$T/wait.tap")
	modutil -dbdir "sql:$T/db" -add tessera -libfile "$TESSERA_MODULE" -force >/dev/null 2>&1
	sh "$TESSERA_SRCDIR/tests/provision.sh" "$T/a" "9a:RSA2048" >/dev/null 2>&1 && ok "card A provisioned" || no "card A provisioned"
	certutil -L -h all -d "sql:$T/db" >"$T/list-a" 2>&1
	a=$(sed -n "s/^\([^:]*#[0-9]*\):.*/\1/p" "$T/list-a" | head -n 1)
	[ -n "$a" ] && ok "certutil lists card A: $a" || { no "certutil lists card A"; sed "s/^/# /" "$T/list-a"; }
	$C swap "$T/b.state" >/dev/null
	i=0; while ! $C status | grep -qx "inserted powered"; do i=$((i + 1)); [ $i -lt 100 ] || break; sleep 0.1; done
	sh "$TESSERA_SRCDIR/tests/provision.sh" "$T/b" "9a:RSA2048" >/dev/null 2>&1 && ok "card B swapped in and provisioned" || no "card B swapped in and provisioned"
	certutil -L -h all -d "sql:$T/db" >"$T/list-b" 2>&1
	b=$(sed -n "s/^\([^:]*#[0-9]*\):.*/\1/p" "$T/list-b" | head -n 1)
	[ -n "$b" ] && [ "$b" != "$a" ] && ok "a new certutil lists card B: $b" || { no "a new certutil lists card B (got \"$b\", A was \"$a\")"; sed "s/^/# /" "$T/list-b"; }
	[ -n "$a" ] && ! grep -qF "$a:" "$T/list-b" && ok "card A is gone from the listing" || no "card A is gone from the listing"
	echo "1..$n"
' sh "$TAP_TMP"
