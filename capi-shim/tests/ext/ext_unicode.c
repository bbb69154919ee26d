/* str and bytes, PyUnicode_FromFormat. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include "testing.h"

TEST(test_unicode_basic) {
    PyObject *s = PyUnicode_FromString("h\xc3\xa9llo");
    ASSERT(s && PyUnicode_Check(s));
    ASSERT(PyUnicode_GetLength(s) == 5);
    Py_ssize_t n;
    const char *u = PyUnicode_AsUTF8AndSize(s, &n);
    ASSERT(u && n == 6 && strcmp(u, "h\xc3\xa9llo") == 0);
    ASSERT(strcmp(PyUnicode_AsUTF8(s), "h\xc3\xa9llo") == 0);
    ASSERT(PyUnicode_FromString("\xff") == NULL);
    ASSERT_RAISES(PyExc_UnicodeDecodeError);
    PyObject *a = PyUnicode_FromStringAndSize("abcdef", 3);
    ASSERT(PyUnicode_CompareWithASCIIString(a, "abc") == 0);
    PyObject *b = PyUnicode_FromString("abd");
    ASSERT(PyUnicode_Compare(a, b) < 0);
    PyObject *one = PyLong_FromLong(1);
    ASSERT(PyUnicode_Compare(a, one) == -1);
    ASSERT_RAISES(PyExc_TypeError);
    PyObject *c = PyUnicode_Concat(a, b);
    ASSERT(c && PyUnicode_CompareWithASCIIString(c, "abcabd") == 0);
    ASSERT(PyUnicode_Concat(a, one) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    ASSERT(PyUnicode_AsUTF8(one) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    ASSERT(PyUnicode_Contains(c, b) == 1);
    ASSERT(PyUnicode_ReadChar(c, 5) == 'd');
    PyObject *sub = PyUnicode_Substring(c, 1, 3);
    ASSERT(PyUnicode_CompareWithASCIIString(sub, "bc") == 0);
    PyObject *ch = PyUnicode_FromOrdinal(0x41);
    ASSERT(PyUnicode_CompareWithASCIIString(ch, "A") == 0);
    ASSERT(PyUnicode_FromOrdinal(-1) == NULL);
    ASSERT_RAISES(PyExc_ValueError);
    PyObject *sep = PyUnicode_FromString("-");
    PyObject *parts = Py_BuildValue("[ss]", "x", "y");
    PyObject *j = PyUnicode_Join(sep, parts);
    ASSERT(j && PyUnicode_CompareWithASCIIString(j, "x-y") == 0);
    PyObject *sp = PyUnicode_Split(j, sep, -1);
    ASSERT(sp && PyList_Size(sp) == 2);
    PyObject *bytes = PyUnicode_AsUTF8String(s);
    ASSERT(bytes && PyBytes_Size(bytes) == 6);
    PyObject *dec = PyUnicode_DecodeUTF8("ok", 2, "strict");
    ASSERT(PyUnicode_CompareWithASCIIString(dec, "ok") == 0);
    Py_DECREF(dec); Py_DECREF(bytes); Py_DECREF(sp); Py_DECREF(j); Py_DECREF(parts); Py_DECREF(sep);
    Py_DECREF(ch); Py_DECREF(sub); Py_DECREF(c); Py_DECREF(one); Py_DECREF(b); Py_DECREF(a); Py_DECREF(s);
    Py_RETURN_NONE;
}

TEST(test_from_format) {
    PyObject *o = PyLong_FromLong(7);
    PyObject *s = PyUnicode_FromString("str");
    PyObject *f = PyUnicode_FromFormat("%d|%i|%u|%ld|%zd|%x|%s|%c|%%|%S|%R|%U|%5d|%.2s", -3, 4, 5u, 6L, (Py_ssize_t)8, 255, "cs", 'Z', o, s, s, 42, "abc");
    ASSERT(f != NULL);
    ASSERT(PyUnicode_CompareWithASCIIString(f, "-3|4|5|6|8|ff|cs|Z|%|7|'str'|str|   42|ab") == 0);
    Py_DECREF(f);
    /* Extremes of the digit loop, zero, and a non-ASCII %s argument (UTF-8). */
    f = PyUnicode_FromFormat("%lld|%lld|%d|%d|-%s", (long long)(-9223372036854775807LL - 1),
                             9223372036854775807LL, 0, -2147483647 - 1, "\xe2\x82\xac");
    ASSERT(f != NULL && PyUnicode_GetLength(f) == 57);
    PyObject *want = PyUnicode_FromString(
        "-9223372036854775808|9223372036854775807|0|-2147483648|-\xe2\x82\xac");
    ASSERT(want && PyUnicode_Compare(f, want) == 0);
    Py_DECREF(want);
    Py_DECREF(f);
    PyObject *b = PyBytes_FromFormat("%d-%s", 1, "b");
    ASSERT(b && strcmp(PyBytes_AsString(b), "1-b") == 0);
    Py_DECREF(b);
    Py_DECREF(o); Py_DECREF(s);
    Py_RETURN_NONE;
}

TEST(test_bytes) {
    PyObject *b = PyBytes_FromStringAndSize("a\0b", 3);
    ASSERT(b && PyBytes_Check(b) && PyBytes_Size(b) == 3 && PyBytes_GET_SIZE(b) == 3);
    ASSERT(PyBytes_AS_STRING(b)[2] == 'b');
    char *buf; Py_ssize_t n;
    ASSERT(PyBytes_AsStringAndSize(b, &buf, &n) == 0 && n == 3);
    ASSERT(PyBytes_AsStringAndSize(b, &buf, NULL) == -1);
    ASSERT_RAISES(PyExc_ValueError);
    PyObject *c = PyBytes_FromString("xy");
    PyBytes_Concat(&c, b);
    ASSERT(c && PyBytes_Size(c) == 5);
    PyObject *s = PyUnicode_FromString("s");
    ASSERT(PyBytes_AsString(s) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    ASSERT(PyBytes_Size(s) == -1);
    ASSERT_RAISES(PyExc_TypeError);
    Py_DECREF(s); Py_DECREF(c); Py_DECREF(b);
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    DEF(test_unicode_basic),
    DEF(test_from_format),
    DEF(test_bytes),
    {NULL, NULL, 0, NULL},
};
static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "ext_unicode", NULL, -1, methods};
PyMODINIT_FUNC PyInit_ext_unicode(void) { return PyModule_Create(&module); }
