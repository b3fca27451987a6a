# Shared by the programs of this folder (not a program itself): fmt() prints a value the
# way the spindle translations print its JS counterpart, so the traces compare line by line.


def fmt(v):
    """A switch's value in the JS mapping: () and None print as undefined (JS's one
    "nothing"), a tuple as an array; an exception as Name or Name(message)."""
    if v is None or v == ():
        return 'undefined'
    if isinstance(v, tuple):
        return '[' + ', '.join(fmt(x) for x in v) + ']'
    if isinstance(v, BaseException):
        return type(v).__name__ + ('(%s)' % v if v.args else '')
    return str(v)
