/* Spec types deriving from `type` (metatypes, as Cython's shared metaclass for its function and
 * class types): PyType_FromSpecWithBases accepts `type` as base, the types made with the
 * metatype (PyType_FromMetaclass from 3.12, Py_SET_TYPE before) are type objects whose type is
 * the metatype, and they still create instances. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include "testing.h"

static PyType_Slot meta_slots[] = {{0, NULL}};
static PyType_Spec meta_spec = {
    "ext_lang_metatype.Meta", 0, 0,
    Py_TPFLAGS_DEFAULT | Py_TPFLAGS_IMMUTABLETYPE | Py_TPFLAGS_DISALLOW_INSTANTIATION, meta_slots};

static PyType_Slot cls_slots[] = {{0, NULL}};
static PyType_Spec cls_spec = {"ext_lang_metatype.Made", sizeof(PyObject) + 16, 0,
                               Py_TPFLAGS_DEFAULT, cls_slots};

static PyObject *make_meta(void) {
    PyObject *bases = PyTuple_Pack(1, (PyObject *)&PyType_Type);
    if (!bases) return NULL;
    PyObject *meta = PyType_FromSpecWithBases(&meta_spec, bases);
    Py_DECREF(bases);
    return meta;
}

static PyObject *make_with_meta(PyObject *meta) {
#if PY_VERSION_HEX >= 0x030C0000
    return PyType_FromMetaclass((PyTypeObject *)meta, NULL, &cls_spec, NULL);
#else
    PyObject *cls = PyType_FromSpec(&cls_spec);
    if (cls) {
        Py_INCREF(meta);
        Py_SET_TYPE(cls, (PyTypeObject *)meta);
    }
    return cls;
#endif
}

TEST(test_a_spec_type_may_derive_from_type) {
    PyObject *meta = make_meta();
    ASSERT(meta);
    ASSERT(PyType_Check(meta));
    ASSERT(Py_TYPE(meta) == &PyType_Type);
    ASSERT(PyType_IsSubtype((PyTypeObject *)meta, &PyType_Type));
    ASSERT(PyObject_IsSubclass(meta, (PyObject *)&PyType_Type) == 1);
    ASSERT(!PyType_IsSubtype(&PyType_Type, (PyTypeObject *)meta));
    /* Py_TPFLAGS_DISALLOW_INSTANTIATION: calling the metatype raises TypeError */
    PyObject *r = PyObject_CallNoArgs(meta);
    ASSERT(r == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    Py_DECREF(meta);
    Py_RETURN_NONE;
}

TEST(test_types_made_with_a_metatype_are_its_instances) {
    PyObject *meta = make_meta();
    ASSERT(meta);
    PyObject *cls = make_with_meta(meta);
    ASSERT(cls);
    ASSERT(Py_TYPE(cls) == (PyTypeObject *)meta);
    ASSERT(PyType_Check(cls));
    ASSERT(PyObject_IsInstance(cls, meta) == 1);
    ASSERT(PyObject_IsInstance(cls, (PyObject *)&PyType_Type) == 1);
    ASSERT(PyObject_IsInstance((PyObject *)&PyLong_Type, meta) == 0);
    /* the made type still creates instances */
    PyObject *o = PyObject_CallNoArgs(cls);
    ASSERT(o);
    ASSERT(Py_TYPE(o) == (PyTypeObject *)cls);
    ASSERT(PyObject_IsInstance(o, cls) == 1);
    ASSERT(PyObject_IsInstance(o, meta) == 0);
    Py_DECREF(o);
    Py_DECREF(cls);
    Py_DECREF(meta);
    Py_RETURN_NONE;
}

TEST(test_from_spec_refuses_a_metaclass_that_is_not_a_type_subclass) {
#if PY_VERSION_HEX >= 0x030C0000
    PyObject *r = PyType_FromMetaclass(&PyLong_Type, NULL, &cls_spec, NULL);
    ASSERT(r == NULL);
    ASSERT_RAISES(PyExc_TypeError);
#endif
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    DEF(test_a_spec_type_may_derive_from_type),
    DEF(test_types_made_with_a_metatype_are_its_instances),
    DEF(test_from_spec_refuses_a_metaclass_that_is_not_a_type_subclass),
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "ext_lang_metatype", NULL, -1, methods};

PyMODINIT_FUNC PyInit_ext_lang_metatype(void) { return PyModule_Create(&module); }
