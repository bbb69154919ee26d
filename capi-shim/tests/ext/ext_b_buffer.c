/* Buffer protocol, memoryview, slices, iterator constructors. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>
#include "testing.h"

TEST(test_buffer_bytes) {
    PyObject *b = PyBytes_FromStringAndSize("hello", 5);
    ASSERT(PyObject_CheckBuffer(b) == 1);
    PyObject *i = PyLong_FromLong(1);
    ASSERT(PyObject_CheckBuffer(i) == 0);
    Py_buffer v;
    ASSERT(PyObject_GetBuffer(b, &v, PyBUF_SIMPLE) == 0);
    ASSERT(v.len == 5 && v.readonly == 1 && memcmp(v.buf, "hello", 5) == 0);
    ASSERT(v.obj == b);
    PyGC_Collect(); /* the bytes is pinned while the buffer is held */
    ASSERT(memcmp(v.buf, "hello", 5) == 0);
    ASSERT(PyBuffer_IsContiguous(&v, 'C') == 1);
    ASSERT(PyBuffer_IsContiguous(&v, 'A') == 1);
    PyBuffer_Release(&v);
    ASSERT(v.obj == NULL);
    ASSERT(PyObject_GetBuffer(b, &v, PyBUF_WRITABLE) == -1); /* error path */
    ASSERT_RAISES(PyExc_BufferError);
    ASSERT(PyObject_GetBuffer(i, &v, PyBUF_SIMPLE) == -1);
    ASSERT_RAISES(PyExc_TypeError);
    Py_DECREF(i);
    Py_DECREF(b);
    Py_RETURN_NONE;
}

TEST(test_buffer_fillinfo) {
    static char mem[12] = "abcdefghijk";
    Py_buffer v;
    ASSERT(PyBuffer_FillInfo(&v, NULL, mem, 12, 0, PyBUF_FULL) == 0);
    ASSERT(v.buf == mem && v.len == 12 && v.itemsize == 1 && v.ndim == 1);
    ASSERT(v.format && strcmp(v.format, "B") == 0);
    ASSERT(v.shape && v.shape[0] == 12 && v.strides && v.strides[0] == 1);
    Py_ssize_t idx = 3;
    ASSERT(PyBuffer_GetPointer(&v, &idx) == mem + 3);
    char out[12];
    ASSERT(PyBuffer_ToContiguous(out, &v, 12, 'C') == 0 && memcmp(out, mem, 12) == 0);
    char in[4] = {'W', 'X', 'Y', 'Z'};
    ASSERT(PyBuffer_FromContiguous(&v, in, 4, 'C') == 0 && memcmp(mem, "WXYZ", 4) == 0);
    PyBuffer_Release(&v);
    ASSERT(PyBuffer_FillInfo(&v, NULL, mem, 12, 1, PyBUF_WRITABLE) == -1); /* error path */
    ASSERT_RAISES(PyExc_BufferError);

    Py_ssize_t shape[3] = {2, 3, 4}, strides[3];
    PyBuffer_FillContiguousStrides(3, shape, strides, 8, 'C');
    ASSERT(strides[0] == 96 && strides[1] == 32 && strides[2] == 8);
    PyBuffer_FillContiguousStrides(3, shape, strides, 8, 'F');
    ASSERT(strides[0] == 8 && strides[1] == 16 && strides[2] == 48);
    ASSERT(PyBuffer_SizeFromFormat("i") == sizeof(int));
    ASSERT(PyBuffer_SizeFromFormat("d") == 8);
    ASSERT(PyBuffer_SizeFromFormat("3h") == 6);
    ASSERT(PyBuffer_SizeFromFormat("Z") == -1); /* error path */
    ASSERT(PyErr_Occurred());
    PyErr_Clear();
    Py_RETURN_NONE;
}

TEST(test_memoryview) {
    static char mem[6] = "12345";
    PyObject *mv = PyMemoryView_FromMemory(mem, 5, PyBUF_WRITE);
    ASSERT(mv != NULL);
    ASSERT(PyObject_CheckBuffer(mv) == 1);
    Py_buffer v;
    ASSERT(PyObject_GetBuffer(mv, &v, PyBUF_WRITABLE) == 0);
    ASSERT(v.buf == mem && v.len == 5 && v.readonly == 0);
    PyBuffer_Release(&v);

    PyObject *src = PyBytes_FromString("abcde");
    ASSERT(PyObject_CopyData(mv, src) == 0);
    ASSERT(memcmp(mem, "abcde", 5) == 0);
    ASSERT(PyObject_CopyData(src, mv) == -1); /* error path: bytes are read-only */
    ASSERT_RAISES(PyExc_BufferError);

    PyObject *ro = PyMemoryView_FromMemory(mem, 5, PyBUF_READ);
    ASSERT(ro != NULL);
    ASSERT(PyObject_GetBuffer(ro, &v, PyBUF_WRITABLE) == -1);
    ASSERT_RAISES(PyExc_BufferError);

    PyObject *mb = PyMemoryView_FromObject(src);
    ASSERT(mb != NULL);
    ASSERT(PyObject_GetBuffer(mb, &v, PyBUF_SIMPLE) == 0);
    ASSERT(v.len == 5 && memcmp(v.buf, "abcde", 5) == 0);
    PyGC_Collect();
    ASSERT(memcmp(v.buf, "abcde", 5) == 0);
    PyBuffer_Release(&v);
    PyObject *i = PyLong_FromLong(3);
    ASSERT(PyMemoryView_FromObject(i) == NULL);
    ASSERT_RAISES(PyExc_TypeError);

    Py_buffer info;
    ASSERT(PyBuffer_FillInfo(&info, NULL, mem, 5, 1, PyBUF_FULL_RO) == 0);
    PyObject *mf = PyMemoryView_FromBuffer(&info);
    ASSERT(mf != NULL);
    ASSERT(PyObject_GetBuffer(mf, &v, PyBUF_FULL_RO) == 0 && v.buf == mem && v.len == 5);
    PyBuffer_Release(&v);
    info.buf = NULL;
    ASSERT(PyMemoryView_FromBuffer(&info) == NULL);
    ASSERT_RAISES(PyExc_ValueError);

    PyObject *c = PyMemoryView_GetContiguous(src, PyBUF_READ, 'C');
    ASSERT(c != NULL);
    ASSERT(PyObject_GetBuffer(c, &v, PyBUF_SIMPLE) == 0 && v.len == 5);
    PyBuffer_Release(&v);
    ASSERT(PyMemoryView_GetContiguous(i, PyBUF_READ, 'C') == NULL);
    ASSERT_RAISES(PyExc_TypeError);

    Py_DECREF(c); Py_DECREF(mf); Py_DECREF(i); Py_DECREF(mb); Py_DECREF(ro);
    Py_DECREF(src); Py_DECREF(mv);
    Py_RETURN_NONE;
}

TEST(test_slice) {
    PyObject *one = PyLong_FromLong(1), *ten = PyLong_FromLong(10), *two = PyLong_FromLong(2);
    PyObject *s = PySlice_New(one, ten, two);
    ASSERT(s != NULL);
    Py_ssize_t a, b, c, n;
    ASSERT(PySlice_Unpack(s, &a, &b, &c) == 0 && a == 1 && b == 10 && c == 2);
    n = PySlice_AdjustIndices(5, &a, &b, c);
    ASSERT(a == 1 && b == 5 && n == 2);
    ASSERT(PySlice_GetIndicesEx(s, 20, &a, &b, &c, &n) == 0 && a == 1 && b == 10 && c == 2 && n == 5);
    ASSERT(PySlice_GetIndices(s, 20, &a, &b, &c) == 0 && a == 1 && b == 10 && c == 2);
    ASSERT(PySlice_GetIndices(s, 5, &a, &b, &c) == -1 && !PyErr_Occurred()); /* stop > length */
    PyObject *all = PySlice_New(NULL, NULL, NULL);
    ASSERT(PySlice_Unpack(all, &a, &b, &c) == 0 && a == 0 && b == PY_SSIZE_T_MAX && c == 1);
    ASSERT(PySlice_GetIndicesEx(all, 7, &a, &b, &c, &n) == 0 && a == 0 && b == 7 && n == 7);
    PyObject *m1 = PyLong_FromLong(-1);
    PyObject *rev = PySlice_New(NULL, NULL, m1);
    ASSERT(PySlice_GetIndicesEx(rev, 4, &a, &b, &c, &n) == 0 && a == 3 && b == -1 && c == -1 && n == 4);
    PyObject *zero = PyLong_FromLong(0);
    PyObject *bad = PySlice_New(NULL, NULL, zero);
    ASSERT(PySlice_Unpack(bad, &a, &b, &c) == -1); /* error path */
    ASSERT_RAISES(PyExc_ValueError);
    ASSERT(PySlice_GetIndicesEx(bad, 3, &a, &b, &c, &n) == -1);
    ASSERT_RAISES(PyExc_ValueError);
    PyObject *str = PyUnicode_FromString("x");
    PyObject *bad2 = PySlice_New(str, NULL, NULL);
    ASSERT(PySlice_Unpack(bad2, &a, &b, &c) == -1);
    ASSERT_RAISES(PyExc_TypeError);
    /* subscripting with slices */
    PyObject *l = Py_BuildValue("[iiiii]", 0, 1, 2, 3, 4);
    PyObject *sub = PyObject_GetItem(l, s); /* [1:10:2] */
    ASSERT(sub && PyList_Check(sub) && PyList_Size(sub) == 2 && PyLong_AsLong(PyList_GetItem(sub, 1)) == 3);
    Py_DECREF(sub);
    PyObject *t = PyList_AsTuple(l);
    sub = PyObject_GetItem(t, rev);
    ASSERT(sub && PyTuple_Check(sub) && PyTuple_Size(sub) == 5 && PyLong_AsLong(PyTuple_GetItem(sub, 0)) == 4);
    Py_DECREF(sub);
    PyObject *text = PyUnicode_FromString("h\xc3\xa9llo");
    sub = PyObject_GetItem(text, rev);
    PyObject *expect = PyUnicode_FromString("oll\xc3\xa9h");
    ASSERT(sub && PyUnicode_Compare(sub, expect) == 0 && PyUnicode_GetLength(sub) == 5);
    Py_DECREF(expect);
    Py_DECREF(sub);
    PyObject *by = PyBytes_FromString("abcdef");
    sub = PyObject_GetItem(by, s);
    ASSERT(sub && PyBytes_Size(sub) == 3 && memcmp(PyBytes_AsString(sub), "bdf", 3) == 0);
    Py_DECREF(sub);
    PyObject *repl = Py_BuildValue("[ss]", "a", "b");
    ASSERT(PyObject_SetItem(l, s, repl) == 0); /* l[1:10:2] = ['a', 'b'] */
    ASSERT(PyUnicode_Check(PyList_GetItem(l, 1)) && PyUnicode_Check(PyList_GetItem(l, 3)));
    ASSERT(PyObject_DelItem(l, all) == 0 && PyList_Size(l) == 0);
    ASSERT(PyObject_GetItem(t, bad) == NULL); /* error path: zero step */
    ASSERT_RAISES(PyExc_ValueError);
    ASSERT(PyObject_GetItem(t, bad2) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    Py_DECREF(repl); Py_DECREF(by); Py_DECREF(text); Py_DECREF(t); Py_DECREF(l);
    Py_DECREF(bad2); Py_DECREF(str); Py_DECREF(bad); Py_DECREF(zero); Py_DECREF(rev);
    Py_DECREF(m1); Py_DECREF(all); Py_DECREF(s); Py_DECREF(one); Py_DECREF(ten); Py_DECREF(two);
    Py_RETURN_NONE;
}

static int counter;
static PyObject *count_up(PyObject *self, PyObject *unused) { return PyLong_FromLong(++counter); }
static PyObject *boom(PyObject *self, PyObject *unused) {
    PyErr_SetString(PyExc_ValueError, "boom");
    return NULL;
}
static PyMethodDef count_def = {"count_up", count_up, METH_NOARGS, NULL};
static PyMethodDef boom_def = {"boom", boom, METH_NOARGS, NULL};

TEST(test_iterators) {
    PyObject *l = PyList_New(0);
    for (int k = 0; k < 3; k++) {
        PyObject *x = PyLong_FromLong(k * 10);
        PyList_Append(l, x);
        Py_DECREF(x);
    }
    PyObject *it = PySeqIter_New(l);
    ASSERT(it && PyIter_Check(it));
    long sum = 0;
    PyObject *x;
    while ((x = PyIter_Next(it))) { sum += PyLong_AsLong(x); Py_DECREF(x); }
    ASSERT(!PyErr_Occurred() && sum == 30);
    Py_DECREF(it);
    PyObject *notseq = PyLong_FromLong(5);
    ASSERT(PySeqIter_New(notseq) == NULL); /* error path: not a sequence */
    ASSERT_RAISES(PyExc_SystemError);
    Py_DECREF(notseq);

    PyObject *f = PyCFunction_New(&count_def, NULL);
    PyObject *three = PyLong_FromLong(3);
    counter = 0;
    PyObject *ci = PyCallIter_New(f, three);
    ASSERT(ci && PyIter_Check(ci));
    sum = 0;
    while ((x = PyIter_Next(ci))) { sum += PyLong_AsLong(x); Py_DECREF(x); }
    ASSERT(!PyErr_Occurred() && sum == 3); /* 1 + 2, stops at 3 */
    ASSERT(PyIter_Next(ci) == NULL && !PyErr_Occurred()); /* stays exhausted */
    Py_DECREF(ci);
    PyObject *bf = PyCFunction_New(&boom_def, NULL);
    ci = PyCallIter_New(bf, three);
    ASSERT(PyIter_Next(ci) == NULL); /* error path: the callable raises */
    ASSERT_RAISES(PyExc_ValueError);
    Py_DECREF(ci);

#if PY_VERSION_HEX >= 0x030A0000
    PyObject *res;
    it = PyObject_GetIter(l);
    ASSERT(PyIter_Send(it, Py_None, &res) == PYGEN_NEXT && PyLong_AsLong(res) == 0);
    Py_DECREF(res);
    ASSERT(PyIter_Send(it, Py_None, &res) == PYGEN_NEXT); Py_DECREF(res);
    ASSERT(PyIter_Send(it, Py_None, &res) == PYGEN_NEXT); Py_DECREF(res);
    ASSERT(PyIter_Send(it, Py_None, &res) == PYGEN_RETURN && res == Py_None);
    Py_DECREF(res);
    ASSERT(PyIter_Send(it, three, &res) == PYGEN_ERROR && res == NULL); /* no send() */
    ASSERT_RAISES(PyExc_AttributeError);
    Py_DECREF(it);
    ASSERT(PyAIter_Check(l) == 0);
    ASSERT(PyObject_GetAIter(l) == NULL); /* error path */
    ASSERT_RAISES(PyExc_TypeError);
#endif
    Py_DECREF(bf); Py_DECREF(three); Py_DECREF(f); Py_DECREF(l);
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    DEF(test_buffer_bytes),
    DEF(test_buffer_fillinfo),
    DEF(test_memoryview),
    DEF(test_slice),
    DEF(test_iterators),
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "ext_b_buffer", NULL, -1, methods};

PyMODINIT_FUNC PyInit_ext_b_buffer(void) { return PyModule_Create(&module); }
