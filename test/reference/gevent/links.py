# /usr/bin/python3 test/reference/gevent/links.py > test/reference/gevent/links.txt
# link callbacks: called after the greenlet finishes, in the order they were linked, with
# the greenlet; link_value / link_exception filter; a link added after the end still runs;
# join waiters are links too (the order with callbacks); unlink.
import gevent

def work(name, fail=False):
    print(name, 'runs')
    gevent.sleep(0.01)
    if fail:
        raise KeyError(name)
    return name + '!'

def cb(tag):
    def f(g):
        print('link', tag, 'value', g.value, 'exception', repr(g.exception))
    return f

g = gevent.spawn(work, 'g')
g.link(cb('1'))
g.link_value(cb('value-only'))
g.link_exception(cb('exception-only'))
removed = cb('removed')
g.link(removed)
g.unlink(removed)
g.link(cb('2'))
g.join()
print('main joined g')
gevent.sleep(0)
print('main after sleep(0)')

h = gevent.spawn(work, 'h', True)
h.link(cb('1'))
h.link_value(cb('value-only'))
h.link_exception(cb('exception-only'))
h.join()
print('main joined h')
gevent.sleep(0)

print('link after the end:')
g.link(cb('late'))
gevent.sleep(0)
print('done')

def waiter(name, target):
    target.join()
    print(name, 'saw the end')

t = gevent.spawn(work, 't')
w1 = gevent.spawn(waiter, 'w1', t)
t.link(cb('between'))
w2 = gevent.spawn(waiter, 'w2', t)
gevent.joinall([t, w1, w2])
print('all joined')
