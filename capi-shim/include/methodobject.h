/* pyopaque C API shim: built-in functions and method tables.
 * Written for pyopaque from the Python C API documentation; names and
 * values match CPython so extension sources behave the same. */
#ifndef Py_METHODOBJECT_H
#define Py_METHODOBJECT_H

#ifdef __cplusplus
extern "C" {
#endif

PyAPI_DATA(PyTypeObject) PyCFunction_Type;

#define PyCFunction_CheckExact(op) Py_IS_TYPE((op), &PyCFunction_Type)
#define PyCFunction_Check(op) PyObject_TypeCheck((op), &PyCFunction_Type)

typedef PyObject *(*PyCFunction)(PyObject *, PyObject *);
typedef PyObject *(*PyCFunctionFast)(PyObject *, PyObject *const *, Py_ssize_t);
typedef PyObject *(*PyCFunctionWithKeywords)(PyObject *, PyObject *, PyObject *);
typedef PyObject *(*PyCFunctionFastWithKeywords)(PyObject *, PyObject *const *,
                                                 Py_ssize_t, PyObject *);
typedef PyObject *(*PyCMethod)(PyObject *, PyTypeObject *, PyObject *const *,
                               size_t, PyObject *);
/* Older spellings of the fast-call types. */
typedef PyCFunctionFast _PyCFunctionFast;
typedef PyCFunctionFastWithKeywords _PyCFunctionFastWithKeywords;

/* Store any method implementation in PyMethodDef.ml_meth without a
 * function-type-mismatch warning. */
#define _PyCFunction_CAST(func) ((PyCFunction)(void (*)(void))(func))

struct PyMethodDef {
    const char  *ml_name;   /* name of the Python attribute */
    PyCFunction  ml_meth;   /* implementation, cast to PyCFunction */
    int          ml_flags;  /* METH_* calling convention and binding */
    const char  *ml_doc;    /* docstring or NULL */
};

/* Calling conventions. */
#define METH_VARARGS  0x0001
#define METH_KEYWORDS 0x0002
#define METH_NOARGS   0x0004
#define METH_O        0x0008
/* Binding. */
#define METH_CLASS    0x0010
#define METH_STATIC   0x0020
#define METH_COEXIST  0x0040
#if !defined(Py_LIMITED_API) || Py_LIMITED_API+0 >= 0x03070000
#define METH_FASTCALL 0x0080
#endif
#ifndef Py_LIMITED_API
#define METH_STACKLESS 0x0000
#endif
#if !defined(Py_LIMITED_API) || Py_LIMITED_API+0 >= 0x03070000
#define METH_METHOD   0x0200
#endif

PyAPI_FUNC(int) PyCFunction_GetFlags(PyObject *);
PyAPI_FUNC(PyCFunction) PyCFunction_GetFunction(PyObject *);
PyAPI_FUNC(PyObject *) PyCFunction_GetSelf(PyObject *);
PyAPI_FUNC(PyObject *) PyCFunction_NewEx(PyMethodDef *ml, PyObject *self, PyObject *);

/* added to the Limited API in 3.4 */
#if !defined(Py_LIMITED_API) || Py_LIMITED_API+0 >= 0x03040000
PyAPI_FUNC(PyObject *) PyCFunction_New(PyMethodDef *ml, PyObject *self);
#endif

/* added to the Limited API in 3.9 */
#if !defined(Py_LIMITED_API) || Py_LIMITED_API+0 >= 0x03090000
PyAPI_FUNC(PyObject *) PyCMethod_New(PyMethodDef *ml, PyObject *self, PyObject *, PyTypeObject *cls);
#endif

#ifndef Py_LIMITED_API
/* Same meaning as the stable-ABI getters. */
#define PyCFunction_GET_FUNCTION(func) PyCFunction_GetFunction(_PyObject_CAST(func))
#define PyCFunction_GET_SELF(func)     PyCFunction_GetSelf(_PyObject_CAST(func))
#define PyCFunction_GET_FLAGS(func)    PyCFunction_GetFlags(_PyObject_CAST(func))
#endif

#ifdef __cplusplus
}
#endif
#endif /* !Py_METHODOBJECT_H */
