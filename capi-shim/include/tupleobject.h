/* pyopaque C API shim: tuple objects.
 * Written for pyopaque from the Python C API documentation; names and
 * values match CPython so extension sources behave the same. */
#ifndef Py_TUPLEOBJECT_H
#define Py_TUPLEOBJECT_H

#ifdef __cplusplus
extern "C" {
#endif

PyAPI_DATA(PyTypeObject) PyTupleIter_Type;
PyAPI_DATA(PyTypeObject) PyTuple_Type;
#define PyTuple_Check(op) \
    _PyOpaque_HasTypeFlag((op), Py_TPFLAGS_TUPLE_SUBCLASS)
#define PyTuple_CheckExact(op) Py_IS_TYPE((op), &PyTuple_Type)

PyAPI_FUNC(PyObject *) PyTuple_GetItem(PyObject *p, Py_ssize_t pos);
PyAPI_FUNC(PyObject *) PyTuple_GetSlice(PyObject *p, Py_ssize_t low, Py_ssize_t high);
PyAPI_FUNC(PyObject *) PyTuple_New(Py_ssize_t len);
PyAPI_FUNC(PyObject *) PyTuple_Pack(Py_ssize_t len, ...);
PyAPI_FUNC(int) PyTuple_SetItem(PyObject *p, Py_ssize_t pos, PyObject *o);
PyAPI_FUNC(Py_ssize_t) PyTuple_Size(PyObject *p);

#ifndef Py_LIMITED_API
/* Unchecked accessors.  GET_ITEM returns a borrowed reference; SET_ITEM
 * steals 'value' and does not release the previous item. */
PyAPI_FUNC(Py_ssize_t) PyOpaque_Tuple_GET_SIZE(PyObject *op);
PyAPI_FUNC(PyObject *) PyOpaque_Tuple_GET_ITEM(PyObject *op, Py_ssize_t index);
PyAPI_FUNC(void) PyOpaque_Tuple_SET_ITEM(PyObject *op, Py_ssize_t index, PyObject *value);

#define PyTuple_GET_SIZE(op) PyOpaque_Tuple_GET_SIZE(_PyObject_CAST(op))
#define PyTuple_GET_ITEM(op, index) \
    PyOpaque_Tuple_GET_ITEM(_PyObject_CAST(op), (index))
#define PyTuple_SET_ITEM(op, index, value) \
    PyOpaque_Tuple_SET_ITEM(_PyObject_CAST(op), (index), _PyObject_CAST(value))
#endif

#ifdef __cplusplus
}
#endif
#endif /* !Py_TUPLEOBJECT_H */
