/* pyopaque C API shim: signals and fork hooks.
 * Written for pyopaque from the Python C API documentation; names and
 * values match CPython so extension sources behave the same. */
#ifndef Py_INTRCHECK_H
#define Py_INTRCHECK_H

#ifdef __cplusplus
extern "C" {
#endif

PyAPI_FUNC(int) PyOS_InterruptOccurred(void);

#if defined(HAVE_FORK)
PyAPI_FUNC(void) PyOS_AfterFork(void);
PyAPI_FUNC(void) PyOS_AfterFork_Child(void);
PyAPI_FUNC(void) PyOS_AfterFork_Parent(void);
PyAPI_FUNC(void) PyOS_BeforeFork(void);
#endif

#ifdef __cplusplus
}
#endif
#endif /* !Py_INTRCHECK_H */
