/* pyopaque C API shim: locale encoding helpers.
 * Written for pyopaque from the Python C API documentation; names and
 * values match CPython so extension sources behave the same. */
#ifndef Py_FILEUTILS_H
#define Py_FILEUTILS_H

#ifdef __cplusplus
extern "C" {
#endif

/* added to the Limited API in 3.7 */
#if !defined(Py_LIMITED_API) || Py_LIMITED_API+0 >= 0x03070000
PyAPI_FUNC(wchar_t *) Py_DecodeLocale(const char *, size_t *);
PyAPI_FUNC(char *) Py_EncodeLocale(const wchar_t *, size_t *);
#endif

#ifdef __cplusplus
}
#endif
#endif /* !Py_FILEUTILS_H */
