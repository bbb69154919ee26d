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

int pyopaque_rs_resource_warning(PyObject *source, Py_ssize_t stacklevel, const char *fmt,
                                 void *ap);

HIDDEN int pyopaque_va_PyErr_ResourceWarning(PyObject *source, Py_ssize_t stacklevel,
                                             const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int r = pyopaque_rs_resource_warning(source, stacklevel, fmt, &ap);
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

void pyopaque_rs_cov_snprintf(int v);

HIDDEN int pyopaque_va_PyOS_snprintf(char *str, size_t size, const char *format, ...) {
    pyopaque_rs_cov_snprintf(0);
    va_list ap;
    va_start(ap, format);
    int r = vsnprintf(str, size, format, ap);
    va_end(ap);
    return r;
}

HIDDEN int pyopaque_va_PyOS_vsnprintf(char *str, size_t size, const char *format, va_list va) {
    pyopaque_rs_cov_snprintf(1);
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

/* ---- sys: writes and audit events ---------------------------------------- */
void pyopaque_rs_sys_write(int fd, const char *s);
void pyopaque_rs_sys_format(int fd, PyObject *s);
int pyopaque_rs_sys_audit(const char *event);

static void sys_vwrite(int fd, const char *format, va_list ap) {
    char buf[1001];
    vsnprintf(buf, sizeof buf, format, ap);
    pyopaque_rs_sys_write(fd, buf);
}

HIDDEN void pyopaque_va_PySys_WriteStdout(const char *format, ...) {
    va_list ap;
    va_start(ap, format);
    sys_vwrite(1, format, ap);
    va_end(ap);
}

HIDDEN void pyopaque_va_PySys_WriteStderr(const char *format, ...) {
    va_list ap;
    va_start(ap, format);
    sys_vwrite(2, format, ap);
    va_end(ap);
}

HIDDEN void pyopaque_va_PySys_FormatStdout(const char *format, ...) {
    va_list ap;
    va_start(ap, format);
    PyObject *s = pyopaque_rs_from_format("PySys_FormatStdout", format, &ap, 0);
    va_end(ap);
    pyopaque_rs_sys_format(1, s);
}

HIDDEN void pyopaque_va_PySys_FormatStderr(const char *format, ...) {
    va_list ap;
    va_start(ap, format);
    PyObject *s = pyopaque_rs_from_format("PySys_FormatStderr", format, &ap, 0);
    va_end(ap);
    pyopaque_rs_sys_format(2, s);
}

HIDDEN int pyopaque_va_PySys_Audit(const char *event, const char *format, ...) {
    (void)format; /* no audit hooks can be installed: the arguments are never built */
    return pyopaque_rs_sys_audit(event);
}

/* ---- the _SizeT spellings (CPython <= 3.12 headers map the PY_SSIZE_T_CLEAN calls to them;
 * pyopaque always uses Py_ssize_t lengths, so they share the implementation) ---------------- */
HIDDEN int pyopaque_va__PyArg_ParseTuple_SizeT(PyObject *args, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int r = pyopaque_rs_parse_tuple("_PyArg_ParseTuple_SizeT", args, fmt, &ap);
    va_end(ap);
    return r;
}

HIDDEN int pyopaque_va__PyArg_VaParse_SizeT(PyObject *args, const char *fmt, va_list vargs) {
    va_list ap;
    va_copy(ap, vargs);
    int r = pyopaque_rs_parse_tuple("_PyArg_VaParse_SizeT", args, fmt, &ap);
    va_end(ap);
    return r;
}

HIDDEN int pyopaque_va__PyArg_Parse_SizeT(PyObject *arg, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int r = pyopaque_rs_parse("_PyArg_Parse_SizeT", arg, fmt, &ap);
    va_end(ap);
    return r;
}

HIDDEN int pyopaque_va__PyArg_ParseTupleAndKeywords_SizeT(PyObject *args, PyObject *kw,
                                                          const char *fmt, char *const *kwlist,
                                                          ...) {
    va_list ap;
    va_start(ap, kwlist);
    int r = pyopaque_rs_parse_tuple_kw("_PyArg_ParseTupleAndKeywords_SizeT", args, kw, fmt, kwlist,
                                       &ap);
    va_end(ap);
    return r;
}

HIDDEN int pyopaque_va__PyArg_VaParseTupleAndKeywords_SizeT(PyObject *args, PyObject *kw,
                                                            const char *fmt, char *const *kwlist,
                                                            va_list vargs) {
    va_list ap;
    va_copy(ap, vargs);
    int r = pyopaque_rs_parse_tuple_kw("_PyArg_VaParseTupleAndKeywords_SizeT", args, kw, fmt,
                                       kwlist, &ap);
    va_end(ap);
    return r;
}

HIDDEN PyObject *pyopaque_va__Py_BuildValue_SizeT(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    PyObject *r = pyopaque_rs_build_value("_Py_BuildValue_SizeT", fmt, &ap);
    va_end(ap);
    return r;
}

HIDDEN PyObject *pyopaque_va__Py_VaBuildValue_SizeT(const char *fmt, va_list vargs) {
    va_list ap;
    va_copy(ap, vargs);
    PyObject *r = pyopaque_rs_build_value("_Py_VaBuildValue_SizeT", fmt, &ap);
    va_end(ap);
    return r;
}

HIDDEN PyObject *pyopaque_va__PyObject_CallFunction_SizeT(PyObject *callable, const char *fmt,
                                                          ...) {
    va_list ap;
    va_start(ap, fmt);
    PyObject *r = pyopaque_rs_call_function("_PyObject_CallFunction_SizeT", callable, fmt, &ap);
    va_end(ap);
    return r;
}

HIDDEN PyObject *pyopaque_va__PyObject_CallMethod_SizeT(PyObject *obj, const char *name,
                                                        const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    PyObject *r = pyopaque_rs_call_method("_PyObject_CallMethod_SizeT", obj, name, fmt, &ap);
    va_end(ap);
    return r;
}

HIDDEN PyObject *pyopaque_va_PyEval_CallFunction(PyObject *callable, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    PyObject *r = pyopaque_rs_call_function("PyEval_CallFunction", callable, fmt, &ap);
    va_end(ap);
    return r;
}

HIDDEN PyObject *pyopaque_va_PyEval_CallMethod(PyObject *obj, const char *name, const char *fmt,
                                               ...) {
    va_list ap;
    va_start(ap, fmt);
    PyObject *r = pyopaque_rs_call_method("PyEval_CallMethod", obj, name, fmt, &ap);
    va_end(ap);
    return r;
}
