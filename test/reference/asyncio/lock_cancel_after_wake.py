# /usr/bin/python3 test/reference/asyncio/lock_cancel_after_wake.py > test/reference/asyncio/lock_cancel_after_wake.txt
# A waiter woken by release() and cancelled before it runs: the cancel wins, and the lock
# goes to the next waiter. A newcomer cannot barge in between release and the woken waiter.
import asyncio

async def main():
    lock = asyncio.Lock()
    await lock.acquire()
    async def waiter(name):
        try:
            await lock.acquire()
        except asyncio.CancelledError:
            print(f"{name}: cancelled")
            raise
        print(f"{name}: has the lock")
        await asyncio.sleep(0)
        lock.release()
        print(f"{name}: released")
    b = asyncio.create_task(waiter("B"))
    c = asyncio.create_task(waiter("C"))
    await asyncio.sleep(0)             # B and C wait in line
    lock.release()                     # wakes B
    print("locked after release:", lock.locked())
    b.cancel()                         # before B runs: the cancel wins
    d = asyncio.create_task(waiter("D"))  # a newcomer queues behind C
    await asyncio.gather(b, c, d, return_exceptions=True)
    print("locked at the end:", lock.locked())
asyncio.run(main())
