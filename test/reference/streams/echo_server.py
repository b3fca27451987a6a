# /usr/bin/python3 test/reference/streams/echo_server.py > test/reference/streams/echo_server.txt
# The tutorial's echo server and three clients, one after another: what the handler reads,
# what each client gets back (the peer's port shown as PORT), a half-close, and the server's
# state around close().
import asyncio

async def handle(reader, writer):
    data = await reader.read(100)
    host, port = writer.get_extra_info("peername")
    print(f"server got {data.decode()!r} from {host}")
    writer.write(f"('{host}', PORT) Your msg {data.decode()}".encode())
    await writer.drain()
    rest = await reader.read()
    print(f"server: then read {rest!r}, at_eof {reader.at_eof()}")
    writer.close()
    await writer.wait_closed()

async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    print("serving", server.is_serving())
    for i in range(1, 4):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(f"Thread-{i} say hello {i}".encode())
        await writer.drain()
        reply = await reader.read(100)
        print(f"client {i} got {reply.decode()}")
        writer.write_eof()
        print(f"client {i} then reads {await reader.read()!r}")
        writer.close()
        await writer.wait_closed()
    server.close()
    print("serving after close", server.is_serving())
    await server.wait_closed()
    print("closed")

asyncio.run(main())
