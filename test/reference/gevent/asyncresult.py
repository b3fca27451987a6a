# /usr/bin/python3 test/reference/gevent/asyncresult.py > test/reference/gevent/asyncresult.txt
# AsyncResult and Event: waiters woken in order, get() raises a set_exception, wait with a
# timeout returns, Event.wait returns the flag.
import gevent
from gevent.event import AsyncResult, Event

r = AsyncResult()
def getter(name):
    print(name, 'waits')
    print(name, 'got', r.get())

gs = [gevent.spawn(getter, n) for n in ('g1', 'g2')]
gevent.sleep(0)
print('ready', r.ready())
r.set(42)
print('set; ready', r.ready(), 'successful', r.successful(), 'value', r.value)
gevent.joinall(gs)
print('get after set:', r.get())

r2 = AsyncResult()
def failer():
    gevent.sleep(0.01)
    r2.set_exception(ValueError('nope'))
gevent.spawn(failer)
try:
    r2.get()
except ValueError as e:
    print('get raised', repr(e), 'successful', r2.successful(), 'exception', repr(r2.exception))

r3 = AsyncResult()
print('wait(timeout) returns', r3.wait(0.01))
try:
    r3.get(timeout=0.01)
except gevent.Timeout as e:
    print('get(timeout) raised Timeout')
try:
    r3.get(block=False)
except gevent.Timeout:
    print('get(block=False) raised Timeout')

ev = Event()
def setter():
    gevent.sleep(0.01)
    print('setting')
    ev.set()
def ewaiter(name):
    print(name, 'wait ->', ev.wait())
gs = [gevent.spawn(ewaiter, 'w1'), gevent.spawn(ewaiter, 'w2'), gevent.spawn(setter)]
gevent.joinall(gs)
print('is_set', ev.is_set())
ev.clear()
print('after clear', ev.is_set(), 'wait(10ms) ->', ev.wait(0.01))
