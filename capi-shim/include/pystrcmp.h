/* pyopaque C API shim: case-insensitive string comparison.
 * Written for pyopaque from the Python C API documentation; names and
 * values match CPython so extension sources behave the same. */
#ifndef Py_PYSTRCMP_H
#define Py_PYSTRCMP_H

#ifdef __cplusplus
extern "C" {
#endif

PyAPI_FUNC(int) PyOS_mystricmp(const char *, const char *);
PyAPI_FUNC(int) PyOS_mystrnicmp(const char *, const char *, Py_ssize_t);

#define PyOS_strnicmp PyOS_mystrnicmp
#define PyOS_stricmp PyOS_mystricmp

#ifdef __cplusplus
}
#endif
#endif /* !Py_PYSTRCMP_H */
