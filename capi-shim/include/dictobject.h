/* pyopaque C API shim: dict objects.
 * Written for pyopaque from the Python C API documentation; names and
 * values match CPython so extension sources behave the same. */
#ifndef Py_DICTOBJECT_H
#define Py_DICTOBJECT_H

#ifdef __cplusplus
extern "C" {
#endif

PyAPI_DATA(PyTypeObject) PyDictItems_Type;
PyAPI_DATA(PyTypeObject) PyDictIterItem_Type;
PyAPI_DATA(PyTypeObject) PyDictIterKey_Type;
PyAPI_DATA(PyTypeObject) PyDictIterValue_Type;
PyAPI_DATA(PyTypeObject) PyDictKeys_Type;
PyAPI_DATA(PyTypeObject) PyDictValues_Type;
PyAPI_DATA(PyTypeObject) PyDict_Type;

/* added to the Limited API in 3.8 */
#if !defined(Py_LIMITED_API) || Py_LIMITED_API+0 >= 0x03080000
PyAPI_DATA(PyTypeObject) PyDictRevIterItem_Type;
PyAPI_DATA(PyTypeObject) PyDictRevIterKey_Type;
PyAPI_DATA(PyTypeObject) PyDictRevIterValue_Type;
#endif
#define PyDict_Check(op) \
    _PyOpaque_HasTypeFlag((op), Py_TPFLAGS_DICT_SUBCLASS)
#define PyDict_CheckExact(op) Py_IS_TYPE((op), &PyDict_Type)
#define PyDictKeys_Check(op) PyObject_TypeCheck((op), &PyDictKeys_Type)
#define PyDictValues_Check(op) PyObject_TypeCheck((op), &PyDictValues_Type)
#define PyDictItems_Check(op) PyObject_TypeCheck((op), &PyDictItems_Type)
#define PyDictViewSet_Check(op) (PyDictKeys_Check(op) || PyDictItems_Check(op))

PyAPI_FUNC(void) PyDict_Clear(PyObject *p);
PyAPI_FUNC(int) PyDict_Contains(PyObject *p, PyObject *key);
PyAPI_FUNC(PyObject *) PyDict_Copy(PyObject *p);
PyAPI_FUNC(int) PyDict_DelItem(PyObject *p, PyObject *key);
PyAPI_FUNC(int) PyDict_DelItemString(PyObject *p, const char *key);
PyAPI_FUNC(PyObject *) PyDict_GetItem(PyObject *p, PyObject *key);
PyAPI_FUNC(PyObject *) PyDict_GetItemString(PyObject *p, const char *key);
PyAPI_FUNC(PyObject *) PyDict_GetItemWithError(PyObject *p, PyObject *key);
PyAPI_FUNC(PyObject *) PyDict_Items(PyObject *p);
PyAPI_FUNC(PyObject *) PyDict_Keys(PyObject *p);
PyAPI_FUNC(int) PyDict_Merge(PyObject *a, PyObject *b, int override);
PyAPI_FUNC(int) PyDict_MergeFromSeq2(PyObject *a, PyObject *seq2, int override);
PyAPI_FUNC(PyObject *) PyDict_New(void);
PyAPI_FUNC(int) PyDict_Next(PyObject *p, Py_ssize_t *ppos, PyObject **pkey, PyObject **pvalue);
PyAPI_FUNC(int) PyDict_SetItem(PyObject *p, PyObject *key, PyObject *val);
PyAPI_FUNC(int) PyDict_SetItemString(PyObject *p, const char *key, PyObject *val);
PyAPI_FUNC(Py_ssize_t) PyDict_Size(PyObject *p);
PyAPI_FUNC(int) PyDict_Update(PyObject *a, PyObject *b);
PyAPI_FUNC(PyObject *) PyDict_Values(PyObject *p);

/* added to the Limited API in 3.10 */
#if !defined(Py_LIMITED_API) || Py_LIMITED_API+0 >= 0x030A0000
PyAPI_FUNC(PyObject *) PyObject_GenericGetDict(PyObject *o, void *context);
#endif

/* added to the Limited API in 3.13 */
#if !defined(Py_LIMITED_API) || Py_LIMITED_API+0 >= 0x030D0000
PyAPI_FUNC(int) PyDict_GetItemRef(PyObject *, PyObject *, PyObject **);
PyAPI_FUNC(int) PyDict_GetItemStringRef(PyObject *, const char *, PyObject **);
#endif

/* added to the Limited API in 3.15 */
#if !defined(Py_LIMITED_API) || Py_LIMITED_API+0 >= 0x030F0000
PyAPI_FUNC(int) PyDict_SetDefaultRef(PyObject *, PyObject *, PyObject *, PyObject **);
#endif

/* outside the Limited API */
#ifndef Py_LIMITED_API
PyAPI_FUNC(int) PyDict_ContainsString(PyObject *, const char *);
PyAPI_FUNC(int) PyDict_Pop(PyObject *, PyObject *, PyObject **);
PyAPI_FUNC(int) PyDict_PopString(PyObject *, const char *, PyObject **);
PyAPI_FUNC(PyObject *) PyDict_SetDefault(PyObject *p, PyObject *key, PyObject *);
#endif

#ifndef Py_LIMITED_API
PyAPI_FUNC(Py_ssize_t) PyOpaque_Dict_GET_SIZE(PyObject *op);
#define PyDict_GET_SIZE(op) PyOpaque_Dict_GET_SIZE(_PyObject_CAST(op))
#endif

#ifdef __cplusplus
}
#endif
#endif /* !Py_DICTOBJECT_H */
