/* Weak references: PyWeakref_NewRef, PyWeakref_NewProxy, PyWeakref_GetObject,
 * PyWeakref_GetRef (3.13+), PyObject_ClearWeakRefs, the PyWeakref_Check* macros and the three
 * weakref type objects. Deaths by Py_DECREF, by a collection of a cycle, and a referent that a
 * collection moves. Compiles against CPython 3.11's headers too (PyWeakref_GetRef is guarded). */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include "testing.h"

#if PY_VERSION_HEX < 0x030C0000
#include <structmember.h>
#define Py_T_OBJECT_EX T_OBJECT_EX
#define Py_T_PYSSIZET T_PYSSIZET
#define Py_READONLY READONLY
#endif

/* A heap type whose instances accept weak references (CPython needs __weaklistoffset__;
 * pyopaque keeps weak references in a side table and ignores the field). */
typedef struct {
    PyObject_HEAD
    PyObject *weakreflist;
    PyObject *obj;
} WObj;

static int WObj_traverse(PyObject *self, visitproc visit, void *arg) {
    Py_VISIT(((WObj *)self)->obj);
#if PY_VERSION_HEX >= 0x03090000
    Py_VISIT(Py_TYPE(self));
#endif
    return 0;
}
static int WObj_clear(PyObject *self) {
    Py_CLEAR(((WObj *)self)->obj);
    return 0;
}
static int deallocs;
static void WObj_dealloc(PyObject *self) {
    PyTypeObject *tp = Py_TYPE(self);
    PyObject_GC_UnTrack(self);
    /* Called unconditionally (allowed: the count is 0 here). */
    PyObject_ClearWeakRefs(self);
    WObj_clear(self);
    deallocs++;
    PyObject_GC_Del(self);
    Py_DECREF(tp);
}
static PyMemberDef WObj_members[] = {
    {"__weaklistoffset__", Py_T_PYSSIZET, offsetof(WObj, weakreflist), Py_READONLY, NULL},
    {"obj", Py_T_OBJECT_EX, offsetof(WObj, obj), 0, NULL},
    {NULL, 0, 0, 0, NULL},
};
static PyType_Slot WObj_slots[] = {
    {Py_tp_traverse, WObj_traverse},
    {Py_tp_clear, WObj_clear},
    {Py_tp_dealloc, WObj_dealloc},
    {Py_tp_members, WObj_members},
    {0, NULL},
};
static PyType_Spec WObj_spec = {"ext_c_weakref.WObj", sizeof(WObj), 0,
                                Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC, WObj_slots};
static PyObject *WObj_type;

static PyObject *new_wobj(void) {
    if (WObj_type == NULL) {
        WObj_type = PyType_FromSpec(&WObj_spec);
        if (WObj_type == NULL) return NULL;
    }
    WObj *o = PyObject_GC_New(WObj, (PyTypeObject *)WObj_type);
    if (o == NULL) return NULL;
    o->weakreflist = NULL;
    o->obj = NULL;
    PyObject_GC_Track((PyObject *)o);
    return (PyObject *)o;
}

/* Callbacks record what they saw. */
static int cb_calls;
static PyObject *cb_arg;      /* identity only, never dereferenced after the call */
static int cb_saw_dead;
static PyObject *cb_record(PyObject *self, PyObject *wr) {
    cb_calls++;
    cb_arg = wr;
    PyObject *now = PyWeakref_GetObject(wr);
    cb_saw_dead = now == Py_None;
    Py_RETURN_NONE;
}
static PyObject *cb_raise(PyObject *self, PyObject *wr) {
    cb_calls++;
    PyErr_SetString(PyExc_RuntimeError, "callback failed on purpose");
    return NULL;
}
static PyObject *identity(PyObject *self, PyObject *arg) { return Py_NewRef(arg); }
static PyMethodDef cb_record_def = {"cb_record", cb_record, METH_O, NULL};
static PyMethodDef cb_raise_def = {"cb_raise", cb_raise, METH_O, NULL};
static PyMethodDef identity_def = {"identity", identity, METH_O, NULL};

TEST(test_newref_and_checks) {
    PyObject *o = new_wobj();
    ASSERT(o != NULL);
    PyObject *r = PyWeakref_NewRef(o, NULL);
    ASSERT(r != NULL);
    ASSERT(PyWeakref_CheckRef(r) && PyWeakref_CheckRefExact(r) && PyWeakref_Check(r));
    ASSERT(!PyWeakref_CheckProxy(r));
    ASSERT(Py_IS_TYPE(r, &_PyWeakref_RefType));
    ASSERT(!PyWeakref_Check(o));
    /* A callback-less reference is shared (NULL and None both mean "no callback"). */
    PyObject *r2 = PyWeakref_NewRef(o, Py_None);
    ASSERT(r2 == r);
    Py_DECREF(r2);
    PyObject *cb = PyCFunction_New(&cb_record_def, NULL);
    ASSERT(cb != NULL);
    PyObject *r3 = PyWeakref_NewRef(o, cb);
    ASSERT(r3 != NULL && r3 != r);
    ASSERT(PyWeakref_GetObject(r) == o && PyWeakref_GetObject(r3) == o);
    /* Calling a reference returns its referent. */
    PyObject *called = PyObject_CallNoArgs(r);
    ASSERT(called == o);
    Py_DECREF(called);
    ASSERT(PyCallable_Check(r));
    /* Types accept weak references too. */
    PyObject *rt = PyWeakref_NewRef((PyObject *)&PyLong_Type, NULL);
    ASSERT(rt != NULL && PyWeakref_GetObject(rt) == (PyObject *)&PyLong_Type);
    Py_DECREF(rt);
    /* Error paths: an int does not accept weak references; GetObject wants a weak reference. */
    PyObject *five = PyLong_FromLong(5);
    ASSERT(PyWeakref_NewRef(five, NULL) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    PyObject *l = PyList_New(0);
    ASSERT(PyWeakref_NewRef(l, cb) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    ASSERT(PyWeakref_GetObject(five) == NULL);
    ASSERT_RAISES(PyExc_SystemError);
    ASSERT(PyWeakref_GetObject(NULL) == NULL);
    ASSERT_RAISES(PyExc_SystemError);
    Py_DECREF(l);
    Py_DECREF(five);
    Py_DECREF(r3);
    Py_DECREF(r);
    Py_DECREF(cb);
    Py_DECREF(o);
    Py_RETURN_NONE;
}

#if PY_VERSION_HEX >= 0x030D0000
TEST(test_getref) {
    PyObject *o = new_wobj();
    ASSERT(o != NULL);
    PyObject *r = PyWeakref_NewRef(o, NULL);
    ASSERT(r != NULL);
    PyObject *x = (PyObject *)&x;
    ASSERT(PyWeakref_GetRef(r, &x) == 1 && x == o);
    Py_DECREF(x);
    /* Error paths: a non-weakref is TypeError, NULL SystemError; *pobj is NULL after both. */
    x = (PyObject *)&x;
    ASSERT(PyWeakref_GetRef(o, &x) == -1 && x == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    x = (PyObject *)&x;
    ASSERT(PyWeakref_GetRef(NULL, &x) == -1 && x == NULL);
    ASSERT_RAISES(PyExc_SystemError);
    PyGC_Collect(); /* earlier tests' garbage dies now, not in the count below */
    int before = deallocs;
    Py_DECREF(o);
    PyGC_Collect(); /* under a tracing scheme only the collector finds the death */
    ASSERT(deallocs == before + 1);
    x = (PyObject *)&x;
    ASSERT(PyWeakref_GetRef(r, &x) == 0 && x == NULL);
    ASSERT(!PyErr_Occurred());
    Py_DECREF(r);
    Py_RETURN_NONE;
}
#endif

/* The referent dies by Py_DECREF (or, under a tracing scheme, at the next collection): every
 * reference reads None and the callback ran once, with its weak reference. */
TEST(test_death_by_decref_runs_callback) {
    PyObject *cb = PyCFunction_New(&cb_record_def, NULL);
    PyObject *o = new_wobj();
    ASSERT(cb != NULL && o != NULL);
    PyObject *plain = PyWeakref_NewRef(o, NULL);
    PyObject *r = PyWeakref_NewRef(o, cb);
    ASSERT(plain != NULL && r != NULL);
    cb_calls = 0;
    cb_arg = NULL;
    cb_saw_dead = 0;
    PyGC_Collect(); /* earlier tests' garbage dies now, not in the count below */
    int before = deallocs;
    Py_DECREF(o);
    PyGC_Collect();
    ASSERT(deallocs == before + 1);
    ASSERT(cb_calls == 1);
    ASSERT(cb_arg == r);
    ASSERT(cb_saw_dead);
    ASSERT(PyWeakref_GetObject(r) == Py_None);
    ASSERT(PyWeakref_GetObject(plain) == Py_None);
    PyObject *called = PyObject_CallNoArgs(plain);
    ASSERT(called == Py_None);
    Py_DECREF(called);
    ASSERT(!PyErr_Occurred());
    /* A second collection calls nothing more. */
    PyGC_Collect();
    ASSERT(cb_calls == 1);
    Py_DECREF(r);
    Py_DECREF(plain);
    Py_DECREF(cb);
    Py_RETURN_NONE;
}

/* A callback that raises: the exception is reported as unraisable, never propagated, and an
 * exception the caller had set survives. */
TEST(test_callback_exception_is_not_propagated) {
    PyObject *cb = PyCFunction_New(&cb_raise_def, NULL);
    PyObject *o = new_wobj();
    ASSERT(cb != NULL && o != NULL);
    PyObject *r = PyWeakref_NewRef(o, cb);
    ASSERT(r != NULL);
    cb_calls = 0;
    Py_DECREF(o);
    PyGC_Collect();
    ASSERT(cb_calls == 1);
    ASSERT(!PyErr_Occurred());
    ASSERT(PyWeakref_GetObject(r) == Py_None);
    /* Again with an exception set by the caller. */
    o = new_wobj();
    ASSERT(o != NULL);
    PyObject *r2 = PyWeakref_NewRef(o, cb);
    ASSERT(r2 != NULL);
    PyErr_SetString(PyExc_ValueError, "mine");
    Py_DECREF(o);
    PyGC_Collect();
    ASSERT(cb_calls == 2);
    ASSERT_RAISES(PyExc_ValueError);
    Py_DECREF(r2);
    Py_DECREF(r);
    Py_DECREF(cb);
    Py_RETURN_NONE;
}

/* A referent held only by a list (so not pinned) moves at a collection: the weak reference
 * follows it and still returns the same object. */
TEST(test_referent_moved_by_collection) {
    PyObject *s = PySet_New(NULL);
    PyObject *one = PyLong_FromLong(1);
    ASSERT(s != NULL && one != NULL && PySet_Add(s, one) == 0);
    PyObject *l = PyList_New(0);
    ASSERT(l != NULL && PyList_Append(l, s) == 0);
    PyObject *r = PyWeakref_NewRef(s, NULL);
    PyObject *p = PyWeakref_NewProxy(s, NULL);
    ASSERT(r != NULL && p != NULL);
    ASSERT(Py_IS_TYPE(p, &_PyWeakref_ProxyType));
    uintptr_t before = (uintptr_t)s;
    Py_DECREF(s); /* only the list holds it now */
    s = NULL;
    PyGC_Collect();
    PyObject *now = PyList_GetItem(l, 0);
    ASSERT(now != NULL && PySet_Check(now) && PySet_Size(now) == 1);
#ifdef PYOPAQUE
    ASSERT((uintptr_t)now != before); /* it did move */
#else
    (void)before;
#endif
    ASSERT(PyWeakref_GetObject(r) == now);
    ASSERT(PyWeakref_GetObject(p) == now);
    /* The proxy forwards attribute access to the moved referent. */
    PyObject *cls = PyObject_GetAttrString(p, "__class__");
    ASSERT(cls == (PyObject *)&PySet_Type);
    Py_DECREF(cls);
    /* (The set's death is not checked here: the borrowed references above keep it alive until
     * this call returns, as pyopaque's borrowed-reference rule says; see test_proxy_dead_raises
     * and test_death_by_decref_runs_callback for deaths.) */
    Py_DECREF(l);
    Py_DECREF(p);
    Py_DECREF(r);
    Py_DECREF(one);
    Py_RETURN_NONE;
}

/* A garbage cycle (a list holding a builtin function whose self is the list) is found by the
 * collector: the weak reference to the function is cleared and its callback runs. */
TEST(test_cycle_collected_clears_refs) {
    PyObject *cb = PyCFunction_New(&cb_record_def, NULL);
    PyObject *l = PyList_New(0);
    ASSERT(cb != NULL && l != NULL);
    PyObject *f = PyCFunction_New(&identity_def, l);
    ASSERT(f != NULL && PyList_Append(l, f) == 0);
    PyObject *r = PyWeakref_NewRef(f, cb);
    ASSERT(r != NULL);
    cb_calls = 0;
    cb_arg = NULL;
    Py_DECREF(f);
    Py_DECREF(l);
    ASSERT(cb_calls == 0 || cb_calls == 1); /* counting alone cannot free a cycle */
    PyGC_Collect();
    ASSERT(cb_calls == 1);
    ASSERT(cb_arg == r);
    ASSERT(PyWeakref_GetObject(r) == Py_None);
    Py_DECREF(r);
    Py_DECREF(cb);
    Py_RETURN_NONE;
}

/* Proxies: shared when callback-less, a callable proxy for a callable referent, forwarding of
 * attribute access, assignment and calls. */
TEST(test_proxy) {
    PyObject *o = new_wobj();
    ASSERT(o != NULL);
    PyObject *p = PyWeakref_NewProxy(o, NULL);
    ASSERT(p != NULL);
    ASSERT(PyWeakref_CheckProxy(p) && PyWeakref_Check(p) && !PyWeakref_CheckRef(p));
    ASSERT(Py_IS_TYPE(p, &_PyWeakref_ProxyType));
    PyObject *p2 = PyWeakref_NewProxy(o, Py_None);
    ASSERT(p2 == p);
    Py_DECREF(p2);
    ASSERT(PyWeakref_GetObject(p) == o);
    PyObject *seven = PyLong_FromLong(7);
    ASSERT(PyObject_SetAttrString(p, "obj", seven) == 0);
    PyObject *v = PyObject_GetAttrString(o, "obj");
    ASSERT(v != NULL && PyLong_AsLong(v) == 7);
    Py_DECREF(v);
    v = PyObject_GetAttrString(p, "obj");
    ASSERT(v != NULL && PyLong_AsLong(v) == 7);
    Py_DECREF(v);
    PyObject *f = PyCFunction_New(&identity_def, NULL);
    ASSERT(f != NULL);
    PyObject *cp = PyWeakref_NewProxy(f, NULL);
    ASSERT(cp != NULL && Py_IS_TYPE(cp, &_PyWeakref_CallableProxyType));
    ASSERT(PyWeakref_CheckProxy(cp) && PyCallable_Check(cp));
    PyObject *res = PyObject_CallOneArg(cp, seven);
    ASSERT(res == seven);
    Py_DECREF(res);
    /* Error path: a list does not accept weak references. */
    PyObject *l = PyList_New(0);
    ASSERT(PyWeakref_NewProxy(l, NULL) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    Py_DECREF(l);
    Py_DECREF(cp);
    Py_DECREF(f);
    Py_DECREF(seven);
    Py_DECREF(p);
    Py_DECREF(o);
    Py_RETURN_NONE;
}

TEST(test_proxy_dead_raises) {
    PyObject *o = new_wobj();
    ASSERT(o != NULL);
    PyObject *cb = PyCFunction_New(&cb_record_def, NULL);
    PyObject *p = PyWeakref_NewProxy(o, cb);
    ASSERT(cb != NULL && p != NULL);
    cb_calls = 0;
    cb_arg = NULL;
    Py_DECREF(o);
    PyGC_Collect();
    ASSERT(cb_calls == 1 && cb_arg == p);
    ASSERT(PyWeakref_GetObject(p) == Py_None);
    ASSERT(PyObject_GetAttrString(p, "obj") == NULL);
    ASSERT_RAISES(PyExc_ReferenceError);
    Py_DECREF(p);
    Py_DECREF(cb);
    Py_RETURN_NONE;
}

/* PyObject_ClearWeakRefs belongs in tp_dealloc (WObj_dealloc calls it); anywhere else, and with
 * NULL, it is a bad internal call. */
TEST(test_clear_weakrefs) {
    PyObject_ClearWeakRefs(NULL);
    ASSERT_RAISES(PyExc_SystemError);
    PyObject *o = new_wobj();
    ASSERT(o != NULL);
    PyObject *r = PyWeakref_NewRef(o, NULL);
    ASSERT(r != NULL);
    PyGC_Collect(); /* earlier tests' garbage dies now, not in the count below */
    int before = deallocs;
    Py_DECREF(o);
    PyGC_Collect();
    ASSERT(deallocs == before + 1); /* WObj_dealloc ran PyObject_ClearWeakRefs */
    ASSERT(PyWeakref_GetObject(r) == Py_None);
    Py_DECREF(r);
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    DEF(test_newref_and_checks),
#if PY_VERSION_HEX >= 0x030D0000
    DEF(test_getref),
#endif
    DEF(test_death_by_decref_runs_callback),
    DEF(test_callback_exception_is_not_propagated),
    DEF(test_referent_moved_by_collection),
    DEF(test_cycle_collected_clears_refs),
    DEF(test_proxy),
    DEF(test_proxy_dead_raises),
    DEF(test_clear_weakrefs),
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "ext_c_weakref", NULL, -1, methods};

PyMODINIT_FUNC PyInit_ext_c_weakref(void) { return PyModule_Create(&module); }
