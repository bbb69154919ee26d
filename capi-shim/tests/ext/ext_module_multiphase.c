/* Multi-phase initialisation: Py_mod_exec, module state, Add* helpers. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include "testing.h"

typedef struct { long calls; PyObject *obj; } State;

static PyObject *the_module;

static int exec_mod(PyObject *m) {
    State *st = (State *)PyModule_GetState(m);
    if (!st) return -1;
    st->calls = 41;
    if (PyModule_AddIntConstant(m, "ANSWER", 42) < 0) return -1;
    if (PyModule_AddStringConstant(m, "NAME", "multi") < 0) return -1;
    PyObject *l = PyList_New(0);
    if (PyModule_AddObjectRef(m, "LIST", l) < 0) { Py_DECREF(l); return -1; }
    Py_DECREF(l);
    the_module = m;
    return 0;
}

static int m_traverse(PyObject *m, visitproc visit, void *arg) { return 0; }

TEST(test_state) {
    State *st = (State *)PyModule_GetState(the_module);
    ASSERT(st && st->calls == 41);
    ASSERT(PyModule_GetDef(the_module) != NULL);
    Py_RETURN_NONE;
}

TEST(test_constants_added) {
    PyObject *a = PyObject_GetAttrString(the_module, "ANSWER");
    ASSERT(a && PyLong_AsLong(a) == 42); Py_DECREF(a);
    PyObject *n = PyObject_GetAttrString(the_module, "NAME");
    ASSERT(n && PyUnicode_CompareWithASCIIString(n, "multi") == 0); Py_DECREF(n);
    PyObject *d = PyModule_GetDict(the_module);
    ASSERT(d && PyDict_GetItemString(d, "LIST") != NULL);
    ASSERT(strcmp(PyModule_GetName(the_module), "ext_module_multiphase") == 0);
    PyObject *nm = PyModule_GetNameObject(the_module);
    ASSERT(nm && PyUnicode_CompareWithASCIIString(nm, "ext_module_multiphase") == 0);
    Py_DECREF(nm);
    ASSERT(PyModule_AddObjectRef(the_module, "X", NULL) == -1);
    ASSERT_RAISES(PyExc_SystemError);
    ASSERT(PyModule_GetState(Py_None) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    PyObject *v = PyLong_FromLong(5);
    ASSERT(PyModule_AddObject(the_module, "FIVE", v) == 0); /* steals */
    ASSERT(PyObject_HasAttrString(the_module, "FIVE") == 1);
    ASSERT(PyModule_AddIntConstant(Py_None, "x", 1) == -1);
    PyErr_Clear();
    Py_RETURN_NONE;
}

TEST(test_new_module) {
    PyObject *m = PyModule_New("fresh");
    ASSERT(m && PyModule_Check(m));
    ASSERT(PyObject_SetAttrString(m, "attr", Py_True) == 0);
    PyObject *v = PyObject_GetAttrString(m, "attr");
    ASSERT(v == Py_True); Py_DECREF(v);
    ASSERT(PyObject_GetAttrString(m, "missing") == NULL);
    ASSERT_RAISES(PyExc_AttributeError);
    ASSERT(PyModule_SetDocString(m, "doc") == 0);
    Py_DECREF(m);
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    DEF(test_state),
    DEF(test_constants_added),
    DEF(test_new_module),
    {NULL, NULL, 0, NULL},
};

static PyModuleDef_Slot slots[] = {
    {Py_mod_exec, exec_mod},
    {0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "ext_module_multiphase", "multi-phase test", sizeof(State), methods, slots,
    m_traverse, NULL, NULL,
};

PyMODINIT_FUNC PyInit_ext_module_multiphase(void) { return PyModuleDef_Init(&module); }
