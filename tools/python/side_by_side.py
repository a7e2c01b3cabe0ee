#!/usr/bin/env python3
"""side_by_side.py - CPython and schedlab on the same work, speedups side by side.

    python3 tools/python/side_by_side.py [--schedlab PATH] [--lesson io-download|cpu-sumsq|both]
                                         [--sumsq-n N]

For each lesson it times the notes' ways of running it in this CPython (a
loop, a Thread per task, ThreadPoolExecutor, Pool with the forkserver and
spawn start methods, asyncio, run_in_executor), runs schedlab's matching
strategies on the same lesson, and prints both speedup tables, each against
its own sequential run. io-download waits on `schedlab serve`, the server
schedlab's io steps wait on; its Python pages are drawn from the lesson's
ranges with the lesson's seed, by Python's own generator (the same
distribution, not the same draws). cpu-sumsq runs n = N + i for 20 tasks on
both sides (N defaults to 2,000,000: CPython sums about 30 M squares a second,
so the lesson's 500 M each would take an hour).
Standard library only.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import cpu_sumsq  # noqa: E402
import io_download  # noqa: E402

# (the notes' construct, how to run it, schedlab's strategy, its --start)
WAYS = [
    ("for loop", lambda m, w: m.run_loop(w), "sequential", None),
    ("Thread per task", lambda m, w: m.run_threads(w), "threads", None),
    ("ThreadPoolExecutor", lambda m, w: m.run_thread_pool(w), "threadpool", None),
    ("Pool (forkserver)", lambda m, w: m.run_pool(w, "forkserver"), "procpool", "forkserver"),
    ("Pool (spawn)", lambda m, w: m.run_pool(w, "spawn"), "procpool", "spawn"),
    ("asyncio.gather", lambda m, w: m.run_asyncio(w), "coroutines", None),
    ("run_in_executor", lambda m, w: m.run_in_executor(w), "async+threads", None),
]


def time_python(module, work):
    walls = []
    for _, run, _, _ in WAYS:
        t0 = time.perf_counter()
        run(module, work)
        walls.append(time.perf_counter() - t0)
    return walls


def schedlab_speedups(exe, lesson, start):
    """{strategy: speedup} from one `schedlab run` (sequential included)."""
    strategies = sorted({s for _, _, s, st in WAYS if st in (None, start)} | {"sequential"})
    out = subprocess.run([exe, "run", lesson, "-s", ",".join(strategies), "--start", start,
                          "--format", "json"], check=True, capture_output=True, text=True)
    runs = json.loads(out.stdout)["runs"]
    return {r["strategy"]: r["speedup"] for r in runs}


def table(title, walls, fork, spawn):
    print(f"\n{title}\n")
    print(f"{'CPython ' + sys.version.split()[0]:<22} {'wall s':>7} {'speedup':>8}   "
          f"{'schedlab':<28} {'speedup':>8}")
    for (name, _, strategy, start), wall in zip(WAYS, walls):
        sl = (spawn if start == "spawn" else fork).get(strategy)
        label = strategy + (f" --start {start}" if start else "")
        print(f"{name:<22} {wall:7.2f} {walls[0] / wall:7.2f}x   {label:<28} "
              f"{sl:7.2f}x" if sl else f"{name:<22} {wall:7.2f} {walls[0] / wall:7.2f}x   "
              f"{label:<28} {'-':>8}")


def io_side(exe):
    server = subprocess.Popen([exe, "serve"], stdout=subprocess.PIPE, text=True)
    try:
        port = int(re.search(r"127\.0\.0\.1:(\d+)/", server.stdout.readline()).group(1))
        io_download.configure(port)
        walls = time_python(io_download, io_download.pages())
    finally:
        server.terminate()
        server.wait()
    fork = schedlab_speedups(exe, "io-download", "forkserver")
    spawn = schedlab_speedups(exe, "io-download", "spawn")
    table("io-download: 20 pages, 100-600 ms each, 5 workers", walls, fork, spawn)


def cpu_side(exe, base):
    walls = time_python(cpu_sumsq, cpu_sumsq.numbers(base))
    with tempfile.TemporaryDirectory() as d:
        ini = os.path.join(d, "cpu-sumsq.ini")
        with open(ini, "w") as f:
            f.write("[lesson]\ntitle = Summing squares of 20 big numbers\n"
                    f"[run]\nseed = 1\nworkers = 2\nchunksize = 1\ntime_scale = {base / 1e7!r}\n"
                    "[group sum]\ncount = 20\nstep = cpu-sumsq 10_000_000 + i\n")
        fork = schedlab_speedups(exe, ini, "forkserver")
        spawn = schedlab_speedups(exe, ini, "spawn")
    table(f"cpu-sumsq: 20 sums of n = {base:,} + i squares, 2 workers", walls, fork, spawn)


def main():
    default = os.path.join(HERE, "..", "..", "build", "schedlab")
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--schedlab", default=default if os.path.exists(default) else "schedlab")
    p.add_argument("--lesson", choices=["io-download", "cpu-sumsq", "both"], default="both")
    p.add_argument("--sumsq-n", type=int, default=2_000_000)
    a = p.parse_args()
    print(f"{os.cpu_count()} cores; speedups against each side's own sequential run")
    if a.lesson in ("io-download", "both"):
        io_side(a.schedlab)
    if a.lesson in ("cpu-sumsq", "both"):
        cpu_side(a.schedlab, a.sumsq_n)


if __name__ == "__main__":
    main()
