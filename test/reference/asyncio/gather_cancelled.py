# /usr/bin/python3 test/reference/asyncio/gather_cancelled.py > test/reference/asyncio/gather_cancelled.txt
# Cancelling a task waiting in gather() cancels every child; the gather raises
# CancelledError as soon as the first child has finished cancelling, while slower children
# go on cleaning up.
import asyncio

async def main():
    loop = asyncio.get_running_loop()
    t0 = loop.time()
    now = lambda: round((loop.time() - t0) * 1000 / 50) * 50
    async def child(name, cleanup):
        try:
            await asyncio.sleep(10)
        finally:
            print(f"{name} cancelled @{now()}")
            await asyncio.sleep(cleanup / 1000)
            print(f"{name} cleaned up @{now()}")
    async def gatherer():
        try:
            await asyncio.gather(child("a", 200), child("b", 100))
        except asyncio.CancelledError as e:
            print(f"gatherer got CancelledError @{now()}")
            raise
    g = asyncio.create_task(gatherer())
    await asyncio.sleep(0.5)
    g.cancel()
    try:
        await g
    except asyncio.CancelledError:
        print(f"gatherer cancelled={g.cancelled()}")
    await asyncio.sleep(0.3)
asyncio.run(main())
