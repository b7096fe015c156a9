#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The module exports exactly C_GetFunctionList, C_GetInterfaceList and C_GetInterface, built and
# installed; `make install` puts it in $(libdir), a link to it in $(pkcs11dir) (p11-kit's module
# folder), and a p11-kit module file that names it in $(p11kitmoduledir), each where configure said.
. "$(dirname "$0")/lib.sh"

exports() { nm -D --defined-only "$1" | awk '$2 == "T" || $2 == "D" || $2 == "B" || $2 == "W" { print $3 }' | sort | tr '\n' ' '; }
want="C_GetFunctionList C_GetInterface C_GetInterfaceList "
mkvar() { sed -n "s|^$1 = ||p" "$TESSERA_BUILDDIR/Makefile" | head -n 1; }
# expand ${prefix}-style references the way make does
expand() { v=$1; while :; do n=$(prefix=$prefix exec_prefix=$exec_prefix datarootdir=$datarootdir eval echo "\"$v\""); [ "$n" = "$v" ] && break; v=$n; done; echo "$v"; }
prefix=$(mkvar prefix); exec_prefix=$(expand "$(mkvar exec_prefix)"); datarootdir=$(expand "$(mkvar datarootdir)")
libdir=$(expand "$(mkvar libdir)")
pkcs11dir=$(expand "$(mkvar pkcs11dir)")
p11kitmoduledir=$(expand "$(mkvar p11kitmoduledir)")
p11path=$(mkvar P11KIT_MODULE_PATH)

so="$TESSERA_BUILDDIR/.libs/tessera-pkcs11.so"
got=$(exports "$so")
if [ "$got" = "$want" ]; then tap_ok "built module exports only: $want"; else tap_fail "built module exports: [$got]"; fi

dest="$TAP_TMP/root"
if env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$TESSERA_BUILDDIR" install DESTDIR="$dest" >"$TAP_TMP/install.log" 2>&1; then
	tap_ok "make install DESTDIR=..."
else
	tap_fail "make install failed"; tap_diag <"$TAP_TMP/install.log"
fi
inst="$dest$libdir/tessera-pkcs11.so"
if [ -f "$inst" ] && [ ! -L "$inst" ] && [ "$(exports "$inst")" = "$want" ]; then
	tap_ok "installed module $libdir/tessera-pkcs11.so exports only the three entry points"
else
	tap_fail "installed module missing or exports wrong symbols: $inst"
fi
if [ -z "$(find "$dest" -name 'tessera-pkcs11.la')" ]; then tap_ok "no libtool .la installed"; else tap_fail ".la installed"; fi
link="$dest$pkcs11dir/tessera-pkcs11.so"
target=$(readlink "$link")
case "$target" in
/*) resolved="$dest$target" ;;
*) resolved="$(dirname "$link")/$target" ;;
esac
if [ -L "$link" ] && [ "$(readlink -f "$resolved")" = "$(readlink -f "$inst")" ]; then
	tap_ok "link $pkcs11dir/tessera-pkcs11.so -> $target (the module)"
else
	tap_fail "no link $pkcs11dir/tessera-pkcs11.so to the module (readlink: $target)"
fi
modfile="$dest$p11kitmoduledir/tessera.module"
if [ "$pkcs11dir" = "$p11path" ]; then wantmod=tessera-pkcs11.so; else wantmod="$pkcs11dir/tessera-pkcs11.so"; fi
if [ -f "$modfile" ] && grep -qx "module: $wantmod" "$modfile"; then
	tap_ok "p11-kit module file $p11kitmoduledir/tessera.module names it: $wantmod"
else
	tap_fail "p11-kit module file missing or wrong: $modfile (want module: $wantmod)"; [ -f "$modfile" ] && tap_diag <"$modfile"
fi
if env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$TESSERA_BUILDDIR" uninstall DESTDIR="$dest" >"$TAP_TMP/uninstall.log" 2>&1 &&
	[ -z "$(find "$dest" ! -type d)" ]; then
	tap_ok "make uninstall leaves no file"
else
	tap_fail "make uninstall failed or left files"; find "$dest" ! -type d | tap_diag
fi
tap_done
