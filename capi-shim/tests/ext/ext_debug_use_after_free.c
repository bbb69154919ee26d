/* Deliberate misuse for debug mode (PYOPAQUE_CAPI_DEBUG=1): an object used after its last
 * Py_DECREF. CPython would read freed memory; pyopaque's debug mode aborts with a report naming
 * the C API function (PyFloat_AsDouble) and the object's type (float). Run only by
 * tests/debug_mode.rs, never by the normal runs (files named ext_debug* are excluded). */
#include <Python.h>
#include "testing.h"

TEST(test_use_after_last_decref) {
    PyObject *f = PyFloat_FromDouble(2.5);
    ASSERT(f != NULL);
    Py_DECREF(f);
    double d = PyFloat_AsDouble(f); /* use after release */
    if (d == -1.0 && PyErr_Occurred()) return NULL;
    return PyFloat_FromDouble(d);
}

static PyMethodDef methods[] = {
    DEF(test_use_after_last_decref),
    {NULL, NULL, 0, NULL},
};
static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "ext_debug_use_after_free", NULL, -1, methods};
PyMODINIT_FUNC PyInit_ext_debug_use_after_free(void) { return PyModule_Create(&module); }
