/* Every exported data item: exception types, static type objects, Py_Version, _Py_SwappedOp. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>
#include "testing.h"

#ifndef PYOPAQUE
PyAPI_DATA(int) _Py_SwappedOp[];
#else
PyAPI_DATA(const int) _Py_SwappedOp[6];
#endif

static int is_exc(PyObject *e) {
    return e && PyType_Check(e) && PyExceptionClass_Check(e) &&
           PyObject_IsSubclass(e, PyExc_BaseException) == 1;
}

TEST(test_exceptions) {
    ASSERT(is_exc(PyExc_BaseException));
    ASSERT(is_exc(PyExc_BaseExceptionGroup));
    ASSERT(is_exc(PyExc_Exception));
    ASSERT(is_exc(PyExc_ArithmeticError));
    ASSERT(is_exc(PyExc_AssertionError));
    ASSERT(is_exc(PyExc_AttributeError));
    ASSERT(is_exc(PyExc_BlockingIOError));
    ASSERT(is_exc(PyExc_BrokenPipeError));
    ASSERT(is_exc(PyExc_BufferError));
    ASSERT(is_exc(PyExc_BytesWarning));
    ASSERT(is_exc(PyExc_ChildProcessError));
    ASSERT(is_exc(PyExc_ConnectionAbortedError));
    ASSERT(is_exc(PyExc_ConnectionError));
    ASSERT(is_exc(PyExc_ConnectionRefusedError));
    ASSERT(is_exc(PyExc_ConnectionResetError));
    ASSERT(is_exc(PyExc_DeprecationWarning));
    ASSERT(is_exc(PyExc_EOFError));
    ASSERT(is_exc(PyExc_EncodingWarning));
    ASSERT(is_exc(PyExc_EnvironmentError));
    ASSERT(is_exc(PyExc_FileExistsError));
    ASSERT(is_exc(PyExc_FileNotFoundError));
    ASSERT(is_exc(PyExc_FloatingPointError));
    ASSERT(is_exc(PyExc_FutureWarning));
    ASSERT(is_exc(PyExc_GeneratorExit));
    ASSERT(is_exc(PyExc_IOError));
    ASSERT(is_exc(PyExc_ImportError));
    ASSERT(is_exc(PyExc_ImportWarning));
    ASSERT(is_exc(PyExc_IndentationError));
    ASSERT(is_exc(PyExc_IndexError));
    ASSERT(is_exc(PyExc_InterruptedError));
    ASSERT(is_exc(PyExc_IsADirectoryError));
    ASSERT(is_exc(PyExc_KeyError));
    ASSERT(is_exc(PyExc_KeyboardInterrupt));
    ASSERT(is_exc(PyExc_LookupError));
    ASSERT(is_exc(PyExc_MemoryError));
    ASSERT(is_exc(PyExc_ModuleNotFoundError));
    ASSERT(is_exc(PyExc_NameError));
    ASSERT(is_exc(PyExc_NotADirectoryError));
    ASSERT(is_exc(PyExc_NotImplementedError));
    ASSERT(is_exc(PyExc_OSError));
    ASSERT(is_exc(PyExc_OverflowError));
    ASSERT(is_exc(PyExc_PendingDeprecationWarning));
    ASSERT(is_exc(PyExc_PermissionError));
    ASSERT(is_exc(PyExc_ProcessLookupError));
    ASSERT(is_exc(PyExc_RecursionError));
    ASSERT(is_exc(PyExc_ReferenceError));
    ASSERT(is_exc(PyExc_ResourceWarning));
    ASSERT(is_exc(PyExc_RuntimeError));
    ASSERT(is_exc(PyExc_RuntimeWarning));
    ASSERT(is_exc(PyExc_StopAsyncIteration));
    ASSERT(is_exc(PyExc_StopIteration));
    ASSERT(is_exc(PyExc_SyntaxError));
    ASSERT(is_exc(PyExc_SyntaxWarning));
    ASSERT(is_exc(PyExc_SystemError));
    ASSERT(is_exc(PyExc_SystemExit));
    ASSERT(is_exc(PyExc_TabError));
    ASSERT(is_exc(PyExc_TimeoutError));
    ASSERT(is_exc(PyExc_TypeError));
    ASSERT(is_exc(PyExc_UnboundLocalError));
    ASSERT(is_exc(PyExc_UnicodeDecodeError));
    ASSERT(is_exc(PyExc_UnicodeEncodeError));
    ASSERT(is_exc(PyExc_UnicodeError));
    ASSERT(is_exc(PyExc_UnicodeTranslateError));
    ASSERT(is_exc(PyExc_UnicodeWarning));
    ASSERT(is_exc(PyExc_UserWarning));
    ASSERT(is_exc(PyExc_ValueError));
    ASSERT(is_exc(PyExc_Warning));
    ASSERT(is_exc(PyExc_ZeroDivisionError));
    ASSERT(PyObject_IsSubclass(PyExc_ModuleNotFoundError, PyExc_ImportError) == 1);
    ASSERT(PyObject_IsSubclass(PyExc_TabError, PyExc_IndentationError) == 1);
    ASSERT(PyObject_IsSubclass(PyExc_IndentationError, PyExc_SyntaxError) == 1);
    ASSERT(PyObject_IsSubclass(PyExc_BrokenPipeError, PyExc_ConnectionError) == 1);
    ASSERT(PyObject_IsSubclass(PyExc_ConnectionError, PyExc_OSError) == 1);
    ASSERT(PyObject_IsSubclass(PyExc_KeyError, PyExc_LookupError) == 1);
    ASSERT(PyObject_IsSubclass(PyExc_ZeroDivisionError, PyExc_ArithmeticError) == 1);
    ASSERT(PyObject_IsSubclass(PyExc_UnicodeDecodeError, PyExc_UnicodeError) == 1);
    ASSERT(PyObject_IsSubclass(PyExc_UnicodeError, PyExc_ValueError) == 1);
    ASSERT(PyObject_IsSubclass(PyExc_RecursionError, PyExc_RuntimeError) == 1);
    ASSERT(PyObject_IsSubclass(PyExc_UserWarning, PyExc_Warning) == 1);
    ASSERT(PyObject_IsSubclass(PyExc_Warning, PyExc_Exception) == 1);
    ASSERT(PyObject_IsSubclass(PyExc_Exception, PyExc_BaseException) == 1);
    ASSERT(PyObject_IsSubclass(PyExc_FileNotFoundError, PyExc_OSError) == 1);
    ASSERT(PyObject_IsSubclass(PyExc_UnboundLocalError, PyExc_NameError) == 1);
    ASSERT(PyExc_EnvironmentError == PyExc_OSError && PyExc_IOError == PyExc_OSError);
    ASSERT(PyObject_IsSubclass(PyExc_TypeError, PyExc_LookupError) == 0);
    PyErr_SetString(PyExc_TabError, "tab");
    ASSERT_RAISES(PyExc_SyntaxError);
    Py_RETURN_NONE;
}

TEST(test_types) {
    ASSERT(PyType_Check((PyObject *)&PyBaseObject_Type));
    ASSERT(PyType_Check((PyObject *)&PyType_Type));
    ASSERT(PyType_Check((PyObject *)&PyBool_Type));
    ASSERT(PyType_Check((PyObject *)&PyLong_Type));
    ASSERT(PyType_Check((PyObject *)&PyFloat_Type));
    ASSERT(PyType_Check((PyObject *)&PyUnicode_Type));
    ASSERT(PyType_Check((PyObject *)&PyBytes_Type));
    ASSERT(PyType_Check((PyObject *)&PyTuple_Type));
    ASSERT(PyType_Check((PyObject *)&PyList_Type));
    ASSERT(PyType_Check((PyObject *)&PyDict_Type));
    ASSERT(PyType_Check((PyObject *)&PyEllipsis_Type));
    ASSERT(PyType_Check((PyObject *)&PyModule_Type));
    ASSERT(PyType_Check((PyObject *)&PyCFunction_Type));
    ASSERT(PyType_Check((PyObject *)&PyMethodDescr_Type));
    ASSERT(PyType_Check((PyObject *)&PyMemberDescr_Type));
    ASSERT(PyType_Check((PyObject *)&PyGetSetDescr_Type));
    ASSERT(PyType_Check((PyObject *)&PySeqIter_Type));
    ASSERT(PyType_Check((PyObject *)&PyCapsule_Type));
    PyObject *one = PyLong_FromLong(1);
    ASSERT(Py_TYPE(one) == &PyLong_Type && Py_TYPE(Py_True) == &PyBool_Type);
    ASSERT(PyType_IsSubtype(&PyBool_Type, &PyLong_Type) && PyType_IsSubtype(&PyLong_Type, &PyBaseObject_Type));
    ASSERT(Py_TYPE((PyObject *)&PyLong_Type) == &PyType_Type);
    ASSERT(Py_TYPE(Py_Ellipsis) == &PyEllipsis_Type);
    PyObject *m = PyModule_New("m");
    ASSERT(Py_TYPE(m) == &PyModule_Type);
    Py_DECREF(m);
    PyObject *l = PyList_New(0), *d = PyDict_New(), *t = PyTuple_New(0), *f = PyFloat_FromDouble(1.0);
    PyObject *u = PyUnicode_FromString("u"), *b = PyBytes_FromString("b");
    ASSERT(Py_TYPE(l) == &PyList_Type && Py_TYPE(d) == &PyDict_Type && Py_TYPE(t) == &PyTuple_Type);
    ASSERT(Py_TYPE(f) == &PyFloat_Type && Py_TYPE(u) == &PyUnicode_Type && Py_TYPE(b) == &PyBytes_Type);
    static int x;
    PyObject *cap = PyCapsule_New(&x, NULL, NULL);
    ASSERT(Py_TYPE(cap) == &PyCapsule_Type);
    PyObject *mod = PyImport_ImportModule("sys");
    ASSERT(mod != NULL);
    PyObject *it = PySeqIter_New(l);
    ASSERT(Py_TYPE(it) == &PySeqIter_Type);
    ASSERT(PyObject_IsInstance(one, (PyObject *)&PyBaseObject_Type) == 1);
    ASSERT(PyObject_IsInstance(one, (PyObject *)&PyUnicode_Type) == 0);
    Py_DECREF(it); Py_DECREF(mod); Py_DECREF(cap); Py_DECREF(b); Py_DECREF(u); Py_DECREF(f);
    Py_DECREF(t); Py_DECREF(d); Py_DECREF(l); Py_DECREF(one);
    /* descriptor and function types: instances come from type machinery */
    ASSERT(PyType_Check((PyObject *)&PyCFunction_Type) && PyType_Check((PyObject *)&PyMethodDescr_Type));
    Py_RETURN_NONE;
}

TEST(test_scalars) {
    ASSERT(Py_Version >= 0x030B0000);
    ASSERT(_Py_SwappedOp[Py_LT] == Py_GT && _Py_SwappedOp[Py_GT] == Py_LT);
    ASSERT(_Py_SwappedOp[Py_LE] == Py_GE && _Py_SwappedOp[Py_GE] == Py_LE);
    ASSERT(_Py_SwappedOp[Py_EQ] == Py_EQ && _Py_SwappedOp[Py_NE] == Py_NE);
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    DEF(test_exceptions),
    DEF(test_types),
    DEF(test_scalars),
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "ext_b_data", NULL, -1, methods};

PyMODINIT_FUNC PyInit_ext_b_data(void) { return PyModule_Create(&module); }
