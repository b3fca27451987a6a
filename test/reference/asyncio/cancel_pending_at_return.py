# /usr/bin/python3 test/reference/asyncio/cancel_pending_at_return.py > test/reference/asyncio/cancel_pending_at_return.txt
# A task cancelled while it runs its last step (it cancels itself, then returns) ends
# cancelled, not with its value.
import asyncio

async def main():
    async def selfish():
        asyncio.current_task().cancel()
        return "value"
    t = asyncio.create_task(selfish())
    try:
        await t
    except asyncio.CancelledError:
        print("await raised CancelledError")
    print("cancelled:", t.cancelled(), "cancelling:", t.cancelling())
asyncio.run(main())
