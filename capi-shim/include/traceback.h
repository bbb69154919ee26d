/* pyopaque C API shim: tracebacks.
 * Written for pyopaque from the Python C API documentation; names and
 * values match CPython so extension sources behave the same. */
#ifndef Py_TRACEBACK_H
#define Py_TRACEBACK_H

#ifdef __cplusplus
extern "C" {
#endif

PyAPI_DATA(PyTypeObject) PyTraceBack_Type;
/* pyopaque builds no traceback objects (it runs no frames), so no object has this type; the
 * test still works on any object. */
#define PyTraceBack_Check(v) Py_IS_TYPE((v), &PyTraceBack_Type)

PyAPI_FUNC(int) PyTraceBack_Here(PyFrameObject *);
PyAPI_FUNC(int) PyTraceBack_Print(PyObject *, PyObject *);

#ifdef __cplusplus
}
#endif
#endif /* !Py_TRACEBACK_H */
