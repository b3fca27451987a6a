# /usr/bin/python3 test/reference/asyncio/call_later0_before_start.py > test/reference/asyncio/call_later0_before_start.txt
# Scheduled before the loop starts: call_later(0, a) then call_soon(b). The first iteration
# runs the ready callbacks before the timers that became due.
import asyncio

loop = asyncio.new_event_loop()
loop.call_later(0, print, "a: call_later(0)")
loop.call_soon(print, "b: call_soon")
loop.call_later(0, print, "c: call_later(0), second")
loop.call_soon(print, "d: call_soon, second")
loop.run_until_complete(asyncio.sleep(0.01))
loop.close()
