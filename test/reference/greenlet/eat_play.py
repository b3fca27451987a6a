# /usr/bin/python3 test/reference/greenlet/eat_play.py > test/reference/greenlet/eat_play.txt
# The tutorial's greenlet program, unchanged but for the unused `import time`. The tutorial
# prints "egon啦啦啦 play 1" and "egon啦啦啦 play 2"; real greenlet prints "alex飞飞飞 play ...":
# play_phone's `name` is what the first switch into gr2 passed, gr2.switch('alex飞飞飞').
from greenlet import greenlet


def eat(name):
    print('%s eat food 1' % name)
    gr2.switch('alex飞飞飞')
    print('%s eat food 2' % name)
    gr2.switch()


def play_phone(name):
    print('%s play 1' % name)
    gr1.switch()
    print('%s play 2' % name)


gr1 = greenlet(eat)
gr2 = greenlet(play_phone)
gr1.switch(name='egon啦啦啦')  # 可以在第一次switch时传入参数，以后都不需要
