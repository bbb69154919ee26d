/* Deliberate misuse for debug mode: Py_DECREF below zero (a second Py_DECREF of an object whose
 * last reference was already released). Debug mode aborts naming Py_DecRef and 'float'. */
#include <Python.h>
#include "testing.h"

TEST(test_decref_below_zero) {
    PyObject *f = PyFloat_FromDouble(3.5);
    ASSERT(f != NULL);
    Py_DECREF(f);
    Py_DECREF(f); /* below zero */
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    DEF(test_decref_below_zero),
    {NULL, NULL, 0, NULL},
};
static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "ext_debug_decref", NULL, -1, methods};
PyMODINIT_FUNC PyInit_ext_debug_decref(void) { return PyModule_Create(&module); }
