# /usr/bin/python3 test/reference/asyncio/producer_consumer.py > test/reference/asyncio/producer_consumer.txt
# examples/producer-consumer.ts's spindle part: a producer and a consumer around a
# Queue(maxsize=2), the consumer cancelled once join() returns.
import asyncio

async def producer(queue, seq):
    for item in seq:
        print(f"produce {item}")
        await queue.put(item)
    await queue.join()
    print(f"producer: all {len(seq)} items consumed")

async def consumer(queue):
    try:
        while True:
            item = await queue.get()
            print(f"consume {item}")
            queue.task_done()
    finally:
        print("consumer: cancelled")

async def main():
    queue = asyncio.Queue(maxsize=2)
    c = asyncio.create_task(consumer(queue))
    await producer(queue, list(range(5)))
    c.cancel()
    await asyncio.gather(c, return_exceptions=True)

asyncio.run(main())
