# Not valid Python: the front end reports Cython's message and exits non-zero.
def f(:
    return 1
