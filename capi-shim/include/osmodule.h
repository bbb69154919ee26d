/* pyopaque C API shim: os helpers.
 * Written for pyopaque from the Python C API documentation; names and
 * values match CPython so extension sources behave the same. */
#ifndef Py_OSMODULE_H
#define Py_OSMODULE_H

#ifdef __cplusplus
extern "C" {
#endif

/* added to the Limited API in 3.6 */
#if !defined(Py_LIMITED_API) || Py_LIMITED_API+0 >= 0x03060000
PyAPI_FUNC(PyObject *) PyOS_FSPath(PyObject *path);
#endif

#ifdef __cplusplus
}
#endif
#endif /* !Py_OSMODULE_H */
