# /usr/bin/python3 test/reference/gevent/spawn_join.py > test/reference/gevent/spawn_join.txt
# spawn order, start on the first block, join, get, values, sleep(0) interleaving, spawn_later.
import gevent
from gevent import getcurrent

t0 = None
def now():
    return round((gevent.get_hub().loop.now() - t0) * 1000, -1)

def worker(name, n, ms):
    for i in range(n):
        print('%s step %d' % (name, i))
        gevent.sleep(0)
    gevent.sleep(ms / 1000)
    print('%s done' % name)
    return name.upper()

gevent.get_hub().loop.update_now()
t0 = gevent.get_hub().loop.now()
a = gevent.spawn(worker, 'a', 2, 60)
b = gevent.spawn(worker, 'b', 3, 10)
c = gevent.spawn_later(0.1, worker, 'c', 1, 0)
print('spawned; a started:', bool(a), 'ready:', a.ready())
gevent.sleep(0)
print('main after sleep(0)')
b.join()
print('b joined: value', b.value, 'successful', b.successful(), 'dead', b.dead)
print('a.get():', a.get())
print('c ready before join:', c.ready())
c.join()
print('c value', c.value)
print('join with timeout on a sleeper:')
d = gevent.spawn(gevent.sleep, 1)
d.join(timeout=0.02)
print('d ready after join(20ms):', d.ready())
try:
    d.get(timeout=0.02)
except gevent.Timeout as t:
    print('get(timeout) raised Timeout', t is not None)
try:
    d.get(block=False)
except gevent.Timeout:
    print('get(block=False) raised Timeout')
d.kill()
print('d killed: ready', d.ready(), 'successful', d.successful(), 'value', type(d.value).__name__)
