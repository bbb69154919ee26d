/* Codecs: PyCodec_* with the built-in codecs, a search function and an error handler
 * registered from C. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include "testing.h"

static int eq(PyObject *s, const char *v) { return s && PyUnicode_Check(s) && PyUnicode_CompareWithASCIIString(s, v) == 0; }

/* A codec "ext-a-upper": encode = bytes of upper-cased ASCII, decode = lower-cased str. */
static PyObject *up_encode(PyObject *self, PyObject *args) {
    PyObject *s; const char *errors = NULL;
    if (!PyArg_ParseTuple(args, "U|z", &s, &errors)) return NULL;
    PyObject *b = PyUnicode_AsASCIIString(s);
    if (!b) return NULL;
    char *p = PyBytes_AsString(b);
    PyObject *r = PyBytes_FromStringAndSize(NULL, 0);
    Py_ssize_t n = PyBytes_Size(b);
    Py_DECREF(r);
    char tmp[256];
    if (n > 255) n = 255;
    for (Py_ssize_t i = 0; i < n; i++) tmp[i] = (p[i] >= 'a' && p[i] <= 'z') ? p[i] - 32 : p[i];
    r = PyBytes_FromStringAndSize(tmp, n);
    Py_DECREF(b);
    return Py_BuildValue("(Nn)", r, PyUnicode_GetLength(s));
}
static PyObject *up_decode(PyObject *self, PyObject *args) {
    const char *p; Py_ssize_t n; const char *errors = NULL;
    if (!PyArg_ParseTuple(args, "y#|z", &p, &n, &errors)) return NULL;
    char tmp[256];
    if (n > 255) n = 255;
    for (Py_ssize_t i = 0; i < n; i++) tmp[i] = (p[i] >= 'A' && p[i] <= 'Z') ? p[i] + 32 : p[i];
    return Py_BuildValue("(s#n)", tmp, n, n);
}
static PyMethodDef up_defs[] = {
    {"up_encode", up_encode, METH_VARARGS, NULL},
    {"up_decode", up_decode, METH_VARARGS, NULL},
};
static PyObject *search(PyObject *self, PyObject *name) {
    if (PyUnicode_CompareWithASCIIString(name, "ext-a-upper") != 0 &&
        PyUnicode_CompareWithASCIIString(name, "ext_a_upper") != 0)
        Py_RETURN_NONE;
    PyObject *e = PyCFunction_New(&up_defs[0], NULL);
    PyObject *d = PyCFunction_New(&up_defs[1], NULL);
    return Py_BuildValue("(NNOO)", e, d, Py_None, Py_None);
}
static PyMethodDef search_def = {"ext_a_search", search, METH_O, NULL};

/* An error handler replacing each bad character with "<?>". */
static PyObject *angle(PyObject *self, PyObject *exc) {
    Py_ssize_t end;
    if (PyObject_IsInstance(exc, PyExc_UnicodeEncodeError) != 1) {
        PyErr_SetString(PyExc_TypeError, "encode errors only");
        return NULL;
    }
    if (PyUnicodeEncodeError_GetEnd(exc, &end) < 0) return NULL;
    return Py_BuildValue("(sn)", "<?>", end);
}
static PyMethodDef angle_def = {"ext_a_angle", angle, METH_O, NULL};

TEST(test_builtin_codecs) {
    PyObject *s = PyUnicode_FromString("h\xc3\xa9");
    PyObject *b = PyCodec_Encode(s, "utf-8", NULL);
    ASSERT(b && PyBytes_Size(b) == 3);
    PyObject *back = PyCodec_Decode(b, "utf-8", "strict");
    ASSERT(back && PyUnicode_Compare(back, s) == 0);
    Py_DECREF(back);
    back = PyCodec_Decode(b, "latin-1", NULL);
    ASSERT(back && PyUnicode_GetLength(back) == 3);
    Py_DECREF(back);
    ASSERT(PyCodec_Encode(s, "ascii", NULL) == NULL);
    ASSERT_RAISES(PyExc_UnicodeEncodeError);
    ASSERT(PyCodec_Encode(s, "no-such-codec", NULL) == NULL);
    ASSERT_RAISES(PyExc_LookupError);
    ASSERT(PyCodec_Decode(b, "ascii", NULL) == NULL);
    ASSERT_RAISES(PyExc_UnicodeDecodeError);
    ASSERT(PyCodec_Decode(b, "no-such-codec", NULL) == NULL);
    ASSERT_RAISES(PyExc_LookupError);
    ASSERT(PyCodec_KnownEncoding("utf-8") == 1);
    ASSERT(PyCodec_KnownEncoding("latin_1") == 1);
    ASSERT(PyCodec_KnownEncoding("no-such-codec") == 0 && !PyErr_Occurred());
    PyObject *enc = PyCodec_Encoder("utf-8");
    ASSERT(enc && PyCallable_Check(enc));
    PyObject *r = PyObject_CallFunction(enc, "O", s);
    ASSERT(r && PyTuple_Check(r) && PyTuple_Size(r) == 2 && PyBytes_Size(PyTuple_GetItem(r, 0)) == 3);
    ASSERT(PyLong_AsLong(PyTuple_GetItem(r, 1)) == 2);
    Py_DECREF(r);
    PyObject *dec = PyCodec_Decoder("utf-8");
    ASSERT(dec && PyCallable_Check(dec));
    r = PyObject_CallFunction(dec, "O", b);
    ASSERT(r && PyTuple_Size(r) == 2 && PyUnicode_Compare(PyTuple_GetItem(r, 0), s) == 0);
    Py_DECREF(r);
    ASSERT(PyCodec_Encoder("no-such-codec") == NULL);
    ASSERT_RAISES(PyExc_LookupError);
    ASSERT(PyCodec_Decoder("no-such-codec") == NULL);
    ASSERT_RAISES(PyExc_LookupError);
    Py_DECREF(dec); Py_DECREF(enc); Py_DECREF(b); Py_DECREF(s);
    Py_RETURN_NONE;
}

TEST(test_search_function) {
    PyObject *f = PyCFunction_New(&search_def, NULL);
    ASSERT(f);
    PyObject *one = PyLong_FromLong(1);
    ASSERT(PyCodec_Register(one) == -1);
    ASSERT_RAISES(PyExc_TypeError);
    ASSERT(PyCodec_Register(f) == 0);
    ASSERT(PyCodec_KnownEncoding("ext-a-upper") == 1);
    PyObject *s = PyUnicode_FromString("abc");
    PyObject *b = PyCodec_Encode(s, "ext-a-upper", NULL);
    ASSERT(b && strcmp(PyBytes_AsString(b), "ABC") == 0);
    PyObject *d = PyCodec_Decode(b, "ext-a-upper", NULL);
    ASSERT(eq(d, "abc"));
    Py_DECREF(d);
    PyObject *e = PyCodec_Encoder("ext-a-upper");
    ASSERT(e && PyCallable_Check(e));
    Py_DECREF(e);
    PyObject *u = PyUnicode_AsEncodedString(s, "ext-a-upper", NULL);
    ASSERT(u && strcmp(PyBytes_AsString(u), "ABC") == 0);
    Py_DECREF(u);
    ASSERT(PyCodec_Unregister(f) == 0);
    ASSERT(PyCodec_KnownEncoding("ext-a-upper") == 0);
    ASSERT(PyCodec_Encode(s, "ext-a-upper", NULL) == NULL);
    ASSERT_RAISES(PyExc_LookupError);
    ASSERT(PyCodec_Unregister(f) == 0);
#ifdef PYOPAQUE
    ASSERT(PyCodec_Unregister(NULL) == -1);
    ASSERT_RAISES(PyExc_SystemError);
#endif
    Py_DECREF(b); Py_DECREF(s); Py_DECREF(one); Py_DECREF(f);
    Py_RETURN_NONE;
}

TEST(test_error_handlers) {
    PyObject *s = PyUnicode_FromString("a\xc3\xa9z");
    PyObject *e = PyObject_CallFunction(PyExc_UnicodeEncodeError, "sOnns", "ascii", s,
                                        (Py_ssize_t)1, (Py_ssize_t)2, "ordinal not in range(128)");
    ASSERT(e);
    PyObject *r = PyCodec_IgnoreErrors(e);
    ASSERT(r && eq(PyTuple_GetItem(r, 0), "") && PyLong_AsLong(PyTuple_GetItem(r, 1)) == 2);
    Py_DECREF(r);
    r = PyCodec_ReplaceErrors(e);
    ASSERT(r && eq(PyTuple_GetItem(r, 0), "?"));
    Py_DECREF(r);
    r = PyCodec_BackslashReplaceErrors(e);
    ASSERT(r && eq(PyTuple_GetItem(r, 0), "\\xe9"));
    Py_DECREF(r);
    r = PyCodec_XMLCharRefReplaceErrors(e);
    ASSERT(r && eq(PyTuple_GetItem(r, 0), "&#233;"));
    Py_DECREF(r);
    ASSERT(PyCodec_StrictErrors(e) == NULL);
    ASSERT_RAISES(PyExc_UnicodeEncodeError);
    PyObject *de = PyUnicodeDecodeError_Create("utf-8", "a\xff", 2, 1, 2, "invalid start byte");
    r = PyCodec_ReplaceErrors(de);
    ASSERT(r && PyUnicode_ReadChar(PyTuple_GetItem(r, 0), 0) == 0xfffd);
    Py_DECREF(r);
    r = PyCodec_BackslashReplaceErrors(de);
    ASSERT(r && eq(PyTuple_GetItem(r, 0), "\\xff"));
    Py_DECREF(r);
    ASSERT(PyCodec_XMLCharRefReplaceErrors(de) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    PyObject *one = PyLong_FromLong(1);
    ASSERT(PyCodec_IgnoreErrors(one) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    ASSERT(PyCodec_ReplaceErrors(one) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    ASSERT(PyCodec_BackslashReplaceErrors(one) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    ASSERT(PyCodec_StrictErrors(one) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    /* lookup and registration */
    PyObject *h = PyCodec_LookupError("replace");
    ASSERT(h && PyCallable_Check(h));
    r = PyObject_CallOneArg(h, e);
    ASSERT(r && eq(PyTuple_GetItem(r, 0), "?"));
    Py_DECREF(r); Py_DECREF(h);
    h = PyCodec_LookupError(NULL);
    ASSERT(h && PyCallable_Check(h));
    Py_DECREF(h);
    ASSERT(PyCodec_LookupError("ext-a-no-such-handler") == NULL);
    ASSERT_RAISES(PyExc_LookupError);
    ASSERT(PyCodec_RegisterError("ext-a-bad", one) == -1);
    ASSERT_RAISES(PyExc_TypeError);
    PyObject *a = PyCFunction_New(&angle_def, NULL);
    ASSERT(PyCodec_RegisterError("ext-a-angle", a) == 0);
    h = PyCodec_LookupError("ext-a-angle");
    ASSERT(h == a);
    Py_DECREF(h);
    PyObject *b = PyUnicode_AsEncodedString(s, "ascii", "ext-a-angle");
    ASSERT(b && strcmp(PyBytes_AsString(b), "a<?>z") == 0);
    Py_DECREF(b);
    b = PyCodec_Encode(s, "latin-1", "ext-a-angle");
    ASSERT(b && PyBytes_Size(b) == 3);
    Py_DECREF(b);
    Py_DECREF(a); Py_DECREF(one); Py_DECREF(de); Py_DECREF(e); Py_DECREF(s);
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    DEF(test_builtin_codecs),
    DEF(test_search_function),
    DEF(test_error_handlers),
    {NULL, NULL, 0, NULL},
};
static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "ext_a_codecs", NULL, -1, methods};
PyMODINIT_FUNC PyInit_ext_a_codecs(void) { return PyModule_Create(&module); }
