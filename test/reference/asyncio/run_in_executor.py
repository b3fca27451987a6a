# /usr/bin/python3 test/reference/asyncio/run_in_executor.py > test/reference/asyncio/run_in_executor.txt
# run_in_executor / to_thread: results and errors come back to the awaiting task; a job still
# queued is dropped when its waiter is cancelled; the waiter of a running job gets
# CancelledError at once while the job runs on to its end (a thread cannot be stopped), its
# result dropped; queued jobs start in submission order.
import asyncio
import concurrent.futures
import threading
import time


def add(a, b):
    return a + b


def spin(seconds, done):
    time.sleep(seconds)  # does not look at any cancellation
    done.set()
    return "spun"


def count_call(calls):
    calls.append(1)
    return "ran"


def fail(message):
    raise ValueError(message)


async def main():
    loop = asyncio.get_running_loop()
    print("to_thread:", await asyncio.to_thread(add, 2, 3))
    print("run_in_executor:", await loop.run_in_executor(None, add, 3, 4))

    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)
    loop.set_default_executor(pool)
    done = threading.Event()

    async def wait_for(func, *args):
        return await loop.run_in_executor(None, func, *args)

    running = asyncio.create_task(wait_for(spin, 0.2, done))
    await asyncio.sleep(0.05)  # the one thread runs spin
    calls = []
    queued = asyncio.create_task(wait_for(count_call, calls))
    await asyncio.sleep(0.01)  # count_call waits for the thread
    queued.cancel()
    try:
        await queued
    except asyncio.CancelledError:
        print("queued job's waiter: CancelledError")
    running.cancel()
    try:
        await running
    except asyncio.CancelledError:
        print("running job's waiter: CancelledError at once; job still running:", not done.is_set())
    while not done.is_set():
        await asyncio.sleep(0.01)
    print("the running job finished anyway:", done.is_set())
    print("next job:", await wait_for(add, 0, 0))  # FIFO: the dropped job would have run first
    print("the queued job never ran:", calls == [])

    try:
        await asyncio.to_thread(fail, "boom")
    except ValueError as e:
        print("error:", repr(e))
    print("gather:", await asyncio.gather(asyncio.to_thread(add, 0, 1), asyncio.to_thread(add, 1, 1)))


asyncio.run(main())
