#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# fuzz/record-seeds.sh BUILDDIR: make the checked-in seed corpora (fuzz/corpus/NAME) again.
# fuzz-piv's seed is real traffic: record-piv runs the driver's operations against the
# simulator in the test bed (a card provisioned by tests/provision.sh) and keeps every
# answer. The certificate, public-key and TLV seeds are that card's certificates and keys;
# the others are small hand-made samples of each format. Needs root (the test bed).
set -eu
build=$(cd "${1:?usage: record-seeds.sh BUILDDIR}" && pwd)
src=$(cd "$(dirname "$0")/.." && pwd)
out="$src/fuzz/corpus"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
make -C "$build" fuzz/record-piv >/dev/null
mkdir -p "$out/piv" "$out/cert" "$out/tlv" "$out/apdu" "$out/conf" "$out/pairing" "$out/templ"

"$src/tests/testbed" --builddir "$build" --cards 1 -- sh -c '
	"$1/tests/provision.sh" "$2/prov" "9a:RSA2048 9c:ECCP256 9d:ECCP256 9e:ECCP256" >"$2/prov.log" 2>&1
	reader=$(opensc-tool -l | sed -n "s/^[0-9][0-9]* *Yes *//p" | head -n 1)
	"$3/fuzz/record-piv" "$4/piv/simulator-all-operations" "$reader"
' sh "$src" "$tmp" "$build" "$out"

# certificates and public keys: one byte of algorithm choice (fuzz-cert.c), then the DER
for slot in 9a 9c; do
	{ printf '\002'; cat "$tmp/prov/$slot.cert.der"; } >"$out/cert/cert-$slot"
	{ printf '\005'; openssl x509 -in "$tmp/prov/$slot.cert.pem" -pubkey -noout |
		openssl pkey -pubin -outform DER; } >"$out/cert/spki-$slot"
	cp "$tmp/prov/$slot.cert.der" "$out/tlv/cert-$slot"
done
# a PIV certificate object (53 { 70 cert, 71 00, FE 00 }) and a GENERAL AUTHENTICATE answer
printf '\123\202\001\000\160\202\000\370' >"$out/tlv/object-header"
printf '\174\042\202\040ABCDEFGHIJKLMNOPQRSTUVWXYZ012345' >"$out/tlv/general-auth"
# 7F49's 86 { point } for P-256 (fuzz-cert: algorithm 5): 9C's point, the end of its SPKI
{ printf '\005\206\101'; tail -c 65 "$out/cert/spki-9c"; } >"$out/cert/pubkey-template-ec"

# APDU exchanges: 8 bytes of command (fuzz-apdu.c), then answers (2-byte length, bytes)
printf '\000\312\000\000\000\000\000\001\000\004\001\002\220\000' >"$out/apdu/get-data"
printf '\000\312\000\000\000\000\000\001\000\004\001\002\141\002\000\004\003\004\220\000' >"$out/apdu/get-response"
printf '\000\333\077\377\000\002\000\000\000\002\220\000\000\002\220\000\000\002\220\000' >"$out/apdu/chained"
printf '\000\312\000\000\000\000\000\001\000\002\154\010\000\012\001\002\003\004\005\006\007\010\220\000' >"$out/apdu/wrong-le"

printf 'pin_policy = fips\ndefault_management_key = deny\ncard_timeout = 30\nmanagement_key.12345678 = 0102030405060708010203040506070801020304050607aa\n# comment\n' \
	>"$out/conf/sample.conf"
printf 'slot 9a fpr 00112233445566778899aabbccddeeff00112233 id 0102 label 4d79206b6579 subject - usage 0f\nslot 82 fpr ffeeddccbbaa99887766554433221100ffeeddcc id - label - subject 3003310130\n' \
	>"$out/pairing/two-slots"
# templates: choice byte, then type (4), length (1), value
printf '\377\000\000\000\000\010\000\000\000\000\000\000\000\000\000\000\000\001\001\001' >"$out/templ/data-token"
printf '\177\000\000\000\000\010\004\000\000\000\000\000\000\000\000\000\000\001\000\010\037\000\000\000\000\000\000\000\000\021\020ABCDEFGHIJKLMNOP' \
	>"$out/templ/secret-key"
echo "seeds written to $out"
du -sh "$out"
