/* pyopaque C API shim: the sys module.
 * Written for pyopaque from the Python C API documentation; names and
 * values match CPython so extension sources behave the same. */
#ifndef Py_SYSMODULE_H
#define Py_SYSMODULE_H

#ifdef __cplusplus
extern "C" {
#endif

PyAPI_FUNC(void) PySys_FormatStderr(const char *format, ...);
PyAPI_FUNC(void) PySys_FormatStdout(const char *format, ...);
PyAPI_FUNC(PyObject *) PySys_GetObject(const char *name);
PyAPI_FUNC(void) PySys_SetArgv(int argc, wchar_t **argv);
PyAPI_FUNC(void) PySys_SetArgvEx(int argc, wchar_t **argv, int updatepath);
PyAPI_FUNC(int) PySys_SetObject(const char *name, PyObject *v);
PyAPI_FUNC(void) PySys_WriteStderr(const char *format, ...);
PyAPI_FUNC(void) PySys_WriteStdout(const char *format, ...);

/* added to the Limited API in 3.7 */
#if !defined(Py_LIMITED_API) || Py_LIMITED_API+0 >= 0x03070000
PyAPI_FUNC(PyObject *) PySys_GetXOptions(void);
#endif

/* added to the Limited API in 3.13 */
#if !defined(Py_LIMITED_API) || Py_LIMITED_API+0 >= 0x030D0000
PyAPI_FUNC(int) PySys_Audit(const char *, const char *, ...);
PyAPI_FUNC(int) PySys_AuditTuple(const char *, PyObject *);
#endif

/* added to the Limited API in 3.15 */
#if !defined(Py_LIMITED_API) || Py_LIMITED_API+0 >= 0x030F0000
PyAPI_FUNC(PyObject *) PySys_GetAttr(PyObject *name);
PyAPI_FUNC(PyObject *) PySys_GetAttrString(const char *name);
PyAPI_FUNC(int) PySys_GetOptionalAttr(PyObject *name, PyObject **result);
PyAPI_FUNC(int) PySys_GetOptionalAttrString(const char *name, PyObject **result);
#endif

#ifdef __cplusplus
}
#endif
#endif /* !Py_SYSMODULE_H */
