"""io_download.py - the io-download lesson as the teaching notes write it.

Twenty pages, each a GET that the server answers after 100-600 ms with
10-300 KiB (drawn with seed 42, as the lesson's ranges), then 1 ms of
parsing. The server is `schedlab serve`, the one schedlab's io steps wait on.
Each way of running them is a function taking the list of pages and
returning when every page is done; side_by_side.py times them.
"""
import asyncio
import concurrent.futures
import multiprocessing
import random
import threading
import time
import urllib.request

PORT = 0  # set by configure() in this process and, through the pool initializer, in workers


def configure(port):
    global PORT
    PORT = port


def pages(n=20, seed=42):
    """(delay_us, bytes) per page, from the lesson's ranges."""
    rng = random.Random(seed)
    return [(rng.randint(100_000, 600_000), rng.randint(10 * 1024, 300 * 1024)) for _ in range(n)]


def parse(body):
    """1 ms of cpu, the lesson's `cpu 1ms`."""
    end = time.perf_counter() + 0.001
    while time.perf_counter() < end:
        pass
    return len(body)


def download(page):
    """The blocking download of one page, then its parsing."""
    delay_us, size = page
    url = f"http://127.0.0.1:{PORT}/io?delay_us={delay_us}&bytes={size}"
    with urllib.request.urlopen(url) as r:
        body = r.read()
    return parse(body)


def run_loop(ps):
    for p in ps:
        download(p)


def run_threads(ps):
    ts = [threading.Thread(target=download, args=(p,)) for p in ps]
    for t in ts:
        t.start()
    for t in ts:
        t.join()


def run_thread_pool(ps, workers=5):
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as ex:
        list(ex.map(download, ps))


def run_pool(ps, method, workers=5):
    ctx = multiprocessing.get_context(method)
    with ctx.Pool(workers, initializer=configure, initargs=(PORT,)) as pool:
        pool.map(download, ps, chunksize=1)


async def fetch(page):
    """One page over raw asyncio streams: the request, the headers, the body."""
    delay_us, size = page
    reader, writer = await asyncio.open_connection("127.0.0.1", PORT)
    writer.write(f"GET /io?delay_us={delay_us}&bytes={size} HTTP/1.1\r\n"
                 f"Host: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    length = int([line.split(b":")[1] for line in head.split(b"\r\n")
                  if line.lower().startswith(b"content-length")][0])
    body = await reader.readexactly(length)
    writer.close()
    await writer.wait_closed()
    return parse(body)


def run_asyncio(ps):
    async def main():
        await asyncio.gather(*(fetch(p) for p in ps))
    asyncio.run(main())


def run_in_executor(ps, workers=5):
    """The notes' pattern: the blocking download handed to a thread pool."""
    async def main():
        loop = asyncio.get_running_loop()
        with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as ex:
            await asyncio.gather(*(loop.run_in_executor(ex, download, p) for p in ps))
    asyncio.run(main())
