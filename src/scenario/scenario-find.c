/*
 * scenario-find.c - where lessons live: resolving `io-download` to a file.
 *
 * A lecturer types a lesson name, from any directory, with the binary run
 * from the build tree or installed. So a name is looked up, in order, in
 *   ./assets/scenarios                      (run from a source checkout)
 *   SL_ASSETS_DIR/scenarios                 (the source tree it was built from)
 *   SL_INSTALLED_ASSETS_DIR/scenarios       (`cmake --install` prefix)
 *   <exe dir>/../assets/scenarios           (a relocated build tree)
 *   <exe dir>/../share/schedlab/scenarios   (a relocated install)
 * and anything that is already a readable file is taken as it is; a path
 * that exists but is no readable file is handed to the loader to explain.
 */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "schedlab/error.h"
#include "schedlab/file.h"
#include "scenario/scenario-int.h"

#define MAX_DIRS 5

typedef struct dir_list {
    char path[MAX_DIRS][PATH_MAX];
    int n;
} dir_list;

static void add_dir(dir_list *d, const char *a, const char *b)
{
    int w = snprintf(d->path[d->n], PATH_MAX, "%s%s", a, b);
    if (w > 0 && w < PATH_MAX)
        d->n++;
}

static void search_dirs(dir_list *d)
{
    d->n = 0;
    add_dir(d, "assets/scenarios", "");
#ifdef SL_ASSETS_DIR
    add_dir(d, SL_ASSETS_DIR, "/scenarios");
#endif
#ifdef SL_INSTALLED_ASSETS_DIR
    add_dir(d, SL_INSTALLED_ASSETS_DIR, "/scenarios");
#endif
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash != NULL) {
            *slash = '\0';
            add_dir(d, exe, "/../assets/scenarios");
            add_dir(d, exe, "/../share/schedlab/scenarios");
        }
    }
}

static bool is_readable_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, R_OK) == 0;
}

static bool has_ini_suffix(const char *name)
{
    size_t n = strlen(name);
    return n > 4 && strcmp(name + n - 4, ".ini") == 0;
}

static int copy_out(const char *path, char *buf, size_t size)
{
    int w = snprintf(buf, size, "%s", path);
    return w >= 0 && (size_t)w < size ? 0 : SL_EINVAL;
}

int sl_scenario_resolve(const char *name_or_path, char *buf, size_t size)
{
    if (name_or_path == NULL || *name_or_path == '\0' || buf == NULL || size == 0)
        return SL_EINVAL;
    if (is_readable_file(name_or_path))
        return copy_out(name_or_path, buf, size);
    if (strchr(name_or_path, '/') == NULL) {
        dir_list dirs;
        search_dirs(&dirs);
        const char *suffix = has_ini_suffix(name_or_path) ? "" : ".ini";
        for (int i = 0; i < dirs.n; i++) {
            char path[PATH_MAX];
            int w = snprintf(path, sizeof(path), "%s/%s%s", dirs.path[i], name_or_path, suffix);
            if (w > 0 && w < (int)sizeof(path) && is_readable_file(path))
                return copy_out(path, buf, size);
        }
    }
    /* Something is there but cannot be read as a lesson (no permission, a
     * directory, a FIFO): the loader says which, rather than "no such file". */
    if (sl_file_exists(name_or_path))
        return copy_out(name_or_path, buf, size);
    return SL_ENOENT;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_names(char **names, int n)
{
    for (int i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

/* Lesson names in `dir` (sorted, NULL-terminated) or a negative error. */
static int list_dir(const char *dir, DIR *d, char ***out)
{
    int n = 0, cap = 8;
    char **names = malloc((size_t)(cap + 1) * sizeof(*names));
    if (names == NULL)
        return SL_ENOMEM;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        char path[PATH_MAX];
        int w = snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        if (e->d_name[0] == '.' || !has_ini_suffix(e->d_name) || w <= 0 || w >= (int)sizeof(path) ||
            !is_readable_file(path))
            continue;
        if (n == cap) {
            char **grown = realloc(names, (size_t)(2 * cap + 1) * sizeof(*names));
            if (grown == NULL) {
                free_names(names, n);
                return SL_ENOMEM;
            }
            names = grown;
            cap *= 2;
        }
        names[n] = strndup(e->d_name, strlen(e->d_name) - 4);
        if (names[n] == NULL) {
            free_names(names, n);
            return SL_ENOMEM;
        }
        n++;
    }
    qsort(names, (size_t)n, sizeof(*names), by_name);
    names[n] = NULL;
    *out = names;
    return n;
}

int sl_scenario_list(char ***names)
{
    if (names == NULL)
        return SL_EINVAL;
    *names = NULL;
    dir_list dirs;
    search_dirs(&dirs);
    for (int i = 0; i < dirs.n; i++) {
        DIR *d = opendir(dirs.path[i]);
        if (d == NULL)
            continue;
        int n = list_dir(dirs.path[i], d, names);
        closedir(d);
        return n;
    }
    return SL_ENOENT;
}
