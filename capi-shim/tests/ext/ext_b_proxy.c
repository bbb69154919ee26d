/* mappingproxy, generic aliases, the old buffer API, __dict__ helpers, fork hooks. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include "testing.h"

PyAPI_FUNC(int) PyObject_AsCharBuffer(PyObject *, const char **, Py_ssize_t *);
PyAPI_FUNC(int) PyObject_AsReadBuffer(PyObject *, const void **, Py_ssize_t *);
PyAPI_FUNC(int) PyObject_AsWriteBuffer(PyObject *, void **, Py_ssize_t *);
PyAPI_FUNC(int) PyObject_CheckReadBuffer(PyObject *);

TEST(test_dictproxy) {
    PyObject *d = PyDict_New();
    PyObject *one = PyLong_FromLong(1);
    PyDict_SetItemString(d, "a", one);
    PyObject *p = PyDictProxy_New(d);
    ASSERT(p != NULL);
    ASSERT(PyObject_Size(p) == 1);
    PyObject *k = PyUnicode_FromString("a");
    PyObject *v = PyObject_GetItem(p, k);
    ASSERT(v == one);
    Py_DECREF(v);
    ASSERT(PySequence_Contains(p, k) == 1);
    PyDict_SetItemString(d, "b", one); /* a live view */
    ASSERT(PyObject_Size(p) == 2);
    ASSERT(PyObject_SetItem(p, k, one) == -1); /* read-only */
    ASSERT_RAISES(PyExc_TypeError);
    PyObject *zz = PyUnicode_FromString("zz");
    ASSERT(PyObject_GetItem(p, zz) == NULL);
    ASSERT_RAISES(PyExc_KeyError);
    PyObject *it = PyObject_GetIter(p);
    ASSERT(it != NULL);
    int n = 0;
    PyObject *x;
    while ((x = PyIter_Next(it))) { n++; Py_DECREF(x); }
    ASSERT(n == 2 && !PyErr_Occurred());
    Py_DECREF(it);
    PyObject *l = PyList_New(0);
    ASSERT(PyDictProxy_New(l) == NULL); /* error path */
    ASSERT_RAISES(PyExc_TypeError);
    ASSERT(PyDictProxy_New(one) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    Py_DECREF(l); Py_DECREF(zz); Py_DECREF(k); Py_DECREF(p); Py_DECREF(one); Py_DECREF(d);
    Py_RETURN_NONE;
}

TEST(test_generic_alias) {
#if PY_VERSION_HEX >= 0x03090000
    PyObject *a = Py_GenericAlias((PyObject *)&PyList_Type, (PyObject *)&PyLong_Type);
    ASSERT(a != NULL);
    PyObject *o = PyObject_GetAttrString(a, "__origin__");
    ASSERT(o == (PyObject *)&PyList_Type);
    Py_DECREF(o);
    PyObject *args = PyObject_GetAttrString(a, "__args__");
    ASSERT(args && PyTuple_Check(args) && PyTuple_Size(args) == 1);
    ASSERT(PyTuple_GetItem(args, 0) == (PyObject *)&PyLong_Type);
    Py_DECREF(args);
    ASSERT(PyObject_GetAttrString(a, "__nope__") == NULL); /* error path */
    ASSERT_RAISES(PyExc_AttributeError);
    Py_DECREF(a);
#endif
    Py_RETURN_NONE;
}

TEST(test_old_buffer) {
    PyObject *b = PyBytes_FromString("abc");
    const char *cp;
    const void *vp;
    void *wp;
    Py_ssize_t n;
    ASSERT(PyObject_CheckReadBuffer(b) == 1);
    ASSERT(PyObject_AsCharBuffer(b, &cp, &n) == 0 && n == 3 && memcmp(cp, "abc", 3) == 0);
    ASSERT(PyObject_AsReadBuffer(b, &vp, &n) == 0 && n == 3 && memcmp(vp, "abc", 3) == 0);
    PyGC_Collect();
    ASSERT(memcmp(cp, "abc", 3) == 0); /* still valid: the exporter stays put */
    ASSERT(PyObject_AsWriteBuffer(b, &wp, &n) == -1); /* error path: read-only */
    ASSERT(PyErr_Occurred());
    PyErr_Clear();
    static char mem[4] = "xyz";
    PyObject *mv = PyMemoryView_FromMemory(mem, 3, PyBUF_WRITE);
    ASSERT(PyObject_AsWriteBuffer(mv, &wp, &n) == 0 && wp == mem && n == 3);
    PyObject *i = PyLong_FromLong(1);
    ASSERT(PyObject_CheckReadBuffer(i) == 0);
    ASSERT(PyObject_AsCharBuffer(i, &cp, &n) == -1);
    ASSERT_RAISES(PyExc_TypeError);
    ASSERT(PyObject_AsReadBuffer(i, &vp, &n) == -1);
    ASSERT_RAISES(PyExc_TypeError);
    Py_DECREF(i); Py_DECREF(mv); Py_DECREF(b);
    Py_RETURN_NONE;
}

TEST(test_generic_dict) {
    PyObject *m = PyModule_New("ext_b_dictmod");
    PyObject *d = PyObject_GenericGetDict(m, NULL);
    ASSERT(d && PyDict_Check(d));
    ASSERT(PyDict_GetItemString(d, "__name__") != NULL);
    Py_DECREF(d);
    PyObject *i = PyLong_FromLong(1);
    ASSERT(PyObject_GenericGetDict(i, NULL) == NULL); /* error path */
    ASSERT_RAISES(PyExc_AttributeError);
    ASSERT(PyObject_GenericSetDict(m, NULL, NULL) == -1);
    ASSERT_RAISES(PyExc_TypeError);
    ASSERT(PyObject_GenericSetDict(m, i, NULL) == -1);
    ASSERT_RAISES(PyExc_TypeError);
    PyObject *nd = PyDict_New();
    PyDict_SetItemString(nd, "marker", i);
    ASSERT(PyObject_GenericSetDict(m, nd, NULL) == 0);
    PyObject *v = PyObject_GetAttrString(m, "marker");
    ASSERT(v == i);
    Py_DECREF(v);
    Py_DECREF(nd); Py_DECREF(i); Py_DECREF(m);
    Py_RETURN_NONE;
}

TEST(test_fork_hooks) {
    PyOS_BeforeFork();
    pid_t pid = fork();
    if (pid == 0) {
        PyOS_AfterFork_Child();
        _exit(7);
    }
    PyOS_AfterFork_Parent();
    ASSERT(pid > 0);
    int status = 0;
    ASSERT(waitpid(pid, &status, 0) == pid);
    ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 7);
#ifdef PYOPAQUE
    /* In-process too: after fork only the calling thread exists, which is already the case. */
    PyOS_AfterFork_Child();
    PyOS_AfterFork();
#endif
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    DEF(test_dictproxy),
    DEF(test_generic_alias),
    DEF(test_old_buffer),
    DEF(test_generic_dict),
    DEF(test_fork_hooks),
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "ext_b_proxy", NULL, -1, methods};

PyMODINIT_FUNC PyInit_ext_b_proxy(void) { return PyModule_Create(&module); }
