/*
 * scenario-parse.h - the state shared by the parts of one scenario parse.
 *
 * libinih splits `key = value` lines and strips comments; this module feeds
 * it one line at a time through its own reader (scenario-reader.c), which
 * counts lines, rejects bytes that are not text and handles [section]
 * headers itself, because Debian's libinih neither passes line numbers to
 * the handler nor reports a section without keys. The handler
 * (scenario-keys.c) then knows the exact line of every key it sees.
 */
#ifndef SL_SCENARIO_PARSE_H
#define SL_SCENARIO_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "scenario/scenario-int.h"

#define SL__LINE_MAX 198      /* bytes of one line (libinih's buffer is 200) */
#define SL__NAME_INDEX 16384u /* slots of the section name index, > 1.5 x SL__MAX_SECTIONS */
#define SL__CAPTION_MAX 4096u /* bytes of the joined caption */

typedef enum sl__sec {
    SL__SEC_NONE = 0, /* before the first header */
    SL__SEC_LESSON,
    SL__SEC_RUN,
    SL__SEC_GROUP,
    SL__SEC_TASK,
    SL__SEC_QUEUE,   /* ps->obj indexes pub.queues */
    SL__SEC_COUNTER, /* ps->obj indexes pub.counters */
} sl__sec;

/* Keys that may appear once; their first line is kept for the message. */
typedef enum sl__key {
    SL__KEY_TITLE = 0,
    SL__KEY_STRATEGIES,
    SL__KEY_SEED,
    SL__KEY_WORKERS,
    SL__KEY_CHUNKSIZE,
    SL__KEY_GIL_INTERVAL,
    SL__KEY_GIL,
    SL__KEY_OFFLOAD,
    SL__KEY_TIME_SCALE,
    SL__KEY_PACE,
    SL__KEY_START,
    SL__KEY__COUNT
} sl__key;

typedef struct sl__parser {
    sl__scenario *s;
    sl_diag *diag;
    int err;             /* first error (negative), 0 while the file is fine */
    const char *p, *end; /* input not yet handed to libinih */
    uint32_t line;       /* line last handed to libinih */
    uint32_t pending;    /* key line libinih has not passed to the handler, or 0 */
    char pending_text[64];
    sl__sec sec;         /* section being read */
    sl__section *cur;    /* its template, for [group] and [task] */
    uint32_t obj;        /* the object, for [queue] and [counter] */
    uint32_t obj_key;    /* line of its capacity or window key, 0 while absent */
    uint32_t shared_key; /* line of a counter's shared key, 0 while absent */
    uint32_t lesson_line, run_line;
    uint32_t key_line[SL__KEY__COUNT];
    size_t caption_len;
    uint32_t *name_index; /* open addressing: section index + 1, 0 = free */
} sl__parser;

/* Records the first error at `line`; later calls keep the first. Returns err. */
int sl__fail(sl__parser *ps, uint32_t line, int err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The ini_reader handed to ini_parse_stream; `stream` is the sl__parser. */
char *sl__read_line(char *buf, int num, void *stream);

/* Reports a key line libinih rejected (no '='), if there is one. */
void sl__check_pending(sl__parser *ps);

/* Starts the section whose header text between the brackets is `inner`
 * (scenario-sections.c); closes the previous one first. */
void sl__section_open(sl__parser *ps, const char *inner);
/* Checks the section being read is complete (at a header or end of file). */
void sl__section_close(sl__parser *ps);
/* Reports a task name that one group's generated names could also take. */
void sl__check_name_clashes(sl__parser *ps);

/* Shared objects (scenario-objects.c): opens [queue NAME] / [counter NAME]
 * (kind "queue" or "counter"), takes their keys, checks one is complete. */
void sl__object_open(sl__parser *ps, const char *kind, const char *name);
/* A [kind NAME] header's name: present and well-formed, else an error
 * naming the line (with `example` as a suggestion); returns whether it is. */
bool sl__check_section_name(sl__parser *ps, const char *kind, const char *name,
                            const char *example);
void sl__object_key(sl__parser *ps, const char *key, const char *value);
void sl__object_close(sl__parser *ps);
/* Once the file is read: resolves every step's object name (declaring
 * locks), checks each program's lock/unlock pairs, applies time_scale to
 * the windows. */
void sl__objects_finish(sl__parser *ps);

/* The ini_handler (scenario-keys.c). */
int sl__on_key(void *user, const char *section, const char *name, const char *value);

#endif
