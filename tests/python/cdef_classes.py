"""Classes Cython compiles to extension types (see cdef_classes.pxd): methods, special
methods reached through their slots, explicit base-class calls and the pickling set-up Cython
runs for every such class at import."""


class Vec:
    def __init__(self, x, y):
        self.x = x
        self.y = y

    def __mul__(self, k):
        return Vec(self.x * k, self.y * k)

    __rmul__ = __mul__

    def __eq__(self, other):
        return isinstance(other, Vec) and (self.x, self.y) == (other.x, other.y)

    def __hash__(self):
        return hash((self.x, self.y))

    def total(self):
        return self.x + self.y


class Base:
    def __init__(self, n):
        self.n = n

    def get(self):
        return self.n


class Derived(Base):
    def __init__(self, n):
        Base.__init__(self, n * 2)


class Bag:
    def __init__(self):
        self.items = []

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        return self.items[i]

    def __contains__(self, x):
        return x in self.items

    def add(self, x):
        self.items.append(x)


def test_methods_bind_to_their_instance():
    v = Vec(1.0, 2.0)
    assert v.total() == 3.0
    m = v.total
    assert m() == 3.0


def test_special_methods_work_through_operators():
    v = Vec(1.0, 2.0) * 3
    assert (v.x, v.y) == (3.0, 6.0)
    assert Vec(1.0, 2.0) == Vec(1.0, 2.0)
    assert Vec(1.0, 2.0) != Vec(2.0, 1.0)
    assert len({Vec(1.0, 2.0), Vec(1.0, 2.0)}) == 1


def test_special_methods_are_attributes_of_the_class():
    v = Vec.__mul__(Vec(1.0, 1.0), 2)
    assert (v.x, v.y) == (2.0, 2.0)
    w = Vec(1.0, 1.0).__mul__(4)
    assert w.x == 4.0
    assert Vec.__rmul__ is not None
    b = Bag()
    b.add(7)
    assert Bag.__len__(b) == 1
    assert b.__getitem__(0) == 7
    assert b.__contains__(7)
    assert not Bag.__contains__(b, 8)


def test_a_subclass_calls_its_base_init_explicitly():
    d = Derived(2)
    assert d.get() == 4
    assert isinstance(d, Base)


def test_container_protocol():
    b = Bag()
    for i in range(3):
        b.add(i * i)
    assert len(b) == 3
    assert b[2] == 4
    assert 4 in b
    assert 5 not in b


def test_pickling_hooks_exist_on_object():
    assert Vec.__reduce_ex__ is object.__reduce_ex__
    assert object.__reduce__ is object.__reduce__
    assert callable(object.__getstate__)


class Plain:
    def __init__(self):
        self.a = 1


class Reducing:
    def __reduce__(self):
        return (Reducing, ())


def test_reduce_ex_calls_an_overriding_reduce():
    r = Reducing()
    assert r.__reduce_ex__(2) == (Reducing, ())


def test_getstate_is_the_instance_dict():
    assert Plain().__getstate__() == {"a": 1}


def test_method_descriptors_have_names():
    assert list.append.__name__ == "append"
    assert list.append.__qualname__ == "list.append"
    assert list.append.__objclass__ is list


def test_type_has_a_dict_offset():
    assert type.__dictoffset__ > 0


if __name__ == "__main__":
    for _name, _f in list(globals().items()):
        if _name.startswith("test_"):
            _f()
    print("ok")
