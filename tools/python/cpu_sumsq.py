"""cpu_sumsq.py - the cpu-sumsq lesson as the teaching notes write it.

Twenty numbers, each summed as sum(i*i for i in range(n)) with n = N + i
(the lesson's `cpu-sumsq N + i`). Each way of running them is a function
taking the list of numbers; side_by_side.py times them.
"""
import asyncio
import concurrent.futures
import multiprocessing
import threading


def numbers(base, n=20):
    return [base + i for i in range(n)]


def sumsq(n):
    return sum(i * i for i in range(n))


def run_loop(ns):
    for n in ns:
        sumsq(n)


def run_threads(ns):
    ts = [threading.Thread(target=sumsq, args=(n,)) for n in ns]
    for t in ts:
        t.start()
    for t in ts:
        t.join()


def run_thread_pool(ns, workers=2):
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as ex:
        list(ex.map(sumsq, ns))


def run_pool(ns, method, workers=2):
    with multiprocessing.get_context(method).Pool(workers) as pool:
        pool.map(sumsq, ns, chunksize=1)


def run_asyncio(ns):
    async def one(n):
        return sumsq(n)  # a cpu burst holds the loop: no other coroutine runs meanwhile

    async def main():
        await asyncio.gather(*(one(n) for n in ns))
    asyncio.run(main())


def run_in_executor(ns, workers=2):
    async def main():
        loop = asyncio.get_running_loop()
        with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as ex:
            await asyncio.gather(*(loop.run_in_executor(ex, sumsq, n) for n in ns))
    asyncio.run(main())
