# Builtin functions and types called from compiled code.


def test_len_range_sum():
    assert len([1, 2, 3]) == 3
    assert len("abc") == 3
    assert list(range(3)) == [0, 1, 2]
    assert sum(range(101)) == 5050


def test_min_max_sorted():
    assert min(3, 1, 2) == 1
    assert max([3, 1, 2]) == 3
    assert sorted([3, 1, 2], reverse=True) == [3, 2, 1]


def test_conversions():
    assert int("42") == 42
    assert float("2.5") == 2.5
    assert str(12) == "12"
    assert repr("a") == "'a'"
    assert bool([]) is False
    assert tuple([1, 2]) == (1, 2)


def test_isinstance_and_type():
    assert isinstance(1, int)
    assert isinstance("a", (int, str))
    assert type(1.5) is float
    assert not isinstance(1, str)


def test_enumerate_zip_map():
    assert list(enumerate("ab")) == [(0, "a"), (1, "b")]
    assert list(zip([1, 2], "ab")) == [(1, "a"), (2, "b")]
    assert list(map(abs, [-1, 2])) == [1, 2]


def test_abs_divmod_pow_round():
    assert abs(-3) == 3
    assert divmod(7, 2) == (3, 1)
    assert pow(2, 10) == 1024
    assert round(2.675, 2) == 2.67




def test_float_from_text():
    assert float(" 2.5 ") == 2.5
    assert float("-1_000") == -1000.0
    assert float("inf") > 1e308
    try:
        float("abc")
    except ValueError as e:
        assert str(e) == "could not convert string to float: 'abc'"
    else:
        raise AssertionError("no ValueError")


def test_standard_streams():
    import sys
    assert sys.stdout.write("") == 0
    assert sys.stderr.write("") == 0
    sys.stdout.flush()
    assert sys.stderr.fileno() == 2
    print("", end="", file=sys.stderr)


if __name__ == "__main__":
    for _name, _f in list(globals().items()):
        if _name.startswith("test_"):
            _f()
    print("ok")
