/*
 * cmd-record.h - what `record`, `replay` and `tui` share about demos and
 * casts: the recording options, loading a demo, recording and reporting.
 */
#ifndef SL_CLI_CMD_RECORD_H
#define SL_CLI_CMD_RECORD_H

#include "schedlab/control.h"

/* Takes --cast-format v2|v3 at argv[*i] into *version (2 or 3). Returns 1
 * if taken, 0 if it is not that option, -1 after printing a usage error. */
int sl__cast_format_option(const char *cmd, int argc, char **argv, int *i, int *version);
/* Takes a recording option at argv[*i] (--cast-format too) (-o/--output, --size, --fps,
 * --idle-limit), advancing *i past its value. Returns 1 if taken, 0 if it
 * is not one, -1 after printing a usage error. */
int sl__record_option(const char *cmd, int argc, char **argv, int *i, sl_record_opts *r);
/* Takes a live-view option at argv[*i] (-s/--strategy, -w/--workers,
 * --mono, --ascii) into *o, as `record` and `tui` both accept them. Returns
 * 1 if taken, 0 if it is not one, -1 after printing a usage error. */
int sl__record_view_option(const char *cmd, int argc, char **argv, int *i, sl_ui_opts *o);
/* Loads a lesson by name or path into *out, printing what is wrong ("no
 * such file" or "FILE:LINE: message") on failure. Returns 0 or an SL_EXIT_*
 * code. */
int sl__record_lesson(const char *lesson, sl_scenario **out);
/* Loads a demo by path or lesson name, printing "FILE:LINE: message" on
 * failure. Returns 0 or an SL_EXIT_* code. */
int sl__record_demo(const char *cmd, const char *name, sl_demo **out);
/* Records headless, prints what was written; returns an SL_EXIT_* code.
 * Frees nothing: o's scenario or trace is taken by the UI. */
int sl__record_run(const char *cmd, sl_ui_opts *o, const sl_record_opts *r);

#endif
