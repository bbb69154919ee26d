/* pyopaque C API shim: bytearray objects.
 * Written for pyopaque from the Python C API documentation; names and
 * values match CPython so extension sources behave the same. */
#ifndef Py_BYTEARRAYOBJECT_H
#define Py_BYTEARRAYOBJECT_H

#ifdef __cplusplus
extern "C" {
#endif

PyAPI_DATA(PyTypeObject) PyByteArrayIter_Type;
PyAPI_DATA(PyTypeObject) PyByteArray_Type;
#define PyByteArray_Check(self) PyObject_TypeCheck((self), &PyByteArray_Type)
#define PyByteArray_CheckExact(self) Py_IS_TYPE((self), &PyByteArray_Type)

PyAPI_FUNC(char *) PyByteArray_AsString(PyObject *bytearray);
PyAPI_FUNC(PyObject *) PyByteArray_Concat(PyObject *a, PyObject *b);
PyAPI_FUNC(PyObject *) PyByteArray_FromObject(PyObject *o);
PyAPI_FUNC(PyObject *) PyByteArray_FromStringAndSize(const char *string, Py_ssize_t len);
PyAPI_FUNC(int) PyByteArray_Resize(PyObject *bytearray, Py_ssize_t len);
PyAPI_FUNC(Py_ssize_t) PyByteArray_Size(PyObject *bytearray);

#ifndef Py_LIMITED_API
PyAPI_FUNC(char *) PyOpaque_ByteArray_AS_STRING(PyObject *op);
PyAPI_FUNC(Py_ssize_t) PyOpaque_ByteArray_GET_SIZE(PyObject *op);
#define PyByteArray_AS_STRING(op) PyOpaque_ByteArray_AS_STRING(_PyObject_CAST(op))
#define PyByteArray_GET_SIZE(op)  PyOpaque_ByteArray_GET_SIZE(_PyObject_CAST(op))
#endif

#ifdef __cplusplus
}
#endif
#endif /* !Py_BYTEARRAYOBJECT_H */
