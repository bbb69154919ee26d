/* Dict views: d.keys(), d.values() and d.items() are objects of PyDictKeys_Type,
 * PyDictValues_Type and PyDictItems_Type, checked through the C API for what Python specifies:
 * membership, comparison with sets and views, the set operations of keys and items views
 * (results are sets), isdisjoint, the mapping attribute, liveness, repr, truth and hashing,
 * and the errors CPython raises. Builds against CPython's headers too (cpython_reference). */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>
#include "testing.h"

/* d.<name>() as a new reference. */
static PyObject *view(PyObject *d, const char *name) {
    return PyObject_CallMethod(d, name, NULL);
}

/* 1 when r is a set holding exactly the items of the list `expected` (sets are compared
 * item by item, so only PySet_* is relied on). */
static int set_is(PyObject *r, PyObject *expected) {
    if (r == NULL || !PySet_CheckExact(r))
        return 0;
    Py_ssize_t n = PyList_Size(expected);
    if (PySet_Size(r) != n)
        return 0;
    for (Py_ssize_t i = 0; i < n; i++)
        if (PySet_Contains(r, PyList_GetItem(expected, i)) != 1)
            return 0;
    return 1;
}

/* 1 when the str `s` (a new reference, consumed; NULL after an error) equals `text`. */
static int text_is(PyObject *s, const char *text) {
    if (s == NULL)
        return 0;
    int ok = PyUnicode_CompareWithASCIIString(s, text) == 0;
    Py_DECREF(s);
    return ok;
}

/* The result of PyObject_RichCompareBool(a, b, op). */
static int cmp(PyObject *a, PyObject *b, int op) { return PyObject_RichCompareBool(a, b, op); }

/* A set of the items of a list built by Py_BuildValue. */
static PyObject *set_from(PyObject *list) {
    if (list == NULL)
        return NULL;
    PyObject *s = PySet_New(list);
    Py_DECREF(list);
    return s;
}

TEST(test_view_types) {
    PyObject *d = Py_BuildValue("{sisi}", "a", 1, "b", 2);
    ASSERT(d);
    PyObject *k = view(d, "keys"), *v = view(d, "values"), *it = view(d, "items");
    ASSERT(k && v && it);
    ASSERT(Py_TYPE(k) == &PyDictKeys_Type);
    ASSERT(Py_TYPE(v) == &PyDictValues_Type);
    ASSERT(Py_TYPE(it) == &PyDictItems_Type);
    ASSERT(PyDictKeys_Check(k) && PyDictValues_Check(v) && PyDictItems_Check(it));
    ASSERT(!PyDictKeys_Check(v) && !PyDictItems_Check(k));
    ASSERT(PyDictViewSet_Check(k) && PyDictViewSet_Check(it) && !PyDictViewSet_Check(v));
    ASSERT(PyObject_IsInstance(k, (PyObject *)&PyDictKeys_Type) == 1);
    ASSERT(PyObject_IsInstance(v, (PyObject *)&PyDictKeys_Type) == 0);
    ASSERT(PyObject_Size(k) == 2 && PyObject_Size(v) == 2 && PyObject_Size(it) == 2);

    /* Views cannot be created by calling their type. */
    PyObject *r = PyObject_CallNoArgs((PyObject *)&PyDictKeys_Type);
    ASSERT(r == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    r = PyObject_CallNoArgs((PyObject *)&PyDictItems_Type);
    ASSERT(r == NULL);
    ASSERT_RAISES(PyExc_TypeError);

    /* Keys and items views define == and are unhashable; a values view hashes by identity. */
    ASSERT(PyObject_Hash(k) == -1);
    ASSERT_RAISES(PyExc_TypeError);
    ASSERT(PyObject_Hash(it) == -1);
    ASSERT_RAISES(PyExc_TypeError);
    ASSERT(PyObject_Hash(v) != -1 && !PyErr_Occurred());

    /* Truth is the length, read from the dict as it is now. */
    PyObject *e = PyDict_New();
    ASSERT(e);
    PyObject *ek = view(e, "keys");
    ASSERT(ek && PyObject_IsTrue(ek) == 0 && PyObject_IsTrue(k) == 1);
    ASSERT(PyDict_SetItemString(e, "x", Py_None) == 0);
    ASSERT(PyObject_IsTrue(ek) == 1);

    Py_DECREF(ek); Py_DECREF(e);
    Py_DECREF(it); Py_DECREF(v); Py_DECREF(k); Py_DECREF(d);
    Py_RETURN_NONE;
}

TEST(test_contains) {
    PyObject *d = Py_BuildValue("{sisi}", "a", 1, "b", 2);
    ASSERT(d);
    PyObject *k = view(d, "keys"), *v = view(d, "values"), *it = view(d, "items");
    ASSERT(k && v && it);
    PyObject *a = PyUnicode_FromString("a"), *z = PyUnicode_FromString("z");
    PyObject *one = PyLong_FromLong(1), *five = PyLong_FromLong(5);
    PyObject *lst = PyList_New(0);
    ASSERT(a && z && one && five && lst);

    ASSERT(PySequence_Contains(k, a) == 1);
    ASSERT(PySequence_Contains(k, z) == 0);
    ASSERT(PySequence_Contains(k, one) == 0);
    /* error path: an unhashable key, as dict lookups raise */
    ASSERT(PySequence_Contains(k, lst) == -1);
    ASSERT_RAISES(PyExc_TypeError);

    PyObject *p = Py_BuildValue("(si)", "a", 1);
    ASSERT(p && PySequence_Contains(it, p) == 1);
    Py_DECREF(p);
    p = Py_BuildValue("(si)", "a", 2); /* right key, wrong value */
    ASSERT(p && PySequence_Contains(it, p) == 0);
    Py_DECREF(p);
    p = Py_BuildValue("(si)", "z", 1);
    ASSERT(p && PySequence_Contains(it, p) == 0);
    Py_DECREF(p);
    p = Py_BuildValue("(sii)", "a", 1, 1); /* not a pair: absent, no error */
    ASSERT(p && PySequence_Contains(it, p) == 0 && !PyErr_Occurred());
    Py_DECREF(p);
    ASSERT(PySequence_Contains(it, a) == 0 && !PyErr_Occurred());
    p = Py_BuildValue("([]i)", 1); /* error path: an unhashable key in the pair */
    ASSERT(p && PySequence_Contains(it, p) == -1);
    ASSERT_RAISES(PyExc_TypeError);
    Py_DECREF(p);

    /* Values are scanned with ==: an unhashable probe is simply absent. */
    ASSERT(PySequence_Contains(v, one) == 1);
    ASSERT(PySequence_Contains(v, five) == 0);
    ASSERT(PySequence_Contains(v, lst) == 0 && !PyErr_Occurred());

    Py_DECREF(lst); Py_DECREF(five); Py_DECREF(one); Py_DECREF(z); Py_DECREF(a);
    Py_DECREF(it); Py_DECREF(v); Py_DECREF(k); Py_DECREF(d);
    Py_RETURN_NONE;
}

TEST(test_compare) {
    PyObject *d = Py_BuildValue("{sisi}", "a", 1, "b", 2);
    PyObject *d2 = Py_BuildValue("{sisi}", "b", 5, "a", 6);
    ASSERT(d && d2);
    PyObject *k = view(d, "keys"), *v = view(d, "values"), *it = view(d, "items");
    PyObject *k2 = view(d2, "keys"), *it2 = view(d2, "items"), *v2 = view(d, "values");
    ASSERT(k && v && it && k2 && it2 && v2);
    PyObject *ab = set_from(Py_BuildValue("[ss]", "a", "b"));
    PyObject *abc = set_from(Py_BuildValue("[sss]", "a", "b", "c"));
    PyObject *only_a = set_from(Py_BuildValue("[s]", "a"));
    PyObject *ac = set_from(Py_BuildValue("[ss]", "a", "c"));
    PyObject *fab = PyFrozenSet_New(ab);
    PyObject *pairs = set_from(Py_BuildValue("[(si)(si)]", "a", 1, "b", 2));
    PyObject *lab = Py_BuildValue("[ss]", "a", "b");
    ASSERT(ab && abc && only_a && ac && fab && pairs && lab);

    /* == and != with sets, frozensets and set-like views, both ways round */
    ASSERT(cmp(k, ab, Py_EQ) == 1 && cmp(ab, k, Py_EQ) == 1);
    ASSERT(cmp(k, fab, Py_EQ) == 1 && cmp(k, ab, Py_NE) == 0);
    ASSERT(cmp(k, k2, Py_EQ) == 1); /* same keys, other dict, other order */
    ASSERT(cmp(k, only_a, Py_EQ) == 0 && cmp(k, only_a, Py_NE) == 1);
    ASSERT(cmp(k, ac, Py_EQ) == 0); /* same size, other keys */
    ASSERT(cmp(it, pairs, Py_EQ) == 1 && cmp(pairs, it, Py_EQ) == 1);
    ASSERT(cmp(it, it2, Py_EQ) == 0); /* same keys, other values */
    ASSERT(cmp(k, it, Py_EQ) == 0);
    /* a list is not set-like: == falls back to identity */
    ASSERT(cmp(k, lab, Py_EQ) == 0 && cmp(k, lab, Py_NE) == 1);

    /* ordering is subset / superset */
    ASSERT(cmp(k, abc, Py_LT) == 1 && cmp(k, ab, Py_LT) == 0);
    ASSERT(cmp(k, ab, Py_LE) == 1 && cmp(k, ac, Py_LE) == 0);
    ASSERT(cmp(k, only_a, Py_GT) == 1 && cmp(k, ab, Py_GT) == 0);
    ASSERT(cmp(k, ab, Py_GE) == 1 && cmp(k, ac, Py_GE) == 0);
    ASSERT(cmp(abc, k, Py_GT) == 1); /* reflected: k < abc */
    PyObject *r = PyObject_RichCompare(k, abc, Py_LT);
    ASSERT(r == Py_True);
    Py_DECREF(r);
    /* error path: ordering against a non-set */
    ASSERT(PyObject_RichCompare(k, lab, Py_LT) == NULL);
    ASSERT_RAISES(PyExc_TypeError);

    /* values views are not set-like: equal only to themselves, no ordering */
    ASSERT(cmp(v, v2, Py_EQ) == 0 && cmp(v, v, Py_EQ) == 1);
    ASSERT(PyObject_RichCompare(v, v2, Py_LT) == NULL);
    ASSERT_RAISES(PyExc_TypeError);

    Py_DECREF(lab); Py_DECREF(pairs); Py_DECREF(fab); Py_DECREF(ac); Py_DECREF(only_a);
    Py_DECREF(abc); Py_DECREF(ab);
    Py_DECREF(v2); Py_DECREF(it2); Py_DECREF(k2); Py_DECREF(it); Py_DECREF(v); Py_DECREF(k);
    Py_DECREF(d2); Py_DECREF(d);
    Py_RETURN_NONE;
}

TEST(test_set_operations) {
    PyObject *d = Py_BuildValue("{sisisi}", "a", 1, "b", 2, "c", 3);
    ASSERT(d);
    PyObject *k = view(d, "keys"), *v = view(d, "values"), *it = view(d, "items");
    ASSERT(k && v && it);
    PyObject *bcx = Py_BuildValue("[sss]", "b", "c", "x");
    PyObject *bx = Py_BuildValue("[ss]", "b", "x");
    PyObject *az = set_from(Py_BuildValue("[ss]", "a", "z"));
    PyObject *five = PyLong_FromLong(5);
    ASSERT(bcx && bx && az && five);
    PyObject *exp, *r;

    r = PyNumber_And(k, bcx);
    exp = Py_BuildValue("[ss]", "b", "c");
    ASSERT(set_is(r, exp));
    Py_DECREF(exp); Py_DECREF(r);
    r = PyNumber_And(bx, k); /* the view on the right */
    exp = Py_BuildValue("[s]", "b");
    ASSERT(set_is(r, exp));
    Py_DECREF(exp); Py_DECREF(r);
    r = PyNumber_And(az, k); /* a larger set on the left */
    exp = Py_BuildValue("[s]", "a");
    ASSERT(set_is(r, exp));
    Py_DECREF(exp); Py_DECREF(r);

    r = PyNumber_Or(k, bx);
    exp = Py_BuildValue("[ssss]", "a", "b", "c", "x");
    ASSERT(set_is(r, exp));
    Py_DECREF(exp); Py_DECREF(r);

    r = PyNumber_Subtract(k, az);
    exp = Py_BuildValue("[ss]", "b", "c");
    ASSERT(set_is(r, exp));
    Py_DECREF(exp); Py_DECREF(r);
    r = PyNumber_Subtract(az, k); /* set - view */
    exp = Py_BuildValue("[s]", "z");
    ASSERT(set_is(r, exp));
    Py_DECREF(exp); Py_DECREF(r);
    r = PyNumber_Subtract(bx, k); /* list - view is a set too */
    exp = Py_BuildValue("[s]", "x");
    ASSERT(set_is(r, exp));
    Py_DECREF(exp); Py_DECREF(r);

    r = PyNumber_Xor(k, az);
    exp = Py_BuildValue("[sss]", "b", "c", "z");
    ASSERT(set_is(r, exp));
    Py_DECREF(exp); Py_DECREF(r);

    /* in-place forms make a new set and leave the view alone */
    r = PyNumber_InPlaceOr(k, bx);
    ASSERT(r && PySet_CheckExact(r) && PySet_Size(r) == 4 && PyObject_Size(k) == 3);
    Py_DECREF(r);

    /* items views: sets of pairs */
    PyObject *pairs = Py_BuildValue("[(si)(si)]", "a", 1, "b", 9);
    ASSERT(pairs);
    r = PyNumber_And(it, pairs);
    exp = Py_BuildValue("[(si)]", "a", 1);
    ASSERT(set_is(r, exp));
    Py_DECREF(exp); Py_DECREF(r);
    r = PyNumber_Subtract(it, pairs);
    exp = Py_BuildValue("[(si)(si)]", "b", 2, "c", 3);
    ASSERT(set_is(r, exp));
    Py_DECREF(exp); Py_DECREF(r);
    /* items ^ items compares values with ==, so equal unhashable values cancel out */
    PyObject *d3 = Py_BuildValue("{s[i]si}", "k", 1, "m", 2);
    PyObject *d4 = Py_BuildValue("{s[i]si}", "k", 1, "m", 3);
    ASSERT(d3 && d4);
    PyObject *i3 = view(d3, "items"), *i4 = view(d4, "items");
    ASSERT(i3 && i4);
    r = PyNumber_Xor(i3, i4);
    exp = Py_BuildValue("[(si)(si)]", "m", 2, "m", 3);
    ASSERT(set_is(r, exp));
    Py_DECREF(exp); Py_DECREF(r);
    /* two views of one dict: the intersection is every pair */
    PyObject *it_again = view(d, "items");
    ASSERT(it_again);
    r = PyNumber_And(it, it_again);
    ASSERT(r && PySet_Size(r) == 3);
    Py_DECREF(r);
    Py_DECREF(it_again);

    /* error paths */
    ASSERT(PyNumber_And(k, five) == NULL); /* not iterable */
    ASSERT_RAISES(PyExc_TypeError);
    ASSERT(PyNumber_Subtract(k, five) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    ASSERT(PyNumber_Or(five, k) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    ASSERT(PyNumber_Xor(k, Py_None) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    PyObject *unhashable = Py_BuildValue("[[]]");
    ASSERT(unhashable);
    ASSERT(PyNumber_And(k, unhashable) == NULL); /* `[] in keys` raises */
    ASSERT_RAISES(PyExc_TypeError);
    ASSERT(PyNumber_Or(k, unhashable) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    Py_DECREF(unhashable);
    ASSERT(PyNumber_And(v, v) == NULL); /* values views are not set-like */
    ASSERT_RAISES(PyExc_TypeError);
    ASSERT(PyNumber_Or(v, bx) == NULL);
    ASSERT_RAISES(PyExc_TypeError);

    Py_DECREF(i4); Py_DECREF(i3); Py_DECREF(d4); Py_DECREF(d3); Py_DECREF(pairs);
    Py_DECREF(five); Py_DECREF(az); Py_DECREF(bx); Py_DECREF(bcx);
    Py_DECREF(it); Py_DECREF(v); Py_DECREF(k); Py_DECREF(d);
    Py_RETURN_NONE;
}

/* view.isdisjoint(other) as 1 / 0, -1 on error. */
static int disjoint(PyObject *view_, PyObject *other) {
    PyObject *r = PyObject_CallMethod(view_, "isdisjoint", "O", other);
    if (r == NULL)
        return -1;
    int t = PyObject_IsTrue(r);
    Py_DECREF(r);
    return t;
}

TEST(test_isdisjoint) {
    PyObject *d = Py_BuildValue("{sisi}", "a", 1, "b", 2);
    PyObject *e = PyDict_New();
    ASSERT(d && e);
    PyObject *k = view(d, "keys"), *v = view(d, "values"), *it = view(d, "items");
    PyObject *ek = view(e, "keys");
    ASSERT(k && v && it && ek);
    PyObject *xy = Py_BuildValue("[ss]", "x", "y");
    PyObject *sa = set_from(Py_BuildValue("[sss]", "q", "r", "a"));
    PyObject *pa = Py_BuildValue("[(si)]", "a", 1);
    PyObject *pa2 = Py_BuildValue("[(si)]", "a", 2);
    ASSERT(xy && sa && pa && pa2);

    ASSERT(disjoint(k, xy) == 1);
    ASSERT(disjoint(k, sa) == 0); /* a larger set: the view is iterated */
    ASSERT(disjoint(it, pa) == 0);
    ASSERT(disjoint(it, pa2) == 1);
    ASSERT(disjoint(k, k) == 0);
    ASSERT(disjoint(ek, ek) == 1);
    ASSERT(disjoint(ek, k) == 1);
    /* error paths: not iterable; values views have no isdisjoint */
    ASSERT(disjoint(k, Py_None) == -1);
    ASSERT_RAISES(PyExc_TypeError);
    ASSERT(PyObject_GetAttrString(v, "isdisjoint") == NULL);
    ASSERT_RAISES(PyExc_AttributeError);

    Py_DECREF(pa2); Py_DECREF(pa); Py_DECREF(sa); Py_DECREF(xy);
    Py_DECREF(ek); Py_DECREF(it); Py_DECREF(v); Py_DECREF(k); Py_DECREF(e); Py_DECREF(d);
    Py_RETURN_NONE;
}

TEST(test_mapping_and_liveness) {
    PyObject *d = Py_BuildValue("{si}", "a", 1);
    ASSERT(d);
    PyObject *k = view(d, "keys"), *v = view(d, "values"), *it = view(d, "items");
    ASSERT(k && v && it);

    /* mapping: a read-only proxy of the very dict (3.10+) */
    PyObject *m = PyObject_GetAttrString(k, "mapping");
    ASSERT(m && Py_TYPE(m) == &PyDictProxy_Type);
    PyObject *a = PyUnicode_FromString("a");
    ASSERT(a);
    PyObject *x = PyObject_GetItem(m, a);
    ASSERT(x && PyLong_AsLong(x) == 1);
    Py_DECREF(x);
    Py_DECREF(a);
    ASSERT(PyObject_SetItem(m, Py_None, Py_None) == -1); /* error path: read-only */
    ASSERT_RAISES(PyExc_TypeError);
    PyObject *mv = PyObject_GetAttrString(v, "mapping");
    PyObject *mi = PyObject_GetAttrString(it, "mapping");
    ASSERT(mv && mi && PyObject_Size(mv) == 1 && PyObject_Size(mi) == 1);

    /* views are live: later changes to the dict show through every view and the proxy */
    PyObject *seven = PyLong_FromLong(7);
    ASSERT(seven && PyDict_SetItemString(d, "b", seven) == 0);
    ASSERT(PyObject_Size(k) == 2 && PyObject_Size(v) == 2 && PyObject_Size(it) == 2);
    ASSERT(PyObject_Size(m) == 2);
    PyObject *b = PyUnicode_FromString("b");
    ASSERT(b && PySequence_Contains(k, b) == 1 && PySequence_Contains(v, seven) == 1);
    PyObject *p = PyTuple_Pack(2, b, seven);
    ASSERT(p && PySequence_Contains(it, p) == 1);
    PyObject *ab = set_from(Py_BuildValue("[ss]", "a", "b"));
    ASSERT(ab && cmp(k, ab, Py_EQ) == 1);
    ASSERT(text_is(PyObject_Repr(k), "dict_keys(['a', 'b'])"));
    ASSERT(PyDict_DelItemString(d, "a") == 0);
    ASSERT(PySequence_Contains(k, PyTuple_GetItem(p, 0)) == 1);
    ASSERT(cmp(k, ab, Py_EQ) == 0 && cmp(k, ab, Py_LT) == 1);
    ASSERT(text_is(PyObject_Repr(it), "dict_items([('b', 7)])"));
    PyDict_Clear(d);
    ASSERT(PyObject_Size(k) == 0 && PySequence_Contains(it, p) == 0);
    ASSERT(text_is(PyObject_Repr(v), "dict_values([])"));

    Py_DECREF(ab); Py_DECREF(p); Py_DECREF(b); Py_DECREF(seven);
    Py_DECREF(mi); Py_DECREF(mv); Py_DECREF(m);
    Py_DECREF(it); Py_DECREF(v); Py_DECREF(k); Py_DECREF(d);
    Py_RETURN_NONE;
}

TEST(test_repr) {
    PyObject *d = Py_BuildValue("{isis}", 1, "x", 2, "it's");
    ASSERT(d);
    PyObject *k = view(d, "keys"), *v = view(d, "values"), *it = view(d, "items");
    ASSERT(k && v && it);
    ASSERT(text_is(PyObject_Repr(k), "dict_keys([1, 2])"));
    ASSERT(text_is(PyObject_Repr(v), "dict_values(['x', \"it's\"])"));
    ASSERT(text_is(PyObject_Repr(it), "dict_items([(1, 'x'), (2, \"it's\")])"));
    ASSERT(text_is(PyObject_Str(k), "dict_keys([1, 2])"));

    /* a view that is a value of its own dict prints as ... inside itself */
    PyObject *e = PyDict_New();
    ASSERT(e);
    PyObject *ev = view(e, "values");
    ASSERT(ev && PyDict_SetItemString(e, "self", ev) == 0);
    ASSERT(text_is(PyObject_Repr(ev), "dict_values([...])"));
    PyObject *ei = view(e, "items");
    ASSERT(ei && PyDict_SetItemString(e, "self", ei) == 0);
    ASSERT(text_is(PyObject_Repr(ei), "dict_items([('self', ...)])"));
    PyDict_Clear(e); /* break the cycle */

    Py_DECREF(ei); Py_DECREF(ev); Py_DECREF(e);
    Py_DECREF(it); Py_DECREF(v); Py_DECREF(k); Py_DECREF(d);
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    DEF(test_view_types),
    DEF(test_contains),
    DEF(test_compare),
    DEF(test_set_operations),
    DEF(test_isdisjoint),
    DEF(test_mapping_and_liveness),
    DEF(test_repr),
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "ext_c_dictviews", NULL, -1, methods};

PyMODINIT_FUNC PyInit_ext_c_dictviews(void) { return PyModule_Create(&module); }
