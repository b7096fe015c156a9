#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# tests/faults/fault-matrix.sh [reads|writes]: tests/faults/fault-matrix (matrix.c), the
# operations that read the card (default) or those that write to it, against one simulated
# YubiKey provisioned as a user's card (tests/provision.sh; an EC key for ECDH in 9D, an RSA
# key for decryption in 82), with its
# own pairing store and card_timeout = 5. The TAP output is the program's; its diagnostics
# give the figures (points, outcomes by CKR code).
. "$(dirname "$0")/../lib.sh"
[ "$(id -u)" = 0 ] || tap_skip_all "needs root (test bed)"
printf 'card_timeout = 5\n' >"$TAP_TMP/tessera.conf"
testbed --cards 1 -- sh -c '
	"$TESSERA_SRCDIR/tests/provision.sh" "$1/prov" "9a:RSA2048 9c:ECCP256 9d:ECCP256 9e:ECCP256 82:RSA2048" \
		>"$1/provision.log" 2>&1 || { sed "s/^/# /" "$1/provision.log"; exit 1; }
	TESSERA_CONF="$1/tessera.conf" TESSERA_CACHE_DIR="$1/cache" exec "$TESSERA_BUILDDIR/tests/faults/fault-matrix" "$1" "$2"
' sh "$TAP_TMP" "${1:-reads}"
