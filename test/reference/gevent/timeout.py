# /usr/bin/python3 test/reference/gevent/timeout.py > test/reference/gevent/timeout.txt
# Timeout raises itself; a Timeout with an exception raises that; with_timeout and
# timeout_value; cancel before expiry; Timeout as a context manager; Timeout(…, False).
import gevent
from gevent import Timeout

t = Timeout(0.02)
t.start()
try:
    gevent.sleep(1)
except Timeout as e:
    print('caught the Timeout itself:', e is t, str(e))
finally:
    t.cancel()

t = Timeout(0.05)
t.start()
gevent.sleep(0.01)
t.cancel()
gevent.sleep(0.06)
print('cancelled timeout did not fire; pending', t.pending)

class Late(Exception):
    pass

t = Timeout(0.02, Late('too late'))
t.start()
try:
    gevent.sleep(1)
except Late as e:
    print('caught Late:', e)
finally:
    t.cancel()

try:
    with Timeout(0.02):
        gevent.sleep(1)
except Timeout as e:
    print('with Timeout raised:', str(e))

with Timeout(0.02, False):
    gevent.sleep(1)
    print('never')
print('Timeout(…, False) swallowed it')

def slow(x):
    gevent.sleep(0.05)
    return x * 2
print('with_timeout fast enough:', gevent.with_timeout(0.1, slow, 21))
print('with_timeout timeout_value:', gevent.with_timeout(0.01, slow, 21, timeout_value='late'))
try:
    gevent.with_timeout(0.01, slow, 21)
except Timeout as e:
    print('with_timeout raised Timeout:', str(e))

g = gevent.spawn(slow, 1)
try:
    g.get(timeout=0.01)
except Timeout as e:
    print('get(timeout) raised:', str(e))
g.join()
