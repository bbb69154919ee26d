/* pyopaque C API shim: frame objects.
 * Written for pyopaque from the Python C API documentation; names and
 * values match CPython so extension sources behave the same. */
#ifndef Py_PYFRAME_H
#define Py_PYFRAME_H

#ifdef __cplusplus
extern "C" {
#endif

/* added to the Limited API in 3.10 */
#if !defined(Py_LIMITED_API) || Py_LIMITED_API+0 >= 0x030A0000
PyAPI_FUNC(PyCodeObject *) PyFrame_GetCode(PyFrameObject *frame);
PyAPI_FUNC(int) PyFrame_GetLineNumber(PyFrameObject *);
#endif

#ifdef __cplusplus
}
#endif
#endif /* !Py_PYFRAME_H */
