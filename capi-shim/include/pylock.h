/* pyopaque C API shim: PyMutex (CPython 3.13+), written from the C API documentation. One byte,
 * zero-initialised means unlocked; it never needs destroying. A thread waiting for it is outside
 * the runtime (collections on other threads go on). */
#ifndef Py_LOCK_H
#define Py_LOCK_H
#ifdef __cplusplus
extern "C" {
#endif

typedef struct PyMutex {
    uint8_t _bits; /* private */
} PyMutex;

PyAPI_FUNC(void) PyMutex_Lock(PyMutex *m);
PyAPI_FUNC(void) PyMutex_Unlock(PyMutex *m);
/* CPython 3.14: 1 when locked. */
PyAPI_FUNC(int) PyMutex_IsLocked(PyMutex *m);

#ifdef __cplusplus
}
#endif
#endif /* !Py_LOCK_H */
