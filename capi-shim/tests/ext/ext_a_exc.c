/* Exception objects: PyException_*, PyExceptionClass_Name, the PyUnicode*Error_* accessors. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include "testing.h"

static int eq(PyObject *s, const char *v) { return s && PyUnicode_CompareWithASCIIString(s, v) == 0; }

TEST(test_exception_cause_context_args) {
    PyObject *e = PyObject_CallFunction(PyExc_ValueError, "s", "boom");
    PyObject *c = PyObject_CallFunction(PyExc_KeyError, "s", "k");
    ASSERT(e && c);
    ASSERT(PyException_GetCause(e) == NULL && !PyErr_Occurred());
    ASSERT(PyException_GetContext(e) == NULL && !PyErr_Occurred());
    Py_INCREF(c);
    PyException_SetCause(e, c);
    PyObject *g = PyException_GetCause(e);
    ASSERT(g == c);
    Py_DECREF(g);
    Py_INCREF(c);
    PyException_SetContext(e, c);
    g = PyException_GetContext(e);
    ASSERT(g == c);
    Py_DECREF(g);
    PyException_SetCause(e, NULL);
    ASSERT(PyException_GetCause(e) == NULL);
    PyException_SetContext(e, NULL);
    ASSERT(PyException_GetContext(e) == NULL);
    PyObject *args = Py_BuildValue("(si)", "x", 1);
#if PY_VERSION_HEX >= 0x030C0000
    PyException_SetArgs(e, args);
    PyObject *a = PyException_GetArgs(e);
    ASSERT(a && PyTuple_Check(a) && PyTuple_Size(a) == 2);
    ASSERT(PyLong_AsLong(PyTuple_GetItem(a, 1)) == 1);
    Py_DECREF(a);
#endif
    ASSERT(PyException_GetTraceback(e) == NULL && !PyErr_Occurred());
    ASSERT(PyException_SetTraceback(e, Py_None) == 0);
    ASSERT(PyException_SetTraceback(e, args) == -1);
    ASSERT_RAISES(PyExc_TypeError);
#ifdef PYOPAQUE
    ASSERT(PyException_GetCause(NULL) == NULL);
    ASSERT_RAISES(PyExc_SystemError);
    ASSERT(PyException_GetContext(NULL) == NULL);
    ASSERT_RAISES(PyExc_SystemError);
    Py_INCREF(c);
    PyException_SetCause(NULL, c);
    ASSERT_RAISES(PyExc_SystemError);
    Py_INCREF(c);
    PyException_SetContext(NULL, c);
    ASSERT_RAISES(PyExc_SystemError);
    PyException_SetArgs(NULL, args);
    ASSERT_RAISES(PyExc_SystemError);
    PyException_SetArgs(e, Py_None);
    ASSERT_RAISES(PyExc_TypeError);
    ASSERT(PyException_GetTraceback(NULL) == NULL);
    ASSERT_RAISES(PyExc_SystemError);
    PyObject *one = PyLong_FromLong(1);
    ASSERT(PyException_GetCause(one) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    Py_DECREF(one);
#endif
    Py_DECREF(args); Py_DECREF(c); Py_DECREF(e);
    Py_RETURN_NONE;
}

TEST(test_exception_class_name) {
    ASSERT(strcmp(PyExceptionClass_Name(PyExc_ValueError), "ValueError") == 0);
    ASSERT(strcmp(PyExceptionClass_Name(PyExc_FileNotFoundError), "FileNotFoundError") == 0);
    PyObject *t = PyErr_NewException("ext_a_exc.MyError", NULL, NULL);
    ASSERT(t);
    ASSERT(strcmp(PyExceptionClass_Name(t), "MyError") == 0);
    Py_DECREF(t);
#ifdef PYOPAQUE
    ASSERT(PyExceptionClass_Name(NULL) == NULL);
    ASSERT_RAISES(PyExc_SystemError);
    ASSERT(PyExceptionClass_Name(Py_None) == NULL);
    ASSERT_RAISES(PyExc_SystemError);
#endif
    Py_RETURN_NONE;
}

TEST(test_unicode_decode_error) {
    PyObject *e = PyUnicodeDecodeError_Create("utf-8", "ab\xff", 3, 2, 3, "invalid start byte");
    ASSERT(e && PyObject_IsInstance(e, PyExc_UnicodeDecodeError) == 1);
    PyObject *enc = PyUnicodeDecodeError_GetEncoding(e);
    ASSERT(eq(enc, "utf-8"));
    PyObject *obj = PyUnicodeDecodeError_GetObject(e);
    ASSERT(obj && PyBytes_Check(obj) && PyBytes_Size(obj) == 3);
    Py_ssize_t st = -1, en = -1;
    ASSERT(PyUnicodeDecodeError_GetStart(e, &st) == 0 && st == 2);
    ASSERT(PyUnicodeDecodeError_GetEnd(e, &en) == 0 && en == 3);
    ASSERT(PyUnicodeDecodeError_SetStart(e, 0) == 0);
    ASSERT(PyUnicodeDecodeError_SetEnd(e, 10) == 0);
    ASSERT(PyUnicodeDecodeError_GetStart(e, &st) == 0 && st == 0);
    ASSERT(PyUnicodeDecodeError_GetEnd(e, &en) == 0 && en == 3);
    ASSERT(PyUnicodeDecodeError_SetStart(e, -4) == 0);
    ASSERT(PyUnicodeDecodeError_GetStart(e, &st) == 0 && st == 0);
    ASSERT(PyUnicodeDecodeError_SetReason(e, "bad") == 0);
    PyObject *r = PyUnicodeDecodeError_GetReason(e);
    ASSERT(eq(r, "bad"));
    ASSERT(PyUnicodeDecodeError_SetReason(e, "\xff") == -1);
    ASSERT_RAISES(PyExc_UnicodeDecodeError);
    ASSERT(PyUnicodeDecodeError_Create(NULL, "x", 1, 0, 1, "r") == NULL);
    ASSERT_RAISES(PyExc_TypeError);
#if PY_VERSION_HEX >= 0x030E0000
    PyObject *one = PyLong_FromLong(1);
    ASSERT(PyUnicodeDecodeError_GetEncoding(one) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    ASSERT(PyUnicodeDecodeError_GetObject(one) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    ASSERT(PyUnicodeDecodeError_GetReason(one) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    ASSERT(PyUnicodeDecodeError_GetStart(one, &st) == -1);
    ASSERT_RAISES(PyExc_TypeError);
    ASSERT(PyUnicodeDecodeError_GetEnd(one, &en) == -1);
    ASSERT_RAISES(PyExc_TypeError);
    ASSERT(PyUnicodeDecodeError_SetStart(one, 1) == -1);
    ASSERT_RAISES(PyExc_TypeError);
    ASSERT(PyUnicodeDecodeError_SetEnd(one, 1) == -1);
    ASSERT_RAISES(PyExc_TypeError);
    ASSERT(PyUnicodeDecodeError_SetReason(one, "x") == -1);
    ASSERT_RAISES(PyExc_TypeError);
    Py_DECREF(one);
#endif
    Py_DECREF(r); Py_DECREF(obj); Py_DECREF(enc); Py_DECREF(e);
    Py_RETURN_NONE;
}

TEST(test_unicode_encode_error) {
    PyObject *s = PyUnicode_FromString("a\xc3\xa9z");
    PyObject *e = PyObject_CallFunction(PyExc_UnicodeEncodeError, "sOnns", "ascii", s,
                                        (Py_ssize_t)1, (Py_ssize_t)2, "ordinal not in range(128)");
    ASSERT(e);
    PyObject *enc = PyUnicodeEncodeError_GetEncoding(e);
    ASSERT(eq(enc, "ascii"));
    PyObject *obj = PyUnicodeEncodeError_GetObject(e);
    ASSERT(obj && PyUnicode_Check(obj) && PyUnicode_GetLength(obj) == 3);
    Py_ssize_t st = -1, en = -1;
    ASSERT(PyUnicodeEncodeError_GetStart(e, &st) == 0 && st == 1);
    ASSERT(PyUnicodeEncodeError_GetEnd(e, &en) == 0 && en == 2);
    ASSERT(PyUnicodeEncodeError_SetStart(e, 2) == 0);
    ASSERT(PyUnicodeEncodeError_SetEnd(e, 3) == 0);
    ASSERT(PyUnicodeEncodeError_GetStart(e, &st) == 0 && st == 2);
    ASSERT(PyUnicodeEncodeError_GetEnd(e, &en) == 0 && en == 3);
    ASSERT(PyUnicodeEncodeError_SetReason(e, "nope") == 0);
    PyObject *r = PyUnicodeEncodeError_GetReason(e);
    ASSERT(eq(r, "nope"));
    ASSERT(PyUnicodeEncodeError_SetReason(e, "\xc3") == -1);
    ASSERT_RAISES(PyExc_UnicodeDecodeError);
#if PY_VERSION_HEX >= 0x030E0000
    PyObject *one = PyLong_FromLong(1);
    ASSERT(PyUnicodeEncodeError_GetEncoding(one) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    ASSERT(PyUnicodeEncodeError_GetObject(one) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    ASSERT(PyUnicodeEncodeError_GetReason(one) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    ASSERT(PyUnicodeEncodeError_GetStart(one, &st) == -1);
    ASSERT_RAISES(PyExc_TypeError);
    ASSERT(PyUnicodeEncodeError_GetEnd(one, &en) == -1);
    ASSERT_RAISES(PyExc_TypeError);
    ASSERT(PyUnicodeEncodeError_SetStart(one, 1) == -1);
    ASSERT_RAISES(PyExc_TypeError);
    ASSERT(PyUnicodeEncodeError_SetEnd(one, 1) == -1);
    ASSERT_RAISES(PyExc_TypeError);
    Py_DECREF(one);
#endif
    Py_DECREF(r); Py_DECREF(obj); Py_DECREF(enc); Py_DECREF(e); Py_DECREF(s);
    Py_RETURN_NONE;
}

TEST(test_unicode_translate_error) {
    PyObject *s = PyUnicode_FromString("abc");
    PyObject *e = PyObject_CallFunction(PyExc_UnicodeTranslateError, "Onns", s,
                                        (Py_ssize_t)0, (Py_ssize_t)1, "why");
    ASSERT(e);
    PyObject *obj = PyUnicodeTranslateError_GetObject(e);
    ASSERT(obj && eq(obj, "abc"));
    Py_ssize_t st = -1, en = -1;
    ASSERT(PyUnicodeTranslateError_GetStart(e, &st) == 0 && st == 0);
    ASSERT(PyUnicodeTranslateError_GetEnd(e, &en) == 0 && en == 1);
    ASSERT(PyUnicodeTranslateError_SetStart(e, 1) == 0);
    ASSERT(PyUnicodeTranslateError_SetEnd(e, 2) == 0);
    ASSERT(PyUnicodeTranslateError_GetStart(e, &st) == 0 && st == 1);
    ASSERT(PyUnicodeTranslateError_GetEnd(e, &en) == 0 && en == 2);
    PyObject *r = PyUnicodeTranslateError_GetReason(e);
    ASSERT(eq(r, "why"));
    Py_DECREF(r);
    ASSERT(PyUnicodeTranslateError_SetReason(e, "because") == 0);
    r = PyUnicodeTranslateError_GetReason(e);
    ASSERT(eq(r, "because"));
    ASSERT(PyUnicodeTranslateError_SetReason(e, "\xff") == -1);
    ASSERT_RAISES(PyExc_UnicodeDecodeError);
#if PY_VERSION_HEX >= 0x030E0000
    PyObject *one = PyLong_FromLong(1);
    ASSERT(PyUnicodeTranslateError_GetObject(one) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    ASSERT(PyUnicodeTranslateError_GetReason(one) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    ASSERT(PyUnicodeTranslateError_GetStart(one, &st) == -1);
    ASSERT_RAISES(PyExc_TypeError);
    ASSERT(PyUnicodeTranslateError_GetEnd(one, &en) == -1);
    ASSERT_RAISES(PyExc_TypeError);
    ASSERT(PyUnicodeTranslateError_SetStart(one, 1) == -1);
    ASSERT_RAISES(PyExc_TypeError);
    ASSERT(PyUnicodeTranslateError_SetEnd(one, 1) == -1);
    ASSERT_RAISES(PyExc_TypeError);
    Py_DECREF(one);
#endif
    Py_DECREF(r); Py_DECREF(obj); Py_DECREF(e); Py_DECREF(s);
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    DEF(test_exception_cause_context_args),
    DEF(test_exception_class_name),
    DEF(test_unicode_decode_error),
    DEF(test_unicode_encode_error),
    DEF(test_unicode_translate_error),
    {NULL, NULL, 0, NULL},
};
static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "ext_a_exc", NULL, -1, methods};
PyMODINIT_FUNC PyInit_ext_a_exc(void) { return PyModule_Create(&module); }
