/*
 * scenario-steps.c - the step grammar: `cpu 2ms`, `io 300ms..1200ms 20k`...
 *
 *   cpu <duration>            sleep <duration>          yield
 *   cpu-sumsq <n> [+ i]       io <delay> [<bytes>]      get <http(s) url>
 *   put <queue> [n]           take <queue> [n]          inc <counter> [n]
 *   lock <name>               unlock <name>
 *
 * Object names are checked for their spelling here and resolved once the
 * whole file is read (scenario-objects.c).
 * Every duration, size and n may be a range `a..b` (drawn per task from the
 * seed at expansion). Numbers are parsed exactly, digit by digit, never via
 * strtod: "1.1s" must be 1100000000 ns on every machine, and a seed-stable
 * lesson must not depend on float rounding. Underscores may group digits.
 */
#include <stdio.h>
#include <string.h>

#include "schedlab/error.h"
#include "scenario/scenario-int.h"

#define MAX_TOKENS 4
#define MAX_FRACTION_DIGITS 9

static const uint64_t pow10[] = {1,      10,      100,      1000,      10000,
                                 100000, 1000000, 10000000, 100000000, 1000000000};

/* Digits with single underscores between them, from s up to the first other
 * character; *end points there. Returns the number of digits read, or -1 for
 * a misplaced underscore or a value beyond UINT64_MAX. */
static int scan_digits(const char *s, uint64_t *value, const char **end)
{
    uint64_t v = 0;
    int digits = 0;
    const char *p = s;
    *end = s;
    for (;; p++) {
        if (*p >= '0' && *p <= '9') {
            unsigned d = (unsigned)(*p - '0');
            if (v > (UINT64_MAX - d) / 10)
                return -1;
            v = v * 10 + d;
            digits++;
        } else if (*p == '_') {
            if (digits == 0 || p[1] < '0' || p[1] > '9')
                return -1;
        } else {
            break;
        }
    }
    *value = v;
    *end = p;
    return digits;
}

int sl__parse_uint(const char *tok, uint64_t max, uint64_t *out)
{
    const char *end;
    uint64_t v;
    int digits = scan_digits(tok, &v, &end);
    if (digits < 0 && tok[0] != '\0' && strspn(tok, "0123456789") == strlen(tok))
        return SL_ELIMIT;
    if (digits <= 0 || *end != '\0')
        return SL_EPARSE;
    if (v > max)
        return SL_ELIMIT;
    *out = v;
    return 0;
}

int sl__parse_decimal(const char *tok, double *out)
{
    const char *end;
    uint64_t whole, frac = 0;
    int fd = 0;
    if (scan_digits(tok, &whole, &end) <= 0)
        return SL_EPARSE;
    if (*end == '.') {
        const char *fs = end + 1;
        fd = scan_digits(fs, &frac, &end);
        if (fd <= 0 || fd > MAX_FRACTION_DIGITS)
            return SL_EPARSE;
    }
    if (*end != '\0' || whole > 1000000000000ull)
        return SL_EPARSE;
    *out = (double)whole + (double)frac / (double)pow10[fd];
    return 0;
}

static uint64_t unit_ns(const char *u)
{
    if (strcmp(u, "ns") == 0)
        return 1;
    /* "us", the micro sign U+00B5 and the Greek mu U+03BC all mean µs. */
    if (strcmp(u, "us") == 0 || strcmp(u, "\xC2\xB5s") == 0 || strcmp(u, "\xCE\xBCs") == 0)
        return 1000;
    if (strcmp(u, "ms") == 0)
        return 1000000;
    if (strcmp(u, "s") == 0)
        return 1000000000;
    return 0;
}

int sl__parse_duration(const char *tok, uint64_t *ns, char *msg)
{
    char q[64];
    const char *end;
    uint64_t whole, frac = 0;
    int fd = 0;
    int wd = scan_digits(tok, &whole, &end);
    if (wd > 0 && *end == '.') {
        fd = scan_digits(end + 1, &frac, &end);
        if (fd <= 0 || fd > MAX_FRACTION_DIGITS)
            fd = -1;
    }
    uint64_t unit = wd > 0 && fd >= 0 ? unit_ns(end) : 0;
    if (unit == 0) {
        snprintf(
            msg, SL__MSG_MAX,
            "bad duration '%s' (expected a number and a unit: ns, us, µs, ms or s, e.g. 300ms)",
            sl__clip(tok, q, sizeof(q)));
        return SL_EPARSE;
    }
    if (whole > SL__MAX_NS / unit) {
        snprintf(msg, SL__MSG_MAX, "duration '%s' is too long (at most 3600s)",
                 sl__clip(tok, q, sizeof(q)));
        return SL_EPARSE;
    }
    if ((frac * unit) % pow10[fd] != 0) {
        snprintf(msg, SL__MSG_MAX, "duration '%s' is finer than 1ns", sl__clip(tok, q, sizeof(q)));
        return SL_EPARSE;
    }
    uint64_t v = whole * unit + frac * unit / pow10[fd];
    if (v > SL__MAX_NS) {
        snprintf(msg, SL__MSG_MAX, "duration '%s' is too long (at most 3600s)",
                 sl__clip(tok, q, sizeof(q)));
        return SL_EPARSE;
    }
    *ns = v;
    return 0;
}

static int parse_size(const char *tok, uint64_t *bytes, char *msg)
{
    char q[64];
    const char *end;
    uint64_t v, mult = 1;
    int digits = scan_digits(tok, &v, &end);
    if (*end == 'k' || *end == 'K')
        mult = 1024, end++;
    else if (*end == 'm' || *end == 'M')
        mult = 1024 * 1024, end++;
    if (digits <= 0 || *end != '\0') {
        snprintf(msg, SL__MSG_MAX,
                 "bad size '%s' (expected bytes with an optional k or M suffix, e.g. 20k)",
                 sl__clip(tok, q, sizeof(q)));
        return SL_EPARSE;
    }
    if (v > SL__MAX_BYTES / mult) {
        snprintf(msg, SL__MSG_MAX, "size '%s' is too large (at most 1024M)",
                 sl__clip(tok, q, sizeof(q)));
        return SL_EPARSE;
    }
    *bytes = v * mult;
    return 0;
}

static int parse_count(const char *tok, uint64_t *n, char *msg)
{
    char q[64];
    int rc = sl__parse_uint(tok, SL__MAX_SUMSQ, n);
    if (rc == SL_ELIMIT)
        snprintf(msg, SL__MSG_MAX, "cpu-sumsq count '%s' is too large (at most 1000000000000)",
                 sl__clip(tok, q, sizeof(q)));
    else if (rc < 0)
        snprintf(msg, SL__MSG_MAX,
                 "bad cpu-sumsq count '%s' (expected a whole number, optionally '+ i', "
                 "e.g. 10_000_000 + i)",
                 sl__clip(tok, q, sizeof(q)));
    return rc < 0 ? SL_EPARSE : 0;
}

/* The n of put, take and inc: how many items or increments. */
static int parse_items(const char *tok, uint64_t *n, char *msg)
{
    char q[64];
    if (sl__parse_uint(tok, SL_SCENARIO_MAX_ITEMS, n) < 0 || *n == 0) {
        snprintf(msg, SL__MSG_MAX, "bad count '%s' (expected a whole number from 1 to %u, e.g. 3)",
                 sl__clip(tok, q, sizeof(q)), SL_SCENARIO_MAX_ITEMS);
        return SL_EPARSE;
    }
    return 0;
}

typedef int (*value_fn)(const char *tok, uint64_t *v, char *msg);

/* `a` or `a..b` with a <= b. */
static int parse_range(const char *tok, value_fn parse, sl__range *r, char *msg)
{
    char lo[256], q[64];
    const char *dots = strstr(tok, "..");
    if (dots == NULL) {
        if (parse(tok, &r->lo, msg) < 0)
            return SL_EPARSE;
        r->hi = r->lo;
        return 0;
    }
    size_t n = (size_t)(dots - tok);
    if (n >= sizeof(lo))
        n = sizeof(lo) - 1;
    memcpy(lo, tok, n);
    lo[n] = '\0';
    if (parse(lo, &r->lo, msg) < 0 || parse(dots + 2, &r->hi, msg) < 0)
        return SL_EPARSE;
    if (r->lo > r->hi) {
        snprintf(msg, SL__MSG_MAX, "range '%s' is reversed (write the smaller value first)",
                 sl__clip(tok, q, sizeof(q)));
        return SL_EPARSE;
    }
    return 0;
}

static int parse_url(const char *tok, char **url, char *msg)
{
    char q[64];
    const char *host = NULL;
    if (strncmp(tok, "http://", 7) == 0)
        host = tok + 7;
    else if (strncmp(tok, "https://", 8) == 0)
        host = tok + 8;
    bool printable = true;
    for (const char *p = tok; *p != '\0'; p++)
        if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7F)
            printable = false;
    if (host == NULL || *host == '\0' || *host == '/' || !printable) {
        snprintf(msg, SL__MSG_MAX, "get needs an http:// or https:// URL, got '%s'",
                 sl__clip(tok, q, sizeof(q)));
        return SL_EPARSE;
    }
    *url = strdup(tok);
    return *url == NULL ? SL_ENOMEM : 0;
}

/* cpu-sumsq takes the rest of the line: `10_000_000 + i` reads naturally
 * with spaces, so the tokens are joined before parsing. */
static int parse_sumsq(char **tok, int ntok, sl__step_tpl *out, char *msg)
{
    char joined[256] = "";
    size_t len = 0;
    for (int i = 1; i < ntok; i++) {
        size_t n = strlen(tok[i]);
        if (len + n >= sizeof(joined))
            break;
        memcpy(joined + len, tok[i], n + 1);
        len += n;
    }
    if (len == 0) {
        snprintf(msg, SL__MSG_MAX, "cpu-sumsq needs a count, e.g. 'cpu-sumsq 10_000_000 + i'");
        return SL_EPARSE;
    }
    if (len >= 2 && strcmp(joined + len - 2, "+i") == 0) {
        out->plus_i = true;
        joined[len - 2] = '\0';
    }
    if (parse_range(joined, parse_count, &out->n, msg) < 0)
        return SL_EPARSE;
    if (out->n.lo == 0) {
        snprintf(msg, SL__MSG_MAX, "cpu-sumsq count must be at least 1");
        return SL_EPARSE;
    }
    return 0;
}

static int expect_args(char **tok, int ntok, int min, int max, const char *usage, char *msg)
{
    char q[64];
    if (ntok - 1 < min) {
        snprintf(msg, SL__MSG_MAX, "%s needs %s", tok[0], usage);
        return SL_EPARSE;
    }
    if (ntok - 1 > max) {
        snprintf(msg, SL__MSG_MAX, "%s takes %s, got extra '%s'", tok[0],
                 max == 0 ? "no argument" : usage, sl__clip(tok[max + 1], q, sizeof(q)));
        return SL_EPARSE;
    }
    return 0;
}

/* put/take/inc <name> [n], lock/unlock <name>. */
static int parse_object_step(char **tok, int ntok, sl__step_tpl *out, char *msg)
{
    char q[64];
    bool counted =
        out->kind == SL_STEP_PUT || out->kind == SL_STEP_TAKE || out->kind == SL_STEP_INC;
    const char *usage = out->kind == SL_STEP_INC
                            ? "a counter name and an optional count, e.g. hits 100"
                        : counted ? "a queue name and an optional count, e.g. jobs 3"
                                  : "a lock name, e.g. m";
    if (expect_args(tok, ntok, 1, counted ? 2 : 1, usage, msg) < 0)
        return SL_EPARSE;
    if (!sl__valid_name(tok[1])) {
        snprintf(msg, SL__MSG_MAX, "bad name '%s' (use up to %d letters, digits, '-', '_' or '.')",
                 sl__clip(tok[1], q, sizeof(q)), SL__NAME_MAX);
        return SL_EPARSE;
    }
    out->n.lo = out->n.hi = 1;
    if (ntok == 3 && parse_range(tok[2], parse_items, &out->n, msg) < 0)
        return SL_EPARSE;
    out->obj = strdup(tok[1]);
    return out->obj == NULL ? SL_ENOMEM : 0;
}

static int parse_args(char **tok, int ntok, sl__step_tpl *out, char *msg)
{
    switch (out->kind) {
    case SL_STEP_CPU:
    case SL_STEP_SLEEP:
        if (expect_args(tok, ntok, 1, 1, "one duration, e.g. 2ms", msg) < 0 ||
            parse_range(tok[1], sl__parse_duration, &out->ns, msg) < 0)
            return SL_EPARSE;
        if (out->ns.lo == 0) {
            snprintf(msg, SL__MSG_MAX, "%s duration must be greater than 0", tok[0]);
            return SL_EPARSE;
        }
        return 0;
    case SL_STEP_IO:
        if (expect_args(tok, ntok, 1, 2, "a delay and an optional size, e.g. 300ms 20k", msg) < 0 ||
            parse_range(tok[1], sl__parse_duration, &out->ns, msg) < 0)
            return SL_EPARSE;
        out->n.lo = out->n.hi = 1024;
        return ntok == 3 ? parse_range(tok[2], parse_size, &out->n, msg) : 0;
    case SL_STEP_GET:
        if (expect_args(tok, ntok, 1, 1, "one http:// or https:// URL", msg) < 0)
            return SL_EPARSE;
        return parse_url(tok[1], &out->url, msg);
    case SL_STEP_YIELD:
        return expect_args(tok, ntok, 0, 0, "no argument", msg);
    case SL_STEP_CPU_SUMSQ:
        return parse_sumsq(tok, ntok, out, msg);
    default:
        return parse_object_step(tok, ntok, out, msg);
    }
}

int sl__step_parse(const char *text, sl__step_tpl *out, char *msg)
{
    char buf[256], q[64];
    char *tok[MAX_TOKENS + 8];
    int ntok = 0;
    memset(out, 0, sizeof(*out));
    out->obj_index = SL__NO_OBJ;
    if (strlen(text) >= sizeof(buf)) {
        snprintf(msg, SL__MSG_MAX, "step is too long");
        return SL_EPARSE;
    }
    strcpy(buf, text);
    /* cpu-sumsq may spread over several tokens; others take at most three. */
    for (char *save = NULL, *t = strtok_r(buf, " \t", &save);
         t != NULL && ntok < (int)(sizeof(tok) / sizeof(tok[0])); t = strtok_r(NULL, " \t", &save))
        tok[ntok++] = t;
    if (ntok == 0) {
        snprintf(msg, SL__MSG_MAX, "empty step (expected %s)", sl__step_kinds_expected);
        return SL_EPARSE;
    }
    int kind = sl__step_kind_find(tok[0]);
    if (kind == SL_STEP__COUNT) {
        snprintf(msg, SL__MSG_MAX, "unknown step '%s' (expected %s)",
                 sl__clip(tok[0], q, sizeof(q)), sl__step_kinds_expected);
        return SL_EPARSE;
    }
    out->kind = (uint8_t)kind;
    int rc = parse_args(tok, ntok, out, msg);
    if (rc == SL_ENOMEM)
        snprintf(msg, SL__MSG_MAX, "out of memory");
    return rc;
}
