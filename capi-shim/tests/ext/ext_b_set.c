/* set and frozenset; PyDict_MergeFromSeq2 and PyDict_SetDefaultRef. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>
#include "testing.h"

TEST(test_set) {
    PyObject *l = Py_BuildValue("[iiii]", 1, 2, 2, 3);
    PyObject *s = PySet_New(l);
    ASSERT(s != NULL);
    ASSERT(PySet_Size(s) == 3);
    PyObject *two = PyLong_FromLong(2), *nine = PyLong_FromLong(9);
    ASSERT(PySet_Contains(s, two) == 1);
    ASSERT(PySet_Contains(s, nine) == 0);
    ASSERT(PySet_Add(s, nine) == 0);
    ASSERT(PySet_Size(s) == 4 && PyObject_Size(s) == 4);
    ASSERT(PySequence_Contains(s, nine) == 1);
    ASSERT(PySet_Discard(s, nine) == 1);
    ASSERT(PySet_Discard(s, nine) == 0);
    long sum = 0;
    PyObject *it = PyObject_GetIter(s), *x;
    ASSERT(it != NULL);
    while ((x = PyIter_Next(it))) { sum += PyLong_AsLong(x); Py_DECREF(x); }
    Py_DECREF(it);
    ASSERT(!PyErr_Occurred() && sum == 6);
    PyObject *p = PySet_Pop(s);
    ASSERT(p && PySet_Size(s) == 2);
    Py_DECREF(p);
    ASSERT(PySet_Clear(s) == 0 && PySet_Size(s) == 0);
    ASSERT(PySet_Pop(s) == NULL); /* error path */
    ASSERT_RAISES(PyExc_KeyError);
    ASSERT(PySet_Add(s, l) == -1); /* unhashable */
    ASSERT_RAISES(PyExc_TypeError);
    ASSERT(PySet_Contains(s, l) == -1);
    ASSERT_RAISES(PyExc_TypeError);
    PyObject *e = PySet_New(NULL);
    ASSERT(e && PySet_Size(e) == 0);
    Py_DECREF(e);
    ASSERT(PySet_New(two) == NULL); /* not iterable */
    ASSERT_RAISES(PyExc_TypeError);
    /* wrong types: SystemError (PyErr_BadInternalCall) */
    ASSERT(PySet_Size(two) == -1);
    ASSERT_RAISES(PyExc_SystemError);
    ASSERT(PySet_Contains(two, two) == -1);
    ASSERT_RAISES(PyExc_SystemError);
    ASSERT(PySet_Add(two, two) == -1);
    ASSERT_RAISES(PyExc_SystemError);
    ASSERT(PySet_Discard(two, two) == -1);
    ASSERT_RAISES(PyExc_SystemError);
    ASSERT(PySet_Clear(two) == -1);
    ASSERT_RAISES(PyExc_SystemError);
    ASSERT(PySet_Pop(two) == NULL);
    ASSERT_RAISES(PyExc_SystemError);

    PyObject *f = PyFrozenSet_New(l);
    ASSERT(f && PySet_Size(f) == 3);
    ASSERT(PySet_Contains(f, two) == 1);
    ASSERT(PySet_Discard(f, two) == -1); /* frozensets are immutable */
    ASSERT_RAISES(PyExc_SystemError);
    ASSERT(PySet_Pop(f) == NULL);
    ASSERT_RAISES(PyExc_SystemError);
    ASSERT(PyFrozenSet_New(two) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    PyObject *ef = PyFrozenSet_New(NULL);
    ASSERT(ef && PySet_Size(ef) == 0);
    ASSERT(PySet_Add(ef, two) == 0); /* filling a new frozenset is allowed */
    ASSERT(PySet_Size(ef) == 1);
    Py_DECREF(ef);
    Py_DECREF(f); Py_DECREF(two); Py_DECREF(nine); Py_DECREF(s); Py_DECREF(l);
    Py_RETURN_NONE;
}

TEST(test_dict_extra) {
    PyObject *d = PyDict_New();
    PyObject *seq = Py_BuildValue("[(si)(si)]", "a", 1, "b", 2);
    ASSERT(PyDict_MergeFromSeq2(d, seq, 1) == 0);
    ASSERT(PyDict_Size(d) == 2);
    PyObject *seq2 = Py_BuildValue("[(si)]", "a", 10);
    ASSERT(PyDict_MergeFromSeq2(d, seq2, 0) == 0);
    ASSERT(PyLong_AsLong(PyDict_GetItemString(d, "a")) == 1);
    ASSERT(PyDict_MergeFromSeq2(d, seq2, 1) == 0);
    ASSERT(PyLong_AsLong(PyDict_GetItemString(d, "a")) == 10);
    PyObject *bad = Py_BuildValue("[(sii)]", "a", 1, 2);
    ASSERT(PyDict_MergeFromSeq2(d, bad, 1) == -1); /* error path */
    ASSERT_RAISES(PyExc_ValueError);
    PyObject *bad2 = Py_BuildValue("[i]", 5);
    ASSERT(PyDict_MergeFromSeq2(d, bad2, 1) == -1);
    ASSERT_RAISES(PyExc_TypeError);
#if PY_VERSION_HEX >= 0x030D0000
    PyObject *k = PyUnicode_FromString("c"), *v = PyLong_FromLong(3), *r;
    ASSERT(PyDict_SetDefaultRef(d, k, v, &r) == 0 && r == v);
    Py_DECREF(r);
    PyObject *v2 = PyLong_FromLong(4);
    ASSERT(PyDict_SetDefaultRef(d, k, v2, &r) == 1 && r == v);
    Py_DECREF(r);
    ASSERT(PyDict_SetDefaultRef(d, k, v2, NULL) == 1);
    ASSERT(PyDict_SetDefaultRef(v, k, v2, &r) == -1 && r == NULL); /* error path */
    ASSERT_RAISES(PyExc_SystemError);
    ASSERT(PyDict_SetDefaultRef(d, seq, v2, &r) == -1); /* unhashable key */
    ASSERT_RAISES(PyExc_TypeError);
    Py_DECREF(k); Py_DECREF(v); Py_DECREF(v2);
#endif
    Py_DECREF(bad2); Py_DECREF(bad); Py_DECREF(seq2); Py_DECREF(seq); Py_DECREF(d);
    Py_RETURN_NONE;
}

static PyStructSequence_Field point_fields[] = {
    {"x", "x coordinate"},
    {"y", "y coordinate"},
    {NULL, NULL},
};
static PyStructSequence_Desc point_desc = {"ext_b_set.Point", "a point", point_fields, 2};

TEST(test_structseq) {
    PyTypeObject *t = PyStructSequence_NewType(&point_desc);
    ASSERT(t != NULL && PyType_Check((PyObject *)t));
    ASSERT(PyType_IsSubtype(t, &PyTuple_Type));
    PyObject *p = PyStructSequence_New(t);
    ASSERT(p != NULL);
    PyStructSequence_SetItem(p, 0, PyLong_FromLong(3));
    PyStructSequence_SetItem(p, 1, PyLong_FromLong(4));
    ASSERT(PyLong_AsLong(PyStructSequence_GetItem(p, 0)) == 3);
    ASSERT(PyLong_AsLong(PyStructSequence_GetItem(p, 1)) == 4);
    ASSERT(PyTuple_Check(p) && PyTuple_Size(p) == 2);
    ASSERT(PyLong_AsLong(PyTuple_GetItem(p, 1)) == 4);
    PyObject *y = PyObject_GetAttrString(p, "y");
    ASSERT(y && PyLong_AsLong(y) == 4);
    Py_DECREF(y);
    PyStructSequence_SetItem(p, 1, PyLong_FromLong(5));
    y = PyObject_GetAttrString(p, "y");
    ASSERT(y && PyLong_AsLong(y) == 5);
    Py_DECREF(y);
    ASSERT(PyObject_GetAttrString(p, "z") == NULL); /* error path */
    ASSERT_RAISES(PyExc_AttributeError);
    PyObject *l = PySequence_List(p);
    ASSERT(l && PyList_Size(l) == 2);
    Py_DECREF(l);
    ASSERT(strcmp(PyStructSequence_UnnamedField, "unnamed field") == 0);
    Py_DECREF(p);
    Py_DECREF(t);
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    DEF(test_structseq),
    DEF(test_set),
    DEF(test_dict_extra),
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "ext_b_set", NULL, -1, methods};

PyMODINIT_FUNC PyInit_ext_b_set(void) { return PyModule_Create(&module); }
