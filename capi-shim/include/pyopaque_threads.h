/* pyopaque-specific thread queries (not part of CPython's API; test `#ifdef PYOPAQUE`). */
#ifndef PYOPAQUE_THREADS_H
#define PYOPAQUE_THREADS_H
#ifdef __cplusplus
extern "C" {
#endif

/* 1 when more than one thread may use the API at once (every counting scheme but `classic`),
 * else 0. */
PyAPI_FUNC(int) PyOpaque_ThreadsAllowed(void);

/* Stop-the-world statistics of the runtime, as a new tuple of six ints: (collections,
 * collections_deferred, collections that stopped another thread, total ns until the other
 * threads were at a safe point, total pause ns, largest pause ns). */
PyAPI_FUNC(PyObject *) PyOpaque_ThreadStats(void);

#ifdef __cplusplus
}
#endif
#endif
