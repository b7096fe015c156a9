#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""tests/ccid/mkinitramfs.py: the QEMU guest's initramfs for qemu.sh, as a cpio archive (newc).

  mkinitramfs.py OUT INIT [SRC:DEST]...

INIT becomes /init; each SRC is copied to DEST, and for every ELF file its shared libraries
(as ldd finds them on this host, with the dynamic loader) go to the same paths in the archive.
/dev/console is there for the kernel's first console; busybox's applets are linked by /init.
"""
import os
import stat
import subprocess
import sys


def ldd(path):
    try:
        out = subprocess.run(['ldd', path], capture_output=True, text=True).stdout
    except OSError:
        return []
    libs = []
    for line in out.splitlines():
        parts = line.split()
        if '=>' in parts:
            i = parts.index('=>')
            if i + 1 < len(parts) and parts[i + 1].startswith('/'):
                libs.append(parts[i + 1])
        elif parts and parts[0].startswith('/'):
            libs.append(parts[0])
    return libs


class Cpio:
    def __init__(self):
        self.out = bytearray()
        self.ino = 1
        self.names = set()

    def entry(self, name, mode, data=b'', rdev=(0, 0)):
        name = name.lstrip('/')
        if name in self.names:
            return
        self.names.add(name)
        fields = [self.ino, mode, 0, 0, 1, 0, len(data), 0, 0, rdev[0], rdev[1],
                  len(name) + 1, 0]
        self.ino += 1
        hdr = b'070701' + b''.join(b'%08X' % v for v in fields)
        self.out += hdr + name.encode() + b'\0'
        self.pad()
        self.out += data
        self.pad()

    def pad(self):
        while len(self.out) % 4:
            self.out += b'\0'

    def dirs(self, path):
        parts = path.strip('/').split('/')[:-1]
        for i in range(1, len(parts) + 1):
            self.entry('/'.join(parts[:i]), stat.S_IFDIR | 0o755)

    def file(self, dest, src):
        self.dirs(dest)
        real = os.path.realpath(src)
        mode = os.stat(real).st_mode & 0o777
        with open(real, 'rb') as f:
            self.entry(dest, stat.S_IFREG | mode, f.read())

    def trailer(self):
        self.entry('TRAILER!!!', 0)
        self.out += b'\0' * (512 - len(self.out) % 512)


def main():
    out, init = sys.argv[1], sys.argv[2]
    c = Cpio()
    for d in ('dev', 'proc', 'sys', 'tmp', 'bin', 'sbin', 'etc', 'run'):
        c.entry(d, stat.S_IFDIR | 0o755)
    c.entry('dev/console', stat.S_IFCHR | 0o600, rdev=(5, 1))
    c.file('init', init)
    libs = []
    for spec in sys.argv[3:]:
        src, dest = spec.split(':', 1)
        c.file(dest, src)
        with open(src, 'rb') as f:
            if f.read(4) == b'\x7fELF':
                libs += ldd(src)
    for lib in libs:
        c.file(lib, lib)
    c.trailer()
    with open(out, 'wb') as f:
        f.write(c.out)


if __name__ == '__main__':
    main()
