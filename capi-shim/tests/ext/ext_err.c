/* The error indicator. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include "testing.h"

TEST(test_set_and_fetch) {
    ASSERT(PyErr_Occurred() == NULL);
    PyErr_SetString(PyExc_ValueError, "bad value");
    ASSERT(PyErr_Occurred() == PyExc_ValueError);
    ASSERT(PyErr_ExceptionMatches(PyExc_ValueError));
    ASSERT(PyErr_ExceptionMatches(PyExc_Exception));
    ASSERT(!PyErr_ExceptionMatches(PyExc_TypeError));
    PyObject *t, *v, *tb;
    PyErr_Fetch(&t, &v, &tb);
    ASSERT(PyErr_Occurred() == NULL);
    ASSERT(t == PyExc_ValueError && v != NULL);
    PyErr_Restore(t, v, tb);
    ASSERT(PyErr_Occurred() == PyExc_ValueError);
    PyErr_Clear();
    ASSERT(PyErr_Occurred() == NULL);
    PyErr_SetNone(PyExc_KeyError);
    ASSERT(PyErr_ExceptionMatches(PyExc_LookupError));
    PyErr_Clear();
    PyObject *msg = PyUnicode_FromString("obj msg");
    PyErr_SetObject(PyExc_RuntimeError, msg);
    Py_DECREF(msg);
    ASSERT(PyErr_ExceptionMatches(PyExc_RuntimeError));
    PyErr_Clear();
    ASSERT(PyErr_Format(PyExc_TypeError, "value %d of %s", 3, "x") == NULL);
    ASSERT(PyErr_ExceptionMatches(PyExc_TypeError));
    PyErr_Clear();
    Py_RETURN_NONE;
}

TEST(test_raised_exception) {
#if PY_VERSION_HEX >= 0x030C0000
    PyErr_SetString(PyExc_IndexError, "idx");
    PyObject *e = PyErr_GetRaisedException();
    ASSERT(e && PyErr_Occurred() == NULL);
    ASSERT(PyErr_GivenExceptionMatches(e, PyExc_LookupError));
    PyObject *args = PyException_GetArgs(e);
    ASSERT(args && PyTuple_Size(args) == 1);
    ASSERT(PyUnicode_CompareWithASCIIString(PyTuple_GetItem(args, 0), "idx") == 0);
    Py_DECREF(args);
    PyErr_SetRaisedException(e);
    ASSERT(PyErr_ExceptionMatches(PyExc_IndexError));
    PyErr_Clear();
#endif
    Py_RETURN_NONE;
}

TEST(test_new_exception) {
    PyObject *E = PyErr_NewException("ext_err.MyError", PyExc_ValueError, NULL);
    ASSERT(E != NULL);
    PyErr_SetString(E, "mine");
    ASSERT(PyErr_ExceptionMatches(PyExc_ValueError) && PyErr_ExceptionMatches(E));
    PyErr_Clear();
    ASSERT(PyErr_GivenExceptionMatches(E, PyExc_Exception));
    PyObject *tup = PyTuple_Pack(2, PyExc_KeyError, E);
    ASSERT(PyErr_GivenExceptionMatches(E, tup));
    Py_DECREF(tup);
    PyObject *E2 = PyErr_NewExceptionWithDoc("ext_err.Other", "doc", NULL, NULL);
    ASSERT(E2 != NULL);
    ASSERT(PyErr_NewException("nodot", NULL, NULL) == NULL);
    ASSERT_RAISES(PyExc_SystemError);
    PyObject *inst = PyObject_CallFunction(E, "s", "made");
    ASSERT(inst && PyErr_GivenExceptionMatches(inst, E));
    Py_DECREF(inst);
    Py_DECREF(E2);
    Py_DECREF(E);
    Py_RETURN_NONE;
}

TEST(test_helpers) {
    ASSERT(PyErr_NoMemory() == NULL);
    ASSERT_RAISES(PyExc_MemoryError);
    ASSERT(PyErr_BadArgument() == 0);
    ASSERT_RAISES(PyExc_TypeError);
    PyErr_BadInternalCall();
    ASSERT_RAISES(PyExc_SystemError);
    ASSERT(PyErr_WarnEx(PyExc_UserWarning, "just a warning", 1) == 0);
    ASSERT(PyErr_CheckSignals() == 0);
    Py_RETURN_NONE;
}

TEST(test_null_without_exception_detected) {
    /* a C function returning NULL without an exception is turned into SystemError */
    PyObject *l = PyList_New(0);
    ASSERT(PyObject_GetAttrString(l, "no_such_attribute") == NULL);
    ASSERT_RAISES(PyExc_AttributeError);
    Py_DECREF(l);
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    DEF(test_set_and_fetch),
    DEF(test_raised_exception),
    DEF(test_new_exception),
    DEF(test_helpers),
    DEF(test_null_without_exception_detected),
    {NULL, NULL, 0, NULL},
};
static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "ext_err", NULL, -1, methods};
PyMODINIT_FUNC PyInit_ext_err(void) { return PyModule_Create(&module); }
