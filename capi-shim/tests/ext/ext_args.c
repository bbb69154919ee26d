/* Argument parsing and value building, through real calls of METH_VARARGS functions. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include "testing.h"

static PyObject *parse_basic(PyObject *self, PyObject *args) {
    int i; long l; double d; const char *s; PyObject *o; Py_ssize_t n = 0; const char *z = NULL;
    if (!PyArg_ParseTuple(args, "ilds|Oz#:parse_basic", &i, &l, &d, &s, &o, &z, &n)) return NULL;
    return Py_BuildValue("(ildsn)", i, l, d, s, n);
}

static PyObject *parse_kw(PyObject *self, PyObject *args, PyObject *kw) {
    static char *kwlist[] = {"a", "b", "c", NULL};
    int a, b = 2, c = 3;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "i|i$i:parse_kw", kwlist, &a, &b, &c)) return NULL;
    return Py_BuildValue("[iii]", a, b, c);
}

static PyObject *unpack(PyObject *self, PyObject *args) {
    PyObject *a, *b = NULL;
    if (!PyArg_UnpackTuple(args, "unpack", 1, 2, &a, &b)) return NULL;
    return PyLong_FromLong(b ? 2 : 1);
}

static PyObject *typed(PyObject *self, PyObject *args) {
    PyObject *l; PyObject *u; int flag;
    if (!PyArg_ParseTuple(args, "O!Up", &PyList_Type, &l, &u, &flag)) return NULL;
    return PyBool_FromLong(flag);
}

static PyMethodDef helpers[] = {
    {"parse_basic", parse_basic, METH_VARARGS, NULL},
    {"parse_kw", (PyCFunction)(void (*)(void))parse_kw, METH_VARARGS | METH_KEYWORDS, NULL},
    {"unpack", unpack, METH_VARARGS, NULL},
    {"typed", typed, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static PyObject *mod;

static PyObject *call(const char *name, PyObject *args, PyObject *kw) {
    PyObject *f = PyObject_GetAttrString(mod, name);
    if (!f) return NULL;
    PyObject *r = PyObject_Call(f, args, kw);
    Py_DECREF(f);
    return r;
}

TEST(test_parse_tuple) {
    PyObject *args = Py_BuildValue("(ilds)", 1, 2L, 3.5, "four");
    PyObject *r = call("parse_basic", args, NULL);
    ASSERT(r && PyTuple_Size(r) == 5);
    ASSERT(PyLong_AsLong(PyTuple_GetItem(r, 0)) == 1);
    ASSERT(PyFloat_AsDouble(PyTuple_GetItem(r, 2)) == 3.5);
    ASSERT(PyUnicode_CompareWithASCIIString(PyTuple_GetItem(r, 3), "four") == 0);
    Py_DECREF(r); Py_DECREF(args);
    args = Py_BuildValue("(ilds)", 1, 2L, 3.5, "four");
    Py_DECREF(args);
    args = Py_BuildValue("(i)", 1);
    ASSERT(call("parse_basic", args, NULL) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    Py_DECREF(args);
    args = Py_BuildValue("(sids)", "x", 2, 3.0, "s");
    ASSERT(call("parse_basic", args, NULL) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    Py_DECREF(args);
    args = Py_BuildValue("(Lids)", 1LL << 40, 2, 3.0, "s");
    ASSERT(call("parse_basic", args, NULL) == NULL);
    ASSERT_RAISES(PyExc_OverflowError);
    Py_DECREF(args);
    args = Py_BuildValue("(ildsOz#)", 1, 2L, 3.5, "four", Py_None, "abc", (Py_ssize_t)2);
    r = call("parse_basic", args, NULL);
    ASSERT(r && PyLong_AsLong(PyTuple_GetItem(r, 4)) == 2);
    Py_DECREF(r); Py_DECREF(args);
    Py_RETURN_NONE;
}

TEST(test_parse_keywords) {
    PyObject *args = Py_BuildValue("(i)", 10);
    PyObject *kw = Py_BuildValue("{s:i,s:i}", "b", 20, "c", 30);
    PyObject *r = call("parse_kw", args, kw);
    ASSERT(r && PyLong_AsLong(PyList_GetItem(r, 1)) == 20 && PyLong_AsLong(PyList_GetItem(r, 2)) == 30);
    Py_DECREF(r); Py_DECREF(kw);
    kw = Py_BuildValue("{s:i}", "zz", 1);
    ASSERT(call("parse_kw", args, kw) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    Py_DECREF(kw);
    kw = Py_BuildValue("{s:i}", "a", 1);
    ASSERT(call("parse_kw", args, kw) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    Py_DECREF(kw); Py_DECREF(args);
    args = Py_BuildValue("(iii)", 1, 2, 3);
    ASSERT(call("parse_kw", args, NULL) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    Py_DECREF(args);
    args = PyTuple_New(0);
    ASSERT(call("parse_kw", args, NULL) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    Py_DECREF(args);
    Py_RETURN_NONE;
}

TEST(test_unpack_and_typed) {
    PyObject *args = Py_BuildValue("(ii)", 1, 2);
    PyObject *r = call("unpack", args, NULL);
    ASSERT(r && PyLong_AsLong(r) == 2);
    Py_DECREF(r); Py_DECREF(args);
    args = Py_BuildValue("(iii)", 1, 2, 3);
    ASSERT(call("unpack", args, NULL) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    Py_DECREF(args);
    args = Py_BuildValue("([i]si)", 1, "u", 5);
    r = call("typed", args, NULL);
    ASSERT(r == Py_True);
    Py_DECREF(r); Py_DECREF(args);
    args = Py_BuildValue("((i)si)", 1, "u", 5);
    ASSERT(call("typed", args, NULL) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    Py_DECREF(args);
    Py_RETURN_NONE;
}

TEST(test_build_value) {
    PyObject *v = Py_BuildValue("");
    ASSERT(v == Py_None); Py_DECREF(v);
    v = Py_BuildValue("i", 5);
    ASSERT(PyLong_AsLong(v) == 5); Py_DECREF(v);
    v = Py_BuildValue("(is)", 1, "a");
    ASSERT(PyTuple_Size(v) == 2); Py_DECREF(v);
    v = Py_BuildValue("[i,(s,d)]", 1, "x", 2.0);
    ASSERT(PyList_Size(v) == 2 && PyTuple_Check(PyList_GetItem(v, 1))); Py_DECREF(v);
    v = Py_BuildValue("{s:O}", "k", Py_None);
    ASSERT(PyDict_GetItemString(v, "k") == Py_None); Py_DECREF(v);
    PyObject *n = PyLong_FromLong(3);
    v = Py_BuildValue("N", n);
    ASSERT(v == n); Py_DECREF(v);
    v = Py_BuildValue("y#", "ab\0c", (Py_ssize_t)4);
    ASSERT(PyBytes_Size(v) == 4); Py_DECREF(v);
    v = Py_BuildValue("Kk", 18446744073709551615ULL, 1UL);
    ASSERT(PyLong_AsUnsignedLongLong(PyTuple_GetItem(v, 0)) == 18446744073709551615ULL); Py_DECREF(v);
    ASSERT(Py_BuildValue("O", NULL) == NULL);
    ASSERT_RAISES(PyExc_SystemError);
    v = Py_BuildValue("(ss)", "a", NULL);
    ASSERT(v && PyTuple_GetItem(v, 1) == Py_None); Py_DECREF(v);
    Py_RETURN_NONE;
}

TEST(test_call_helpers) {
    PyObject *f = PyObject_GetAttrString(mod, "unpack");
    PyObject *one = PyLong_FromLong(1);
    PyObject *r = PyObject_CallFunctionObjArgs(f, one, one, NULL);
    ASSERT(r && PyLong_AsLong(r) == 2); Py_DECREF(r);
    r = PyObject_CallFunction(f, "i", 7);
    ASSERT(r && PyLong_AsLong(r) == 1); Py_DECREF(r);
    PyObject *args = PyTuple_Pack(1, one);
    r = PyObject_CallObject(f, args);
    ASSERT(r && PyLong_AsLong(r) == 1); Py_DECREF(r);
    Py_DECREF(args);
    ASSERT(PyObject_CallObject(one, NULL) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    ASSERT(PyCallable_Check(f) == 1 && PyCallable_Check(one) == 0);
    PyObject *name = PyUnicode_FromString("unpack");
    r = PyObject_CallMethodObjArgs(mod, name, one, NULL);
    ASSERT(r && PyLong_AsLong(r) == 1); Py_DECREF(r);
    Py_DECREF(name);
    Py_DECREF(one); Py_DECREF(f);
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    DEF(test_parse_tuple),
    DEF(test_parse_keywords),
    DEF(test_unpack_and_typed),
    DEF(test_build_value),
    DEF(test_call_helpers),
    {NULL, NULL, 0, NULL},
};
static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "ext_args", NULL, -1, methods};
PyMODINIT_FUNC PyInit_ext_args(void) {
    mod = PyModule_Create(&module);
    if (!mod) return NULL;
    if (PyModule_AddFunctions(mod, helpers) < 0) return NULL;
    return mod;
}
