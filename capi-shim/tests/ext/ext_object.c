/* Object protocol, reference counting, constants, ints and floats. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include "testing.h"

TEST(test_long_roundtrip) {
    PyObject *a = PyLong_FromLong(42);
    ASSERT(a != NULL);
    ASSERT(PyLong_Check(a));
    ASSERT(PyLong_AsLong(a) == 42);
    PyObject *big = PyLong_FromLongLong(1LL << 62);
    ASSERT(PyLong_AsLongLong(big) == (1LL << 62));
    PyObject *huge = PyLong_FromUnsignedLongLong(0xFFFFFFFFFFFFFFFFULL);
    ASSERT(PyLong_AsUnsignedLongLong(huge) == 0xFFFFFFFFFFFFFFFFULL);
    ASSERT(PyLong_AsLong(huge) == -1);
    ASSERT_RAISES(PyExc_OverflowError);
    int overflow = 0;
    ASSERT(PyLong_AsLongAndOverflow(huge, &overflow) == -1 && overflow == 1);
    PyObject *neg = PyLong_FromLong(-5);
    ASSERT(PyLong_AsUnsignedLong(neg) == (unsigned long)-1);
    ASSERT_RAISES(PyExc_OverflowError);
    PyObject *s = PyUnicode_FromString("x");
    ASSERT(PyLong_AsLong(s) == -1);
    ASSERT_RAISES(PyExc_TypeError);
    ASSERT(PyLong_AsSsize_t(a) == 42);
    ASSERT(PyLong_AsDouble(a) == 42.0);
    Py_DECREF(a);
    Py_DECREF(big);
    Py_DECREF(huge);
    Py_DECREF(neg);
    Py_DECREF(s);
    Py_RETURN_NONE;
}

TEST(test_refcount) {
    PyObject *l = PyList_New(0);
    ASSERT(l != NULL);
    Py_ssize_t r = Py_REFCNT(l);
    ASSERT(r >= 1);
    Py_INCREF(l);
    ASSERT(Py_REFCNT(l) == r + 1);
    Py_DECREF(l);
    ASSERT(Py_REFCNT(l) == r);
    PyObject *n = Py_NewRef(l);
    ASSERT(n == l);
    Py_DECREF(n);
    ASSERT(Py_XNewRef(NULL) == NULL);
    Py_XDECREF(NULL);
    Py_DECREF(l);
    Py_RETURN_NONE;
}

TEST(test_constants) {
    ASSERT(Py_None != NULL);
    ASSERT(Py_IsNone(Py_None));
    ASSERT(Py_Is(Py_True, Py_True));
    ASSERT(PyObject_IsTrue(Py_True) == 1);
    ASSERT(PyObject_IsTrue(Py_False) == 0);
    ASSERT(PyObject_Not(Py_None) == 1);
    PyObject *t = PyBool_FromLong(7);
    ASSERT(t == Py_True);
    Py_DECREF(t);
    ASSERT(PyBool_Check(Py_False));
    Py_RETURN_NONE;
}

TEST(test_types) {
    PyObject *a = PyLong_FromLong(3);
    ASSERT(Py_TYPE(a) == &PyLong_Type);
    ASSERT(Py_IS_TYPE(a, &PyLong_Type));
    ASSERT(PyObject_TypeCheck(a, &PyLong_Type));
    PyObject *t = PyObject_Type(a);
    ASSERT(t == (PyObject *)&PyLong_Type);
    ASSERT(PyType_Check(t));
    ASSERT(PyObject_IsInstance(a, (PyObject *)&PyLong_Type) == 1);
    ASSERT(PyObject_IsInstance(a, (PyObject *)&PyUnicode_Type) == 0);
    ASSERT(PyType_IsSubtype(&PyBool_Type, &PyLong_Type));
    ASSERT(PyObject_IsSubclass((PyObject *)&PyBool_Type, (PyObject *)&PyLong_Type) == 1);
    ASSERT(PyObject_IsSubclass(a, (PyObject *)&PyLong_Type) == -1);
    ASSERT_RAISES(PyExc_TypeError);
    PyObject *name = PyType_GetName(&PyLong_Type);
    ASSERT(name && PyUnicode_CompareWithASCIIString(name, "int") == 0);
    Py_DECREF(name);
    Py_DECREF(t);
    Py_DECREF(a);
    Py_RETURN_NONE;
}

TEST(test_repr_str_hash) {
    PyObject *a = PyLong_FromLong(12);
    PyObject *r = PyObject_Repr(a);
    ASSERT(r && PyUnicode_CompareWithASCIIString(r, "12") == 0);
    PyObject *s = PyUnicode_FromString("hi");
    PyObject *rs = PyObject_Repr(s);
    ASSERT(rs && PyUnicode_CompareWithASCIIString(rs, "'hi'") == 0);
    PyObject *ss = PyObject_Str(s);
    ASSERT(ss && PyUnicode_CompareWithASCIIString(ss, "hi") == 0);
    ASSERT(PyObject_Hash(a) == 12);
    PyObject *l = PyList_New(0);
    ASSERT(PyObject_Hash(l) == -1);
    ASSERT_RAISES(PyExc_TypeError);
    PyObject *nr = PyObject_Repr(NULL);
    ASSERT(nr && PyUnicode_CompareWithASCIIString(nr, "<NULL>") == 0);
    Py_DECREF(nr);
    ASSERT(PyObject_GetAttrString(a, "nope") == NULL);
    ASSERT_RAISES(PyExc_AttributeError);
    ASSERT(PyObject_HasAttrString(a, "nope") == 0);
    Py_DECREF(a); Py_DECREF(r); Py_DECREF(s); Py_DECREF(rs); Py_DECREF(ss); Py_DECREF(l);
    Py_RETURN_NONE;
}

TEST(test_richcompare) {
    PyObject *a = PyLong_FromLong(1), *b = PyLong_FromLong(2);
    ASSERT(PyObject_RichCompareBool(a, b, Py_LT) == 1);
    ASSERT(PyObject_RichCompareBool(a, b, Py_EQ) == 0);
    PyObject *r = PyObject_RichCompare(a, b, Py_GE);
    ASSERT(r == Py_False);
    Py_DECREF(r);
    PyObject *s = PyUnicode_FromString("x");
    ASSERT(PyObject_RichCompareBool(a, s, Py_LT) == -1);
    ASSERT_RAISES(PyExc_TypeError);
    ASSERT(PyObject_RichCompareBool(a, s, Py_EQ) == 0);
    Py_DECREF(a); Py_DECREF(b); Py_DECREF(s);
    Py_RETURN_NONE;
}

TEST(test_float) {
    PyObject *f = PyFloat_FromDouble(2.5);
    ASSERT(PyFloat_Check(f));
    ASSERT(PyFloat_AsDouble(f) == 2.5);
    PyObject *i = PyLong_FromLong(4);
    ASSERT(PyFloat_AsDouble(i) == 4.0);
    PyObject *s = PyUnicode_FromString("z");
    ASSERT(PyFloat_AsDouble(s) == -1.0);
    ASSERT_RAISES(PyExc_TypeError);
    PyObject *sum = PyNumber_Add(f, i);
    ASSERT(sum && PyFloat_AsDouble(sum) == 6.5);
    Py_DECREF(f); Py_DECREF(i); Py_DECREF(s); Py_DECREF(sum);
    Py_RETURN_NONE;
}

TEST(test_number) {
    PyObject *a = PyLong_FromLong(7), *b = PyLong_FromLong(2), *z = PyLong_FromLong(0);
    PyObject *r = PyNumber_FloorDivide(a, b);
    ASSERT(PyLong_AsLong(r) == 3); Py_DECREF(r);
    r = PyNumber_Remainder(a, b);
    ASSERT(PyLong_AsLong(r) == 1); Py_DECREF(r);
    r = PyNumber_Multiply(a, b);
    ASSERT(PyLong_AsLong(r) == 14); Py_DECREF(r);
    r = PyNumber_Subtract(a, b);
    ASSERT(PyLong_AsLong(r) == 5); Py_DECREF(r);
    r = PyNumber_Negative(a);
    ASSERT(PyLong_AsLong(r) == -7); Py_DECREF(r);
    r = PyNumber_And(a, b);
    ASSERT(PyLong_AsLong(r) == 2); Py_DECREF(r);
    r = PyNumber_Or(a, b);
    ASSERT(PyLong_AsLong(r) == 7); Py_DECREF(r);
    r = PyNumber_Xor(a, b);
    ASSERT(PyLong_AsLong(r) == 5); Py_DECREF(r);
    r = PyNumber_Lshift(a, b);
    ASSERT(PyLong_AsLong(r) == 28); Py_DECREF(r);
    r = PyNumber_Rshift(a, b);
    ASSERT(PyLong_AsLong(r) == 1); Py_DECREF(r);
    r = PyNumber_Power(a, b, Py_None);
    ASSERT(PyLong_AsLong(r) == 49); Py_DECREF(r);
    r = PyNumber_TrueDivide(a, b);
    ASSERT(PyFloat_AsDouble(r) == 3.5); Py_DECREF(r);
    r = PyNumber_Absolute(r = PyNumber_Negative(a));
    ASSERT(PyLong_AsLong(r) == 7);
    r = PyNumber_Invert(a);
    ASSERT(PyLong_AsLong(r) == -8); Py_DECREF(r);
    ASSERT(PyNumber_FloorDivide(a, z) == NULL);
    ASSERT_RAISES(PyExc_ZeroDivisionError);
    PyObject *s = PyUnicode_FromString("s");
    ASSERT(PyNumber_Subtract(a, s) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    ASSERT(PyNumber_Check(a) == 1 && PyNumber_Check(s) == 0);
    r = PyNumber_Index(a);
    ASSERT(PyLong_AsLong(r) == 7); Py_DECREF(r);
    ASSERT(PyNumber_Index(s) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    r = PyNumber_Float(a);
    ASSERT(PyFloat_AsDouble(r) == 7.0);
    PyObject *back = PyNumber_Long(r);
    ASSERT(PyLong_AsLong(back) == 7);
    Py_DECREF(back); Py_DECREF(r);
    Py_DECREF(a); Py_DECREF(b); Py_DECREF(z); Py_DECREF(s);
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    DEF(test_long_roundtrip),
    DEF(test_refcount),
    DEF(test_constants),
    DEF(test_types),
    DEF(test_repr_str_hash),
    DEF(test_richcompare),
    DEF(test_float),
    DEF(test_number),
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "ext_object", NULL, -1, methods};

PyMODINIT_FUNC PyInit_ext_object(void) { return PyModule_Create(&module); }
