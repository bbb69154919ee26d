/* pyopaque C API shim: int objects.
 * Written for pyopaque from the Python C API documentation; names and
 * values match CPython so extension sources behave the same. */
#ifndef Py_LONGOBJECT_H
#define Py_LONGOBJECT_H

#ifdef __cplusplus
extern "C" {
#endif

PyAPI_DATA(PyTypeObject) PyLong_Type;
#define PyLong_Check(op) \
    _PyOpaque_HasTypeFlag((op), Py_TPFLAGS_LONG_SUBCLASS)
#define PyLong_CheckExact(op) Py_IS_TYPE((op), &PyLong_Type)

#if !defined(Py_LIMITED_API) || Py_LIMITED_API+0 >= 0x030E0000
/* Flags for PyLong_AsNativeBytes / PyLong_FromNativeBytes. */
#define Py_ASNATIVEBYTES_DEFAULTS       -1
#define Py_ASNATIVEBYTES_BIG_ENDIAN      0
#define Py_ASNATIVEBYTES_LITTLE_ENDIAN   1
#define Py_ASNATIVEBYTES_NATIVE_ENDIAN   3
#define Py_ASNATIVEBYTES_UNSIGNED_BUFFER 4
#define Py_ASNATIVEBYTES_REJECT_NEGATIVE 8
#define Py_ASNATIVEBYTES_ALLOW_INDEX     16
#endif

PyAPI_FUNC(double) PyLong_AsDouble(PyObject *pylong);
PyAPI_FUNC(long) PyLong_AsLong(PyObject *pylong);
PyAPI_FUNC(long) PyLong_AsLongAndOverflow(PyObject *obj, int *overflow);
PyAPI_FUNC(long long) PyLong_AsLongLong(PyObject *obj);
PyAPI_FUNC(long long) PyLong_AsLongLongAndOverflow(PyObject *obj, int *overflow);
PyAPI_FUNC(size_t) PyLong_AsSize_t(PyObject *pylong);
PyAPI_FUNC(Py_ssize_t) PyLong_AsSsize_t(PyObject *pylong);
PyAPI_FUNC(unsigned long) PyLong_AsUnsignedLong(PyObject *pylong);
PyAPI_FUNC(unsigned long long) PyLong_AsUnsignedLongLong(PyObject *pylong);
PyAPI_FUNC(unsigned long long) PyLong_AsUnsignedLongLongMask(PyObject *obj);
PyAPI_FUNC(unsigned long) PyLong_AsUnsignedLongMask(PyObject *obj);
PyAPI_FUNC(void *) PyLong_AsVoidPtr(PyObject *pylong);
PyAPI_FUNC(PyObject *) PyLong_FromDouble(double v);
PyAPI_FUNC(PyObject *) PyLong_FromLong(long v);
PyAPI_FUNC(PyObject *) PyLong_FromLongLong(long long v);
PyAPI_FUNC(PyObject *) PyLong_FromSize_t(size_t v);
PyAPI_FUNC(PyObject *) PyLong_FromSsize_t(Py_ssize_t v);
PyAPI_FUNC(PyObject *) PyLong_FromString(const char *str, char **pend, int base);
PyAPI_FUNC(PyObject *) PyLong_FromUnsignedLong(unsigned long v);
PyAPI_FUNC(PyObject *) PyLong_FromUnsignedLongLong(unsigned long long v);
PyAPI_FUNC(PyObject *) PyLong_FromVoidPtr(void *p);
PyAPI_FUNC(PyObject *) PyLong_GetInfo(void);
PyAPI_FUNC(long) PyOS_strtol(const char *, char **, int);
PyAPI_FUNC(unsigned long) PyOS_strtoul(const char *, char **, int);

/* added to the Limited API in 3.13 */
#if !defined(Py_LIMITED_API) || Py_LIMITED_API+0 >= 0x030D0000
PyAPI_FUNC(int) PyLong_AsInt(PyObject *);
#endif

/* added to the Limited API in 3.14 */
#if !defined(Py_LIMITED_API) || Py_LIMITED_API+0 >= 0x030E0000
PyAPI_FUNC(int) PyLong_AsInt32(PyObject *obj, int32_t *value);
PyAPI_FUNC(int) PyLong_AsInt64(PyObject *obj, int64_t *value);
PyAPI_FUNC(Py_ssize_t) PyLong_AsNativeBytes(PyObject *, void *, Py_ssize_t, int);
PyAPI_FUNC(int) PyLong_AsUInt32(PyObject *obj, uint32_t *value);
PyAPI_FUNC(int) PyLong_AsUInt64(PyObject *obj, uint64_t *value);
PyAPI_FUNC(PyObject *) PyLong_FromInt32(int32_t value);
PyAPI_FUNC(PyObject *) PyLong_FromInt64(int64_t value);
PyAPI_FUNC(PyObject *) PyLong_FromNativeBytes(const void *, size_t, int);
PyAPI_FUNC(PyObject *) PyLong_FromUInt32(uint32_t value);
PyAPI_FUNC(PyObject *) PyLong_FromUInt64(uint64_t value);
PyAPI_FUNC(PyObject *) PyLong_FromUnsignedNativeBytes(const void *, size_t, int);
#endif

#define PyLong_AS_LONG(op) PyLong_AsLong(op)

#ifdef __cplusplus
}
#endif
#endif /* !Py_LONGOBJECT_H */
