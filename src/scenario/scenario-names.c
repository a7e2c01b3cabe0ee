/*
 * scenario-names.c - what a section's name may be, checked with an error
 * that shows the rule and an example.
 */
#include <stdbool.h>
#include <string.h>

#include "schedlab/error.h"
#include "scenario/scenario-parse.h"

bool sl__valid_name(const char *name)
{
    size_t len = strlen(name);
    if (len == 0 || len > SL__NAME_MAX)
        return false;
    for (const char *p = name; *p != '\0'; p++) {
        char c = *p;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.'))
            return false;
    }
    return true;
}

bool sl__check_section_name(sl__parser *ps, const char *kind, const char *name, const char *example)
{
    char q[64];
    if (*name == '\0') {
        sl__fail(ps, ps->line, SL_EPARSE, "[%s] needs a name, e.g. [%s %s]", kind, kind, example);
        return false;
    }
    if (!sl__valid_name(name)) {
        sl__fail(ps, ps->line, SL_EPARSE,
                 "bad %s name '%s' (use up to %d letters, digits, '-', '_' or '.')", kind,
                 sl__clip(name, q, sizeof(q)), SL__NAME_MAX);
        return false;
    }
    return true;
}
