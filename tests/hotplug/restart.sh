#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# tests/hotplug/restart.sh: the test bed's pcscd is killed and started again while an
# application keeps the module loaded (both thread modes): the card is reported gone, the
# module does not spin while pcscd is down, and lists the card again in its old slot.
# (Operations during the outage are tests/api's.)
. "$(dirname "$0")/../lib.sh"
testbed --cards 1 -- "$TESSERA_BUILDDIR/tests/hotplug/test-service" restart
