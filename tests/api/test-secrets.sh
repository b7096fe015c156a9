#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# tests/api/test-secrets.sh: tests/api/test-secrets with TESSERA_DEBUG=all against one empty
# simulated YubiKey, and short APDUs only (--no-extended), so that long answers come in
# GET RESPONSE pieces; the TAP output is the Check program's.
. "$(dirname "$0")/../lib.sh"
testbed --cards 1 --card-args "--no-extended" -- sh -c '
	TESSERA_CACHE_DIR="$1/cache" TESSERA_DEBUG=all TESSERA_LOG="$1/log" \
		exec "$TESSERA_BUILDDIR/tests/api/test-secrets"
' sh "$TAP_TMP"
