#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""tests/ccid/qemu-host.py: the host side of qemu.sh: one QEMU guest with an emulated USB CCID
reader (usb-ccid + ccid-card-passthru) whose card is the card simulator over the VSCard socket.

Reads the guest's console (serial on stdio) and prints TAP: "@@OK/@@FAIL" lines of the guest,
signatures checked with openssl against the provisioned public keys, the decryption against the
secret, pkcs11-tool's listings; answers "@@CMD c" by driving the simulator's control socket and
sending a line back on the console. Prints the time the VM ran.

  qemu-host.py WORKDIR KERNEL INITRD CARDSIM STATE ATR CERTDIR SECRET
"""
import binascii
import os
import select
import socket
import subprocess
import sys
import time

VM_TIMEOUT = 240


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def ok(self, cond, what):
        self.n += 1
        if not cond:
            self.failed += 1
        print('%sok %d - %s' % ('' if cond else 'not ', self.n, what), flush=True)

    def diag(self, text):
        for line in text.splitlines():
            print('# ' + line, flush=True)


def ctl(path, command):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(10)
    s.connect(path)
    s.sendall(command.encode() + b'\n')
    answer = b''
    while not answer.endswith(b'\n'):
        chunk = s.recv(256)
        if not chunk:
            break
        answer += chunk
    s.close()
    return answer.decode().strip()


def wait_for_text(path, text, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if text in open(path, errors='replace').read():
                return True
        except OSError:
            pass
        time.sleep(0.05)
    return False


def openssl_verify(pub, data, sig, work, name):
    d, s = os.path.join(work, name + '.data'), os.path.join(work, name + '.sig')
    open(d, 'wb').write(data)
    open(s, 'wb').write(sig)
    r = subprocess.run(['openssl', 'dgst', '-sha256', '-verify', pub, '-signature', s, d],
                       capture_output=True, text=True)
    return r.returncode == 0, (r.stdout + r.stderr).strip()


def der_int(b):
    b = b.lstrip(b'\0') or b'\0'
    if b[0] & 0x80:
        b = b'\0' + b
    return b'\x02' + bytes([len(b)]) + b


def ecdsa_der(raw):
    half = len(raw) // 2
    body = der_int(raw[:half]) + der_int(raw[half:])
    return b'\x30' + bytes([len(body)]) + body


def main():
    work, kernel, initrd, cardsim, state, atr, certs, secret = sys.argv[1:9]
    data = b'tessera signs in a QEMU guest over USB CCID'
    tap = Tap()
    vsc, ctl_path, simlog = (os.path.join(work, n) for n in ('vsc.sock', 'ctl.sock', 'cardsim.log'))
    sim = subprocess.Popen([cardsim, '--vscard', vsc, '--state', state, '--atr', atr,
                            '--control', ctl_path, '--log', simlog])
    qemu = ['timeout', '--kill-after=5', str(VM_TIMEOUT), 'qemu-system-x86_64',
            '-accel', 'tcg', '-smp', '1', '-m', '512', '-display', 'none', '-monitor', 'none',
            '-no-reboot', '-serial', 'stdio', '-kernel', kernel, '-initrd', initrd,
            '-append', 'console=ttyS0 rdinit=/init panic=-1 quiet loglevel=3',
            '-device', 'qemu-xhci,id=xhci', '-device', 'usb-ccid,bus=xhci.0,id=ccid',
            '-chardev', 'socket,id=vsc,path=%s,server=on,wait=off' % vsc,
            '-device', 'ccid-card-passthru,chardev=vsc']
    start = time.monotonic()
    vm = subprocess.Popen(qemu, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                          stderr=open(os.path.join(work, 'qemu.err'), 'w'))
    console = open(os.path.join(work, 'console.log'), 'w')
    first = None
    done = False
    block = None
    buf = b''
    counts = {'SIG9A': 0, 'SIG9C': 0, 'DEC': 0}
    while True:
        r, _, _ = select.select([vm.stdout], [], [], 5)
        if not r:
            if vm.poll() is not None:
                break
            continue
        chunk = os.read(vm.stdout.fileno(), 65536)
        if not chunk:
            break
        buf += chunk
        while b'\n' in buf:
            raw, buf = buf.split(b'\n', 1)
            line = raw.decode(errors='replace').rstrip('\r')
            console.write(line + '\n')
            console.flush()
            if '@@' not in line:
                if block is not None:
                    block.append(line)
                continue
            line = line[line.index('@@'):]
            if first is None:
                first = time.monotonic() - start
            tag, _, rest = line[2:].partition(' ')
            if tag == 'OK' or tag == 'FAIL':
                tap.ok(tag == 'OK', 'guest: ' + rest)
            elif tag == 'CMD':
                if rest == 'mute-then-remove':
                    answer = ctl(ctl_path, 'fail 1 mute')
                    vm.stdin.write(b'ok\n')
                    vm.stdin.flush()
                    muted = wait_for_text(simlog, 'fail: mute', 60)
                    tap.ok(muted, 'host: the signature\'s APDU reached the card, which stays mute')
                    answer = ctl(ctl_path, 'remove')
                else:
                    answer = ctl(ctl_path, rest)
                    vm.stdin.write(b'ok\n')
                    vm.stdin.flush()
                tap.ok(answer == 'ok', 'host: card simulator %s (%s)' % (rest, answer))
            elif tag in ('SIG9A', 'SIG9C'):
                sig = binascii.unhexlify(rest)
                key = '9a' if tag == 'SIG9A' else '9c'
                if tag == 'SIG9C':
                    sig = ecdsa_der(sig)
                counts[tag] += 1
                good, out = openssl_verify(os.path.join(certs, key + '.pub.pem'), data, sig, work,
                                           '%s-%d' % (key, counts[tag]))
                tap.ok(good, 'openssl on the host verifies the guest\'s %s signature' % key.upper())
                if not good:
                    tap.diag(out)
            elif tag == 'DEC':
                tap.ok(binascii.unhexlify(rest) == open(secret, 'rb').read(),
                       'the guest decrypted with 9D what openssl encrypted on the host')
            elif tag == 'BEGIN':
                block = [rest]
            elif tag == 'END':
                if block is not None:
                    check_listing(tap, block, rest)
                block = None
            elif tag == 'LOG':
                tap.diag(rest)
            elif tag == 'DONE':
                done = True
    vm.wait()
    elapsed = time.monotonic() - start
    sim.terminate()
    sim.wait()
    tap.ok(done, 'the guest ran to its end (VM exit %d)' % vm.returncode)
    keep = os.environ.get('TESSERA_BUILDDIR')
    if keep:
        console.close()
        subprocess.run(['cp', os.path.join(work, 'console.log'), os.path.join(work, 'cardsim.log'),
                        os.path.join(keep, 'tests', 'ccid')], check=False)
    if not done:
        tap.diag(open(os.path.join(work, 'console.log')).read()[-3000:])
        tap.diag(open(os.path.join(work, 'qemu.err')).read()[-2000:])
    print('# VM run: %.1f s (first guest line after %.1f s)' % (elapsed, first or -1), flush=True)
    print('1..%d' % tap.n)
    return 0


def check_listing(tap, block, end):
    what, text = block[0], '\n'.join(block[1:])
    if what == 'pkcs11-tool -L':
        tap.ok(end == 'rc=0' and 'QEMU USB CCID' in text and 'token label' in text,
               'pkcs11-tool -L in the guest lists the USB reader with its token')
    else:
        want = ['Certificate for PIV Authentication', 'Certificate for Digital Signature',
                'Certificate for Key Management', 'Public Key Object']
        missing = [w for w in want if w not in text]
        tap.ok(end == 'rc=0' and not missing,
               'pkcs11-tool -O in the guest lists the card\'s objects' +
               (' (missing: %s)' % ', '.join(missing) if missing else ''))
    if tap.failed:
        tap.diag(text)


if __name__ == '__main__':
    sys.exit(main())
