/*
 * file.h - the file module's door: the two rules for schedlab's files.
 *
 * Every file schedlab reads goes through sl_file_read: a regular file (or
 * stdin where a command offers "-"), never more than a cap, so no input can
 * block (a FIFO) or grow without bound (/dev/zero). Every file it writes goes
 * through sl_ofile: a regular target (or a new name) is replaced atomically by
 * a temporary created exclusively beside it; a character device or a FIFO is
 * written into, never replaced; anything else is refused.
 */
#ifndef SCHEDLAB_FILE_H
#define SCHEDLAB_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "schedlab/error.h"

/* ---- reading --------------------------------------------------------------- */

/* Reads all of PATH ("-" reads stdin when allow_stdin) into a malloc'd buffer
 * with a NUL after the last byte. Refuses, before reading a byte, anything
 * that is not a regular file (SL_ENOTREG: a directory, a FIFO, a device) and
 * a file over `cap` bytes (SL_ETOOBIG; stdin is cut at cap + 1 bytes and
 * refused the same way). Other errors come from sl_error_from_errno. On error
 * `why` holds "PATH: " and the cause (for the cap, its value). */
int sl_file_read(const char *path, size_t cap, bool allow_stdin, char **data, size_t *size,
                 char *why, size_t why_size);

/* Whether PATH names something (a dangling link counts): lets a lookup of
 * lesson names tell "no such file" from "a file that cannot be read". */
bool sl_file_exists(const char *path);

/* ---- writing --------------------------------------------------------------- */

/* One output file being written. */
typedef struct sl_ofile sl_ofile;

/* Opens PATH for writing ("-" is stdout, written into). A regular file or a
 * name that does not exist yet gets a temporary beside it (created with
 * O_EXCL|O_NOFOLLOW, so a planted name or link is never followed), renamed
 * over PATH by sl_ofile_commit; a symbolic link is followed to its target; a
 * character device or a FIFO (with a reader) is written into as it is; a
 * directory, a block device or a socket is refused with SL_ENOTREG. On error
 * `why` names PATH and the cause. */
int sl_ofile_open(sl_ofile **out, const char *path, char *why, size_t why_size);
/* The stream to write to; write errors are remembered with their errno. */
FILE *sl_ofile_stream(sl_ofile *o);
/* True when PATH is written into in place (stdout, a device or a FIFO). */
bool sl_ofile_in_place(const sl_ofile *o);
/* Flushes and, for a temporary, syncs and renames it over PATH. Returns 0, or
 * the first error (SL_ENOSPC, SL_EACCES, SL_EIO...) with `why` naming PATH and
 * the cause as the system gave it; the temporary is then removed and PATH is
 * left as it was. Frees `o` in every case. */
int sl_ofile_commit(sl_ofile *o, char *why, size_t why_size);
/* Abandons the output: the temporary is removed, PATH untouched. Frees `o`. */
void sl_ofile_abort(sl_ofile *o);

#endif
