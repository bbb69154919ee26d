/* collections.abc: the classes Cython's limited-API init reads (Sequence and Mapping differ by
 * exactly Py_TPFLAGS_SEQUENCE / Py_TPFLAGS_MAPPING), and isinstance/issubclass of the builtin
 * containers against them. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include "testing.h"

static PyObject *abc_class(const char *name) {
    PyObject *m = PyImport_ImportModule("collections.abc");
    if (!m) return NULL;
    PyObject *c = PyObject_GetAttrString(m, name);
    Py_DECREF(m);
    return c;
}

TEST(test_sequence_and_mapping_carry_their_type_flags) {
    PyObject *seq = abc_class("Sequence");
    ASSERT(seq && PyType_Check(seq));
    PyObject *map = abc_class("Mapping");
    ASSERT(map && PyType_Check(map));
    unsigned long sf = PyType_GetFlags((PyTypeObject *)seq);
    unsigned long mf = PyType_GetFlags((PyTypeObject *)map);
    ASSERT((sf ^ (sf & mf)) == Py_TPFLAGS_SEQUENCE);
    ASSERT((mf ^ (sf & mf)) == Py_TPFLAGS_MAPPING);
    Py_DECREF(seq);
    Py_DECREF(map);
    Py_RETURN_NONE;
}

TEST(test_builtin_containers_are_instances_of_the_abcs) {
    PyObject *seq = abc_class("Sequence"), *mseq = abc_class("MutableSequence");
    PyObject *map = abc_class("Mapping"), *mmap = abc_class("MutableMapping");
    PyObject *iterable = abc_class("Iterable"), *sized = abc_class("Sized");
    PyObject *set = abc_class("Set");
    ASSERT(seq && mseq && map && mmap && iterable && sized && set);
    PyObject *l = PyList_New(0), *t = PyTuple_New(0), *d = PyDict_New();
    PyObject *s = PyUnicode_FromString("x"), *n = PyLong_FromLong(5), *fs = PyFrozenSet_New(NULL);
    ASSERT(l && t && d && s && n && fs);
    ASSERT(PyObject_IsInstance(l, seq) == 1);
    ASSERT(PyObject_IsInstance(l, mseq) == 1);
    ASSERT(PyObject_IsInstance(t, seq) == 1);
    ASSERT(PyObject_IsInstance(t, mseq) == 0);
    ASSERT(PyObject_IsInstance(s, seq) == 1);
    ASSERT(PyObject_IsInstance(d, map) == 1);
    ASSERT(PyObject_IsInstance(d, mmap) == 1);
    ASSERT(PyObject_IsInstance(d, seq) == 0);
    ASSERT(PyObject_IsInstance(l, map) == 0);
    ASSERT(PyObject_IsInstance(l, iterable) == 1);
    ASSERT(PyObject_IsInstance(d, sized) == 1);
    ASSERT(PyObject_IsInstance(fs, set) == 1);
    ASSERT(PyObject_IsInstance(n, seq) == 0);
    ASSERT(PyObject_IsInstance(n, iterable) == 0);
    ASSERT(PyObject_IsSubclass((PyObject *)&PyList_Type, seq) == 1);
    ASSERT(PyObject_IsSubclass((PyObject *)&PyLong_Type, map) == 0);
    ASSERT(PyObject_IsSubclass(mseq, seq) == 1);
    Py_DECREF(l); Py_DECREF(t); Py_DECREF(d); Py_DECREF(s); Py_DECREF(n); Py_DECREF(fs);
    Py_DECREF(seq); Py_DECREF(mseq); Py_DECREF(map); Py_DECREF(mmap);
    Py_DECREF(iterable); Py_DECREF(sized); Py_DECREF(set);
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    DEF(test_sequence_and_mapping_carry_their_type_flags),
    DEF(test_builtin_containers_are_instances_of_the_abcs),
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "ext_lang_collections_abc", NULL, -1,
                                    methods};

PyMODINIT_FUNC PyInit_ext_lang_collections_abc(void) { return PyModule_Create(&module); }
