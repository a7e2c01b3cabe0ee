/*
 * scenario-format.c - writing values back the way a scenario spells them.
 *
 * `schedlab check` prints step programs as written ("io 100ms..600ms 10k")
 * and messages quote what the lecturer typed; both go through here, so a
 * printed program could be pasted back into a file and load the same.
 */
#include <stdio.h>
#include <string.h>

#include "scenario/scenario-int.h"

const char *sl__clip_n(const char *s, size_t len, char *buf, size_t size)
{
    if (len < size) {
        memcpy(buf, s, len);
        buf[len] = '\0';
        return buf;
    }
    size_t keep = size - 4;
    /* Back off to a lead byte so the message stays valid UTF-8. */
    while (keep > 0 && ((unsigned char)s[keep] & 0xC0) == 0x80)
        keep--;
    memcpy(buf, s, keep);
    memcpy(buf + keep, "...", 4);
    return buf;
}

const char *sl__clip(const char *s, char *buf, size_t size)
{
    return sl__clip_n(s, strlen(s), buf, size);
}

void sl__format_ns(uint64_t ns, char *buf, size_t size)
{
    static const struct {
        uint64_t div;
        const char *unit;
    } units[] = {{1000000000, "s"}, {1000000, "ms"}, {1000, "us"}, {1, "ns"}};
    size_t u = 0;
    while (u + 1 < sizeof(units) / sizeof(units[0]) && ns < units[u].div)
        u++;
    uint64_t whole = ns / units[u].div, rem = ns % units[u].div;
    uint64_t milli = (rem * 1000 + units[u].div / 2) / units[u].div;
    if (milli == 1000)
        whole++, milli = 0;
    if (milli == 0) {
        snprintf(buf, size, "%llu%s", (unsigned long long)whole, units[u].unit);
        return;
    }
    /* milli < 1000, but the compiler cannot prove it: size for any uint64. */
    char frac[24];
    snprintf(frac, sizeof(frac), "%03llu", (unsigned long long)milli);
    for (size_t i = 2; i > 0 && frac[i] == '0'; i--)
        frac[i] = '\0';
    snprintf(buf, size, "%llu.%s%s", (unsigned long long)whole, frac, units[u].unit);
}

void sl__format_bytes(uint64_t n, char *buf, size_t size)
{
    if (n != 0 && n % (1024 * 1024) == 0)
        snprintf(buf, size, "%lluM", (unsigned long long)(n / (1024 * 1024)));
    else if (n != 0 && n % 1024 == 0)
        snprintf(buf, size, "%lluk", (unsigned long long)(n / 1024));
    else
        snprintf(buf, size, "%llu", (unsigned long long)n);
}

typedef void (*format_fn)(uint64_t v, char *buf, size_t size);

/* 10000000 -> "10_000_000", as a lesson would write it. */
static void format_plain(uint64_t v, char *buf, size_t size)
{
    char digits[24];
    int n = snprintf(digits, sizeof(digits), "%llu", (unsigned long long)v);
    size_t o = 0;
    for (int i = 0; i < n && o + 2 < size; i++) {
        if (i > 0 && n >= 5 && (n - i) % 3 == 0)
            buf[o++] = '_';
        buf[o++] = digits[i];
    }
    buf[o] = '\0';
}

static void format_range(sl__range r, format_fn fmt, char *buf, size_t size)
{
    char lo[32], hi[32];
    fmt(r.lo, lo, sizeof(lo));
    if (r.lo == r.hi) {
        snprintf(buf, size, "%s", lo);
        return;
    }
    fmt(r.hi, hi, sizeof(hi));
    snprintf(buf, size, "%s..%s", lo, hi);
}

void sl__format_step(const sl__step_tpl *t, char *buf, size_t size)
{
    char a[80], b[80];
    const char *name = sl_step_kind_name(t->kind);
    switch (t->kind) {
    case SL_STEP_CPU:
    case SL_STEP_SLEEP:
        format_range(t->ns, sl__format_ns, a, sizeof(a));
        snprintf(buf, size, "%s %s", name, a);
        break;
    case SL_STEP_CPU_SUMSQ:
        format_range(t->n, format_plain, a, sizeof(a));
        snprintf(buf, size, "%s %s%s", name, a, t->plus_i ? " + i" : "");
        break;
    case SL_STEP_IO:
        format_range(t->ns, sl__format_ns, a, sizeof(a));
        format_range(t->n, sl__format_bytes, b, sizeof(b));
        snprintf(buf, size, "%s %s %s", name, a, b);
        break;
    case SL_STEP_GET:
        snprintf(buf, size, "%s %s", name, t->url);
        break;
    case SL_STEP_PUT:
    case SL_STEP_TAKE:
    case SL_STEP_INC:
        format_range(t->n, format_plain, a, sizeof(a));
        if (t->n.lo == 1 && t->n.hi == 1)
            snprintf(buf, size, "%s %s", name, t->obj);
        else
            snprintf(buf, size, "%s %s %s", name, t->obj, a);
        break;
    case SL_STEP_LOCK:
    case SL_STEP_UNLOCK:
        snprintf(buf, size, "%s %s", name, t->obj);
        break;
    default:
        snprintf(buf, size, "%s", name);
        break;
    }
}
