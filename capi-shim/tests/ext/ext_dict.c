/* dict: set/get/del, borrowed results, PyDict_Next, views, merge. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include "testing.h"

TEST(test_dict_basic) {
    PyObject *d = PyDict_New();
    ASSERT(d && PyDict_Check(d) && PyDict_Size(d) == 0);
    PyObject *k = PyUnicode_FromString("key"), *v = PyLong_FromLong(5);
    ASSERT(PyDict_SetItem(d, k, v) == 0);
    ASSERT(PyDict_GetItem(d, k) == v || PyLong_AsLong(PyDict_GetItem(d, k)) == 5);
    ASSERT(PyDict_GetItemString(d, "key") != NULL);
    ASSERT(PyDict_GetItemWithError(d, v) == NULL && !PyErr_Occurred());
    ASSERT(PyDict_Contains(d, k) == 1);
    ASSERT(PyDict_SetItemString(d, "other", Py_None) == 0);
    ASSERT(PyDict_Size(d) == 2 && PyDict_GET_SIZE(d) == 2);
    PyObject *l = PyList_New(0);
    ASSERT(PyDict_SetItem(d, l, v) == -1);
    ASSERT_RAISES(PyExc_TypeError);
    ASSERT(PyDict_GetItem(d, l) == NULL && !PyErr_Occurred());
    ASSERT(PyDict_GetItemWithError(d, l) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    ASSERT(PyDict_DelItem(d, k) == 0);
    ASSERT(PyDict_DelItem(d, k) == -1);
    ASSERT_RAISES(PyExc_KeyError);
    ASSERT(PyDict_DelItemString(d, "other") == 0);
    ASSERT(PyDict_DelItemString(d, "other") == -1);
    ASSERT_RAISES(PyExc_KeyError);
    ASSERT(PyDict_SetItem(Py_None, k, v) == -1);
    ASSERT_RAISES(PyExc_SystemError);
    Py_DECREF(l); Py_DECREF(k); Py_DECREF(v); Py_DECREF(d);
    Py_RETURN_NONE;
}

TEST(test_dict_next_and_views) {
    PyObject *d = Py_BuildValue("{s:i,s:i,s:i}", "a", 1, "b", 2, "c", 3);
    ASSERT(d && PyDict_Size(d) == 3);
    Py_ssize_t pos = 0;
    PyObject *k, *v;
    long total = 0;
    int n = 0;
    while (PyDict_Next(d, &pos, &k, &v)) {
        ASSERT(PyUnicode_Check(k));
        total += PyLong_AsLong(v);
        n++;
    }
    ASSERT(n == 3 && total == 6);
    PyObject *keys = PyDict_Keys(d), *vals = PyDict_Values(d), *items = PyDict_Items(d);
    ASSERT(PyList_Size(keys) == 3 && PyList_Size(vals) == 3 && PyList_Size(items) == 3);
    ASSERT(PyTuple_Size(PyList_GetItem(items, 0)) == 2);
    PyObject *c = PyDict_Copy(d);
    ASSERT(c && PyDict_Size(c) == 3);
    PyObject *e = Py_BuildValue("{s:i}", "a", 100);
    ASSERT(PyDict_Merge(c, e, 0) == 0);
    ASSERT(PyLong_AsLong(PyDict_GetItemString(c, "a")) == 1);
    ASSERT(PyDict_Update(c, e) == 0);
    ASSERT(PyLong_AsLong(PyDict_GetItemString(c, "a")) == 100);
    ASSERT(PyDict_Update(c, Py_None) == -1);
    ASSERT_RAISES(PyExc_AttributeError);
    PyObject *dk = PyUnicode_FromString("zz");
    PyObject *dv = PyLong_FromLong(26);
    PyObject *got = PyDict_SetDefault(c, dk, dv);
    ASSERT(got && PyLong_AsLong(got) == 26);
    PyDict_Clear(c);
    ASSERT(PyDict_Size(c) == 0);
    PyObject *key = PyUnicode_FromString("b");
    PyObject *sub = PyObject_GetItem(d, key);
    ASSERT(sub && PyLong_AsLong(sub) == 2);
    Py_DECREF(sub);
    ASSERT(PyObject_GetItem(d, dk) == NULL);
    ASSERT_RAISES(PyExc_KeyError);
    Py_DECREF(key); Py_DECREF(dk); Py_DECREF(dv);
    Py_DECREF(e); Py_DECREF(c); Py_DECREF(keys); Py_DECREF(vals); Py_DECREF(items); Py_DECREF(d);
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    DEF(test_dict_basic),
    DEF(test_dict_next_and_views),
    {NULL, NULL, 0, NULL},
};
static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "ext_dict", NULL, -1, methods};
PyMODINIT_FUNC PyInit_ext_dict(void) { return PyModule_Create(&module); }
