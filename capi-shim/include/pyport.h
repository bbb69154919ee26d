/* pyopaque C API shim: basic integer types and declaration macros.
 *
 * Written for pyopaque from the C API documentation; values match CPython's
 * so that extension sources behave the same.  */
#ifndef Py_PYPORT_H
#define Py_PYPORT_H

/* ---- integer types ---------------------------------------------------- */
typedef intptr_t  Py_intptr_t;
typedef uintptr_t Py_uintptr_t;
/* Py_ssize_t is pointer-sized and signed, like Rust's isize. */
typedef Py_intptr_t Py_ssize_t;
typedef Py_ssize_t Py_hash_t;
typedef size_t     Py_uhash_t;
typedef Py_ssize_t Py_ssize_clean_t;

/* Fixed-width names some sources (Cython's generated C among them) use. */
#define PY_INT32_T  int32_t
#define PY_UINT32_T uint32_t
#define PY_INT64_T  int64_t
#define PY_UINT64_T uint64_t

#define PY_SSIZE_T_MAX INTPTR_MAX
#define PY_SSIZE_T_MIN (-PY_SSIZE_T_MAX - 1)

#define PY_LONG_LONG        long long
#define PY_LLONG_MIN        LLONG_MIN
#define PY_LLONG_MAX        LLONG_MAX
#define PY_ULLONG_MAX       ULLONG_MAX
#define PY_FORMAT_SIZE_T    "z"

#define SIZEOF_INT          __SIZEOF_INT__
#define SIZEOF_LONG         __SIZEOF_LONG__
#define SIZEOF_LONG_LONG    __SIZEOF_LONG_LONG__
#define SIZEOF_SHORT        __SIZEOF_SHORT__
#define SIZEOF_VOID_P       __SIZEOF_POINTER__
#define SIZEOF_SIZE_T       __SIZEOF_SIZE_T__
#define SIZEOF_PY_SSIZE_T   __SIZEOF_POINTER__
#define SIZEOF_TIME_T       __SIZEOF_LONG__
#define SIZEOF_WCHAR_T      __SIZEOF_WCHAR_T__
#define SIZEOF_FLOAT        __SIZEOF_FLOAT__
#define SIZEOF_DOUBLE       __SIZEOF_DOUBLE__

/* ---- C/C++ glue ------------------------------------------------------- */
#ifdef __cplusplus
#  define PyOpaque_EXTERN_C extern "C"
#  if __cplusplus >= 201103L
#    define _Py_NULL nullptr
#  else
#    define _Py_NULL NULL
#  endif
#else
#  define PyOpaque_EXTERN_C
#  define _Py_NULL NULL
#endif

#define _Py_CAST(type, expr) ((type)(expr))
#define _Py_STATIC_CAST(type, expr) ((type)(expr))
#define Py_SAFE_DOWNCAST(value, wide, narrow) ((narrow)(value))

/* ---- symbol visibility ------------------------------------------------- */
#if defined(__GNUC__) || defined(__clang__)
#  define Py_EXPORTED_SYMBOL __attribute__((visibility("default")))
#  define Py_IMPORTED_SYMBOL __attribute__((visibility("default")))
#  define Py_LOCAL_SYMBOL    __attribute__((visibility("hidden")))
#else
#  define Py_EXPORTED_SYMBOL
#  define Py_IMPORTED_SYMBOL
#  define Py_LOCAL_SYMBOL
#endif

/* Everything declared with these is provided by the pyopaque shim library. */
#define PyAPI_FUNC(RTYPE) Py_IMPORTED_SYMBOL extern RTYPE
#define PyAPI_DATA(RTYPE) Py_IMPORTED_SYMBOL extern RTYPE

/* The module init function is looked up by name; so it must be visible and
 * have C linkage even when the extension is written in C++. */
#define PyMODINIT_FUNC PyOpaque_EXTERN_C Py_EXPORTED_SYMBOL PyObject *

/* ---- function attributes ---------------------------------------------- */
#define Py_LOCAL(type)        static type
#define Py_LOCAL_INLINE(type) static inline type
#if defined(__GNUC__) || defined(__clang__)
#  define Py_ALWAYS_INLINE   __attribute__((always_inline))
#  define Py_NO_INLINE       __attribute__((noinline))
#  define _Py_NO_RETURN      __attribute__((__noreturn__))
#  define Py_DEPRECATED(VERSION_UNUSED) __attribute__((__deprecated__))
#  define Py_GCC_ATTRIBUTE(x) __attribute__(x)
#  define _Py_HOT_FUNCTION   __attribute__((hot))
#  define Py_UNREACHABLE()   __builtin_unreachable()
#else
#  define Py_ALWAYS_INLINE
#  define Py_NO_INLINE
#  define _Py_NO_RETURN
#  define Py_DEPRECATED(VERSION_UNUSED)
#  define Py_GCC_ATTRIBUTE(x)
#  define _Py_HOT_FUNCTION
#  define Py_UNREACHABLE()   abort()
#endif

/* Platform feature macros named by the stable ABI list.  pyopaque targets
 * POSIX hosts (Linux); MS_WINDOWS is left for the compiler to define. */
#ifndef MS_WINDOWS
#  if defined(_WIN32)
#    define MS_WINDOWS
#  endif
#endif
#ifndef MS_WINDOWS
#  ifndef HAVE_FORK
#    define HAVE_FORK 1
#  endif
#  ifndef PY_HAVE_THREAD_NATIVE_ID
#    define PY_HAVE_THREAD_NATIVE_ID
#  endif
#endif

#define Py_CAN_START_THREADS 1
#define WITH_THREAD 1

#endif /* Py_PYPORT_H */
