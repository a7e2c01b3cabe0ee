/*
 * hook.c - the hot path: a scheduler transition becomes one ring slot.
 *
 * The binding is thread-local, so a hook needs no argument saying where to
 * write and no lock. One hook costs a read of the CPU's counter converted to
 * CLOCK_MONOTONIC ns through the run's shared conversion (counter-clock.h:
 * one multiply, no vDSO call), the CPU number read straight from the
 * thread's rseq area (glibc >= 2.35 registers it; sched_getcpu otherwise), a 32-byte store and a
 * release store of the ring head, all inlined here: no syscall (checked with strace -f on a loop of
 * hooks: no syscall appears between bind and unbind).
 */
#define _GNU_SOURCE
#include <sched.h>
#include <sys/rseq.h>

#include "schedlab/trace.h"
#include "trace/ring-layout.h"

typedef struct hook_binding {
    sl_ring *ring; /* NULL: unbound, hooks are no-ops */
    const sl__cclock *clock;
    uint32_t vehicle;
    uint64_t epoch_ns;
} hook_binding;

static _Thread_local hook_binding binding;

void sl_hook_bind(sl_ring *ring, uint32_t vehicle, uint64_t epoch_ns)
{
    binding.ring = ring;
    binding.clock = ring != NULL ? sl__ring_clock(ring) : NULL;
    binding.vehicle = vehicle;
    binding.epoch_ns = epoch_ns;
}

void sl_hook_unbind(void)
{
    binding.ring = NULL;
}

/* The kernel keeps the rseq area's cpu_id current at every migration, so
 * reading it is what sched_getcpu does, without the call. */
static inline __attribute__((always_inline)) uint16_t hook_core(void)
{
    if (__builtin_expect(__rseq_size > 0, 1)) {
        const struct rseq *rs =
            (const struct rseq *)((char *)__builtin_thread_pointer() + __rseq_offset);
        int32_t cpu = (int32_t) * (const volatile uint32_t *)&rs->cpu_id;
        if (cpu >= 0)
            return (uint16_t)cpu;
    }
    int cpu = sched_getcpu();
    return cpu < 0 ? 0 : (uint16_t)cpu;
}

uint16_t sl_hook_core(void)
{
    return hook_core();
}

static inline __attribute__((always_inline)) void emit(sl_ring *ring, sl_event_kind kind,
                                                       uint32_t task, uint32_t vehicle,
                                                       uint32_t reason, uint64_t arg)
{
    uint64_t now = sl__cclock_now(binding.clock);
    sl_event ev = {
        /* An epoch taken after a producer's clock read must not wrap to 2^64. */
        .t_ns = now > binding.epoch_ns ? now - binding.epoch_ns : 0,
        .arg = arg,
        .task = task,
        .vehicle = vehicle,
        .kind = (uint16_t)kind,
        .core = hook_core(),
        .reason = reason,
    };
    sl__ring_push(ring, &ev);
}

void sl_hook_emit_v(sl_event_kind kind, uint32_t task, uint32_t vehicle, uint32_t reason,
                    uint64_t arg)
{
    sl_ring *ring = binding.ring;
    if (ring != NULL)
        emit(ring, kind, task, vehicle, reason, arg);
}

void sl_hook_emit(sl_event_kind kind, uint32_t task, uint32_t reason, uint64_t arg)
{
    sl_ring *ring = binding.ring;
    if (ring != NULL)
        emit(ring, kind, task, binding.vehicle, reason, arg);
}
