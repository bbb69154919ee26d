"""bytearray item access, slicing, slice assignment, concatenation and methods, and the bytes()
constructor."""


def test_items_and_negative_indices():
    b = bytearray(b"abc")
    assert b[0] == 97
    assert b[-1] == 99
    b[1] = 120
    assert b == bytearray(b"axc")
    try:
        b[3]
    except IndexError as e:
        assert str(e) == "bytearray index out of range"
    else:
        raise AssertionError("no IndexError")
    try:
        b[0] = 256
    except ValueError as e:
        assert str(e) == "byte must be in range(0, 256)"
    else:
        raise AssertionError("no ValueError")


def test_slices_read_and_write():
    b = bytearray(b"0123456789")
    assert b[2:5] == bytearray(b"234")
    assert b[::3] == bytearray(b"0369")
    assert b[-3:] == bytearray(b"789")
    assert isinstance(b[1:2], bytearray)
    b[0:2] = b"ab"
    assert b == bytearray(b"ab23456789")
    b[2:4] = b""
    assert b == bytearray(b"ab456789")
    b[1:1] = bytearray(b"XYZ")
    assert b == bytearray(b"aXYZb456789")
    b[::2] = bytearray(b"......")
    assert b == bytearray(b".X.Z.4.6.8.")
    del b[0:2]
    assert b == bytearray(b".Z.4.6.8.")
    del b[0]
    assert b == bytearray(b"Z.4.6.8.")


def test_concatenation_and_repetition():
    a = bytearray(b"ab")
    assert a + b"cd" == bytearray(b"abcd")
    assert isinstance(a + a, bytearray)
    assert isinstance(b"x" + a, bytes)
    assert a * 3 == bytearray(b"ababab")
    assert 2 * a == bytearray(b"abab")


def test_methods():
    b = bytearray()
    b.append(1)
    b.extend([2, 3])
    b.extend(b"\x04")
    assert b == bytearray(b"\x01\x02\x03\x04")
    assert b.pop() == 4
    assert b.pop(0) == 1
    c = b.copy()
    b.clear()
    assert len(b) == 0
    assert c == bytearray(b"\x02\x03")


def test_bytes_constructor():
    assert bytes() == b""
    assert bytes(3) == b"\x00\x00\x00"
    assert bytes([65, 66]) == b"AB"
    assert bytes(bytearray(b"xy")) == b"xy"
    assert bytes("hé", "utf-8") == b"h\xc3\xa9"
    try:
        bytes("x")
    except TypeError as e:
        assert str(e) == "string argument without an encoding"
    else:
        raise AssertionError("no TypeError")


def _fmt():
    # Through a function, so Cython cannot tell the operand is bytes (PyNumber_Remainder).
    return b"%c|%d|%s|%5.2f|%r|%x"


def test_bytes_percent_formatting():
    assert _fmt() % (65, 7, b"ab", 3.14159, "h\xe9", 255) == b"A|7|ab| 3.14|'h\\xe9'|ff"
    assert b"%b-%s" % (bytearray(b"x"), b"y") == b"x-y"
    assert bytearray(b"%d") % 5 == bytearray(b"5")
    assert b"%(k)s" % {b"k": b"v"} == b"v"
    try:
        b"%s" % "text"
    except TypeError:
        pass
    else:
        raise AssertionError("no TypeError")
    try:
        b"%d" % (1, 2)
    except TypeError as e:
        assert str(e) == "not all arguments converted during bytes formatting"
    else:
        raise AssertionError("no TypeError")


def _sfmt():
    return "%c|%d|%s|%5.2f|%r|%x"


def test_str_percent_through_the_number_protocol():
    f = _sfmt()
    assert f % (65, 7, "ab", 2.5, "x", 16) == "A|7|ab| 2.50|'x'|10"


if __name__ == "__main__":
    for _name, _f in list(globals().items()):
        if _name.startswith("test_"):
            _f()
    print("ok")
