# /usr/bin/python3 test/reference/gevent/kill_order.py > test/reference/gevent/kill_order.txt
# Who runs first after a kill: the victim's finally, then the killer (kill returns as
# soon as the victim is dead), then the victim's links; other greenlets ready meanwhile.
import gevent

def victim():
    try:
        gevent.sleep(10)
    finally:
        print('victim finally')

def bystander():
    print('bystander runs')
    gevent.sleep(0)
    print('bystander runs again')

v = gevent.spawn(victim)
v.link(lambda g: print('link 1'))
gevent.sleep(0)
b = gevent.spawn(bystander)
v.link(lambda g: print('link 2'))
v.kill()
print('kill returned')
gevent.sleep(0)
print('main after sleep(0)')
gevent.sleep(0.01)

def waiter():
    v2.join()
    print('waiter saw v2 end')
v2 = gevent.spawn(victim)
w = gevent.spawn(waiter)
gevent.sleep(0)
v2.kill(block=False)
print('kill(block=False) returned')
v2.join()
print('main joined v2')
gevent.sleep(0.01)

def survivor():
    try:
        gevent.sleep(10)
    except gevent.GreenletExit:
        print('survivor caught the kill')
        gevent.sleep(0)
        print('survivor after sleep(0)')
        gevent.sleep(0.02)
        print('survivor ends')
s = gevent.spawn(survivor)
b = gevent.spawn(bystander)
gevent.sleep(0)
print('main kills survivor')
s.kill(timeout=0.01)
print('kill gave up: survivor dead', s.dead)
s.join()
print('main joined survivor')
