# Exceptions: raise and catch builtin types, finally, chaining, propagation through calls.


def _fail(kind):
    if kind == 1:
        raise ValueError("bad value")
    if kind == 2:
        return 1 // 0
    return {}["k"]


def test_catch_by_type():
    try:
        _fail(1)
    except ValueError as e:
        assert str(e) == "bad value"
    try:
        _fail(2)
    except ZeroDivisionError:
        pass
    try:
        _fail(3)
    except LookupError:
        pass


def test_finally_runs():
    log = []
    try:
        try:
            _fail(1)
        finally:
            log.append("finally")
    except ValueError:
        log.append("caught")
    assert log == ["finally", "caught"]


def test_explicit_chaining_keeps_cause():
    try:
        try:
            _fail(1)
        except ValueError as e:
            raise KeyError("outer") from e
    except KeyError as k:
        assert isinstance(k.__cause__, ValueError)
        assert str(k.__cause__) == "bad value"


def test_implicit_chaining_keeps_context():
    try:
        try:
            _fail(2)
        except ZeroDivisionError:
            raise ValueError("while handling")
    except ValueError as v:
        assert isinstance(v.__context__, ZeroDivisionError)


def test_propagates_through_calls():
    def outer():
        return inner()

    def inner():
        raise RuntimeError("deep")

    try:
        outer()
    except RuntimeError as e:
        assert e.args == ("deep",)
    else:
        raise AssertionError("not raised")


def test_assert_raises_assertion_error():
    try:
        assert 1 == 2, "one is not two"
    except AssertionError as e:
        assert str(e) == "one is not two"


def test_chaining_attributes():
    e = ValueError("v")
    assert e.__cause__ is None
    assert e.__context__ is None
    assert e.__suppress_context__ is False
    assert e.__traceback__ is None
    c = KeyError("c")
    e.__cause__ = c
    assert e.__cause__ is c
    assert e.__suppress_context__ is True
    e.__suppress_context__ = False
    assert e.__suppress_context__ is False
    e.__cause__ = None
    assert e.__cause__ is None
    try:
        e.__cause__ = 3
    except TypeError as t:
        assert str(t) == "exception cause must be None or derive from BaseException"
    else:
        raise AssertionError("no TypeError")
    assert e.args == ("v",)


def test_raise_from_none_suppresses_context():
    try:
        try:
            _fail(1)
        except ValueError:
            raise KeyError("k") from None
    except KeyError as k:
        assert k.__cause__ is None
        assert k.__suppress_context__ is True
        assert isinstance(k.__context__, ValueError)


def test_system_exit_code():
    assert SystemExit().code is None
    assert SystemExit(3).code == 3
    assert SystemExit(1, 2).code == (1, 2)


def test_context_after_handler_is_none():
    try:
        raise ValueError("a")
    except ValueError:
        pass
    try:
        raise KeyError("b")
    except KeyError as k:
        assert k.__context__ is None, k.__context__


def _raiser():
    raise TypeError("t")


def test_context_through_a_call():
    try:
        try:
            raise ValueError("a")
        except ValueError:
            _raiser()
    except TypeError as t:
        assert isinstance(t.__context__, ValueError)
        assert t.__context__.__context__ is None


def test_reraise_keeps_no_self_context():
    try:
        try:
            raise ValueError("a")
        except ValueError as e:
            raise e
    except ValueError as v:
        assert v.__context__ is None, v.__context__




class _Detailed(Exception):
    def __init__(self, what, code=0):
        self.what = what
        self.code = code

    def __str__(self):
        return "detailed: %s (%d)" % (self.what, self.code)


def test_an_exception_class_with_its_own_init_and_str():
    try:
        raise _Detailed("disk", code=5)
    except _Detailed as e:
        assert e.what == "disk"
        assert e.code == 5
        assert e.args == ("disk",)
        assert str(e) == "detailed: disk (5)"


if __name__ == "__main__":
    for _name, _f in list(globals().items()):
        if _name.startswith("test_"):
            _f()
    print("ok")
