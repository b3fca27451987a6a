# /usr/bin/python3 test/reference/asyncio/queue_get_timeout_race.py > test/reference/asyncio/queue_get_timeout_race.txt
# An item put in the same iteration as the timeout that cancels the waiting getter: the
# cancel wins, the getter raises TimeoutError, and the item stays in the queue.
import asyncio

async def main():
    loop = asyncio.get_running_loop()
    q = asyncio.Queue()
    me = asyncio.current_task()
    start = loop.time()
    loop.call_at(start + 0.05, q.put_nowait, "just in time")   # due first
    async def arm_after():
        loop.call_at(start + 0.05, lambda: print("timeout fired, cancelling", me.cancelling()))
    try:
        async with asyncio.timeout_at(start + 0.05):
            asyncio.create_task(arm_after())
            print("got", await q.get())
    except TimeoutError:
        print("TimeoutError")
    print("size", q.qsize(), "got", q.get_nowait())
asyncio.run(main())
