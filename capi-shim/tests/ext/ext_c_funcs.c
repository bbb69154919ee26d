/* Work package "f": import/syntax errors with real attributes, PyErr_ResourceWarning, bytes
 * formatting (%c), namereplace, PyObject_Dir, PyIndex_Check, PyType_Freeze, PyABIInfo_Check,
 * modules from slots, _PyObject_GC_Resize, _PyErr_BadInternalCall, the legacy Unicode functions,
 * and the functions that end the process (test_exits_*: each runs in its own child process, see
 * runner.rs; the CPython reference harness runs them in a subprocess too). */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "testing.h"

/* The legacy functions under test are deprecated in CPython's headers. */
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"

/* Stable-ABI-only symbols (not declared by every version's headers). */
PyAPI_FUNC(void) _PyErr_BadInternalCall(const char *filename, int lineno);
PyAPI_FUNC(Py_ssize_t) PyUnicode_GetSize(PyObject *unicode);
PyAPI_FUNC(void) PyUnicode_InternImmortal(PyObject **);
PyAPI_FUNC(PyObject *) PyUnicode_AsDecodedObject(PyObject *, const char *, const char *);
PyAPI_FUNC(PyObject *) PyUnicode_AsDecodedUnicode(PyObject *, const char *, const char *);
PyAPI_FUNC(PyObject *) PyUnicode_AsEncodedObject(PyObject *, const char *, const char *);
PyAPI_FUNC(PyObject *) PyUnicode_AsEncodedUnicode(PyObject *, const char *, const char *);

/* Takes the raised exception, normalized (PyErr_GetRaisedException is 3.12+). */
static PyObject *take_exception(void) {
    PyObject *t, *v, *tb;
    PyErr_Fetch(&t, &v, &tb);
    PyErr_NormalizeException(&t, &v, &tb);
    Py_XDECREF(t);
    Py_XDECREF(tb);
    return v;
}

static int attr_is_str(PyObject *o, const char *name, const char *want) {
    PyObject *v = PyObject_GetAttrString(o, name);
    if (!v) { PyErr_Clear(); return 0; }
    int ok = PyUnicode_Check(v) && PyUnicode_CompareWithASCIIString(v, want) == 0;
    Py_DECREF(v);
    return ok;
}

static int attr_is_long(PyObject *o, const char *name, long want) {
    PyObject *v = PyObject_GetAttrString(o, name);
    if (!v) { PyErr_Clear(); return 0; }
    int ok = PyLong_Check(v) && PyLong_AsLong(v) == want;
    Py_DECREF(v);
    return ok;
}

static int attr_is_none(PyObject *o, const char *name) {
    PyObject *v = PyObject_GetAttrString(o, name);
    if (!v) { PyErr_Clear(); return 0; }
    int ok = v == Py_None;
    Py_DECREF(v);
    return ok;
}

static int str_is(PyObject *o, const char *want) {
    PyObject *s = PyObject_Str(o);
    if (!s) { PyErr_Clear(); return 0; }
    int ok = PyUnicode_CompareWithASCIIString(s, want) == 0;
    Py_DECREF(s);
    return ok;
}

/* ---- ImportError ---- */

TEST(test_import_error) {
    PyObject *msg = PyUnicode_FromString("no module named mymod");
    PyObject *name = PyUnicode_FromString("mymod");
    PyObject *path = PyUnicode_FromString("/x/mymod.so");
    ASSERT(PyErr_SetImportError(msg, name, path) == NULL);
    ASSERT(PyErr_ExceptionMatches(PyExc_ImportError));
    PyObject *e = take_exception();
    ASSERT(e && PyObject_IsInstance(e, PyExc_ImportError) == 1);
    ASSERT(attr_is_str(e, "name", "mymod"));
    ASSERT(attr_is_str(e, "path", "/x/mymod.so"));
    ASSERT(attr_is_str(e, "msg", "no module named mymod"));
    ASSERT(str_is(e, "no module named mymod"));
    Py_DECREF(e);
    /* NULL name and path: None. */
    ASSERT(PyErr_SetImportError(msg, NULL, NULL) == NULL);
    e = take_exception();
    ASSERT(e && attr_is_none(e, "name") && attr_is_none(e, "path"));
    Py_DECREF(e);
    /* A subclass. */
    ASSERT(PyErr_SetImportErrorSubclass(PyExc_ModuleNotFoundError, msg, name, NULL) == NULL);
    ASSERT(PyErr_ExceptionMatches(PyExc_ModuleNotFoundError));
    e = take_exception();
    ASSERT(e && Py_TYPE(e) == (PyTypeObject *)PyExc_ModuleNotFoundError);
    ASSERT(attr_is_str(e, "name", "mymod") && attr_is_none(e, "path"));
    Py_DECREF(e);
    /* Errors: not an ImportError subclass; no message. */
    ASSERT(PyErr_SetImportErrorSubclass(PyExc_ValueError, msg, name, path) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    ASSERT(PyErr_SetImportError(NULL, name, path) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    /* An ImportError made by calling the class: members read as None, msg from args. */
    e = PyObject_CallFunction(PyExc_ImportError, "s", "plain");
    ASSERT(e && attr_is_none(e, "name") && attr_is_none(e, "path") && attr_is_str(e, "msg", "plain"));
    /* Attributes are settable and deletable like CPython's. */
    ASSERT(PyObject_SetAttrString(e, "name", name) == 0 && attr_is_str(e, "name", "mymod"));
    Py_DECREF(e);
    Py_DECREF(msg); Py_DECREF(name); Py_DECREF(path);
    Py_RETURN_NONE;
}

/* ---- SyntaxError locations ---- */

/* One file per process: several test children run at once. */
static char SRC[64];

TEST(test_syntax_location) {
    snprintf(SRC, sizeof SRC, "/tmp/pyopaque_ext_c_funcs_src_%ld.py", (long)getpid());
    FILE *f = fopen(SRC, "w");
    ASSERT(f);
    fputs("line one\nline two\n", f);
    fclose(f);
    PyErr_SetString(PyExc_SyntaxError, "oops");
    PyErr_SyntaxLocationEx(SRC, 2, 3);
    ASSERT(PyErr_ExceptionMatches(PyExc_SyntaxError));
    PyObject *e = take_exception();
    ASSERT(e);
    ASSERT(attr_is_str(e, "filename", SRC));
    ASSERT(attr_is_long(e, "lineno", 2));
    ASSERT(attr_is_long(e, "offset", 3));
    ASSERT(attr_is_str(e, "text", "line two\n"));
    ASSERT(attr_is_str(e, "msg", "oops"));
    ASSERT(attr_is_long(e, "end_lineno", 2));
    ASSERT(attr_is_none(e, "end_offset"));
    Py_DECREF(e);
    /* No column: offset None; a file that cannot be read: no text. */
    PyErr_SetString(PyExc_SyntaxError, "oops");
    PyErr_SyntaxLocation("/nonexistent/pyopaque.py", 1);
    e = take_exception();
    ASSERT(e && attr_is_long(e, "lineno", 1) && attr_is_none(e, "offset"));
    ASSERT(attr_is_str(e, "filename", "/nonexistent/pyopaque.py") && attr_is_none(e, "text"));
    Py_DECREF(e);
    /* Not a SyntaxError: the location is set, plus msg and print_file_and_line. */
    PyErr_SetString(PyExc_ValueError, "not syntax");
    PyErr_SyntaxLocationEx(SRC, 5, 1);
    ASSERT(PyErr_ExceptionMatches(PyExc_ValueError));
    e = take_exception();
    ASSERT(e && attr_is_long(e, "lineno", 5) && attr_is_long(e, "offset", 1));
    ASSERT(attr_is_str(e, "msg", "not syntax") && attr_is_none(e, "print_file_and_line"));
    Py_DECREF(e);
    /* A SyntaxError made from (msg, details): attributes derived from args. */
    e = PyObject_CallFunction(PyExc_SyntaxError, "s(siis)", "bad", "f.py", 3, 4, "txt");
    ASSERT(e && attr_is_str(e, "filename", "f.py") && attr_is_long(e, "lineno", 3));
    ASSERT(attr_is_long(e, "offset", 4) && attr_is_str(e, "msg", "bad"));
    Py_DECREF(e);
#ifdef PYOPAQUE
    /* No exception set: nothing to annotate, nothing raised. */
    PyErr_SyntaxLocation(SRC, 1);
    ASSERT(!PyErr_Occurred());
#endif
    unlink(SRC);
    Py_RETURN_NONE;
}

/* ---- ResourceWarning ---- */

TEST(test_resource_warning) {
    ASSERT(PyErr_ResourceWarning(NULL, 1, "unclosed %s %d (expected)", "file", 3) == 0);
    ASSERT(!PyErr_Occurred());
    ASSERT(PyErr_ResourceWarning(Py_None, 1, "%c", 0x110000) == -1);
    ASSERT_RAISES(PyExc_OverflowError);
    Py_RETURN_NONE;
}

/* ---- bytes formatting ---- */

static PyObject *bytes_v(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    PyObject *r = PyBytes_FromFormatV(fmt, ap);
    va_end(ap);
    return r;
}

static int bytes_is(PyObject *b, const char *want, Py_ssize_t n) {
    if (!b || !PyBytes_Check(b) || PyBytes_Size(b) != n) return 0;
    return memcmp(PyBytes_AsString(b), want, (size_t)n) == 0;
}

TEST(test_bytes_format) {
    PyObject *b = bytes_v("%c|%c", 65, 200);
    ASSERT(bytes_is(b, "A|\xc8", 3));
    Py_DECREF(b);
    b = PyBytes_FromFormat("%c%c", 0, 255);
    ASSERT(bytes_is(b, "\x00\xff", 2));
    Py_DECREF(b);
    b = bytes_v("%s|%.2s", "\xff\xfe" "ab", "xyz");
    ASSERT(bytes_is(b, "\xff\xfe" "ab|xy", 7));
    Py_DECREF(b);
    b = bytes_v("%5d|%-5d|%05d|%d%%", 3, 4, 5, -6);
    ASSERT(bytes_is(b, "3|4|5|-6%", 9));
    Py_DECREF(b);
    b = bytes_v("%ld %zd %lu %zu %i %u %x", (long)-1, (Py_ssize_t)2, (unsigned long)3, (size_t)4, 5, 6u, 255u);
    ASSERT(bytes_is(b, "-1 2 3 4 5 6 ff", 15));
    Py_DECREF(b);
    b = bytes_v("\xe9 raw %lld rest", 1LL);
    ASSERT(bytes_is(b, "\xe9 raw %lld rest", 15));
    Py_DECREF(b);
    b = bytes_v("%p", (void *)0x1234);
    ASSERT(b && PyBytes_Check(b) && strncmp(PyBytes_AsString(b), "0x", 2) == 0);
    Py_DECREF(b);
    /* %c outside 0..255. */
    ASSERT(bytes_v("%c", 256) == NULL);
    ASSERT_RAISES(PyExc_OverflowError);
    ASSERT(bytes_v("%c", -1) == NULL);
    ASSERT_RAISES(PyExc_OverflowError);
    Py_RETURN_NONE;
}

/* ---- namereplace ---- */

TEST(test_name_replace) {
    PyObject *s = PyUnicode_FromString("a\xc3\xa9\xe2\x82\xac\xee\x80\x80\xe4\xb8\x80");
    ASSERT(s && PyUnicode_GetLength(s) == 5);
    PyObject *b = PyUnicode_AsEncodedString(s, "ascii", "namereplace");
    const char *want = "a\\N{LATIN SMALL LETTER E WITH ACUTE}\\N{EURO SIGN}\\ue000"
                       "\\N{CJK UNIFIED IDEOGRAPH-4E00}";
    ASSERT(bytes_is(b, want, (Py_ssize_t)strlen(want)));
    Py_DECREF(b);
    PyObject *exc = PyObject_CallFunction(PyExc_UnicodeEncodeError, "sOnns", "ascii", s, (Py_ssize_t)1,
                                          (Py_ssize_t)2, "ordinal not in range(128)");
    ASSERT(exc);
    PyObject *r = PyCodec_NameReplaceErrors(exc);
    ASSERT(r && PyTuple_Check(r) && PyTuple_Size(r) == 2);
    ASSERT(PyUnicode_CompareWithASCIIString(PyTuple_GetItem(r, 0), "\\N{LATIN SMALL LETTER E WITH ACUTE}") == 0);
    ASSERT(PyLong_AsLong(PyTuple_GetItem(r, 1)) == 2);
    Py_DECREF(r);
    Py_DECREF(exc);
    PyObject *h = PyCodec_LookupError("namereplace");
    ASSERT(h && PyCallable_Check(h));
    Py_DECREF(h);
    /* Errors: a decode error, and a non-exception. */
    exc = PyObject_CallFunction(PyExc_UnicodeDecodeError, "sy#nns", "ascii", "\xff", (Py_ssize_t)1,
                                (Py_ssize_t)0, (Py_ssize_t)1, "bad");
    ASSERT(exc);
    ASSERT(PyCodec_NameReplaceErrors(exc) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    Py_DECREF(exc);
    ASSERT(PyCodec_NameReplaceErrors(Py_None) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    Py_DECREF(s);
    Py_RETURN_NONE;
}

/* ---- PyObject_Dir ---- */

typedef struct { PyObject_HEAD int value; } Thing;

static PyObject *Thing_get(PyObject *self, PyObject *unused) { return PyLong_FromLong(1); }
static PyObject *Thing_dir(PyObject *self, PyObject *unused) { return Py_BuildValue("[ss]", "zeta", "alpha"); }
static PyObject *Bad_dir(PyObject *self, PyObject *unused) {
    PyErr_SetString(PyExc_RuntimeError, "no dir");
    return NULL;
}
static PyObject *Thing_index(PyObject *self) { return PyLong_FromLong(7); }

static PyMethodDef Thing_methods[] = {{"get", Thing_get, METH_NOARGS, NULL}, {NULL, NULL, 0, NULL}};
static PyMethodDef Dir_methods[] = {{"__dir__", Thing_dir, METH_NOARGS, NULL}, {NULL, NULL, 0, NULL}};
static PyMethodDef Bad_methods[] = {{"__dir__", Bad_dir, METH_NOARGS, NULL}, {NULL, NULL, 0, NULL}};
static PyType_Slot Thing_slots[] = {{Py_tp_methods, Thing_methods}, {Py_nb_index, Thing_index}, {0, NULL}};
static PyType_Slot Dir_slots[] = {{Py_tp_methods, Dir_methods}, {0, NULL}};
static PyType_Slot Bad_slots[] = {{Py_tp_methods, Bad_methods}, {0, NULL}};
static PyType_Spec Thing_spec = {"ext_c_funcs.Thing", sizeof(Thing), 0, Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE, Thing_slots};
static PyType_Spec Dir_spec = {"ext_c_funcs.Dir", sizeof(Thing), 0, Py_TPFLAGS_DEFAULT, Dir_slots};
static PyType_Spec Bad_spec = {"ext_c_funcs.BadDir", sizeof(Thing), 0, Py_TPFLAGS_DEFAULT, Bad_slots};

static int list_has(PyObject *l, const char *name) {
    for (Py_ssize_t i = 0; i < PyList_Size(l); i++)
        if (PyUnicode_CompareWithASCIIString(PyList_GetItem(l, i), name) == 0) return 1;
    return 0;
}

static int list_sorted(PyObject *l) {
    for (Py_ssize_t i = 1; i < PyList_Size(l); i++) {
        int lt = PyObject_RichCompareBool(PyList_GetItem(l, i - 1), PyList_GetItem(l, i), Py_LT);
        if (lt != 1) return 0;
    }
    return 1;
}

TEST(test_dir) {
    PyObject *d = PyObject_Dir(self);
    ASSERT(d && PyList_Check(d) && list_has(d, "test_dir") && list_has(d, "test_import_error"));
    ASSERT(list_sorted(d));
    Py_DECREF(d);
    PyObject *t = PyType_FromSpec(&Thing_spec);
    ASSERT(t);
    d = PyObject_Dir(t);
    ASSERT(d && list_has(d, "get") && list_sorted(d));
    Py_DECREF(d);
    PyObject *o = PyObject_CallObject(t, NULL);
    ASSERT(o);
    d = PyObject_Dir(o);
    ASSERT(d && list_has(d, "get") && list_has(d, "__class__") && list_sorted(d));
    Py_DECREF(d);
    /* An exception instance lists its stored attributes. */
    PyObject *e = PyObject_CallFunction(PyExc_ValueError, "s", "x");
    PyObject *one = PyLong_FromLong(1);
    ASSERT(e && PyObject_SetAttrString(e, "extra_attr", one) == 0);
    d = PyObject_Dir(e);
    ASSERT(d && list_has(d, "extra_attr") && list_has(d, "args"));
    Py_DECREF(d); Py_DECREF(e); Py_DECREF(one);
    /* __dir__ is called and its result sorted. */
    PyObject *dt = PyType_FromSpec(&Dir_spec);
    PyObject *dobj = dt ? PyObject_CallObject(dt, NULL) : NULL;
    ASSERT(dobj);
    d = PyObject_Dir(dobj);
    ASSERT(d && PyList_Size(d) == 2 && PyUnicode_CompareWithASCIIString(PyList_GetItem(d, 0), "alpha") == 0);
    Py_DECREF(d);
    /* Error path: __dir__ raises. */
    PyObject *bt = PyType_FromSpec(&Bad_spec);
    PyObject *bobj = bt ? PyObject_CallObject(bt, NULL) : NULL;
    ASSERT(bobj);
    ASSERT(PyObject_Dir(bobj) == NULL);
    ASSERT_RAISES(PyExc_RuntimeError);
    /* NULL: the current frame's names. No Python frame runs in pyopaque: NULL, no exception. */
    d = PyObject_Dir(NULL);
#ifdef PYOPAQUE
    ASSERT(d == NULL && !PyErr_Occurred());
#else
    ASSERT(d == NULL ? !PyErr_Occurred() : PyList_Check(d));
    Py_XDECREF(d);
#endif
    Py_DECREF(bobj); Py_DECREF(bt); Py_DECREF(dobj); Py_DECREF(dt);
    Py_DECREF(o); Py_DECREF(t);
    Py_RETURN_NONE;
}

/* ---- PyIndex_Check ---- */

TEST(test_index_check) {
    PyObject *i = PyLong_FromLong(5), *f = PyFloat_FromDouble(1.5), *s = PyUnicode_FromString("5");
    ASSERT(PyIndex_Check(i) == 1 && PyIndex_Check(Py_True) == 1);
    ASSERT(PyIndex_Check(f) == 0 && PyIndex_Check(s) == 0 && !PyErr_Occurred());
    PyObject *t = PyType_FromSpec(&Thing_spec);
    PyObject *o = t ? PyObject_CallObject(t, NULL) : NULL;
    ASSERT(o && PyIndex_Check(o) == 1);
    PyObject *n = PyNumber_Index(o);
    ASSERT(n && PyLong_AsLong(n) == 7);
    Py_DECREF(n);
    /* Error path: not an index. */
    ASSERT(PyNumber_Index(f) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    Py_DECREF(o); Py_DECREF(t); Py_DECREF(i); Py_DECREF(f); Py_DECREF(s);
    Py_RETURN_NONE;
}

/* ---- PyType_Freeze (3.14) ---- */

TEST(test_type_freeze) {
#if PY_VERSION_HEX >= 0x030E0000
    PyObject *base = PyType_FromSpec(&Thing_spec);
    ASSERT(base);
    PyObject *sub_bases = PyTuple_Pack(1, base);
    static PyType_Spec sub_spec = {"ext_c_funcs.Sub", sizeof(Thing), 0, Py_TPFLAGS_DEFAULT, Dir_slots};
    PyObject *sub = PyType_FromSpecWithBases(&sub_spec, sub_bases);
    ASSERT(sub);
    PyObject *one = PyLong_FromLong(1);
    ASSERT(PyObject_SetAttrString(base, "mutable_attr", one) == 0);
    /* Error path: a mutable base. */
    ASSERT(PyType_Freeze((PyTypeObject *)sub) == -1);
    ASSERT_RAISES(PyExc_TypeError);
    ASSERT(PyType_Freeze((PyTypeObject *)base) == 0);
    ASSERT(PyType_GetFlags((PyTypeObject *)base) & Py_TPFLAGS_IMMUTABLETYPE);
    ASSERT(PyObject_SetAttrString(base, "mutable_attr", one) == -1);
    ASSERT_RAISES(PyExc_TypeError);
    ASSERT(PyType_Freeze((PyTypeObject *)sub) == 0);
    ASSERT(PyObject_SetAttrString(sub, "x", one) == -1);
    ASSERT_RAISES(PyExc_TypeError);
    Py_DECREF(one); Py_DECREF(sub); Py_DECREF(sub_bases); Py_DECREF(base);
#endif
    Py_RETURN_NONE;
}

/* ---- PyABIInfo_Check and PyModule_FromSlotsAndSpec (3.15) ---- */

#if PY_VERSION_HEX >= 0x030F0000
PyABIInfo_VAR(abi_info);

static int token_target;
static int slot_exec(PyObject *m) { return PyModule_AddIntConstant(m, "executed", 1); }
static PyObject *slot_hello(PyObject *m, PyObject *unused) { return PyUnicode_FromString("hello"); }
static PyMethodDef slot_methods[] = {{"hello", slot_hello, METH_NOARGS, NULL}, {NULL, NULL, 0, NULL}};
#endif

TEST(test_abi_info) {
#if PY_VERSION_HEX >= 0x030F0000
    ASSERT(PyABIInfo_Check(&abi_info, "mymod") == 0);
    PyABIInfo skip = {0, 0, 0, 0, 0};
    ASSERT(PyABIInfo_Check(&skip, NULL) == 0);
    ASSERT(PyABIInfo_Check(NULL, "mymod") == -1);
    ASSERT_RAISES(PyExc_ImportError);
    PyABIInfo too_new = {2, 0, PyABIInfo_DEFAULT_FLAGS, PY_VERSION_HEX, PyABIInfo_DEFAULT_ABI_VERSION};
    ASSERT(PyABIInfo_Check(&too_new, "mymod") == -1);
    PyObject *e = take_exception();
    ASSERT(e && PyObject_IsInstance(e, PyExc_ImportError) == 1);
    ASSERT(str_is(e, "mymod: PyABIInfo version too high"));
    Py_DECREF(e);
    PyABIInfo future = {1, 0, PyABIInfo_STABLE | PyABIInfo_GIL, 0, 0x04000000};
    ASSERT(PyABIInfo_Check(&future, "mymod") == -1);
    ASSERT_RAISES(PyExc_ImportError);
    PyABIInfo other = {1, 0, PyABIInfo_GIL, 0, 0x03050000};
    ASSERT(PyABIInfo_Check(&other, "mymod") == -1);
    ASSERT_RAISES(PyExc_ImportError);
    PyABIInfo both = {1, 0, PyABIInfo_STABLE | PyABIInfo_INTERNAL | PyABIInfo_GIL, 0, 0};
    ASSERT(PyABIInfo_Check(&both, "mymod") == -1);
    ASSERT_RAISES(PyExc_ImportError);
#endif
    Py_RETURN_NONE;
}

TEST(test_module_from_slots) {
#if PY_VERSION_HEX >= 0x030F0000
    PyObject *spec = PyModule_New("spec");
    PyObject *name = PyUnicode_FromString("slotmod");
    ASSERT(spec && name && PyObject_SetAttrString(spec, "name", name) == 0);
    PyModuleDef_Slot slots[] = {
        {Py_mod_abi, &abi_info},
        {Py_mod_name, "ignored"},
        {Py_mod_doc, "the doc"},
        {Py_mod_state_size, (void *)16},
        {Py_mod_methods, slot_methods},
        {Py_mod_exec, (void *)slot_exec},
        {Py_mod_token, &token_target},
        {Py_mod_gil, Py_MOD_GIL_NOT_USED},
        {0, NULL},
    };
    PyObject *m = PyModule_FromSlotsAndSpec(slots, spec);
    ASSERT(m && PyModule_Check(m));
    ASSERT(strcmp(PyModule_GetName(m), "slotmod") == 0);
    ASSERT(attr_is_str(m, "__doc__", "the doc"));
    PyObject *r = PyObject_CallMethod(m, "hello", NULL);
    ASSERT(r && PyUnicode_CompareWithASCIIString(r, "hello") == 0);
    Py_DECREF(r);
    Py_ssize_t size = -1;
    ASSERT(PyModule_GetStateSize(m, &size) == 0 && size == 16);
    void *token = NULL;
    ASSERT(PyModule_GetToken(m, &token) == 0 && token == &token_target);
    ASSERT(PyModule_GetDef(m) == NULL);
    ASSERT(!PyObject_HasAttrString(m, "executed"));
    ASSERT(PyModule_Exec(m) == 0);
    ASSERT(attr_is_long(m, "executed", 1));
    ASSERT(PyModule_GetState(m) != NULL);
    Py_DECREF(m);
    /* Errors. */
    ASSERT(PyModule_FromSlotsAndSpec(NULL, spec) == NULL);
    ASSERT_RAISES(PyExc_SystemError);
    PyModuleDef_Slot unknown[] = {{999, NULL}, {0, NULL}};
    ASSERT(PyModule_FromSlotsAndSpec(unknown, spec) == NULL);
    ASSERT_RAISES(PyExc_SystemError);
    PyModuleDef_Slot twice[] = {{Py_mod_doc, "a"}, {Py_mod_doc, "b"}, {0, NULL}};
    ASSERT(PyModule_FromSlotsAndSpec(twice, spec) == NULL);
    ASSERT_RAISES(PyExc_SystemError);
    static PyABIInfo bad_abi = {2, 0, 0, 0, 0};
    PyModuleDef_Slot bad[] = {{Py_mod_abi, &bad_abi}, {0, NULL}};
    ASSERT(PyModule_FromSlotsAndSpec(bad, spec) == NULL);
    ASSERT_RAISES(PyExc_ImportError);
    Py_DECREF(name); Py_DECREF(spec);
#endif
    Py_RETURN_NONE;
}

/* ---- _PyObject_GC_Resize ---- */

typedef struct { PyObject_VAR_HEAD long items[1]; } VarObj;

static int VarObj_traverse(PyObject *self, visitproc visit, void *arg) { return 0; }
static PyType_Slot VarObj_slots[] = {{Py_tp_traverse, VarObj_traverse}, {0, NULL}};
static PyType_Spec VarObj_spec = {"ext_c_funcs.VarObj", offsetof(VarObj, items), sizeof(long),
                                  Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC, VarObj_slots};

TEST(test_gc_resize) {
    PyObject *t = PyType_FromSpec(&VarObj_spec);
    ASSERT(t);
    VarObj *o = PyObject_GC_NewVar(VarObj, (PyTypeObject *)t, 3);
    ASSERT(o && Py_SIZE(o) == 3);
    for (int i = 0; i < 3; i++) o->items[i] = 100 + i;
    /* Error path: a size beyond memory; the object is left as it was. */
    ASSERT(PyObject_GC_Resize(VarObj, o, PY_SSIZE_T_MAX / (Py_ssize_t)sizeof(long) - 1) == NULL);
    ASSERT_RAISES(PyExc_MemoryError);
#ifdef PYOPAQUE
    ASSERT(PyObject_GC_Resize(VarObj, o, -1) == NULL);
    ASSERT_RAISES(PyExc_MemoryError);
#endif
    ASSERT(Py_SIZE(o) == 3 && o->items[2] == 102);
    VarObj *r = PyObject_GC_Resize(VarObj, o, 10);
    ASSERT(r && Py_SIZE(r) == 10);
    ASSERT(r->items[0] == 100 && r->items[1] == 101 && r->items[2] == 102);
    for (int i = 3; i < 10; i++) r->items[i] = 100 + i;
    ASSERT(Py_TYPE(r) == (PyTypeObject *)t);
    r = PyObject_GC_Resize(VarObj, r, 2);
    ASSERT(r && Py_SIZE(r) == 2 && r->items[1] == 101);
    PyObject_GC_Track(r);
    Py_DECREF(r);
    Py_DECREF(t);
    Py_RETURN_NONE;
}

/* ---- _PyErr_BadInternalCall ---- */

TEST(test_bad_internal_call) {
    _PyErr_BadInternalCall("file.c", 42);
    ASSERT(PyErr_ExceptionMatches(PyExc_SystemError));
    PyObject *e = take_exception();
    ASSERT(e && str_is(e, "file.c:42: bad argument to internal function"));
    Py_DECREF(e);
    PyErr_BadInternalCall();
    ASSERT_RAISES(PyExc_SystemError);
    Py_RETURN_NONE;
}

/* ---- legacy Unicode functions ---- */

static PyObject *ident_codec(PyObject *self, PyObject *args) {
    PyObject *o;
    const char *errors = NULL;
    if (!PyArg_ParseTuple(args, "O|z", &o, &errors)) return NULL;
    return Py_BuildValue("(On)", o, PyObject_Length(o));
}
static PyMethodDef ident_def = {"ident", ident_codec, METH_VARARGS, NULL};

static PyObject *search(PyObject *self, PyObject *name) {
    if (PyUnicode_CompareWithASCIIString(name, "pyopaque_c_ident") != 0) Py_RETURN_NONE;
    PyObject *f = PyCFunction_New(&ident_def, NULL);
    PyObject *t = Py_BuildValue("(OOOO)", f, f, Py_None, Py_None);
    Py_DECREF(f);
    return t;
}
static PyMethodDef search_def = {"search", search, METH_O, NULL};

TEST(test_legacy_unicode) {
    PyObject *sf = PyCFunction_New(&search_def, NULL);
    ASSERT(sf && PyCodec_Register(sf) == 0);
    PyObject *s = PyUnicode_FromString("abc");
    PyObject *r = PyUnicode_AsEncodedObject(s, "utf-8", NULL);
    ASSERT(bytes_is(r, "abc", 3));
    Py_DECREF(r);
    r = PyUnicode_AsEncodedObject(s, NULL, NULL);
    ASSERT(bytes_is(r, "abc", 3));
    Py_DECREF(r);
    r = PyUnicode_AsEncodedUnicode(s, "pyopaque_c_ident", NULL);
    ASSERT(r && PyUnicode_Check(r) && PyUnicode_CompareWithASCIIString(r, "abc") == 0);
    Py_DECREF(r);
    r = PyUnicode_AsDecodedObject(s, "pyopaque_c_ident", NULL);
    ASSERT(r && PyUnicode_CompareWithASCIIString(r, "abc") == 0);
    Py_DECREF(r);
    r = PyUnicode_AsDecodedUnicode(s, "pyopaque_c_ident", "strict");
    ASSERT(r && PyUnicode_CompareWithASCIIString(r, "abc") == 0);
    Py_DECREF(r);
    /* Errors: a codec producing the wrong type, a str fed to a bytes decoder, a non-str. */
    ASSERT(PyUnicode_AsEncodedUnicode(s, "utf-8", NULL) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    ASSERT(PyUnicode_AsDecodedObject(s, "utf-8", NULL) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    ASSERT(PyUnicode_AsDecodedUnicode(s, NULL, NULL) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    PyObject *b = PyBytes_FromString("abc");
    ASSERT(PyUnicode_AsEncodedObject(b, "utf-8", NULL) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    ASSERT(PyUnicode_AsEncodedUnicode(s, "no-such-codec-c", NULL) == NULL);
    ASSERT_RAISES(PyExc_LookupError);
    /* PyUnicode_GetSize: code points (4-byte wchar_t). */
    PyObject *u = PyUnicode_FromString("h\xc3\xa9llo\xf0\x9f\x98\x80");
    ASSERT(PyUnicode_GetSize(u) == 6);
    ASSERT(PyUnicode_GetSize(b) == -1);
    ASSERT_RAISES(PyExc_TypeError);
    /* PyUnicode_InternImmortal: the string stays usable; a non-str is left alone. */
    PyObject *p = PyUnicode_FromString("pyopaque-immortal-string-c");
    PyObject *q = p;
    PyUnicode_InternImmortal(&q);
    ASSERT(!PyErr_Occurred() && q && PyUnicode_CompareWithASCIIString(q, "pyopaque-immortal-string-c") == 0);
    Py_DECREF(q);
    PyObject *one = PyLong_FromLong(1), *one2 = one;
    PyUnicode_InternImmortal(&one2);
    ASSERT(one2 == one && !PyErr_Occurred());
    Py_DECREF(one);
    ASSERT(PyCodec_Unregister(sf) == 0);
    Py_DECREF(u); Py_DECREF(b); Py_DECREF(s); Py_DECREF(sf);
    Py_RETURN_NONE;
}

/* ---- ending the process (each test runs in its own child) ---- */

TEST(test_exits_3_py_exit) {
    Py_Exit(3);
}

static void exit_seven(void) { _exit(7); }

/* Py_Exit finalizes first: the Py_AtExit callback runs and decides the status. */
TEST(test_exits_7_py_exit_runs_at_exit) {
    ASSERT(Py_AtExit(exit_seven) == 0);
    Py_Exit(0);
}

TEST(test_exits_abort_fatal_error) {
    Py_FatalError("expected fatal error (ext_c_funcs test)");
}

static PyMethodDef methods[] = {
    DEF(test_import_error),
    DEF(test_syntax_location),
    DEF(test_resource_warning),
    DEF(test_bytes_format),
    DEF(test_name_replace),
    DEF(test_dir),
    DEF(test_index_check),
    DEF(test_type_freeze),
    DEF(test_abi_info),
    DEF(test_module_from_slots),
    DEF(test_gc_resize),
    DEF(test_bad_internal_call),
    DEF(test_legacy_unicode),
    DEF(test_exits_3_py_exit),
    DEF(test_exits_7_py_exit_runs_at_exit),
    DEF(test_exits_abort_fatal_error),
    {NULL, NULL, 0, NULL},
};

static PyModuleDef module = {PyModuleDef_HEAD_INIT, "ext_c_funcs", NULL, -1, methods};

PyMODINIT_FUNC PyInit_ext_c_funcs(void) { return PyModule_Create(&module); }
