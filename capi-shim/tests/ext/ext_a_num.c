/* Numbers and bytes, part 2: bytearray, complex, native-bytes ints, int/float info, the
 * in-place and matrix operators, PyNumber_ToBase, and more PyLong_/PyFloat_/PyBytes_. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include "testing.h"

static int eq(PyObject *s, const char *v) { return s && PyUnicode_Check(s) && PyUnicode_CompareWithASCIIString(s, v) == 0; }

TEST(test_bytearray) {
    PyObject *a = PyByteArray_FromStringAndSize("abc", 3);
    ASSERT(a && PyByteArray_Size(a) == 3 && PyByteArray_GET_SIZE(a) == 3);
    char *p = PyByteArray_AsString(a);
    ASSERT(p && memcmp(p, "abc", 3) == 0 && p[3] == 0);
    ASSERT(PyByteArray_AS_STRING(a)[1] == 'b');
    p[0] = 'X';
    ASSERT(PyByteArray_AsString(a)[0] == 'X');
    ASSERT(PyByteArray_Resize(a, 5) == 0 && PyByteArray_Size(a) == 5);
    ASSERT(PyByteArray_Resize(a, 2) == 0 && PyByteArray_Size(a) == 2);
    ASSERT(memcmp(PyByteArray_AsString(a), "Xb", 2) == 0);
    PyObject *b = PyBytes_FromString("yz");
    PyObject *c = PyByteArray_Concat(a, b);
    ASSERT(c && PyByteArray_Size(c) == 4 && memcmp(PyByteArray_AsString(c), "Xbyz", 4) == 0);
    PyObject *one = PyLong_FromLong(1);
    ASSERT(PyByteArray_Concat(a, one) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    PyObject *z = PyByteArray_FromStringAndSize(NULL, 4);
    ASSERT(z && PyByteArray_Size(z) == 4);
    ASSERT(PyByteArray_FromStringAndSize("x", -1) == NULL);
    ASSERT_RAISES(PyExc_SystemError);
    PyObject *f = PyByteArray_FromObject(b);
    ASSERT(f && PyByteArray_Size(f) == 2 && PyByteArray_AsString(f)[1] == 'z');
    PyObject *l = Py_BuildValue("[iii]", 1, 2, 255);
    PyObject *g = PyByteArray_FromObject(l);
    ASSERT(g && PyByteArray_Size(g) == 3 && (unsigned char)PyByteArray_AsString(g)[2] == 255);
    PyObject *bad = Py_BuildValue("[i]", 256);
    ASSERT(PyByteArray_FromObject(bad) == NULL);
    ASSERT_RAISES(PyExc_ValueError);
    PyObject *s = PyUnicode_FromString("s");
    ASSERT(PyByteArray_FromObject(s) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    PyObject *bb = PyBytes_FromObject(c);
    ASSERT(bb && PyBytes_Size(bb) == 4);
    PyObject *dec = PyUnicode_FromEncodedObject(c, "ascii", NULL);
    ASSERT(eq(dec, "Xbyz"));
#ifdef PYOPAQUE
    ASSERT(PyByteArray_Resize(a, -1) == -1);
    ASSERT_RAISES(PyExc_ValueError);
    ASSERT(PyByteArray_Size(one) == -1);
    ASSERT_RAISES(PyExc_TypeError);
    ASSERT(PyByteArray_AsString(one) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    ASSERT(PyByteArray_Resize(one, 1) == -1);
    ASSERT_RAISES(PyExc_TypeError);
#endif
    Py_DECREF(dec); Py_DECREF(bb); Py_DECREF(s); Py_DECREF(bad); Py_DECREF(g); Py_DECREF(l); Py_DECREF(f);
    Py_DECREF(z); Py_DECREF(one); Py_DECREF(c); Py_DECREF(b); Py_DECREF(a);
    Py_RETURN_NONE;
}

TEST(test_complex) {
    PyObject *c = PyComplex_FromDoubles(1.5, -2.0);
    ASSERT(c);
    ASSERT(PyComplex_RealAsDouble(c) == 1.5 && PyComplex_ImagAsDouble(c) == -2.0);
    PyObject *f = PyFloat_FromDouble(3.0);
    ASSERT(PyComplex_RealAsDouble(f) == 3.0 && PyComplex_ImagAsDouble(f) == 0.0);
    PyObject *s = PyUnicode_FromString("s");
    ASSERT(PyComplex_RealAsDouble(s) == -1.0);
    ASSERT_RAISES(PyExc_TypeError);
#if PY_VERSION_HEX >= 0x030D0000
    ASSERT(PyComplex_ImagAsDouble(s) == -1.0);
    ASSERT_RAISES(PyExc_TypeError);
#endif
    Py_DECREF(s); Py_DECREF(f); Py_DECREF(c);
    Py_RETURN_NONE;
}

TEST(test_native_bytes) {
#if PY_VERSION_HEX >= 0x030D0000
    PyObject *v = PyLong_FromLong(0x1234);
    int64_t out = 0;
    ASSERT(PyLong_AsNativeBytes(v, &out, sizeof(out), -1) == 2 && out == 0x1234);
    unsigned char be[4] = {0};
    ASSERT(PyLong_AsNativeBytes(v, be, 4, Py_ASNATIVEBYTES_BIG_ENDIAN) == 2 && be[2] == 0x12 && be[3] == 0x34);
    ASSERT(PyLong_AsNativeBytes(v, NULL, 0, -1) == 2);
    PyObject *m = PyLong_FromLong(-1);
    out = 0;
    ASSERT(PyLong_AsNativeBytes(m, &out, sizeof(out), -1) == 1 && out == -1);
    ASSERT(PyLong_AsNativeBytes(m, &out, sizeof(out), Py_ASNATIVEBYTES_NATIVE_ENDIAN | Py_ASNATIVEBYTES_REJECT_NEGATIVE) == -1);
    ASSERT_RAISES(PyExc_ValueError);
    PyObject *big = PyNumber_Lshift(v, v);  /* huge */
    ASSERT(PyLong_AsNativeBytes(big, &out, sizeof(out), -1) > 8);
    PyObject *s = PyUnicode_FromString("s");
    ASSERT(PyLong_AsNativeBytes(s, &out, sizeof(out), -1) == -1);
    ASSERT_RAISES(PyExc_TypeError);
    int32_t in = -5;
    PyObject *r = PyLong_FromNativeBytes(&in, sizeof(in), -1);
    ASSERT(r && PyLong_AsLong(r) == -5);
    Py_DECREF(r);
    r = PyLong_FromUnsignedNativeBytes(&in, sizeof(in), -1);
    ASSERT(r && PyLong_AsLongLong(r) == 0xFFFFFFFBLL);
    Py_DECREF(r);
    unsigned char bb[2] = {0x01, 0x00};
    r = PyLong_FromNativeBytes(bb, 2, Py_ASNATIVEBYTES_BIG_ENDIAN);
    ASSERT(r && PyLong_AsLong(r) == 256);
    Py_DECREF(r);
    ASSERT(PyLong_FromNativeBytes(NULL, 2, -1) == NULL);
    ASSERT_RAISES(PyExc_SystemError);
    ASSERT(PyLong_FromUnsignedNativeBytes(NULL, 2, -1) == NULL);
    ASSERT_RAISES(PyExc_SystemError);
    Py_DECREF(s); Py_DECREF(big); Py_DECREF(m); Py_DECREF(v);
#endif
    Py_RETURN_NONE;
}

TEST(test_info) {
    PyObject *fi = PyFloat_GetInfo();
    ASSERT(fi && PySequence_Size(fi) == 11);
    PyObject *mx = PySequence_GetItem(fi, 0);
    ASSERT(mx && PyFloat_AsDouble(mx) == DBL_MAX);
    Py_DECREF(mx);
    PyObject *dig = PySequence_GetItem(fi, 6);
    ASSERT(dig && PyLong_AsLong(dig) == DBL_DIG);
    Py_DECREF(dig);
    Py_DECREF(fi);
    PyObject *li = PyLong_GetInfo();
    ASSERT(li && PySequence_Size(li) >= 2);
    PyObject *bits = PySequence_GetItem(li, 0);
    ASSERT(bits && PyLong_AsLong(bits) > 0);
    Py_DECREF(bits);
    Py_DECREF(li);
    ASSERT(PyFloat_GetMax() == DBL_MAX && PyFloat_GetMin() == DBL_MIN);
    Py_RETURN_NONE;
}

static PyObject *mm(PyObject *a, PyObject *b) { return PyLong_FromLong(42); }
static PyObject *imm(PyObject *a, PyObject *b) { return PyLong_FromLong(43); }
static PyObject *iadd(PyObject *a, PyObject *b) { return PyLong_FromLong(44); }

TEST(test_operators) {
    PyType_Slot slots[] = {
        {Py_nb_matrix_multiply, (void *)mm},
        {Py_nb_inplace_matrix_multiply, (void *)imm},
        {Py_nb_inplace_add, (void *)iadd},
        {0, NULL},
    };
    PyType_Spec spec = {"ext_a_num.M", 0, 0, Py_TPFLAGS_DEFAULT, slots};
    PyObject *t = PyType_FromSpec(&spec);
    ASSERT(t);
    PyObject *x = PyObject_CallNoArgs(t);
    ASSERT(x);
    PyObject *one = PyLong_FromLong(1), *two = PyLong_FromLong(2);
    PyObject *r = PyNumber_MatrixMultiply(x, one);
    ASSERT(r && PyLong_AsLong(r) == 42); Py_DECREF(r);
    r = PyNumber_MatrixMultiply(one, x);
    ASSERT(r && PyLong_AsLong(r) == 42); Py_DECREF(r);
    r = PyNumber_InPlaceMatrixMultiply(x, one);
    ASSERT(r && PyLong_AsLong(r) == 43); Py_DECREF(r);
    ASSERT(PyNumber_MatrixMultiply(one, two) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    ASSERT(PyNumber_InPlaceMatrixMultiply(one, two) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    r = PyNumber_InPlaceAdd(x, one);
    ASSERT(r && PyLong_AsLong(r) == 44); Py_DECREF(r);
    /* in-place on ints */
    PyObject *seven = PyLong_FromLong(7);
    struct { PyObject *(*f)(PyObject *, PyObject *); long want; } ops[] = {
        {PyNumber_InPlaceAdd, 9}, {PyNumber_InPlaceSubtract, 5}, {PyNumber_InPlaceMultiply, 14},
        {PyNumber_InPlaceFloorDivide, 3}, {PyNumber_InPlaceRemainder, 1}, {PyNumber_InPlaceAnd, 2},
        {PyNumber_InPlaceOr, 7}, {PyNumber_InPlaceXor, 5}, {PyNumber_InPlaceLshift, 28},
        {PyNumber_InPlaceRshift, 1},
    };
    for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
        r = ops[i].f(seven, two);
        ASSERT(r && PyLong_AsLong(r) == ops[i].want);
        Py_DECREF(r);
    }
    r = PyNumber_InPlaceTrueDivide(seven, two);
    ASSERT(r && PyFloat_AsDouble(r) == 3.5); Py_DECREF(r);
    r = PyNumber_InPlacePower(seven, two, Py_None);
    ASSERT(r && PyLong_AsLong(r) == 49); Py_DECREF(r);
    PyObject *s = PyUnicode_FromString("s");
    ASSERT(PyNumber_InPlacePower(seven, s, Py_None) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    PyObject *(*bad[])(PyObject *, PyObject *) = {
        PyNumber_InPlaceSubtract, PyNumber_InPlaceFloorDivide, PyNumber_InPlaceAnd,
        PyNumber_InPlaceOr, PyNumber_InPlaceXor, PyNumber_InPlaceLshift, PyNumber_InPlaceRshift,
        PyNumber_InPlaceTrueDivide, PyNumber_InPlaceAdd, PyNumber_InPlaceRemainder,
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ASSERT(bad[i](seven, s) == NULL);
        ASSERT_RAISES(PyExc_TypeError);
    }
    ASSERT(PyNumber_InPlaceMultiply(s, s) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    PyObject *zero = PyLong_FromLong(0);
    ASSERT(PyNumber_InPlaceFloorDivide(seven, zero) == NULL);
    ASSERT_RAISES(PyExc_ZeroDivisionError);
    /* list += iterable and *= n mutate in place */
    PyObject *l = Py_BuildValue("[i]", 1);
    PyObject *l2 = Py_BuildValue("[ii]", 2, 3);
    r = PyNumber_InPlaceAdd(l, l2);
    ASSERT(r == l && PyList_Size(l) == 3); Py_DECREF(r);
    r = PyNumber_InPlaceMultiply(l, two);
    ASSERT(r == l && PyList_Size(l) == 6); Py_DECREF(r);
    /* divmod, positive, AsSsize_t */
    r = PyNumber_Divmod(seven, two);
    ASSERT(r && PyLong_AsLong(PyTuple_GetItem(r, 0)) == 3 && PyLong_AsLong(PyTuple_GetItem(r, 1)) == 1);
    Py_DECREF(r);
    ASSERT(PyNumber_Divmod(seven, zero) == NULL);
    ASSERT_RAISES(PyExc_ZeroDivisionError);
    ASSERT(PyNumber_Divmod(seven, s) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    r = PyNumber_Positive(seven);
    ASSERT(r && PyLong_AsLong(r) == 7); Py_DECREF(r);
    ASSERT(PyNumber_Positive(s) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    PyObject *big = PyNumber_Lshift(one, PyLong_FromLong(100));
    ASSERT(PyNumber_AsSsize_t(seven, NULL) == 7);
    ASSERT(PyNumber_AsSsize_t(big, NULL) == PY_SSIZE_T_MAX);
    ASSERT(PyNumber_AsSsize_t(big, PyExc_OverflowError) == -1);
    ASSERT_RAISES(PyExc_OverflowError);
    ASSERT(PyNumber_AsSsize_t(s, NULL) == -1);
    ASSERT_RAISES(PyExc_TypeError);
    /* ToBase */
    PyObject *v = PyLong_FromLong(255);
    r = PyNumber_ToBase(v, 16); ASSERT(eq(r, "0xff")); Py_DECREF(r);
    r = PyNumber_ToBase(v, 2); ASSERT(eq(r, "0b11111111")); Py_DECREF(r);
    r = PyNumber_ToBase(v, 8); ASSERT(eq(r, "0o377")); Py_DECREF(r);
    r = PyNumber_ToBase(v, 10); ASSERT(eq(r, "255")); Py_DECREF(r);
    PyObject *neg = PyLong_FromLong(-10);
    r = PyNumber_ToBase(neg, 16); ASSERT(eq(r, "-0xa")); Py_DECREF(r);
    ASSERT(PyNumber_ToBase(v, 3) == NULL);
    ASSERT_RAISES(PyExc_SystemError);
    ASSERT(PyNumber_ToBase(s, 2) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    Py_DECREF(neg); Py_DECREF(v); Py_DECREF(big); Py_DECREF(l2); Py_DECREF(l); Py_DECREF(zero);
    Py_DECREF(s); Py_DECREF(seven); Py_DECREF(two); Py_DECREF(one); Py_DECREF(x); Py_DECREF(t);
    Py_RETURN_NONE;
}

TEST(test_long_more) {
    PyObject *s = PyUnicode_FromString("s");
    PyObject *m1 = PyLong_FromLong(-1);
    PyObject *big = PyNumber_Lshift(PyLong_FromLong(1), PyLong_FromLong(100));
    int ov = 0;
    ASSERT(PyLong_AsLongLongAndOverflow(big, &ov) == -1 && ov == 1);
    ASSERT(PyLong_AsLongLongAndOverflow(m1, &ov) == -1 && ov == 0);
    ASSERT(PyLong_AsLongLongAndOverflow(s, &ov) == -1);
    ASSERT_RAISES(PyExc_TypeError);
    PyObject *v = PyLong_FromSize_t((size_t)1 << 40);
    ASSERT(v && PyLong_AsSize_t(v) == (size_t)1 << 40);
    ASSERT(PyLong_AsSize_t(m1) == (size_t)-1);
    ASSERT_RAISES(PyExc_OverflowError);
    ASSERT(PyLong_AsSize_t(s) == (size_t)-1);
    ASSERT_RAISES(PyExc_TypeError);
    Py_DECREF(v);
    ASSERT(PyLong_AsUnsignedLongMask(m1) == ULONG_MAX);
    ASSERT(PyLong_AsUnsignedLongLongMask(m1) == ULLONG_MAX);
    ASSERT(PyLong_AsUnsignedLongMask(s) == (unsigned long)-1);
    ASSERT_RAISES(PyExc_TypeError);
    ASSERT(PyLong_AsUnsignedLongLongMask(s) == (unsigned long long)-1);
    ASSERT_RAISES(PyExc_TypeError);
    v = PyLong_FromUnsignedLong(ULONG_MAX);
    ASSERT(v && PyLong_AsUnsignedLong(v) == ULONG_MAX);
    Py_DECREF(v);
    int x = 5;
    v = PyLong_FromVoidPtr(&x);
    ASSERT(v && PyLong_AsVoidPtr(v) == &x);
    Py_DECREF(v);
    ASSERT(PyLong_AsVoidPtr(s) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    v = PyLong_FromDouble(3.9);
    ASSERT(v && PyLong_AsLong(v) == 3);
    Py_DECREF(v);
    ASSERT(PyLong_FromDouble(INFINITY) == NULL);
    ASSERT_RAISES(PyExc_OverflowError);
    ASSERT(PyLong_FromDouble(NAN) == NULL);
    ASSERT_RAISES(PyExc_ValueError);
    char *end = NULL;
    v = PyLong_FromString("0x1f  ", &end, 0);
    ASSERT(v && PyLong_AsLong(v) == 31 && end && *end == 0);
    Py_DECREF(v);
    v = PyLong_FromString("-42", NULL, 10);
    ASSERT(v && PyLong_AsLong(v) == -42);
    Py_DECREF(v);
    ASSERT(PyLong_FromString("zz", NULL, 10) == NULL);
    ASSERT_RAISES(PyExc_ValueError);
#if PY_VERSION_HEX >= 0x030D0000
    ASSERT(PyLong_AsInt(m1) == -1 && !PyErr_Occurred());
    ASSERT(PyLong_AsInt(big) == -1);
    ASSERT_RAISES(PyExc_OverflowError);
#endif
#if PY_VERSION_HEX >= 0x030E0000
    int32_t i32; int64_t i64; uint32_t u32; uint64_t u64;
    v = PyLong_FromInt32(-7);
    ASSERT(v && PyLong_AsInt32(v, &i32) == 0 && i32 == -7);
    ASSERT(PyLong_AsUInt32(v, &u32) == -1);
    ASSERT_RAISES(PyExc_ValueError);
    Py_DECREF(v);
    v = PyLong_FromInt64(-((int64_t)1 << 40));
    ASSERT(v && PyLong_AsInt64(v, &i64) == 0 && i64 == -((int64_t)1 << 40));
    ASSERT(PyLong_AsInt32(v, &i32) == -1);
    ASSERT_RAISES(PyExc_OverflowError);
    Py_DECREF(v);
    v = PyLong_FromUInt32(4000000000u);
    ASSERT(v && PyLong_AsUInt32(v, &u32) == 0 && u32 == 4000000000u);
    Py_DECREF(v);
    v = PyLong_FromUInt64(UINT64_MAX);
    ASSERT(v && PyLong_AsUInt64(v, &u64) == 0 && u64 == UINT64_MAX);
    ASSERT(PyLong_AsInt64(v, &i64) == -1);
    ASSERT_RAISES(PyExc_OverflowError);
    ASSERT(PyLong_AsUInt64(s, &u64) == -1);
    ASSERT_RAISES(PyExc_TypeError);
    Py_DECREF(v);
#endif
    PyObject *f = PyFloat_FromString(PyUnicode_FromString("2.5"));
    ASSERT(f && PyFloat_AsDouble(f) == 2.5);
    Py_DECREF(f);
    ASSERT(PyFloat_FromString(s) == NULL);
    ASSERT_RAISES(PyExc_ValueError);
    Py_DECREF(big); Py_DECREF(m1); Py_DECREF(s);
    Py_RETURN_NONE;
}

TEST(test_bytes_more) {
    PyObject *b = PyBytes_FromString("it's");
    PyObject *r = PyBytes_Repr(b, 1);
    ASSERT(eq(r, "b\"it's\""));
    Py_DECREF(r);
    r = PyBytes_Repr(b, 0);
    ASSERT(eq(r, "b'it\\'s'"));
    Py_DECREF(r);
    PyObject *d = PyBytes_DecodeEscape("a\\nb\\x41\\101\\\\", 14, NULL, 0, NULL);
    ASSERT(d && PyBytes_Size(d) == 6 && memcmp(PyBytes_AsString(d), "a\nbAA\\", 6) == 0);
    Py_DECREF(d);
    ASSERT(PyBytes_DecodeEscape("\\x4", 3, NULL, 0, NULL) == NULL);
    ASSERT_RAISES(PyExc_ValueError);
    PyObject *c = PyBytes_FromString("ab");
    PyObject *w = PyBytes_FromString("cd");
    PyBytes_ConcatAndDel(&c, w);
    ASSERT(c && PyBytes_Size(c) == 4 && memcmp(PyBytes_AsString(c), "abcd", 4) == 0);
    PyObject *s = PyUnicode_FromString("s");
    Py_INCREF(s);
    PyBytes_ConcatAndDel(&c, s);
    ASSERT(c == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    PyObject *l = Py_BuildValue("[ii]", 104, 105);
    PyObject *f = PyBytes_FromObject(l);
    ASSERT(f && PyBytes_Size(f) == 2 && memcmp(PyBytes_AsString(f), "hi", 2) == 0);
    Py_DECREF(f);
    ASSERT(PyBytes_FromObject(s) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
#ifdef PYOPAQUE
    ASSERT(PyBytes_Repr(s, 1) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
#endif
    Py_DECREF(l); Py_DECREF(s); Py_DECREF(b);
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    DEF(test_bytearray),
    DEF(test_complex),
    DEF(test_native_bytes),
    DEF(test_info),
    DEF(test_operators),
    DEF(test_long_more),
    DEF(test_bytes_more),
    {NULL, NULL, 0, NULL},
};
static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "ext_a_num", NULL, -1, methods};
PyMODINIT_FUNC PyInit_ext_a_num(void) { return PyModule_Create(&module); }
