# Generators: yield, send, generator expressions, iteration protocol.


def _count_up(n):
    i = 0
    while i < n:
        yield i
        i += 1


def test_for_over_generator():
    total = 0
    for x in _count_up(5):
        total += x
    assert total == 10


def test_next_and_stop_iteration():
    g = _count_up(2)
    assert next(g) == 0
    assert next(g) == 1
    try:
        next(g)
    except StopIteration:
        pass
    else:
        raise AssertionError("no StopIteration")


def _echo():
    received = []
    while True:
        x = yield len(received)
        if x is None:
            break
        received.append(x)
    return received


def test_send():
    g = _echo()
    assert g.send(None) == 0
    assert g.send("a") == 1
    assert g.send("b") == 2
    try:
        g.send(None)
    except StopIteration as e:
        assert e.value == ["a", "b"]


def test_generator_expression():
    assert sum(x * x for x in _count_up(4)) == 14
    assert list(x for x in "ab") == ["a", "b"]


def test_yield_from():
    def both():
        yield from _count_up(2)
        yield from _count_up(3)

    assert list(both()) == [0, 1, 0, 1, 2]


def test_stop_iteration_value():
    assert StopIteration().value is None
    assert StopIteration(5).value == 5
    assert StopIteration(5, 6).value == 5

    def returns():
        yield 1
        return "done"

    g = returns()
    next(g)
    try:
        next(g)
    except StopIteration as e:
        assert e.value == "done"
    else:
        raise AssertionError("no StopIteration")




async def _answer():
    return 42


async def _twice():
    a = await _answer()
    return a * 2


def _drive(coro):
    it = coro.__await__()
    try:
        next(it)
    except StopIteration as e:
        return e.value
    raise AssertionError("the coroutine suspended")


def test_a_coroutine_is_driven_through_await():
    assert _drive(_answer()) == 42
    assert _drive(_twice()) == 84


if __name__ == "__main__":
    for _name, _f in list(globals().items()):
        if _name.startswith("test_"):
            _f()
    print("ok")
