/*
 * test-coro.c - stackful coroutines: switching, status, stacks, guard pages.
 *
 * Every test creates its coroutines on SL_TEST_CORO_BACKEND, so
 * test-coro-ucontext.c can run this whole file again on the ucontext backend
 * by defining it before including this file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "schedlab/coro.h"
#include "schedlab/error.h"

#ifndef SL_TEST_CORO_BACKEND
#define SL_TEST_CORO_BACKEND NULL
#endif

static sl_coro *make(sl_coro_fn fn, void *arg, size_t stack)
{
    sl_coro *co = NULL;
    assert_int_equal(sl_coro_create_on(&co, fn, arg, stack, SL_TEST_CORO_BACKEND), 0);
    assert_non_null(co);
    return co;
}

/* ---- ping-pong: values travel both ways through the argument ---- */

typedef struct pingpong {
    long in, out;
    int rounds;
} pingpong;

static void pingpong_body(sl_coro *co, void *arg)
{
    pingpong *p = arg;
    assert_ptr_equal(sl_coro_arg(co), arg);
    while (p->in >= 0) {
        p->out = p->in * 2 + 1;
        p->rounds++;
        sl_coro_yield(co);
    }
}

static void test_ping_pong(void **state)
{
    pingpong p = {0};
    sl_coro *co = make(pingpong_body, &p, 0);
    for (long i = 0; i < 100; i++) {
        p.in = i;
        assert_int_equal(sl_coro_resume(co), 0);
        assert_int_equal(p.out, i * 2 + 1);
        assert_int_equal(p.rounds, i + 1);
    }
    p.in = -1;
    assert_int_equal(sl_coro_resume(co), 0);
    assert_int_equal(sl_coro_status_of(co), SL_CORO_DEAD);
    assert_int_equal(p.rounds, 100);
    sl_coro_destroy(co);
}

/* ---- status transitions ---- */

static void status_body(sl_coro *co, void *arg)
{
    sl_coro_status *seen = arg;
    seen[0] = sl_coro_status_of(co);
    sl_coro_yield(co);
    seen[1] = sl_coro_status_of(co);
}

static void test_status(void **state)
{
    sl_coro_status seen[2] = {SL_CORO_DEAD, SL_CORO_DEAD};
    sl_coro *co = make(status_body, seen, 0);
    assert_int_equal(sl_coro_status_of(co), SL_CORO_SUSPENDED);
    assert_int_equal(sl_coro_resume(co), 0);
    assert_int_equal(seen[0], SL_CORO_RUNNING);
    assert_int_equal(sl_coro_status_of(co), SL_CORO_SUSPENDED);
    assert_int_equal(sl_coro_resume(co), 0);
    assert_int_equal(seen[1], SL_CORO_RUNNING);
    assert_int_equal(sl_coro_status_of(co), SL_CORO_DEAD);
    assert_int_equal(sl_coro_resume(co), SL_ESTATE);
    assert_int_equal(sl_coro_resume(NULL), SL_EINVAL);
    sl_coro_destroy(co);
}

static void test_backend(void **state)
{
    sl_coro *co = NULL;
    assert_int_equal(sl_coro_create_on(&co, pingpong_body, NULL, 0, "no-such-switch"), SL_ENOTSUP);
    assert_null(co);
    assert_int_equal(sl_coro_create_on(&co, NULL, NULL, 0, SL_TEST_CORO_BACKEND), SL_EINVAL);
    co = make(status_body, NULL, 0);
    const char *want = SL_TEST_CORO_BACKEND ? SL_TEST_CORO_BACKEND : sl_coro_backend();
    assert_string_equal(sl_coro_backend_of(co), want);
    sl_coro_destroy(co);
}

/* ---- data on the coroutine's stack survives switches ---- */

typedef struct nested {
    int yields;
    long sum;
} nested;

static long deep(int depth, volatile long *scratch)
{
    volatile long frame[32];
    for (int i = 0; i < 32; i++)
        frame[i] = depth * 1000 + i;
    if (depth > 0)
        *scratch += deep(depth - 1, scratch);
    long s = 0;
    for (int i = 0; i < 32; i++)
        s += frame[i];
    return s;
}

static void nested_body(sl_coro *co, void *arg)
{
    nested *n = arg;
    volatile unsigned char buf[4096];
    double f = 1.5;
    for (size_t i = 0; i < sizeof(buf); i++)
        buf[i] = (unsigned char)(i * 7 + 3);
    for (int round = 0; round < 50; round++) {
        volatile long scratch = 0;
        f = f * 1.25 + deep(4, &scratch) * 0.0;
        sl_coro_yield(co);
        n->yields++;
        for (size_t i = 0; i < sizeof(buf); i++)
            assert_int_equal(buf[i], (unsigned char)(i * 7 + 3));
    }
    long sum = 0;
    for (size_t i = 0; i < sizeof(buf); i++)
        sum += buf[i];
    n->sum = sum + (long)(f > 1.0e4);
}

static void test_nested_stack(void **state)
{
    nested a = {0}, b = {0};
    sl_coro *ca = make(nested_body, &a, 0);
    sl_coro *cb = make(nested_body, &b, 0);
    long expect = 0;
    for (size_t i = 0; i < 4096; i++)
        expect += (unsigned char)(i * 7 + 3);
    while (sl_coro_status_of(ca) != SL_CORO_DEAD || sl_coro_status_of(cb) != SL_CORO_DEAD) {
        volatile long scratch = 0;
        /* The resumer's own deep frames must not disturb theirs either. */
        deep(8, &scratch);
        if (sl_coro_status_of(ca) != SL_CORO_DEAD)
            assert_int_equal(sl_coro_resume(ca), 0);
        if (sl_coro_status_of(cb) != SL_CORO_DEAD)
            assert_int_equal(sl_coro_resume(cb), 0);
    }
    assert_int_equal(a.yields, 50);
    assert_int_equal(b.yields, 50);
    /* 1.5 * 1.25^50 > 1e4: the double kept its value across 50 switches. */
    assert_int_equal(a.sum, expect + 1);
    assert_int_equal(b.sum, expect + 1);
    sl_coro_destroy(ca);
    sl_coro_destroy(cb);
}

/* ---- a coroutine that resumes another one ---- */

static void inner_body(sl_coro *co, void *arg)
{
    int *trail = arg;
    *trail = *trail * 10 + 2;
    sl_coro_yield(co);
    *trail = *trail * 10 + 4;
}

static void outer_body(sl_coro *co, void *arg)
{
    int *trail = arg;
    sl_coro *inner = make(inner_body, trail, 0);
    *trail = *trail * 10 + 1;
    assert_int_equal(sl_coro_resume(inner), 0);
    *trail = *trail * 10 + 3;
    sl_coro_yield(co);
    assert_int_equal(sl_coro_resume(inner), 0);
    assert_int_equal(sl_coro_status_of(inner), SL_CORO_DEAD);
    sl_coro_destroy(inner);
    *trail = *trail * 10 + 5;
}

static void test_nested_resume(void **state)
{
    int trail = 0;
    sl_coro *outer = make(outer_body, &trail, 0);
    assert_int_equal(sl_coro_resume(outer), 0);
    assert_int_equal(trail, 123);
    assert_int_equal(sl_coro_resume(outer), 0);
    assert_int_equal(trail, 12345);
    assert_int_equal(sl_coro_status_of(outer), SL_CORO_DEAD);
    sl_coro_destroy(outer);
}

/* ---- 10,000 live coroutines in round-robin ---- */

#if defined(__SANITIZE_THREAD__)
#define TEST_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define TEST_TSAN 1
#endif
#endif
#ifdef TEST_TSAN
/* TSan counts each fiber as a thread (it dies past 8128) and makes each slow. */
#define MANY 2000
#else
#define MANY 10000
#endif
#define MANY_YIELDS 5

typedef struct worker {
    uint32_t id;
    uint32_t steps;
    uint64_t done;
} worker;

static void many_body(sl_coro *co, void *arg)
{
    worker *w = arg;
    uint64_t local = w->id;
    for (int i = 0; i < MANY_YIELDS; i++) {
        local = local * 31 + (uint64_t)i;
        w->steps++;
        sl_coro_yield(co);
    }
    w->done = local;
}

static void test_many(void **state)
{
    static worker w[MANY];
    static sl_coro *co[MANY];
    for (uint32_t i = 0; i < MANY; i++) {
        w[i] = (worker){.id = i};
        co[i] = make(many_body, &w[i], 16 * 1024);
    }
    uint32_t live = MANY;
    int rounds = 0;
    while (live > 0) {
        rounds++;
        for (uint32_t i = 0; i < MANY; i++) {
            if (sl_coro_status_of(co[i]) == SL_CORO_DEAD)
                continue;
            assert_int_equal(sl_coro_resume(co[i]), 0);
            if (sl_coro_status_of(co[i]) == SL_CORO_DEAD)
                live--;
        }
    }
    assert_int_equal(rounds, MANY_YIELDS + 1);
    for (uint32_t i = 0; i < MANY; i++) {
        uint64_t expect = i;
        for (int k = 0; k < MANY_YIELDS; k++)
            expect = expect * 31 + (uint64_t)k;
        assert_int_equal(w[i].steps, MANY_YIELDS);
        assert_int_equal(w[i].done, expect);
        sl_coro_destroy(co[i]);
    }
    sl_coro_pool_trim();
    assert_int_equal(sl_coro_pool_count(), 0);
}

/* ---- the guard page turns an overflow into SIGSEGV ---- */

/* Far deeper than any stack: the recursion ends only by faulting. */
static volatile long recurse_limit = 1L << 40;

static long recurse(volatile char *parent, long depth)
{
    volatile char frame[512];
    frame[0] = (char)depth;
    frame[511] = parent ? parent[0] : 0;
    if (depth >= recurse_limit)
        return frame[0];
    /* Using the result after the call keeps this a real recursion. */
    return recurse(frame, depth + 1) + frame[511];
}

static void overflow_body(sl_coro *co, void *arg)
{
    *(long *)arg = recurse(NULL, 0);
}

/* Where the guard page of the overflowing coroutine is, for the handler. */
static char *guard_lo, *guard_hi;

/* Runs on the alternate stack: a fault inside the guard page is the one we
 * want, so let it kill the child with the default action (the faulting
 * instruction runs again); any other fault means the overflow went past. */
static void on_overflow(int sig, siginfo_t *info, void *uctx)
{
    char *addr = info->si_addr;
    if (addr < guard_lo || addr >= guard_hi)
        _exit(5);
    signal(SIGSEGV, SIG_DFL);
}

static void test_guard_page(void **state)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        long result = 0;
        sl_coro *co = NULL;
        if (sl_coro_create_on(&co, overflow_body, &result, 16 * 1024, SL_TEST_CORO_BACKEND) != 0)
            _exit(3);
        void *lo;
        size_t size;
        sl_coro_stack(co, &lo, &size);
        guard_hi = lo;
        guard_lo = guard_hi - sysconf(_SC_PAGESIZE);
        /* Sanitizers catch SIGSEGV to report it; this child judges it itself. */
        static char altstack[64 * 1024];
        stack_t ss = {.ss_sp = altstack, .ss_size = sizeof(altstack)};
        struct sigaction sa = {.sa_sigaction = on_overflow, .sa_flags = SA_SIGINFO | SA_ONSTACK};
        if (sigaltstack(&ss, NULL) != 0 || sigaction(SIGSEGV, &sa, NULL) != 0)
            _exit(6);
        sl_coro_resume(co);
        _exit(4); /* reached only if the overflow went unnoticed */
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (WIFEXITED(status))
        fail_msg("child exited with %d instead of faulting in the guard page", WEXITSTATUS(status));
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGSEGV);
}

/* ---- the pool hands a finished coroutine's stack to the next one ---- */

static void address_body(sl_coro *co, void *arg)
{
    volatile int local = 0;
    *(uintptr_t *)arg = (uintptr_t)&local;
}

static void test_pool_reuse(void **state)
{
    sl_coro_pool_trim();
    assert_int_equal(sl_coro_pool_count(), 0);
    uintptr_t first = 0, second = 0;
    sl_coro *a = make(address_body, &first, 32 * 1024);
    assert_int_equal(sl_coro_resume(a), 0);
    sl_coro_destroy(a);
    assert_int_equal(sl_coro_pool_count(), 1);
    sl_coro *b = make(address_body, &second, 32 * 1024);
    assert_int_equal(sl_coro_pool_count(), 0);
    assert_int_equal(sl_coro_resume(b), 0);
    assert_true(first != 0);
    assert_int_equal(first, second);
    /* A different size needs a different mapping: the pool keeps the first. */
    sl_coro_destroy(b);
    sl_coro *c = make(address_body, &second, 256 * 1024);
    assert_int_equal(sl_coro_pool_count(), 1);
    assert_int_equal(sl_coro_resume(c), 0);
    assert_true(first != second);
    sl_coro_destroy(c);
    /* Destroying a coroutine that never ran also returns its stack. */
    sl_coro *d = make(address_body, &second, 32 * 1024);
    sl_coro_destroy(d);
    assert_int_equal(sl_coro_pool_count(), 2);
    sl_coro_pool_trim();
    assert_int_equal(sl_coro_pool_count(), 0);
}

/* ---- beyond the guard budget: slab stacks with a red zone ---- */

static void square_body(sl_coro *co, void *arg)
{
    long *v = arg;
    long x = *v;
    sl_coro_yield(co);
    *v = x * x;
}

static int by_address(const void *a, const void *b)
{
    uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;
    return x < y ? -1 : x > y;
}

static void test_slab_stacks_beyond_the_guard_budget(void **state)
{
    enum { N = 300 }; /* more than one slab beyond the four guarded */
    static long vals[N];
    static sl_coro *cos[N];
    static uintptr_t los[N];
    sl_coro_pool_trim();
    sl_coro_set_guard_budget(4);
    int guarded = 0;
    size_t size = 0;
    for (int i = 0; i < N; i++) {
        vals[i] = i;
        cos[i] = make(square_body, &vals[i], 32 * 1024);
        guarded += sl_coro_guarded(cos[i]);
        void *lo;
        sl_coro_stack(cos[i], &lo, &size);
        los[i] = (uintptr_t)lo;
    }
    assert_int_equal(guarded, 4);
    /* Every coroutine has its own stack of at least the size asked. */
    assert_true(size >= 32 * 1024);
    qsort(los, N, sizeof(los[0]), by_address);
    for (int i = 1; i < N; i++)
        assert_true(los[i] - los[i - 1] >= size);
    for (int round = 0; round < 2; round++)
        for (int i = 0; i < N; i++)
            assert_int_equal(sl_coro_resume(cos[i]), 0);
    for (int i = 0; i < N; i++) {
        assert_int_equal(sl_coro_status_of(cos[i]), SL_CORO_DEAD);
        assert_int_equal(vals[i], (long)i * i);
        sl_coro_destroy(cos[i]);
    }
    /* All came back (with the slabs' unused stacks); trimming frees all. */
    assert_true(sl_coro_pool_count() >= N);
    sl_coro_pool_trim();
    assert_int_equal(sl_coro_pool_count(), 0);
    sl_coro_set_guard_budget(-1);
}

static void red_zone_body(sl_coro *co, void *arg)
{
    void *lo;
    size_t size;
    sl_coro_stack(co, &lo, &size);
    /* What a too-deep call leaves behind: a write just below the stack. */
    ((volatile char *)lo)[-64] = 1;
}

static void test_red_zone_overflow_is_reported(void **state)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(fds[1], 2);
        close(fds[0]);
        sl_coro_pool_trim();
        sl_coro_set_guard_budget(0);
        sl_coro *co = NULL;
        if (sl_coro_create_on(&co, red_zone_body, NULL, 16 * 1024, SL_TEST_CORO_BACKEND) != 0)
            _exit(3);
        if (sl_coro_guarded(co))
            _exit(4);
        sl_coro_resume(co);
        sl_coro_destroy(co);
        _exit(5); /* reached only if the overflow went unnoticed */
    }
    close(fds[1]);
    char buf[512] = "";
    size_t got = 0;
    ssize_t n;
    while (got < sizeof(buf) - 1 && (n = read(fds[0], buf + got, sizeof(buf) - 1 - got)) > 0)
        got += (size_t)n;
    close(fds[0]);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (WIFEXITED(status))
        fail_msg("child exited with %d instead of reporting the overflow", WEXITSTATUS(status));
    assert_int_equal(WTERMSIG(status), SIGABRT);
    assert_non_null(strstr(buf, "ran past the bottom of its"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ping_pong),
        cmocka_unit_test(test_status),
        cmocka_unit_test(test_backend),
        cmocka_unit_test(test_nested_stack),
        cmocka_unit_test(test_nested_resume),
        cmocka_unit_test(test_many),
        cmocka_unit_test(test_guard_page),
        cmocka_unit_test(test_pool_reuse),
        cmocka_unit_test(test_slab_stacks_beyond_the_guard_budget),
        cmocka_unit_test(test_red_zone_overflow_is_reported),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
