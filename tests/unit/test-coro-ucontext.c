/*
 * test-coro-ucontext.c - the whole coroutine suite again on the ucontext
 * backend, so the portable fallback is exercised in every build alongside
 * the assembly switch.
 */
#define SL_TEST_CORO_BACKEND "ucontext"
#include "test-coro.c"
