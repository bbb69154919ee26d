/* pyopaque C API shim: set and frozenset objects.
 * Written for pyopaque from the Python C API documentation; names and
 * values match CPython so extension sources behave the same. */
#ifndef Py_SETOBJECT_H
#define Py_SETOBJECT_H

#ifdef __cplusplus
extern "C" {
#endif

PyAPI_DATA(PyTypeObject) PyFrozenSet_Type;
PyAPI_DATA(PyTypeObject) PySetIter_Type;
PyAPI_DATA(PyTypeObject) PySet_Type;
#define PyFrozenSet_CheckExact(op) Py_IS_TYPE((op), &PyFrozenSet_Type)
#define PyFrozenSet_Check(op) \
    (Py_IS_TYPE((op), &PyFrozenSet_Type) || \
     PyType_IsSubtype(Py_TYPE(op), &PyFrozenSet_Type))
#define PyAnySet_CheckExact(op) \
    (Py_IS_TYPE((op), &PySet_Type) || Py_IS_TYPE((op), &PyFrozenSet_Type))
#define PyAnySet_Check(op) \
    (PyAnySet_CheckExact(op) || \
     PyType_IsSubtype(Py_TYPE(op), &PySet_Type) || \
     PyType_IsSubtype(Py_TYPE(op), &PyFrozenSet_Type))
#define PySet_CheckExact(op) Py_IS_TYPE((op), &PySet_Type)
#define PySet_Check(op) \
    (Py_IS_TYPE((op), &PySet_Type) || \
     PyType_IsSubtype(Py_TYPE(op), &PySet_Type))

PyAPI_FUNC(PyObject *) PyFrozenSet_New(PyObject *iterable);
PyAPI_FUNC(int) PySet_Add(PyObject *set, PyObject *key);
PyAPI_FUNC(int) PySet_Clear(PyObject *set);
PyAPI_FUNC(int) PySet_Contains(PyObject *anyset, PyObject *key);
PyAPI_FUNC(int) PySet_Discard(PyObject *set, PyObject *key);
PyAPI_FUNC(PyObject *) PySet_New(PyObject *iterable);
PyAPI_FUNC(PyObject *) PySet_Pop(PyObject *set);
PyAPI_FUNC(Py_ssize_t) PySet_Size(PyObject *anyset);

#ifndef Py_LIMITED_API
PyAPI_FUNC(Py_ssize_t) PyOpaque_Set_GET_SIZE(PyObject *op);
#define PySet_GET_SIZE(op) PyOpaque_Set_GET_SIZE(_PyObject_CAST(op))
#endif

#ifdef __cplusplus
}
#endif
#endif /* !Py_SETOBJECT_H */
