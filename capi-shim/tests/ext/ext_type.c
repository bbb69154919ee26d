/* A GC type from a spec (xxlimited style): struct starting with PyObject_HEAD, PyObject*
 * fields, tp_traverse/tp_clear/tp_dealloc, members, getset, and every calling convention. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include "testing.h"

#if PY_VERSION_HEX < 0x030C0000
#include <structmember.h>
#define Py_T_OBJECT_EX T_OBJECT_EX
#define Py_T_INT T_INT
#define Py_READONLY READONLY
#endif

typedef struct {
    PyObject_HEAD
    PyObject *payload; /* any object */
    PyObject *other;   /* may form cycles */
    int counter;
} NodeObject;

static PyObject *NodeType;  /* set by the module exec/init */
static int dealloc_count = 0;

static int Node_traverse(NodeObject *self, visitproc visit, void *arg) {
    Py_VISIT(self->payload);
    Py_VISIT(self->other);
#if PY_VERSION_HEX >= 0x03090000
    Py_VISIT(Py_TYPE(self));
#endif
    return 0;
}

static int Node_clear(NodeObject *self) {
    Py_CLEAR(self->payload);
    Py_CLEAR(self->other);
    return 0;
}

static void Node_dealloc(NodeObject *self) {
    PyTypeObject *tp = Py_TYPE(self);
    PyObject_GC_UnTrack(self);
    Node_clear(self);
    freefunc f = (freefunc)PyType_GetSlot(tp, Py_tp_free);
    f(self);
    Py_DECREF(tp);
    dealloc_count++;
}

static PyObject *Node_new(PyTypeObject *type, PyObject *args, PyObject *kwds) {
    NodeObject *self = (NodeObject *)PyType_GenericAlloc(type, 0);
    if (!self) return NULL;
    self->counter = 0;
    return (PyObject *)self;
}

static int Node_init(NodeObject *self, PyObject *args, PyObject *kwds) {
    static char *kwlist[] = {"payload", "counter", NULL};
    PyObject *payload = NULL;
    int counter = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|Oi:Node", kwlist, &payload, &counter))
        return -1;
    if (payload) {
        Py_INCREF(payload);
        Py_XSETREF(self->payload, payload);
    }
    self->counter = counter;
    return 0;
}

static PyObject *Node_noargs(NodeObject *self, PyObject *unused) {
    return PyLong_FromLong(self->counter);
}
static PyObject *Node_o(NodeObject *self, PyObject *arg) {
    Py_INCREF(arg);
    Py_XSETREF(self->other, arg);
    Py_RETURN_NONE;
}
static PyObject *Node_varargs(NodeObject *self, PyObject *args) {
    int a, b = 1;
    if (!PyArg_ParseTuple(args, "i|i:varargs", &a, &b)) return NULL;
    return PyLong_FromLong(a * b + self->counter);
}
static PyObject *Node_kw(NodeObject *self, PyObject *args, PyObject *kwds) {
    static char *kwlist[] = {"x", "y", NULL};
    int x, y = 10;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "i|i:kw", kwlist, &x, &y)) return NULL;
    return PyLong_FromLong(x - y);
}
static PyObject *Node_fast(NodeObject *self, PyObject *const *args, Py_ssize_t n) {
    long total = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        long v = PyLong_AsLong(args[i]);
        if (v == -1 && PyErr_Occurred()) return NULL;
        total += v;
    }
    return PyLong_FromLong(total);
}
static PyObject *Node_fastkw(NodeObject *self, PyObject *const *args, Py_ssize_t n, PyObject *kwnames) {
    Py_ssize_t nk = kwnames ? PyTuple_Size(kwnames) : 0;
    return Py_BuildValue("(nn)", n, nk);
}
static PyObject *Node_meth(PyObject *self, PyTypeObject *cls, PyObject *const *args, size_t nargsf, PyObject *kwnames) {
    if (cls != (PyTypeObject *)NodeType) {
        PyErr_SetString(PyExc_AssertionError, "defining class not passed");
        return NULL;
    }
    return PyLong_FromSsize_t(PyVectorcall_NARGS(nargsf));
}

static PyMethodDef Node_methods[] = {
    {"noargs", (PyCFunction)Node_noargs, METH_NOARGS, NULL},
    {"o", (PyCFunction)Node_o, METH_O, NULL},
    {"varargs", (PyCFunction)Node_varargs, METH_VARARGS, NULL},
    {"kw", (PyCFunction)(void (*)(void))Node_kw, METH_VARARGS | METH_KEYWORDS, NULL},
    {"fast", (PyCFunction)(void (*)(void))Node_fast, METH_FASTCALL, NULL},
    {"fastkw", (PyCFunction)(void (*)(void))Node_fastkw, METH_FASTCALL | METH_KEYWORDS, NULL},
    {"meth", (PyCFunction)(void (*)(void))Node_meth, METH_METHOD | METH_FASTCALL | METH_KEYWORDS, NULL},
    {NULL, NULL, 0, NULL},
};

static PyMemberDef Node_members[] = {
    {"payload", Py_T_OBJECT_EX, offsetof(NodeObject, payload), 0, NULL},
    {"counter", Py_T_INT, offsetof(NodeObject, counter), 0, NULL},
    {"ro_counter", Py_T_INT, offsetof(NodeObject, counter), Py_READONLY, NULL},
    {NULL, 0, 0, 0, NULL},
};

static PyObject *Node_get_double(NodeObject *self, void *closure) {
    return PyLong_FromLong(self->counter * 2);
}
static int Node_set_double(NodeObject *self, PyObject *v, void *closure) {
    if (v == NULL) {
        PyErr_SetString(PyExc_TypeError, "cannot delete");
        return -1;
    }
    long x = PyLong_AsLong(v);
    if (x == -1 && PyErr_Occurred()) return -1;
    self->counter = (int)(x / 2);
    return 0;
}
static PyGetSetDef Node_getset[] = {
    {"double", (getter)Node_get_double, (setter)Node_set_double, NULL, NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyObject *Node_repr(NodeObject *self) {
    return PyUnicode_FromFormat("<Node %d>", self->counter);
}

static PyType_Slot Node_slots[] = {
    {Py_tp_new, Node_new},
    {Py_tp_init, Node_init},
    {Py_tp_dealloc, Node_dealloc},
    {Py_tp_traverse, Node_traverse},
    {Py_tp_clear, Node_clear},
    {Py_tp_methods, Node_methods},
    {Py_tp_members, Node_members},
    {Py_tp_getset, Node_getset},
    {Py_tp_repr, Node_repr},
    {Py_tp_doc, "A node."},
    {0, NULL},
};

static PyType_Spec Node_spec = {
    "ext_type.Node", sizeof(NodeObject), 0,
    Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_BASETYPE, Node_slots,
};

static PyObject *new_node(int counter) {
    PyObject *n = PyObject_CallFunction(NodeType, "Oi", Py_None, counter);
    return n;
}

TEST(test_create_and_fields) {
    PyObject *n = new_node(5);
    ASSERT(n != NULL);
    ASSERT(Py_TYPE(n) == (PyTypeObject *)NodeType);
    ASSERT(PyObject_TypeCheck(n, (PyTypeObject *)NodeType));
    NodeObject *no = (NodeObject *)n;
    ASSERT(no->counter == 5);
    ASSERT(no->payload == Py_None);
    PyObject *c = PyObject_GetAttrString(n, "counter");
    ASSERT(c && PyLong_AsLong(c) == 5);
    Py_DECREF(c);
    PyObject *v = PyLong_FromLong(8);
    ASSERT(PyObject_SetAttrString(n, "counter", v) == 0);
    ASSERT(no->counter == 8);
    ASSERT(PyObject_SetAttrString(n, "ro_counter", v) == -1);
    ASSERT_RAISES(PyExc_AttributeError);
    PyObject *d = PyObject_GetAttrString(n, "double");
    ASSERT(d && PyLong_AsLong(d) == 16);
    Py_DECREF(d);
    ASSERT(PyObject_SetAttrString(n, "double", v) == 0);
    ASSERT(no->counter == 4);
    ASSERT(PyObject_SetAttrString(n, "double", NULL) == -1);
    ASSERT_RAISES(PyExc_TypeError);
    ASSERT(PyObject_GetAttrString(n, "missing") == NULL);
    ASSERT_RAISES(PyExc_AttributeError);
    PyObject *r = PyObject_Repr(n);
    ASSERT(r && PyUnicode_CompareWithASCIIString(r, "<Node 4>") == 0);
    Py_DECREF(r);
    ASSERT(PyObject_CallFunction(NodeType, "Os", Py_None, "x") == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    Py_DECREF(v);
    Py_DECREF(n);
    Py_RETURN_NONE;
}

TEST(test_calling_conventions) {
    PyObject *n = new_node(3);
    ASSERT(n);
    PyObject *r = PyObject_CallMethod(n, "noargs", NULL);
    ASSERT(r && PyLong_AsLong(r) == 3); Py_DECREF(r);
    ASSERT(PyObject_CallMethod(n, "noargs", "i", 1) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    r = PyObject_CallMethod(n, "o", "O", Py_True);
    ASSERT(r == Py_None); Py_DECREF(r);
    ASSERT(((NodeObject *)n)->other == Py_True);
    ASSERT(PyObject_CallMethod(n, "o", "ii", 1, 2) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    r = PyObject_CallMethod(n, "varargs", "ii", 4, 5);
    ASSERT(r && PyLong_AsLong(r) == 23); Py_DECREF(r);
    r = PyObject_CallMethod(n, "varargs", "i", 4);
    ASSERT(r && PyLong_AsLong(r) == 7); Py_DECREF(r);
    ASSERT(PyObject_CallMethod(n, "varargs", "s", "x") == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    /* keywords through PyObject_Call */
    PyObject *kw = PyObject_GetAttrString(n, "kw");
    PyObject *args = Py_BuildValue("(i)", 30);
    PyObject *kwargs = Py_BuildValue("{s:i}", "y", 5);
    r = PyObject_Call(kw, args, kwargs);
    ASSERT(r && PyLong_AsLong(r) == 25); Py_DECREF(r);
    Py_DECREF(kwargs);
    kwargs = Py_BuildValue("{s:i}", "z", 5);
    ASSERT(PyObject_Call(kw, args, kwargs) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    Py_DECREF(kwargs); Py_DECREF(args); Py_DECREF(kw);
    /* fastcall */
    PyObject *fast = PyObject_GetAttrString(n, "fast");
    PyObject *one = PyLong_FromLong(1), *two = PyLong_FromLong(2);
    PyObject *vec[3] = {one, two, one};
    r = PyObject_Vectorcall(fast, vec, 3, NULL);
    ASSERT(r && PyLong_AsLong(r) == 4); Py_DECREF(r);
    r = PyObject_CallOneArg(fast, two);
    ASSERT(r && PyLong_AsLong(r) == 2); Py_DECREF(r);
    r = PyObject_CallNoArgs(fast);
    ASSERT(r && PyLong_AsLong(r) == 0); Py_DECREF(r);
    PyObject *s = PyUnicode_FromString("no");
    ASSERT(PyObject_CallOneArg(fast, s) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    Py_DECREF(fast);
    /* fastcall with keywords */
    PyObject *fkw = PyObject_GetAttrString(n, "fastkw");
    PyObject *names = Py_BuildValue("(s)", "k");
    r = PyObject_Vectorcall(fkw, vec, 2, names);
    ASSERT(r && PyTuple_Check(r));
    ASSERT(PyLong_AsLong(PyTuple_GetItem(r, 0)) == 2 && PyLong_AsLong(PyTuple_GetItem(r, 1)) == 1);
    Py_DECREF(r); Py_DECREF(names); Py_DECREF(fkw);
    /* METH_METHOD */
    r = PyObject_CallMethod(n, "meth", "ii", 1, 2);
    ASSERT(r && PyLong_AsLong(r) == 2); Py_DECREF(r);
    /* unbound method descriptor called with self */
    PyObject *unbound = PyObject_GetAttrString(NodeType, "noargs");
    r = PyObject_CallOneArg(unbound, n);
    ASSERT(r && PyLong_AsLong(r) == 3); Py_DECREF(r);
    ASSERT(PyObject_CallOneArg(unbound, s) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    Py_DECREF(unbound);
    Py_DECREF(one); Py_DECREF(two); Py_DECREF(s);
    Py_DECREF(n);
    Py_RETURN_NONE;
}

TEST(test_cycles_and_dealloc) {
    int before = dealloc_count;
    PyObject *a = new_node(1);
    ASSERT(a);
    Py_DECREF(a);
    PyGC_Collect(); /* immediate under counting schemes; at the next collection under tracing */
    ASSERT(dealloc_count >= before + 1);
    /* a cycle a <-> b, dropped by C; collected (or leaked) without crashing */
    a = new_node(1);
    PyObject *b = new_node(2);
    PyObject *r = PyObject_CallMethod(a, "o", "O", b);
    Py_XDECREF(r);
    r = PyObject_CallMethod(b, "o", "O", a);
    Py_XDECREF(r);
    Py_DECREF(a);
    Py_DECREF(b);
    PyGC_Collect();
    /* fields survive heavy allocation */
    PyObject *keep = new_node(7);
    PyObject *payload = PyUnicode_FromString("payload string");
    ASSERT(PyObject_SetAttrString(keep, "payload", payload) == 0);
    Py_DECREF(payload);
    for (int i = 0; i < 2000; i++) {
        PyObject *t = Py_BuildValue("(is)", i, "garbage");
        Py_DECREF(t);
    }
    PyObject *p = ((NodeObject *)keep)->payload;
    ASSERT(PyUnicode_CompareWithASCIIString(p, "payload string") == 0);
    Py_DECREF(keep);
    Py_RETURN_NONE;
}

TEST(test_type_api) {
    PyObject *name = PyType_GetName((PyTypeObject *)NodeType);
    ASSERT(name && PyUnicode_CompareWithASCIIString(name, "Node") == 0);
    Py_DECREF(name);
    ASSERT(PyType_GetSlot((PyTypeObject *)NodeType, Py_tp_repr) == (void *)Node_repr);
    ASSERT(PyType_GetFlags((PyTypeObject *)NodeType) & Py_TPFLAGS_HAVE_GC);
    ASSERT(PyType_GetFlags((PyTypeObject *)NodeType) & Py_TPFLAGS_HEAPTYPE);
    PyObject *m = PyObject_GetAttrString(NodeType, "__module__");
    ASSERT(m && PyUnicode_CompareWithASCIIString(m, "ext_type") == 0);
    Py_DECREF(m);
    PyObject *g = PyType_GenericNew((PyTypeObject *)NodeType, NULL, NULL);
    ASSERT(g && ((NodeObject *)g)->payload == NULL);
    Py_DECREF(g);
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    DEF(test_create_and_fields),
    DEF(test_calling_conventions),
    DEF(test_cycles_and_dealloc),
    DEF(test_type_api),
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "ext_type", NULL, -1, methods};

PyMODINIT_FUNC PyInit_ext_type(void) {
    PyObject *m = PyModule_Create(&module);
    if (!m) return NULL;
    NodeType = PyType_FromModuleAndSpec(m, &Node_spec, NULL);
    if (!NodeType) { Py_DECREF(m); return NULL; }
    if (PyModule_AddType(m, (PyTypeObject *)NodeType) < 0) { Py_DECREF(m); return NULL; }
    return m;
}
