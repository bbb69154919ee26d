# The native stdlib modules (capi-shim/src/python/stdlib/): each function's result against the
# value CPython 3.11 gives (written out here), and the exception CPython raises for bad input.
import array
import bisect
import codecs
import collections
import functools
import itertools
import math
import operator
import random
import time


def raises(exc, f, *args, **kwargs):
    try:
        f(*args, **kwargs)
    except exc:
        return True
    raise AssertionError("no %s from %r" % (exc.__name__, f))


def test_time_clocks():
    t0 = time.perf_counter()
    m0 = time.monotonic()
    p0 = time.process_time()
    n0 = time.perf_counter_ns()
    assert isinstance(t0, float) and isinstance(n0, int)
    x = 0
    for i in range(20000):
        x += i
    time.sleep(0.01)
    assert time.perf_counter() - t0 >= 0.009
    assert time.monotonic() >= m0
    assert time.monotonic_ns() > 0
    assert time.process_time() >= p0
    assert time.process_time_ns() >= 0
    assert time.time() > 1.6e9
    assert time.time_ns() > 1600000000 * 10**9
    raises(ValueError, time.sleep, -1)
    raises(TypeError, time.sleep, "1")
    raises(TypeError, time.perf_counter, 1)


def f3(a, b, c=0, *rest, **kw):
    return (a, b, c, rest, kw)


def test_functools_partial():
    p = functools.partial(f3, 1, c=5)
    assert p(2) == (1, 2, 5, (), {})
    assert p(2, c=6, d=7) == (1, 2, 6, (), {"d": 7})
    assert p.func is f3
    assert p.args == (1,)
    assert p.keywords == {"c": 5}
    q = functools.partial(p, 9, d=1)
    assert q.func is f3 and q.args == (1, 9) and q.keywords == {"c": 5, "d": 1}
    assert q() == (1, 9, 5, (), {"d": 1})
    assert isinstance(p, functools.partial)
    assert repr(functools.partial(int, 5)) == "functools.partial(<class 'int'>, 5)"
    raises(TypeError, functools.partial)
    raises(TypeError, functools.partial, 1)


def test_functools_reduce():
    assert functools.reduce(operator.add, [1, 2, 3, 4]) == 10
    assert functools.reduce(operator.mul, [], 1) == 1
    assert functools.reduce(lambda a, b: a + b, ["x", "y"], "w") == "wxy"
    raises(TypeError, functools.reduce, operator.add, [])
    raises(TypeError, functools.reduce, operator.add)


def test_math_functions():
    assert math.pi == 3.141592653589793 and math.e == 2.718281828459045
    assert math.tau == 6.283185307179586 and math.inf > 1e308 and math.nan != math.nan
    assert math.sqrt(16) == 4.0 and math.sqrt(2) == 1.4142135623730951
    assert math.tan(0.5) == 0.5463024898437905
    assert math.sin(1) == 0.8414709848078965 and math.cos(1) == 0.5403023058681398
    assert math.atan2(1, 2) == 0.4636476090008061
    assert math.exp(1) == 2.718281828459045
    assert math.log(100, 10) == 2.0 and math.log(math.e) == 1.0
    assert math.log(2**2000) == 1386.2943611198907
    assert math.log2(8) == 3.0 and math.log10(1000) == 3.0
    assert math.pow(2, 10) == 1024.0 and math.pow(2, 0.5) == 1.4142135623730951
    assert math.hypot(3, 4) == 5.0
    assert math.fabs(-2) == 2.0 and math.copysign(3, -0.0) == -3.0
    assert math.floor(-2.5) == -3 and math.ceil(2.1) == 3 and math.trunc(-2.7) == -2
    assert isinstance(math.floor(2.5), int) and math.floor(7) == 7
    assert math.fmod(7, 3) == 1.0
    assert math.isnan(math.nan) and math.isinf(-math.inf) and math.isfinite(1.0)
    assert math.isclose(1.0, 1.0 + 1e-10) and not math.isclose(1.0, 1.1)
    assert math.isclose(1.0, 1.05, rel_tol=0.1)
    assert math.factorial(20) == 2432902008176640000
    assert math.gcd(12, 18, 27) == 3 and math.gcd() == 0
    assert math.degrees(math.pi) == 180.0 and math.radians(180) == math.pi
    assert math.erf(0.5) == 0.5204998778130465 and math.gamma(5) == 24.0


def test_math_fsum():
    assert math.fsum([0.1] * 10) == 1.0
    assert sum([0.1] * 10) != 1.0
    assert math.fsum([1e100, 1.0, -1e100, 1e-100, 1e50, -1.0, -1e50]) == 1e-100
    assert math.fsum([]) == 0.0
    assert math.fsum([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]) == 45.0
    raises(OverflowError, math.fsum, [1e308, 1e308])
    raises(ValueError, math.fsum, [math.inf, -math.inf])


def test_math_errors():
    raises(ValueError, math.sqrt, -1)
    raises(ValueError, math.log, 0)
    raises(ValueError, math.log, -1)
    raises(OverflowError, math.exp, 1000)
    raises(ValueError, math.factorial, -1)
    raises(TypeError, math.factorial, 2.0)
    raises(TypeError, math.sqrt, "x")
    raises(OverflowError, math.floor, math.inf)
    raises(ValueError, math.floor, math.nan)
    raises(ValueError, math.pow, 0, -1)


def test_operator():
    assert operator.add(2, 3) == 5 and operator.sub(2, 3) == -1
    assert operator.mul("ab", 2) == "abab" and operator.truediv(1, 4) == 0.25
    assert operator.floordiv(-7, 2) == -4 and operator.mod(-7, 2) == 1
    assert operator.pow(2, 10) == 1024 and operator.neg(5) == -5
    assert operator.and_(6, 3) == 2 and operator.or_(6, 3) == 7 and operator.xor(6, 3) == 5
    assert operator.lshift(1, 4) == 16 and operator.rshift(16, 2) == 4
    assert operator.invert(0) == -1 and operator.abs(-3) == 3 and operator.index(7) == 7
    assert operator.lt(1, 2) is True and operator.ge(1, 2) is False
    assert operator.eq([1], [1]) is True and operator.ne(1, 1) is False
    assert operator.not_(0) is True and operator.truth([]) is False
    assert operator.is_(None, None) and operator.is_not(1, None)
    assert operator.contains([1, 2], 2) and operator.concat([1], [2]) == [1, 2]
    d = {}
    operator.setitem(d, "k", 1)
    assert operator.getitem(d, "k") == 1
    operator.delitem(d, "k")
    assert d == {}
    assert operator.__add__(1, 1) == 2
    raises(TypeError, operator.add, 1, "a")
    raises(TypeError, operator.add, 1)


def test_random_sequences():
    random.seed(1234)
    assert [random.randrange(n) for n in (1, 7, 100, 2**40)] == [0, 0, 0, 183365414236]
    random.seed(-5)
    assert random.random() == 0.6229016948897019
    assert random.getrandbits(70) == 928951016526329528473
    assert random.randint(1, 6) == 6
    random.seed(2**100 + 7)
    assert random.random() == 0.41604161323913513
    random.seed(42)
    assert [random.randrange(10, 100, 7) for _ in range(5)] == [80, 17, 10, 87, 38]
    assert random.choice("abcdef") == "b"
    xs = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
    random.shuffle(xs)
    assert xs == [9, 7, 8, 0, 4, 6, 5, 1, 2, 3]
    assert random.uniform(1, 2) == 1.0317826794817835
    random.seed(0)
    assert random.getrandbits(0) == 0 and random.getrandbits(32) == 3626764237


def test_random_errors():
    raises(ValueError, random.randrange, 0)
    raises(ValueError, random.randrange, 5, 5)
    raises(ValueError, random.randrange, 1, 5, 0)
    raises(ValueError, random.randrange, 1.5)
    raises(ValueError, random.getrandbits, -1)
    raises(IndexError, random.choice, [])
    raises(TypeError, random.seed, [1])


def test_bisect():
    a = [1, 2, 2, 2, 5, 9]
    assert bisect.bisect_left(a, 2) == 1 and bisect.bisect_right(a, 2) == 4
    assert bisect.bisect(a, 2) == 4 and bisect.bisect(a, 0) == 0 and bisect.bisect(a, 10) == 6
    assert bisect.bisect_left(a, 2, 2) == 2 and bisect.bisect_right(a, 2, 0, 2) == 2
    bisect.insort(a, 3)
    bisect.insort_left(a, 0)
    assert a == [0, 1, 2, 2, 2, 3, 5, 9]
    recs = [(1, "a"), (3, "b"), (5, "c")]
    assert bisect.bisect_left(recs, 3, key=lambda r: r[0]) == 1
    bisect.insort(recs, (4, "x"), key=lambda r: r[0])
    assert recs == [(1, "a"), (3, "b"), (4, "x"), (5, "c")]
    raises(ValueError, bisect.bisect, a, 1, -1)
    raises(TypeError, bisect.bisect, a)


def test_itertools():
    assert list(itertools.islice(itertools.count(), 4)) == [0, 1, 2, 3]
    assert list(itertools.islice(itertools.count(10, 5), 3)) == [10, 15, 20]
    assert list(itertools.islice(itertools.count(0.5), 2)) == [0.5, 1.5]
    assert list(itertools.islice("abcdefg", 1, 6, 2)) == ["b", "d", "f"]
    assert list(itertools.islice("abc", None)) == ["a", "b", "c"]
    assert list(itertools.repeat("x", 3)) == ["x", "x", "x"]
    assert list(itertools.chain([1, 2], (3,), "ab")) == [1, 2, 3, "a", "b"]
    assert list(itertools.chain.from_iterable([[1], [2, 3]])) == [1, 2, 3]
    assert list(itertools.pairwise([1, 2, 3, 4])) == [(1, 2), (2, 3), (3, 4)]
    assert list(itertools.pairwise([1])) == []
    assert list(itertools.product("ab", [0, 1])) == [("a", 0), ("a", 1), ("b", 0), ("b", 1)]
    assert list(itertools.product([1, 2], repeat=2)) == [(1, 1), (1, 2), (2, 1), (2, 2)]
    assert list(itertools.product()) == [()]
    assert list(itertools.permutations([1, 2, 3])) == [
        (1, 2, 3), (1, 3, 2), (2, 1, 3), (2, 3, 1), (3, 1, 2), (3, 2, 1)]
    assert list(itertools.permutations("abc", 2)) == [
        ("a", "b"), ("a", "c"), ("b", "a"), ("b", "c"), ("c", "a"), ("c", "b")]
    assert list(itertools.combinations([0, 1, 2, 3], 2)) == [
        (0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3)]
    assert list(itertools.combinations([1, 2], 3)) == []
    assert list(itertools.accumulate([1, 2, 3, 4])) == [1, 3, 6, 10]
    assert list(itertools.accumulate([3, 1, 4], max)) == [3, 3, 4]
    raises(TypeError, itertools.count, "a")
    raises(ValueError, itertools.islice, [], -1)
    raises(ValueError, itertools.combinations, [], -1)
    raises(TypeError, itertools.pairwise)


def test_defaultdict():
    d = collections.defaultdict(list)
    d["a"].append(1)
    d["a"].append(2)
    d["b"] = 3
    assert d["a"] == [1, 2] and d["b"] == 3 and len(d) == 2
    assert "a" in d and "z" not in d
    assert list(d.items()) == [("a", [1, 2]), ("b", 3)]
    assert list(d) == ["a", "b"] and list(d.keys()) == ["a", "b"]
    assert d.get("zz") is None and "zz" not in d
    assert d.default_factory is list
    c = collections.defaultdict(int, {"x": 1}, y=2)
    c["z"] += 5
    assert list(c.items()) == [("x", 1), ("y", 2), ("z", 5)]
    assert list(collections.defaultdict(None, [("p", 1)]).items()) == [("p", 1)]
    n = collections.defaultdict()
    raises(KeyError, lambda: n["missing"])
    assert repr(collections.defaultdict(int, {1: 2})) == "defaultdict(<class 'int'>, {1: 2})"
    del c["x"]
    assert "x" not in c
    raises(TypeError, collections.defaultdict, 5)


def test_array_basics():
    a = array.array("i", [1, 2, 3])
    assert len(a) == 3 and a[0] == 1 and a[-1] == 3
    a[1] = 20
    a.append(4)
    assert a.tolist() == [1, 20, 3, 4] and list(a) == [1, 20, 3, 4]
    assert a.typecode == "i" and a.itemsize == 4
    assert repr(a) == "array('i', [1, 20, 3, 4])" and repr(array.array("d")) == "array('d')"
    assert a[1:3] == array.array("i", [20, 3])
    b = array.array("B", b"\x01\x02\xff")
    assert b.tolist() == [1, 2, 255] and b.tobytes() == b"\x01\x02\xff"
    d = array.array("d", [1, 2.5])
    assert d[0] == 1.0 and isinstance(d[0], float)
    big = array.array("L", [2**64 - 1])
    assert big[0] == 18446744073709551615
    assert array.array("l", [-5])[0] == -5 and array.array("I", [7]).itemsize == 4
    a.extend([5, 6])
    assert a.pop() == 6 and a.index(20) == 1 and a.count(3) == 1
    a.insert(0, 0)
    a.reverse()
    assert a.tolist() == [5, 4, 3, 20, 1, 0]
    del a[0]
    assert 3 in a and 99 not in a and len(a) == 5


def test_array_errors():
    raises(ValueError, array.array, "x")
    raises(TypeError, array.array, "i", "abc")
    raises(OverflowError, array.array, "B", [256])
    raises(OverflowError, array.array, "b", [-129])
    raises(TypeError, array.array, "i", [1.5])
    raises(IndexError, lambda: array.array("i")[0])
    raises(ValueError, array.array, "i", b"abc")


def test_array_buffer():
    a = array.array("I", [1, 2, 3])
    m = memoryview(a)
    assert len(m) == 3
    assert a.tobytes() == b"\x01\x00\x00\x00\x02\x00\x00\x00\x03\x00\x00\x00"
    raises(BufferError, a.append, 4)
    assert len(a) == 3 and len(m) == 3


def test_codecs():
    assert codecs.decode(b"a1f6258c", "hex") == b"\xa1\xf6\x25\x8c"
    assert codecs.encode(b"\x01\xff", "hex") == b"01ff"
    assert codecs.decode(b"caf\xc3\xa9") == "caf\xe9"
    assert codecs.encode("caf\xe9", "latin-1") == b"caf\xe9"
    raises(ValueError, codecs.decode, b"abc", "hex")
    raises(ValueError, codecs.decode, b"zz", "hex")
    raises(TypeError, codecs.decode)


def test_array_memoryview_items():
    m = memoryview(array.array("I", [1, 2, 3]))
    assert m[1] == 2 and m.itemsize == 4 and m.format == "I"
    assert m.tolist() == [1, 2, 3]


if __name__ == "__main__":
    for _name, _f in list(globals().items()):
        if _name.startswith("test_"):
            _f()
    print("ok")
