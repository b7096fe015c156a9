#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# tests/hotplug/hotplug.sh: tests/hotplug/test-hotplug in both thread modes (NSS's, and the
# module's monitor thread), with two simulated cards in the two readers of one vpcd; card 0
# is provisioned (RSA 2048 in 9a) so that signing survives removal and re-insertion.
# The TAP output is the program's.
. "$(dirname "$0")/../lib.sh"
export CARD_A_STATE="$TAP_TMP/a.state" CARD_B_STATE="$TAP_TMP/b.state"
testbed --cards 2 --reader-name "Yubico YubiKey" --state "$CARD_A_STATE" --state "$TAP_TMP/c.state" -- sh -c '
	PROVISION_READER=$(opensc-tool -l 2>/dev/null | sed -n "s/^[0-9][0-9]* *Yes *//p" | head -n 1)
	export PROVISION_READER
	sh "$TESSERA_SRCDIR/tests/provision.sh" "$1/card" "9a:RSA2048" >"$1/provision.log" 2>&1 ||
		{ echo "Bail out! provisioning failed"; sed "s/^/# /" "$1/provision.log"; exit 1; }
	exec "$TESSERA_BUILDDIR/tests/hotplug/test-hotplug" nss threads
' sh "$TAP_TMP"
