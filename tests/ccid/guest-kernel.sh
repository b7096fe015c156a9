#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# tests/ccid/guest-kernel.sh CACHE: Debian's kernel for the QEMU guest of qemu.sh, kept in CACHE
# (the build folder): the package of linux-image-amd64 (linux-image-6.1.0-NN-amd64) fetched with
# apt-get download and unpacked with dpkg -x once; the uncompressed vmlinux is taken out of the
# bzImage (booted through its PVH entry: about twice as fast as the bzImage under TCG) and the USB
# modules the guest loads (usb-common, usbcore, xhci-hcd, xhci-pci) kept. Prints CACHE/guest
# (vmlinux, modules/) on success; on failure a reason on stderr and exit 1.
set -eu
cache=$1
out="$cache/guest"
if [ -f "$out/ready" ]; then
	echo "$out"
	exit 0
fi
mkdir -p "$cache"
pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
	sed -n 's/^ *Depends: \(linux-image-6\.1\.0-[0-9]*-amd64\)$/\1/p' | head -n 1)
if [ -z "$pkg" ]; then
	pkg=$(apt-cache pkgnames linux-image-6.1.0- 2>/dev/null |
		grep -E '^linux-image-6\.1\.0-[0-9]+-amd64$' | sort -V | tail -n 1) || true
fi
[ -n "$pkg" ] || { echo "no linux-image-6.1.0-*-amd64 in apt's package lists (apt-get update first)" >&2; exit 1; }
rm -f "$cache"/linux-image-*.deb
(cd "$cache" && apt-get download "$pkg") >"$cache/download.log" 2>&1 ||
	{ echo "apt-get download $pkg failed: $(tail -n 1 "$cache/download.log")" >&2; exit 1; }
tmp=$(mktemp -d "$cache/x.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
dpkg -x "$cache"/linux-image-*.deb "$tmp"
vmlinuz=$(ls "$tmp"/boot/vmlinuz-* | head -n 1)
rm -rf "$out"
mkdir -p "$out/modules"
# The bzImage carries the kernel as one xz (or gzip / zstd) stream: decompress from its magic.
python3 - "$vmlinuz" "$out/vmlinux" <<'PY'
import lzma, gzip, sys, zlib
data = open(sys.argv[1], 'rb').read()
for magic, kind in ((b'\xfd7zXZ\x00', 'xz'), (b'\x1f\x8b\x08', 'gz')):
    at = data.find(magic)
    while at >= 0:
        try:
            if kind == 'xz':
                elf = lzma.LZMADecompressor().decompress(data[at:])
            else:
                elf = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(data[at:])
            if elf[:4] == b'\x7fELF':
                open(sys.argv[2], 'wb').write(elf)
                sys.exit(0)
        except Exception:
            pass
        at = data.find(magic, at + 1)
sys.exit('no ELF kernel found in the bzImage')
PY
for m in usb-common usbcore xhci-hcd xhci-pci; do
	f=$(find "$tmp/lib/modules" -name "$m.ko*" | head -n 1)
	[ -n "$f" ] || { echo "module $m not in $pkg" >&2; exit 1; }
	case $f in
	*.xz) xz -dc "$f" >"$out/modules/$m.ko" ;;
	*.zst) zstd -qdc "$f" >"$out/modules/$m.ko" ;;
	*) cp "$f" "$out/modules/$m.ko" ;;
	esac
done
echo "$pkg" >"$out/ready"
rm -f "$cache"/linux-image-*.deb
echo "$out"
