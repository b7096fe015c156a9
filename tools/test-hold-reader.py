#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""tools/test-hold-reader.py READER-SUBSTRING: hold the card of a reader exclusively over PC/SC,
as GnuPG's scdaemon does by default, until stdin closes.

Prints "held READER" once connected (SCARD_SHARE_EXCLUSIVE), then waits for end of input and
disconnects. Exit 1 when no reader matches or the connection fails.
"""
import ctypes
import ctypes.util
import sys

SCARD_SCOPE_SYSTEM = 2
SCARD_SHARE_EXCLUSIVE = 1
SCARD_PROTOCOL_ANY = 3
SCARD_LEAVE_CARD = 0


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    lib = ctypes.CDLL(ctypes.util.find_library("pcsclite") or "libpcsclite.so.1")
    ctx = ctypes.c_long()
    if lib.SCardEstablishContext(SCARD_SCOPE_SYSTEM, None, None, ctypes.byref(ctx)) != 0:
        print("no PC/SC service", file=sys.stderr)
        return 1
    size = ctypes.c_ulong(0)
    lib.SCardListReaders(ctx, None, None, ctypes.byref(size))
    buf = ctypes.create_string_buffer(max(size.value, 1))
    lib.SCardListReaders(ctx, None, buf, ctypes.byref(size))
    names = [n for n in buf.raw[:size.value].split(b"\0") if n]
    card, proto = ctypes.c_long(), ctypes.c_ulong()
    for name in names:
        if sys.argv[1].encode() not in name:
            continue
        rv = lib.SCardConnect(ctx, name, SCARD_SHARE_EXCLUSIVE, SCARD_PROTOCOL_ANY,
                              ctypes.byref(card), ctypes.byref(proto))
        if rv != 0:
            print("SCardConnect failed: 0x%08X" % (rv & 0xFFFFFFFF), file=sys.stderr)
            return 1
        print("held", name.decode(), flush=True)
        sys.stdin.read()
        lib.SCardDisconnect(card, SCARD_LEAVE_CARD)
        return 0
    print("no reader matches %r: %r" % (sys.argv[1], names), file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
