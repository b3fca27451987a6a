# /usr/bin/python3 test/reference/asyncio/semaphore_cancel_after_wake.py > test/reference/asyncio/semaphore_cancel_after_wake.txt
# A waiter woken by release() and cancelled before it runs gives its permit back to the
# next waiter; no permit is lost.
import asyncio

async def main():
    sem = asyncio.Semaphore(1)
    await sem.acquire()
    async def waiter(name):
        try:
            await sem.acquire()
        except asyncio.CancelledError:
            print(f"{name}: cancelled")
            raise
        print(f"{name}: has a permit")
        await asyncio.sleep(0)
        sem.release()
    b = asyncio.create_task(waiter("B"))
    c = asyncio.create_task(waiter("C"))
    await asyncio.sleep(0)
    sem.release()
    print("locked after release:", sem.locked())
    b.cancel()
    await asyncio.gather(b, c, return_exceptions=True)
    print("value at the end:", sem._value, "locked:", sem.locked())
asyncio.run(main())
