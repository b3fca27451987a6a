# /usr/bin/python3 test/reference/greenlet/scripts.py > test/reference/greenlet/scripts.txt
# Random switching, checked against real greenlet. Each script (made from a fixed seed, and
# printed as JSON on its `script` line, so the JS test runs exactly the same ones) makes a
# few greenlets with random parents and gives each, and the main greenlet, a list of
# actions: switch to someone with a value, throw a ValueError into someone, kill someone
# (throw() with its default GreenletExit), or raise. Everyone logs what each action brings
# back; a greenlet that runs out of actions returns 'end<i>' to its parent. This exercises
# every rule at once: values both ways, starts with the first switch's value, returns and
# exceptions to parents past dead and unstarted ones, kills of running, suspended and
# unstarted greenlets, switches to oneself and to the dead.
import json
import random

from greenlet import GreenletExit, getcurrent, greenlet
from show import fmt  # the JS mapping of values, shared by these programs

SEED = 20261202
SCRIPTS = 300


def make_script(rng):
    n = rng.randint(1, 4)
    parents = [rng.randint(-1, i - 1) for i in range(n)]  # -1: main; only earlier ones

    def action(who_can_raise):
        r = rng.random()
        target = rng.randint(-1, n - 1)
        if r < 0.6:
            return ['switch', target, 'v%d' % rng.randint(0, 99)]
        if r < 0.75:
            return ['throw', target]
        if r < 0.85:
            return ['kill', target]
        return ['raise'] if who_can_raise else ['switch', target, 'w%d' % rng.randint(0, 99)]

    programs = [[action(True) for _ in range(rng.randint(0, 4))] for _ in range(n)]
    main = [action(False) for _ in range(rng.randint(1, 6))]
    return {'parents': parents, 'programs': programs, 'main': main}


def run_script(script):
    main = getcurrent()
    gs = []

    def name(who):
        return 'main' if who == -1 else 'g%d' % who

    def target(k):
        return main if k == -1 else gs[k]

    def step(who, a):
        if a[0] == 'raise':
            raise ValueError('raised by %s' % name(who))
        try:
            if a[0] == 'switch':
                v = target(a[1]).switch(a[2])
            elif a[0] == 'throw':
                v = target(a[1]).throw(ValueError('thrown by %s' % name(who)))
            else:
                v = target(a[1]).throw()
            print('%s got %s' % (name(who), fmt(v)))
        except ValueError as e:
            print('%s caught %s' % (name(who), fmt(e)))
        except GreenletExit as e:
            if who != -1:
                print('%s killed' % name(who))
                raise
            print('main caught %s' % fmt(e))

    def body(i):
        def run(*args):
            # A greenlet started by a GreenletExit as a value gets no arguments at all.
            print('g%d starts with %s' % (i, fmt(args[0] if args else args)))
            for a in script['programs'][i]:
                step(i, a)
            return 'end%d' % i
        return run

    for i, p in enumerate(script['parents']):
        gs.append(greenlet(body(i), parent=target(p)))
    for a in script['main']:
        step(-1, a)
    print('dead: %s' % ' '.join('g%d=%s' % (i, g.dead) for i, g in enumerate(gs)))


rng = random.Random(SEED)
for _ in range(SCRIPTS):
    script = make_script(rng)
    print('script ' + json.dumps(script, separators=(',', ':')))
    run_script(script)
