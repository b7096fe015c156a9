#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# tests/faults/mute.sh: tests/faults/test-mute against one simulated card that falls silent,
# with card_timeout = 2 (tessera.conf) and keys on the card (tests/provision.sh).
. "$(dirname "$0")/../lib.sh"
[ "$(id -u)" = 0 ] || tap_skip_all "needs root (test bed)"
printf 'card_timeout = 2\n' >"$TAP_TMP/tessera.conf"
testbed --cards 1 -- sh -c '
	"$TESSERA_SRCDIR/tests/provision.sh" "$1/prov" >"$1/provision.log" 2>&1 || { cat "$1/provision.log"; exit 1; }
	TESSERA_CONF="$1/tessera.conf" TESSERA_CACHE_DIR="$1/cache" exec "$TESSERA_BUILDDIR/tests/faults/test-mute"
' sh "$TAP_TMP"
