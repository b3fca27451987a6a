# /usr/bin/python3 test/reference/gevent/pool.py > test/reference/gevent/pool.txt
# Pool(size): spawn waits while full, map keeps order, imap yields in order, imap_unordered
# in completion order, apply, free_count/full, join, kill; Group has no limit.
import gevent
from gevent.pool import Pool, Group

hub = gevent.get_hub()
hub.loop.update_now()
t0 = hub.loop.now()
def ms():
    return int(round((hub.loop.now() - t0) * 1000, -1))

def job(x):
    gevent.sleep((40 - 10 * x) / 1000)
    return x * x

p = Pool(2)
print('free', p.free_count(), 'full', p.full())
a = p.spawn(job, 1)
b = p.spawn(job, 2)
print('free', p.free_count(), 'full', p.full(), 'len', len(p))
c = p.spawn(job, 3)
print('third spawn returned at', ms(), 'ms')
p.join()
print('joined at', ms(), 'ms', [a.value, b.value, c.value], 'len', len(p))

print('map:', p.map(job, [0, 1, 2, 3]))
print('imap:', [x for x in p.imap(job, [0, 1, 2, 3])])
print('imap_unordered:', list(Pool(4).imap_unordered(job, [0, 1, 2, 3])))
print('apply:', p.apply(job, (3,)))

def tagged(x):
    gevent.sleep(x / 1000)
    print('tagged', x)
    return x
print('Pool(2).imap order:', list(Pool(2).imap(tagged, [40, 10, 20])))
print('Pool(2).imap_unordered order:', list(Pool(2).imap_unordered(tagged, [40, 10, 20])))

g = Group()
for i in range(3):
    g.spawn(tagged, 10 * (3 - i))
print('group len', len(g))
g.join()
print('group joined, len', len(g))

g = Group()
x = g.spawn(gevent.sleep, 1)
y = gevent.spawn(gevent.sleep, 1)
g.add(y)
print('group len', len(g), y in g)
g.kill()
print('group killed: len', len(g), x.dead, y.dead)
g.discard(y)

p = Pool(1)
start = ms()
w = p.spawn(gevent.sleep, 0.02)
print('pool full', p.full(), 'wait_available')
p.wait_available()
print('available after', ms() - start, 'ms; full', p.full())
