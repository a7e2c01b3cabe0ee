/*
 * curl-api.h - the libcurl functions the net module calls, reached through
 * sl__curl once sl__curl_load has loaded the library (curl-api.c says why it
 * is not linked). The types are libcurl's own, from its header.
 */
#ifndef SL_NET_CURL_API_H
#define SL_NET_CURL_API_H

#include <stdbool.h>

#include <curl/curl.h>

typedef struct sl__curl_api {
    CURLcode (*global_init)(long flags);
    CURL *(*easy_init)(void);
    CURLcode (*easy_setopt)(CURL *easy, CURLoption option, ...);
    CURLcode (*easy_getinfo)(CURL *easy, CURLINFO info, ...);
    CURLcode (*easy_perform)(CURL *easy);
    void (*easy_cleanup)(CURL *easy);
    const char *(*easy_strerror)(CURLcode rc);
    CURLM *(*multi_init)(void);
    CURLMcode (*multi_setopt)(CURLM *multi, CURLMoption option, ...);
    CURLMcode (*multi_add_handle)(CURLM *multi, CURL *easy);
    CURLMcode (*multi_remove_handle)(CURLM *multi, CURL *easy);
    CURLMcode (*multi_socket_action)(CURLM *multi, curl_socket_t fd, int ev_bitmask, int *running);
    CURLMcode (*multi_assign)(CURLM *multi, curl_socket_t fd, void *sockp);
    CURLMsg *(*multi_info_read)(CURLM *multi, int *left);
    CURLMcode (*multi_cleanup)(CURLM *multi);
    CURLU *(*url)(void);
    CURLUcode (*url_set)(CURLU *u, CURLUPart what, const char *part, unsigned int flags);
    CURLUcode (*url_get)(const CURLU *u, CURLUPart what, char **part, unsigned int flags);
    void (*url_cleanup)(CURLU *u);
    void (*free)(void *p);
} sl__curl_api;

/* Filled by sl__curl_load; only read after it returned 0 (every client and
 * the server call sl_net_global_init, which loads, before their first use). */
extern sl__curl_api sl__curl;

/* Loads libcurl and binds every function above, once per process (a forked
 * child inherits the result). 0, or SL_ENET with the reason on stderr. */
int sl__curl_load(void);

#endif
