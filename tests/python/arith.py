# Integer and float arithmetic with operators only (no builtins).


def test_int_operators():
    a = 7
    b = 3
    assert a + b == 10
    assert a - b == 4
    assert a * b == 21
    assert a // b == 2
    assert a % b == 1
    assert -a // b == -3
    assert -a % b == 2
    assert a ** b == 343
    assert a / b > 2.33 and a / b < 2.34


def test_big_ints():
    x = 2 ** 100
    assert x == 1267650600228229401496703205376
    assert x // 2 ** 99 == 2
    assert (x + 1) % 1000 == 377
    assert -x < 0


def test_bit_operators():
    assert 0b1100 & 0b1010 == 0b1000
    assert 0b1100 | 0b1010 == 0b1110
    assert 0b1100 ^ 0b1010 == 0b0110
    assert 1 << 70 == 1180591620717411303424
    assert (1 << 70) >> 69 == 2
    assert ~5 == -6


def test_float_operators():
    x = 1.5
    y = 0.25
    assert x + y == 1.75
    assert x * y == 0.375
    assert x / y == 6.0
    assert x // y == 6.0
    assert -x < y
    assert 1 + 0.5 == 1.5


def test_comparisons_chain():
    a = 1
    b = 2
    c = 3
    assert a < b < c
    assert not (a < b > c)
    assert a != b
    assert 1 == 1.0


if __name__ == "__main__":
    for _name, _f in list(globals().items()):
        if _name.startswith("test_"):
            _f()
    print("ok")
