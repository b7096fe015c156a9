#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# tests/provisioning/test-import.sh: tests/provisioning/test-import against one empty simulated
# YubiKey 5.4, with its own pairing store. The TAP output is the Check program's.
. "$(dirname "$0")/../lib.sh"
testbed --cards 1 -- sh -c '
	TESSERA_CACHE_DIR="$1/cache" exec "$TESSERA_BUILDDIR/tests/provisioning/test-import"
' sh "$TAP_TMP"
