/* pyopaque C API shim: the C side of the variadic entry points.
 *
 * Stable Rust cannot define a C-variadic function.  Each variadic (or va_list-taking) API
 * function is defined here under a hidden name `pyopaque_va_<Name>`; it starts (or copies) a
 * va_list and passes its address to a Rust function `pyopaque_rs_*`, which pulls each argument
 * through the `pyopaque_va_arg_*` helpers below.  The exported symbol `<Name>` itself is a
 * Rust naked function (src/variadic.rs) that tail-jumps here with every register and stack
 * argument untouched, so the exported symbol is part of the Rust cdylib's export list.
 *
 * Written for pyopaque; no CPython code. */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

typedef struct _object PyObject;
typedef ptrdiff_t Py_ssize_t;

/* ---- argument pullers used by Rust (ap is a va_list *) ---------------- */
int pyopaque_va_arg_int(void *ap) { return va_arg(*(va_list *)ap, int); }
unsigned int pyopaque_va_arg_uint(void *ap) { return va_arg(*(va_list *)ap, unsigned int); }
long pyopaque_va_arg_long(void *ap) { return va_arg(*(va_list *)ap, long); }
unsigned long pyopaque_va_arg_ulong(void *ap) { return va_arg(*(va_list *)ap, unsigned long); }
long long pyopaque_va_arg_longlong(void *ap) { return va_arg(*(va_list *)ap, long long); }
unsigned long long pyopaque_va_arg_ulonglong(void *ap) {
    return va_arg(*(va_list *)ap, unsigned long long);
}
Py_ssize_t pyopaque_va_arg_ssize(void *ap) { return va_arg(*(va_list *)ap, Py_ssize_t); }
size_t pyopaque_va_arg_size(void *ap) { return va_arg(*(va_list *)ap, size_t); }
double pyopaque_va_arg_double(void *ap) { return va_arg(*(va_list *)ap, double); }
void *pyopaque_va_arg_ptr(void *ap) { return va_arg(*(va_list *)ap, void *); }

/* ---- Rust implementations ------------------------------------------------ */
int pyopaque_rs_parse_tuple(const char *api, PyObject *args, const char *fmt, void *ap);
int pyopaque_rs_parse_tuple_kw(const char *api, PyObject *args, PyObject *kw, const char *fmt,
                               char *const *kwlist, void *ap);
int pyopaque_rs_parse(const char *api, PyObject *arg, const char *fmt, void *ap);
int pyopaque_rs_unpack_tuple(PyObject *args, const char *name, Py_ssize_t min, Py_ssize_t max,
                             void *ap);
PyObject *pyopaque_rs_build_value(const char *api, const char *fmt, void *ap);
PyObject *pyopaque_rs_from_format(const char *api, const char *fmt, void *ap, int bytes);
PyObject *pyopaque_rs_err_format(const char *api, PyObject *exc, const char *fmt, void *ap);
PyObject *pyopaque_rs_call_function(const char *api, PyObject *callable, const char *fmt,
                                    void *ap);
PyObject *pyopaque_rs_call_method(const char *api, PyObject *obj, const char *name,
                                  const char *fmt, void *ap);
PyObject *pyopaque_rs_call_obj_args(const char *api, PyObject *callable, PyObject *name,
                                    void *ap);
int pyopaque_rs_warn_format(PyObject *category, Py_ssize_t stacklevel, const char *fmt, void *ap);

#define HIDDEN __attribute__((visibility("hidden")))

HIDDEN int pyopaque_va_PyArg_ParseTuple(PyObject *args, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int r = pyopaque_rs_parse_tuple("PyArg_ParseTuple", args, fmt, &ap);
    va_end(ap);
    return r;
}

HIDDEN int pyopaque_va_PyArg_VaParse(PyObject *args, const char *fmt, va_list vargs) {
    va_list ap;
    va_copy(ap, vargs);
    int r = pyopaque_rs_parse_tuple("PyArg_VaParse", args, fmt, &ap);
    va_end(ap);
    return r;
}

HIDDEN int pyopaque_va_PyArg_Parse(PyObject *arg, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int r = pyopaque_rs_parse("PyArg_Parse", arg, fmt, &ap);
    va_end(ap);
    return r;
}

HIDDEN int pyopaque_va_PyArg_ParseTupleAndKeywords(PyObject *args, PyObject *kw, const char *fmt,
                                                   char *const *kwlist, ...) {
    va_list ap;
    va_start(ap, kwlist);
    int r = pyopaque_rs_parse_tuple_kw("PyArg_ParseTupleAndKeywords", args, kw, fmt, kwlist, &ap);
    va_end(ap);
    return r;
}

HIDDEN int pyopaque_va_PyArg_VaParseTupleAndKeywords(PyObject *args, PyObject *kw,
                                                     const char *fmt, char *const *kwlist,
                                                     va_list vargs) {
    va_list ap;
    va_copy(ap, vargs);
    int r = pyopaque_rs_parse_tuple_kw("PyArg_VaParseTupleAndKeywords", args, kw, fmt, kwlist,
                                       &ap);
    va_end(ap);
    return r;
}

HIDDEN int pyopaque_va_PyArg_UnpackTuple(PyObject *args, const char *name, Py_ssize_t min,
                                         Py_ssize_t max, ...) {
    va_list ap;
    va_start(ap, max);
    int r = pyopaque_rs_unpack_tuple(args, name, min, max, &ap);
    va_end(ap);
    return r;
}

HIDDEN PyObject *pyopaque_va_Py_BuildValue(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    PyObject *r = pyopaque_rs_build_value("Py_BuildValue", fmt, &ap);
    va_end(ap);
    return r;
}

HIDDEN PyObject *pyopaque_va_Py_VaBuildValue(const char *fmt, va_list vargs) {
    va_list ap;
    va_copy(ap, vargs);
    PyObject *r = pyopaque_rs_build_value("Py_VaBuildValue", fmt, &ap);
    va_end(ap);
    return r;
}

HIDDEN PyObject *pyopaque_va_PyUnicode_FromFormat(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    PyObject *r = pyopaque_rs_from_format("PyUnicode_FromFormat", fmt, &ap, 0);
    va_end(ap);
    return r;
}

HIDDEN PyObject *pyopaque_va_PyUnicode_FromFormatV(const char *fmt, va_list vargs) {
    va_list ap;
    va_copy(ap, vargs);
    PyObject *r = pyopaque_rs_from_format("PyUnicode_FromFormatV", fmt, &ap, 0);
    va_end(ap);
    return r;
}

HIDDEN PyObject *pyopaque_va_PyBytes_FromFormat(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    PyObject *r = pyopaque_rs_from_format("PyBytes_FromFormat", fmt, &ap, 1);
    va_end(ap);
    return r;
}

HIDDEN PyObject *pyopaque_va_PyBytes_FromFormatV(const char *fmt, va_list vargs) {
    va_list ap;
    va_copy(ap, vargs);
    PyObject *r = pyopaque_rs_from_format("PyBytes_FromFormatV", fmt, &ap, 1);
    va_end(ap);
    return r;
}

HIDDEN PyObject *pyopaque_va_PyErr_Format(PyObject *exc, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    PyObject *r = pyopaque_rs_err_format("PyErr_Format", exc, fmt, &ap);
    va_end(ap);
    return r;
}

HIDDEN PyObject *pyopaque_va_PyErr_FormatV(PyObject *exc, const char *fmt, va_list vargs) {
    va_list ap;
    va_copy(ap, vargs);
    PyObject *r = pyopaque_rs_err_format("PyErr_FormatV", exc, fmt, &ap);
    va_end(ap);
    return r;
}

HIDDEN int pyopaque_va_PyErr_WarnFormat(PyObject *category, Py_ssize_t stacklevel,
                                        const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int r = pyopaque_rs_warn_format(category, stacklevel, fmt, &ap);
    va_end(ap);
    return r;
}

HIDDEN PyObject *pyopaque_va_PyObject_CallFunction(PyObject *callable, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    PyObject *r = pyopaque_rs_call_function("PyObject_CallFunction", callable, fmt, &ap);
    va_end(ap);
    return r;
}

HIDDEN PyObject *pyopaque_va_PyObject_CallMethod(PyObject *obj, const char *name,
                                                 const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    PyObject *r = pyopaque_rs_call_method("PyObject_CallMethod", obj, name, fmt, &ap);
    va_end(ap);
    return r;
}

HIDDEN PyObject *pyopaque_va_PyObject_CallFunctionObjArgs(PyObject *callable, ...) {
    va_list ap;
    va_start(ap, callable);
    PyObject *r = pyopaque_rs_call_obj_args("PyObject_CallFunctionObjArgs", callable, NULL, &ap);
    va_end(ap);
    return r;
}

HIDDEN PyObject *pyopaque_va_PyObject_CallMethodObjArgs(PyObject *obj, PyObject *name, ...) {
    va_list ap;
    va_start(ap, name);
    PyObject *r = pyopaque_rs_call_obj_args("PyObject_CallMethodObjArgs", obj, name, &ap);
    va_end(ap);
    return r;
}

HIDDEN int pyopaque_va_PyOS_snprintf(char *str, size_t size, const char *format, ...) {
    va_list ap;
    va_start(ap, format);
    int r = vsnprintf(str, size, format, ap);
    va_end(ap);
    return r;
}

HIDDEN int pyopaque_va_PyOS_vsnprintf(char *str, size_t size, const char *format, va_list va) {
    return vsnprintf(str, size, format, va);
}

PyObject *pyopaque_rs_tuple_pack(Py_ssize_t n, void *ap);

HIDDEN PyObject *pyopaque_va_PyTuple_Pack(Py_ssize_t n, ...) {
    va_list ap;
    va_start(ap, n);
    PyObject *r = pyopaque_rs_tuple_pack(n, &ap);
    va_end(ap);
    return r;
}
