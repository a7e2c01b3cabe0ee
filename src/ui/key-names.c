/*
 * key-names.c - keys by name and names of keys, as demo scripts and the
 * config file's [keys] write them ("Space", "Down", "q"). One table, read
 * both ways, so the help overlay names a remap as the user wrote it.
 */
#include <stdio.h>
#include <strings.h>

#include "schedlab/ui.h"

/* The first name of a key is how it is written back; the others are
 * accepted aliases. */
static const struct {
    const char *name;
    int key;
} key_names[] = {
    {"Space", ' '},
    {"Enter", SL_KEY_ENTER},
    {"Return", SL_KEY_ENTER},
    {"Tab", SL_KEY_TAB},
    {"BTab", SL_KEY_BTAB},
    {"S-Tab", SL_KEY_BTAB},
    {"Esc", SL_KEY_ESC},
    {"Escape", SL_KEY_ESC},
    {"Left", SL_KEY_LEFT},
    {"Right", SL_KEY_RIGHT},
    {"Up", SL_KEY_UP},
    {"Down", SL_KEY_DOWN},
    {"Home", SL_KEY_HOME},
    {"End", SL_KEY_END},
    {"PgUp", SL_KEY_PGUP},
    {"PgDn", SL_KEY_PGDN},
    {"Backspace", SL_KEY_BACKSPACE},
    {"Ctrl-L", 12},
};

int sl_key_by_name(const char *name)
{
    if (name[0] && !name[1] && name[0] > ' ' && name[0] < 0x7F)
        return (unsigned char)name[0];
    for (size_t i = 0; i < sizeof key_names / sizeof key_names[0]; i++)
        if (strcasecmp(name, key_names[i].name) == 0)
            return key_names[i].key;
    return SL_KEY_NONE;
}

const char *sl_key_name(int key, char *buf, size_t size)
{
    for (size_t i = 0; i < sizeof key_names / sizeof key_names[0]; i++)
        if (key_names[i].key == key)
            return key_names[i].name;
    if (key > ' ' && key < 0x7F)
        snprintf(buf, size, "%c", key);
    else
        snprintf(buf, size, "key %d", key);
    return buf;
}
