/* Deliberate misuse: METH_NOARGS functions breaking the result protocol. CPython turns both into
 * SystemError ("returned NULL without setting an exception", "returned a result with an
 * exception set"); pyopaque does the same in every mode, and debug mode also reports the function
 * and the result's type on stderr. */
#include <Python.h>
#include "testing.h"

TEST(test_null_without_exception) {
    return NULL;
}

TEST(test_result_with_exception) {
    PyErr_SetString(PyExc_ValueError, "left behind");
    return PyUnicode_FromString("a result");
}

static PyMethodDef methods[] = {
    DEF(test_null_without_exception),
    DEF(test_result_with_exception),
    {NULL, NULL, 0, NULL},
};
static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "ext_debug_results", NULL, -1, methods};
PyMODINIT_FUNC PyInit_ext_debug_results(void) { return PyModule_Create(&module); }
