# /usr/bin/python3 test/reference/greenlet/parents.py > test/reference/greenlet/parents.txt
# Parents. A greenlet's parent is the greenlet current when it was made (or the one given);
# when it finishes, its return value goes to its parent, which is not always the greenlet
# that switched to it. Greenlets switch to third ones directly; the parent can be
# reassigned (never into a cycle, never for the main greenlet); a switch to a dead
# greenlet goes to its nearest live ancestor; a return to an unstarted parent starts it
# with the value.
from greenlet import greenlet, getcurrent
from show import fmt  # the JS mapping of values, shared by these programs


main = getcurrent()


# Nested: inner is made inside outer, so outer is its parent.
def inner(x):
    print('inner: parent is outer:', getcurrent().parent is OUTER)
    return x * 10


def outer():
    g = greenlet(inner)
    print('outer: inner returned', g.switch(4))
    return 'outer done'


OUTER = greenlet(outer)
print('main: outer returned', OUTER.switch())


# A ring: a -> b -> c -> a, each switching to the next directly; all have main as parent.
def ring(name, nxt):
    def run(v):
        while v < 6:
            print(name, 'got', v)
            v = RING[nxt].switch(v + 1)
        return name + ' stops at ' + str(v)
    return run


RING = {n: greenlet(ring(n, m)) for n, m in (('a', 'b'), ('b', 'c'), ('c', 'a'))}
print('main: ring ended:', RING['a'].switch(0))
print('dead:', [RING[n].dead for n in 'abc'])


# The return goes to the parent, not to the switcher.
def collector():
    while True:
        v = main.switch('collector ready')
        print('collector collected', fmt(v))


C = greenlet(collector)
print('main:', C.switch())


def job(x):
    print('job runs, parent is collector:', getcurrent().parent is C)
    return 'job result ' + str(x)


J = greenlet(job, parent=C)
print('main: after job:', J.switch(1))

# Reassigning the parent.
K = greenlet(job)
print('main: K parent is main:', K.parent is main)
K.parent = C
print('main: after K:', K.switch(2))

# Switch to a dead greenlet whose parent is alive and not the caller: goes to the parent.
print('main: switch to dead job:', J.switch('late'))

# Cycles, and the main greenlet's parent.
A = greenlet(job)
B = greenlet(job, parent=A)
for child, parent in ((A, B), (A, A)):
    try:
        child.parent = parent
    except ValueError as e:
        print('refused:', e)
try:
    main.parent = A
except AttributeError as e:
    print('refused:', e)
print('main parent:', main.parent)


# A child's return value starts its unstarted parent.
def late_parent(v):
    print('late parent started with', v)
    return 'late parent done'


P = greenlet(late_parent)
Q = greenlet(lambda: 'child value', parent=P)
print('main:', Q.switch())
print('P dead:', P.dead, 'Q dead:', Q.dead)
