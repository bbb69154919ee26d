/* pyopaque C API shim: bytes objects.
 * Written for pyopaque from the Python C API documentation; names and
 * values match CPython so extension sources behave the same. */
#ifndef Py_BYTESOBJECT_H
#define Py_BYTESOBJECT_H

#ifdef __cplusplus
extern "C" {
#endif

PyAPI_DATA(PyTypeObject) PyBytesIter_Type;
PyAPI_DATA(PyTypeObject) PyBytes_Type;
#define PyBytes_Check(op) \
    _PyOpaque_HasTypeFlag((op), Py_TPFLAGS_BYTES_SUBCLASS)
#define PyBytes_CheckExact(op) Py_IS_TYPE((op), &PyBytes_Type)

PyAPI_FUNC(char *) PyBytes_AsString(PyObject *o);
PyAPI_FUNC(int) PyBytes_AsStringAndSize(PyObject *obj, char **buffer, Py_ssize_t *length);
PyAPI_FUNC(void) PyBytes_Concat(PyObject **bytes, PyObject *newpart);
PyAPI_FUNC(void) PyBytes_ConcatAndDel(PyObject **bytes, PyObject *newpart);
PyAPI_FUNC(PyObject *) PyBytes_DecodeEscape(const char *, Py_ssize_t, const char *, Py_ssize_t, const char *);
PyAPI_FUNC(PyObject *) PyBytes_FromFormat(const char *format, ...);
PyAPI_FUNC(PyObject *) PyBytes_FromFormatV(const char *format, va_list vargs);
PyAPI_FUNC(PyObject *) PyBytes_FromObject(PyObject *o);
PyAPI_FUNC(PyObject *) PyBytes_FromString(const char *v);
PyAPI_FUNC(PyObject *) PyBytes_FromStringAndSize(const char *v, Py_ssize_t len);
PyAPI_FUNC(PyObject *) PyBytes_Repr(PyObject *, int);
PyAPI_FUNC(Py_ssize_t) PyBytes_Size(PyObject *o);

#ifndef Py_LIMITED_API
PyAPI_FUNC(char *) PyOpaque_Bytes_AS_STRING(PyObject *op);
PyAPI_FUNC(Py_ssize_t) PyOpaque_Bytes_GET_SIZE(PyObject *op);
#define PyBytes_AS_STRING(op) PyOpaque_Bytes_AS_STRING(_PyObject_CAST(op))
#define PyBytes_GET_SIZE(op)  PyOpaque_Bytes_GET_SIZE(_PyObject_CAST(op))
#endif

#ifdef __cplusplus
}
#endif
#endif /* !Py_BYTESOBJECT_H */
