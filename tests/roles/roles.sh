#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# tests/roles/roles.sh: tests/roles/test-roles against one simulated YubiKey in its
# factory state (PIN 123456, PUK 12345678, default management key).
# The TAP output is the Check program's.
. "$(dirname "$0")/../lib.sh"
testbed --cards 1 --reader-name "Yubico YubiKey" -- sh -c '
	TEST_DIR="$1" exec "$TESSERA_BUILDDIR/tests/roles/test-roles"
' sh "$TAP_TMP"
