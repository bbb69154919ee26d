/* Mapping protocol, attribute helpers, iteration helpers, sequence in-place ops, memory
 * allocators, GC switches, snprintf, PyCFunction accessors. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>
#include "testing.h"

static PyObject *make_dict(void) {
    PyObject *d = PyDict_New();
    PyObject *one = PyLong_FromLong(1), *two = PyLong_FromLong(2);
    PyDict_SetItemString(d, "a", one);
    PyDict_SetItemString(d, "b", two);
    Py_DECREF(one);
    Py_DECREF(two);
    return d;
}

TEST(test_mapping) {
    PyObject *d = make_dict();
    ASSERT(PyMapping_Check(d) == 1);
    PyObject *i = PyLong_FromLong(3);
    ASSERT(PyMapping_Check(i) == 0);
    ASSERT(PyMapping_Size(d) == 2);
    ASSERT(PyMapping_Length(d) == 2);
    ASSERT(PyMapping_Size(i) == -1); /* error path */
    ASSERT_RAISES(PyExc_TypeError);
    ASSERT(PyMapping_Length(i) == -1);
    ASSERT_RAISES(PyExc_TypeError);
    PyObject *a = PyMapping_GetItemString(d, "a");
    ASSERT(a && PyLong_AsLong(a) == 1);
    Py_DECREF(a);
    ASSERT(PyMapping_GetItemString(d, "zz") == NULL); /* error path */
    ASSERT_RAISES(PyExc_KeyError);
    ASSERT(PyMapping_SetItemString(d, "c", i) == 0);
    ASSERT(PyMapping_Size(d) == 3);
    ASSERT(PyMapping_SetItemString(i, "c", i) == -1); /* error path */
    ASSERT_RAISES(PyExc_TypeError);
    PyObject *ka = PyUnicode_FromString("a"), *kz = PyUnicode_FromString("zz");
    ASSERT(PyMapping_HasKey(d, ka) == 1);
    ASSERT(PyMapping_HasKey(d, kz) == 0);
    ASSERT(PyMapping_HasKey(i, ka) == 0 && !PyErr_Occurred()); /* error swallowed */
    ASSERT(PyMapping_HasKeyString(d, "b") == 1);
    ASSERT(PyMapping_HasKeyString(d, "q") == 0);
    ASSERT(PyMapping_HasKeyString(i, "q") == 0 && !PyErr_Occurred());
#if PY_VERSION_HEX >= 0x030D0000
    ASSERT(PyMapping_HasKeyWithError(d, ka) == 1);
    ASSERT(PyMapping_HasKeyWithError(d, kz) == 0);
    ASSERT(PyMapping_HasKeyWithError(i, ka) == -1); /* error path */
    ASSERT_RAISES(PyExc_TypeError);
    ASSERT(PyMapping_HasKeyStringWithError(d, "a") == 1);
    ASSERT(PyMapping_HasKeyStringWithError(i, "a") == -1);
    ASSERT_RAISES(PyExc_TypeError);
    PyObject *r = (PyObject *)1;
    ASSERT(PyMapping_GetOptionalItem(d, ka, &r) == 1 && r && PyLong_AsLong(r) == 1);
    Py_DECREF(r);
    ASSERT(PyMapping_GetOptionalItem(d, kz, &r) == 0 && r == NULL && !PyErr_Occurred());
    ASSERT(PyMapping_GetOptionalItem(i, kz, &r) == -1 && r == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    ASSERT(PyMapping_GetOptionalItemString(d, "b", &r) == 1 && PyLong_AsLong(r) == 2);
    Py_DECREF(r);
    ASSERT(PyMapping_GetOptionalItemString(d, "nope", &r) == 0 && r == NULL);
    ASSERT(PyMapping_GetOptionalItemString(i, "nope", &r) == -1);
    ASSERT_RAISES(PyExc_TypeError);
#endif
    PyObject *keys = PyMapping_Keys(d);
    ASSERT(keys && PyList_Check(keys) && PyList_Size(keys) == 3);
    PyObject *k0 = PyList_GetItem(keys, 0);
    ASSERT(PyUnicode_CompareWithASCIIString(k0, "a") == 0);
    PyObject *vals = PyMapping_Values(d);
    ASSERT(vals && PyList_Size(vals) == 3 && PyLong_AsLong(PyList_GetItem(vals, 1)) == 2);
    PyObject *items = PyMapping_Items(d);
    ASSERT(items && PyList_Size(items) == 3);
    PyObject *it0 = PyList_GetItem(items, 0);
    ASSERT(PyTuple_Check(it0) && PyTuple_Size(it0) == 2);
    ASSERT(PyMapping_Keys(i) == NULL); /* error path */
    ASSERT_RAISES(PyExc_AttributeError);
    ASSERT(PyMapping_Values(i) == NULL);
    ASSERT_RAISES(PyExc_AttributeError);
    ASSERT(PyMapping_Items(i) == NULL);
    ASSERT_RAISES(PyExc_AttributeError);
    /* a list is a mapping too (it has a subscript) */
    PyObject *l = PyList_New(0);
    ASSERT(PyMapping_Check(l) == 1);
    Py_DECREF(l);
    Py_DECREF(keys); Py_DECREF(vals); Py_DECREF(items);
    Py_DECREF(ka); Py_DECREF(kz); Py_DECREF(i); Py_DECREF(d);
    Py_RETURN_NONE;
}

TEST(test_attrs) {
    PyObject *m = PyModule_New("ext_b_attrs");
    PyObject *name = PyUnicode_FromString("x"), *v = PyLong_FromLong(10);
    ASSERT(PyObject_SetAttr(m, name, v) == 0);
    PyObject *g = PyObject_GetAttr(m, name);
    ASSERT(g == v);
    Py_DECREF(g);
    ASSERT(PyObject_HasAttr(m, name) == 1);
    g = PyObject_GenericGetAttr(m, name);
    ASSERT(g == v);
    Py_DECREF(g);
    ASSERT(PyObject_GenericSetAttr(m, name, Py_None) == 0);
    g = PyObject_GetAttr(m, name);
    ASSERT(g == Py_None);
    Py_DECREF(g);
    ASSERT(PyObject_DelAttr(m, name) == 0);
    ASSERT(PyObject_HasAttr(m, name) == 0);
    ASSERT(PyObject_GetAttr(m, name) == NULL); /* error path */
    ASSERT_RAISES(PyExc_AttributeError);
    ASSERT(PyObject_GenericGetAttr(m, name) == NULL);
    ASSERT_RAISES(PyExc_AttributeError);
    ASSERT(PyObject_DelAttr(m, name) == -1);
    ASSERT_RAISES(PyExc_AttributeError);
    ASSERT(PyObject_SetAttrString(m, "y", v) == 0);
    ASSERT(PyObject_DelAttrString(m, "y") == 0);
    ASSERT(PyObject_DelAttrString(m, "y") == -1);
    ASSERT_RAISES(PyExc_AttributeError);
    ASSERT(PyObject_SetAttr(v, name, v) == -1); /* int attributes are read-only */
    ASSERT_RAISES(PyExc_AttributeError);
    ASSERT(PyObject_GenericSetAttr(v, name, v) == -1);
    ASSERT_RAISES(PyExc_AttributeError);
    ASSERT(PyObject_SetAttr(m, v, v) == -1); /* non-str name */
    ASSERT_RAISES(PyExc_TypeError);
#if PY_VERSION_HEX >= 0x030D0000
    PyObject *r;
    ASSERT(PyObject_SetAttrString(m, "z", v) == 0);
    PyObject *zn = PyUnicode_FromString("z");
    ASSERT(PyObject_GetOptionalAttr(m, zn, &r) == 1 && r == v);
    Py_DECREF(r);
    ASSERT(PyObject_GetOptionalAttr(m, name, &r) == 0 && r == NULL && !PyErr_Occurred());
    ASSERT(PyObject_GetOptionalAttr(m, v, &r) == -1);
    ASSERT_RAISES(PyExc_TypeError);
    ASSERT(PyObject_GetOptionalAttrString(m, "z", &r) == 1 && r == v);
    Py_DECREF(r);
    ASSERT(PyObject_GetOptionalAttrString(m, "nope", &r) == 0 && r == NULL);
    ASSERT(PyObject_HasAttrWithError(m, zn) == 1);
    ASSERT(PyObject_HasAttrWithError(m, name) == 0);
    ASSERT(PyObject_HasAttrWithError(m, v) == -1);
    ASSERT_RAISES(PyExc_TypeError);
    ASSERT(PyObject_HasAttrStringWithError(m, "z") == 1);
    ASSERT(PyObject_HasAttrStringWithError(m, "nope") == 0);
    Py_DECREF(zn);
#endif
    Py_DECREF(name); Py_DECREF(v); Py_DECREF(m);
    Py_RETURN_NONE;
}

TEST(test_object_misc) {
    PyObject *s = PyUnicode_FromString("h\xc3\xa9");
    PyObject *a = PyObject_ASCII(s);
    ASSERT(a && PyUnicode_CompareWithASCIIString(a, "'h\\xe9'") == 0);
    Py_DECREF(a);
    PyObject *na = PyObject_ASCII(NULL);
    ASSERT(na && PyUnicode_CompareWithASCIIString(na, "<NULL>") == 0);
    Py_DECREF(na);
    ASSERT(PyObject_Length(s) == 2);
    PyObject *i = PyLong_FromLong(4);
    ASSERT(PyObject_Length(i) == -1); /* error path */
    ASSERT_RAISES(PyExc_TypeError);
    ASSERT(PyObject_HashNotImplemented(s) == -1);
    ASSERT_RAISES(PyExc_TypeError);
    PyObject *l = PyList_New(0);
    PyObject *it = PyObject_GetIter(l);
    PyObject *same = PyObject_SelfIter(it);
    ASSERT(same == it);
    Py_DECREF(same);
    Py_DECREF(it);
    PyObject *d = PyDict_New();
    ASSERT(PyDict_SetItemString(d, "k", i) == 0);
    ASSERT(PyObject_DelItemString(d, "k") == 0);
    ASSERT(PyObject_DelItemString(d, "k") == -1); /* error path */
    ASSERT_RAISES(PyExc_KeyError);
#if PY_VERSION_HEX >= 0x030A0000
    ASSERT(Py_IsTrue(Py_True) && !Py_IsTrue(Py_False));
    ASSERT(Py_IsFalse(Py_False) && !Py_IsFalse(i));
#endif
    ASSERT(Py_ReprEnter(l) == 0);
    ASSERT(Py_ReprEnter(l) > 0); /* already being repr'd: recursion detected */
    Py_ReprLeave(l);
    ASSERT(Py_ReprEnter(l) == 0);
    Py_ReprLeave(l);
    Py_DECREF(d); Py_DECREF(l); Py_DECREF(i); Py_DECREF(s);
    Py_RETURN_NONE;
}

TEST(test_sequence_inplace) {
    PyObject *l = PyList_New(0);
    PyObject *one = PyLong_FromLong(1);
    PyList_Append(l, one);
    PyObject *t = PyTuple_Pack(1, one);
    PyObject *r = PySequence_InPlaceConcat(l, t);
    ASSERT(r == l && PyList_Size(l) == 2);
    Py_DECREF(r);
    r = PySequence_InPlaceRepeat(l, 2);
    ASSERT(r == l && PyList_Size(l) == 4);
    Py_DECREF(r);
    ASSERT(PySequence_Length(l) == 4);
    ASSERT(PySequence_In(l, one) == 1);
    PyObject *two = PyLong_FromLong(2);
    ASSERT(PySequence_In(l, two) == 0);
    ASSERT(PySequence_InPlaceConcat(one, t) == NULL); /* error path */
    ASSERT_RAISES(PyExc_TypeError);
    ASSERT(PySequence_InPlaceRepeat(one, 2) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    ASSERT(PySequence_Length(one) == -1);
    ASSERT_RAISES(PyExc_TypeError);
    ASSERT(PySequence_In(one, one) == -1);
    ASSERT_RAISES(PyExc_TypeError);
    /* a tuple concatenates into a new tuple */
    PyObject *t2 = PySequence_InPlaceConcat(t, t);
    ASSERT(t2 && t2 != t && PyTuple_Size(t2) == 2);
    Py_DECREF(t2);
    Py_DECREF(t); Py_DECREF(l); Py_DECREF(one); Py_DECREF(two);
    Py_RETURN_NONE;
}

TEST(test_memory) {
    char *p = PyMem_Malloc(16);
    ASSERT(p != NULL);
    memset(p, 1, 16);
    p = PyMem_Realloc(p, 64);
    ASSERT(p && p[15] == 1);
    PyMem_Free(p);
    int *z = PyMem_Calloc(4, sizeof(int));
    ASSERT(z && z[0] == 0 && z[3] == 0);
    PyMem_Free(z);
    p = PyMem_RawMalloc(8);
    ASSERT(p);
    p = PyMem_RawRealloc(p, 32);
    ASSERT(p);
    PyMem_RawFree(p);
    z = PyMem_RawCalloc(2, sizeof(int));
    ASSERT(z && z[1] == 0);
    PyMem_RawFree(z);
    p = PyObject_Malloc(10);
    ASSERT(p);
    p = PyObject_Realloc(p, 100);
    ASSERT(p);
    PyObject_Free(p);
    z = PyObject_Calloc(3, sizeof(int));
    ASSERT(z && z[2] == 0);
    PyObject_Free(z);
    PyMem_Free(NULL);
    PyObject_Free(NULL);
    /* error path: an impossible size */
    ASSERT(PyMem_Malloc((size_t)PY_SSIZE_T_MAX + 1) == NULL);
    ASSERT(PyObject_Malloc((size_t)PY_SSIZE_T_MAX + 1) == NULL);
    Py_RETURN_NONE;
}

TEST(test_gc_switches) {
#if PY_VERSION_HEX >= 0x030A0000
    int was = PyGC_IsEnabled();
    ASSERT(PyGC_Disable() == was);
    ASSERT(PyGC_IsEnabled() == 0);
    ASSERT(PyGC_Enable() == 0);
    ASSERT(PyGC_IsEnabled() == 1);
    if (!was) PyGC_Disable();
#endif
    PyObject *l = PyList_New(0);
    ASSERT(PyObject_GC_IsTracked(l) == 1);
    PyObject *i = PyLong_FromLong(5);
    ASSERT(PyObject_GC_IsTracked(i) == 0);
    ASSERT(PyObject_GC_IsFinalized(l) == 0);
    Py_DECREF(l); Py_DECREF(i);
    Py_RETURN_NONE;
}

TEST(test_snprintf) {
    char buf[8];
    ASSERT(PyOS_snprintf(buf, sizeof buf, "%d-%s", 12, "ab") == 5 && strcmp(buf, "12-ab") == 0);
    int n = PyOS_snprintf(buf, sizeof buf, "%s", "0123456789"); /* truncation */
    ASSERT(n >= 8 && strlen(buf) == 7);
    Py_RETURN_NONE;
}

static PyObject *meth_o(PyObject *self, PyObject *arg) { return Py_NewRef(arg); }
static PyMethodDef meth_def = {"meth_o", meth_o, METH_O, NULL};

TEST(test_cfunction) {
    PyObject *f = PyCFunction_New(&meth_def, NULL);
    ASSERT(f && PyCFunction_Check(f));
    ASSERT(PyCFunction_GetFunction(f) == (PyCFunction)meth_o);
    ASSERT(PyCFunction_GetSelf(f) == NULL);
    ASSERT(PyCFunction_GetFlags(f) == METH_O);
    PyObject *one = PyLong_FromLong(1);
    PyObject *r = PyObject_CallOneArg(f, one);
    ASSERT(r == one);
    Py_DECREF(r);
    PyObject *g = PyCFunction_NewEx(&meth_def, one, NULL);
    ASSERT(g && PyCFunction_GetSelf(g) == one);
    Py_DECREF(g);
#if PY_VERSION_HEX >= 0x03090000
    g = PyCMethod_New(&meth_def, one, NULL, NULL);
    ASSERT(g && PyCFunction_GetSelf(g) == one);
    Py_DECREF(g);
#endif
    ASSERT(PyCFunction_GetFunction(one) == NULL); /* error path */
    ASSERT_RAISES(PyExc_SystemError);
    ASSERT(PyCFunction_GetSelf(one) == NULL);
    ASSERT_RAISES(PyExc_SystemError);
    ASSERT(PyCFunction_GetFlags(one) == -1);
    ASSERT_RAISES(PyExc_SystemError);
    Py_DECREF(one);
    Py_DECREF(f);
    Py_RETURN_NONE;
}

static int fmt_is(PyObject *o, const char *spec, const char *expect) {
    PyObject *sp = PyUnicode_FromString(spec);
    PyObject *r = PyObject_Format(o, sp);
    Py_DECREF(sp);
    if (!r) return 0;
    int ok = PyUnicode_CompareWithASCIIString(r, expect) == 0;
    if (!ok) {
        PyErr_Format(PyExc_AssertionError, "format(%R, %s) gave %R, expected %s", o, spec, r, expect);
        Py_DECREF(r);
        return -1;
    }
    Py_DECREF(r);
    return 1;
}
#define FMT(o, spec, expect) do { int _r = fmt_is((o), (spec), (expect)); if (_r < 0) return NULL; ASSERT(_r == 1); } while (0)

TEST(test_format) {
    PyObject *i = PyLong_FromLong(1234567), *n = PyLong_FromLong(-42), *f = PyFloat_FromDouble(3.14159);
    PyObject *s = PyUnicode_FromString("abc"), *big = PyFloat_FromDouble(1e20), *t = Py_True;
    FMT(i, "", "1234567");
    FMT(i, "d", "1234567");
    FMT(i, ",", "1,234,567");
    FMT(i, "_", "1_234_567");
    FMT(i, "x", "12d687");
    FMT(i, "#X", "0X12D687");
    FMT(i, "#b", "0b100101101011010000111");
    FMT(i, "o", "4553207");
    FMT(i, ">10", "   1234567");
    FMT(i, "*^11", "**1234567**");
    FMT(i, "+", "+1234567");
    FMT(n, "05", "-0042");
    FMT(n, "<6", "-42   ");
    FMT(n, "=6", "-   42");
    FMT(n, " ", "-42");
    FMT(i, ".2f", "1234567.00");
    FMT(i, ".3e", "1.235e+06");
    FMT(f, "", "3.14159");
    FMT(f, ".2f", "3.14");
    FMT(f, "10.3f", "     3.142");
    FMT(f, "<10.1f", "3.1       ");
    FMT(f, "e", "3.141590e+00");
    FMT(f, ".3g", "3.14");
    FMT(f, ".1%", "314.2%");
    FMT(f, ".3", "3.14");
    FMT(big, "", "1e+20");
    FMT(big, ",.0f", "100,000,000,000,000,000,000");
    FMT(s, "", "abc");
    FMT(s, "5", "abc  ");
    FMT(s, ">5", "  abc");
    FMT(s, "^7", "  abc  ");
    FMT(s, ".2", "ab");
    FMT(t, "", "True");
    FMT(t, "d", "1");
    PyObject *q = PyUnicode_FromString("q");
    ASSERT(PyObject_Format(i, q) == NULL); /* error path: unknown code */
    ASSERT_RAISES(PyExc_ValueError);
    PyObject *dd = PyUnicode_FromString("d");
    ASSERT(PyObject_Format(s, dd) == NULL);
    ASSERT_RAISES(PyExc_ValueError);
    PyObject *l = PyList_New(0);
    ASSERT(PyObject_Format(l, dd) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    PyObject *e = PyObject_Format(l, NULL);
    ASSERT(e && PyUnicode_CompareWithASCIIString(e, "[]") == 0);
    Py_DECREF(e);
    Py_DECREF(l); Py_DECREF(dd); Py_DECREF(q); Py_DECREF(big); Py_DECREF(s); Py_DECREF(f);
    Py_DECREF(n); Py_DECREF(i);
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    DEF(test_format),
    DEF(test_mapping),
    DEF(test_attrs),
    DEF(test_object_misc),
    DEF(test_sequence_inplace),
    DEF(test_memory),
    DEF(test_gc_switches),
    DEF(test_snprintf),
    DEF(test_cfunction),
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "ext_b_object", NULL, -1, methods};

PyMODINIT_FUNC PyInit_ext_b_object(void) { return PyModule_Create(&module); }
