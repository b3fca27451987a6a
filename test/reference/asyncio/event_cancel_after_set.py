# /usr/bin/python3 test/reference/asyncio/event_cancel_after_set.py > test/reference/asyncio/event_cancel_after_set.txt
# A waiter cancelled after set() but before it ran meets CancelledError.
import asyncio

async def main():
    ev = asyncio.Event()
    async def waiter(name):
        try:
            print(f"{name}: wait returned {await ev.wait()}")
        except asyncio.CancelledError:
            print(f"{name}: cancelled")
    a = asyncio.create_task(waiter("A"))
    b = asyncio.create_task(waiter("B"))
    await asyncio.sleep(0)
    ev.set()
    a.cancel()
    await asyncio.gather(a, b)
asyncio.run(main())
