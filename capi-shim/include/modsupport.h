/* pyopaque C API shim: argument parsing, value building, module helpers.
 * Written for pyopaque from the Python C API documentation; names and
 * values match CPython so extension sources behave the same. */
#ifndef Py_MODSUPPORT_H
#define Py_MODSUPPORT_H

#ifdef __cplusplus
extern "C" {
#endif

/* PY_SSIZE_T_CLEAN is accepted and ignored: '#' formats always use
 * Py_ssize_t, as in CPython 3.13 and later. */

PyAPI_FUNC(int) PyArg_Parse(PyObject *, const char *, ...);
PyAPI_FUNC(int) PyArg_ParseTuple(PyObject *, const char *, ...);
PyAPI_FUNC(int) PyArg_ParseTupleAndKeywords(PyObject *, PyObject *, const char *, char *const *, ...);
PyAPI_FUNC(int) PyArg_UnpackTuple(PyObject *, const char *, Py_ssize_t, Py_ssize_t, ...);
PyAPI_FUNC(int) PyArg_VaParse(PyObject *, const char *, va_list);
PyAPI_FUNC(int) PyArg_VaParseTupleAndKeywords(PyObject *, PyObject *, const char *, char *const *, va_list);
PyAPI_FUNC(int) PyArg_ValidateKeywordArguments(PyObject *);
PyAPI_FUNC(int) PyModule_AddIntConstant(PyObject *, const char *name, long value);
PyAPI_FUNC(int) PyModule_AddObject(PyObject *, const char *name, PyObject *value);
PyAPI_FUNC(int) PyModule_AddStringConstant(PyObject *, const char *name, const char *value);
PyAPI_FUNC(PyObject *) PyModule_Create2(PyModuleDef *def, int module_api_version);
PyAPI_FUNC(PyObject *) Py_BuildValue(const char *format, ...);
PyAPI_FUNC(PyObject *) Py_VaBuildValue(const char *format, va_list vargs);

/* added to the Limited API in 3.7 */
#if !defined(Py_LIMITED_API) || Py_LIMITED_API+0 >= 0x03070000
PyAPI_FUNC(int) PyModule_AddFunctions(PyObject *, PyMethodDef *functions);
PyAPI_FUNC(int) PyModule_ExecDef(PyObject *, PyModuleDef *def);
PyAPI_FUNC(PyObject *) PyModule_FromDefAndSpec2(PyModuleDef *def, PyObject *spec, int module_api_version);
PyAPI_FUNC(int) PyModule_SetDocString(PyObject *, const char *docstring);
#endif

/* added to the Limited API in 3.10 */
#if !defined(Py_LIMITED_API) || Py_LIMITED_API+0 >= 0x030A0000
PyAPI_FUNC(int) PyModule_AddObjectRef(PyObject *, const char *, PyObject *);
PyAPI_FUNC(int) PyModule_AddType(PyObject *, PyTypeObject *);
#endif

/* added to the Limited API in 3.13 */
#if !defined(Py_LIMITED_API) || Py_LIMITED_API+0 >= 0x030D0000
PyAPI_FUNC(int) PyModule_Add(PyObject *, const char *, PyObject *);
#endif

/* added to the Limited API in 3.15 */
#if !defined(Py_LIMITED_API) || Py_LIMITED_API+0 >= 0x030F0000
PyAPI_FUNC(int) PyABIInfo_Check(PyABIInfo *info, const char *module_name);
#endif

#define PyModule_AddIntMacro(m, c) PyModule_AddIntConstant((m), #c, (c))
#define PyModule_AddStringMacro(m, c) PyModule_AddStringConstant((m), #c, (c))

#define Py_CLEANUP_SUPPORTED 0x20000

#define PYTHON_API_VERSION 1013
#define PYTHON_API_STRING "1013"
#define PYTHON_ABI_VERSION 3
#define PYTHON_ABI_STRING "3"

#ifdef Py_LIMITED_API
#define PyModule_Create(module) PyModule_Create2((module), PYTHON_ABI_VERSION)
#else
#define PyModule_Create(module) PyModule_Create2((module), PYTHON_API_VERSION)
#endif

#if !defined(Py_LIMITED_API) || Py_LIMITED_API+0 >= 0x03050000
#ifdef Py_LIMITED_API
#define PyModule_FromDefAndSpec(module, spec) \
    PyModule_FromDefAndSpec2((module), (spec), PYTHON_ABI_VERSION)
#else
#define PyModule_FromDefAndSpec(module, spec) \
    PyModule_FromDefAndSpec2((module), (spec), PYTHON_API_VERSION)
#endif
#endif

/* ABI description a module can export (Py_mod_abi slot, PyABIInfo_Check). */
#if !defined(Py_LIMITED_API) || Py_LIMITED_API+0 >= 0x030F0000
struct PyABIInfo {
    uint8_t abiinfo_major_version;
    uint8_t abiinfo_minor_version;
    uint16_t flags;
    uint32_t build_version;
    uint32_t abi_version;
};

#define PyABIInfo_STABLE                 0x0001
#define PyABIInfo_GIL                    0x0002
#define PyABIInfo_FREETHREADED           0x0004
#define PyABIInfo_INTERNAL               0x0008
#define PyABIInfo_FREETHREADING_AGNOSTIC (PyABIInfo_GIL | PyABIInfo_FREETHREADED)

#ifdef Py_LIMITED_API
#  define _PyOpaque_ABIINFO_STABLE_FLAG PyABIInfo_STABLE
#  if Py_LIMITED_API+0 == 3
#    define PyABIInfo_DEFAULT_ABI_VERSION _Py_PACK_VERSION(3, 2)
#  else
#    define PyABIInfo_DEFAULT_ABI_VERSION Py_LIMITED_API
#  endif
#else
#  define _PyOpaque_ABIINFO_STABLE_FLAG 0
#  define PyABIInfo_DEFAULT_ABI_VERSION PY_VERSION_HEX
#endif
#define PyABIInfo_DEFAULT_FLAGS (_PyOpaque_ABIINFO_STABLE_FLAG | PyABIInfo_GIL)

#define PyABIInfo_VAR(NAME)                                   \
    static PyABIInfo NAME = {                                 \
        1, 0,                                                 \
        PyABIInfo_DEFAULT_FLAGS,                              \
        PY_VERSION_HEX,                                       \
        PyABIInfo_DEFAULT_ABI_VERSION                         \
    }
#endif

#ifdef __cplusplus
}
#endif
#endif /* !Py_MODSUPPORT_H */
