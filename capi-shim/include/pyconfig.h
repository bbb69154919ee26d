/* pyopaque C API shim: build configuration.
 *
 * There is no interpreter build behind these headers, so this only records
 * the few facts extension sources test for.  Sizes come from pyport.h. */
#ifndef Py_PYCONFIG_H
#define Py_PYCONFIG_H

#ifndef _WIN32
#  define HAVE_UNISTD_H 1
#  define HAVE_SYS_TYPES_H 1
#endif
#define HAVE_STDINT_H 1
#define HAVE_STDARG_PROTOTYPES 1
#define HAVE_LONG_LONG 1
#define HAVE_WCHAR_H 1

#endif /* Py_PYCONFIG_H */
