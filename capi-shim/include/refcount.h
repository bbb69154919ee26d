/* pyopaque C API shim: reference counting, all through calls into the shim.
 * Written for pyopaque from the Python C API documentation; names and
 * values match CPython so extension sources behave the same. */
#ifndef Py_REFCOUNT_H
#define Py_REFCOUNT_H

#ifdef __cplusplus
extern "C" {
#endif

/* Py_IncRef/Py_DecRef accept NULL, so the X variants need no test here. */
#define Py_INCREF(op)   Py_IncRef(_PyObject_CAST(op))
#define Py_DECREF(op)   Py_DecRef(_PyObject_CAST(op))
#define Py_XINCREF(op)  Py_IncRef(_PyObject_CAST(op))
#define Py_XDECREF(op)  Py_DecRef(_PyObject_CAST(op))

#define Py_REFCNT(ob)           Py_REFCNT(_PyObject_CAST(ob))
#define Py_SET_REFCNT(ob, n)    PyOpaque_SET_REFCNT(_PyObject_CAST(ob), (n))

#if !defined(Py_LIMITED_API) || Py_LIMITED_API+0 >= 0x030A0000
#define Py_NewRef(obj)  Py_NewRef(_PyObject_CAST(obj))
#define Py_XNewRef(obj) Py_XNewRef(_PyObject_CAST(obj))
#endif

/* Py_CLEAR / Py_SETREF / Py_XSETREF: the variable is set before the old
 * reference is dropped, so a finalizer never sees a dangling pointer. */
#if defined(__GNUC__) || defined(__clang__)
#define Py_CLEAR(op)                                            \
    do {                                                        \
        __typeof__(op) *_pyo_clear_ptr = &(op);                 \
        __typeof__(op) _pyo_clear_old = *_pyo_clear_ptr;        \
        if (_pyo_clear_old != _Py_NULL) {                       \
            *_pyo_clear_ptr = _Py_NULL;                         \
            Py_DECREF(_pyo_clear_old);                          \
        }                                                       \
    } while (0)
#define Py_SETREF(dst, src)                                     \
    do {                                                        \
        __typeof__(dst) *_pyo_set_ptr = &(dst);                 \
        __typeof__(dst) _pyo_set_old = *_pyo_set_ptr;           \
        *_pyo_set_ptr = (src);                                  \
        Py_DECREF(_pyo_set_old);                                \
    } while (0)
#define Py_XSETREF(dst, src)                                    \
    do {                                                        \
        __typeof__(dst) *_pyo_set_ptr = &(dst);                 \
        __typeof__(dst) _pyo_set_old = *_pyo_set_ptr;           \
        *_pyo_set_ptr = (src);                                  \
        Py_XDECREF(_pyo_set_old);                               \
    } while (0)
#else
/* Without typeof: move the pointer bytes with memcpy (no aliasing issue). */
#define Py_CLEAR(op)                                            \
    do {                                                        \
        void *_pyo_clear_ptr = (void *)&(op);                   \
        PyObject *_pyo_clear_old;                               \
        memcpy(&_pyo_clear_old, _pyo_clear_ptr, sizeof(PyObject *)); \
        if (_pyo_clear_old != _Py_NULL) {                       \
            PyObject *_pyo_null = _Py_NULL;                     \
            memcpy(_pyo_clear_ptr, &_pyo_null, sizeof(PyObject *)); \
            Py_DECREF(_pyo_clear_old);                          \
        }                                                       \
    } while (0)
#define Py_SETREF(dst, src)                                     \
    do {                                                        \
        void *_pyo_set_ptr = (void *)&(dst);                    \
        PyObject *_pyo_set_old, *_pyo_set_new = _PyObject_CAST(src); \
        memcpy(&_pyo_set_old, _pyo_set_ptr, sizeof(PyObject *)); \
        memcpy(_pyo_set_ptr, &_pyo_set_new, sizeof(PyObject *)); \
        Py_DECREF(_pyo_set_old);                                \
    } while (0)
#define Py_XSETREF(dst, src)                                    \
    do {                                                        \
        void *_pyo_set_ptr = (void *)&(dst);                    \
        PyObject *_pyo_set_old, *_pyo_set_new = _PyObject_CAST(src); \
        memcpy(&_pyo_set_old, _pyo_set_ptr, sizeof(PyObject *)); \
        memcpy(_pyo_set_ptr, &_pyo_set_new, sizeof(PyObject *)); \
        Py_XDECREF(_pyo_set_old);                               \
    } while (0)
#endif

#ifdef __cplusplus
}
#endif
#endif /* !Py_REFCOUNT_H */
