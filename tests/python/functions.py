# Functions: defaults, keyword and star arguments, closures, recursion, lambdas.


def _add(a, b=10, *args, scale=1, **kw):
    total = a + b
    for x in args:
        total += x
    return total * scale, kw


def test_defaults_and_keywords():
    assert _add(1)[0] == 11
    assert _add(1, 2)[0] == 3
    assert _add(1, 2, 3, 4)[0] == 10
    assert _add(1, b=5, scale=2)[0] == 12
    assert _add(1, 2, extra=3)[1] == {"extra": 3}


def _counter():
    n = 0

    def inc(step=1):
        nonlocal n
        n += step
        return n

    return inc


def test_closures():
    c = _counter()
    c()
    c()
    assert c(5) == 7


def _fact(n):
    return 1 if n <= 1 else n * _fact(n - 1)


def test_recursion():
    assert _fact(20) == 2432902008176640000
    assert _fact(25) == 15511210043330985984000000


def test_lambda_and_higher_order():
    compose = lambda f, g: lambda x: f(g(x))
    inc = lambda x: x + 1
    dbl = lambda x: x * 2
    assert compose(inc, dbl)(5) == 11
    assert compose(dbl, inc)(5) == 12


def test_star_call():
    args = (1, 2)
    kwargs = {"scale": 3}
    assert _add(*args, **kwargs)[0] == 9




def _described(a, b=2, *rest):
    return a


def test_a_function_has_a_code_object():
    c = _described.__code__
    assert c.co_name == "_described"
    assert c.co_argcount == 2
    assert c.co_varnames[:3] == ("a", "b", "rest")
    assert c.co_filename.endswith("functions.py")
    assert "code object _described" in repr(c)


if __name__ == "__main__":
    for _name, _f in list(globals().items()):
        if _name.startswith("test_"):
            _f()
    print("ok")
