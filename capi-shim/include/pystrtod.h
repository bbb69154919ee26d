/* pyopaque C API shim: float/string conversion.
 * Written for pyopaque from the Python C API documentation; names and
 * values match CPython so extension sources behave the same. */
#ifndef Py_PYSTRTOD_H
#define Py_PYSTRTOD_H

#ifdef __cplusplus
extern "C" {
#endif

PyAPI_FUNC(char *) PyOS_double_to_string(double, char, int, int, int *);
PyAPI_FUNC(double) PyOS_string_to_double(const char *, char **, PyObject *);

#define Py_DTSF_SIGN      0x01
#define Py_DTSF_ADD_DOT_0 0x02
#define Py_DTSF_ALT       0x04
#define Py_DTSF_NO_NEG_0  0x08

#define Py_DTST_FINITE   0
#define Py_DTST_INFINITE 1
#define Py_DTST_NAN      2

#ifdef __cplusplus
}
#endif
#endif /* !Py_PYSTRTOD_H */
