/*
 * export-text.c - escaping and number formatting shared by the exporters.
 *
 * Task names come from scenario files written by hand, so they may hold
 * quotes, ampersands or bytes that are not UTF-8. A viewer that rejects the
 * whole file for one bad byte helps nobody: every exporter escapes what its
 * format requires and replaces invalid UTF-8 with U+FFFD, so the output is
 * always valid JSON, well-formed XML and parseable CSV.
 *
 * Times are printed from integers, never through a double, so the same
 * trace gives the same bytes on every machine.
 */
#include <string.h>

#include "schedlab/export.h"

/* Length of the valid UTF-8 sequence at p (1-4), or 0 if it is not one. */
static size_t utf8_len(const unsigned char *p)
{
    if (p[0] < 0x80)
        return 1;
    size_t n;
    uint32_t min;
    if ((p[0] & 0xe0) == 0xc0) {
        n = 2;
        min = 0x80;
    } else if ((p[0] & 0xf0) == 0xe0) {
        n = 3;
        min = 0x800;
    } else if ((p[0] & 0xf8) == 0xf0) {
        n = 4;
        min = 0x10000;
    } else {
        return 0;
    }
    uint32_t cp = p[0] & (0x7f >> n);
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0; /* also stops at the NUL */
        cp = (cp << 6) | (p[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return n;
}

static const char replacement[] = "\xef\xbf\xbd";

void sl_json_string(FILE *out, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;

    fputc('"', out);
    while (*p) {
        size_t n = utf8_len(p);
        if (n == 0) {
            fputs(replacement, out);
            p++;
        } else if (*p == '"' || *p == '\\') {
            fprintf(out, "\\%c", *p++);
        } else if (*p < 0x20 || *p == 0x7f) {
            fprintf(out, "\\u%04x", *p++);
        } else {
            fwrite(p, 1, n, out);
            p += n;
        }
    }
    fputc('"', out);
}

void sl_xml_text(FILE *out, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;

    while (*p) {
        size_t n = utf8_len(p);
        if (n == 0) {
            fputs(replacement, out);
            p++;
            continue;
        }
        switch (*p) {
        case '&':
            fputs("&amp;", out);
            break;
        case '<':
            fputs("&lt;", out);
            break;
        case '>':
            fputs("&gt;", out);
            break;
        case '"':
            fputs("&quot;", out);
            break;
        case '\'':
            fputs("&apos;", out);
            break;
        default:
            /* XML 1.0 forbids most control characters even as references. */
            if (*p < 0x20 || *p == 0x7f)
                fputc(' ', out);
            else
                fwrite(p, 1, n, out);
        }
        p += n;
    }
}

void sl_csv_field(FILE *out, const char *s)
{
    if (strpbrk(s, ",\"\r\n") == NULL) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

void sl_print_ms(FILE *out, uint64_t ns)
{
    fprintf(out, "%llu.%06llu", (unsigned long long)(ns / 1000000),
            (unsigned long long)(ns % 1000000));
}

void sl_print_us(FILE *out, uint64_t ns)
{
    fprintf(out, "%llu.%03llu", (unsigned long long)(ns / 1000), (unsigned long long)(ns % 1000));
}

const char *sl_ready_cause_name(int cause)
{
    static const char *const names[SL_READY__COUNT] = {
        [SL_READY_CPU] = "cpu",
        [SL_READY_GIL] = "gil",
        [SL_READY_LOOP] = "loop",
        [SL_READY_WORKER] = "worker",
    };
    return cause >= 0 && cause < SL_READY__COUNT ? names[cause] : "?";
}

const char *sl_span_reason(const sl_span *s)
{
    if (s->state == SL_ST_READY)
        return sl_ready_cause_name(s->reason);
    if (s->state == SL_ST_WAITING)
        return sl_wait_reason_name(s->reason);
    return "";
}
