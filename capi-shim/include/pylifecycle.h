/* pyopaque C API shim: interpreter life cycle, signals and version information.
 * Written for pyopaque from the Python C API documentation; names and
 * values match CPython so extension sources behave the same. */
#ifndef Py_PYLIFECYCLE_H
#define Py_PYLIFECYCLE_H

#ifdef __cplusplus
extern "C" {
#endif

typedef void (*PyOS_sighandler_t)(int);

/* added to the Limited API in 3.11 */
#if !defined(Py_LIMITED_API) || Py_LIMITED_API+0 >= 0x030B0000
PyAPI_DATA(const unsigned long) Py_Version;
#endif

PyAPI_FUNC(PyOS_sighandler_t) PyOS_getsig(int);
PyAPI_FUNC(PyOS_sighandler_t) PyOS_setsig(int, PyOS_sighandler_t);
PyAPI_FUNC(int) Py_AtExit(void (*)(void));
PyAPI_FUNC(void) Py_EndInterpreter(PyThreadState *tstate);
PyAPI_FUNC(void) Py_Exit(int status) _Py_NO_RETURN;
PyAPI_FUNC(void) Py_Finalize(void);
PyAPI_FUNC(const char *) Py_GetBuildInfo(void);
PyAPI_FUNC(const char *) Py_GetCompiler(void);
PyAPI_FUNC(const char *) Py_GetCopyright(void);
PyAPI_FUNC(const char *) Py_GetPlatform(void);
PyAPI_FUNC(const char *) Py_GetVersion(void);
PyAPI_FUNC(void) Py_Initialize(void);
PyAPI_FUNC(void) Py_InitializeEx(int);
PyAPI_FUNC(int) Py_IsInitialized(void);
PyAPI_FUNC(int) Py_Main(int, wchar_t **);
PyAPI_FUNC(PyThreadState *) Py_NewInterpreter(void);
PyAPI_FUNC(void) Py_SetProgramName(const wchar_t *name);
PyAPI_FUNC(void) Py_SetPythonHome(const wchar_t *);

/* added to the Limited API in 3.6 */
#if !defined(Py_LIMITED_API) || Py_LIMITED_API+0 >= 0x03060000
PyAPI_FUNC(int) Py_FinalizeEx(void);
#endif

/* added to the Limited API in 3.8 */
#if !defined(Py_LIMITED_API) || Py_LIMITED_API+0 >= 0x03080000
PyAPI_FUNC(int) Py_BytesMain(int, char **);
#endif

/* added to the Limited API in 3.13 */
#if !defined(Py_LIMITED_API) || Py_LIMITED_API+0 >= 0x030D0000
PyAPI_FUNC(int) Py_IsFinalizing(void);
#endif

/* added to the Limited API in 3.14 */
#if !defined(Py_LIMITED_API) || Py_LIMITED_API+0 >= 0x030E0000
PyAPI_FUNC(uint32_t) Py_PACK_FULL_VERSION(int x, int y, int z, int level, int serial);
PyAPI_FUNC(uint32_t) Py_PACK_VERSION(int x, int y);
#endif

#if !defined(Py_LIMITED_API) || Py_LIMITED_API+0 >= 0x030E0000
/* Also usable as plain arithmetic in non-constant contexts. */
#define Py_PACK_FULL_VERSION(X, Y, Z, LEVEL, SERIAL) \
    ((uint32_t)_Py_PACK_FULL_VERSION((uint32_t)(X), (uint32_t)(Y), (uint32_t)(Z), \
                                     (uint32_t)(LEVEL), (uint32_t)(SERIAL)))
#define Py_PACK_VERSION(X, Y) Py_PACK_FULL_VERSION((X), (Y), 0, 0, 0)
#endif

#ifdef __cplusplus
}
#endif
#endif /* !Py_PYLIFECYCLE_H */
