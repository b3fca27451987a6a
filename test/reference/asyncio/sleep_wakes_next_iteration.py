# /usr/bin/python3 test/reference/asyncio/sleep_wakes_next_iteration.py > test/reference/asyncio/sleep_wakes_next_iteration.txt
# A sleep's timer only sets a future; the task steps in the next iteration, after the timer
# callbacks due in the same iteration, even ones armed later with a later deadline.
import asyncio

async def main():
    loop = asyncio.get_running_loop()
    async def sleeper():
        await asyncio.sleep(0.05)
        print("sleeper wakes")
        loop.call_soon(print, "soon from sleeper")
    t = asyncio.create_task(sleeper())
    await asyncio.sleep(0)            # the sleeper arms its timer
    loop.call_later(0.05, print, "callback due with the sleeper")
    loop.call_later(0.05, lambda: loop.call_soon(print, "soon from the second callback"))
    await t
asyncio.run(main())
