# /usr/bin/python3 test/reference/gevent/server.py > test/reference/gevent/server.txt
# StreamServer and a client socket with Python's manners: makefile().readline(), recv(n)
# returning what has arrived, b'' at EOF, sendall, close, stop().
from gevent.server import StreamServer
from gevent import socket
import gevent

def handle(sock, addr):
    print('handler got a connection from', addr[0])
    f = sock.makefile('rb')
    line = f.readline()
    print('handler read line', line)
    sock.sendall(line.upper())
    data = sock.recv(1024)
    print('handler recv', data)
    sock.sendall(b'bye\n')
    sock.close()
    print('handler closed')

server = StreamServer(('127.0.0.1', 0), handle)
print('before start: closed', server.closed)
server.start()
print('started: closed', server.closed, 'host', server.server_host, 'port > 0', server.server_port > 0)
c = socket.create_connection(('127.0.0.1', server.server_port))
c.sendall(b'hello\n')
print('client got', c.recv(1024))
c.sendall(b'more')
print('client got', c.recv(1024))
print('client got at EOF', c.recv(1024))
c.close()
server.stop()
print('stopped: closed', server.closed)
