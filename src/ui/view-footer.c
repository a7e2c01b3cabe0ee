/*
 * view-footer.c - the main keys, from the binding table in rank order, so a
 * narrow terminal still shows help and quit first.
 */
#include "ui/view.h"

void sl__view_footer(const sl_ui *ui, sl_rect r)
{
    sl__term_fill(r, SL_ROLE_FOOTER);
    int x = r.x + 1, end = r.x + r.w;
    for (int rank = 1; rank <= (int)ui->n_bindings; rank++) {
        for (size_t i = 0; i < ui->n_bindings; i++) {
            const sl_binding *b = &ui->bindings[i];
            if (!b->footer || b->rank != rank)
                continue;
            const char *label = sl__binding_label(b, ui->ascii);
            int w = sl__term_width(label) + sl__term_width(b->footer) + 2;
            if (x + w > end)
                return;
            x += sl__term_put(r.y, x, -1, SL_ROLE_KEY, label);
            x += sl__term_putf(r.y, x, -1, SL_ROLE_FOOTER, " %s  ", b->footer);
        }
    }
}
