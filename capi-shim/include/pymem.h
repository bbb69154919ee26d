/* pyopaque C API shim: memory allocation.
 * Written for pyopaque from the Python C API documentation; names and
 * values match CPython so extension sources behave the same. */
#ifndef Py_PYMEM_H
#define Py_PYMEM_H

#ifdef __cplusplus
extern "C" {
#endif

PyAPI_FUNC(void) PyMem_Free(void *);
PyAPI_FUNC(void *) PyMem_Malloc(size_t);
PyAPI_FUNC(void *) PyMem_Realloc(void *, size_t);

/* added to the Limited API in 3.7 */
#if !defined(Py_LIMITED_API) || Py_LIMITED_API+0 >= 0x03070000
PyAPI_FUNC(void *) PyMem_Calloc(size_t, size_t);
#endif

/* added to the Limited API in 3.13 */
#if !defined(Py_LIMITED_API) || Py_LIMITED_API+0 >= 0x030D0000
PyAPI_FUNC(void *) PyMem_RawCalloc(size_t, size_t);
PyAPI_FUNC(void) PyMem_RawFree(void *);
PyAPI_FUNC(void *) PyMem_RawMalloc(size_t);
PyAPI_FUNC(void *) PyMem_RawRealloc(void *, size_t);
#endif

/* Typed allocation helpers; these only compute sizes. */
#define PyMem_New(type, n) \
    ((size_t)(n) > (size_t)PY_SSIZE_T_MAX / sizeof(type) ? _Py_NULL : \
     (type *)PyMem_Malloc((size_t)(n) * sizeof(type)))
#define PyMem_Resize(p, type, n) \
    ((p) = ((size_t)(n) > (size_t)PY_SSIZE_T_MAX / sizeof(type) ? _Py_NULL : \
            (type *)PyMem_Realloc((p), (size_t)(n) * sizeof(type))))
#define PyMem_NEW(type, n)          PyMem_New(type, (n))
#define PyMem_RESIZE(p, type, n)    PyMem_Resize((p), type, (n))
#define PyMem_MALLOC(n)             PyMem_Malloc(n)
#define PyMem_REALLOC(p, n)         PyMem_Realloc((p), (n))
#define PyMem_FREE(p)               PyMem_Free(p)
#define PyMem_Del(p)                PyMem_Free(p)
#define PyMem_DEL(p)                PyMem_Free(p)

#ifdef __cplusplus
}
#endif
#endif /* !Py_PYMEM_H */
