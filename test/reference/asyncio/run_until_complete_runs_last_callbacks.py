# /usr/bin/python3 test/reference/asyncio/run_until_complete_runs_last_callbacks.py > test/reference/asyncio/run_until_complete_runs_last_callbacks.txt
# run_until_complete stops after the iteration that runs its done callback: callbacks the
# task scheduled with call_soon just before it returned run before it returns.
import asyncio

async def main():
    loop = asyncio.get_running_loop()
    loop.call_soon(print, "scheduled just before main returns")
    return "main's result"

loop = asyncio.new_event_loop()
print(loop.run_until_complete(main()))
loop.close()
