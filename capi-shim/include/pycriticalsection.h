/* pyopaque C API shim: critical sections (CPython 3.13+), written from the C API documentation.
 * pyopaque has no GIL, so these are real per-object locks, as in the free-threaded build:
 * Py_BEGIN_CRITICAL_SECTION(op) locks op until the matching Py_END_CRITICAL_SECTION(). Nested
 * sections on other objects may be suspended (their locks released) while the thread waits for
 * a contended lock, and are taken again when the inner section ends. The structure is private:
 * C allocates it (on its stack) and passes it back. */
#ifndef Py_CRITICALSECTION_H
#define Py_CRITICALSECTION_H
#ifdef __cplusplus
extern "C" {
#endif

typedef struct PyCriticalSection {
    /* Private: the enclosing section of this thread, with state bits. */
    uintptr_t _cs_prev;
    /* Private: the locked object. */
    PyObject *_cs_obj;
} PyCriticalSection;

typedef struct PyCriticalSection2 {
    PyCriticalSection _cs_base;
    /* Private: the second locked object (NULL when both arguments were the same object). */
    PyObject *_cs_obj2;
} PyCriticalSection2;

PyAPI_FUNC(void) PyCriticalSection_Begin(PyCriticalSection *c, PyObject *op);
PyAPI_FUNC(void) PyCriticalSection_End(PyCriticalSection *c);
PyAPI_FUNC(void) PyCriticalSection2_Begin(PyCriticalSection2 *c, PyObject *a, PyObject *b);
PyAPI_FUNC(void) PyCriticalSection2_End(PyCriticalSection2 *c);

#define Py_BEGIN_CRITICAL_SECTION(op)                                                        \
    {                                                                                        \
        PyCriticalSection _py_cs;                                                            \
        PyCriticalSection_Begin(&_py_cs, (PyObject *)(op))
#define Py_END_CRITICAL_SECTION()                                                            \
    PyCriticalSection_End(&_py_cs);                                                          \
    }
#define Py_BEGIN_CRITICAL_SECTION2(a, b)                                                     \
    {                                                                                        \
        PyCriticalSection2 _py_cs2;                                                          \
        PyCriticalSection2_Begin(&_py_cs2, (PyObject *)(a), (PyObject *)(b))
#define Py_END_CRITICAL_SECTION2()                                                           \
    PyCriticalSection2_End(&_py_cs2);                                                        \
    }

#ifdef __cplusplus
}
#endif
#endif /* !Py_CRITICALSECTION_H */
