/* Deliberate misuse for debug mode: a borrowed reference (PyList_GetItem) used after the list
 * that lent it died. In CPython the element dies with the list (its only owner) and the pointer
 * dangles; pyopaque keeps it pinned until the native call returns, and debug mode reports the use
 * (naming PyFloat_AsDouble, PyList_GetItem, 'list' and 'float') and raises SystemError. */
#include <Python.h>
#include "testing.h"

TEST(test_borrowed_after_owner_died) {
    PyObject *l = PyList_New(0);
    ASSERT(l != NULL);
    PyObject *f = PyFloat_FromDouble(4.25);
    ASSERT(f != NULL);
    ASSERT(PyList_Append(l, f) == 0);
    Py_DECREF(f);                        /* the list is the only owner now */
    PyObject *b = PyList_GetItem(l, 0);  /* borrowed from the list */
    ASSERT(b != NULL);
    Py_DECREF(l);                        /* the owner dies */
    double d = PyFloat_AsDouble(b);      /* use of the dangling borrowed reference */
    if (d == -1.0 && PyErr_Occurred()) return NULL;
    return PyFloat_FromDouble(d);
}

/* The legitimate pattern: take a reference before the owner dies. Must pass in debug mode. */
TEST(test_borrowed_then_increfed_is_fine) {
    PyObject *l = PyList_New(0);
    ASSERT(l != NULL);
    PyObject *f = PyFloat_FromDouble(8.5);
    ASSERT(f != NULL);
    ASSERT(PyList_Append(l, f) == 0);
    Py_DECREF(f);
    PyObject *b = PyList_GetItem(l, 0);
    ASSERT(b != NULL);
    Py_INCREF(b);
    Py_DECREF(l);
    double d = PyFloat_AsDouble(b);
    Py_DECREF(b);
    ASSERT(d == 8.5);
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    DEF(test_borrowed_after_owner_died),
    DEF(test_borrowed_then_increfed_is_fine),
    {NULL, NULL, 0, NULL},
};
static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "ext_debug_borrowed", NULL, -1, methods};
PyMODINIT_FUNC PyInit_ext_debug_borrowed(void) { return PyModule_Create(&module); }
