/*
 * io-url.c - the URL of an io step, in the latency server's own syntax.
 *
 * Scenarios speak nanoseconds; the server speaks microseconds. Rounding up
 * keeps the promise that an io step waits at least as long as it says.
 * Tasks are spread over the server's loopback addresses by their number:
 * one server port on one address allows only as many simultaneous
 * connections as there are ephemeral ports (net.ipv4.ip_local_port_range,
 * 28232 here), and libcurl keeps the connections to one host:port in one
 * list that it walks for every new transfer.
 */
#include <inttypes.h>
#include <stdio.h>

#include "schedlab/net.h"

void sl_net_io_url_for(char *buf, size_t size, uint16_t port, uint32_t task, uint64_t delay_ns,
                       uint64_t bytes)
{
    uint64_t delay_us = delay_ns / 1000 + (delay_ns % 1000 != 0);

    snprintf(buf, size, "http://127.0.0.%u:%u/io?delay_us=%" PRIu64 "&bytes=%" PRIu64,
             (unsigned)(task % SL_NET_HOSTS + 1), (unsigned)port, delay_us, bytes);
}

void sl_net_io_url(char *buf, size_t size, uint16_t port, uint64_t delay_ns, uint64_t bytes)
{
    sl_net_io_url_for(buf, size, port, 0, delay_ns, bytes);
}
