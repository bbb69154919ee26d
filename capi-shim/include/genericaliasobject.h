/* pyopaque C API shim: types.GenericAlias.
 * Written for pyopaque from the Python C API documentation; names and
 * values match CPython so extension sources behave the same. */
#ifndef Py_GENERICALIASOBJECT_H
#define Py_GENERICALIASOBJECT_H

#ifdef __cplusplus
extern "C" {
#endif

/* added to the Limited API in 3.9 */
#if !defined(Py_LIMITED_API) || Py_LIMITED_API+0 >= 0x03090000
PyAPI_DATA(PyTypeObject) Py_GenericAliasType;
#endif

/* added to the Limited API in 3.9 */
#if !defined(Py_LIMITED_API) || Py_LIMITED_API+0 >= 0x03090000
PyAPI_FUNC(PyObject *) Py_GenericAlias(PyObject *, PyObject *);
#endif

#ifdef __cplusplus
}
#endif
#endif /* !Py_GENERICALIASOBJECT_H */
