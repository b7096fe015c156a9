#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# tests/hotplug/finalize.sh: C_Finalize wakes a thread blocked in C_WaitForSlotEvent and the
# application dlclose()s the module before joining that thread (what idle.sh does once),
# 200 times per thread mode: the thread returns CKR_CRYPTOKI_NOT_INITIALIZED and nothing crashes.
. "$(dirname "$0")/../lib.sh"
testbed --cards 1 -- "$TESSERA_BUILDDIR/tests/hotplug/test-service" finalize
