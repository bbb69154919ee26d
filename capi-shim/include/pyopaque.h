/* pyopaque-specific additions (not part of CPython's API). Extensions may test `#ifdef PYOPAQUE`
 * to use them, e.g. to read allocator statistics in benchmarks. */
#ifndef PYOPAQUE_PYOPAQUE_H
#define PYOPAQUE_PYOPAQUE_H
#ifdef __cplusplus
extern "C" {
#endif

/* Defined when compiling against pyopaque's headers. */
#define PYOPAQUE 1

/* Bytes the runtime's allocator currently holds for objects: heap cells in use plus off-heap
 * container storage (list and dict arrays). Exact, not an estimate. */
PyAPI_FUNC(double) PyOpaque_AllocatedBytes(void);

#ifdef __cplusplus
}
#endif
#endif
