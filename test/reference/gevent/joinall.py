# /usr/bin/python3 test/reference/gevent/joinall.py > test/reference/gevent/joinall.txt
# joinall: returns the finished ones in the order they finished, timeout, count, raise_error.
import gevent

def nap(name, ms, fail=False):
    gevent.sleep(ms / 1000)
    if fail:
        raise ValueError(name)
    return name

def names(gs):
    return [g.value for g in gs]

gs = [gevent.spawn(nap, 'slow', 30), gevent.spawn(nap, 'fast', 10), gevent.spawn(nap, 'mid', 20)]
done = gevent.joinall(gs)
print('all:', names(done))

gs = [gevent.spawn(nap, 'slow', 60), gevent.spawn(nap, 'fast', 10), gevent.spawn(nap, 'mid', 20)]
done = gevent.joinall(gs, timeout=0.04)
print('timeout 40ms:', names(done), 'slow ready', gs[0].ready())
gevent.joinall(gs)

gs = [gevent.spawn(nap, 'slow', 30), gevent.spawn(nap, 'fast', 10), gevent.spawn(nap, 'mid', 20)]
done = gevent.joinall(gs, count=2)
print('count 2:', names(done))
gevent.joinall(gs)

gs = [gevent.spawn(nap, 'ok', 10), gevent.spawn(nap, 'bad', 20, True), gevent.spawn(nap, 'late', 40)]
try:
    gevent.joinall(gs, raise_error=True)
except ValueError as e:
    print('raise_error raised ValueError', e, 'late ready', gs[2].ready())
print('bad: successful', gs[1].successful(), 'exception', repr(gs[1].exception))
gevent.joinall(gs)

gs = [gevent.spawn(nap, 'x', 20), gevent.spawn(nap, 'y', 10)]
print('wait:', names(gevent.wait(gs)))
gs = [gevent.spawn(nap, 'x', 20), gevent.spawn(nap, 'y', 10), gevent.spawn(nap, 'z', 30)]
for g in gevent.iwait(gs):
    print('iwait got', g.value)
