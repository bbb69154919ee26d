/* Critical sections (the free-threaded build's per-object locks, part of the abi3t ABI),
 * written from the documentation. The records are the caller's (two pointer-sized words, three
 * for the two-object form); pyopaque serializes every section with one reentrant lock, so
 * sections nest in any order without deadlocking each other. */
#ifndef PYOPAQUE_CRITICAL_SECTION_H
#define PYOPAQUE_CRITICAL_SECTION_H
#ifdef __cplusplus
extern "C" {
#endif

typedef struct PyCriticalSection {
    uintptr_t _cs_prev;
    void *_cs_mutex;
} PyCriticalSection;

typedef struct PyCriticalSection2 {
    PyCriticalSection _cs_base;
    void *_cs_mutex2;
} PyCriticalSection2;

PyAPI_FUNC(void) PyCriticalSection_Begin(PyCriticalSection *c, PyObject *op);
PyAPI_FUNC(void) PyCriticalSection_End(PyCriticalSection *c);
PyAPI_FUNC(void) PyCriticalSection2_Begin(PyCriticalSection2 *c, PyObject *a, PyObject *b);
PyAPI_FUNC(void) PyCriticalSection2_End(PyCriticalSection2 *c);

#define Py_BEGIN_CRITICAL_SECTION(op) { PyCriticalSection _py_cs; PyCriticalSection_Begin(&_py_cs, (PyObject *)(op))
#define Py_END_CRITICAL_SECTION() PyCriticalSection_End(&_py_cs); }
#define Py_BEGIN_CRITICAL_SECTION2(a, b) { PyCriticalSection2 _py_cs2; PyCriticalSection2_Begin(&_py_cs2, (PyObject *)(a), (PyObject *)(b))
#define Py_END_CRITICAL_SECTION2() PyCriticalSection2_End(&_py_cs2); }

#ifdef __cplusplus
}
#endif
#endif
