/*
 * config.h - the user's preferences: $XDG_CONFIG_HOME/schedlab/config.ini
 * (default ~/.config/schedlab/config.ini), then SCHEDLAB_* environment
 * variables, then the command line, each overriding the one before.
 *
 *   [view]     theme = default | projector | mono      mouse = on | off
 *   [lecture]  pace = 1s..600s | off | lesson
 *   [start]    lesson = NAME or path                   strategy = NAME
 *   [keys]     KEY = KEY    (typing the first acts as the second: j = Down)
 *
 * A preference is never a reason not to start: a line that cannot be read
 * (no `=`, an unknown section or key, a bad value) is reported on stderr as
 * FILE:LINE: what is wrong, and that setting keeps the value it had. Each
 * setting remembers where its value came from, for `schedlab config --print`.
 */
#ifndef SL_CLI_CONFIG_H
#define SL_CLI_CONFIG_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "schedlab/control.h"

#define SL_CONFIG_MAX_FILE (64u * 1024u) /* bytes of a config file */
#define SL_CONFIG_MAX_REMAPS 32          /* lines of [keys] */

/* The settings, in the order --print lists them. */
typedef enum sl_config_key {
    SL_CFG_THEME = 0,
    SL_CFG_MOUSE,
    SL_CFG_PACE,
    SL_CFG_LESSON,
    SL_CFG_STRATEGY,
    SL_CFG_KEYS,
    SL_CFG__COUNT
} sl_config_key;

/* Where a setting's value came from; a later source overrides. */
typedef enum sl_config_source {
    SL_CFG_FROM_DEFAULT = 0,
    SL_CFG_FROM_FILE,
    SL_CFG_FROM_ENV,
    SL_CFG_FROM_FLAG,
} sl_config_source;

typedef struct sl_config_origin {
    sl_config_source source;
    int line;      /* FROM_FILE: the line */
    char what[40]; /* FROM_ENV: the variable; FROM_FLAG: the option */
} sl_config_origin;

typedef struct sl_config {
    char path[PATH_MAX]; /* the file looked for ("" when no HOME either) */
    bool found;          /* it existed and was read */
    bool unreadable;     /* it existed but was refused (not regular, over the cap…) */
    int theme;           /* sl_theme */
    bool mouse;
    int64_t pace_ns; /* -1: the lesson's own pace; 0: off (real speed) */
    char lesson[256];
    char strategy[64];
    int remap[SL_CONFIG_MAX_REMAPS][2]; /* typed key, key it acts as */
    size_t n_remaps;
    char keys_text[512]; /* the [keys] lines as written, for --print */
    sl_config_origin origin[SL_CFG__COUNT];
    int errors; /* lines reported */
} sl_config;

/* The defaults: theme default, mouse on, the lesson's pace, io-download,
 * the lesson's first strategy (""), no remaps. */
void sl__config_defaults(sl_config *c);
/* The file's path from XDG_CONFIG_HOME, else HOME/.config; false when
 * neither is set (or absolute). */
bool sl__config_path(char *buf, size_t size);
/* Reads the settings in `text` (named `name` in messages) over *c; each
 * broken line is reported to `err` as "NAME:LINE: ..." and left out. */
void sl__config_parse(sl_config *c, const char *name, const char *text, FILE *err);
/* Reads the file at c->path if it exists (a file that exists but cannot
 * be read is reported, and ignored). */
void sl__config_load(sl_config *c, FILE *err);
/* Applies SCHEDLAB_THEME, SCHEDLAB_MOUSE, SCHEDLAB_PACE, SCHEDLAB_LESSON,
 * SCHEDLAB_STRATEGY when set; a bad value is reported and ignored. */
void sl__config_env(sl_config *c, FILE *err);
/* Defaults, then the file, then the environment: what a command starts
 * from before its own options. Messages go to stderr. */
void sl__config_startup(sl_config *c);
/* Takes an option that overrides a setting at argv[*i] (--theme NAME,
 * --mono, --no-mouse, --mouse, --pace P, -s/--strategy NAME), advancing
 * past its value. Returns 1 if taken, 0 if it is not one, -1 after
 * printing a usage error. */
int sl__config_flag(sl_config *c, const char *cmd, int argc, char **argv, int *i);
/* Sets one setting from text, as `source` (`what`: the variable or option,
 * `line`: the file's line). Returns 0, or -1 with the reason in `why`. */
int sl__config_set(sl_config *c, sl_config_key key, const char *value, sl_config_source source,
                   const char *what, int line, char *why, size_t why_size);
/* Hands the view its settings: theme, mouse, pace, key remaps (the table
 * stays in *c, which must outlive the session); the strategy when one was
 * configured and none is set yet. */
void sl__config_apply(const sl_config *c, sl_ui_opts *o);
/* The effective settings, one a line, each with where it came from. */
void sl__config_print(const sl_config *c, FILE *out);

#endif
