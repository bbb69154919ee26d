/* A C type with its own vectorcall function whose tp_call is PyVectorcall_Call (as Cython's
 * functions are in limited API 3.12+): PyVectorcall_Call must call the vectorcall pointer,
 * not tp_call (which would recurse), with positional and keyword arguments. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>
#include "testing.h"

typedef struct {
    PyObject_HEAD
    vectorcallfunc vectorcall;
} VCObject;

/* Returns (nargs, kwnames or None, first positional or None). */
static PyObject *vc_call(PyObject *self, PyObject *const *args, size_t nargsf, PyObject *kwnames) {
    (void)self;
    Py_ssize_t n = PyVectorcall_NARGS(nargsf);
    PyObject *first = n > 0 ? args[0] : Py_None;
    PyObject *names = kwnames ? kwnames : Py_None;
    PyObject *lastkw = Py_None;
    if (kwnames && PyTuple_Size(kwnames) > 0)
        lastkw = args[n + PyTuple_Size(kwnames) - 1];
    return Py_BuildValue("(nOOO)", n, names, first, lastkw);
}

static PyObject *vc_new(PyTypeObject *t, PyObject *a, PyObject *k) {
    (void)a; (void)k;
    VCObject *o = (VCObject *)PyType_GenericAlloc(t, 0);
    if (o) o->vectorcall = vc_call;
    return (PyObject *)o;
}

static PyMemberDef vc_members[] = {
    {"__vectorcalloffset__", T_PYSSIZET, offsetof(VCObject, vectorcall), READONLY, NULL},
    {NULL, 0, 0, 0, NULL},
};

static PyType_Slot vc_slots[] = {
    {Py_tp_new, (void *)vc_new},
    {Py_tp_call, (void *)PyVectorcall_Call},
    {Py_tp_members, vc_members},
    {0, NULL},
};

static PyType_Spec vc_spec = {"ext_vectorcall.VC", sizeof(VCObject), 0,
                              Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_VECTORCALL, vc_slots};

TEST(test_vectorcall_call_uses_the_vectorcall_pointer) {
    PyObject *t = PyType_FromSpec(&vc_spec);
    ASSERT(t != NULL);
    PyObject *o = PyObject_CallNoArgs(t);
    ASSERT(o != NULL);
    PyObject *args = Py_BuildValue("(ii)", 7, 8);
    PyObject *kw = Py_BuildValue("{s:i}", "key", 9);
    PyObject *r = PyVectorcall_Call(o, args, kw);
    ASSERT(r != NULL);
    ASSERT(PyLong_AsLong(PyTuple_GetItem(r, 0)) == 2);
    ASSERT(PyTuple_Check(PyTuple_GetItem(r, 1)) && PyTuple_Size(PyTuple_GetItem(r, 1)) == 1);
    ASSERT(PyLong_AsLong(PyTuple_GetItem(r, 2)) == 7);
    ASSERT(PyLong_AsLong(PyTuple_GetItem(r, 3)) == 9);
    Py_DECREF(r);
    /* Through tp_call (= PyVectorcall_Call): no recursion. */
    r = PyObject_Call(o, args, NULL);
    ASSERT(r != NULL && PyTuple_GetItem(r, 1) == Py_None);
    ASSERT(PyLong_AsLong(PyTuple_GetItem(r, 0)) == 2);
    Py_DECREF(r);
    r = PyObject_CallNoArgs(o);
    ASSERT(r != NULL && PyLong_AsLong(PyTuple_GetItem(r, 0)) == 0);
    Py_DECREF(r);
    Py_DECREF(kw);
    Py_DECREF(args);
    Py_DECREF(o);
    Py_DECREF(t);
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    DEF(test_vectorcall_call_uses_the_vectorcall_pointer),
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "ext_vectorcall", NULL, -1, methods};

PyMODINIT_FUNC PyInit_ext_vectorcall(void) { return PyModule_Create(&module); }
