/*
 * cmd-serve.c - `schedlab serve [--port N]`: the loopback latency server
 * alone, so that other programs (the CPython versions of the lessons in
 * tools/python/) wait on the very server schedlab's io steps wait on.
 */
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "schedlab/cli.h"
#include "schedlab/error.h"
#include "schedlab/net.h"

int sl_cmd_serve_help(void)
{
    printf("usage: schedlab serve [--port N]\n\n"
           "Runs the loopback latency server alone until Ctrl-C or SIGTERM. It listens on\n"
           "127.0.0.1 to 127.0.0.%d, one port for all, and answers\n"
           "GET /io?delay_us=D&bytes=B after D microseconds with B bytes, as it answers\n"
           "the io steps of a run.\n\n"
           "options:\n"
           "  -p, --port N   the port (default: an ephemeral one, printed)\n"
           "  -h, --help     this text\n\n"
           "exit: 0 stopped by a signal, 2 bad usage, 3 the port is taken or the server\n"
           "      cannot start\n",
           SL_NET_HOSTS);
    return SL_EXIT_SUCCESS;
}

int sl_cmd_serve(int argc, char **argv)
{
    static const struct option longs[] = {{"port", required_argument, NULL, 'p'},
                                          {NULL, 0, NULL, 0}};
    unsigned long port = 0;
    optind = 1;
    for (int c; (c = getopt_long(argc, argv, "p:", longs, NULL)) != -1;) {
        char *end;
        if (c != 'p') {
            fprintf(stderr, "see `schedlab serve --help`\n");
            return SL_EXIT_USAGE;
        }
        port = strtoul(optarg, &end, 10);
        if (*end != '\0' || port == 0 || port > 65535) {
            fprintf(stderr, "schedlab serve: --port must be a number from 1 to 65535, not '%s'\n",
                    optarg);
            return SL_EXIT_USAGE;
        }
    }
    if (optind != argc) {
        fprintf(stderr, "schedlab serve: unexpected '%s', see `schedlab serve --help`\n",
                argv[optind]);
        return SL_EXIT_USAGE;
    }
    /* Blocked before the server's thread starts, so that it inherits the
     * mask and only sigwait below ever takes them. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    sl_net_server *s;
    int err = sl_net_server_start_on(&s, (uint16_t)port);
    if (err < 0) {
        if (port != 0)
            fprintf(stderr, "schedlab serve: cannot listen on port %lu of 127.0.0.1..%d: %s\n",
                    port, SL_NET_HOSTS, sl_strerror(err));
        else
            fprintf(stderr, "schedlab serve: cannot start the server: %s\n", sl_strerror(err));
        return SL_EXIT_INTERNAL;
    }
    printf("schedlab serve: http://127.0.0.1:%u/io?delay_us=D&bytes=B (also 127.0.0.2..%d), "
           "Ctrl-C stops\n",
           (unsigned)sl_net_server_port(s), SL_NET_HOSTS);
    fflush(stdout);
    int sig;
    sigwait(&stop, &sig);
    printf("schedlab serve: %llu requests on %llu connections\n",
           (unsigned long long)sl_net_server_requests(s),
           (unsigned long long)sl_net_server_connections(s));
    return sl_net_server_stop(s) < 0 ? SL_EXIT_INTERNAL : SL_EXIT_SUCCESS;
}
