/* PyType_GetSlot on builtin types answers what CPython answers (Cython fetches tp_iternext of a
 * builtin iterator this way in limited-API mode), and the slot functions work when called. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include "testing.h"

TEST(test_builtin_iterators_have_a_working_tp_iternext) {
    PyObject *l = Py_BuildValue("[ii]", 5, 6);
    ASSERT(l);
    PyObject *it = PyObject_GetIter(l);
    ASSERT(it);
    iternextfunc next = (iternextfunc)PyType_GetSlot(Py_TYPE(it), Py_tp_iternext);
    ASSERT(next != NULL);
    PyObject *x = next(it);
    ASSERT(x && PyLong_AsLong(x) == 5);
    Py_DECREF(x);
    x = next(it);
    ASSERT(x && PyLong_AsLong(x) == 6);
    Py_DECREF(x);
    x = next(it); /* exhausted: NULL, with or without StopIteration */
    ASSERT(x == NULL);
    if (PyErr_Occurred()) ASSERT_RAISES(PyExc_StopIteration);
    getiterfunc iter = (getiterfunc)PyType_GetSlot(Py_TYPE(it), Py_tp_iter);
    ASSERT(iter != NULL);
    PyObject *same = iter(it);
    ASSERT(same == it);
    Py_DECREF(same);
    Py_DECREF(it);
    /* dict iterators too */
    PyObject *d = Py_BuildValue("{si}", "k", 1);
    it = PyObject_GetIter(d);
    ASSERT(it);
    next = (iternextfunc)PyType_GetSlot(Py_TYPE(it), Py_tp_iternext);
    ASSERT(next);
    x = next(it);
    ASSERT(x && PyUnicode_CompareWithASCIIString(x, "k") == 0);
    Py_DECREF(x);
    Py_DECREF(it);
    Py_DECREF(d);
    Py_DECREF(l);
    Py_RETURN_NONE;
}

TEST(test_builtin_containers_have_their_protocol_slots) {
    PyTypeObject *lt = &PyList_Type;
    ASSERT(PyType_GetSlot(lt, Py_tp_iternext) == NULL); /* a list is not an iterator */
    lenfunc len = (lenfunc)PyType_GetSlot(lt, Py_sq_length);
    ASSERT(len != NULL);
    PyObject *l = Py_BuildValue("[iii]", 1, 2, 3);
    ASSERT(len(l) == 3);
    reprfunc repr = (reprfunc)PyType_GetSlot(lt, Py_tp_repr);
    ASSERT(repr != NULL);
    PyObject *r = repr(l);
    ASSERT(r && PyUnicode_CompareWithASCIIString(r, "[1, 2, 3]") == 0);
    Py_DECREF(r);
    binaryfunc sub = (binaryfunc)PyType_GetSlot(lt, Py_mp_subscript);
    ASSERT(sub != NULL);
    PyObject *one = PyLong_FromLong(1);
    r = sub(l, one);
    ASSERT(r && PyLong_AsLong(r) == 2);
    Py_DECREF(r);
    getiterfunc iter = (getiterfunc)PyType_GetSlot(lt, Py_tp_iter);
    ASSERT(iter != NULL);
    PyObject *it = iter(l);
    ASSERT(it && PyIter_Check(it));
    Py_DECREF(it);
    /* list is unhashable: its tp_hash raises TypeError */
    hashfunc h = (hashfunc)PyType_GetSlot(lt, Py_tp_hash);
    ASSERT(h != NULL);
    ASSERT(h(l) == -1);
    ASSERT_RAISES(PyExc_TypeError);
    /* str hashes as PyObject_Hash */
    PyObject *s = PyUnicode_FromString("abc");
    h = (hashfunc)PyType_GetSlot(&PyUnicode_Type, Py_tp_hash);
    ASSERT(h && h(s) == PyObject_Hash(s));
    richcmpfunc cmp = (richcmpfunc)PyType_GetSlot(&PyLong_Type, Py_tp_richcompare);
    ASSERT(cmp != NULL);
    r = cmp(one, one, Py_EQ);
    ASSERT(r == Py_True);
    Py_DECREF(r);
    ASSERT(PyType_GetSlot(&PyLong_Type, Py_mp_subscript) == NULL);
    Py_DECREF(s);
    Py_DECREF(one);
    Py_DECREF(l);
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    DEF(test_builtin_iterators_have_a_working_tp_iternext),
    DEF(test_builtin_containers_have_their_protocol_slots),
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "ext_lang_slots", NULL, -1, methods};

PyMODINIT_FUNC PyInit_ext_lang_slots(void) { return PyModule_Create(&module); }
