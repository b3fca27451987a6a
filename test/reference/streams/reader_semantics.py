# /usr/bin/python3 test/reference/streams/reader_semantics.py > test/reference/streams/reader_semantics.txt
# StreamReader fed by hand: what each read returns, IncompleteReadError and LimitOverrunError
# (buffer intact for readuntil, line dropped for readline), reads after EOF, and a reader
# cancelled after its data arrived (the bytes stay for the next reader).
import asyncio

async def main():
    r = asyncio.StreamReader(limit=8)
    r.feed_data(b"hello\nwor")
    print("readline", await r.readline())
    r.feed_data(b"ld!!rest")
    print("readuntil", await r.readuntil(b"!!"))
    print("readexactly", await r.readexactly(2))
    r.feed_data(b"0123456789abcdef\nnext\n")
    try:
        await r.readuntil(b"\n")
    except asyncio.LimitOverrunError as e:
        print("LimitOverrunError consumed", e.consumed)
    print("still buffered", await r.readexactly(4))
    try:
        await r.readline()
    except ValueError as e:
        print("readline over the limit:", e)
    print("next line", await r.readline())
    waiter = asyncio.create_task(r.read(100))
    await asyncio.sleep(0)
    r.feed_data(b"kept")
    waiter.cancel()
    try:
        await waiter
    except asyncio.CancelledError:
        print("cancelled reader took nothing")
    print("read", await r.read(2))
    r.feed_eof()
    try:
        await r.readexactly(5)
    except asyncio.IncompleteReadError as e:
        print("IncompleteReadError", e.partial, e.expected)
    print("at_eof", r.at_eof())
    print("read after eof", await r.read(), await r.readline())
    r2 = asyncio.StreamReader()
    r2.feed_data(b"no separator")
    r2.feed_eof()
    try:
        await r2.readuntil(b"\n")
    except asyncio.IncompleteReadError as e:
        print("readuntil at eof", e.partial, e.expected)

asyncio.run(main())
