/* pyopaque C API shim: list objects.
 * Written for pyopaque from the Python C API documentation; names and
 * values match CPython so extension sources behave the same. */
#ifndef Py_LISTOBJECT_H
#define Py_LISTOBJECT_H

#ifdef __cplusplus
extern "C" {
#endif

PyAPI_DATA(PyTypeObject) PyListIter_Type;
PyAPI_DATA(PyTypeObject) PyListRevIter_Type;
PyAPI_DATA(PyTypeObject) PyList_Type;
#define PyList_Check(op) \
    _PyOpaque_HasTypeFlag((op), Py_TPFLAGS_LIST_SUBCLASS)
#define PyList_CheckExact(op) Py_IS_TYPE((op), &PyList_Type)

PyAPI_FUNC(int) PyList_Append(PyObject *list, PyObject *item);
PyAPI_FUNC(PyObject *) PyList_AsTuple(PyObject *list);
PyAPI_FUNC(PyObject *) PyList_GetItem(PyObject *list, Py_ssize_t index);
PyAPI_FUNC(PyObject *) PyList_GetSlice(PyObject *list, Py_ssize_t low, Py_ssize_t high);
PyAPI_FUNC(int) PyList_Insert(PyObject *list, Py_ssize_t index, PyObject *item);
PyAPI_FUNC(PyObject *) PyList_New(Py_ssize_t len);
PyAPI_FUNC(int) PyList_Reverse(PyObject *list);
PyAPI_FUNC(int) PyList_SetItem(PyObject *list, Py_ssize_t index, PyObject *item);
PyAPI_FUNC(int) PyList_SetSlice(PyObject *list, Py_ssize_t low, Py_ssize_t high, PyObject *itemlist);
PyAPI_FUNC(Py_ssize_t) PyList_Size(PyObject *list);
PyAPI_FUNC(int) PyList_Sort(PyObject *list);

/* added to the Limited API in 3.13 */
#if !defined(Py_LIMITED_API) || Py_LIMITED_API+0 >= 0x030D0000
PyAPI_FUNC(PyObject *) PyList_GetItemRef(PyObject *list, Py_ssize_t index);
#endif

/* outside the Limited API */
#ifndef Py_LIMITED_API
PyAPI_FUNC(int) PyList_Clear(PyObject *);
PyAPI_FUNC(int) PyList_Extend(PyObject *, PyObject *);
#endif

#ifndef Py_LIMITED_API
/* Unchecked accessors.  GET_ITEM returns a borrowed reference; SET_ITEM
 * steals 'value' and does not release the previous item. */
PyAPI_FUNC(Py_ssize_t) PyOpaque_List_GET_SIZE(PyObject *op);
PyAPI_FUNC(PyObject *) PyOpaque_List_GET_ITEM(PyObject *op, Py_ssize_t index);
PyAPI_FUNC(void) PyOpaque_List_SET_ITEM(PyObject *op, Py_ssize_t index, PyObject *value);

#define PyList_GET_SIZE(op) PyOpaque_List_GET_SIZE(_PyObject_CAST(op))
#define PyList_GET_ITEM(op, index) \
    PyOpaque_List_GET_ITEM(_PyObject_CAST(op), (index))
#define PyList_SET_ITEM(op, index, value) \
    PyOpaque_List_SET_ITEM(_PyObject_CAST(op), (index), _PyObject_CAST(value))
#endif

#ifdef __cplusplus
}
#endif
#endif /* !Py_LISTOBJECT_H */
