# /usr/bin/python3 test/reference/greenlet/exceptions.py > test/reference/greenlet/exceptions.txt
# Exceptions. One escaping a greenlet is raised in its parent (at the parent's pending
# switch), past dead or unstarted ancestors. throw() raises inside a greenlet; thrown into
# one that never started, it kills it unrun. GreenletExit (throw()'s default) never
# propagates: the parent receives it as a value, or whatever the killed greenlet returned.
from greenlet import greenlet, getcurrent, GreenletExit
from show import fmt  # the JS mapping of values, shared by these programs


main = getcurrent()


def fails():
    print('fails runs')
    raise ValueError('boom')


try:
    greenlet(fails).switch()
except ValueError as e:
    print('main caught', fmt(e))


# The exception goes to the parent, which handles it and goes on.
def supervisor():
    while True:
        try:
            v = main.switch('supervisor waiting')
            print('supervisor got', fmt(v))
        except ValueError as e:
            print('supervisor caught', fmt(e))


S = greenlet(supervisor)
print('main:', S.switch())
print('main:', greenlet(fails, parent=S).switch())

# Past an unstarted parent: it dies unrun, and the exception goes on to its parent.
U = greenlet(lambda: print('never printed'))
try:
    greenlet(fails, parent=U).switch()
except ValueError as e:
    print('main caught', fmt(e), 'and U is dead:', U.dead)


# throw() into a suspended greenlet: raised at its pending switch.
def catcher():
    reply = 'catcher ready'
    while True:
        try:
            v = main.switch(reply)
            print('catcher got', fmt(v))
            reply = 'catcher ready'
        except ValueError as e:
            print('catcher caught', fmt(e))
            reply = 'catcher handled it'


C = greenlet(catcher)
print('main:', C.switch())
print('main:', C.switch('a value'))
print('main:', C.throw(ValueError('thrown in')))
print('main:', C.throw(ValueError))  # a class is instantiated

# throw() into an unstarted greenlet: it dies without running.
N = greenlet(lambda: print('never printed'))
try:
    N.throw(ValueError('too early'))
except ValueError as e:
    print('main caught', fmt(e), 'and N is dead:', N.dead)
print('throw() into an unstarted greenlet returns', fmt(greenlet(lambda: None).throw()))


# GreenletExit: the default; the killed greenlet's finally runs; the parent gets the
# exception object, or what the greenlet returned if it caught it.
def killable():
    try:
        main.switch('killable ready')
    finally:
        print('killable: finally')


K = greenlet(killable)
print('main:', K.switch())
print('main: kill returned', fmt(K.throw()), 'dead:', K.dead)


def survivor():
    try:
        main.switch('survivor ready')
    except GreenletExit as e:
        print('survivor caught', fmt(e))
        return 'survivor result'


V = greenlet(survivor)
print('main:', V.switch())
print('main: kill returned', fmt(V.throw()))
print('main: kill with a message returned', fmt(greenlet(killable).throw(GreenletExit('bye'))))


def raises_exit():
    raise GreenletExit('raised inside')


print('main: GreenletExit raised inside gives', fmt(greenlet(raises_exit).switch()))

# throw() into a dead greenlet goes to its parent: here, raised in main.
try:
    K.throw(ValueError('into the dead'))
except ValueError as e:
    print('main caught', fmt(e))
print('main: GreenletExit into the dead gives', fmt(K.throw()))


# A greenlet throwing into itself: raised at once.
def self_thrower():
    try:
        getcurrent().throw(ValueError('at myself'))
    except ValueError as e:
        print('self_thrower caught', fmt(e))
    return 'self_thrower done'


print('main:', greenlet(self_thrower).switch())
