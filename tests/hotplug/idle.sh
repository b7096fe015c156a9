#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# tests/hotplug/idle.sh: an idle module with a card inserted sends no APDU and its monitor
# (the module's thread, or NSS's thread blocked in C_WaitForSlotEvent) does not wake up
# periodically: 10 s in each mode; the figures are printed as TAP comments.
. "$(dirname "$0")/../lib.sh"
testbed --cards 1 -- "$TESSERA_BUILDDIR/tests/hotplug/test-service" idle
