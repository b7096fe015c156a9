#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""reader/test-vpcd-card.py: a minimal card for vsmartcard's vpcd, for reader/ tests.

Connects to vpcd at 127.0.0.1:PORT (connection open = card inserted, closed =
removed) and speaks its framing: 2-byte big-endian length + payload. A 1-byte
payload is a control code (0 power off, 1 power on, 2 reset, 4 get ATR);
anything else is a command APDU. Every APDU is answered with its own 4 header
bytes followed by 90 00, except INS 0xCA (GET DATA), answered with LE bytes
0x00, 0x01, ... then 90 00 (LE 0 means 256), so tests can check long responses.
Exits when vpcd closes the connection or on SIGTERM (= card removed).
"""
import argparse
import signal
import socket
import struct
import sys


def recv_exact(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def answer(apdu):
    if len(apdu) >= 5 and apdu[1] == 0xCA:
        le = apdu[-1] or 256
        return bytes(i & 0xFF for i in range(le)) + b"\x90\x00"
    return bytes(apdu[:4]) + b"\x90\x00"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--atr", default="3BF81300008131FE15597562696B657934D4")
    parser.add_argument("--verbose", action="store_true", help="trace on stderr")
    args = parser.parse_args()
    atr = bytes.fromhex(args.atr)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))

    sock = socket.create_connection(("127.0.0.1", args.port))
    while True:
        head = recv_exact(sock, 2)
        if head is None:
            return 0
        (length,) = struct.unpack(">H", head)
        payload = recv_exact(sock, length)
        if payload is None:
            return 0
        if args.verbose:
            print("vpcd-card: <", payload.hex(), file=sys.stderr, flush=True)
        if length == 1:
            if payload[0] == 4:
                out = atr
            else:
                continue  # power off / on / reset: nothing to answer
        else:
            out = answer(payload)
        sock.sendall(struct.pack(">H", len(out)) + out)


if __name__ == "__main__":
    sys.exit(main())
