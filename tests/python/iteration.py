# Iteration builtins: range corner cases, enumerate, zip, map, filter, reversed, sorted, min/max,
# any/all, iter/next, and the small builtins compiled code calls.
import sys


def _raises(exc, f, *args, **kwargs):
    try:
        f(*args, **kwargs)
    except exc as e:
        return str(e)
    raise AssertionError(f"{exc.__name__} not raised")


def _call(f, *args):
    return f(*args)


def test_range_corner_cases():
    assert list(range(0)) == []
    assert list(range(-3)) == []
    assert list(range(2, 2)) == []
    assert list(range(5, 0, -2)) == [5, 3, 1]
    assert list(range(0, 10, 3)) == [0, 3, 6, 9]
    assert list(range(-5, -1)) == [-5, -4, -3, -2]
    assert list(range(10, 0, 3)) == []
    assert len(range(0, 10, 3)) == 4
    assert len(range(10, 0, -3)) == 4
    assert _raises(ValueError, range, 0, 5, 0) == "range() arg 3 must not be zero"
    assert "cannot be interpreted as an integer" in _raises(TypeError, range, 1.5)
    r = range(1, 10, 2)
    assert (r.start, r.stop, r.step) == (1, 10, 2)
    assert r[0] == 1 and r[-1] == 9 and r[2] == 5
    assert _raises(IndexError, lambda: r[5]) == "range object index out of range"
    assert list(r[1:3]) == [3, 5]
    assert list(r[::-1]) == [9, 7, 5, 3, 1]
    assert 5 in r and 4 not in r and 11 not in r
    assert repr(range(3)) == "range(0, 3)"
    assert repr(range(1, 9, 2)) == "range(1, 9, 2)"
    assert range(0) == range(5, 5)
    assert range(0, 3) == range(0, 3, 1)
    assert range(0, 3) != range(0, 4)
    assert not range(0)
    assert range(1)
    assert isinstance(r, range)
    total = 0
    for i in range(3):
        for j in range(i):
            total += j
    assert total == 1
    n = 4
    assert [i * i for i in range(n)] == [0, 1, 4, 9]
    assert list(reversed(range(1, 10, 3))) == [7, 4, 1]
    assert list(reversed(range(0))) == []
    it = iter(range(2))
    assert next(it) == 0 and next(it) == 1
    assert next(it, "end") == "end"


def test_enumerate():
    assert list(enumerate("ab")) == [(0, "a"), (1, "b")]
    assert list(enumerate("ab", 5)) == [(5, "a"), (6, "b")]
    assert list(enumerate("ab", start=-1)) == [(-1, "a"), (0, "b")]
    assert list(enumerate([])) == []
    e = enumerate([1])
    assert iter(e) is e
    assert isinstance(e, enumerate)
    assert "not iterable" in _raises(TypeError, enumerate, 3)


def test_zip():
    assert list(zip([1, 2], "ab")) == [(1, "a"), (2, "b")]
    assert list(zip([1, 2, 3], "ab")) == [(1, "a"), (2, "b")]
    assert list(zip()) == []
    assert list(zip([1, 2])) == [(1,), (2,)]
    assert list(zip([1], [2], [3])) == [(1, 2, 3)]
    assert list(zip("ab", "cd", strict=True)) == [("a", "c"), ("b", "d")]
    msg = _raises(ValueError, list, zip([1, 2], [1], strict=True))
    assert msg == "zip() argument 2 is shorter than argument 1"
    msg = _raises(ValueError, list, zip([1], [1, 2], strict=True))
    assert msg == "zip() argument 2 is longer than argument 1"
    msg = _raises(ValueError, list, zip([1], [1], [], strict=True))
    assert msg == "zip() argument 3 is shorter than arguments 1-2"
    a, b = zip(*[(1, 2), (3, 4)])
    assert a == (1, 3) and b == (2, 4)


def test_map_filter():
    assert list(map(abs, [-1, 2])) == [1, 2]
    assert list(map(lambda x, y: x + y, [1, 2, 3], [10, 20])) == [11, 22]
    assert list(map(str, range(3))) == ["0", "1", "2"]
    assert _raises(TypeError, map, abs) == "map() must have at least two arguments."
    assert list(filter(None, [0, 1, "", "a", None])) == [1, "a"]
    assert list(filter(lambda x: x % 2, range(6))) == [1, 3, 5]
    m = map(abs, [1])
    assert iter(m) is m
    assert next(m) == 1
    assert _raises(StopIteration, next, m) == ""


def test_reversed():
    assert list(reversed([1, 2, 3])) == [3, 2, 1]
    assert list(reversed((1, 2, 3))) == [3, 2, 1]
    assert list(reversed("abc")) == ["c", "b", "a"]
    assert list(reversed({"a": 1, "b": 2})) == ["b", "a"]
    assert _raises(TypeError, reversed, 3) == "'int' object is not reversible"
    assert _raises(TypeError, reversed, {1, 2}) == "'set' object is not reversible"

    class Seq:
        def __len__(self):
            return 3

        def __getitem__(self, i):
            return i * 10

    assert list(reversed(Seq())) == [20, 10, 0]

    class Rev:
        def __reversed__(self):
            return iter("zy")

    assert list(reversed(Rev())) == ["z", "y"]


def test_sorted_min_max():
    words = ["bb", "a", "ccc"]
    assert sorted(words, key=len) == ["a", "bb", "ccc"]
    assert sorted(words, key=len, reverse=True) == ["ccc", "bb", "a"]
    assert sorted([(1, "b"), (0, "z"), (1, "a")]) == [(0, "z"), (1, "a"), (1, "b")]
    assert sorted("cab") == ["a", "b", "c"]
    assert "not supported" in _raises(TypeError, sorted, [1, "a"])
    assert min(words, key=len) == "a"
    assert max(words, key=len) == "ccc"
    assert max([], default=7) == 7
    assert min([], default=None) is None
    assert max(3, 9, 4) == 9
    assert min([2, 1, 1.0]) == 1
    assert _raises(ValueError, max, []) == "max() arg is an empty sequence"


def test_any_all():
    assert any([0, 0, 1])
    assert not any([])
    assert all([])
    assert not all([1, 0])
    assert any(x > 2 for x in range(5))
    assert all(x < 5 for x in range(5))


def test_numbers():
    assert divmod(7, 2) == (3, 1)
    assert divmod(-7, 2) == (-4, 1)
    assert divmod(7.5, 2) == (3.0, 1.5)
    try:
        divmod(1, 0)
    except ZeroDivisionError:
        pass
    else:
        raise AssertionError("no ZeroDivisionError")
    assert pow(2, 10) == 1024
    assert pow(3, 4, 5) == 1
    assert pow(2, -1, 5) == 3
    assert pow(2.0, 2) == 4.0
    assert abs(-3) == 3 and abs(-2.5) == 2.5 and abs(True) == 1
    assert round(2.5) == 2 and round(3.5) == 4
    assert round(1234, -2) == 1200
    assert round(2.675, 2) == 2.67
    assert round(-0.5) == 0
    assert isinstance(round(2.4), int)
    assert hash(1) == hash(1.0)
    assert hash("a") == hash("a")
    assert "unhashable" in _raises(TypeError, hash, [])
    x = []
    assert id(x) == id(x)
    assert id(x) != id([])


def test_isinstance_tuples():
    assert isinstance(1, (str, int))
    assert isinstance(1, (str, (float, int)))
    assert not _call(isinstance, 1, ())
    assert isinstance(True, int)
    assert issubclass(bool, (str, int))
    assert "isinstance() arg 2 must be a type" in _raises(TypeError, isinstance, 1, 2)


def test_iter_next():
    it = iter([1, 2])
    assert next(it) == 1
    assert next(it) == 2
    assert next(it, None) is None
    assert _raises(TypeError, next, [1]) == "'list' object is not an iterator"
    data = [3, 2, 1, 0, 5]
    pos = [0]

    def take():
        v = data[pos[0]]
        pos[0] += 1
        return v

    assert list(iter(take, 0)) == [3, 2, 1]
    assert "not iterable" in _raises(TypeError, iter, 5)


def test_attributes():
    class C:
        pass

    c = C()
    setattr(c, "x", 1)
    assert getattr(c, "x") == 1
    assert getattr(c, "y", "dflt") == "dflt"
    assert hasattr(c, "x") and not hasattr(c, "y")
    assert _raises(AttributeError, getattr, c, "y")
    assert callable(len) and callable(C) and not callable(3)


def test_chr_ord_format_repr():
    assert chr(97) == "a" and ord("a") == 97
    assert ord("\u4e16") == 0x4E16
    assert _raises(ValueError, chr, -1) == "chr() arg not in range(0x110000)"
    assert "expected a character" in _raises(TypeError, ord, "ab")
    assert format(3.14159, ".2f") == "3.14"
    assert format(42, "05d") == "00042"
    assert format("x", ">3") == "  x"
    assert repr([1, "a"]) == "[1, 'a']"
    assert repr(None) == "None"


class _Sink:
    def __init__(self):
        self.parts = []

    def write(self, s):
        self.parts.append(s)


def test_print_sep_end_file():
    s = _Sink()
    print(1, 2, 3, sep="-", end="!\n", file=s)
    print("a", file=s, end="")
    print(file=s)
    assert "".join(s.parts) == "1-2-3!\na\n"
    assert "sep must be None or a string" in _raises(TypeError, print, 1, sep=3, file=s)


def test_argument_errors():
    assert _raises(TypeError, enumerate, [], x=1) == (
        "'x' is an invalid keyword argument for enumerate()"
    )
    assert _raises(TypeError, zip, x=1) == "'x' is an invalid keyword argument for zip()"
    assert _raises(TypeError, map, abs, [1], x=1) == "map() takes no keyword arguments"
    assert _raises(TypeError, range, x=1) == "range() takes no keyword arguments"
    assert _raises(TypeError, reversed, [], x=1) == "reversed() takes no keyword arguments"
    assert _raises(TypeError, filter, None) == "filter expected 2 arguments, got 1"
    assert _raises(TypeError, enumerate) == "enumerate() missing required argument 'iterable'"
    assert _raises(TypeError, enumerate, [], 1, 2) == (
        "enumerate() takes at most 2 arguments (3 given)"
    )
    assert _raises(TypeError, reversed) == "reversed expected 1 argument, got 0"
    assert _raises(TypeError, range, 1, 2, 3, 4) == "range expected at most 3 arguments, got 4"
    assert _raises(TypeError, range) == "range expected at least 1 argument, got 0"
    assert _raises(TypeError, sorted, [], x=1) == "'x' is an invalid keyword argument for sort()"
    assert _raises(TypeError, min, [1], x=1) == "'x' is an invalid keyword argument for min()"


if __name__ == "__main__":
    for _name, _f in list(globals().items()):
        if _name.startswith("test_"):
            _f()
    print("ok")
