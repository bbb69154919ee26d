/* list, tuple and sequence protocol; borrowed references under allocation pressure. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include "testing.h"

TEST(test_list_basic) {
    PyObject *l = PyList_New(0);
    ASSERT(l && PyList_Check(l) && PyList_Size(l) == 0);
    for (long i = 0; i < 10; i++) {
        PyObject *v = PyLong_FromLong(i * i);
        ASSERT(PyList_Append(l, v) == 0);
        Py_DECREF(v);
    }
    ASSERT(PyList_Size(l) == 10 && PyList_GET_SIZE(l) == 10);
    ASSERT(PyLong_AsLong(PyList_GetItem(l, 3)) == 9);
    ASSERT(PyLong_AsLong(PyList_GET_ITEM(l, 4)) == 16);
    ASSERT(PyList_GetItem(l, 10) == NULL);
    ASSERT_RAISES(PyExc_IndexError);
    ASSERT(PyList_GetItem(l, -1) == NULL);
    ASSERT_RAISES(PyExc_IndexError);
    ASSERT(PyList_SetItem(l, 0, PyUnicode_FromString("zero")) == 0);
    ASSERT(PyUnicode_Check(PyList_GetItem(l, 0)));
    ASSERT(PyList_SetItem(l, 99, PyLong_FromLong(1)) == -1);
    ASSERT_RAISES(PyExc_IndexError);
    PyObject *x = PyLong_FromLong(-1);
    ASSERT(PyList_Insert(l, 0, x) == 0);
    ASSERT(PyList_GetItem(l, 0) == x || PyLong_AsLong(PyList_GetItem(l, 0)) == -1);
    Py_DECREF(x);
    ASSERT(PyList_Append(Py_None, Py_None) == -1);
    ASSERT_RAISES(PyExc_SystemError);
    PyObject *notlist = PyLong_FromLong(1);
    ASSERT(PyList_Size(notlist) == -1);
    ASSERT_RAISES(PyExc_SystemError);
    Py_DECREF(notlist);
    PyObject *sl = PyList_GetSlice(l, 1, 3);
    ASSERT(sl && PyList_Size(sl) == 2);
    Py_DECREF(sl);
    PyObject *t = PyList_AsTuple(l);
    ASSERT(t && PyTuple_Check(t) && PyTuple_Size(t) == 11);
    Py_DECREF(t);
    ASSERT(PyList_Reverse(l) == 0);
    ASSERT(PyLong_AsLong(PyList_GetItem(l, 0)) == 81);
    Py_DECREF(l);
    Py_RETURN_NONE;
}

TEST(test_list_new_set_item) {
    PyObject *l = PyList_New(3);
    ASSERT(l && PyList_Size(l) == 3);
    for (int i = 0; i < 3; i++)
        PyList_SET_ITEM(l, i, PyLong_FromLong(i + 1));
    ASSERT(PyLong_AsLong(PyList_GET_ITEM(l, 2)) == 3);
    ASSERT(PyList_Sort(l) == 0);
    PyObject *l2 = PyList_New(0);
    PyObject *f = PyFloat_FromDouble(1.5);
    PyList_Append(l2, f);
    Py_DECREF(f);
    ASSERT(PyList_SetSlice(l, 0, 1, l2) == 0);
    ASSERT(PyFloat_Check(PyList_GetItem(l, 0)));
    ASSERT(PyList_SetSlice(l, 0, 1, NULL) == 0);
    ASSERT(PyList_Size(l) == 2);
    ASSERT(PyList_New(-1) == NULL);
    ASSERT_RAISES(PyExc_SystemError);
    Py_DECREF(l2);
    Py_DECREF(l);
    Py_RETURN_NONE;
}

TEST(test_borrowed_survives_allocation) {
    PyObject *l = PyList_New(0);
    for (long i = 0; i < 50; i++) {
        PyObject *v = PyFloat_FromDouble((double)i + 0.5);
        PyList_Append(l, v);
        Py_DECREF(v);
    }
    PyObject *b = PyList_GetItem(l, 25); /* borrowed */
    ASSERT(b != NULL);
    for (int i = 0; i < 3000; i++) {
        PyObject *junk = PyUnicode_FromFormat("junk %d", i);
        Py_DECREF(junk);
    }
    ASSERT(PyFloat_AsDouble(b) == 25.5);
    ASSERT(PyList_GetItem(l, 25) == b);
    Py_DECREF(l);
    Py_RETURN_NONE;
}

TEST(test_tuple) {
    PyObject *t = PyTuple_New(3);
    ASSERT(t && PyTuple_Check(t));
    for (int i = 0; i < 3; i++)
        ASSERT(PyTuple_SetItem(t, i, PyLong_FromLong(10 * i)) == 0);
    ASSERT(PyTuple_Size(t) == 3 && PyTuple_GET_SIZE(t) == 3);
    ASSERT(PyLong_AsLong(PyTuple_GetItem(t, 2)) == 20);
    ASSERT(PyLong_AsLong(PyTuple_GET_ITEM(t, 1)) == 10);
    ASSERT(PyTuple_GetItem(t, 3) == NULL);
    ASSERT_RAISES(PyExc_IndexError);
    ASSERT(PyTuple_SetItem(t, 5, PyLong_FromLong(0)) == -1);
    ASSERT_RAISES(PyExc_IndexError);
    PyObject *s = PyTuple_GetSlice(t, 1, 3);
    ASSERT(s && PyTuple_Size(s) == 2);
    Py_DECREF(s);
    PyObject *u = PyTuple_New(2);
    PyTuple_SET_ITEM(u, 0, PyLong_FromLong(1));
    PyTuple_SET_ITEM(u, 1, PyUnicode_FromString("a"));
    ASSERT(PyUnicode_Check(PyTuple_GET_ITEM(u, 1)));
    ASSERT(PyTuple_Size(Py_None) == -1);
    ASSERT_RAISES(PyExc_SystemError);
    Py_DECREF(u);
    Py_DECREF(t);
    Py_RETURN_NONE;
}

TEST(test_sequence) {
    PyObject *l = Py_BuildValue("[iii]", 1, 2, 3);
    ASSERT(PySequence_Check(l) == 1);
    ASSERT(PySequence_Size(l) == 3 && PySequence_Length(l) == 3);
    PyObject *v = PySequence_GetItem(l, -1);
    ASSERT(PyLong_AsLong(v) == 3);
    ASSERT(PySequence_Contains(l, v) == 1);
    ASSERT(PySequence_Index(l, v) == 2);
    ASSERT(PySequence_Count(l, v) == 1);
    Py_DECREF(v);
    ASSERT(PySequence_GetItem(l, 10) == NULL);
    ASSERT_RAISES(PyExc_IndexError);
    PyObject *nine = PyLong_FromLong(9);
    ASSERT(PySequence_Index(l, nine) == -1);
    ASSERT_RAISES(PyExc_ValueError);
    ASSERT(PySequence_SetItem(l, 0, nine) == 0);
    ASSERT(PySequence_DelItem(l, 0) == 0);
    ASSERT(PySequence_Size(l) == 2);
    PyObject *t = PySequence_Tuple(l);
    ASSERT(t && PyTuple_Size(t) == 2);
    PyObject *cat = PySequence_Concat(t, t);
    ASSERT(cat && PyTuple_Size(cat) == 4);
    PyObject *rep = PySequence_Repeat(l, 3);
    ASSERT(rep && PyList_Size(rep) == 6);
    PyObject *lst = PySequence_List(t);
    ASSERT(lst && PyList_Check(lst));
    PyObject *sl = PySequence_GetSlice(lst, 0, 1);
    ASSERT(sl && PyList_Size(sl) == 1);
    ASSERT(PySequence_Size(nine) == -1);
    ASSERT_RAISES(PyExc_TypeError);
    PyObject *d = PyDict_New();
    ASSERT(PySequence_Check(d) == 0);
    PyObject *fast = PySequence_Fast(t, "need a sequence");
    ASSERT(fast && PySequence_Fast_GET_SIZE(fast) == 2);
    PyObject **items = PySequence_Fast_ITEMS(fast);
    ASSERT(PyLong_AsLong(items[0]) == 2 && PyLong_AsLong(PySequence_Fast_GET_ITEM(fast, 1)) == 3);
    ASSERT(PySequence_Fast(nine, "need a sequence") == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    PyObject *fl = PySequence_Fast(lst, "x");
    PyObject **li = PySequence_Fast_ITEMS(fl);
    ASSERT(PyLong_AsLong(li[1]) == 3);
    Py_DECREF(fl); Py_DECREF(fast); Py_DECREF(d); Py_DECREF(sl); Py_DECREF(lst);
    Py_DECREF(rep); Py_DECREF(cat); Py_DECREF(t); Py_DECREF(nine); Py_DECREF(l);
    Py_RETURN_NONE;
}

TEST(test_iteration_and_items) {
    PyObject *l = Py_BuildValue("[sss]", "a", "b", "c");
    PyObject *it = PyObject_GetIter(l);
    ASSERT(it && PyIter_Check(it));
    int n = 0;
    PyObject *x;
    while ((x = PyIter_Next(it)) != NULL) { n++; Py_DECREF(x); }
    ASSERT(!PyErr_Occurred() && n == 3);
    Py_DECREF(it);
    ASSERT(PyObject_GetIter(Py_None) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    PyObject *k = PyLong_FromLong(1);
    PyObject *v = PyObject_GetItem(l, k);
    ASSERT(v && PyUnicode_CompareWithASCIIString(v, "b") == 0);
    Py_DECREF(v);
    ASSERT(PyObject_SetItem(l, k, Py_None) == 0);
    ASSERT(PyObject_DelItem(l, k) == 0);
    ASSERT(PyObject_Size(l) == 2 && PyObject_Length(l) == 2);
    PyObject *big = PyLong_FromLong(50);
    ASSERT(PyObject_GetItem(l, big) == NULL);
    ASSERT_RAISES(PyExc_IndexError);
    ASSERT(PyObject_GetItem(Py_None, k) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    Py_DECREF(big); Py_DECREF(k); Py_DECREF(l);
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    DEF(test_list_basic),
    DEF(test_list_new_set_item),
    DEF(test_borrowed_survives_allocation),
    DEF(test_tuple),
    DEF(test_sequence),
    DEF(test_iteration_and_items),
    {NULL, NULL, 0, NULL},
};
static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "ext_list", NULL, -1, methods};
PyMODINIT_FUNC PyInit_ext_list(void) { return PyModule_Create(&module); }
