#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""tests/interop/mgmkey.py: PIV management key checks with raw APDUs over PC/SC.

yubico-piv-tool 2.2.0 (Debian 12) authenticates with 3DES only, so the AES management keys of a
YubiKey 5.4+ are exercised here: mutual authentication (SP 800-73-4 GENERAL AUTHENTICATE, witness
and challenge) with a key of any algorithm, SET MANAGEMENT KEY (YubiKey INS FF), and an admin-only
PUT DATA that must be refused before authentication and accepted after it.

usage: mgmkey.py READER-SUBSTRING ALG KEYHEX [--set NEWALG NEWKEYHEX] [--check-admin]
  ALG: 3DES AES128 AES192 AES256. Exit 0 on success, 1 on a failed step (printed), 2 on usage.
"""
import ctypes
import ctypes.util
import os
import sys

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

try:
    from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
except ImportError:
    TripleDES = algorithms.TripleDES

ALGS = {"3DES": (0x03, 24), "AES128": (0x08, 16), "AES192": (0x0A, 24), "AES256": (0x0C, 32)}
PIV_AID = bytes.fromhex("A000000308")


class PCSC:
    SCARD_SCOPE_SYSTEM = 2
    SCARD_SHARE_SHARED = 2
    SCARD_PROTOCOL_T1 = 2
    SCARD_RESET_CARD = 1

    class IORequest(ctypes.Structure):
        _fields_ = [("dwProtocol", ctypes.c_ulong), ("cbPciLength", ctypes.c_ulong)]

    def __init__(self, want):
        lib = ctypes.CDLL(ctypes.util.find_library("pcsclite") or "libpcsclite.so.1")
        self.lib = lib
        self.ctx = ctypes.c_long()
        self.check(lib.SCardEstablishContext(self.SCARD_SCOPE_SYSTEM, None, None, ctypes.byref(self.ctx)),
                   "SCardEstablishContext")
        size = ctypes.c_ulong(0)
        self.check(lib.SCardListReaders(self.ctx, None, None, ctypes.byref(size)), "SCardListReaders")
        buf = ctypes.create_string_buffer(size.value)
        self.check(lib.SCardListReaders(self.ctx, None, buf, ctypes.byref(size)), "SCardListReaders")
        names = [n.decode() for n in buf.raw[:size.value].split(b"\0") if n]
        self.card = ctypes.c_long()
        proto = ctypes.c_ulong()
        for name in names:
            if want.lower() not in name.lower():
                continue
            rv = lib.SCardConnect(self.ctx, name.encode(), self.SCARD_SHARE_SHARED, self.SCARD_PROTOCOL_T1,
                                  ctypes.byref(self.card), ctypes.byref(proto))
            if rv == 0:
                self.pci = self.IORequest(self.SCARD_PROTOCOL_T1, ctypes.sizeof(self.IORequest))
                return
        raise SystemExit("no card in a reader matching %r (readers: %s)" % (want, names))

    @staticmethod
    def check(rv, what):
        if rv != 0:
            raise SystemExit("%s failed: 0x%08X" % (what, rv & 0xFFFFFFFF))

    def transmit(self, apdu):
        out = ctypes.create_string_buffer(65546)
        n = ctypes.c_ulong(len(out))
        self.check(self.lib.SCardTransmit(self.card, ctypes.byref(self.pci), apdu, len(apdu), None, out,
                                          ctypes.byref(n)), "SCardTransmit")
        data, sw = out.raw[:n.value - 2], int.from_bytes(out.raw[n.value - 2:n.value], "big")
        while sw >> 8 == 0x61:
            more, sw = self.transmit_raw(bytes([0, 0xC0, 0, 0, sw & 0xFF]))
            data += more
        print("  > %s\n  < %s %04X" % (apdu.hex().upper(), data.hex().upper(), sw))
        return data, sw

    def transmit_raw(self, apdu):
        out = ctypes.create_string_buffer(65546)
        n = ctypes.c_ulong(len(out))
        self.check(self.lib.SCardTransmit(self.card, ctypes.byref(self.pci), apdu, len(apdu), None, out,
                                          ctypes.byref(n)), "SCardTransmit")
        return out.raw[:n.value - 2], int.from_bytes(out.raw[n.value - 2:n.value], "big")


def apdu(ins, p1, p2, data=b"", le=None):
    a = bytes([0x00, ins, p1, p2])
    if data:
        a += bytes([len(data)]) + data
    if le is not None:
        a += bytes([le])
    return a


def tlv(tag, value):
    assert len(value) < 128
    return bytes([tag, len(value)]) + value


def cipher(alg, key):
    if alg == "3DES":
        return Cipher(TripleDES(key), modes.ECB())
    return Cipher(algorithms.AES(key), modes.ECB())


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def authenticate(card, alg, key):
    code, _ = ALGS[alg]
    block = 8 if alg == "3DES" else 16
    data, sw = card.transmit(apdu(0x87, code, 0x9B, tlv(0x7C, tlv(0x80, b""))))
    if sw != 0x9000:
        fail("GENERAL AUTHENTICATE (witness request, %s) answered %04X" % (alg, sw))
    if len(data) != 4 + block or data[0] != 0x7C or data[2] != 0x80 or data[3] != block:
        fail("witness answer is not 7C { 80 <%d bytes> }: %s" % (block, data.hex()))
    witness = cipher(alg, key).decryptor().update(data[4:4 + block])
    challenge = os.urandom(block)
    data, sw = card.transmit(apdu(0x87, code, 0x9B, tlv(0x7C, tlv(0x80, witness) + tlv(0x81, challenge))))
    if sw != 0x9000:
        fail("GENERAL AUTHENTICATE (witness + challenge, %s) answered %04X" % (alg, sw))
    expect = cipher(alg, key).encryptor().update(challenge)
    if data != tlv(0x7C, tlv(0x82, expect)):
        fail("card's response to the challenge is wrong: %s, expected 7C{82 %s}" % (data.hex(), expect.hex()))
    print("authenticated with %s" % alg)


def main(argv):
    if len(argv) < 4 or argv[2] not in ALGS:
        print(__doc__)
        return 2
    reader, alg, key = argv[1], argv[2], bytes.fromhex(argv[3])
    rest = argv[4:]
    card = PCSC(reader)
    _, sw = card.transmit(apdu(0xA4, 0x04, 0x00, PIV_AID))
    if sw != 0x9000:
        fail("SELECT PIV answered %04X" % sw)
    # An object only the card administrator may write (retired key 1's certificate, 5FC10D).
    obj = bytes.fromhex("5FC10D")
    content = tlv(0x53, tlv(0x70, os.urandom(16)) + tlv(0x71, b"\x00") + tlv(0xFE, b""))
    put = apdu(0xDB, 0x3F, 0xFF, tlv(0x5C, obj) + content)
    check_admin = "--check-admin" in rest
    if check_admin:
        _, sw = card.transmit(put)
        if sw != 0x6982:
            fail("PUT DATA before authentication answered %04X, expected 6982" % sw)
    authenticate(card, alg, key)
    if check_admin:
        _, sw = card.transmit(put)
        if sw != 0x9000:
            fail("PUT DATA after authentication answered %04X" % sw)
        data, sw = card.transmit(apdu(0xCB, 0x3F, 0xFF, tlv(0x5C, obj), 0))
        if sw != 0x9000 or data != content:
            fail("GET DATA of the object just written: %04X %s" % (sw, data.hex()))
        print("admin-only PUT DATA refused before, accepted after authentication")
    if "--set" in rest:
        i = rest.index("--set")
        new_alg, new_key = rest[i + 1], bytes.fromhex(rest[i + 2])
        code, length = ALGS[new_alg]
        if len(new_key) != length:
            print("new key must be %d bytes" % length)
            return 2
        _, sw = card.transmit(apdu(0xFF, 0xFF, 0xFF, bytes([code]) + tlv(0x9B, new_key)))
        if sw != 0x9000:
            fail("SET MANAGEMENT KEY (%s) answered %04X" % (new_alg, sw))
        print("management key set to %s" % new_alg)
    # Reset: the next user starts without this session's administrator rights.
    card.lib.SCardDisconnect(card.card, PCSC.SCARD_RESET_CARD)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
