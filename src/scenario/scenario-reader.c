/*
 * scenario-reader.c - the line reader behind ini_parse_stream.
 *
 * libinih calls its reader once per line, fgets-style, and processes that
 * line (calling the handler for a key) before asking for the next one. So
 * the reader always knows the line the handler is looking at, which is how
 * every message gets its line number. The reader also:
 *  - rejects what is not text (NUL, control characters, invalid UTF-8) and
 *    lines longer than libinih's buffer, which it would otherwise split;
 *  - strips indentation, so an indented `step = ...` is a key and not one of
 *    libinih's multi-line continuations of the previous key;
 *  - parses [section] headers itself and hands libinih a blank line, because
 *    libinih truncates long section names and never reports an empty section;
 *  - notices a key line libinih dropped (no '=' in it) when the next line is
 *    asked for: the handler was not called in between.
 */
#include <string.h>

#include "schedlab/error.h"
#include "scenario/scenario-parse.h"

/* Length of the UTF-8 sequence at s (at most n bytes), or 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    size_t len;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        len = 2;
    else if (c >= 0xE0 && c <= 0xEF)
        len = 3, lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
    else if (c >= 0xF0 && c <= 0xF4)
        len = 4, lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
    else
        return 0;
    if (n < len || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if (s[i] < 0x80 || s[i] > 0xBF)
            return 0;
    return len;
}

static int check_text(sl__parser *ps, const char *text, size_t len)
{
    const unsigned char *s = (const unsigned char *)text;
    for (size_t i = 0; i < len;) {
        if (s[i] == 0)
            return sl__fail(ps, ps->line, SL_EPARSE,
                            "NUL byte at column %zu (this is not a text file)", i + 1);
        if ((s[i] < 0x20 && s[i] != '\t') || s[i] == 0x7F)
            return sl__fail(ps, ps->line, SL_EPARSE, "control character 0x%02x at column %zu", s[i],
                            i + 1);
        size_t n = utf8_len(s + i, len - i);
        if (n == 0)
            return sl__fail(ps, ps->line, SL_EPARSE, "invalid UTF-8 byte 0x%02x at column %zu",
                            s[i], i + 1);
        i += n;
    }
    return 0;
}

/* A `[...]` line: start[0] is '['. */
static void header(sl__parser *ps, const char *start, size_t len)
{
    char inner[SL__LINE_MAX + 1], q[64];
    const char *close = memchr(start, ']', len);
    if (close == NULL) {
        sl__fail(ps, ps->line, SL_EPARSE, "section header has no closing ']'");
        return;
    }
    const char *rest = close + 1, *stop = start + len;
    while (rest < stop && (*rest == ' ' || *rest == '\t'))
        rest++;
    if (rest < stop && *rest != ';' && *rest != '#') {
        sl__fail(ps, ps->line, SL_EPARSE, "unexpected text after ']': '%s'",
                 sl__clip_n(rest, (size_t)(stop - rest), q, sizeof(q)));
        return;
    }
    size_t n = (size_t)(close - start - 1);
    memcpy(inner, start + 1, n);
    inner[n] = '\0';
    sl__section_open(ps, inner);
}

void sl__check_pending(sl__parser *ps)
{
    if (ps->pending == 0)
        return;
    sl__fail(ps, ps->pending, SL_EPARSE, "expected 'key = value', got '%s'", ps->pending_text);
    ps->pending = 0;
}

char *sl__read_line(char *buf, int num, void *stream)
{
    sl__parser *ps = stream;
    sl__check_pending(ps);
    if (ps->err != 0 || ps->p >= ps->end || num < 3)
        return NULL;

    const char *start = ps->p;
    const char *nl = memchr(start, '\n', (size_t)(ps->end - start));
    const char *stop = nl != NULL ? nl : ps->end;
    ps->p = nl != NULL ? nl + 1 : ps->end;
    ps->line++;
    size_t len = (size_t)(stop - start);
    if (len > 0 && start[len - 1] == '\r')
        len--;
    if (ps->line == 1 && len >= 3 && memcmp(start, "\xEF\xBB\xBF", 3) == 0)
        start += 3, len -= 3;

    size_t limit = (size_t)num - 2 < SL__LINE_MAX ? (size_t)num - 2 : SL__LINE_MAX;
    if (len > limit) {
        sl__fail(ps, ps->line, SL_EPARSE, "line is too long (%zu bytes, at most %zu)", len, limit);
        return NULL;
    }
    if (check_text(ps, start, len) < 0)
        return NULL;

    while (len > 0 && (*start == ' ' || *start == '\t'))
        start++, len--;
    if (len > 0 && *start == '[') {
        header(ps, start, len);
        if (ps->err != 0)
            return NULL;
        len = 0;
    } else if (len > 0 && *start != ';' && *start != '#') {
        ps->pending = ps->line;
        sl__clip_n(start, len, ps->pending_text, sizeof(ps->pending_text));
    }
    memcpy(buf, start, len);
    buf[len] = '\n';
    buf[len + 1] = '\0';
    return buf;
}
