/* Regression tests for divergences the differential fuzzer (`pyopaque fuzz`) found; each test
 * names the call and input the fuzzer reported. Passes under CPython 3.11 and pyopaque. */
#include <Python.h>
#include "testing.h"

/* PySequence_Repeat / PySequence_InPlaceRepeat with a count of 2**62 (fuzzer input
 * `PySequence_InPlaceRepeat(str, 4611686018427387904)`): pyopaque aborted the process on a
 * capacity overflow; CPython raises OverflowError for str and bytes, MemoryError for tuple and
 * list. */
TEST(test_repeat_huge_count_raises) {
    Py_ssize_t huge = (Py_ssize_t)1 << 62;
    PyObject *s = PyUnicode_FromString("abc");
    ASSERT(s);
    ASSERT(PySequence_Repeat(s, huge) == NULL);
    ASSERT_RAISES(PyExc_OverflowError);
    ASSERT(PySequence_InPlaceRepeat(s, huge) == NULL);
    ASSERT_RAISES(PyExc_OverflowError);
    Py_DECREF(s);
    PyObject *b = PyBytes_FromString("ab");
    ASSERT(b);
    ASSERT(PySequence_Repeat(b, huge) == NULL);
    ASSERT_RAISES(PyExc_OverflowError);
    Py_DECREF(b);
    PyObject *t = Py_BuildValue("(ii)", 1, 2);
    ASSERT(t);
    ASSERT(PySequence_Repeat(t, huge) == NULL);
    ASSERT_RAISES(PyExc_MemoryError);
    Py_DECREF(t);
    PyObject *l = Py_BuildValue("[ii]", 1, 2);
    ASSERT(l);
    ASSERT(PySequence_Repeat(l, huge) == NULL);
    ASSERT_RAISES(PyExc_MemoryError);
    Py_DECREF(l);
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {DEF(test_repeat_huge_count_raises), {NULL, NULL, 0, NULL}};
static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "ext_fuzz_regressions", NULL, -1, methods};
PyMODINIT_FUNC PyInit_ext_fuzz_regressions(void) { return PyModule_Create(&module); }
