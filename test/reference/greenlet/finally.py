# /usr/bin/python3 test/reference/greenlet/finally.py > test/reference/greenlet/finally.txt
# finally blocks. They run when a greenlet returns, when an exception passes through it,
# and when it is killed with throw(); a greenlet being killed may still switch. At the end
# of a thread (in spindle: of a task), greenlet marks the greenlets still suspended there
# dead WITHOUT running their finally blocks, and they cannot be switched to from elsewhere.
import threading
import time
from greenlet import greenlet, getcurrent
from greenlet import error as greenlet_error
from show import fmt  # the JS mapping of values, shared by these programs


main = getcurrent()


def layered():
    try:
        try:
            main.switch('layered suspended')
        finally:
            print('layered: inner finally')
    finally:
        print('layered: outer finally')


L = greenlet(layered)
print('main:', L.switch())
print('main: killed:', fmt(L.throw()))

L2 = greenlet(layered)
print('main:', L2.switch())
try:
    L2.throw(ValueError('through'))
except ValueError as e:
    print('main caught', fmt(e))


# A kill that switches: the dying greenlet talks to a logger before it goes.
def logger():
    while True:
        line = getcurrent().parent.switch('logger ready')
        print('logger:', line)


LOG = greenlet(logger)
print('main:', LOG.switch())


def chatty():
    try:
        main.switch('chatty suspended')
    finally:
        LOG.parent = getcurrent()
        print('chatty: back from logger:', LOG.switch('chatty is dying'))


CH = greenlet(chatty)
print('main:', CH.switch())
print('main: killed:', fmt(CH.throw()), 'dead:', CH.dead)


# Returning through finally.
def returns():
    try:
        return 'returned'
    finally:
        print('returns: finally')


print('main:', greenlet(returns).switch())

# Thread end: the greenlet left suspended in the thread never runs its finally.
left = []


def thread_main():
    me = getcurrent()

    def suspended():
        try:
            me.switch('suspended in the thread')
        finally:
            print('never printed: finally of a greenlet of a finished thread')

    g = greenlet(suspended)
    print('thread:', g.switch())
    left.append(g)
    print('thread: ends, g dead:', g.dead)


t = threading.Thread(target=thread_main)
t.start()
t.join()
time.sleep(0.1)  # greenlet cleans up a finished thread's greenlets soon after, not at once
print('main: after the thread, g dead:', left[0].dead)
try:
    left[0].switch()
except greenlet_error:
    print('main: switch refused (greenlet.error)')
