/* The builtins module as compiled code uses it (Cython's __Pyx_GetBuiltinName: an attribute of
 * the imported `builtins` module): constants, types, exception classes and the builtin
 * functions, called through the C API, with CPython's results and errors. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include "testing.h"

static PyObject *B; /* the builtins module */

static PyObject *get(const char *name) { return PyObject_GetAttrString(B, name); }

/* Calls builtins.<name>(*args) with args built by Py_BuildValue(fmt, ...). */
static PyObject *callb(const char *name, const char *fmt, ...) {
    PyObject *f = get(name);
    if (!f) return NULL;
    va_list va;
    va_start(va, fmt);
    PyObject *args = Py_VaBuildValue(fmt, va);
    va_end(va);
    if (!args) { Py_DECREF(f); return NULL; }
    if (!PyTuple_Check(args)) {
        PyObject *t = PyTuple_Pack(1, args);
        Py_DECREF(args);
        args = t;
    }
    PyObject *r = PyObject_Call(f, args, NULL);
    Py_DECREF(args);
    Py_DECREF(f);
    return r;
}

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
static int is_obj(PyObject *r, PyObject *expect) {
    int ok = r == expect;
    Py_XDECREF(r);
    return ok;
}

TEST(test_constants_types_and_exceptions_are_there) {
    ASSERT(is_obj(get("None"), Py_None));
    ASSERT(is_obj(get("True"), Py_True));
    ASSERT(is_obj(get("False"), Py_False));
    ASSERT(is_obj(get("NotImplemented"), Py_NotImplemented));
    ASSERT(is_obj(get("Ellipsis"), Py_Ellipsis));
    ASSERT(is_obj(get("__debug__"), Py_True));
    ASSERT(is_obj(get("int"), (PyObject *)&PyLong_Type));
    ASSERT(is_obj(get("str"), (PyObject *)&PyUnicode_Type));
    ASSERT(is_obj(get("dict"), (PyObject *)&PyDict_Type));
    ASSERT(is_obj(get("list"), (PyObject *)&PyList_Type));
    ASSERT(is_obj(get("tuple"), (PyObject *)&PyTuple_Type));
    ASSERT(is_obj(get("object"), (PyObject *)&PyBaseObject_Type));
    ASSERT(is_obj(get("type"), (PyObject *)&PyType_Type));
    ASSERT(is_obj(get("float"), (PyObject *)&PyFloat_Type));
    ASSERT(is_obj(get("bool"), (PyObject *)&PyBool_Type));
    ASSERT(is_obj(get("set"), (PyObject *)&PySet_Type));
    ASSERT(is_obj(get("frozenset"), (PyObject *)&PyFrozenSet_Type));
    ASSERT(is_obj(get("ValueError"), PyExc_ValueError));
    ASSERT(is_obj(get("KeyError"), PyExc_KeyError));
    ASSERT(is_obj(get("StopIteration"), PyExc_StopIteration));
    ASSERT(is_obj(get("BaseException"), PyExc_BaseException));
    ASSERT(get("no_such_builtin") == NULL);
    ASSERT_RAISES(PyExc_AttributeError);
    Py_RETURN_NONE;
}

TEST(test_builtin_functions_compute_what_cpython_computes) {
    ASSERT(is_long(callb("len", "([iii])", 1, 2, 3), 3));
    ASSERT(is_long(callb("abs", "(i)", -7), 7));
    ASSERT(is_long(callb("sum", "([iii])", 1, 2, 3), 6));
    ASSERT(is_long(callb("sum", "([ii]i)", 1, 2, 10), 13));
    ASSERT(is_long(callb("min", "(iii)", 5, 2, 9), 2));
    ASSERT(is_long(callb("max", "([iii])", 5, 2, 9), 9));
    ASSERT(is_long(callb("ord", "(s)", "A"), 65));
    ASSERT(is_str(callb("chr", "(i)", 97), "a"));
    ASSERT(is_str(callb("hex", "(i)", 255), "0xff"));
    ASSERT(is_str(callb("oct", "(i)", 8), "0o10"));
    ASSERT(is_str(callb("bin", "(i)", 5), "0b101"));
    ASSERT(is_str(callb("repr", "(s)", "x"), "'x'"));
    ASSERT(is_str(callb("format", "(is)", 42, "05d"), "00042"));
    ASSERT(is_obj(callb("isinstance", "(iO)", 3, (PyObject *)&PyLong_Type), Py_True));
    ASSERT(is_obj(callb("issubclass", "(OO)", (PyObject *)&PyBool_Type, (PyObject *)&PyLong_Type), Py_True));
    ASSERT(is_obj(callb("callable", "(O)", B), Py_False));
    ASSERT(is_obj(callb("any", "([ii])", 0, 3), Py_True));
    ASSERT(is_obj(callb("all", "([ii])", 0, 3), Py_False));
    ASSERT(is_obj(callb("all", "([])"), Py_True));
    ASSERT(is_long(callb("pow", "(ii)", 2, 10), 1024));
    ASSERT(is_long(callb("pow", "(iii)", 2, 10, 1000), 24));
    ASSERT(is_long(callb("round", "(d)", 2.5), 2));
    ASSERT(is_long(callb("round", "(d)", 3.5), 4));
    ASSERT(is_long(callb("round", "(ii)", 1250, -2), 1200));
    PyObject *r = callb("round", "(di)", 2.675, 2);
    ASSERT(r && PyFloat_AsDouble(r) == 2.67); /* the binary value is below 2.675 */
    Py_DECREF(r);
    r = callb("divmod", "(ii)", 7, -2);
    ASSERT(r && PyTuple_Check(r) && PyLong_AsLong(PyTuple_GetItem(r, 0)) == -4 &&
           PyLong_AsLong(PyTuple_GetItem(r, 1)) == -1);
    Py_DECREF(r);
    r = callb("sorted", "([iii])", 3, 1, 2);
    ASSERT(r && PyList_Check(r) && PyList_Size(r) == 3 && PyLong_AsLong(PyList_GetItem(r, 0)) == 1 &&
           PyLong_AsLong(PyList_GetItem(r, 2)) == 3);
    Py_DECREF(r);
    /* sorted(..., reverse=True) and max(..., key=abs) */
    PyObject *sorted = get("sorted");
    PyObject *args = Py_BuildValue("([iii])", 3, 1, 2);
    PyObject *kw = Py_BuildValue("{sO}", "reverse", Py_True);
    r = PyObject_Call(sorted, args, kw);
    ASSERT(r && PyLong_AsLong(PyList_GetItem(r, 0)) == 3 && PyLong_AsLong(PyList_GetItem(r, 2)) == 1);
    Py_DECREF(r);
    Py_DECREF(kw);
    Py_DECREF(args);
    Py_DECREF(sorted);
    PyObject *mx = get("max"), *absf = get("abs");
    args = Py_BuildValue("(iii)", -9, 2, 5);
    kw = Py_BuildValue("{sO}", "key", absf);
    ASSERT(is_long(PyObject_Call(mx, args, kw), -9));
    Py_DECREF(kw);
    Py_DECREF(args);
    args = Py_BuildValue("([])");
    kw = Py_BuildValue("{si}", "default", 77);
    ASSERT(is_long(PyObject_Call(mx, args, kw), 77));
    Py_DECREF(kw);
    Py_DECREF(args);
    Py_DECREF(absf);
    Py_DECREF(mx);
    /* getattr with a default, hasattr, setattr */
    ASSERT(is_long(callb("getattr", "(Osi)", B, "nope", 5), 5));
    ASSERT(is_obj(callb("hasattr", "(Os)", B, "len"), Py_True));
    ASSERT(is_obj(callb("hasattr", "(Os)", B, "nope"), Py_False));
    PyObject *h = callb("hash", "(s)", "abc");
    PyObject *s = PyUnicode_FromString("abc");
    ASSERT(h && PyLong_AsSsize_t(h) == PyObject_Hash(s));
    Py_DECREF(s);
    Py_DECREF(h);
    /* iter / next with and without a default */
    PyObject *it = callb("iter", "([i])", 4);
    ASSERT(it);
    ASSERT(is_long(callb("next", "(O)", it), 4));
    ASSERT(is_long(callb("next", "(Oi)", it, -1), -1));
    ASSERT(callb("next", "(O)", it) == NULL);
    ASSERT_RAISES(PyExc_StopIteration);
    Py_DECREF(it);
    /* id is stable and distinct */
    PyObject *l1 = PyList_New(0), *l2 = PyList_New(0);
    PyObject *i1 = callb("id", "(O)", l1), *i1b = callb("id", "(O)", l1), *i2 = callb("id", "(O)", l2);
    ASSERT(i1 && i1b && i2);
    ASSERT(PyObject_RichCompareBool(i1, i1b, Py_EQ) == 1 && PyObject_RichCompareBool(i1, i2, Py_EQ) == 0);
    Py_DECREF(i1); Py_DECREF(i1b); Py_DECREF(i2); Py_DECREF(l1); Py_DECREF(l2);
    /* __import__ */
    PyObject *m = callb("__import__", "(s)", "builtins");
    ASSERT(m == B);
    Py_DECREF(m);
    Py_RETURN_NONE;
}

TEST(test_builtin_functions_raise_cpython_errors) {
    ASSERT(callb("len", "(i)", 3) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    ASSERT(callb("len", "(ii)", 1, 2) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    ASSERT(callb("ord", "(s)", "ab") == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    ASSERT(callb("chr", "(i)", -1) == NULL);
    ASSERT_RAISES(PyExc_ValueError);
    ASSERT(callb("min", "([])") == NULL);
    ASSERT_RAISES(PyExc_ValueError);
    ASSERT(callb("sum", "([s]s)", "a", "") == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    ASSERT(callb("next", "(i)", 5) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    ASSERT(callb("getattr", "(Os)", B, "nope") == NULL);
    ASSERT_RAISES(PyExc_AttributeError);
    ASSERT(callb("round", "(s)", "x") == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    ASSERT(callb("__import__", "(s)", "no_such_module_xyz") == NULL);
    ASSERT_RAISES(PyExc_ImportError);
    Py_RETURN_NONE;
}

static PyObject *written; /* what sink_write received */
static PyObject *sink_write(PyObject *self, PyObject *text) {
    if (PyList_Append(written, text) < 0) return NULL;
    Py_RETURN_NONE;
}
static PyMethodDef sink_write_def = {"write", (PyCFunction)sink_write, METH_O, NULL};

TEST(test_print_writes_to_a_file_object) {
    /* print(1, 'a', sep='-', end='!', file=<an object with write>) through a list's append as
     * the write method: the file only needs `write`. */
    PyObject *ns = PyDict_New();
    PyObject *empty = PyTuple_New(0);
    ASSERT(ns && empty);
    PyObject *cls = PyObject_CallFunction((PyObject *)&PyType_Type, "sOO", "Sink", empty, ns);
    ASSERT(cls);
    PyObject *sink = PyObject_CallNoArgs(cls);
    PyObject *l = PyList_New(0);
    written = l;
    PyObject *append = PyCFunction_New(&sink_write_def, NULL);
    ASSERT(sink && l && append && PyObject_SetAttrString(sink, "write", append) == 0);
    PyObject *print = get("print");
    PyObject *args = Py_BuildValue("(is)", 1, "a");
    PyObject *kw = Py_BuildValue("{sssssO}", "sep", "-", "end", "!", "file", sink);
    PyObject *r = PyObject_Call(print, args, kw);
    ASSERT(r == Py_None);
    Py_DECREF(r);
    /* CPython writes each piece separately, pyopaque the whole line: compare the text */
    PyObject *sep = PyUnicode_FromString("");
    PyObject *text = PyUnicode_Join(sep, l);
    ASSERT(text && PyUnicode_CompareWithASCIIString(text, "1-a!") == 0);
    Py_DECREF(text);
    Py_DECREF(sep);
    Py_DECREF(kw); Py_DECREF(args); Py_DECREF(print); Py_DECREF(append); Py_DECREF(l);
    Py_DECREF(sink); Py_DECREF(cls); Py_DECREF(empty); Py_DECREF(ns);
    Py_RETURN_NONE;
}

/* The iterator types of the builtins, through their exported symbols: calling each type
 * object makes an instance of exactly that type, which iterates as CPython's does. */
static long next_long(PyObject *it) {
    PyObject *v = PyIter_Next(it);
    long r = v ? PyLong_AsLong(v) : -1000;
    Py_XDECREF(v);
    return r;
}

TEST(test_builtin_iterator_type_symbols) {
    PyObject *t = Py_BuildValue("(ii)", 1, 2);
    ASSERT(t != NULL);
    PyObject *r = PyObject_CallFunction((PyObject *)&PyRange_Type, "i", 3);
    ASSERT(r && PyObject_TypeCheck(r, &PyRange_Type));
    PyObject *ri = PyObject_GetIter(r);
    ASSERT(ri && PyObject_TypeCheck(ri, &PyRangeIter_Type));
    ASSERT(next_long(ri) == 0 && next_long(ri) == 1);
    PyObject *e = PyObject_CallFunctionObjArgs((PyObject *)&PyEnum_Type, t, NULL);
    ASSERT(e && PyObject_TypeCheck(e, &PyEnum_Type));
    PyObject *pair = PyIter_Next(e);
    ASSERT(pair && PyTuple_Check(pair) && PyTuple_Size(pair) == 2);
    ASSERT(PyLong_AsLong(PyTuple_GetItem(pair, 0)) == 0 && PyLong_AsLong(PyTuple_GetItem(pair, 1)) == 1);
    Py_DECREF(pair);
    PyObject *z = PyObject_CallFunctionObjArgs((PyObject *)&PyZip_Type, t, r, NULL);
    ASSERT(z && PyObject_TypeCheck(z, &PyZip_Type));
    pair = PyIter_Next(z);
    ASSERT(pair && PyLong_AsLong(PyTuple_GetItem(pair, 0)) == 1 && PyLong_AsLong(PyTuple_GetItem(pair, 1)) == 0);
    Py_DECREF(pair);
    PyObject *m = PyObject_CallFunctionObjArgs((PyObject *)&PyMap_Type, (PyObject *)&PyLong_Type, t, NULL);
    ASSERT(m && PyObject_TypeCheck(m, &PyMap_Type));
    ASSERT(next_long(m) == 1 && next_long(m) == 2);
    PyObject *f = PyObject_CallFunctionObjArgs((PyObject *)&PyFilter_Type, Py_None, t, NULL);
    ASSERT(f && PyObject_TypeCheck(f, &PyFilter_Type));
    ASSERT(next_long(f) == 1);
    PyObject *rv = PyObject_CallFunctionObjArgs((PyObject *)&PyReversed_Type, t, NULL);
    ASSERT(rv && PyObject_TypeCheck(rv, &PyReversed_Type));
    ASSERT(next_long(rv) == 2 && next_long(rv) == 1);
    PyObject *end = PyIter_Next(rv);
    ASSERT(end == NULL && !PyErr_Occurred());
    Py_DECREF(rv); Py_DECREF(f); Py_DECREF(m); Py_DECREF(z); Py_DECREF(e);
    Py_DECREF(ri); Py_DECREF(r); Py_DECREF(t);
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    DEF(test_builtin_iterator_type_symbols),
    DEF(test_constants_types_and_exceptions_are_there),
    DEF(test_builtin_functions_compute_what_cpython_computes),
    DEF(test_builtin_functions_raise_cpython_errors),
    DEF(test_print_writes_to_a_file_object),
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "ext_lang_builtins", NULL, -1, methods};

PyMODINIT_FUNC PyInit_ext_lang_builtins(void) {
    PyObject *m = PyModule_Create(&module);
    if (!m) return NULL;
    B = PyImport_ImportModule("builtins");
    if (!B) { Py_DECREF(m); return NULL; }
    return m;
}
