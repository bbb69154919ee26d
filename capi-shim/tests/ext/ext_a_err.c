/* The error indicator, part 2: errno errors, the handled exception, interrupts, warnings,
 * printing, normalisation, PyErr_ProgramText. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>
#include "testing.h"

TEST(test_set_from_errno) {
    errno = ENOENT;
    ASSERT(PyErr_SetFromErrno(PyExc_OSError) == NULL);
    ASSERT_RAISES(PyExc_FileNotFoundError);
    errno = EEXIST;
    ASSERT(PyErr_SetFromErrnoWithFilename(PyExc_OSError, "some/file") == NULL);
    ASSERT_RAISES(PyExc_FileExistsError);
    errno = EACCES;
    ASSERT(PyErr_SetFromErrnoWithFilename(PyExc_OSError, NULL) == NULL);
    ASSERT_RAISES(PyExc_PermissionError);
    PyObject *f = PyUnicode_FromString("f1");
    PyObject *g = PyUnicode_FromString("f2");
    errno = ENOTDIR;
    ASSERT(PyErr_SetFromErrnoWithFilenameObject(PyExc_OSError, f) == NULL);
    ASSERT_RAISES(PyExc_NotADirectoryError);
    errno = EISDIR;
    ASSERT(PyErr_SetFromErrnoWithFilenameObjects(PyExc_OSError, f, g) == NULL);
    ASSERT_RAISES(PyExc_IsADirectoryError);
    errno = ENOENT;
    ASSERT(PyErr_SetFromErrnoWithFilenameObject(PyExc_ValueError, f) == NULL);
    ASSERT(PyErr_ExceptionMatches(PyExc_ValueError) && !PyErr_ExceptionMatches(PyExc_OSError));
    PyErr_Clear();
    /* a non-exception type: calling it fails with TypeError */
    errno = ENOENT;
    ASSERT(PyErr_SetFromErrno((PyObject *)&PyLong_Type) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    errno = ENOENT;
    ASSERT(PyErr_SetFromErrnoWithFilename((PyObject *)&PyLong_Type, "x") == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    errno = ENOENT;
    ASSERT(PyErr_SetFromErrnoWithFilenameObject((PyObject *)&PyLong_Type, f) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    errno = ENOENT;
    ASSERT(PyErr_SetFromErrnoWithFilenameObjects((PyObject *)&PyLong_Type, f, g) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    Py_DECREF(f); Py_DECREF(g);
    Py_RETURN_NONE;
}

TEST(test_handled_exception) {
    PyObject *e = PyObject_CallFunction(PyExc_ValueError, "s", "handled");
    ASSERT(e);
    PyErr_SetHandledException(e);
    PyObject *h = PyErr_GetHandledException();
    ASSERT(h == e);
    Py_DECREF(h);
    PyObject *t = NULL, *v = NULL, *tb = NULL;
    PyErr_GetExcInfo(&t, &v, &tb);
    ASSERT(v == e && t && PyErr_GivenExceptionMatches(t, PyExc_ValueError));
    Py_XDECREF(t); Py_XDECREF(v); Py_XDECREF(tb);
    PyErr_SetHandledException(NULL);
    ASSERT(PyErr_GetHandledException() == NULL && !PyErr_Occurred());
    Py_INCREF(e);
    PyErr_SetExcInfo(NULL, e, NULL);
    h = PyErr_GetHandledException();
    ASSERT(h == e);
    Py_DECREF(h);
    PyErr_SetExcInfo(NULL, NULL, NULL);
    ASSERT(PyErr_GetHandledException() == NULL);
#ifdef PYOPAQUE
    PyErr_GetExcInfo(NULL, &v, &tb);
    ASSERT_RAISES(PyExc_SystemError);
#endif
    Py_DECREF(e);
    Py_RETURN_NONE;
}

TEST(test_interrupt) {
    ASSERT(PyErr_CheckSignals() == 0);
    PyErr_SetInterrupt();
    ASSERT(PyErr_CheckSignals() == -1);
    ASSERT_RAISES(PyExc_KeyboardInterrupt);
    ASSERT(PyErr_CheckSignals() == 0);
    ASSERT(PyErr_SetInterruptEx(SIGINT) == 0);
    ASSERT(PyErr_CheckSignals() == -1);
    ASSERT_RAISES(PyExc_KeyboardInterrupt);
    ASSERT(PyErr_SetInterruptEx(-1) == -1);
    ASSERT(!PyErr_Occurred());
    ASSERT(PyErr_SetInterruptEx(100000) == -1);
    ASSERT(PyErr_CheckSignals() == 0);
    Py_RETURN_NONE;
}

TEST(test_normalize) {
    PyObject *t = PyExc_ValueError, *v = PyUnicode_FromString("m"), *tb = NULL;
    Py_INCREF(t);
    PyErr_NormalizeException(&t, &v, &tb);
    ASSERT(v && PyObject_IsInstance(v, PyExc_ValueError) == 1);
    PyObject *s = PyObject_Str(v);
    ASSERT(s && PyUnicode_CompareWithASCIIString(s, "m") == 0);
    Py_DECREF(s);
    /* already normalized: unchanged */
    PyObject *old = v;
    PyErr_NormalizeException(&t, &v, &tb);
    ASSERT(v == old);
    Py_XDECREF(t); Py_XDECREF(v); Py_XDECREF(tb);
    /* NULL type: nothing to do */
    t = NULL; v = NULL; tb = NULL;
    PyErr_NormalizeException(&t, &v, &tb);
    ASSERT(t == NULL && v == NULL && !PyErr_Occurred());
#ifdef PYOPAQUE
    PyErr_NormalizeException(NULL, &v, &tb);
    ASSERT_RAISES(PyExc_SystemError);
#endif
    Py_RETURN_NONE;
}

TEST(test_print_and_display) {
    PyErr_SetString(PyExc_RuntimeError, "printed by test_print_and_display (expected)");
    PyErr_Print();
    ASSERT(!PyErr_Occurred());
    PyErr_SetString(PyExc_RuntimeError, "printed by PyErr_PrintEx (expected)");
    PyErr_PrintEx(0);
    ASSERT(!PyErr_Occurred());
    PyErr_SetString(PyExc_RuntimeError, "unraisable (expected)");
    PyErr_WriteUnraisable(NULL);
    ASSERT(!PyErr_Occurred());
    PyObject *e = PyObject_CallFunction(PyExc_KeyError, "s", "displayed (expected)");
    PyErr_Display(NULL, e, NULL);
    ASSERT(!PyErr_Occurred());
#if PY_VERSION_HEX >= 0x030C0000
    PyErr_DisplayException(e);
    ASSERT(!PyErr_Occurred());
#endif
    Py_DECREF(e);
    Py_RETURN_NONE;
}

TEST(test_warnings) {
    ASSERT(PyErr_WarnExplicit(PyExc_UserWarning, "explicit warning (expected)", "file.py", 3, "mod", NULL) == 0);
    ASSERT(PyErr_WarnExplicit(PyExc_UserWarning, "bad \xff utf-8", "file.py", 3, "mod", NULL) == -1);
    ASSERT_RAISES(PyExc_UnicodeDecodeError);
    ASSERT(PyErr_WarnFormat(PyExc_UserWarning, 1, "formatted warning %d (expected)", 7) == 0);
    ASSERT(PyErr_WarnFormat(PyExc_UserWarning, 1, "%c", 0x110000) == -1);
    ASSERT_RAISES(PyExc_OverflowError);
    Py_RETURN_NONE;
}

TEST(test_program_text) {
    char path[] = "/tmp/pyopaque_progtextXXXXXX";
    int fd = mkstemp(path);
    ASSERT(fd >= 0);
    const char *data = "line1\nline2\nline3";
    ASSERT(write(fd, data, strlen(data)) == (ssize_t)strlen(data));
    close(fd);
    PyObject *l = PyErr_ProgramText(path, 2);
    ASSERT(l);
    PyObject *pre = PyUnicode_Substring(l, 0, 5);
    ASSERT(pre && PyUnicode_CompareWithASCIIString(pre, "line2") == 0);
    Py_DECREF(pre); Py_DECREF(l);
    ASSERT(PyErr_ProgramText(path, 10) == NULL && !PyErr_Occurred());
    ASSERT(PyErr_ProgramText(path, 0) == NULL && !PyErr_Occurred());
    unlink(path);
    ASSERT(PyErr_ProgramText(path, 1) == NULL && !PyErr_Occurred());
    ASSERT(PyErr_ProgramText(NULL, 1) == NULL && !PyErr_Occurred());
    Py_RETURN_NONE;
}

static int vformat_helper(PyObject **out, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    *out = PyUnicode_FromFormatV(fmt, ap);
    va_end(ap);
    return 0;
}

static PyObject *err_formatv_helper(PyObject *exc, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    PyObject *r = PyErr_FormatV(exc, fmt, ap);
    va_end(ap);
    return r;
}

static PyObject *bytes_formatv_helper(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    PyObject *r = PyBytes_FromFormatV(fmt, ap);
    va_end(ap);
    return r;
}

TEST(test_formatv) {
    PyObject *s = NULL;
    vformat_helper(&s, "%d-%s", 5, "x");
    ASSERT(s && PyUnicode_CompareWithASCIIString(s, "5-x") == 0);
    Py_DECREF(s);
    vformat_helper(&s, "%c", 0x110000);
    ASSERT(s == NULL);
    ASSERT_RAISES(PyExc_OverflowError);
    ASSERT(err_formatv_helper(PyExc_ValueError, "v=%d", 3) == NULL);
    ASSERT_RAISES(PyExc_ValueError);
    PyObject *b = bytes_formatv_helper("%d:%s", 1, "z");
    ASSERT(b && strcmp(PyBytes_AsString(b), "1:z") == 0);
    Py_DECREF(b);
    ASSERT(err_formatv_helper(PyExc_ValueError, "%c", 0x110000) == NULL);
    ASSERT_RAISES(PyExc_OverflowError);
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    DEF(test_set_from_errno),
    DEF(test_handled_exception),
    DEF(test_interrupt),
    DEF(test_normalize),
    DEF(test_print_and_display),
    DEF(test_warnings),
    DEF(test_program_text),
    DEF(test_formatv),
    {NULL, NULL, 0, NULL},
};
static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "ext_a_err", NULL, -1, methods};
PyMODINIT_FUNC PyInit_ext_a_err(void) { return PyModule_Create(&module); }
