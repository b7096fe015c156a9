#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Firefox ESR itself, headless, driven through Marionette by tests/clients/firefox.py: the module
# added with modutil and, from a copy of Firefox's install folder, with policies.json
# (SecurityDevices); the card's certificates listed without a PIN; TLS 1.3 and 1.2 client
# authentication against openssl s_server -Verify 1 -www with the 9A key (RSA-PSS, PKCS#1) and the
# PIN-always 9C key (ECDSA, one PIN dialog per signature, counted); a wrong PIN then the right one;
# the card pulled out and put back while Firefox runs; a screenshot of the page beside the logs
# (firefox.logs/ in the build's tests/clients/).
#   firefox.sh --bench [N]: Firefox start to page with client authentication, N runs (default 5),
#   with the median; a measurement, not a test.
. "$(dirname "$0")/common.sh"

FIREFOX_DIR=${FIREFOX_DIR:-/usr/lib/firefox-esr}
LOGDIR=$TESSERA_BUILDDIR/tests/clients/firefox.logs

if [ "${1:-}" = --bench ]; then
	[ "$(id -u)" = 0 ] || { echo "firefox.sh --bench: needs root (tests/testbed)" >&2; exit 1; }
	mkdir -p "$LOGDIR"
	testbed --cards 1 -- sh "$0" --inside bench "${2:-5}"
	exit $?
fi
if [ "${1:-}" != --inside ]; then
	clients_require certutil modutil python3 "$FIREFOX_DIR/firefox-esr"
	if [ "${TESSERA_SANITIZERS:-no}" = yes ]; then
		tap_skip_all "sanitizer build: Firefox dies at start (SIGSEGV) with the ASan runtime preloaded, module or not; the ordinary build runs this test"
	fi
	rm -rf "$LOGDIR"
	mkdir -p "$LOGDIR"
	clients_testbed --cards 1 -- sh "$0" --inside test
	tap_done
fi

mode=$2
D=$TAP_TMP/card
provision "$D"
# Firefox offers for TLS client authentication only certificates for clientAuth: the 9C
# certificate (e-mail protection) again, with clientAuth added, to sign TLS with the PIN-always key.
reissue_cert "$D" 9c digitalSignature,nonRepudiation emailProtection,clientAuth

# The server: a certificate from the test CA for 127.0.0.1.
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$TAP_TMP/server.key" -out "$TAP_TMP/server.pem" \
	-days 2 -subj "/CN=127.0.0.1" -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
	-addext "basicConstraints=critical,CA:FALSE" -addext "extendedKeyUsage=serverAuth" \
	-CA "$D/ca.pem" -CAkey "$D/ca.key" 2>/dev/null

# Profile 1: the module added with modutil (Firefox closed), the test CA trusted.
prof=$TAP_TMP/profile
nss_db "$prof" "$D/ca.pem" || { tap_fail "create a Firefox profile's NSS database"; tap_done; }
tap_check "modutil -add puts tessera-pkcs11.so in the profile" \
	with_module modutil -dbdir "sql:$prof" -add tessera -libfile "$TESSERA_MODULE" -force
mkdir -p "$prof/home"

driver() {
	python3 -B "$TESSERA_SRCDIR/tests/clients/firefox.py" "$@" --module "$TESSERA_MODULE" \
		--profile "$prof" --logdir "$LOGDIR" --ca "$D/ca.pem" --server-cert "$TAP_TMP/server.pem" \
		--server-key "$TAP_TMP/server.key" --card-dir "$D" --ctl "$CARDSIM_CONTROL" \
		--firefox "$FIREFOX_DIR/firefox-esr"
}
if [ "$mode" = bench ]; then
	driver bench --runs "$3"
	exit $?
fi

# Profile 2 and a copy of Firefox's folder whose policies.json adds the module. Hard links: Firefox
# finds its folder from /proc/self/exe, so a symbolic-link copy would read the system's
# distribution/; Debian's distribution is a relative link into /usr/share, recreated in the copy.
copy=$TAP_TMP/install
mkdir -p "$copy/lib" "$copy/share/firefox-esr"
if ! cp -al "$FIREFOX_DIR" "$copy/lib/firefox-esr" 2>/dev/null; then
	rm -rf "$copy/lib/firefox-esr"
	cp -a "$FIREFOX_DIR" "$copy/lib/firefox-esr"
fi
rm -f "$copy/lib/firefox-esr/distribution"
if [ -d "$FIREFOX_DIR/distribution/" ]; then
	cp -a "$FIREFOX_DIR/distribution/." "$copy/share/firefox-esr/distribution"
fi
mkdir -p "$copy/share/firefox-esr/distribution"
ln -s ../../share/firefox-esr/distribution "$copy/lib/firefox-esr/distribution"
printf '{ "policies": { "SecurityDevices": { "Add": { "tessera": "%s" } } } }\n' "$TESSERA_MODULE" \
	>"$copy/share/firefox-esr/distribution/policies.json"
tap_check "policies.json in the copy of Firefox's folder, through the recreated distribution link" \
	test -f "$copy/lib/firefox-esr/distribution/policies.json"
prof2=$TAP_TMP/profile-policy
nss_db "$prof2" "$D/ca.pem" || tap_fail "create the second profile's NSS database"
mkdir -p "$prof2/home"

driver test --policy-install "$copy/lib/firefox-esr" --policy-profile "$prof2" \
	2>"$LOGDIR/driver.err"
st=$?
[ "$st" = 0 ] || tap_diag <"$LOGDIR/driver.err"
cp "$D/9c.cert.pem" "$D/9a.cert.pem" "$LOGDIR/" 2>/dev/null
tap_done
