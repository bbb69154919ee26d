/* Interpreter services with a no-frame answer (builtins, tracebacks), and the entries our
 * headers promised that were missing (Py_complex values, PyDict_PopString, PySet_GET_SIZE,
 * str kinds, PyType_GetDict, PyObject_GetItemData, PyErr_FormatUnraisable, frozen modules).
 * Passes under CPython too: frames exist there, and every check holds either way. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <frameobject.h>
#include "testing.h"

TEST(test_builtins_dict) {
    PyObject *b = PyEval_GetBuiltins();
    ASSERT(b != NULL && PyDict_Check(b));
    PyObject *debug = PyDict_GetItemString(b, "__debug__");
    ASSERT(debug == Py_True);
#if PY_VERSION_HEX >= 0x030D0000
    PyObject *b2 = PyEval_GetFrameBuiltins();
    ASSERT(b2 != NULL && PyDict_Check(b2));
    ASSERT(PyDict_GetItemString(b2, "__debug__") == Py_True);
    Py_DECREF(b2);
#endif
    Py_RETURN_NONE;
}

TEST(test_traceback_here_keeps_the_exception) {
    PyErr_SetString(PyExc_ValueError, "kept");
    PyObject *t, *v, *tb;
    /* NULL in pyopaque (no frames); the calling Python frame in CPython. */
    ASSERT(PyTraceBack_Here(PyEval_GetFrame()) == 0);
    ASSERT(PyErr_ExceptionMatches(PyExc_ValueError));
    PyErr_Fetch(&t, &v, &tb);
    PyErr_NormalizeException(&t, &v, &tb);
    PyObject *s = PyObject_Str(v);
    ASSERT(s != NULL && PyUnicode_CompareWithASCIIString(s, "kept") == 0);
    Py_DECREF(s);
    Py_XDECREF(t);
    Py_XDECREF(v);
    Py_XDECREF(tb);
    PyObject *one = PyLong_FromLong(1);
    ASSERT(!PyTraceBack_Check(one));
    ASSERT(Py_TYPE(one) != &PyTraceBack_Type);
    Py_DECREF(one);
    Py_RETURN_NONE;
}

TEST(test_complex_values) {
    Py_complex c = {1.5, -2.0};
    PyObject *o = PyComplex_FromCComplex(c);
    ASSERT(o != NULL && PyComplex_Check(o));
    Py_complex back = PyComplex_AsCComplex(o);
    ASSERT(back.real == 1.5 && back.imag == -2.0);
    Py_DECREF(o);
    PyObject *f = PyFloat_FromDouble(3.25);
    back = PyComplex_AsCComplex(f);
    ASSERT(back.real == 3.25 && back.imag == 0.0);
    Py_DECREF(f);
    PyObject *s = PyUnicode_FromString("x");
    back = PyComplex_AsCComplex(s);
    ASSERT(back.real == -1.0);
    ASSERT_RAISES(PyExc_TypeError);
    Py_DECREF(s);
    Py_RETURN_NONE;
}

TEST(test_dict_pop_string) {
#if PY_VERSION_HEX >= 0x030D0000
    PyObject *d = PyDict_New();
    PyObject *v = PyLong_FromLong(7);
    ASSERT(PyDict_SetItemString(d, "k", v) == 0);
    PyObject *got = NULL;
    ASSERT(PyDict_PopString(d, "k", &got) == 1);
    ASSERT(got == v);
    Py_DECREF(got);
    ASSERT(PyDict_PopString(d, "k", &got) == 0 && got == NULL);
    ASSERT(PyDict_PopString(d, "k", NULL) == 0);
    ASSERT(PyDict_Size(d) == 0);
    ASSERT(PyDict_PopString(v, "k", NULL) == -1);
    ASSERT_RAISES(PyExc_SystemError);
    Py_DECREF(v);
    Py_DECREF(d);
#endif
    Py_RETURN_NONE;
}

TEST(test_set_get_size) {
    PyObject *s = PySet_New(NULL);
    PyObject *a = PyLong_FromLong(1), *b = PyUnicode_FromString("b");
    ASSERT(PySet_Add(s, a) == 0 && PySet_Add(s, b) == 0 && PySet_Add(s, a) == 0);
    ASSERT(PySet_GET_SIZE(s) == 2);
    PyObject *fs = PyFrozenSet_New(s);
    ASSERT(PySet_GET_SIZE(fs) == 2);
    Py_DECREF(fs);
    Py_DECREF(a);
    Py_DECREF(b);
    Py_DECREF(s);
    Py_RETURN_NONE;
}

TEST(test_str_kinds) {
    PyObject *ascii = PyUnicode_FromString("abc");
    PyObject *latin = PyUnicode_FromString("caf\xc3\xa9");
    PyObject *bmp = PyUnicode_FromString("\xe4\xb8\x96");
    PyObject *astral = PyUnicode_FromString("\xf0\x9f\x98\x80");
    ASSERT(PyUnicode_KIND(ascii) == PyUnicode_1BYTE_KIND);
    ASSERT(PyUnicode_KIND(latin) == PyUnicode_1BYTE_KIND);
    ASSERT(PyUnicode_KIND(bmp) == PyUnicode_2BYTE_KIND);
    ASSERT(PyUnicode_KIND(astral) == PyUnicode_4BYTE_KIND);
    ASSERT(PyUnicode_MAX_CHAR_VALUE(ascii) == 0x7F);
    ASSERT(PyUnicode_MAX_CHAR_VALUE(latin) == 0xFF);
    ASSERT(PyUnicode_MAX_CHAR_VALUE(bmp) == 0xFFFF);
    ASSERT(PyUnicode_MAX_CHAR_VALUE(astral) == 0x10FFFF);
    Py_UCS2 units[3] = {0x4e16, 0x754c, 0x41};
    PyObject *w = PyUnicode_FromKindAndData(PyUnicode_2BYTE_KIND, units, 3);
    ASSERT(w != NULL && PyUnicode_CompareWithASCIIString(w, "x") != 0);
    ASSERT(PyUnicode_GetLength(w) == 3 && PyUnicode_ReadChar(w, 2) == 0x41);
    Py_UCS4 wide[2] = {0x1F600, 0x62};
    PyObject *w4 = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, wide, 2);
    ASSERT(w4 != NULL && PyUnicode_ReadChar(w4, 0) == 0x1F600);
    Py_UCS1 bytes[2] = {0xe9, 0x41};
    PyObject *w1 = PyUnicode_FromKindAndData(PyUnicode_1BYTE_KIND, bytes, 2);
    ASSERT(w1 != NULL && PyUnicode_ReadChar(w1, 0) == 0xe9);
    ASSERT(PyUnicode_FromKindAndData(3, bytes, 1) == NULL);
    ASSERT_RAISES(PyExc_SystemError);
    ASSERT(PyUnicode_FromKindAndData(PyUnicode_1BYTE_KIND, bytes, -1) == NULL);
    ASSERT_RAISES(PyExc_ValueError);
    Py_DECREF(w);
    Py_DECREF(w4);
    Py_DECREF(w1);
    Py_DECREF(ascii);
    Py_DECREF(latin);
    Py_DECREF(bmp);
    Py_DECREF(astral);
    Py_RETURN_NONE;
}

TEST(test_type_dict_and_item_data) {
#if PY_VERSION_HEX >= 0x030C0000
    PyType_Slot slots[] = {{0, NULL}};
    PyType_Spec spec = {"ext_python_services.T", 0, 0, Py_TPFLAGS_DEFAULT, slots};
    PyObject *t = PyType_FromSpec(&spec);
    ASSERT(t != NULL);
    PyObject *v = PyLong_FromLong(5);
    ASSERT(PyObject_SetAttrString(t, "answer", v) == 0);
    PyObject *d = PyType_GetDict((PyTypeObject *)t);
    ASSERT(d != NULL && PyDict_Check(d));
    PyObject *got = PyDict_GetItemString(d, "answer");
    ASSERT(got != NULL && PyLong_AsLong(got) == 5);
    Py_DECREF(d);
    Py_DECREF(t);
    ASSERT(PyObject_GetItemData(v) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    Py_DECREF(v);
#endif
    Py_RETURN_NONE;
}

TEST(test_format_unraisable_clears) {
#if PY_VERSION_HEX >= 0x030D0000
    PyErr_SetString(PyExc_RuntimeError, "ignored on purpose (ext_python_services)");
    PyErr_FormatUnraisable("Exception ignored in test %d", 1);
    ASSERT(!PyErr_Occurred());
#endif
    Py_RETURN_NONE;
}

TEST(test_no_frozen_module) {
    ASSERT(PyImport_ImportFrozenModule("pyopaque_no_such_frozen_module") == 0);
    ASSERT(!PyErr_Occurred());
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    DEF(test_builtins_dict),
    DEF(test_traceback_here_keeps_the_exception),
    DEF(test_complex_values),
    DEF(test_dict_pop_string),
    DEF(test_set_get_size),
    DEF(test_str_kinds),
    DEF(test_type_dict_and_item_data),
    DEF(test_format_unraisable_clears),
    DEF(test_no_frozen_module),
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "ext_python_services", NULL, -1, methods};

PyMODINIT_FUNC PyInit_ext_python_services(void) { return PyModule_Create(&module); }
