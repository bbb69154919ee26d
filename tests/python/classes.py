# Python classes: methods, inheritance, class attributes, properties, special methods.


class Point:
    dims = 2

    def __init__(self, x, y):
        self.x = x
        self.y = y

    def norm2(self):
        return self.x * self.x + self.y * self.y

    def __add__(self, other):
        return Point(self.x + other.x, self.y + other.y)

    def __eq__(self, other):
        return self.x == other.x and self.y == other.y

    def __repr__(self):
        return f"Point({self.x}, {self.y})"


class Point3(Point):
    dims = 3

    def __init__(self, x, y, z):
        super().__init__(x, y)
        self.z = z

    def norm2(self):
        return super().norm2() + self.z * self.z

    @property
    def tuple(self):
        return (self.x, self.y, self.z)


class MyError(Exception):
    pass


def test_methods_and_attributes():
    p = Point(3, 4)
    assert p.norm2() == 25
    assert Point.dims == 2
    p.x = 6
    assert p.x == 6


def test_special_methods():
    assert Point(1, 2) + Point(3, 4) == Point(4, 6)
    assert repr(Point(1, 2)) == "Point(1, 2)"


def test_inheritance_and_super():
    q = Point3(1, 2, 2)
    assert q.norm2() == 9
    assert q.dims == 3
    assert isinstance(q, Point)
    assert q.tuple == (1, 2, 2)


def test_user_exception():
    try:
        raise MyError("mine")
    except Exception as e:
        assert type(e) is MyError
        assert str(e) == "mine"


if __name__ == "__main__":
    for _name, _f in list(globals().items()):
        if _name.startswith("test_"):
            _f()
    print("ok")
