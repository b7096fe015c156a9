#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# tests/faults/fault-matrix-writes.sh: the fault matrix of the operations that write to the
# card (key generation, certificate write and delete, C_SetPIN, C_InitPIN): fault-matrix.sh.
exec "$(dirname "$0")/fault-matrix.sh" writes
