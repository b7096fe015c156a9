#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The PIV driver end to end through the PC/SC backend against the card simulator (TAP from Check).
. "$(dirname "$0")/../tests/lib.sh"
[ "$(id -u)" = 0 ] || tap_skip_all "needs root (test bed)"
exec "$TESTBED" --builddir "$TESSERA_BUILDDIR" --cards 1 -- "$TESSERA_BUILDDIR/apdu/test-piv-live"
