/*
 * os-switches.c - context-switch records from perf_event (see os-switches.h).
 *
 * Each CPU gets a software "dummy" event that counts nothing but asks for
 * switch records (attr.context_switch) on that whole CPU (pid = -1), stamped
 * with CLOCK_MONOTONIC (use_clockid) so they share the hooks' clock. The
 * kernel writes them into a ring buffer mapped here: the kernel advances
 * data_head, the reader advances data_tail once it has read a stretch; a
 * record that wraps around the end of the buffer is copied out whole first.
 */
#define _GNU_SOURCE
#include "trace/os-switches.h"

#include <errno.h>
#include <linux/perf_event.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "schedlab/error.h"

/* Data pages per CPU: 512 KiB holds about 10,000 switches, 20 ms of a busy
 * machine at full tilt, well above the sampler's usual period. */
#define DATA_PAGES 128u
#define MAX_CPUS 256u

typedef struct cpu_buf {
    int fd;
    struct perf_event_mmap_page *meta;
    size_t map_size;
} cpu_buf;

struct sl__switches {
    cpu_buf *cpu;
    uint32_t n;
    uint64_t lost;
    size_t page;
};

/* The record body after the header: CPU-wide switch records name the other
 * task, then carry the sample id asked for (TID, TIME, CPU, in that order). */
typedef struct switch_body {
    uint32_t next_prev_pid, next_prev_tid;
    uint32_t pid, tid;
    uint64_t time;
    uint32_t cpu, res;
} switch_body;

static int open_cpu(int cpu)
{
    struct perf_event_attr a;
    memset(&a, 0, sizeof(a));
    a.size = sizeof(a);
    a.type = PERF_TYPE_SOFTWARE;
    a.config = PERF_COUNT_SW_DUMMY;
    a.context_switch = 1;
    a.sample_id_all = 1;
    a.sample_type = PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_CPU;
    a.use_clockid = 1;
    a.clockid = CLOCK_MONOTONIC;
    a.watermark = 1;
    a.wakeup_watermark = (uint32_t)(DATA_PAGES * 4096u / 2);
    return (int)syscall(SYS_perf_event_open, &a, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
}

int sl__switches_open(sl__switches **out)
{
    *out = NULL;
    long n = sysconf(_SC_NPROCESSORS_CONF);
    if (n < 1)
        n = 1;
    if (n > (long)MAX_CPUS)
        n = MAX_CPUS;
    sl__switches *w = calloc(1, sizeof(*w));
    if (w == NULL)
        return SL_ENOMEM;
    w->cpu = calloc((size_t)n, sizeof(*w->cpu));
    if (w->cpu == NULL) {
        free(w);
        return SL_ENOMEM;
    }
    w->page = (size_t)sysconf(_SC_PAGESIZE);
    for (long c = 0; c < n; c++) {
        cpu_buf *b = &w->cpu[w->n];
        b->fd = open_cpu((int)c);
        if (b->fd < 0) {
            /* An offline CPU has no event; refusal on the first is final. */
            if (errno == ENODEV || (errno == EINVAL && c > 0))
                continue;
            sl__switches_close(w);
            return errno == ENOMEM ? SL_ENOMEM : SL_ENOTSUP;
        }
        b->map_size = (1 + DATA_PAGES) * w->page;
        void *m = mmap(NULL, b->map_size, PROT_READ | PROT_WRITE, MAP_SHARED, b->fd, 0);
        if (m == MAP_FAILED) {
            close(b->fd);
            sl__switches_close(w);
            return SL_ENOTSUP;
        }
        b->meta = m;
        w->n++;
    }
    if (w->n == 0) {
        sl__switches_close(w);
        return SL_ENOTSUP;
    }
    *out = w;
    return 0;
}

static void record(sl__switches *w, const struct perf_event_header *h, const void *body,
                   sl__switch_fn fn, void *arg)
{
    if (h->type == PERF_RECORD_LOST && h->size >= sizeof(*h) + 16) {
        uint64_t lost;
        memcpy(&lost, (const char *)body + 8, sizeof(lost));
        w->lost += lost;
        return;
    }
    if (h->type != PERF_RECORD_SWITCH_CPU_WIDE || h->size < sizeof(*h) + sizeof(switch_body))
        return;
    switch_body b;
    memcpy(&b, body, sizeof(b));
    if (b.tid == 0) /* the idle task */
        return;
    sl__switch sw = {
        .t_ns = b.time,
        .tid = (int)b.tid,
        .cpu = (uint16_t)b.cpu,
        .out = (h->misc & PERF_RECORD_MISC_SWITCH_OUT) != 0,
        .preempt = (h->misc & PERF_RECORD_MISC_SWITCH_OUT_PREEMPT) != 0,
    };
    fn(arg, &sw);
}

static void drain_cpu(sl__switches *w, cpu_buf *b, sl__switch_fn fn, void *arg)
{
    const char *data = (const char *)b->meta + w->page;
    uint64_t size = (uint64_t)DATA_PAGES * w->page;
    uint64_t head = __atomic_load_n(&b->meta->data_head, __ATOMIC_ACQUIRE);
    uint64_t tail = b->meta->data_tail;
    union {
        struct perf_event_header h;
        char bytes[256];
    } copy;
    while (tail + sizeof(struct perf_event_header) <= head) {
        uint64_t off = tail % size;
        struct perf_event_header h;
        /* The header itself may straddle the end. */
        for (size_t i = 0; i < sizeof(h); i++)
            ((char *)&h)[i] = data[(off + i) % size];
        if (h.size < sizeof(h) || tail + h.size > head)
            break;
        const char *rec = data + off;
        if (off + h.size > size) {
            size_t len = h.size < sizeof(copy) ? h.size : sizeof(copy);
            for (size_t i = 0; i < len; i++)
                copy.bytes[i] = data[(off + i) % size];
            rec = copy.bytes;
        }
        record(w, &h, rec + sizeof(h), fn, arg);
        tail += h.size;
    }
    __atomic_store_n(&b->meta->data_tail, tail, __ATOMIC_RELEASE);
}

void sl__switches_drain(sl__switches *w, sl__switch_fn fn, void *arg)
{
    for (uint32_t i = 0; i < w->n; i++)
        drain_cpu(w, &w->cpu[i], fn, arg);
}

void sl__switches_close(sl__switches *w)
{
    if (w == NULL)
        return;
    for (uint32_t i = 0; i < w->n; i++) {
        munmap(w->cpu[i].meta, w->cpu[i].map_size);
        close(w->cpu[i].fd);
    }
    free(w->cpu);
    free(w);
}
