#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# tests/clients/nss.sh again, with Firefox ESR's own NSS (newer than Debian's: Firefox 153 brings
# NSS 3.12x) under Debian's NSS tools, through LD_LIBRARY_PATH: a change in NSS shows here first.
TESSERA_NSS_LIBDIR=${FIREFOX_DIR:-/usr/lib/firefox-esr}
export TESSERA_NSS_LIBDIR
exec sh "$(dirname "$0")/nss.sh" "$@"
