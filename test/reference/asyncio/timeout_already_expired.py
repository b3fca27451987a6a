# /usr/bin/python3 test/reference/asyncio/timeout_already_expired.py > test/reference/asyncio/timeout_already_expired.txt
# A timeout whose deadline has already passed cancels at the very first suspension.
import asyncio

async def main():
    loop = asyncio.get_running_loop()
    try:
        async with asyncio.timeout_at(loop.time() - 1):
            print("body starts")
            await asyncio.sleep(0)
            print("never: after the first suspension")
    except TimeoutError:
        print("TimeoutError")
    try:
        async with asyncio.timeout(0):
            print("body starts")
            await asyncio.sleep(0)
            print("never: after the first suspension")
    except TimeoutError:
        print("TimeoutError")
asyncio.run(main())
