# /usr/bin/python3 test/reference/gevent/eat_play.py > test/reference/gevent/eat_play.txt
# The tutorial's gevent program, with gevent.sleep (what monkey.patch_all makes time.sleep),
# times shortened 100×: 50 ms and 60 ms (the test checks on the virtual clock that it
# takes 60 ms, not 110).
import gevent

def eat(name):
    print('%s eat food first' % name)
    gevent.sleep(0.05)
    print('%s eat food second' % name)

def play(name):
    print('%s play phone 1' % name)
    gevent.sleep(0.06)
    print('%s play phone 2' % name)

g1 = gevent.spawn(eat, 'egon')
g2 = gevent.spawn(play, name='egon')
g1.join()
g2.join()
print('主')
