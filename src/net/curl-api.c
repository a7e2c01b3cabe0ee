/*
 * curl-api.c - libcurl, loaded with dlopen the first time the net module
 * needs it.
 *
 * libcurl brings 28 of the 33 shared libraries schedlab would otherwise load
 * at exec (TLS, Kerberos, LDAP, SSH, IDN...). Linked normally, every process
 * schedlab starts maps them all: the forkserver, forked at the top of main,
 * would carry them into every worker it forks, and each mapping is a little
 * more for fork to copy (a bare fork of that image costs 0.9 ms here, against
 * 0.55 ms without them). Loaded here, they appear only in the processes that
 * open a connection: the app once its engine starts, a worker whose tasks
 * use the network, and the forkserver when a run with network steps asks it
 * to preload them (forkserver.c), as Python's set_forkserver_preload does
 * for modules. Nothing else changes: the functions are libcurl's own.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>

#include "net/curl-api.h"
#include "schedlab/error.h"

/* libcurl's soname since 7.16 (2006), in every flavour Debian ships. */
#define LIBCURL_SONAME "libcurl.so.4"

sl__curl_api sl__curl;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int load_rc;

/* One symbol into *slot; false (and a sentence on stderr) if it is missing. */
static bool bind_symbol(void *lib, const char *name, void **slot)
{
    *slot = dlsym(lib, name);
    if (*slot == NULL)
        fprintf(stderr, "schedlab: %s has no %s: libcurl 7.62 or newer is needed\n", LIBCURL_SONAME,
                name);
    return *slot != NULL;
}

static void load_once(void)
{
    void *lib = dlopen(LIBCURL_SONAME, RTLD_NOW | RTLD_LOCAL);
    if (lib == NULL) {
        fprintf(stderr, "schedlab: cannot load %s: %s (install libcurl4)\n", LIBCURL_SONAME,
                dlerror());
        load_rc = SL_ENET;
        return;
    }
    struct {
        const char *name;
        void **slot;
    } table[] = {
        {"curl_global_init", (void **)&sl__curl.global_init},
        {"curl_easy_init", (void **)&sl__curl.easy_init},
        {"curl_easy_setopt", (void **)&sl__curl.easy_setopt},
        {"curl_easy_getinfo", (void **)&sl__curl.easy_getinfo},
        {"curl_easy_perform", (void **)&sl__curl.easy_perform},
        {"curl_easy_cleanup", (void **)&sl__curl.easy_cleanup},
        {"curl_easy_strerror", (void **)&sl__curl.easy_strerror},
        {"curl_multi_init", (void **)&sl__curl.multi_init},
        {"curl_multi_setopt", (void **)&sl__curl.multi_setopt},
        {"curl_multi_add_handle", (void **)&sl__curl.multi_add_handle},
        {"curl_multi_remove_handle", (void **)&sl__curl.multi_remove_handle},
        {"curl_multi_socket_action", (void **)&sl__curl.multi_socket_action},
        {"curl_multi_assign", (void **)&sl__curl.multi_assign},
        {"curl_multi_info_read", (void **)&sl__curl.multi_info_read},
        {"curl_multi_cleanup", (void **)&sl__curl.multi_cleanup},
        {"curl_url", (void **)&sl__curl.url},
        {"curl_url_set", (void **)&sl__curl.url_set},
        {"curl_url_get", (void **)&sl__curl.url_get},
        {"curl_url_cleanup", (void **)&sl__curl.url_cleanup},
        {"curl_free", (void **)&sl__curl.free},
    };
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
        if (!bind_symbol(lib, table[i].name, table[i].slot)) {
            load_rc = SL_ENET;
            return;
        }
}

int sl__curl_load(void)
{
    pthread_once(&once, load_once);
    return load_rc;
}
