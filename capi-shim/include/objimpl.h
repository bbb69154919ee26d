/* pyopaque C API shim: object allocation and garbage-collector support.
 * Written for pyopaque from the Python C API documentation; names and
 * values match CPython so extension sources behave the same. */
#ifndef Py_OBJIMPL_H
#define Py_OBJIMPL_H

#ifdef __cplusplus
extern "C" {
#endif

PyAPI_FUNC(Py_ssize_t) PyGC_Collect(void);
PyAPI_FUNC(void) PyObject_Free(void *);
PyAPI_FUNC(void) PyObject_GC_Del(void *op);
PyAPI_FUNC(void) PyObject_GC_Track(void *op);
PyAPI_FUNC(void) PyObject_GC_UnTrack(void *op);
PyAPI_FUNC(PyObject *) PyObject_Init(PyObject *op, PyTypeObject *type);
PyAPI_FUNC(PyVarObject *) PyObject_InitVar(PyVarObject *, PyTypeObject *, Py_ssize_t);
PyAPI_FUNC(void *) PyObject_Malloc(size_t);
PyAPI_FUNC(void *) PyObject_Realloc(void *, size_t);

/* added to the Limited API in 3.7 */
#if !defined(Py_LIMITED_API) || Py_LIMITED_API+0 >= 0x03070000
PyAPI_FUNC(void *) PyObject_Calloc(size_t, size_t);
#endif

/* added to the Limited API in 3.9 */
#if !defined(Py_LIMITED_API) || Py_LIMITED_API+0 >= 0x03090000
PyAPI_FUNC(int) PyObject_GC_IsFinalized(PyObject *);
PyAPI_FUNC(int) PyObject_GC_IsTracked(PyObject *);
#endif

/* added to the Limited API in 3.10 */
#if !defined(Py_LIMITED_API) || Py_LIMITED_API+0 >= 0x030A0000
PyAPI_FUNC(int) PyGC_Disable(void);
PyAPI_FUNC(int) PyGC_Enable(void);
PyAPI_FUNC(int) PyGC_IsEnabled(void);
#endif

/* outside the Limited API */
#ifndef Py_LIMITED_API
PyAPI_FUNC(int) PyObject_IS_GC(PyObject *);
#endif

/* Allocation of extension objects.  _PyObject_New and friends are part of
 * the stable ABI (not of the Limited API) exactly so these macros work. */
PyAPI_FUNC(PyObject *) _PyObject_New(PyTypeObject *type);
PyAPI_FUNC(PyVarObject *) _PyObject_NewVar(PyTypeObject *type, Py_ssize_t nitems);
PyAPI_FUNC(PyObject *) _PyObject_GC_New(PyTypeObject *type);
PyAPI_FUNC(PyVarObject *) _PyObject_GC_NewVar(PyTypeObject *type, Py_ssize_t nitems);
PyAPI_FUNC(PyVarObject *) _PyObject_GC_Resize(PyVarObject *op, Py_ssize_t nitems);

#define PyObject_New(type, typeobj)  ((type *)_PyObject_New(typeobj))
#define PyObject_NewVar(type, typeobj, n) \
    ((type *)_PyObject_NewVar((typeobj), (n)))
#define PyObject_NEW(type, typeobj)  PyObject_New(type, (typeobj))
#define PyObject_NEW_VAR(type, typeobj, n) PyObject_NewVar(type, (typeobj), (n))
#define PyObject_GC_New(type, typeobj) ((type *)_PyObject_GC_New(typeobj))
#define PyObject_GC_NewVar(type, typeobj, n) \
    ((type *)_PyObject_GC_NewVar((typeobj), (n)))
#define PyObject_GC_Resize(type, op, n) \
    ((type *)_PyObject_GC_Resize(_PyVarObject_CAST(op), (n)))

#define PyObject_INIT(op, typeobj)  PyObject_Init(_PyObject_CAST(op), (typeobj))
#define PyObject_INIT_VAR(op, typeobj, size) \
    PyObject_InitVar(_PyVarObject_CAST(op), (typeobj), (size))

#define PyObject_MALLOC(n)          PyObject_Malloc(n)
#define PyObject_REALLOC(p, n)      PyObject_Realloc((p), (n))
#define PyObject_FREE(p)            PyObject_Free(p)
#define PyObject_Del(p)             PyObject_Free(p)
#define PyObject_DEL(p)             PyObject_Free(p)

/* Visit one member from a tp_traverse function whose parameters are named
 * 'visit' and 'arg'. */
#define Py_VISIT(op)                                                    \
    do {                                                                \
        if (op) {                                                       \
            int _pyo_visit_ret = visit(_PyObject_CAST(op), arg);        \
            if (_pyo_visit_ret) {                                       \
                return _pyo_visit_ret;                                  \
            }                                                           \
        }                                                               \
    } while (0)

#ifdef __cplusplus
}
#endif
#endif /* !Py_OBJIMPL_H */
