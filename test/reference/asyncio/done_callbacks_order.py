# /usr/bin/python3 test/reference/asyncio/done_callbacks_order.py > test/reference/asyncio/done_callbacks_order.txt
# A finished task's done callbacks and its awaiters are notified in registration order,
# all in the iteration after it finishes.
import asyncio

async def main():
    loop = asyncio.get_running_loop()
    async def child():
        await asyncio.sleep(0.01)
        print("child returns")
        return 7
    t = asyncio.create_task(child())
    t.add_done_callback(lambda _: print("callback 1"))
    async def awaiter(name):
        print(f"{name} got {await t}")
    a = asyncio.create_task(awaiter("awaiter A"))
    await asyncio.sleep(0)            # A registers its wake-up
    t.add_done_callback(lambda _: print("callback 2"))
    b = asyncio.create_task(awaiter("awaiter B"))
    await asyncio.sleep(0)
    t.add_done_callback(lambda _: print("callback 3"))
    await asyncio.gather(a, b)
asyncio.run(main())
