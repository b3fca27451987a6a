# /usr/bin/python3 test/reference/greenlet/values.py > test/reference/greenlet/values.txt
# Values both ways. The first switch passes run's arguments; a later switch's arguments
# come out of the target's pending switch: one as is, none as () and several as a tuple
# (JS: undefined and an array). A greenlet's return value goes to its parent; a switch to
# a dead greenlet goes to its parent, here the caller, so it returns its own arguments; a
# greenlet switching to itself gets its arguments back at once.
from greenlet import greenlet, getcurrent
from show import fmt  # the JS mapping of values, shared by these programs


main = getcurrent()


def worker(a, b):
    print('worker starts with', fmt(a), fmt(b))
    got = main.switch(a + b)
    print('worker got', fmt(got))
    got = main.switch()
    print('worker got', fmt(got))
    got = main.switch('x', 'y')
    print('worker got', fmt(got))
    print('worker switches to itself:', fmt(getcurrent().switch('me')))
    return 'worker result'


w = greenlet(worker)
print('main got', fmt(w.switch(1, 2)))
print('main got', fmt(w.switch('one')))
print('main got', fmt(w.switch()))
print('main got', fmt(w.switch(3, 4, 5)))
print('worker dead:', w.dead)
print('switch to dead, one value:', fmt(w.switch('a')))
print('switch to dead, none:', fmt(w.switch()))
print('switch to dead, two values:', fmt(w.switch('a', 'b')))
print('main switches to itself:', fmt(main.switch(7)))


def noreturn():
    print('noreturn runs')


print('a greenlet without return gives', fmt(greenlet(noreturn).switch()))
