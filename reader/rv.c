/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * reader/rv.c: names of reader_rv values, for log lines.
 */
#include "config.h"

#include "reader/reader.h"

const char *
reader_rv_name (reader_rv rv)
{
	switch (rv) {
	case READER_OK:           return "READER_OK";
	case READER_E_NO_CARD:    return "READER_E_NO_CARD";
	case READER_E_REMOVED:    return "READER_E_REMOVED";
	case READER_E_RESET:      return "READER_E_RESET";
	case READER_E_NO_SERVICE: return "READER_E_NO_SERVICE";
	case READER_E_NO_READER:  return "READER_E_NO_READER";
	case READER_E_TIMEOUT:    return "READER_E_TIMEOUT";
	case READER_E_CANCELLED:  return "READER_E_CANCELLED";
	case READER_E_SHARING:    return "READER_E_SHARING";
	case READER_E_COMM:       return "READER_E_COMM";
	case READER_E_NO_MEMORY:  return "READER_E_NO_MEMORY";
	case READER_E_INVALID:    return "READER_E_INVALID";
	case READER_E_UNSUPPORTED: return "READER_E_UNSUPPORTED";
	}
	return "READER_E_(unknown)";
}
