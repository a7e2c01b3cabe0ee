/*
 * test-trace-ring.c - the shared-memory region and its rings: wrap-around,
 * exact overflow counting, claiming, lazy memory, attaching from another
 * process, and events surviving a producer that exits or is killed.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "schedlab/error.h"
#include "schedlab/trace.h"

static sl_event ev_seq(uint64_t i)
{
    return (sl_event){.t_ns = i, .arg = i, .task = (uint32_t)i, .kind = SL_EV_STEP};
}

static void test_create_geometry(void **state)
{
    sl_rings *r;
    assert_int_equal(sl_rings_create(&r, 3, 100, 42, 1000), 0);
    assert_int_equal(sl_rings_count(r), 3);
    assert_int_equal(sl_rings_capacity(r), 128);
    assert_int_equal(sl_rings_epoch(r), 42);
    size_t size = 0;
    char *blob = sl_rings_blob(r, &size);
    assert_non_null(blob);
    assert_int_equal(size, 1000);
    memset(blob, 0xab, size);
    assert_non_null(sl_rings_at(r, 2));
    assert_null(sl_rings_at(r, 3));
    assert_ptr_not_equal(sl_rings_at(r, 0), sl_rings_at(r, 1));
    sl_rings_destroy(r);

    assert_int_equal(sl_rings_create(&r, 0, 100, 0, 0), SL_EINVAL);
    assert_int_equal(sl_rings_create(&r, 1, 0, 0, 0), SL_EINVAL);
    assert_null(r);
}

static void test_wrap_around(void **state)
{
    sl_rings *r;
    assert_int_equal(sl_rings_create(&r, 1, 16, 0, 0), 0);
    sl_ring *ring = sl_rings_at(r, 0);
    sl_event out[7];
    uint64_t next_in = 0, next_out = 0;
    /* Odd batch sizes so the copy-out straddles the end of the slots. */
    while (next_out < 16 * 1000) {
        for (int k = 0; k < 5; k++) {
            sl_event e = ev_seq(next_in++);
            assert_true(sl_ring_push(ring, &e));
        }
        while (sl_ring_pending(ring) > 0) {
            size_t n = sl_ring_pop(ring, out, 7);
            for (size_t k = 0; k < n; k++)
                assert_int_equal(out[k].arg, next_out++);
        }
    }
    assert_int_equal(next_in, next_out);
    assert_int_equal(sl_ring_dropped(ring), 0);
    assert_int_equal(sl_ring_pop(ring, out, 7), 0);
    sl_rings_destroy(r);
}

static void test_overflow_counts_exactly(void **state)
{
    sl_rings *r;
    assert_int_equal(sl_rings_create(&r, 1, 8, 0, 0), 0);
    sl_ring *ring = sl_rings_at(r, 0);
    int refused = 0;
    for (uint64_t i = 0; i < 20; i++) {
        sl_event e = ev_seq(i);
        refused += !sl_ring_push(ring, &e);
    }
    assert_int_equal(refused, 12);
    assert_int_equal(sl_ring_dropped(ring), 12);
    sl_event out[32];
    assert_int_equal(sl_ring_pop(ring, out, 32), 8);
    for (int k = 0; k < 8; k++)
        assert_int_equal(out[k].arg, k); /* the oldest survive, the newest drop */
    /* Room again after the pop; the drop count only grows. */
    sl_event e = ev_seq(99);
    assert_true(sl_ring_push(ring, &e));
    assert_int_equal(sl_ring_dropped(ring), 12);
    sl_rings_destroy(r);
}

static void test_claim(void **state)
{
    sl_rings *r;
    assert_int_equal(sl_rings_create(&r, 3, 8, 0, 0), 0);
    assert_ptr_equal(sl_rings_claim(r), sl_rings_at(r, 0));
    assert_ptr_equal(sl_rings_claim(r), sl_rings_at(r, 1));
    assert_ptr_equal(sl_rings_claim(r), sl_rings_at(r, 2));
    assert_null(sl_rings_claim(r));
    assert_null(sl_rings_claim(r));
    assert_int_equal(sl_rings_claimed(r), 3);
    sl_rings_destroy(r);
}

static long resident_kb(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    long size = 0, res = 0;
    assert_non_null(f);
    assert_int_equal(fscanf(f, "%ld %ld", &size, &res), 2);
    fclose(f);
    return res * (sysconf(_SC_PAGESIZE) / 1024);
}

static void test_big_capacity_is_lazy(void **state)
{
    long before = resident_kb();
    sl_rings *r;
    /* 16 rings of 2^22 events: 2 GiB of address space. */
    assert_int_equal(sl_rings_create(&r, 16, 1u << 22, 0, 1u << 20), 0);
    sl_event e = ev_seq(1);
    for (uint32_t i = 0; i < 16; i++)
        assert_true(sl_ring_push(sl_rings_at(r, i), &e));
    long grown = resident_kb() - before;
    assert_true(grown < 8 * 1024);
    sl_rings_destroy(r);
}

static void test_attach_and_blob(void **state)
{
    sl_rings *r, *a;
    assert_int_equal(sl_rings_create(&r, 2, 64, 7, 4096), 0);
    assert_int_equal(sl_rings_attach(&a, sl_rings_fd(r)), 0);
    assert_int_equal(sl_rings_count(a), 2);
    assert_int_equal(sl_rings_epoch(a), 7);
    size_t size;
    strcpy(sl_rings_blob(r, &size), "shared");
    assert_string_equal(sl_rings_blob(a, &size), "shared");
    /* Claims and events are shared by both mappings. */
    sl_ring *mine = sl_rings_claim(a);
    assert_ptr_equal(mine, sl_rings_at(a, 0));
    assert_int_equal(sl_rings_claimed(r), 1);
    sl_event e = ev_seq(5), out;
    assert_true(sl_ring_push(mine, &e));
    assert_int_equal(sl_ring_pop(sl_rings_at(r, 0), &out, 1), 1);
    assert_int_equal(out.arg, 5);
    sl_rings_destroy(a);
    /* The attached side does not close the creator's fd. */
    assert_int_not_equal(fcntl(sl_rings_fd(r), F_GETFD), -1);
    sl_rings_destroy(r);

    int junk = memfd_create("junk", MFD_CLOEXEC);
    assert_true(junk >= 0);
    assert_int_equal(ftruncate(junk, 65536), 0);
    assert_int_equal(sl_rings_attach(&a, junk), SL_ECORRUPT);
    assert_null(a);
    close(junk);
    assert_int_equal(sl_rings_attach(&a, -1), SL_EINVAL);
}

static void test_fd_survives_exec(void **state)
{
    sl_rings *r;
    assert_int_equal(sl_rings_create(&r, 1, 8, 0, 0), 0);
    int flags = fcntl(sl_rings_fd(r), F_GETFD);
    assert_int_equal(flags & FD_CLOEXEC, 0);
    sl_rings_destroy(r);
}

/* A child attaches by fd, claims a ring, pushes `n` events, then either
 * exits or tells the parent and keeps pushing until killed. */
static pid_t spawn_producer(int fd, uint64_t n, int ready_pipe)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid > 0)
        return pid;
    sl_rings *a;
    if (sl_rings_attach(&a, fd) != 0)
        _exit(2);
    sl_ring *ring = sl_rings_claim(a);
    if (ring == NULL)
        _exit(3);
    uint64_t i = 0;
    for (; i < n; i++) {
        sl_event e = ev_seq(i);
        sl_ring_push(ring, &e);
    }
    if (ready_pipe < 0)
        _exit(0);
    char c = 'x';
    if (write(ready_pipe, &c, 1) != 1)
        _exit(4);
    for (;; i++) {
        sl_event e = ev_seq(i);
        sl_ring_push(ring, &e);
    }
}

static void test_child_exit_leaves_events(void **state)
{
    sl_rings *r;
    assert_int_equal(sl_rings_create(&r, 2, 4096, 0, 0), 0);
    assert_non_null(sl_rings_claim(r)); /* ring 0 is the parent's */
    pid_t pid = spawn_producer(sl_rings_fd(r), 3000, -1);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    sl_event *out = calloc(4096, sizeof(*out));
    assert_int_equal(sl_ring_pop(sl_rings_at(r, 1), out, 4096), 3000);
    for (uint64_t i = 0; i < 3000; i++)
        assert_int_equal(out[i].arg, i);
    free(out);
    sl_rings_destroy(r);
}

static void test_child_killed_leaves_events(void **state)
{
    sl_rings *r;
    assert_int_equal(sl_rings_create(&r, 1, 1024, 0, 0), 0);
    int p[2];
    assert_int_equal(pipe(p), 0);
    pid_t pid = spawn_producer(sl_rings_fd(r), 500, p[1]);
    char c;
    assert_int_equal(read(p[0], &c, 1), 1);
    assert_int_equal(kill(pid, SIGKILL), 0);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    close(p[0]);
    close(p[1]);

    sl_ring *ring = sl_rings_at(r, 0);
    sl_event out[1024];
    size_t n = sl_ring_pop(ring, out, 1024);
    assert_true(n >= 500 && n <= 1024);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(out[i].arg, i);
    /* Nothing more will come, and nothing half-written was published. */
    assert_int_equal(sl_ring_pop(ring, out, 1024), 0);
    sl_rings_destroy(r);
}

/* The procpool's witness: a worker killed right after publishing a task's
 * EXIT (before marking the task done in the blob) must not get a second EXIT
 * from the parent. The ring, read after the death and after the collector
 * drained it, still says whether the EXIT was published. */
static void test_holds_witnesses_a_dead_producer(void **state)
{
    sl_rings *r;
    assert_int_equal(sl_rings_create(&r, 1, 16, 0, 0), 0);
    sl_ring *ring = sl_rings_at(r, 0);
    uint64_t from = sl_ring_written(ring);
    pid_t pid = fork();
    if (pid == 0) {
        sl_event run = {.kind = SL_EV_RUN, .task = 3}, exit = {.kind = SL_EV_EXIT, .task = 3};
        sl_event other = {.kind = SL_EV_RUN, .task = 4};
        sl_ring_push(ring, &run);
        sl_ring_push(ring, &exit);
        sl_ring_push(ring, &other);
        raise(SIGKILL); /* between the EXIT and marking the task done */
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status));
    sl_event out[16];
    assert_int_equal(sl_ring_pop(ring, out, 16), 3); /* the collector drained it */
    assert_int_equal(sl_ring_written(ring), from + 3);
    assert_true(sl_ring_holds(ring, from, SL_EV_EXIT, 3));
    assert_false(sl_ring_holds(ring, from, SL_EV_EXIT, 4)); /* died running: the parent's EXIT */
    assert_false(sl_ring_holds(ring, from + 2, SL_EV_EXIT, 3)); /* an earlier run's EXIT */

    /* Past a wrap only the last capacity events are asked. */
    for (uint32_t i = 0; i < 40; i++) {
        sl_event e = {.kind = SL_EV_EXIT, .task = 100 + i};
        assert_true(sl_ring_push(ring, &e));
        sl_ring_pop(ring, out, 16);
    }
    assert_false(sl_ring_holds(ring, from, SL_EV_EXIT, 100));
    assert_true(sl_ring_holds(ring, from, SL_EV_EXIT, 139));
    assert_true(sl_ring_holds(ring, from, SL_EV_EXIT, 124));
    sl_rings_destroy(r);
}

static void test_hook_unbound_is_noop(void **state)
{
    sl_rings *r;
    assert_int_equal(sl_rings_create(&r, 1, 8, sl_clock_ns(), 0), 0);
    sl_ring *ring = sl_rings_at(r, 0);
    sl_hook_emit(SL_EV_RUN, 1, 0, 0);
    sl_hook_bind(ring, 77, sl_rings_epoch(r));
    sl_hook_emit(SL_EV_RUN, 1, 0, 5);
    sl_hook_emit_v(SL_EV_SWITCH, 2, 88, 0, 1);
    sl_hook_unbind();
    sl_hook_emit(SL_EV_EXIT, 1, 0, 0);
    sl_event out[8];
    assert_int_equal(sl_ring_pop(ring, out, 8), 2);
    assert_int_equal(out[0].kind, SL_EV_RUN);
    assert_int_equal(out[0].vehicle, 77);
    assert_int_equal(out[0].arg, 5);
    assert_int_equal(out[1].kind, SL_EV_SWITCH);
    assert_int_equal(out[1].vehicle, 88);
    assert_true(out[0].t_ns <= out[1].t_ns);
    assert_true(out[0].core < 1024);
    sl_rings_destroy(r);
}

static void test_hook_cost(void **state)
{
    sl_rings *r;
    enum { N = 1 << 20 };
    assert_int_equal(sl_rings_create(&r, 1, N, sl_clock_ns(), 0), 0);
    sl_hook_bind(sl_rings_at(r, 0), 1, sl_rings_epoch(r));
    sl_hook_emit(SL_EV_MARK, SL_NO_TASK, 0, 0);
    uint64_t t0 = sl_clock_ns();
    for (int i = 1; i < N; i++)
        sl_hook_emit(SL_EV_STEP, 1, 0, (uint64_t)i);
    uint64_t spent = sl_clock_ns() - t0;
    sl_hook_unbind();
    print_message("sl_hook_emit: %.1f ns per hook (first touch of the ring included)\n",
                  (double)spent / (N - 1));
    assert_int_equal(sl_ring_pending(sl_rings_at(r, 0)), N);
    assert_int_equal(sl_ring_dropped(sl_rings_at(r, 0)), 0);
    sl_rings_destroy(r);
}

static void test_event_names(void **state)
{
    assert_string_equal(sl_event_kind_name(SL_EV_RUN), "run");
    assert_string_equal(sl_event_kind_name(SL_EV_OS_SAMPLE), "os-sample");
    assert_string_equal(sl_event_kind_name(SL_EV_GIL_TAKE), "gil-take");
    assert_string_equal(sl_event_kind_name(SL_EV__COUNT), "?");
    assert_string_equal(sl_event_kind_name(-1), "?");
    for (int k = 0; k < SL_EV__COUNT; k++)
        assert_string_not_equal(sl_event_kind_name(k), "?");
    assert_string_equal(sl_wait_reason_name(SL_WAIT_IO), "io");
    assert_string_equal(sl_wait_reason_name(SL_WAIT_CHILD), "child");
    assert_string_equal(sl_wait_reason_name(SL_WAIT__COUNT), "?");
    for (int k = 0; k < SL_WAIT__COUNT; k++)
        assert_string_not_equal(sl_wait_reason_name(k), "?");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_geometry),
        cmocka_unit_test(test_wrap_around),
        cmocka_unit_test(test_overflow_counts_exactly),
        cmocka_unit_test(test_claim),
        cmocka_unit_test(test_big_capacity_is_lazy),
        cmocka_unit_test(test_attach_and_blob),
        cmocka_unit_test(test_fd_survives_exec),
        cmocka_unit_test(test_child_exit_leaves_events),
        cmocka_unit_test(test_child_killed_leaves_events),
        cmocka_unit_test(test_holds_witnesses_a_dead_producer),
        cmocka_unit_test(test_hook_unbound_is_noop),
        cmocka_unit_test(test_hook_cost),
        cmocka_unit_test(test_event_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
