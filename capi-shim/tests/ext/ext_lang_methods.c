/* Python-visible methods of the builtin types, called as compiled Python code calls them
 * (PyObject_CallMethod / attribute then call), with CPython's results and exceptions. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include "testing.h"

static int is_long(PyObject *r, long v) {
    int ok = r && PyLong_Check(r) && PyLong_AsLong(r) == v;
    Py_XDECREF(r);
    return ok;
}
static int is_str(PyObject *r, const char *s) {
    int ok = r && PyUnicode_Check(r) && PyUnicode_CompareWithASCIIString(r, s) == 0;
    Py_XDECREF(r);
    return ok;
}
static int is_none(PyObject *r) {
    int ok = r == Py_None;
    Py_XDECREF(r);
    return ok;
}
/* repr(o) == s */
static int repr_is(PyObject *o, const char *s) { return is_str(PyObject_Repr(o), s); }

TEST(test_list_methods) {
    PyObject *l = Py_BuildValue("[ii]", 3, 1);
    ASSERT(l);
    ASSERT(is_none(PyObject_CallMethod(l, "append", "i", 2)));
    ASSERT(is_none(PyObject_CallMethod(l, "extend", "((ii))", 5, 4)));
    ASSERT(is_none(PyObject_CallMethod(l, "insert", "ii", 0, 9)));
    ASSERT(repr_is(l, "[9, 3, 1, 2, 5, 4]"));
    ASSERT(is_long(PyObject_CallMethod(l, "pop", NULL), 4));
    ASSERT(is_long(PyObject_CallMethod(l, "pop", "i", 0), 9));
    ASSERT(is_long(PyObject_CallMethod(l, "index", "i", 2), 2));
    ASSERT(is_long(PyObject_CallMethod(l, "count", "i", 5), 1));
    ASSERT(is_none(PyObject_CallMethod(l, "remove", "i", 1)));
    ASSERT(repr_is(l, "[3, 2, 5]"));
    ASSERT(is_none(PyObject_CallMethod(l, "sort", NULL)));
    ASSERT(repr_is(l, "[2, 3, 5]"));
    PyObject *sort = PyObject_GetAttrString(l, "sort");
    PyObject *noargs = PyTuple_New(0);
    PyObject *kw = Py_BuildValue("{sO}", "reverse", Py_True);
    ASSERT(sort && is_none(PyObject_Call(sort, noargs, kw)));
    ASSERT(repr_is(l, "[5, 3, 2]"));
    Py_DECREF(kw); Py_DECREF(noargs); Py_DECREF(sort);
    ASSERT(is_none(PyObject_CallMethod(l, "reverse", NULL)));
    ASSERT(repr_is(l, "[2, 3, 5]"));
    PyObject *c = PyObject_CallMethod(l, "copy", NULL);
    ASSERT(c && c != l && repr_is(c, "[2, 3, 5]"));
    Py_DECREF(c);
    ASSERT(is_none(PyObject_CallMethod(l, "clear", NULL)));
    ASSERT(PyList_Size(l) == 0);
    ASSERT(PyObject_CallMethod(l, "pop", NULL) == NULL);
    ASSERT_RAISES(PyExc_IndexError);
    ASSERT(PyObject_CallMethod(l, "remove", "i", 1) == NULL);
    ASSERT_RAISES(PyExc_ValueError);
    ASSERT(PyObject_CallMethod(l, "index", "i", 1) == NULL);
    ASSERT_RAISES(PyExc_ValueError);
    ASSERT(PyObject_CallMethod(l, "append", NULL) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    Py_DECREF(l);
    Py_RETURN_NONE;
}

TEST(test_dict_methods) {
    PyObject *d = Py_BuildValue("{si}", "a", 1);
    ASSERT(d);
    ASSERT(is_long(PyObject_CallMethod(d, "get", "s", "a"), 1));
    ASSERT(is_none(PyObject_CallMethod(d, "get", "s", "zz")));
    ASSERT(is_long(PyObject_CallMethod(d, "get", "si", "zz", 7), 7));
    ASSERT(is_long(PyObject_CallMethod(d, "setdefault", "si", "b", 2), 2));
    ASSERT(is_long(PyObject_CallMethod(d, "setdefault", "si", "b", 99), 2));
    ASSERT(is_none(PyObject_CallMethod(d, "update", "({si})", "c", 3)));
    ASSERT(is_none(PyObject_CallMethod(d, "update", "([(si)])", "e", 5)));
    PyObject *upd = PyObject_GetAttrString(d, "update");
    PyObject *noargs = PyTuple_New(0);
    PyObject *kw = Py_BuildValue("{si}", "f", 6);
    ASSERT(upd && is_none(PyObject_Call(upd, noargs, kw)));
    Py_DECREF(kw); Py_DECREF(noargs); Py_DECREF(upd);
    ASSERT(repr_is(d, "{'a': 1, 'b': 2, 'c': 3, 'e': 5, 'f': 6}"));
    ASSERT(is_long(PyObject_CallMethod(d, "pop", "s", "a"), 1));
    ASSERT(is_long(PyObject_CallMethod(d, "pop", "si", "a", 0), 0));
    ASSERT(PyObject_CallMethod(d, "pop", "s", "a") == NULL);
    ASSERT_RAISES(PyExc_KeyError);
    ASSERT(PyObject_CallMethod(d, "update", "([i])", 1) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    PyObject *c = PyObject_CallMethod(d, "copy", NULL);
    ASSERT(c && c != d && PyDict_Size(c) == 4);
    Py_DECREF(c);
    ASSERT(is_none(PyObject_CallMethod(d, "clear", NULL)));
    ASSERT(PyDict_Size(d) == 0);
    Py_DECREF(d);
    Py_RETURN_NONE;
}

TEST(test_str_methods) {
    PyObject *s = PyUnicode_FromString("  Hello, World  ");
    ASSERT(s);
    ASSERT(is_str(PyObject_CallMethod(s, "strip", NULL), "Hello, World"));
    ASSERT(is_str(PyObject_CallMethod(s, "lstrip", NULL), "Hello, World  "));
    ASSERT(is_str(PyObject_CallMethod(s, "rstrip", NULL), "  Hello, World"));
    ASSERT(is_str(PyObject_CallMethod(s, "strip", "s", " Hd"), "ello, Worl"));
    ASSERT(is_str(PyObject_CallMethod(s, "upper", NULL), "  HELLO, WORLD  "));
    ASSERT(is_str(PyObject_CallMethod(s, "lower", NULL), "  hello, world  "));
    ASSERT(is_str(PyObject_CallMethod(s, "replace", "ss", "l", "L"), "  HeLLo, WorLd  "));
    ASSERT(is_str(PyObject_CallMethod(s, "replace", "ssi", "l", "L", 1), "  HeLlo, World  "));
    ASSERT(is_long(PyObject_CallMethod(s, "find", "s", "World"), 9));
    ASSERT(is_long(PyObject_CallMethod(s, "find", "s", "xyz"), -1));
    ASSERT(PyObject_CallMethod(s, "startswith", "s", "  He") == Py_True);
    Py_DECREF(Py_True);
    ASSERT(PyObject_CallMethod(s, "endswith", "((ss))", "x", "  ") == Py_True);
    Py_DECREF(Py_True);
    ASSERT(PyObject_CallMethod(s, "startswith", "i", 1) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    PyObject *parts = PyObject_CallMethod(s, "split", NULL);
    ASSERT(parts && repr_is(parts, "['Hello,', 'World']"));
    Py_DECREF(parts);
    PyObject *csv = PyUnicode_FromString("a,b,,c");
    parts = PyObject_CallMethod(csv, "split", "s", ",");
    ASSERT(parts && repr_is(parts, "['a', 'b', '', 'c']"));
    Py_DECREF(parts);
    parts = PyObject_CallMethod(csv, "split", "si", ",", 1);
    ASSERT(parts && repr_is(parts, "['a', 'b,,c']"));
    PyObject *dash = PyUnicode_FromString("-");
    ASSERT(is_str(PyObject_CallMethod(dash, "join", "O", parts), "a-b,,c"));
    Py_DECREF(parts);
    Py_DECREF(dash);
    Py_DECREF(csv);
    Py_DECREF(s);
    Py_RETURN_NONE;
}

TEST(test_set_methods) {
    PyObject *s = PySet_New(NULL);
    ASSERT(s);
    ASSERT(is_none(PyObject_CallMethod(s, "add", "i", 1)));
    ASSERT(is_none(PyObject_CallMethod(s, "add", "i", 2)));
    ASSERT(PySet_Size(s) == 2);
    ASSERT(is_none(PyObject_CallMethod(s, "discard", "i", 5)));
    ASSERT(is_none(PyObject_CallMethod(s, "remove", "i", 1)));
    ASSERT(PyObject_CallMethod(s, "remove", "i", 1) == NULL);
    ASSERT_RAISES(PyExc_KeyError);
    ASSERT(is_none(PyObject_CallMethod(s, "clear", NULL)));
    ASSERT(PySet_Size(s) == 0);
    Py_DECREF(s);
    Py_RETURN_NONE;
}

/* sorted repr of a set, for comparisons independent of iteration order */
static int set_is(PyObject *s, const char *expect) {
    if (!s) return 0;
    PyObject *l = PySequence_List(s);
    int ok = l && PyList_Sort(l) == 0 && repr_is(l, expect);
    Py_XDECREF(l);
    return ok;
}

TEST(test_set_operators_between_sets) {
    PyObject *a = Py_BuildValue("[iii]", 1, 2, 3), *b = Py_BuildValue("[iii]", 2, 3, 4);
    PyObject *sa = PySet_New(a), *sb = PySet_New(b), *fa = PyFrozenSet_New(a);
    ASSERT(sa && sb && fa);
    PyObject *r = PyNumber_And(sa, sb);
    ASSERT(r && PySet_CheckExact(r) && set_is(r, "[2, 3]"));
    Py_DECREF(r);
    r = PyNumber_Or(sa, sb);
    ASSERT(r && set_is(r, "[1, 2, 3, 4]"));
    Py_DECREF(r);
    r = PyNumber_Subtract(sa, sb);
    ASSERT(r && set_is(r, "[1]"));
    Py_DECREF(r);
    r = PyNumber_Xor(sa, sb);
    ASSERT(r && set_is(r, "[1, 4]"));
    Py_DECREF(r);
    r = PyNumber_Or(fa, sb); /* the left operand's type */
    ASSERT(r && PyFrozenSet_CheckExact(r) && set_is(r, "[1, 2, 3, 4]"));
    Py_DECREF(r);
    r = PyNumber_And(sb, fa);
    ASSERT(r && PySet_CheckExact(r) && set_is(r, "[2, 3]"));
    Py_DECREF(r);
    ASSERT(PyNumber_And(sa, a) == NULL); /* set & list */
    ASSERT_RAISES(PyExc_TypeError);
    Py_DECREF(fa); Py_DECREF(sb); Py_DECREF(sa); Py_DECREF(b); Py_DECREF(a);
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    DEF(test_set_operators_between_sets),
    DEF(test_list_methods),
    DEF(test_dict_methods),
    DEF(test_str_methods),
    DEF(test_set_methods),
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "ext_lang_methods", NULL, -1, methods};

PyMODINIT_FUNC PyInit_ext_lang_methods(void) { return PyModule_Create(&module); }
