# /usr/bin/python3 test/reference/asyncio/queue_cancel_after_wake.py > test/reference/asyncio/queue_cancel_after_wake.txt
# Items stay in the queue until the woken getter takes them: a getter cancelled after it
# was woken leaves the item to the next getter; qsize counts it meanwhile; a putter woken
# then cancelled leaves its slot to the next putter.
import asyncio

async def main():
    q = asyncio.Queue()
    async def getter(name):
        try:
            print(f"{name}: got {await q.get()}")
        except asyncio.CancelledError:
            print(f"{name}: cancelled")
    a = asyncio.create_task(getter("A"))
    b = asyncio.create_task(getter("B"))
    await asyncio.sleep(0)
    q.put_nowait("x")
    print("qsize after put:", q.qsize())
    a.cancel()
    await asyncio.gather(a, b)
    print("qsize at the end:", q.qsize())

    q = asyncio.Queue(maxsize=1)
    q.put_nowait("full")
    async def putter(name, item):
        try:
            await q.put(item)
            print(f"{name}: put {item}")
        except asyncio.CancelledError:
            print(f"{name}: cancelled")
    c = asyncio.create_task(putter("C", "c"))
    d = asyncio.create_task(putter("D", "d"))
    await asyncio.sleep(0)
    print("got", q.get_nowait(), "full:", q.full())
    c.cancel()
    await asyncio.gather(c, d)
    print("in the queue:", q.get_nowait(), "qsize:", q.qsize())
asyncio.run(main())
