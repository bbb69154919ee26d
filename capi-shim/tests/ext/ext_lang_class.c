/* Python-level classes as Cython creates them: `type(name, bases, ns)` called through the C API
 * with a namespace of function objects whose type has tp_call and tp_descr_get (Cython's
 * cyfunction), instances with a __dict__, the descriptor protocol, C3 MRO, special methods
 * reaching the C API (CPython's slot wrappers), exception classes defined at run time. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include "testing.h"

/* ----- a function type like Cython's: calls `impl(args)`; binds through tp_descr_get ----- */
typedef PyObject *(*implfunc)(PyObject *args);
typedef struct {
    PyObject_HEAD
    implfunc impl;
    PyObject *self; /* NULL: unbound */
} FnObject;

static PyObject *FnType;

static int Fn_traverse(FnObject *f, visitproc visit, void *arg) {
    Py_VISIT(f->self);
    return 0;
}
static void Fn_dealloc(FnObject *f) {
    PyTypeObject *tp = Py_TYPE(f);
    PyObject_GC_UnTrack(f);
    Py_CLEAR(f->self);
    freefunc fr = (freefunc)PyType_GetSlot(tp, Py_tp_free);
    fr(f);
    Py_DECREF(tp);
}
static PyObject *make_fn(implfunc impl, PyObject *self) {
    allocfunc a = (allocfunc)PyType_GetSlot((PyTypeObject *)FnType, Py_tp_alloc);
    FnObject *f = (FnObject *)a((PyTypeObject *)FnType, 0);
    if (!f) return NULL;
    f->impl = impl;
    Py_XINCREF(self);
    f->self = self;
    return (PyObject *)f;
}
static PyObject *Fn_call(FnObject *f, PyObject *args, PyObject *kw) {
    if (!f->self) return f->impl(args);
    Py_ssize_t n = PyTuple_Size(args);
    PyObject *all = PyTuple_New(n + 1);
    if (!all) return NULL;
    Py_INCREF(f->self);
    PyTuple_SetItem(all, 0, f->self);
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *it = PyTuple_GetItem(args, i);
        Py_INCREF(it);
        PyTuple_SetItem(all, i + 1, it);
    }
    PyObject *r = f->impl(all);
    Py_DECREF(all);
    return r;
}
static PyObject *Fn_get(FnObject *f, PyObject *obj, PyObject *type) {
    if (obj == NULL || obj == Py_None) {
        Py_INCREF(f);
        return (PyObject *)f;
    }
    return make_fn(f->impl, obj);
}
static PyType_Slot Fn_slots[] = {
    {Py_tp_call, Fn_call},
    {Py_tp_descr_get, Fn_get},
    {Py_tp_traverse, Fn_traverse},
    {Py_tp_dealloc, Fn_dealloc},
    {0, NULL},
};
static PyType_Spec Fn_spec = {"ext_lang_class.function", sizeof(FnObject), 0,
                              Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC, Fn_slots};

/* ----- helpers ----- */
static PyObject *arg(PyObject *args, Py_ssize_t i) { return PyTuple_GetItem(args, i); }

static PyObject *new_class(const char *name, PyObject *bases, PyObject *ns) {
    return PyObject_CallFunction((PyObject *)&PyType_Type, "sOO", name, bases, ns);
}

static int put_fn(PyObject *ns, const char *name, implfunc impl) {
    PyObject *f = make_fn(impl, NULL);
    if (!f) return -1;
    int r = PyDict_SetItemString(ns, name, f);
    Py_DECREF(f);
    return r;
}

/* ----- a Point class ----- */
static PyObject *Point_init(PyObject *args) {
    PyObject *self = arg(args, 0);
    if (PyObject_SetAttrString(self, "x", arg(args, 1)) < 0) return NULL;
    if (PyObject_SetAttrString(self, "y", arg(args, 2)) < 0) return NULL;
    Py_RETURN_NONE;
}
static PyObject *Point_norm2(PyObject *args) {
    PyObject *self = arg(args, 0);
    PyObject *x = PyObject_GetAttrString(self, "x");
    PyObject *y = PyObject_GetAttrString(self, "y");
    if (!x || !y) { Py_XDECREF(x); Py_XDECREF(y); return NULL; }
    long v = PyLong_AsLong(x) * PyLong_AsLong(x) + PyLong_AsLong(y) * PyLong_AsLong(y);
    Py_DECREF(x);
    Py_DECREF(y);
    return PyLong_FromLong(v);
}

TEST(test_type_call_creates_a_class_with_methods_and_instance_dicts) {
    PyObject *ns = PyDict_New();
    ASSERT(ns);
    ASSERT(put_fn(ns, "__init__", Point_init) == 0);
    ASSERT(put_fn(ns, "norm2", Point_norm2) == 0);
    PyObject *mod = PyUnicode_FromString("ext_lang_class");
    ASSERT(mod && PyDict_SetItemString(ns, "__module__", mod) == 0);
    Py_DECREF(mod);
    PyObject *k = PyLong_FromLong(7);
    ASSERT(k && PyDict_SetItemString(ns, "kind", k) == 0);
    Py_DECREF(k);
    PyObject *bases = PyTuple_New(0);
    PyObject *cls = new_class("Point", bases, ns);
    Py_DECREF(bases);
    Py_DECREF(ns);
    ASSERT(cls);
    ASSERT(PyType_Check(cls));
    PyObject *n = PyType_GetName((PyTypeObject *)cls);
    ASSERT(n && PyUnicode_CompareWithASCIIString(n, "Point") == 0);
    Py_DECREF(n);
    PyObject *p = PyObject_CallFunction(cls, "ii", 3, 4);
    ASSERT(p);
    ASSERT(Py_TYPE(p) == (PyTypeObject *)cls);
    ASSERT(PyObject_IsInstance(p, cls) == 1);
    ASSERT(PyObject_IsInstance(p, (PyObject *)&PyBaseObject_Type) == 1);
    PyObject *r = PyObject_CallMethod(p, "norm2", NULL);
    ASSERT(r && PyLong_AsLong(r) == 25);
    Py_DECREF(r);
    /* class attribute seen through the instance, instance attribute shadows it */
    PyObject *kind = PyObject_GetAttrString(p, "kind");
    ASSERT(kind && PyLong_AsLong(kind) == 7);
    Py_DECREF(kind);
    PyObject *eight = PyLong_FromLong(8);
    ASSERT(PyObject_SetAttrString(p, "kind", eight) == 0);
    Py_DECREF(eight);
    kind = PyObject_GetAttrString(p, "kind");
    ASSERT(kind && PyLong_AsLong(kind) == 8);
    Py_DECREF(kind);
    kind = PyObject_GetAttrString(cls, "kind");
    ASSERT(kind && PyLong_AsLong(kind) == 7);
    Py_DECREF(kind);
    PyObject *d = PyObject_GetAttrString(p, "__dict__");
    ASSERT(d && PyDict_Check(d) && PyDict_Size(d) == 3);
    Py_DECREF(d);
    ASSERT(PyObject_DelAttrString(p, "kind") == 0);
    ASSERT(PyObject_DelAttrString(p, "kind") == -1);
    ASSERT_RAISES(PyExc_AttributeError);
    ASSERT(PyObject_GetAttrString(p, "missing") == NULL);
    ASSERT_RAISES(PyExc_AttributeError);
    ASSERT(PyObject_HasAttrString(p, "norm2") == 1);
    /* the unbound function from the class */
    PyObject *f = PyObject_GetAttrString(cls, "norm2");
    ASSERT(f && Py_TYPE(f) == (PyTypeObject *)FnType);
    r = PyObject_CallOneArg(f, p);
    ASSERT(r && PyLong_AsLong(r) == 25);
    Py_DECREF(r);
    Py_DECREF(f);
    Py_DECREF(p);
    Py_DECREF(cls);
    Py_RETURN_NONE;
}

/* ----- special methods ----- */
static PyObject *V_add(PyObject *args) {
    PyObject *a = PyObject_GetAttrString(arg(args, 0), "v");
    if (!a) return NULL;
    PyObject *b = arg(args, 1);
    PyObject *bv = PyLong_Check(b) ? (Py_INCREF(b), b) : PyObject_GetAttrString(b, "v");
    if (!bv) { Py_DECREF(a); return NULL; }
    PyObject *r = PyNumber_Add(a, bv);
    Py_DECREF(a);
    Py_DECREF(bv);
    return r;
}
static PyObject *V_eq(PyObject *args) {
    PyObject *b = arg(args, 1);
    if (PyLong_Check(b)) return PyBool_FromLong(PyLong_AsLong(b) == 42);
    Py_RETURN_NOTIMPLEMENTED;
}
static PyObject *V_hash(PyObject *args) { return PyLong_FromLong(4242); }
static PyObject *V_len(PyObject *args) { return PyLong_FromLong(3); }
static PyObject *V_getitem(PyObject *args) { return PyNumber_Multiply(arg(args, 1), arg(args, 1)); }
static PyObject *V_call(PyObject *args) { return PyLong_FromSsize_t(PyTuple_Size(args) - 1); }
static PyObject *V_repr(PyObject *args) { return PyUnicode_FromString("<V>"); }
static PyObject *V_iter(PyObject *args) {
    PyObject *l = Py_BuildValue("[iii]", 1, 2, 3);
    if (!l) return NULL;
    PyObject *it = PyObject_GetIter(l);
    Py_DECREF(l);
    return it;
}
static PyObject *V_bool(PyObject *args) { Py_RETURN_FALSE; }
static PyObject *V_contains(PyObject *args) { return PyBool_FromLong(PyLong_Check(arg(args, 1))); }

static PyObject *make_V(void) {
    PyObject *ns = PyDict_New();
    if (!ns) return NULL;
    if (put_fn(ns, "__add__", V_add) || put_fn(ns, "__radd__", V_add) || put_fn(ns, "__eq__", V_eq) ||
        put_fn(ns, "__hash__", V_hash) || put_fn(ns, "__len__", V_len) ||
        put_fn(ns, "__getitem__", V_getitem) || put_fn(ns, "__call__", V_call) ||
        put_fn(ns, "__repr__", V_repr) || put_fn(ns, "__iter__", V_iter) ||
        put_fn(ns, "__bool__", V_bool) || put_fn(ns, "__contains__", V_contains)) {
        Py_DECREF(ns);
        return NULL;
    }
    PyObject *bases = PyTuple_New(0);
    PyObject *cls = new_class("V", bases, ns);
    Py_DECREF(bases);
    Py_DECREF(ns);
    return cls;
}

TEST(test_special_methods_defined_in_the_class_reach_the_c_api) {
    PyObject *V = make_V();
    ASSERT(V);
    PyObject *v = PyObject_CallNoArgs(V);
    ASSERT(v);
    PyObject *ten = PyLong_FromLong(10);
    ASSERT(PyObject_SetAttrString(v, "v", ten) == 0);
    PyObject *r = PyNumber_Add(v, v);
    ASSERT(r && PyLong_AsLong(r) == 20);
    Py_DECREF(r);
    r = PyNumber_Add(v, ten);
    ASSERT(r && PyLong_AsLong(r) == 20);
    Py_DECREF(r);
    r = PyNumber_Add(ten, v); /* reflected: V.__radd__ */
    ASSERT(r && PyLong_AsLong(r) == 20);
    Py_DECREF(r);
    PyObject *ft = PyLong_FromLong(42);
    ASSERT(PyObject_RichCompareBool(v, ft, Py_EQ) == 1);
    ASSERT(PyObject_RichCompareBool(v, ten, Py_EQ) == 0);
    ASSERT(PyObject_RichCompareBool(v, ft, Py_NE) == 0); /* __ne__ inverts __eq__ */
    ASSERT(PyObject_Hash(v) == 4242);
    ASSERT(PyObject_Length(v) == 3);
    ASSERT(PySequence_Contains(v, ten) == 1);
    r = PyObject_GetItem(v, ten);
    ASSERT(r && PyLong_AsLong(r) == 100);
    Py_DECREF(r);
    r = PyObject_CallFunction(v, "iii", 1, 2, 3);
    ASSERT(r && PyLong_AsLong(r) == 3);
    Py_DECREF(r);
    r = PyObject_Repr(v);
    ASSERT(r && PyUnicode_CompareWithASCIIString(r, "<V>") == 0);
    Py_DECREF(r);
    ASSERT(PyObject_IsTrue(v) == 0);
    PyObject *it = PyObject_GetIter(v);
    ASSERT(it);
    long total = 0;
    PyObject *x;
    while ((x = PyIter_Next(it))) {
        total += PyLong_AsLong(x);
        Py_DECREF(x);
    }
    ASSERT(!PyErr_Occurred() && total == 6);
    Py_DECREF(it);
    /* a dict key through the class's __hash__/__eq__ */
    PyObject *d = PyDict_New();
    ASSERT(d && PyDict_SetItem(d, v, ten) == 0);
    ASSERT(PyDict_GetItem(d, v) == ten);
    Py_DECREF(d);
    Py_DECREF(ft);
    Py_DECREF(ten);
    Py_DECREF(v);
    Py_DECREF(V);
    Py_RETURN_NONE;
}

static PyObject *E_eq(PyObject *args) { Py_RETURN_TRUE; }

TEST(test_eq_without_hash_makes_instances_unhashable) {
    PyObject *ns = PyDict_New();
    ASSERT(ns && put_fn(ns, "__eq__", E_eq) == 0);
    PyObject *bases = PyTuple_New(0);
    PyObject *cls = new_class("E", bases, ns);
    Py_DECREF(bases);
    Py_DECREF(ns);
    ASSERT(cls);
    PyObject *o = PyObject_CallNoArgs(cls);
    ASSERT(o);
    ASSERT(PyObject_Hash(o) == -1);
    ASSERT_RAISES(PyExc_TypeError);
    PyObject *h = PyObject_GetAttrString(cls, "__hash__");
    ASSERT(h == Py_None);
    Py_DECREF(h);
    Py_DECREF(o);
    Py_DECREF(cls);
    Py_RETURN_NONE;
}

/* ----- inheritance ----- */
static PyObject *ret_A(PyObject *args) { return PyUnicode_FromString("A"); }
static PyObject *ret_B(PyObject *args) { return PyUnicode_FromString("B"); }
static PyObject *ret_C(PyObject *args) { return PyUnicode_FromString("C"); }

static PyObject *class_with(const char *name, PyObject *bases, const char *meth, implfunc impl) {
    PyObject *ns = PyDict_New();
    if (!ns) return NULL;
    if (meth && put_fn(ns, meth, impl) < 0) { Py_DECREF(ns); return NULL; }
    PyObject *cls = new_class(name, bases, ns);
    Py_DECREF(ns);
    return cls;
}

static int call_is(PyObject *obj, const char *meth, const char *expect) {
    PyObject *r = PyObject_CallMethod(obj, meth, NULL);
    if (!r) return 0;
    int ok = PyUnicode_Check(r) && PyUnicode_CompareWithASCIIString(r, expect) == 0;
    Py_DECREF(r);
    return ok;
}

TEST(test_multiple_inheritance_follows_the_c3_mro) {
    PyObject *none = PyTuple_New(0);
    PyObject *A = class_with("A", none, "f", ret_A);
    ASSERT(A);
    PyObject *bA = PyTuple_Pack(1, A);
    PyObject *B = class_with("B", bA, "g", ret_B);
    PyObject *C = class_with("C", bA, "f", ret_C);
    ASSERT(B && C);
    PyObject *bBC = PyTuple_Pack(2, B, C);
    PyObject *D = class_with("D", bBC, NULL, NULL);
    ASSERT(D);
    PyObject *d = PyObject_CallNoArgs(D);
    ASSERT(d);
    ASSERT(call_is(d, "f", "C")); /* D, B, C, A, object */
    ASSERT(call_is(d, "g", "B"));
    ASSERT(PyObject_IsInstance(d, C) == 1 && PyObject_IsInstance(d, B) == 1);
    ASSERT(PyObject_IsSubclass(D, C) == 1 && PyObject_IsSubclass(C, B) == 0);
    ASSERT(PyType_IsSubtype((PyTypeObject *)D, (PyTypeObject *)C));
    PyObject *mro = PyObject_GetAttrString(D, "__mro__");
    ASSERT(mro && PyTuple_Check(mro) && PyTuple_Size(mro) == 5);
    ASSERT(PyTuple_GetItem(mro, 0) == D && PyTuple_GetItem(mro, 1) == B &&
           PyTuple_GetItem(mro, 2) == C && PyTuple_GetItem(mro, 3) == A &&
           PyTuple_GetItem(mro, 4) == (PyObject *)&PyBaseObject_Type);
    Py_DECREF(mro);
    /* (A, B) with B a subclass of A has no consistent order */
    PyObject *bAB = PyTuple_Pack(2, A, B);
    ASSERT(class_with("X", bAB, NULL, NULL) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    Py_DECREF(bAB);
    Py_DECREF(d);
    Py_DECREF(D);
    Py_DECREF(bBC);
    Py_DECREF(C);
    Py_DECREF(B);
    Py_DECREF(bA);
    Py_DECREF(A);
    Py_DECREF(none);
    Py_RETURN_NONE;
}

TEST(test_bad_arguments_to_type_raise_type_error) {
    PyObject *ns = PyDict_New();
    ASSERT(ns);
    PyObject *bad = Py_BuildValue("(i)", 1);
    ASSERT(new_class("X", bad, ns) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    Py_DECREF(bad);
    PyObject *r = PyObject_CallFunction((PyObject *)&PyType_Type, "sOO", "X", ns, ns);
    ASSERT(r == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    PyObject *empty = PyTuple_New(0);
    r = PyObject_CallFunction((PyObject *)&PyType_Type, "iOO", 5, empty, ns);
    ASSERT(r == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    PyObject *bb = PyTuple_Pack(1, (PyObject *)&PyBool_Type);
    ASSERT(new_class("X", bb, ns) == NULL); /* bool is not an acceptable base type */
    ASSERT_RAISES(PyExc_TypeError);
    Py_DECREF(bb);
    Py_DECREF(empty);
    Py_DECREF(ns);
    Py_RETURN_NONE;
}

TEST(test_exception_classes_defined_at_run_time) {
    PyObject *ns = PyDict_New();
    PyObject *bases = PyTuple_Pack(1, PyExc_ValueError);
    ASSERT(ns && bases);
    PyObject *E = new_class("MyError", bases, ns);
    Py_DECREF(bases);
    Py_DECREF(ns);
    ASSERT(E);
    ASSERT(PyExceptionClass_Check(E));
    ASSERT(PyObject_IsSubclass(E, PyExc_ValueError) == 1);
    ASSERT(PyObject_IsSubclass(E, PyExc_Exception) == 1);
    PyErr_SetString(E, "bad thing");
    ASSERT(PyErr_ExceptionMatches(PyExc_ValueError));
    ASSERT(PyErr_ExceptionMatches(E));
    PyObject *et, *exc, *tb;
    PyErr_Fetch(&et, &exc, &tb);
    PyErr_NormalizeException(&et, &exc, &tb);
    ASSERT(et == E && exc && Py_TYPE(exc) == (PyTypeObject *)E);
    Py_XDECREF(et);
    Py_XDECREF(tb);
    PyObject *s = PyObject_Str(exc);
    ASSERT(s && PyUnicode_CompareWithASCIIString(s, "bad thing") == 0);
    Py_DECREF(s);
    Py_DECREF(exc);
    PyObject *inst = PyObject_CallFunction(E, "s", "made");
    ASSERT(inst && PyObject_IsInstance(inst, PyExc_ValueError) == 1);
    Py_DECREF(inst);
    Py_DECREF(E);
    Py_RETURN_NONE;
}

/* ----- descriptors defined by a class ----- */
static PyObject *D_get(PyObject *args) {
    /* (self, obj, owner): 42 through an instance, the descriptor itself through the class */
    if (arg(args, 1) == Py_None) {
        PyObject *self = arg(args, 0);
        Py_INCREF(self);
        return self;
    }
    return PyLong_FromLong(42);
}
static PyObject *D_set(PyObject *args) {
    /* (self, obj, value): stores value * 2 in obj.__dict__['stored'] */
    PyObject *d = PyObject_GetAttrString(arg(args, 1), "__dict__");
    if (!d) return NULL;
    PyObject *two = PyLong_FromLong(2);
    PyObject *v = PyNumber_Multiply(arg(args, 2), two);
    Py_DECREF(two);
    int r = v ? PyDict_SetItemString(d, "stored", v) : -1;
    Py_XDECREF(v);
    Py_DECREF(d);
    if (r < 0) return NULL;
    Py_RETURN_NONE;
}

TEST(test_descriptor_classes_get_and_set_through_instances) {
    PyObject *empty = PyTuple_New(0);
    PyObject *ns = PyDict_New();
    ASSERT(empty && ns);
    ASSERT(put_fn(ns, "__get__", D_get) == 0 && put_fn(ns, "__set__", D_set) == 0);
    PyObject *Desc = new_class("Desc", empty, ns);
    Py_DECREF(ns);
    ASSERT(Desc);
    PyObject *desc = PyObject_CallNoArgs(Desc);
    ASSERT(desc);
    ns = PyDict_New();
    ASSERT(ns && PyDict_SetItemString(ns, "attr", desc) == 0);
    PyObject *H = new_class("H", empty, ns);
    Py_DECREF(ns);
    ASSERT(H);
    PyObject *h = PyObject_CallNoArgs(H);
    ASSERT(h);
    PyObject *v = PyObject_GetAttrString(h, "attr");
    ASSERT(v && PyLong_AsLong(v) == 42);
    Py_DECREF(v);
    v = PyObject_GetAttrString(H, "attr");
    ASSERT(v == desc);
    Py_DECREF(v);
    PyObject *five = PyLong_FromLong(5);
    ASSERT(PyObject_SetAttrString(h, "attr", five) == 0); /* data descriptor: __set__ runs */
    Py_DECREF(five);
    v = PyObject_GetAttrString(h, "stored");
    ASSERT(v && PyLong_AsLong(v) == 10);
    Py_DECREF(v);
    v = PyObject_GetAttrString(h, "attr"); /* still the descriptor's value, not the dict */
    ASSERT(v && PyLong_AsLong(v) == 42);
    Py_DECREF(v);
    Py_DECREF(h);
    Py_DECREF(H);
    Py_DECREF(desc);
    Py_DECREF(Desc);
    Py_DECREF(empty);
    Py_RETURN_NONE;
}

TEST(test_many_instances_with_dicts_survive_collections) {
    PyObject *ns = PyDict_New();
    ASSERT(ns && put_fn(ns, "__init__", Point_init) == 0);
    PyObject *empty = PyTuple_New(0);
    PyObject *cls = new_class("P", empty, ns);
    Py_DECREF(ns);
    Py_DECREF(empty);
    ASSERT(cls);
    PyObject *l = PyList_New(0);
    ASSERT(l);
    for (int i = 0; i < 300; i++) {
        PyObject *p = PyObject_CallFunction(cls, "is", i, "y");
        ASSERT(p);
        ASSERT(PyList_Append(l, p) == 0);
        Py_DECREF(p);
    }
    PyGC_Collect();
    for (int i = 0; i < 300; i++) {
        PyObject *x = PyObject_GetAttrString(PyList_GetItem(l, i), "x");
        ASSERT(x && PyLong_AsLong(x) == i);
        Py_DECREF(x);
    }
    Py_DECREF(l);
    PyGC_Collect();
    Py_DECREF(cls);
    Py_RETURN_NONE;
}

/* ----- property, classmethod, staticmethod from builtins ----- */
static PyObject *get_x2(PyObject *args) {
    PyObject *x = PyObject_GetAttrString(arg(args, 0), "_x");
    if (!x) return NULL;
    PyObject *two = PyLong_FromLong(2);
    PyObject *r = PyNumber_Multiply(x, two);
    Py_DECREF(two);
    Py_DECREF(x);
    return r;
}
static PyObject *set_x(PyObject *args) {
    if (PyObject_SetAttrString(arg(args, 0), "_x", arg(args, 1)) < 0) return NULL;
    Py_RETURN_NONE;
}
static PyObject *cls_name(PyObject *args) { return PyObject_GetAttrString(arg(args, 0), "__name__"); }
static PyObject *plain_sum(PyObject *args) {
    return PyNumber_Add(arg(args, 0), arg(args, 1));
}

TEST(test_property_classmethod_staticmethod_from_builtins) {
    PyObject *b = PyImport_ImportModule("builtins");
    ASSERT(b);
    PyObject *property = PyObject_GetAttrString(b, "property");
    PyObject *classmethod = PyObject_GetAttrString(b, "classmethod");
    PyObject *staticmethod = PyObject_GetAttrString(b, "staticmethod");
    ASSERT(property && classmethod && staticmethod);
    PyObject *g = make_fn(get_x2, NULL), *st = make_fn(set_x, NULL);
    PyObject *cn = make_fn(cls_name, NULL), *ps = make_fn(plain_sum, NULL);
    ASSERT(g && st && cn && ps);
    PyObject *prop = PyObject_CallFunctionObjArgs(property, g, NULL);
    ASSERT(prop);
    PyObject *prop2 = PyObject_CallMethod(prop, "setter", "O", st);
    ASSERT(prop2);
    PyObject *cm = PyObject_CallOneArg(classmethod, cn);
    PyObject *sm = PyObject_CallOneArg(staticmethod, ps);
    ASSERT(cm && sm);
    PyObject *ns = Py_BuildValue("{sOsOsO}", "x", prop2, "name", cm, "add", sm);
    PyObject *empty = PyTuple_New(0);
    PyObject *K = new_class("K", empty, ns);
    ASSERT(K);
    PyObject *k = PyObject_CallNoArgs(K);
    ASSERT(k);
    PyObject *five = PyLong_FromLong(5);
    ASSERT(PyObject_SetAttrString(k, "x", five) == 0); /* property setter stores _x */
    PyObject *v = PyObject_GetAttrString(k, "x");
    ASSERT(v && PyLong_AsLong(v) == 10); /* getter doubles */
    Py_DECREF(v);
    ASSERT(PyObject_DelAttrString(k, "x") == -1); /* no deleter */
    ASSERT_RAISES(PyExc_AttributeError);
    v = PyObject_GetAttrString(K, "x"); /* through the class: the property itself */
    ASSERT(v == prop2);
    Py_DECREF(v);
    v = PyObject_CallMethod(k, "name", NULL); /* classmethod: bound to the class */
    ASSERT(v && PyUnicode_CompareWithASCIIString(v, "K") == 0);
    Py_DECREF(v);
    v = PyObject_CallMethod(K, "name", NULL);
    ASSERT(v && PyUnicode_CompareWithASCIIString(v, "K") == 0);
    Py_DECREF(v);
    v = PyObject_CallMethod(k, "add", "ii", 2, 3); /* staticmethod: no binding */
    ASSERT(v && PyLong_AsLong(v) == 5);
    Py_DECREF(v);
    /* a read-only property refuses assignment */
    PyObject *ns2 = Py_BuildValue("{sO}", "x", prop);
    PyObject *R = new_class("R", empty, ns2);
    ASSERT(R);
    PyObject *r = PyObject_CallNoArgs(R);
    ASSERT(r && PyObject_SetAttrString(r, "x", five) == -1);
    ASSERT_RAISES(PyExc_AttributeError);
    Py_DECREF(r); Py_DECREF(R); Py_DECREF(ns2);
    Py_DECREF(five); Py_DECREF(k); Py_DECREF(K); Py_DECREF(empty); Py_DECREF(ns);
    Py_DECREF(sm); Py_DECREF(cm); Py_DECREF(prop2); Py_DECREF(prop);
    Py_DECREF(ps); Py_DECREF(cn); Py_DECREF(st); Py_DECREF(g);
    Py_DECREF(staticmethod); Py_DECREF(classmethod); Py_DECREF(property); Py_DECREF(b);
    Py_RETURN_NONE;
}

/* ----- super(cls, obj) ----- */
static PyObject *SuperB; /* class B of the super test */
static PyObject *sup_a(PyObject *args) { return PyUnicode_FromString("A"); }
static PyObject *sup_b(PyObject *args) {
    PyObject *b = PyImport_ImportModule("builtins");
    PyObject *super = b ? PyObject_GetAttrString(b, "super") : NULL;
    Py_XDECREF(b);
    if (!super) return NULL;
    PyObject *s = PyObject_CallFunctionObjArgs(super, SuperB, arg(args, 0), NULL);
    Py_DECREF(super);
    if (!s) return NULL;
    PyObject *up = PyObject_CallMethod(s, "f", NULL);
    Py_DECREF(s);
    if (!up) return NULL;
    PyObject *tail = PyUnicode_FromString("B");
    PyObject *r = PyUnicode_Concat(up, tail);
    Py_DECREF(tail);
    Py_DECREF(up);
    return r;
}

TEST(test_super_finds_the_next_class_in_the_mro) {
    PyObject *none = PyTuple_New(0);
    PyObject *A = class_with("A", none, "f", sup_a);
    ASSERT(A);
    PyObject *bA = PyTuple_Pack(1, A);
    SuperB = class_with("B", bA, "f", sup_b);
    ASSERT(SuperB);
    PyObject *bB = PyTuple_Pack(1, SuperB);
    PyObject *C = class_with("C", bB, NULL, NULL);
    ASSERT(C);
    PyObject *c = PyObject_CallNoArgs(C);
    ASSERT(c);
    ASSERT(call_is(c, "f", "AB"));
    PyObject *b = PyImport_ImportModule("builtins");
    PyObject *super = PyObject_GetAttrString(b, "super");
    ASSERT(super);
    PyObject *s = PyObject_CallFunctionObjArgs(super, A, c, NULL);
    ASSERT(s);
    ASSERT(PyObject_GetAttrString(s, "f") == NULL); /* object has no f */
    ASSERT_RAISES(PyExc_AttributeError);
    Py_DECREF(s);
    ASSERT(PyObject_CallFunctionObjArgs(super, C, A, NULL) == NULL); /* A is not a C */
    ASSERT_RAISES(PyExc_TypeError);
    Py_DECREF(super); Py_DECREF(b); Py_DECREF(c); Py_DECREF(C); Py_DECREF(bB);
    Py_DECREF(SuperB); Py_DECREF(bA); Py_DECREF(A); Py_DECREF(none);
    Py_RETURN_NONE;
}

TEST(test_types_method_type_binds_a_function) {
    /* What Cython's limited-API __Pyx_PyMethod_New does: types.MethodType(func, obj). */
    PyObject *types = PyImport_ImportModule("types");
    ASSERT(types);
    PyObject *MT = PyObject_GetAttrString(types, "MethodType");
    ASSERT(MT && PyType_Check(MT));
    PyObject *f = make_fn(plain_sum, NULL);
    PyObject *seven = PyLong_FromLong(7);
    PyObject *m = PyObject_CallFunctionObjArgs(MT, f, seven, NULL);
    ASSERT(m && Py_TYPE(m) == (PyTypeObject *)MT);
    PyObject *r = PyObject_CallFunction(m, "i", 5);
    ASSERT(r && PyLong_AsLong(r) == 12);
    Py_DECREF(r);
    ASSERT(PyObject_CallFunctionObjArgs(MT, seven, seven, NULL) == NULL); /* not callable */
    ASSERT_RAISES(PyExc_TypeError);
    PyObject *mt = PyObject_GetAttrString(types, "ModuleType");
    ASSERT(mt && PyObject_IsInstance(types, mt) == 1);
    Py_DECREF(mt);
    Py_DECREF(m); Py_DECREF(seven); Py_DECREF(f); Py_DECREF(MT); Py_DECREF(types);
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    DEF(test_types_method_type_binds_a_function),
    DEF(test_super_finds_the_next_class_in_the_mro),
    DEF(test_property_classmethod_staticmethod_from_builtins),
    DEF(test_type_call_creates_a_class_with_methods_and_instance_dicts),
    DEF(test_special_methods_defined_in_the_class_reach_the_c_api),
    DEF(test_eq_without_hash_makes_instances_unhashable),
    DEF(test_multiple_inheritance_follows_the_c3_mro),
    DEF(test_bad_arguments_to_type_raise_type_error),
    DEF(test_exception_classes_defined_at_run_time),
    DEF(test_descriptor_classes_get_and_set_through_instances),
    DEF(test_many_instances_with_dicts_survive_collections),
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "ext_lang_class", NULL, -1, methods};

PyMODINIT_FUNC PyInit_ext_lang_class(void) {
    PyObject *m = PyModule_Create(&module);
    if (!m) return NULL;
    FnType = PyType_FromSpec(&Fn_spec);
    if (!FnType) { Py_DECREF(m); return NULL; }
    return m;
}
