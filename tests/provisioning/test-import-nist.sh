#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# tests/provisioning/test-import-nist.sh: tests/provisioning/test-import against a PIV card
# without the YubiKey commands (cardsim --profile nist): import is CKR_FUNCTION_NOT_SUPPORTED.
. "$(dirname "$0")/../lib.sh"
testbed --cards 1 --card-args "--profile nist" -- sh -c '
	TESSERA_CACHE_DIR="$1/cache" TEST_IMPORT_CARD=nist exec "$TESSERA_BUILDDIR/tests/provisioning/test-import"
' sh "$TAP_TMP"
