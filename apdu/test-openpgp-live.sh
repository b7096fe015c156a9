#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The OpenPGP library end to end through the PC/SC backend against the card simulator: an
# OpenPGP card, then a YubiKey with PIV and OpenPGP side by side (Check's TAP, renumbered).
: "${TESSERA_SRCDIR:=$(cd "$(dirname "$0")/.." && pwd)}"
. "$TESSERA_SRCDIR/tests/interop/common.sh"
interop_require
for profile in openpgp yubikey+openpgp; do
	echo "# profile $profile"
	interop_testbed --cards 1 --card-args "--profile $profile" -- "$TESSERA_BUILDDIR/apdu/test-openpgp-live"
done
tap_done
