/*
 * test-ui-theme.c - palettes and glyphs: NO_COLOR and --mono give
 * monochrome, 256 colours when the terminal has them, every task state has
 * its own colour in the 16-colour palette and its own glyph in UTF-8 and in
 * ASCII, so a state is readable with or without colour.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "schedlab/model.h"
#include "ui/theme.h"

static void test_palette_choice(void **state)
{
    unsetenv("NO_COLOR");
    assert_int_equal(sl__theme_palette(256, false), SL_PALETTE_256);
    assert_int_equal(sl__theme_palette(8, false), SL_PALETTE_16);
    assert_int_equal(sl__theme_palette(16, false), SL_PALETTE_16);
    assert_int_equal(sl__theme_palette(0, false), SL_PALETTE_MONO);
    assert_int_equal(sl__theme_palette(256, true), SL_PALETTE_MONO);
    setenv("NO_COLOR", "1", 1);
    assert_int_equal(sl__theme_palette(256, false), SL_PALETTE_MONO);
    setenv("NO_COLOR", "", 1); /* set but empty: ignored, per no-color.org */
    assert_int_equal(sl__theme_palette(256, false), SL_PALETTE_256);
    unsetenv("NO_COLOR");
}

static const int states[] = {SL_ST_QUEUED, SL_ST_READY, SL_ST_RUNNING, SL_ST_WAITING, SL_ST_FAILED};
#define N_STATES (sizeof states / sizeof states[0])

static void test_states_distinguishable(void **state)
{
    for (int p = SL_PALETTE_16; p <= SL_PALETTE_256; p++)
        for (size_t i = 0; i < N_STATES; i++)
            for (size_t j = i + 1; j < N_STATES; j++) {
                sl_style a = sl__theme_style(p, SL_ROLE_STATE(states[i]));
                sl_style b = sl__theme_style(p, SL_ROLE_STATE(states[j]));
                assert_true(a.fg != b.fg || a.bg != b.bg);
                assert_true(a.fg >= 0);
            }
    /* Monochrome: no colours at all. */
    for (int r = 0; r < SL_ROLE__COUNT; r++) {
        sl_style s = sl__theme_style(SL_PALETTE_MONO, r);
        assert_int_equal(s.fg, -1);
        assert_int_equal(s.bg, -1);
    }
}

static void test_glyphs(void **state)
{
    assert_string_equal(sl__theme_glyph(SL_ST_RUNNING, false), "█");
    assert_string_equal(sl__theme_glyph(SL_ST_READY, false), "▒");
    assert_string_equal(sl__theme_glyph(SL_ST_WAITING, false), "░");
    assert_string_equal(sl__theme_glyph(SL_ST_QUEUED, false), "·");
    assert_string_equal(sl__theme_glyph(SL_ST_DONE, false), " ");
    assert_string_equal(sl__theme_end_mark(SL_ST_DONE, false), "✓");
    assert_string_equal(sl__theme_glyph(SL_ST_FAILED, false), "✗");
    assert_string_equal(sl__theme_glyph(SL_ST_RUNNING, true), "#");
    assert_string_equal(sl__theme_glyph(SL_ST_READY, true), "=");
    assert_string_equal(sl__theme_glyph(SL_ST_WAITING, true), "-");
    assert_string_equal(sl__theme_glyph(SL_ST_QUEUED, true), ".");
    for (int ascii = 0; ascii <= 1; ascii++)
        for (size_t i = 0; i < N_STATES; i++)
            for (size_t j = i + 1; j < N_STATES; j++)
                assert_string_not_equal(sl__theme_glyph(states[i], ascii),
                                        sl__theme_glyph(states[j], ascii));
    for (int st = 0; st < SL_ST__COUNT; st++)
        for (const char *p = sl__theme_glyph(st, true); *p; p++)
            assert_true((unsigned char)*p < 0x80);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_palette_choice),
        cmocka_unit_test(test_states_distinguishable),
        cmocka_unit_test(test_glyphs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
