/* Object-protocol semantics inside containers, with CPython as the reference: C types' tp_hash
 * and tp_richcompare used by dict and set lookups (and their errors), unhashable types, set and
 * frozenset comparison, truth of sized objects, and container reprs of shim and C objects. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>
#include "testing.h"

/* ---- Key: hash = v, equality by v; v == 99 raises in tp_hash, v == 13 raises in
 * tp_richcompare, v == 66 raises in tp_repr ---- */
typedef struct { PyObject_HEAD long v; } Key;

static PyObject *KeyType, *NoHashType, *ExplicitNoHashType, *PlainType, *TruthType, *SizedType;

static Py_hash_t Key_hash(PyObject *self) {
    long v = ((Key *)self)->v;
    if (v == 99) {
        PyErr_SetString(PyExc_RuntimeError, "hash failed");
        return -1;
    }
    return (Py_hash_t)(v == 13 ? 7 : v);
}

static PyObject *Key_richcompare(PyObject *a, PyObject *b, int op) {
    if (Py_TYPE(a) != (PyTypeObject *)KeyType || Py_TYPE(b) != (PyTypeObject *)KeyType
        || (op != Py_EQ && op != Py_NE)) {
        Py_RETURN_NOTIMPLEMENTED;
    }
    long x = ((Key *)a)->v, y = ((Key *)b)->v;
    if (x == 13 || y == 13) {
        PyErr_SetString(PyExc_ValueError, "compare failed");
        return NULL;
    }
    return PyBool_FromLong((x == y) == (op == Py_EQ));
}

static PyObject *Key_repr(PyObject *self) {
    long v = ((Key *)self)->v;
    if (v == 66) {
        PyErr_SetString(PyExc_ValueError, "repr failed");
        return NULL;
    }
    return PyUnicode_FromFormat("Key(%ld)", v);
}

static Py_ssize_t Key_len(PyObject *self) {
    long v = ((Key *)self)->v;
    if (v < 0) {
        PyErr_SetString(PyExc_ValueError, "negative");
        return -1;
    }
    return (Py_ssize_t)v;
}

static int Key_bool(PyObject *self) {
    long v = ((Key *)self)->v;
    if (v < 0) {
        PyErr_SetString(PyExc_ValueError, "no truth");
        return -1;
    }
    return v != 0;
}

static PyType_Slot Key_slots[] = {
    {Py_tp_hash, (void *)Key_hash},
    {Py_tp_richcompare, (void *)Key_richcompare},
    {Py_tp_repr, (void *)Key_repr},
    {0, NULL},
};
static PyType_Spec Key_spec = {"ext_c_semantics.Key", sizeof(Key), 0, Py_TPFLAGS_DEFAULT, Key_slots};

/* tp_richcompare without tp_hash: unhashable (CPython's inheritance rule). */
static PyType_Slot NoHash_slots[] = {
    {Py_tp_richcompare, (void *)Key_richcompare},
    {0, NULL},
};
static PyType_Spec NoHash_spec = {"ext_c_semantics.NoHash", sizeof(Key), 0, Py_TPFLAGS_DEFAULT,
                                  NoHash_slots};

/* tp_hash = PyObject_HashNotImplemented. */
static PyType_Slot ExplicitNoHash_slots[] = {
    {Py_tp_hash, (void *)PyObject_HashNotImplemented},
    {0, NULL},
};
static PyType_Spec ExplicitNoHash_spec = {"ext_c_semantics.ExplicitNoHash", sizeof(Key), 0,
                                          Py_TPFLAGS_DEFAULT, ExplicitNoHash_slots};

/* Neither: hashable by identity. */
static PyType_Slot Plain_slots[] = {{0, NULL}};
static PyType_Spec Plain_spec = {"ext_c_semantics.Plain", sizeof(Key), 0, Py_TPFLAGS_DEFAULT,
                                 Plain_slots};

static PyType_Slot Truth_slots[] = {
    {Py_nb_bool, (void *)Key_bool},
    {0, NULL},
};
static PyType_Spec Truth_spec = {"ext_c_semantics.Truth", sizeof(Key), 0, Py_TPFLAGS_DEFAULT,
                                 Truth_slots};

static PyType_Slot Sized_slots[] = {
    {Py_sq_length, (void *)Key_len},
    {0, NULL},
};
static PyType_Spec Sized_spec = {"ext_c_semantics.Sized", sizeof(Key), 0, Py_TPFLAGS_DEFAULT,
                                 Sized_slots};

static int make_types(void) {
    if (KeyType) return 0;
    KeyType = PyType_FromSpec(&Key_spec);
    NoHashType = PyType_FromSpec(&NoHash_spec);
    ExplicitNoHashType = PyType_FromSpec(&ExplicitNoHash_spec);
    PlainType = PyType_FromSpec(&Plain_spec);
    TruthType = PyType_FromSpec(&Truth_spec);
    SizedType = PyType_FromSpec(&Sized_spec);
    return (KeyType && NoHashType && ExplicitNoHashType && PlainType && TruthType && SizedType)
               ? 0 : -1;
}

static PyObject *new_obj(PyObject *type, long v) {
    Key *k = PyObject_New(Key, (PyTypeObject *)type);
    if (k) k->v = v;
    return (PyObject *)k;
}

/* Checks that the pending exception is EXC with message MSG (then clears it). */
static int raised_with(PyObject *exc, const char *msg) {
    if (!PyErr_ExceptionMatches(exc)) return 0;
    PyObject *t, *v, *tb;
    PyErr_Fetch(&t, &v, &tb);
    PyErr_NormalizeException(&t, &v, &tb);
    PyObject *s = v ? PyObject_Str(v) : NULL;
    int ok = s && PyUnicode_CompareWithASCIIString(s, msg) == 0;
    Py_XDECREF(s); Py_XDECREF(t); Py_XDECREF(v); Py_XDECREF(tb);
    PyErr_Clear();
    return ok;
}

/* repr(o) == want. */
static int repr_is(PyObject *o, const char *want) {
    PyObject *r = PyObject_Repr(o);
    if (!r) return 0;
    int ok = PyUnicode_CompareWithASCIIString(r, want) == 0;
    Py_DECREF(r);
    return ok;
}

TEST(test_c_key_in_dict_and_set) {
    ASSERT(make_types() == 0);
    PyObject *k1 = new_obj(KeyType, 5), *k2 = new_obj(KeyType, 5), *k3 = new_obj(KeyType, 6);
    PyObject *val = PyUnicode_FromString("five");
    ASSERT(k1 && k2 && k3 && val && k1 != k2);
    ASSERT(PyObject_Hash(k1) == 5 && PyObject_Hash(k2) == 5);
    PyObject *d = PyDict_New();
    ASSERT(PyDict_SetItem(d, k1, val) == 0);
    /* an equal but distinct instance finds the entry */
    ASSERT(PyDict_GetItem(d, k2) == val);
    ASSERT(PyDict_GetItemWithError(d, k2) == val);
    ASSERT(PyDict_Contains(d, k2) == 1);
    ASSERT(PyDict_Contains(d, k3) == 0);
    ASSERT(PyDict_GetItem(d, k3) == NULL && !PyErr_Occurred());
    ASSERT(PyDict_SetItem(d, k2, Py_None) == 0); /* replaces: still one entry */
    ASSERT(PyDict_Size(d) == 1 && PyDict_GetItem(d, k1) == Py_None);
    ASSERT(PyDict_DelItem(d, k2) == 0 && PyDict_Size(d) == 0);
    ASSERT(PyDict_DelItem(d, k3) == -1);
    ASSERT_RAISES(PyExc_KeyError);
    /* sets */
    PyObject *s = PySet_New(NULL);
    ASSERT(PySet_Add(s, k1) == 0 && PySet_Add(s, k2) == 0 && PySet_Size(s) == 1);
    ASSERT(PySet_Contains(s, k2) == 1 && PySet_Contains(s, k3) == 0);
    ASSERT(PySet_Add(s, k3) == 0 && PySet_Size(s) == 2);
    /* sequences and tuples use the same equality and hash */
    PyObject *l1 = PyList_New(0), *l2 = PyList_New(0);
    ASSERT(PyList_Append(l1, k1) == 0 && PyList_Append(l2, k2) == 0);
    ASSERT(PyObject_RichCompareBool(l1, l2, Py_EQ) == 1);
    ASSERT(PySequence_Contains(l1, k2) == 1);
    ASSERT(PySequence_Index(l1, k2) == 0);
    ASSERT(PySequence_Contains(l1, k3) == 0);
    PyObject *t1 = PyTuple_Pack(1, k1), *t2 = PyTuple_Pack(1, k2);
    ASSERT(PyObject_Hash(t1) == PyObject_Hash(t2) && PyObject_Hash(t1) != -1);
    ASSERT(PyObject_RichCompareBool(t1, t2, Py_EQ) == 1);
    ASSERT(PyDict_SetItem(d, t1, val) == 0 && PyDict_GetItem(d, t2) == val);
    Py_DECREF(t1); Py_DECREF(t2); Py_DECREF(l1); Py_DECREF(l2);
    Py_DECREF(s); Py_DECREF(d); Py_DECREF(val);
    Py_DECREF(k1); Py_DECREF(k2); Py_DECREF(k3);
    Py_RETURN_NONE;
}

TEST(test_c_key_errors_propagate) {
    ASSERT(make_types() == 0);
    PyObject *bad_hash = new_obj(KeyType, 99);
    PyObject *c1 = new_obj(KeyType, 13), *c2 = new_obj(KeyType, 13);
    PyObject *d = PyDict_New(), *s = PySet_New(NULL);
    ASSERT(bad_hash && c1 && c2 && d && s);
    /* an exception raised in tp_hash */
    ASSERT(PyObject_Hash(bad_hash) == -1);
    ASSERT(raised_with(PyExc_RuntimeError, "hash failed"));
    ASSERT(PyDict_SetItem(d, bad_hash, Py_None) == -1);
    ASSERT(raised_with(PyExc_RuntimeError, "hash failed"));
    ASSERT(PyDict_Contains(d, bad_hash) == -1);
    ASSERT_RAISES(PyExc_RuntimeError);
    ASSERT(PyDict_GetItemWithError(d, bad_hash) == NULL);
    ASSERT_RAISES(PyExc_RuntimeError);
    ASSERT(PyDict_GetItem(d, bad_hash) == NULL && !PyErr_Occurred()); /* swallowed */
    ASSERT(PyDict_DelItem(d, bad_hash) == -1);
    ASSERT_RAISES(PyExc_RuntimeError);
    ASSERT(PySet_Add(s, bad_hash) == -1);
    ASSERT_RAISES(PyExc_RuntimeError);
    ASSERT(PySet_Contains(s, bad_hash) == -1);
    ASSERT_RAISES(PyExc_RuntimeError);
    ASSERT(PyDict_Size(d) == 0 && PySet_Size(s) == 0);
    /* an exception raised in tp_richcompare (identity is checked first, so the same object
     * never reaches it) */
    ASSERT(PyDict_SetItem(d, c1, Py_True) == 0);
    ASSERT(PyDict_GetItem(d, c1) == Py_True);
    ASSERT(PyDict_Contains(d, c1) == 1);
    ASSERT(PyDict_SetItem(d, c2, Py_None) == -1);
    ASSERT(raised_with(PyExc_ValueError, "compare failed"));
    ASSERT(PyDict_Contains(d, c2) == -1);
    ASSERT_RAISES(PyExc_ValueError);
    ASSERT(PyDict_GetItemWithError(d, c2) == NULL);
    ASSERT_RAISES(PyExc_ValueError);
    ASSERT(PyDict_GetItem(d, c2) == NULL && !PyErr_Occurred()); /* swallowed */
    ASSERT(PySet_Add(s, c1) == 0 && PySet_Add(s, c1) == 0 && PySet_Size(s) == 1);
    ASSERT(PySet_Contains(s, c2) == -1);
    ASSERT_RAISES(PyExc_ValueError);
    ASSERT(PyDict_Size(d) == 1 && PySet_Size(s) == 1);
    Py_DECREF(s); Py_DECREF(d);
    Py_DECREF(bad_hash); Py_DECREF(c1); Py_DECREF(c2);
    Py_RETURN_NONE;
}

TEST(test_unhashable) {
    ASSERT(make_types() == 0);
    PyObject *d = PyDict_New(), *s = PySet_New(NULL);
    PyObject *nh = new_obj(NoHashType, 1), *enh = new_obj(ExplicitNoHashType, 1);
    PyObject *plain = new_obj(PlainType, 1), *plain2 = new_obj(PlainType, 1);
    ASSERT(d && s && nh && enh && plain && plain2);
    /* tp_richcompare without tp_hash: unhashable, like CPython */
    ASSERT(PyType_GetSlot((PyTypeObject *)NoHashType, Py_tp_hash)
           == (void *)PyObject_HashNotImplemented);
    ASSERT(PyObject_Hash(nh) == -1);
    ASSERT(raised_with(PyExc_TypeError, "unhashable type: 'ext_c_semantics.NoHash'"));
    ASSERT(PyDict_SetItem(d, nh, Py_None) == -1);
    ASSERT(raised_with(PyExc_TypeError, "unhashable type: 'ext_c_semantics.NoHash'"));
    ASSERT(PyDict_Contains(d, nh) == -1);
    ASSERT_RAISES(PyExc_TypeError);
    ASSERT(PySet_Add(s, nh) == -1);
    ASSERT_RAISES(PyExc_TypeError);
    ASSERT(PyObject_Hash(enh) == -1);
    ASSERT(raised_with(PyExc_TypeError, "unhashable type: 'ext_c_semantics.ExplicitNoHash'"));
    ASSERT(PyDict_SetItem(d, enh, Py_None) == -1);
    ASSERT_RAISES(PyExc_TypeError);
    /* neither slot: identity hash and identity equality */
    ASSERT(PyObject_Hash(plain) != -1 && !PyErr_Occurred());
    ASSERT(PyDict_SetItem(d, plain, Py_True) == 0);
    ASSERT(PyDict_GetItem(d, plain) == Py_True);
    ASSERT(PyDict_Contains(d, plain2) == 0);
    ASSERT(PyObject_RichCompareBool(plain, plain2, Py_EQ) == 0);
    ASSERT(PyObject_RichCompareBool(plain, plain, Py_EQ) == 1);
    ASSERT(PyObject_RichCompare(plain, plain2, Py_LT) == NULL);
    ASSERT(raised_with(PyExc_TypeError, "'<' not supported between instances of "
                                        "'ext_c_semantics.Plain' and 'ext_c_semantics.Plain'"));
    /* shim types: set, bytearray, keys and items views are unhashable; frozenset and the
     * values view are hashable */
    PyObject *src = PyDict_New();
    ASSERT(PyDict_SetItemString(src, "a", Py_None) == 0);
    PyObject *keys = PyObject_CallMethod(src, "keys", NULL);
    PyObject *items = PyObject_CallMethod(src, "items", NULL);
    PyObject *values = PyObject_CallMethod(src, "values", NULL);
    PyObject *ba = PyByteArray_FromStringAndSize("ab", 2);
    ASSERT(keys && items && values && ba);
    PyObject *unhashable[] = {s, keys, items, ba};
    for (int i = 0; i < 4; i++) {
        ASSERT(PyObject_Hash(unhashable[i]) == -1);
        ASSERT_RAISES(PyExc_TypeError);
        ASSERT(PyDict_SetItem(d, unhashable[i], Py_None) == -1);
        ASSERT_RAISES(PyExc_TypeError);
        ASSERT(PyDict_GetItemWithError(d, unhashable[i]) == NULL);
        ASSERT_RAISES(PyExc_TypeError);
        ASSERT(PySet_Add(s, unhashable[i]) == -1);
        ASSERT_RAISES(PyExc_TypeError);
    }
    ASSERT(PyObject_Hash(s) == -1);
    ASSERT(raised_with(PyExc_TypeError, "unhashable type: 'set'"));
    ASSERT(PyDict_SetItem(d, values, Py_None) == 0);
    ASSERT(PyDict_GetItem(d, values) == Py_None);
    /* frozensets: content hash, equal frozensets are one key */
    PyObject *items3 = Py_BuildValue("[iii]", 1, 2, 3), *items3r = Py_BuildValue("[iii]", 3, 2, 1);
    PyObject *f1 = PyFrozenSet_New(items3), *f2 = PyFrozenSet_New(items3r);
    ASSERT(f1 && f2 && f1 != f2);
    ASSERT(PyObject_Hash(f1) == PyObject_Hash(f2) && PyObject_Hash(f1) != -1);
    ASSERT(PyDict_SetItem(d, f1, Py_True) == 0);
    ASSERT(PyDict_GetItem(d, f2) == Py_True);
    ASSERT(PySet_Add(s, f1) == 0 && PySet_Contains(s, f2) == 1);
    /* building a frozenset hashes its items: an exception raised in tp_hash propagates */
    PyObject *bad = new_obj(KeyType, 99);
    PyObject *with_bad = PyTuple_Pack(2, Py_None, bad);
    ASSERT(with_bad && PyFrozenSet_New(with_bad) == NULL);
    ASSERT(raised_with(PyExc_RuntimeError, "hash failed"));
    Py_DECREF(with_bad);
    Py_DECREF(bad);
    Py_DECREF(f1); Py_DECREF(f2); Py_DECREF(items3); Py_DECREF(items3r);
    Py_DECREF(keys); Py_DECREF(items); Py_DECREF(values); Py_DECREF(ba); Py_DECREF(src);
    Py_DECREF(nh); Py_DECREF(enh); Py_DECREF(plain); Py_DECREF(plain2);
    Py_DECREF(s); Py_DECREF(d);
    Py_RETURN_NONE;
}

static int cmp(PyObject *a, PyObject *b, int op) { return PyObject_RichCompareBool(a, b, op); }

TEST(test_set_compare) {
    ASSERT(make_types() == 0);
    PyObject *l123 = Py_BuildValue("[iii]", 1, 2, 3), *l12 = Py_BuildValue("[ii]", 1, 2);
    PyObject *l321 = Py_BuildValue("[iii]", 3, 2, 1);
    PyObject *s123 = PySet_New(l123), *s321 = PySet_New(l321), *s12 = PySet_New(l12);
    PyObject *f123 = PyFrozenSet_New(l123), *f12 = PyFrozenSet_New(l12);
    ASSERT(s123 && s321 && s12 && f123 && f12);
    /* equality by content, set vs frozenset included */
    ASSERT(cmp(s123, s321, Py_EQ) == 1 && cmp(s123, s321, Py_NE) == 0);
    ASSERT(cmp(s123, f123, Py_EQ) == 1 && cmp(f123, s321, Py_EQ) == 1);
    ASSERT(cmp(s123, s12, Py_EQ) == 0 && cmp(s123, s12, Py_NE) == 1);
    ASSERT(cmp(f12, f123, Py_EQ) == 0);
    /* subset / superset */
    ASSERT(cmp(s12, s123, Py_LT) == 1 && cmp(s12, s123, Py_LE) == 1);
    ASSERT(cmp(s123, s321, Py_LT) == 0 && cmp(s123, s321, Py_LE) == 1);
    ASSERT(cmp(s123, s12, Py_GT) == 1 && cmp(s123, f12, Py_GE) == 1);
    ASSERT(cmp(s12, s123, Py_GT) == 0 && cmp(s12, f123, Py_GE) == 0);
    ASSERT(cmp(f12, s123, Py_LT) == 1 && cmp(s123, f123, Py_GT) == 0);
    PyObject *r = PyObject_RichCompare(s123, f123, Py_EQ);
    ASSERT(r == Py_True);
    Py_DECREF(r);
    r = PyObject_RichCompare(s12, s123, Py_GE);
    ASSERT(r == Py_False);
    Py_DECREF(r);
    /* against non-sets: == is False, ordering raises TypeError */
    ASSERT(cmp(s123, l123, Py_EQ) == 0 && cmp(l123, s123, Py_NE) == 1);
    ASSERT(PyObject_RichCompare(s123, l123, Py_LT) == NULL);
    ASSERT(raised_with(PyExc_TypeError,
                       "'<' not supported between instances of 'set' and 'list'"));
    /* elements compared with their tp_richcompare */
    PyObject *k1 = new_obj(KeyType, 5), *k2 = new_obj(KeyType, 5);
    PyObject *a = PySet_New(NULL), *b = PyFrozenSet_New(NULL);
    ASSERT(PySet_Add(a, k1) == 0 && PySet_Add(b, k2) == 0);
    ASSERT(cmp(a, b, Py_EQ) == 1 && cmp(b, a, Py_LE) == 1);
    /* a frozenset of keys as a dict key, found by an equal frozenset */
    PyObject *d = PyDict_New();
    ASSERT(PyDict_SetItem(d, b, Py_None) == 0);
    PyObject *b2 = PyFrozenSet_New(a);
    ASSERT(b2 && PyDict_Contains(d, b2) == 1);
    Py_DECREF(d); Py_DECREF(b2);
    Py_DECREF(a); Py_DECREF(b); Py_DECREF(k1); Py_DECREF(k2);
    Py_DECREF(s123); Py_DECREF(s321); Py_DECREF(s12); Py_DECREF(f123); Py_DECREF(f12);
    Py_DECREF(l123); Py_DECREF(l12); Py_DECREF(l321);
    Py_RETURN_NONE;
}

TEST(test_truth) {
    ASSERT(make_types() == 0);
    PyObject *empty = PySet_New(NULL), *fempty = PyFrozenSet_New(NULL);
    PyObject *l = Py_BuildValue("[i]", 1);
    PyObject *one = PySet_New(l), *fone = PyFrozenSet_New(l);
    ASSERT(empty && fempty && one && fone);
    ASSERT(PyObject_IsTrue(empty) == 0 && PyObject_Not(empty) == 1);
    ASSERT(PyObject_IsTrue(fempty) == 0);
    ASSERT(PyObject_IsTrue(one) == 1 && PyObject_Not(one) == 0 && PyObject_IsTrue(fone) == 1);
    ASSERT(PySet_Clear(one) == 0 && PyObject_IsTrue(one) == 0);
    PyObject *ba0 = PyByteArray_FromStringAndSize("", 0), *ba1 = PyByteArray_FromStringAndSize("x", 1);
    ASSERT(PyObject_IsTrue(ba0) == 0 && PyObject_IsTrue(ba1) == 1);
    PyObject *c0 = PyComplex_FromDoubles(0.0, 0.0), *c1 = PyComplex_FromDoubles(0.0, 1.0);
    ASSERT(PyObject_IsTrue(c0) == 0 && PyObject_IsTrue(c1) == 1);
    /* C types: nb_bool, then the length */
    PyObject *t0 = new_obj(TruthType, 0), *t1 = new_obj(TruthType, 1), *tbad = new_obj(TruthType, -1);
    ASSERT(PyObject_IsTrue(t0) == 0 && PyObject_IsTrue(t1) == 1);
    ASSERT(PyObject_IsTrue(tbad) == -1);
    ASSERT(raised_with(PyExc_ValueError, "no truth"));
    PyObject *z0 = new_obj(SizedType, 0), *z3 = new_obj(SizedType, 3), *zbad = new_obj(SizedType, -1);
    ASSERT(PyObject_IsTrue(z0) == 0 && PyObject_IsTrue(z3) == 1);
    ASSERT(PyObject_IsTrue(zbad) == -1);
    ASSERT_RAISES(PyExc_ValueError);
    /* the truth of a comparison result produced by a C type is used by containers */
    PyObject *plain = new_obj(PlainType, 0);
    ASSERT(PyObject_IsTrue(plain) == 1);
    Py_DECREF(plain);
    Py_DECREF(t0); Py_DECREF(t1); Py_DECREF(tbad); Py_DECREF(z0); Py_DECREF(z3); Py_DECREF(zbad);
    Py_DECREF(c0); Py_DECREF(c1); Py_DECREF(ba0); Py_DECREF(ba1);
    Py_DECREF(empty); Py_DECREF(fempty); Py_DECREF(one); Py_DECREF(fone); Py_DECREF(l);
    Py_RETURN_NONE;
}

TEST(test_container_repr) {
    ASSERT(make_types() == 0);
    PyObject *src = Py_BuildValue("{si}", "a", 1);
    PyObject *keys = PyObject_CallMethod(src, "keys", NULL);
    PyObject *values = PyObject_CallMethod(src, "values", NULL);
    PyObject *items = PyObject_CallMethod(src, "items", NULL);
    PyObject *one = Py_BuildValue("[i]", 1);
    PyObject *s = PySet_New(one), *se = PySet_New(NULL);
    PyObject *f = PyFrozenSet_New(one), *fe = PyFrozenSet_New(NULL);
    PyObject *k = new_obj(KeyType, 5);
    ASSERT(src && keys && values && items && s && se && f && fe && k);
    ASSERT(repr_is(s, "{1}") && repr_is(se, "set()"));
    ASSERT(repr_is(f, "frozenset({1})") && repr_is(fe, "frozenset()"));
    PyObject *l = PyList_New(0);
    PyObject *parts[] = {keys, values, items, s, se, f, fe, k};
    for (int i = 0; i < 8; i++) ASSERT(PyList_Append(l, parts[i]) == 0);
    const char *want = "[dict_keys(['a']), dict_values([1]), dict_items([('a', 1)]), {1}, set(), "
                       "frozenset({1}), frozenset(), Key(5)]";
    ASSERT(repr_is(l, want));
    PyObject *str = PyObject_Str(l);
    ASSERT(str && PyUnicode_CompareWithASCIIString(str, want) == 0);
    Py_DECREF(str);
    PyObject *t = PyTuple_Pack(2, values, k);
    ASSERT(repr_is(t, "(dict_values([1]), Key(5))"));
    PyObject *d = PyDict_New();
    ASSERT(PyDict_SetItemString(d, "v", values) == 0 && PyDict_SetItem(d, k, s) == 0);
    ASSERT(repr_is(d, "{'v': dict_values([1]), Key(5): {1}}"));
    PyObject *ks = PySet_New(NULL);
    ASSERT(PySet_Add(ks, k) == 0 && repr_is(ks, "{Key(5)}"));
    /* an exception raised by an element's tp_repr propagates out of the container's repr */
    PyObject *bad = new_obj(KeyType, 66);
    ASSERT(PyList_Append(l, bad) == 0);
    ASSERT(PyObject_Repr(l) == NULL);
    ASSERT(raised_with(PyExc_ValueError, "repr failed"));
    ASSERT(PyObject_Str(l) == NULL);
    ASSERT_RAISES(PyExc_ValueError);
    Py_DECREF(bad); Py_DECREF(ks); Py_DECREF(d); Py_DECREF(t); Py_DECREF(l);
    Py_DECREF(k); Py_DECREF(s); Py_DECREF(se); Py_DECREF(f); Py_DECREF(fe); Py_DECREF(one);
    Py_DECREF(keys); Py_DECREF(values); Py_DECREF(items); Py_DECREF(src);
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    DEF(test_c_key_in_dict_and_set),
    DEF(test_c_key_errors_propagate),
    DEF(test_unhashable),
    DEF(test_set_compare),
    DEF(test_truth),
    DEF(test_container_repr),
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "ext_c_semantics", NULL, -1, methods};

PyMODINIT_FUNC PyInit_ext_c_semantics(void) { return PyModule_Create(&module); }
