/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * reader/precond.h: precondition checks at reader/'s API edge.
 *
 * Usage keeps the return visible:
 *     if (reader_precondition_failed (conn != NULL))
 *             return READER_E_INVALID;
 * A failed precondition is a bug in the caller: it is logged (category "reader").
 */
#ifndef TSR_READER_PRECOND_H
#define TSR_READER_PRECOND_H

#include "reader/log.h"

#define reader_precondition_failed(expr) \
	((expr) ? 0 : (tsr_log ("reader", "%s: precondition '%s' failed", __func__, #expr), 1))

#endif /* TSR_READER_PRECOND_H */
