/* Work package "d": the remaining exported data items. Every static type symbol is checked
 * against real objects (Py_TYPE of what the API or a builtin method returns, the Check macros,
 * isinstance, calling the type), the ABI-only singletons against the objects the runtime hands
 * out, and the interpreter settings against what the runtime does. Builds against CPython's
 * headers too (cpython_reference); pyopaque-only expectations are under #ifdef PYOPAQUE. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>
#include "testing.h"

/* The type of iter(o), with the iterator released (the type is immortal). */
static PyTypeObject *iter_type(PyObject *o) {
    PyObject *it = PyObject_GetIter(o);
    if (it == NULL)
        return NULL;
    PyTypeObject *t = Py_TYPE(it);
    Py_DECREF(it);
    return t;
}

/* Calling a type that cannot be instantiated raises TypeError. */
static int not_callable(PyTypeObject *t) {
    PyObject *r = PyObject_CallNoArgs((PyObject *)t);
    if (r != NULL) {
        Py_DECREF(r);
        return 0;
    }
    if (!PyErr_ExceptionMatches(PyExc_TypeError))
        return 0;
    PyErr_Clear();
    return 1;
}

/* Sum of the ints an iterator yields (-1000 on error). */
static long sum_iter(PyObject *it) {
    long s = 0;
    PyObject *x;
    while ((x = PyIter_Next(it)) != NULL) {
        s += PyLong_AsLong(x);
        Py_DECREF(x);
    }
    return PyErr_Occurred() ? -1000 : s;
}

TEST(test_sequence_iterators) {
    PyObject *l = Py_BuildValue("[iii]", 1, 2, 3);
    PyObject *t = Py_BuildValue("(ii)", 4, 5);
    PyObject *b = PyBytes_FromString("ab");
    PyObject *ba = PyByteArray_FromStringAndSize("xyz", 3);
    PyObject *u = PyUnicode_FromString("\xc3\xa9t\xc3\xa9"); /* "été": not ASCII */
    PyObject *a = PyUnicode_FromString("abc");
    ASSERT(l && t && b && ba && u && a);

    PyObject *it = PyObject_GetIter(l);
    ASSERT(it && Py_TYPE(it) == &PyListIter_Type && PyIter_Check(it));
    ASSERT(PyObject_IsInstance(it, (PyObject *)&PyListIter_Type) == 1);
    ASSERT(PyObject_GetIter(it) == it); /* iter(iterator) is the iterator */
    Py_DECREF(it);
    ASSERT(sum_iter(it) == 6);
    Py_DECREF(it);

    it = PyObject_GetIter(t);
    ASSERT(it && Py_TYPE(it) == &PyTupleIter_Type);
    ASSERT(sum_iter(it) == 9);
    Py_DECREF(it);

    it = PyObject_GetIter(b);
    ASSERT(it && Py_TYPE(it) == &PyBytesIter_Type);
    ASSERT(sum_iter(it) == 'a' + 'b');
    Py_DECREF(it);

    it = PyObject_GetIter(ba);
    ASSERT(it && Py_TYPE(it) == &PyByteArrayIter_Type);
    ASSERT(sum_iter(it) == 'x' + 'y' + 'z');
    Py_DECREF(it);

    /* str_iterator over a non-ASCII string yields one-character strings. */
    it = PyObject_GetIter(u);
    ASSERT(it && Py_TYPE(it) == &PyUnicodeIter_Type);
    PyObject *c = PyIter_Next(it);
    ASSERT(c && PyUnicode_GetLength(c) == 1 && PyUnicode_ReadChar(c, 0) == 0xe9);
    Py_DECREF(c);
    c = PyIter_Next(it);
    ASSERT(c && PyUnicode_CompareWithASCIIString(c, "t") == 0);
    Py_DECREF(c);
    c = PyIter_Next(it);
    ASSERT(c && PyUnicode_ReadChar(c, 0) == 0xe9);
    Py_DECREF(c);
    ASSERT(PyIter_Next(it) == NULL && !PyErr_Occurred());
    Py_DECREF(it);
    /* An ASCII string has its own iterator type (str_ascii_iterator, as in CPython 3.11+). */
    ASSERT(iter_type(a) != NULL && iter_type(a) != &PyUnicodeIter_Type);

    /* The iterator types cannot be instantiated. */
    ASSERT(not_callable(&PyListIter_Type) && not_callable(&PyTupleIter_Type));
    ASSERT(not_callable(&PyBytesIter_Type) && not_callable(&PyByteArrayIter_Type));
    ASSERT(not_callable(&PyUnicodeIter_Type));

    /* reversed(list): list.__reversed__() */
    it = PyObject_CallMethod(l, "__reversed__", NULL);
    ASSERT(it && Py_TYPE(it) == &PyListRevIter_Type);
    PyObject *x = PyIter_Next(it);
    ASSERT(x && PyLong_AsLong(x) == 3);
    Py_DECREF(x);
    ASSERT(sum_iter(it) == 3);
    Py_DECREF(it);
    ASSERT(not_callable(&PyListRevIter_Type));

    Py_DECREF(a); Py_DECREF(u); Py_DECREF(ba); Py_DECREF(b); Py_DECREF(t); Py_DECREF(l);
    Py_RETURN_NONE;
}

TEST(test_dict_iterators) {
    PyObject *d = Py_BuildValue("{sisisi}", "a", 1, "b", 2, "c", 3);
    ASSERT(d);
    PyObject *it = PyObject_GetIter(d);
    ASSERT(it && Py_TYPE(it) == &PyDictIterKey_Type);
    PyObject *k = PyIter_Next(it);
    ASSERT(k && PyUnicode_CompareWithASCIIString(k, "a") == 0);
    Py_DECREF(k);
    /* error path: the dict changes size during iteration */
    PyObject *four = PyLong_FromLong(4);
    ASSERT(PyDict_SetItemString(d, "d", four) == 0);
    ASSERT(PyIter_Next(it) == NULL);
    ASSERT_RAISES(PyExc_RuntimeError);
    Py_DECREF(it);
    ASSERT(PyDict_DelItemString(d, "d") == 0);

    PyObject *values = PyObject_CallMethod(d, "values", NULL);
    ASSERT(values != NULL && PyObject_Size(values) == 3);
    it = PyObject_GetIter(values);
    ASSERT(it && Py_TYPE(it) == &PyDictIterValue_Type);
    ASSERT(sum_iter(it) == 6);
    Py_DECREF(it);
    it = PyObject_CallMethod(values, "__reversed__", NULL);
    ASSERT(it && Py_TYPE(it) == &PyDictRevIterValue_Type);
    PyObject *v = PyIter_Next(it);
    ASSERT(v && PyLong_AsLong(v) == 3);
    Py_DECREF(v);
    Py_DECREF(it);

    PyObject *items = PyObject_CallMethod(d, "items", NULL);
    ASSERT(items != NULL);
    it = PyObject_GetIter(items);
    ASSERT(it && Py_TYPE(it) == &PyDictIterItem_Type);
    PyObject *kv = PyIter_Next(it);
    ASSERT(kv && PyTuple_Check(kv) && PyTuple_Size(kv) == 2);
    ASSERT(PyUnicode_CompareWithASCIIString(PyTuple_GetItem(kv, 0), "a") == 0);
    ASSERT(PyLong_AsLong(PyTuple_GetItem(kv, 1)) == 1);
    Py_DECREF(kv);
    Py_DECREF(it);
    it = PyObject_CallMethod(items, "__reversed__", NULL);
    ASSERT(it && Py_TYPE(it) == &PyDictRevIterItem_Type);
    kv = PyIter_Next(it);
    ASSERT(kv && PyUnicode_CompareWithASCIIString(PyTuple_GetItem(kv, 0), "c") == 0);
    Py_DECREF(kv);
    Py_DECREF(it);

    PyObject *keys = PyObject_CallMethod(d, "keys", NULL);
    ASSERT(keys != NULL);
    ASSERT(iter_type(keys) == &PyDictIterKey_Type);
    it = PyObject_CallMethod(d, "__reversed__", NULL);
    ASSERT(it && Py_TYPE(it) == &PyDictRevIterKey_Type);
    k = PyIter_Next(it);
    ASSERT(k && PyUnicode_CompareWithASCIIString(k, "c") == 0);
    Py_DECREF(k);
    k = PyIter_Next(it);
    ASSERT(k && PyUnicode_CompareWithASCIIString(k, "b") == 0);
    Py_DECREF(k);
    Py_DECREF(it);
    it = PyObject_CallMethod(keys, "__reversed__", NULL);
    ASSERT(it && Py_TYPE(it) == &PyDictRevIterKey_Type);
    Py_DECREF(it);

    ASSERT(not_callable(&PyDictIterKey_Type) && not_callable(&PyDictIterValue_Type));
    ASSERT(not_callable(&PyDictIterItem_Type) && not_callable(&PyDictRevIterKey_Type));
    ASSERT(not_callable(&PyDictRevIterValue_Type) && not_callable(&PyDictRevIterItem_Type));
    Py_DECREF(keys); Py_DECREF(items); Py_DECREF(values); Py_DECREF(four); Py_DECREF(d);
    Py_RETURN_NONE;
}

TEST(test_sets) {
    PyObject *l = Py_BuildValue("[iii]", 1, 2, 2);
    PyObject *s = PySet_New(l);
    PyObject *f = PyFrozenSet_New(l);
    ASSERT(s && f);
    ASSERT(Py_TYPE(s) == &PySet_Type && PySet_Check(s) && PySet_CheckExact(s));
    ASSERT(Py_TYPE(f) == &PyFrozenSet_Type && PyFrozenSet_Check(f) && !PySet_Check(f));
    ASSERT(PyAnySet_Check(s) && PyAnySet_Check(f));
    ASSERT(PyObject_IsInstance(f, (PyObject *)&PyFrozenSet_Type) == 1);
    ASSERT(PyObject_IsInstance(s, (PyObject *)&PyFrozenSet_Type) == 0);
    ASSERT(iter_type(s) == &PySetIter_Type && iter_type(f) == &PySetIter_Type);
    PyObject *it = PyObject_GetIter(s);
    ASSERT(it && sum_iter(it) == 3);
    Py_DECREF(it);
    /* error path: the set changes size during iteration */
    it = PyObject_GetIter(s);
    PyObject *nine = PyLong_FromLong(9);
    ASSERT(it && PySet_Add(s, nine) == 0);
    ASSERT(PyIter_Next(it) == NULL);
    ASSERT_RAISES(PyExc_RuntimeError);
    Py_DECREF(it);
    ASSERT(not_callable(&PySetIter_Type));

    /* Calling the types builds sets. */
    PyObject *args = PyTuple_Pack(1, l);
    PyObject *s2 = PyObject_CallObject((PyObject *)&PySet_Type, args);
    ASSERT(s2 && Py_TYPE(s2) == &PySet_Type && PySet_Size(s2) == 2);
    PyObject *f2 = PyObject_CallObject((PyObject *)&PyFrozenSet_Type, args);
    ASSERT(f2 && Py_TYPE(f2) == &PyFrozenSet_Type && PySet_Size(f2) == 2);
    PyObject *e = PyObject_CallNoArgs((PyObject *)&PySet_Type);
    ASSERT(e && PySet_Size(e) == 0);
    Py_DECREF(e);
    /* error path: set() of a non-iterable */
    ASSERT(PyObject_CallOneArg((PyObject *)&PySet_Type, nine) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    Py_DECREF(f2); Py_DECREF(s2); Py_DECREF(args); Py_DECREF(nine);
    Py_DECREF(f); Py_DECREF(s); Py_DECREF(l);
    Py_RETURN_NONE;
}

TEST(test_value_types) {
    /* slice */
    PyObject *one = PyLong_FromLong(1), *five = PyLong_FromLong(5);
    PyObject *sl = PySlice_New(one, five, NULL);
    ASSERT(sl && Py_TYPE(sl) == &PySlice_Type && PySlice_Check(sl));
    Py_DECREF(sl);
    sl = PyObject_CallFunction((PyObject *)&PySlice_Type, "OO", one, five);
    ASSERT(sl && Py_TYPE(sl) == &PySlice_Type);
    Py_ssize_t start, stop, step;
    ASSERT(PySlice_Unpack(sl, &start, &stop, &step) == 0 && start == 1 && stop == 5 && step == 1);
    Py_DECREF(sl);
    ASSERT(PyObject_CallNoArgs((PyObject *)&PySlice_Type) == NULL); /* error path */
    ASSERT_RAISES(PyExc_TypeError);
    ASSERT(PyObject_CallFunction((PyObject *)&PySlice_Type, "OOOO", one, one, one, one) == NULL);
    ASSERT_RAISES(PyExc_TypeError);

    /* complex */
    PyObject *z = PyComplex_FromDoubles(1.5, -2.0);
    ASSERT(z && Py_TYPE(z) == &PyComplex_Type && PyComplex_Check(z) && PyComplex_CheckExact(z));
    Py_DECREF(z);
    z = PyObject_CallFunction((PyObject *)&PyComplex_Type, "dd", 3.0, 4.0);
    ASSERT(z && Py_TYPE(z) == &PyComplex_Type);
    ASSERT(PyComplex_RealAsDouble(z) == 3.0 && PyComplex_ImagAsDouble(z) == 4.0);
    Py_DECREF(z);
    PyObject *lst = PyList_New(0);
    ASSERT(PyObject_CallOneArg((PyObject *)&PyComplex_Type, lst) == NULL); /* error path */
    ASSERT_RAISES(PyExc_TypeError);

    /* bytearray */
    PyObject *ba = PyByteArray_FromStringAndSize("ab", 2);
    ASSERT(ba && Py_TYPE(ba) == &PyByteArray_Type && PyByteArray_Check(ba));
    Py_DECREF(ba);
    PyObject *bytes = PyBytes_FromString("xyz");
    ba = PyObject_CallOneArg((PyObject *)&PyByteArray_Type, bytes);
    ASSERT(ba && Py_TYPE(ba) == &PyByteArray_Type && PyByteArray_Size(ba) == 3);
    ASSERT(memcmp(PyByteArray_AsString(ba), "xyz", 3) == 0);
    Py_DECREF(ba);
    PyObject *u = PyUnicode_FromString("s");
    ASSERT(PyObject_CallOneArg((PyObject *)&PyByteArray_Type, u) == NULL); /* error path */
    ASSERT_RAISES(PyExc_TypeError);

    /* memoryview */
    PyObject *mv = PyMemoryView_FromObject(bytes);
    ASSERT(mv && Py_TYPE(mv) == &PyMemoryView_Type && PyMemoryView_Check(mv));
    Py_DECREF(mv);
    mv = PyObject_CallOneArg((PyObject *)&PyMemoryView_Type, bytes);
    ASSERT(mv && Py_TYPE(mv) == &PyMemoryView_Type && PyObject_Size(mv) == 3);
    Py_DECREF(mv);
    ASSERT(PyObject_CallOneArg((PyObject *)&PyMemoryView_Type, one) == NULL); /* error path */
    ASSERT_RAISES(PyExc_TypeError);

    /* mappingproxy */
    PyObject *d = Py_BuildValue("{si}", "k", 7);
    PyObject *p = PyDictProxy_New(d);
    ASSERT(p && Py_TYPE(p) == &PyDictProxy_Type);
    Py_DECREF(p);
    p = PyObject_CallOneArg((PyObject *)&PyDictProxy_Type, d);
    ASSERT(p && Py_TYPE(p) == &PyDictProxy_Type);
    PyObject *key = PyUnicode_FromString("k");
    PyObject *seven = PyObject_GetItem(p, key);
    ASSERT(seven && PyLong_AsLong(seven) == 7);
    Py_DECREF(seven);
    Py_DECREF(key);
    Py_DECREF(p);
    ASSERT(PyObject_CallOneArg((PyObject *)&PyDictProxy_Type, lst) == NULL); /* error path */
    ASSERT_RAISES(PyExc_TypeError);

    /* types.GenericAlias */
    PyObject *ga = Py_GenericAlias((PyObject *)&PyList_Type, (PyObject *)&PyLong_Type);
    ASSERT(ga && Py_TYPE(ga) == &Py_GenericAliasType);
    Py_DECREF(ga);
    ga = PyObject_CallFunction((PyObject *)&Py_GenericAliasType, "OO", &PyList_Type, &PyLong_Type);
    ASSERT(ga && Py_TYPE(ga) == &Py_GenericAliasType);
    PyObject *origin = PyObject_GetAttrString(ga, "__origin__");
    ASSERT(origin == (PyObject *)&PyList_Type);
    Py_DECREF(origin);
    Py_DECREF(ga);
    ASSERT(PyObject_CallOneArg((PyObject *)&Py_GenericAliasType, one) == NULL); /* error path */
    ASSERT_RAISES(PyExc_TypeError);

    Py_DECREF(d); Py_DECREF(u); Py_DECREF(bytes); Py_DECREF(lst); Py_DECREF(five); Py_DECREF(one);
    Py_RETURN_NONE;
}

static long counter;
static PyObject *count_up(PyObject *self, PyObject *unused) { return PyLong_FromLong(++counter); }
static PyMethodDef count_def = {"count_up", count_up, METH_NOARGS, NULL};

static PyObject *which_class(PyObject *cls, PyObject *unused) { return Py_NewRef(cls); }
static PyMethodDef cm_def = {"which_class", which_class, METH_NOARGS | METH_CLASS, NULL};

TEST(test_call_iter_and_descriptors) {
    counter = 0;
    PyObject *fn = PyCFunction_New(&count_def, NULL);
    PyObject *sentinel = PyLong_FromLong(4);
    PyObject *it = PyCallIter_New(fn, sentinel);
    ASSERT(it && Py_TYPE(it) == &PyCallIter_Type && PyCallIter_Check(it));
    ASSERT(sum_iter(it) == 1 + 2 + 3);
    Py_DECREF(it);
    ASSERT(not_callable(&PyCallIter_Type));

    PyObject *descr = PyDescr_NewClassMethod(&PyDict_Type, &cm_def);
    ASSERT(descr && Py_TYPE(descr) == &PyClassMethodDescr_Type);
    ASSERT(PyObject_IsInstance(descr, (PyObject *)&PyClassMethodDescr_Type) == 1);
    PyObject *r = PyObject_CallOneArg(descr, (PyObject *)&PyDict_Type);
    ASSERT(r == (PyObject *)&PyDict_Type);
    Py_DECREF(r);
    /* error paths: no class, a non-type, a type that is not a subtype */
    ASSERT(PyObject_CallNoArgs(descr) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    ASSERT(PyObject_CallOneArg(descr, sentinel) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    ASSERT(PyObject_CallOneArg(descr, (PyObject *)&PyList_Type) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    PyObject *m = PyDescr_NewMethod(&PyDict_Type, &count_def);
    ASSERT(m && Py_TYPE(m) != &PyClassMethodDescr_Type);
    Py_DECREF(m);
    ASSERT(not_callable(&PyClassMethodDescr_Type));
    Py_DECREF(descr); Py_DECREF(sentinel); Py_DECREF(fn);
    Py_RETURN_NONE;
}

TEST(test_singletons) {
    /* The singletons the API hands out are the symbols' addresses. */
    ASSERT(Py_None == (PyObject *)&_Py_NoneStruct);
    ASSERT(Py_True == (PyObject *)&_Py_TrueStruct);
    ASSERT(Py_False == (PyObject *)&_Py_FalseStruct);
    ASSERT(Py_Ellipsis == (PyObject *)&_Py_EllipsisObject);
    ASSERT(Py_NotImplemented == (PyObject *)&_Py_NotImplementedStruct);
    PyObject *t = PyBool_FromLong(1), *f = PyBool_FromLong(0);
    ASSERT(t == (PyObject *)&_Py_TrueStruct && f == (PyObject *)&_Py_FalseStruct);
    Py_DECREF(t); Py_DECREF(f);
    /* ... also as elements and results coming back from the runtime */
    PyObject *l = PyList_New(0);
    ASSERT(PyList_Append(l, Py_None) == 0);
    ASSERT(PyList_GetItem(l, 0) == (PyObject *)&_Py_NoneStruct);
    PyObject *d = PyDict_New();
    ASSERT(PyDict_SetItemString(d, "e", (PyObject *)&_Py_EllipsisObject) == 0);
    ASSERT(PyDict_GetItemString(d, "e") == Py_Ellipsis);
    PyObject *one = PyLong_FromLong(1);
    PyObject *cmp = PyObject_RichCompare(one, one, Py_EQ);
    ASSERT(cmp == (PyObject *)&_Py_TrueStruct);
    Py_DECREF(cmp);
    /* Passed in, the addresses are the runtime's objects. */
    ASSERT(PyList_Append(l, (PyObject *)&_Py_NoneStruct) == 0);
    ASSERT(Py_IsNone(PyList_GetItem(l, 1)));
    ASSERT(PyObject_IsTrue((PyObject *)&_Py_TrueStruct) == 1);
    ASSERT(PyObject_IsTrue((PyObject *)&_Py_FalseStruct) == 0);
    ASSERT(PyObject_IsTrue((PyObject *)&_Py_NoneStruct) == 0);
    ASSERT(Py_TYPE((PyObject *)&_Py_TrueStruct) == &PyBool_Type);
    ASSERT(Py_TYPE((PyObject *)&_Py_EllipsisObject) == &PyEllipsis_Type);
    ASSERT(Py_TYPE((PyObject *)&_Py_NoneStruct) == Py_TYPE(Py_None));
    ASSERT(Py_TYPE((PyObject *)&_Py_NotImplementedStruct) == Py_TYPE(Py_NotImplemented));
    Py_INCREF((PyObject *)&_Py_NoneStruct);
    Py_DECREF((PyObject *)&_Py_NoneStruct);
    PyObject *r = PyObject_Repr((PyObject *)&_Py_NotImplementedStruct);
    ASSERT(r && PyUnicode_CompareWithASCIIString(r, "NotImplemented") == 0);
    Py_DECREF(r);
    /* error path: None is not subscriptable */
    ASSERT(PyObject_GetItem((PyObject *)&_Py_NoneStruct, one) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    Py_DECREF(one); Py_DECREF(d); Py_DECREF(l);
    Py_RETURN_NONE;
}

TEST(test_settings) {
    ASSERT(Py_Version == PY_VERSION_HEX);
    ASSERT(Py_FileSystemDefaultEncoding != NULL);
    ASSERT(strcmp(Py_FileSystemDefaultEncoding, "utf-8") == 0);
    ASSERT(strcmp(Py_FileSystemDefaultEncodeErrors, "surrogateescape") == 0);
#ifdef PYOPAQUE
    /* The runtime is always in UTF-8 mode, with a fixed file-system encoding. */
    ASSERT(Py_UTF8Mode == 1);
    ASSERT(Py_HasFileSystemDefaultEncoding == 1);
#else
    ASSERT(Py_UTF8Mode == 0 || Py_UTF8Mode == 1);
    ASSERT(Py_HasFileSystemDefaultEncoding == 0 || Py_HasFileSystemDefaultEncoding == 1);
#endif
    /* The file-system decoder is UTF-8. */
    PyObject *s = PyUnicode_DecodeFSDefault("\xc3\xa9");
    ASSERT(s && PyUnicode_GetLength(s) == 1 && PyUnicode_ReadChar(s, 0) == 0xe9);
    Py_DECREF(s);

    /* A struct sequence field named PyStructSequence_UnnamedField has no attribute. */
    ASSERT(strcmp(PyStructSequence_UnnamedField, "unnamed field") == 0);
    PyStructSequence_Field fields[] = {
        {"named", NULL}, {PyStructSequence_UnnamedField, NULL}, {NULL, NULL}};
    PyStructSequence_Desc desc = {"ext_c_data.Pair", NULL, fields, 2};
    PyTypeObject *t = PyStructSequence_NewType(&desc);
    ASSERT(t != NULL);
    PyObject *p = PyStructSequence_New(t);
    ASSERT(p != NULL);
    PyStructSequence_SetItem(p, 0, PyLong_FromLong(1));
    PyStructSequence_SetItem(p, 1, PyLong_FromLong(2));
    ASSERT(PyTuple_Size(p) == 2 && PyLong_AsLong(PyTuple_GetItem(p, 1)) == 2);
    PyObject *named = PyObject_GetAttrString(p, "named");
    ASSERT(named && PyLong_AsLong(named) == 1);
    Py_DECREF(named);
    ASSERT(PyObject_GetAttrString(p, "unnamed field") == NULL); /* error path */
    ASSERT_RAISES(PyExc_AttributeError);
    Py_DECREF(p);
    Py_DECREF(t);
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    DEF(test_sequence_iterators),
    DEF(test_dict_iterators),
    DEF(test_sets),
    DEF(test_value_types),
    DEF(test_call_iter_and_descriptors),
    DEF(test_singletons),
    DEF(test_settings),
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "ext_c_data", NULL, -1, methods};

PyMODINIT_FUNC PyInit_ext_c_data(void) { return PyModule_Create(&module); }
