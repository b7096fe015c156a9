#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# tests/clients/apdu-ops.py MODULE PIN: one process through PyKCS11, printing how many APDUs
# the simulated card received for each step ("step N" lines), counted with the simulator's
# `stats` control command between the steps. Runs inside tests/testbed (CARDSIM,
# CARDSIM_CONTROL). The card is the one tests/provision.sh makes (9A RSA-2048, 9C P-256 with
# PIN policy always, 9D RSA-2048, 9E P-256).
import os
import subprocess
import sys

import PyKCS11
from PyKCS11.LowLevel import CKA_ALWAYS_AUTHENTICATE

CONTROL = os.environ["CARDSIM_CONTROL"].split()[0]


def apdus():
    out = subprocess.run([os.environ["CARDSIM"], "ctl", CONTROL, "stats"], check=True,
                         capture_output=True, text=True).stdout.split()
    return int(out[out.index("apdus") + 1])


def step(name, fn):
    before = apdus()
    result = fn()
    print("%s %d" % (name, apdus() - before), flush=True)
    return result


lib = PyKCS11.PyKCS11Lib()
step("initialize", lambda: lib.load(sys.argv[1]))
slot = step("slot-list", lambda: lib.getSlotList(tokenPresent=True)[0])
step("token-info", lambda: lib.getTokenInfo(slot))
step("token-info-again", lambda: lib.getTokenInfo(slot))
session = step("open-session", lambda: lib.openSession(slot, PyKCS11.CKF_SERIAL_SESSION))
step("login", lambda: session.login(sys.argv[2]))


def key(key_id):
    return session.findObjects([(PyKCS11.CKA_CLASS, PyKCS11.CKO_PRIVATE_KEY),
                                (PyKCS11.CKA_ID, (key_id,))])[0]


rsa, sign, ec = key(1), key(2), key(4)
data = b"one APDU per signature" * 4
rsa_mech = PyKCS11.Mechanism(PyKCS11.CKM_SHA256_RSA_PKCS)
ec_mech = PyKCS11.Mechanism(PyKCS11.CKM_ECDSA_SHA256)
step("rsa-sign-first", lambda: session.sign(rsa, data, rsa_mech))
step("rsa-sign", lambda: session.sign(rsa, data, rsa_mech))
step("ecdsa-sign-first", lambda: session.sign(ec, data, ec_mech))
step("ecdsa-sign", lambda: session.sign(ec, data, ec_mech))
step("always-attribute", lambda: session.getAttributeValue(sign, [CKA_ALWAYS_AUTHENTICATE]))


def always_sign():
    # C_SignInit, C_Login(CKU_CONTEXT_SPECIFIC), C_Sign: the low-level calls PyKCS11 wraps
    mech = ec_mech.to_native()
    rv = session.lib.C_SignInit(session.session, mech, sign)
    assert rv == PyKCS11.CKR_OK, hex(rv)
    rv = session.lib.C_Login(session.session, PyKCS11.CKU_CONTEXT_SPECIFIC,
                             PyKCS11.ckbytelist(sys.argv[2]))
    assert rv == PyKCS11.CKR_OK, hex(rv)
    sig = PyKCS11.ckbytelist()
    for _ in range(2):   # the length, then the signature
        rv = session.lib.C_Sign(session.session, PyKCS11.ckbytelist(data), sig)
        assert rv == PyKCS11.CKR_OK, hex(rv)
    assert len(sig) == 64, len(sig)


step("always-sign-first", always_sign)
step("always-sign", always_sign)
step("logout", session.logout)
step("close", session.closeSession)
