# Lists and tuples: literals, indexing, mutation, comprehensions, unpacking.


def test_literals_and_index():
    l = [1, 2, 3, 4]
    assert l[0] == 1
    assert l[-1] == 4
    assert l[1:3] == [2, 3]
    l[0] = 10
    assert l == [10, 2, 3, 4]
    del l[0]
    assert l == [2, 3, 4]


def test_append_extend():
    l = []
    l.append(1)
    l.append(2.5)
    l.extend([3, "x"])
    assert l == [1, 2.5, 3, "x"]
    assert l.pop() == "x"
    l.insert(0, 0)
    assert l == [0, 1, 2.5, 3]


def test_comprehension():
    squares = [i * i for i in range(6)]
    assert squares == [0, 1, 4, 9, 16, 25]
    evens = [x for x in squares if x % 2 == 0]
    assert evens == [0, 4, 16]


def test_tuples_and_unpacking():
    t = (1, "a", 2.0)
    a, b, c = t
    assert a == 1 and b == "a" and c == 2.0
    first, *rest = [1, 2, 3]
    assert first == 1 and rest == [2, 3]
    assert t + (3,) == (1, "a", 2.0, 3)
    assert (1, 2) < (1, 3)


def test_loop_over_list():
    total = 0
    for x in [1, 2, 3, 4]:
        total += x
    assert total == 10


def test_sort_and_len():
    l = [3, 1, 2]
    l.sort()
    assert l == [1, 2, 3]
    assert len(l) == 3
    assert sorted([5, 4]) == [4, 5]


if __name__ == "__main__":
    for _name, _f in list(globals().items()):
        if _name.startswith("test_"):
            _f()
    print("ok")
