# /usr/bin/python3 test/reference/asyncio/queue_items_stay.py > test/reference/asyncio/queue_items_stay.txt
# A put wakes a getter but the item stays in the queue until the getter runs: maxsize
# counts it, a get_nowait in between takes it (the woken getter waits again, at the back),
# and a PriorityQueue getter takes the best item present when it runs.
import asyncio

async def main():
    q = asyncio.Queue(maxsize=1)
    async def getter(name):
        print(f"{name}: got {await q.get()}")
    a = asyncio.create_task(getter("A"))
    await asyncio.sleep(0)
    q.put_nowait(1)
    print("qsize:", q.qsize(), "full:", q.full())
    try:
        q.put_nowait(2)
    except asyncio.QueueFull:
        print("put_nowait(2): QueueFull")
    print("stolen by get_nowait:", q.get_nowait())
    b = asyncio.create_task(getter("B"))
    await asyncio.sleep(0)             # A runs, finds the queue empty, waits again
    q.put_nowait(3)
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    q.put_nowait(4)
    await asyncio.gather(a, b)

    pq = asyncio.PriorityQueue()
    c = asyncio.create_task((lambda: pq.get())())
    await asyncio.sleep(0)
    pq.put_nowait(5)
    pq.put_nowait(1)                   # better, put before the getter runs
    print("priority getter got:", await c)
asyncio.run(main())
