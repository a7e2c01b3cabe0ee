/*
 * test-ui-contrast.c - legible on a projector: in the 16-colour palette each
 * task state's colour has a contrast ratio of at least 3:1 (WCAG 2) against
 * the default background, computed from the RGB values of xterm's standard
 * palette (background: colour 0, black; the default foreground: colour 7).
 * A dim attribute counts as half the colour's intensity, bold as nothing.
 * And every state keeps its own mark, in UTF-8 and in ASCII: colour alone
 * never tells two states apart.
 */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "schedlab/model.h"
#include "schedlab/ui.h"
#include "ui/theme.h"

/* xterm's default colours 0-15 (its charproc.c / XTerm app-defaults). */
static const unsigned char xterm16[16][3] = {
    {0x00, 0x00, 0x00}, {0xcd, 0x00, 0x00}, {0x00, 0xcd, 0x00}, {0xcd, 0xcd, 0x00},
    {0x00, 0x00, 0xee}, {0xcd, 0x00, 0xcd}, {0x00, 0xcd, 0xcd}, {0xe5, 0xe5, 0xe5},
    {0x7f, 0x7f, 0x7f}, {0xff, 0x00, 0x00}, {0x00, 0xff, 0x00}, {0xff, 0xff, 0x00},
    {0x5c, 0x5c, 0xff}, {0xff, 0x00, 0xff}, {0x00, 0xff, 0xff}, {0xff, 0xff, 0xff},
};
#define DEFAULT_FG 7
#define DEFAULT_BG 0

static double channel(double c)
{
    c /= 255.0;
    return c <= 0.03928 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4);
}

/* WCAG relative luminance of a colour, dimmed to half if `dim`. */
static double luminance(int colour, bool dim)
{
    const unsigned char *rgb = xterm16[colour];
    double k = dim ? 0.5 : 1.0;
    return 0.2126 * channel(rgb[0] * k) + 0.7152 * channel(rgb[1] * k) +
           0.0722 * channel(rgb[2] * k);
}

static double contrast(double a, double b)
{
    double hi = a > b ? a : b, lo = a > b ? b : a;
    return (hi + 0.05) / (lo + 0.05);
}

/* The computation itself, on values known by heart. */
static void test_contrast_formula(void **state)
{
    assert_true(fabs(contrast(luminance(15, false), luminance(0, false)) - 21.0) < 1e-9);
    /* xterm's dark blue on black: the unreadable waiting colour of old. */
    double blue = contrast(luminance(4, false), luminance(0, false));
    assert_true(blue > 2.0 && blue < 2.5);
}

static void test_states_readable_in_16_colours(void **state)
{
    for (int st = 0; st < SL_ST__COUNT; st++) {
        if (st == SL_ST_NEW)
            continue; /* not there yet: nothing is drawn */
        sl_style s = sl__theme_style(SL_PALETTE_16, SL_ROLE_STATE(st));
        int fg = s.fg < 0 ? DEFAULT_FG : s.fg, bg = s.bg < 0 ? DEFAULT_BG : s.bg;
        assert_true(fg >= 0 && fg < 16);
        assert_true(bg >= 0 && bg < 16);
        double r = contrast(luminance(fg, s.dim), luminance(bg, false));
        if (r < 3.0)
            fail_msg("state %s: colour %d on %d has contrast %.2f:1, below 3:1", sl_state_name(st),
                     fg, bg, r);
    }
}

/* The projector theme: no role is dim, and every role's text (states and
 * chrome alike) keeps 4.5:1 (WCAG AA for text) against its background. */
static void test_projector_theme(void **state)
{
    for (int role = 0; role < SL_ROLE__COUNT; role++) {
        sl_style s = sl__theme_style(SL_PALETTE_PROJECTOR, role);
        if (s.dim)
            fail_msg("role %d is dim in the projector theme", role);
        int fg = s.fg < 0 ? DEFAULT_FG : s.fg, bg = s.bg < 0 ? DEFAULT_BG : s.bg;
        assert_true(fg >= 0 && fg < 16);
        assert_true(bg >= 0 && bg < 16);
        double r = contrast(luminance(fg, false), luminance(bg, false));
        if (r < 4.5)
            fail_msg("role %d: colour %d on %d has contrast %.2f:1, below 4.5:1", role, fg, bg, r);
    }
    /* The theme picks it wherever there are colours; mono stays mono. */
    assert_int_equal(sl__theme_pick(SL_PALETTE_16, SL_THEME_PROJECTOR), SL_PALETTE_PROJECTOR);
    assert_int_equal(sl__theme_pick(SL_PALETTE_256, SL_THEME_PROJECTOR), SL_PALETTE_PROJECTOR);
    assert_int_equal(sl__theme_pick(SL_PALETTE_MONO, SL_THEME_PROJECTOR), SL_PALETTE_MONO);
    assert_int_equal(sl__theme_pick(SL_PALETTE_256, SL_THEME_MONO), SL_PALETTE_MONO);
    assert_int_equal(sl__theme_pick(SL_PALETTE_256, SL_THEME_DEFAULT), SL_PALETTE_256);
    assert_int_equal(sl_theme_parse("projector"), SL_THEME_PROJECTOR);
    assert_int_equal(sl_theme_parse("neon"), -1);
    assert_string_equal(sl_theme_name(SL_THEME_MONO), "mono");
}

static void test_every_state_has_its_own_mark(void **state)
{
    for (int ascii = 0; ascii < 2; ascii++) {
        for (int a = 0; a < SL_ST__COUNT; a++) {
            if (a == SL_ST_NEW)
                continue;
            const char *ma = sl__theme_end_mark(a, ascii);
            if (strcmp(ma, " ") == 0)
                fail_msg("state %s has a blank mark", sl_state_name(a));
            for (int b = a + 1; b < SL_ST__COUNT; b++)
                if (b != SL_ST_NEW && strcmp(ma, sl__theme_end_mark(b, ascii)) == 0)
                    fail_msg("%s and %s share the mark '%s'%s", sl_state_name(a), sl_state_name(b),
                             ma, ascii ? " in ASCII" : "");
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_contrast_formula),
        cmocka_unit_test(test_states_readable_in_16_colours),
        cmocka_unit_test(test_every_state_has_its_own_mark),
        cmocka_unit_test(test_projector_theme),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
