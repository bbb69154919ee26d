# str and bytes with operators, indexing, slicing, f-strings and % formatting.


def test_concat_repeat():
    s = "ab" + "cd"
    assert s == "abcd"
    assert "x" * 3 == "xxx"
    assert "bc" in s
    assert "zz" not in s


def test_index_slice():
    s = "hello world"
    assert s[0] == "h"
    assert s[-1] == "d"
    assert s[0:5] == "hello"
    assert s[::2] == "hlowrd"
    assert s[::-1] == "dlrow olleh"


def test_fstrings():
    n = 42
    x = 2.5
    name = "py"
    assert f"{name}-{n}" == "py-42"
    assert f"{n:5d}|" == "   42|"
    assert f"{x:.3f}" == "2.500"
    assert f"{n!r}" == "42"


def test_percent_format():
    assert "%d-%s" % (3, "a") == "3-a"
    assert "%5.1f" % 2.25 == "  2.2"


def test_unicode():
    s = "h\u00e9llo \u4e16\u754c"
    assert s[1] == "\u00e9"
    assert s[-2:] == "\u4e16\u754c"
    assert s.encode("utf-8") == b"h\xc3\xa9llo \xe4\xb8\x96\xe7\x95\x8c"


def test_bytes():
    b = b"abc" + b"def"
    assert b == b"abcdef"
    assert b[1] == 98
    assert b[1:3] == b"bc"


def test_str_methods():
    s = "Hello, World"
    assert s.lower() == "hello, world"
    assert s.upper() == "HELLO, WORLD"
    assert s.split(", ") == ["Hello", "World"]
    assert "-".join(["a", "b", "c"]) == "a-b-c"
    assert s.startswith("Hell")
    assert s.replace("l", "L") == "HeLLo, WorLd"
    assert "  x ".strip() == "x"
    assert s.find("World") == 7


def test_unbound_methods_from_the_type():
    lower = str.lower
    assert lower("ABC") == "abc"
    upper = str.upper
    assert [upper(x) for x in ["a", "b"]] == ["A", "B"]
    assert str.join("-", ["x", "y"]) == "x-y"
    try:
        lower(1)
    except TypeError as e:
        assert "descriptor 'lower'" in str(e)
    else:
        raise AssertionError("no TypeError")
    assert hasattr(str, "startswith")
    assert "abc".upper.__self__ == "abc"


if __name__ == "__main__":
    for _name, _f in list(globals().items()):
        if _name.startswith("test_"):
            _f()
    print("ok")
