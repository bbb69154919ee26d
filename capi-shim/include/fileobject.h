/* pyopaque C API shim: file helpers and file-system encoding.
 * Written for pyopaque from the Python C API documentation; names and
 * values match CPython so extension sources behave the same. */
#ifndef Py_FILEOBJECT_H
#define Py_FILEOBJECT_H

#ifdef __cplusplus
extern "C" {
#endif

PyAPI_DATA(const char *) Py_FileSystemDefaultEncoding;
PyAPI_DATA(int) Py_HasFileSystemDefaultEncoding;

/* added to the Limited API in 3.8 */
#if !defined(Py_LIMITED_API) || Py_LIMITED_API+0 >= 0x03080000
PyAPI_DATA(int) Py_UTF8Mode;
#endif

/* added to the Limited API in 3.10 */
#if !defined(Py_LIMITED_API) || Py_LIMITED_API+0 >= 0x030A0000
PyAPI_DATA(const char *) Py_FileSystemDefaultEncodeErrors;
#endif

PyAPI_FUNC(PyObject *) PyFile_FromFd(int fd, const char *name, const char *mode, int buffering, const char *encoding, const char *errors, const char *newline, int closefd);
PyAPI_FUNC(PyObject *) PyFile_GetLine(PyObject *p, int n);
PyAPI_FUNC(int) PyFile_WriteObject(PyObject *obj, PyObject *p, int flags);
PyAPI_FUNC(int) PyFile_WriteString(const char *, PyObject *);
PyAPI_FUNC(int) PyObject_AsFileDescriptor(PyObject *o);

#ifdef __cplusplus
}
#endif
#endif /* !Py_FILEOBJECT_H */
