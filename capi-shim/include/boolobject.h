/* pyopaque C API shim: bool objects.
 * Written for pyopaque from the Python C API documentation; names and
 * values match CPython so extension sources behave the same. */
#ifndef Py_BOOLOBJECT_H
#define Py_BOOLOBJECT_H

#ifdef __cplusplus
extern "C" {
#endif

PyAPI_DATA(PyTypeObject) PyBool_Type;
#define PyBool_Check(x) Py_IS_TYPE((x), &PyBool_Type)

PyAPI_FUNC(PyObject *) PyBool_FromLong(long v);

/* added to the Limited API in 3.10 */
#if !defined(Py_LIMITED_API) || Py_LIMITED_API+0 >= 0x030A0000
PyAPI_FUNC(int) Py_IsFalse(PyObject *);
PyAPI_FUNC(int) Py_IsTrue(PyObject *);
#endif

#define Py_False Py_GetConstantBorrowed(Py_CONSTANT_FALSE)
#define Py_True  Py_GetConstantBorrowed(Py_CONSTANT_TRUE)

#if !defined(Py_LIMITED_API) || Py_LIMITED_API+0 >= 0x030A0000
#define Py_IsTrue(x)  Py_IsTrue(_PyObject_CAST(x))
#define Py_IsFalse(x) Py_IsFalse(_PyObject_CAST(x))
#endif

#define Py_RETURN_TRUE  return Py_GetConstant(Py_CONSTANT_TRUE)
#define Py_RETURN_FALSE return Py_GetConstant(Py_CONSTANT_FALSE)

#ifdef __cplusplus
}
#endif
#endif /* !Py_BOOLOBJECT_H */
