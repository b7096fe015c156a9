/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * src/store.h: the files the module keeps per card in the user's cache folder
 * ($TESSERA_CACHE_DIR, else $XDG_CACHE_HOME/tessera, else ~/.cache/tessera; folder
 * 0700, files 0600, replaced atomically), and the hex words they are written in.
 */
#ifndef TSR_STORE_H
#define TSR_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* The path of file "PREFIX-SERIAL" into PATH (the serial made file-name safe), the folder
 * created when CREATE. false without a folder or a serial. */
bool tsr_store_path (const char *prefix, const char *serial, char *path, size_t size, bool create);

struct card;
/* The name of CARD's files (cache, pairing) into OUT: "DRIVER-SERIAL" (two applications of one
 * card may share a serial), "" when the card has no serial. */
void tsr_store_card_id (const struct card *card, char *out, size_t size);

/* Read the whole file PATH (at most MAX bytes) into *DATA (NUL-terminated, owned by the
 * caller: free()). false when missing, unreadable, larger than MAX (logged), or not a
 * regular file. */
bool tsr_store_read (const char *path, size_t max, char **data, size_t *len);

/* Replace PATH atomically (temporary file, fsync, rename), mode 0600, with what WRITE
 * prints to the stream it is given. false on any failure (logged; PATH unchanged). */
bool tsr_store_write (const char *path, void (*write) (FILE *fp, const void *user), const void *user);

/* Hex words: LEN bytes of DATA ("-" for none); a word back into at most MAX bytes. */
void tsr_store_hex_put (FILE *fp, const uint8_t *data, size_t len);
bool tsr_store_hex_get (const char *word, uint8_t *out, size_t max, size_t *len);

#endif /* TSR_STORE_H */
