/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * apdu/mock-reader.h: a scripted reader backend for the unit tests of apdu/.
 *
 * The test queues the command APDUs it expects, each with the response the
 * "card" gives (or a reader error); transmit() compares every command with the
 * next expectation and serves its response. When the script is exhausted a
 * handler (if set) answers, e.g. a small card model that really computes the
 * management-key crypto. mock_check() reports the first mismatch, a command
 * sent outside a transaction, or expectations left over. One global script:
 * the tests are single-threaded.
 */
#ifndef TSR_APDU_MOCK_READER_H
#define TSR_APDU_MOCK_READER_H

#include <stddef.h>
#include <stdint.h>

#include "reader/reader.h"

extern const struct reader_ops mock_reader_ops;

/* Answers a command when the script is empty: fill RESP (data + SW), set *RESP_LEN. */
typedef reader_rv (*mock_handler) (void *user, const uint8_t *cmd, size_t cmd_len,
                                   uint8_t *resp, size_t *resp_len);

/* Forget the script, the record and every setting. */
void mock_reset (void);

/* Expect CMD_HEX (spaces ignored; NULL: any command) and answer RESP_HEX (data + SW). */
void mock_expect (const char *cmd_hex, const char *resp_hex);
void mock_expect_bin (const uint8_t *cmd, size_t cmd_len, const uint8_t *resp, size_t resp_len);
/* Expect CMD_HEX and fail the transmission with RV. */
void mock_expect_fail (const char *cmd_hex, reader_rv rv);

void mock_set_handler (mock_handler handler, void *user);
/* The next begin() (once) / every connect() returns RV. */
void mock_set_begin_rv (reader_rv rv);
void mock_set_connect_rv (reader_rv rv);

/* NULL when all went as scripted and the script is used up; else a description. */
const char *mock_check (void);

size_t mock_sent_count (void);
/* The I-th command transmitted (not owned), NULL past the end. */
const uint8_t *mock_sent (size_t i, size_t *len);
int mock_in_transaction (void);
int mock_connections (void);   /* connections open now */

/* Hex → bytes (spaces ignored); owned by the caller (free()). Aborts on bad hex. */
uint8_t *mock_unhex (const char *hex, size_t *len);

#endif /* TSR_APDU_MOCK_READER_H */
