#!/bin/sh
# The module exports exactly C_GetFunctionList and C_GetInterface, built and installed;
# `make install` puts it in $(libdir)/pkcs11/ with a p11-kit module file naming it.
. "$(dirname "$0")/lib.sh"

exports() { nm -D --defined-only "$1" | awk '$2 == "T" || $2 == "D" || $2 == "B" || $2 == "W" { print $3 }' | sort | tr '\n' ' '; }
want="C_GetFunctionList C_GetInterface "

so="$TESSERA_BUILDDIR/.libs/tessera-pkcs11.so"
got=$(exports "$so")
if [ "$got" = "$want" ]; then tap_ok "built module exports only: $want"; else tap_fail "built module exports: [$got]"; fi

dest="$TAP_TMP/root"
if env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$TESSERA_BUILDDIR" install DESTDIR="$dest" >"$TAP_TMP/install.log" 2>&1; then
	tap_ok "make install DESTDIR=..."
else
	tap_fail "make install failed"; tap_diag <"$TAP_TMP/install.log"
fi
inst=$(find "$dest" -name tessera-pkcs11.so -path '*/pkcs11/*' | head -n 1)
if [ -n "$inst" ] && [ "$(exports "$inst")" = "$want" ]; then
	tap_ok "installed module (${inst#"$dest"}) exports only the two entry points"
else
	tap_fail "installed module missing or exports wrong symbols: $inst"
fi
if [ -z "$(find "$dest" -name 'tessera-pkcs11.la')" ]; then tap_ok "no libtool .la installed"; else tap_fail ".la installed"; fi
modfile=$(find "$dest" -path '*p11-kit/modules/tessera.module' | head -n 1)
if [ -n "$modfile" ] && grep -q "^module: ${inst#"$dest"}\$" "$modfile"; then
	tap_ok "p11-kit module file names the installed module"
else
	tap_fail "p11-kit module file missing or wrong: $modfile"; [ -n "$modfile" ] && tap_diag <"$modfile"
fi
tap_done
