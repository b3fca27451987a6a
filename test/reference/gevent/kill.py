# /usr/bin/python3 test/reference/gevent/kill.py > test/reference/gevent/kill.txt
# kill semantics: GreenletExit is success (value is the GreenletExit), finally runs, a kill
# before the start never runs the function, kill(exception) stores it, block=False, a
# greenlet that catches the kill and returns a value.
import gevent
from gevent import GreenletExit

def sleeper(name):
    try:
        print(name, 'sleeps')
        gevent.sleep(10)
        print(name, 'woke (never)')
    finally:
        print(name, 'finally')

g = gevent.spawn(sleeper, 'g')
gevent.sleep(0)
g.kill()
print('after kill: dead', g.dead, 'successful', g.successful(), 'value', repr(g.value), 'exception', g.exception)

u = gevent.spawn(sleeper, 'u')
u.kill()
print('unstarted kill: dead', u.dead, 'successful', u.successful(), 'value', type(u.value).__name__)

class MyError(Exception):
    pass

e = gevent.spawn(sleeper, 'e')
gevent.sleep(0)
e.kill(MyError('boom'))
print('kill(MyError): successful', e.successful(), 'exception', repr(e.exception), 'value', e.value)

def stubborn():
    try:
        gevent.sleep(10)
    except GreenletExit:
        print('stubborn caught GreenletExit')
        return 'stubborn result'

s = gevent.spawn(stubborn)
gevent.sleep(0)
s.kill()
print('stubborn: successful', s.successful(), 'value', s.value)

n = gevent.spawn(sleeper, 'n')
gevent.sleep(0)
n.kill(block=False)
print('kill(block=False) returned: dead', n.dead)
gevent.sleep(0)
print('after sleep(0): dead', n.dead)

def victim():
    print('victim sleeps')
    gevent.sleep(1)
gs = [gevent.spawn(victim) for i in range(3)]
gevent.sleep(0)
gevent.killall(gs)
print('killall: all dead', all(x.dead for x in gs), 'values', [type(x.value).__name__ for x in gs])
