/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * reader/ccid-none.c: a build without libusb-1.0 (--with-ccid=no) has no
 * direct USB backend.
 */
#include "config.h"

#include <stddef.h>

#include "reader/reader.h"

const struct reader_ops *const reader_ccid_ops = NULL;
