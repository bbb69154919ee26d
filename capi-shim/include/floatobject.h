/* pyopaque C API shim: float objects.
 * Written for pyopaque from the Python C API documentation; names and
 * values match CPython so extension sources behave the same. */
#ifndef Py_FLOATOBJECT_H
#define Py_FLOATOBJECT_H

#ifdef __cplusplus
extern "C" {
#endif

PyAPI_DATA(PyTypeObject) PyFloat_Type;
#define PyFloat_Check(op) PyObject_TypeCheck((op), &PyFloat_Type)
#define PyFloat_CheckExact(op) Py_IS_TYPE((op), &PyFloat_Type)

PyAPI_FUNC(double) PyFloat_AsDouble(PyObject *pyfloat);
PyAPI_FUNC(PyObject *) PyFloat_FromDouble(double v);
PyAPI_FUNC(PyObject *) PyFloat_FromString(PyObject *str);
PyAPI_FUNC(PyObject *) PyFloat_GetInfo(void);
PyAPI_FUNC(double) PyFloat_GetMax(void);
PyAPI_FUNC(double) PyFloat_GetMin(void);

#ifndef Py_LIMITED_API
PyAPI_FUNC(double) PyOpaque_Float_AS_DOUBLE(PyObject *op);
#define PyFloat_AS_DOUBLE(op) PyOpaque_Float_AS_DOUBLE(_PyObject_CAST(op))

#define Py_RETURN_NAN return PyFloat_FromDouble(Py_NAN)
#define Py_RETURN_INF(sign)                             \
    do {                                                \
        if (copysign(1., (sign)) == 1.) {               \
            return PyFloat_FromDouble(Py_HUGE_VAL);     \
        }                                               \
        return PyFloat_FromDouble(-Py_HUGE_VAL);        \
    } while (0)
#endif
#define Py_HUGE_VAL HUGE_VAL
#define Py_INFINITY ((double)INFINITY)
#define Py_NAN ((double)NAN)

#ifdef __cplusplus
}
#endif
#endif /* !Py_FLOATOBJECT_H */
