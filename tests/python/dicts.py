# Dicts and sets: literals, lookup, mutation, iteration, comprehensions.


def test_literal_lookup():
    d = {"a": 1, "b": 2}
    assert d["a"] == 1
    d["c"] = 3
    assert "c" in d
    assert "z" not in d
    del d["a"]
    assert d == {"b": 2, "c": 3}


def test_int_float_keys_are_one_key():
    d = {1: "int"}
    d[1.0] = "float"
    assert d == {1: "float"}


def test_missing_key_raises():
    d = {}
    try:
        d["nope"]
    except KeyError as e:
        assert e.args == ("nope",)
    else:
        raise AssertionError("no KeyError")


def test_iteration_order():
    d = {}
    d["x"] = 1
    d["y"] = 2
    d["z"] = 3
    keys = []
    for k in d:
        keys.append(k)
    assert keys == ["x", "y", "z"]


def test_comprehensions():
    d = {i: i * i for i in [1, 2, 3]}
    assert d == {1: 1, 2: 4, 3: 9}
    s = {x % 3 for x in [1, 2, 3, 4, 5, 6]}
    assert s == {0, 1, 2}


def test_methods():
    d = {"a": 1}
    assert d.get("a") == 1
    assert d.get("b", 7) == 7
    assert list(d.items()) == [("a", 1)]
    d.update({"b": 2})
    assert sorted(d.keys()) == ["a", "b"]
    assert d.pop("a") == 1


def _apply(f, x):
    return f(x)


def test_unbound_methods_from_the_type():
    d = {"a": 1, "b": 2}
    assert list(dict.items(d)) == [("a", 1), ("b", 2)]
    assert list(dict.keys(d)) == ["a", "b"]
    assert dict.get(d, "z", 0) == 0
    get = dict.get
    assert get(d, "a") == 1
    try:
        _apply(dict.items, [1])
    except TypeError as e:
        assert "descriptor 'items'" in str(e)
    else:
        raise AssertionError("no TypeError")
    l = []
    list.append(l, 3)
    assert l == [3]
    s = set()
    set.add(s, 1)
    assert s == {1}


if __name__ == "__main__":
    for _name, _f in list(globals().items()):
        if _name.startswith("test_"):
            _f()
    print("ok")
