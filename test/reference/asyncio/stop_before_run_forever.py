# /usr/bin/python3 test/reference/asyncio/stop_before_run_forever.py > test/reference/asyncio/stop_before_run_forever.txt
# stop() before run_forever(): the loop runs one iteration and returns.
import asyncio

loop = asyncio.new_event_loop()
loop.call_soon(print, "a: soon, first iteration")
loop.call_soon(lambda: loop.call_soon(print, "c: scheduled in the first iteration"))
loop.call_later(0.05, print, "b: 50 ms later")
loop.stop()
loop.run_forever()
print("run_forever returned")
loop.run_until_complete(asyncio.sleep(0.1))
print("second run done")
loop.close()
