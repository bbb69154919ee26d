/* The differential fuzzer's harness (`pyopaque fuzz`). One source, compiled against CPython's
 * headers and against pyopaque's; `fuzz_table.h` (generated from the reference data by
 * `src/fuzz/spec.rs`) holds the dispatch table. Built as the extension module `fuzzmod`, whose
 * `test_fuzz` runs one batch: a pool of live objects, then FUZZ_CALLS random API calls drawn from
 * FUZZ_SEED, one log line per call (`i name args -> outcome`), then the reference-count deltas of
 * the pool's counted objects and a collection.
 *
 * Invariants: the random draws never depend on an outcome (a skipped or excluded call draws the
 * same numbers), so two runtimes run the same sequence while they agree; the pool owns one
 * reference to each of its objects and every result slot owns the reference it holds, so a
 * correct sequence never frees what the pool still uses; rendering never prints an address. */
#include <Python.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

typedef union {
    PyObject *o;
    long long i;
    unsigned long long u;
    double d;
    const char *s;
    const void *p;
} fz_val;

typedef void (*fz_thunk)(fz_val *a, fz_val *r);

typedef struct {
    const char *name;
    const char *args;    /* one kind letter per argument (see spec.rs) */
    char ret;            /* O object, i signed, u unsigned, d double, s text, h hash, p pointer, v void */
    char borrowed;       /* 1: the PyObject* result is a borrowed reference */
    unsigned steals;     /* bit k: argument k is stolen */
    char steal_on_success;
    unsigned hint;       /* category mask preferred for the first object argument (0: none) */
    char unstable;       /* 1: CPython defines the result as arbitrary; render its type only */
    char strict;         /* 1: CPython casts the first object argument unchecked: always `hint` */
    fz_thunk call;
} fz_fn;

#include "fuzz_table.h"

/* ---------------------------------------------------------------- output */

static int out_fd = 1;
static char obuf[1 << 16];
static size_t olen;
static char cur[512]; /* the line of the call in progress (or last run), for the crash handler */
static size_t curlen;

static void out_flush(void) {
    size_t off = 0;
    while (off < olen) {
        ssize_t w = write(out_fd, obuf + off, olen - off);
        if (w <= 0) break;
        off += (size_t)w;
    }
    olen = 0;
}

static void out_str(const char *s, size_t n) {
    if (olen + n > sizeof obuf) out_flush();
    if (n > sizeof obuf) n = sizeof obuf;
    memcpy(obuf + olen, s, n);
    olen += n;
}

static void on_fatal(int sig) {
    char msg[64];
    out_flush();
    int n = snprintf(msg, sizeof msg, " -> %s %d\n", sig == SIGALRM ? "HANG" : "CRASH", sig);
    if (curlen && write(out_fd, cur, curlen) < 0) {}
    if (write(out_fd, msg, (size_t)n) < 0) {}
    signal(sig, SIG_DFL);
    if (sig == SIGALRM) _exit(3);
    raise(sig);
}

/* ---------------------------------------------------------------- text buffer */

typedef struct {
    char b[400];
    size_t n;
} sbuf;

static void sb_put(sbuf *s, const char *t, size_t n) {
    if (s->n + n >= sizeof s->b - 4) n = sizeof s->b - 4 - s->n;
    memcpy(s->b + s->n, t, n);
    s->n += n;
    s->b[s->n] = 0;
}
static void sb_cat(sbuf *s, const char *t) { sb_put(s, t, strlen(t)); }
static void sb_fmt(sbuf *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_fmt(sbuf *s, const char *fmt, ...) {
    char t[128];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(t, sizeof t, fmt, ap);
    va_end(ap);
    if (n > 0) sb_put(s, t, (size_t)n < sizeof t ? (size_t)n : sizeof t - 1);
}
/* Bytes escaped (printable ASCII kept), at most 32 shown. */
static void sb_bytes(sbuf *s, const char *p, Py_ssize_t n) {
    sb_cat(s, "'");
    for (Py_ssize_t k = 0; k < n && k < 32; k++) {
        unsigned char c = (unsigned char)p[k];
        if (c >= 32 && c < 127 && c != '\'' && c != '\\')
            sb_put(s, (const char *)&c, 1);
        else
            sb_fmt(s, "\\x%02x", c);
    }
    if (n > 32) sb_cat(s, "...");
    sb_cat(s, "'");
}

/* ---------------------------------------------------------------- rendering */

static void type_name(sbuf *s, PyObject *t) {
    PyObject *n = PyObject_GetAttrString(t, "__name__");
    const char *u = n && PyUnicode_Check(n) ? PyUnicode_AsUTF8(n) : NULL;
    sb_cat(s, u ? u : "?");
    Py_XDECREF(n);
    PyErr_Clear();
}

static void render(sbuf *s, PyObject *o, int depth);

static void render_items(sbuf *s, PyObject *o, int depth, int is_list) {
    Py_ssize_t n = is_list ? PyList_Size(o) : PyTuple_Size(o);
    sb_cat(s, is_list ? "[" : "(");
    for (Py_ssize_t k = 0; k < n && k < 6; k++) {
        if (k) sb_cat(s, ",");
        render(s, is_list ? PyList_GetItem(o, k) : PyTuple_GetItem(o, k), depth + 1);
    }
    if (n > 6) sb_fmt(s, ",..%zd", n);
    sb_cat(s, is_list ? "]" : ")");
}

/* A stable rendering: value for builtin exact types, type name otherwise; no addresses. */
static void render(sbuf *s, PyObject *o, int depth) {
    if (!o) {
        sb_cat(s, "NULL");
        return;
    }
    if (depth > 2) {
        sb_cat(s, "~");
        return;
    }
    if (o == Py_None) { sb_cat(s, "None"); return; }
    if (o == Py_True) { sb_cat(s, "True"); return; }
    if (o == Py_False) { sb_cat(s, "False"); return; }
    if (o == Py_Ellipsis) { sb_cat(s, "Ellipsis"); return; }
    if (o == Py_NotImplemented) { sb_cat(s, "NotImplemented"); return; }
    if (PyLong_CheckExact(o)) {
        int ovf = 0;
        long long v = PyLong_AsLongLongAndOverflow(o, &ovf);
        if (!ovf) {
            sb_fmt(s, "%lld", v);
        } else {
            PyObject *r = PyObject_Repr(o);
            Py_ssize_t n = 0;
            const char *u = r ? PyUnicode_AsUTF8AndSize(r, &n) : NULL;
            if (u) sb_put(s, u, (size_t)(n > 60 ? 60 : n));
            Py_XDECREF(r);
        }
    } else if (PyFloat_CheckExact(o)) {
        sb_fmt(s, "f%.17g", PyFloat_AsDouble(o));
    } else if (PyComplex_CheckExact(o)) {
        sb_fmt(s, "c(%.17g,%.17g)", PyComplex_RealAsDouble(o), PyComplex_ImagAsDouble(o));
    } else if (PyUnicode_CheckExact(o)) {
        Py_ssize_t n = 0;
        const char *u = PyUnicode_AsUTF8AndSize(o, &n);
        sb_fmt(s, "s%zd", PyUnicode_GetLength(o));
        if (u) sb_bytes(s, u, n);
    } else if (PyBytes_CheckExact(o)) {
        sb_cat(s, "b");
        sb_bytes(s, PyBytes_AsString(o), PyBytes_Size(o));
    } else if (PyByteArray_CheckExact(o)) {
        sb_cat(s, "ba");
        sb_bytes(s, PyByteArray_AsString(o), PyByteArray_Size(o));
    } else if (PyList_CheckExact(o)) {
        render_items(s, o, depth, 1);
    } else if (PyTuple_CheckExact(o)) {
        render_items(s, o, depth, 0);
    } else if (PyDict_CheckExact(o)) {
        Py_ssize_t pos = 0, k = 0;
        PyObject *key, *val;
        sb_cat(s, "{");
        while (PyDict_Next(o, &pos, &key, &val)) {
            if (k++ >= 4) { sb_fmt(s, ",..%zd", PyDict_Size(o)); break; }
            if (k > 1) sb_cat(s, ",");
            render(s, key, depth + 1);
            sb_cat(s, ":");
            render(s, val, depth + 1);
        }
        sb_cat(s, "}");
    } else if (PyAnySet_CheckExact(o)) {
        /* Iteration order follows hashes, which CPython randomises for str: size only. */
        sb_fmt(s, "%s(%zd)", PyFrozenSet_CheckExact(o) ? "frozenset" : "set", PySet_Size(o));
    } else if (PyType_Check(o)) {
        sb_cat(s, "type:");
        type_name(s, o);
    } else {
        sb_cat(s, "<");
        type_name(s, (PyObject *)Py_TYPE(o));
        sb_cat(s, ">");
    }
    PyErr_Clear();
}

/* Appends the pending exception's type name (and clears it). */
static void render_exc(sbuf *s) {
    PyObject *t, *v, *tb;
    PyErr_Fetch(&t, &v, &tb);
    sb_cat(s, "!");
    if (t && PyType_Check(t))
        type_name(s, t);
    else
        sb_cat(s, t ? "<not-a-type>" : "?");
    Py_XDECREF(t);
    Py_XDECREF(v);
    Py_XDECREF(tb);
    PyErr_Clear();
}

/* ---------------------------------------------------------------- random numbers */

static uint64_t rng;
static uint64_t next_u64(void) { /* splitmix64 */
    uint64_t z = (rng += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
static unsigned rnd(unsigned n) { return (unsigned)(next_u64() % n); }

/* ---------------------------------------------------------------- the pool */

enum {
    C_INT = 1 << 0, C_FLOAT = 1 << 1, C_STR = 1 << 2, C_BYTES = 1 << 3, C_BYTEARRAY = 1 << 4,
    C_TUPLE = 1 << 5, C_LIST = 1 << 6, C_DICT = 1 << 7, C_SET = 1 << 8, C_COMPLEX = 1 << 9,
    C_EXC = 1 << 10, C_TYPE = 1 << 11, C_EXCTYPE = 1 << 12, C_CALL = 1 << 13, C_MODULE = 1 << 14,
    C_CAPSULE = 1 << 15, C_ITER = 1 << 16, C_SLICE = 1 << 17, C_MEMVIEW = 1 << 18,
    C_THING = 1 << 19, C_BOOL = 1 << 20, C_UNIERR = 1 << 21, C_STRUCTSEQ = 1 << 22,
    /* a heap object whose count both runtimes report comparably */
    C_COUNTED = 1 << 30,
};

#define MAXPOOL 160
#define NRESULT 16
static PyObject *pool[MAXPOOL];
static unsigned cats[MAXPOOL];
static Py_ssize_t rc0[MAXPOOL];
static int npool;
static PyObject *results[NRESULT];
static PyObject *freed_obj;
static char *pool_err[MAXPOOL]; /* why construction failed, for NULL pool entries */

/* Adds `o` (a new reference, or NULL when its construction failed) and returns its index. */
static int add(PyObject *o, unsigned cat) {
    if (npool >= MAXPOOL) { Py_XDECREF(o); return 0; }
    if (!o) {
        /* why it failed goes into the pool line ("NULL !Type: message"), so the comparison
           can tell a documented limitation from a bug */
        PyObject *t, *v, *tb;
        PyErr_Fetch(&t, &v, &tb);
        sbuf e = {{0}, 0};
        if (t && PyType_Check(t)) {
            sb_cat(&e, " !");
            type_name(&e, t);
            PyObject *m = v ? PyObject_Str(v) : NULL;
            Py_ssize_t n = 0;
            const char *u = m ? PyUnicode_AsUTF8AndSize(m, &n) : NULL;
            if (u) {
                sb_cat(&e, ": ");
                sb_put(&e, u, (size_t)(n > 200 ? 200 : n));
            }
            Py_XDECREF(m);
        }
        Py_XDECREF(t);
        Py_XDECREF(v);
        Py_XDECREF(tb);
        PyErr_Clear();
        e.b[e.n < sizeof e.b ? e.n : sizeof e.b - 1] = 0;
        for (char *c = e.b; *c; c++)
            if (*c == '\n') *c = ' ';
        pool_err[npool] = strdup(e.b);
    }
    pool[npool] = o;
    cats[npool] = cat;
    return npool++;
}

typedef struct { long v; } thing_fields;
static PyType_Slot thing_slots[] = {{Py_tp_doc, (void *)"fuzz thing"}, {0, NULL}};
static PyType_Spec thing_spec = {"fuzzmod.Thing", 64, 0, Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
                                 thing_slots};
static PyType_Slot sub_slots[] = {{0, NULL}};
static PyType_Spec thingsub_spec = {"fuzzmod.ThingSub", 64, 0, Py_TPFLAGS_DEFAULT, sub_slots};
static PyType_Spec intsub_spec = {"fuzzmod.IntSub", 0, 0, Py_TPFLAGS_DEFAULT, sub_slots};
static PyType_Spec listsub_spec = {"fuzzmod.ListSub", 0, 0, Py_TPFLAGS_DEFAULT, sub_slots};

static PyObject *ident(PyObject *self, PyObject *arg) { (void)self; Py_INCREF(arg); return arg; }
static PyObject *varfn(PyObject *self, PyObject *args) {
    (void)self;
    return PyLong_FromSsize_t(PyTuple_Size(args));
}
static PyMethodDef pool_methods[] = {
    {"ident", ident, METH_O, NULL},
    {"count_args", varfn, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static PyObject *subtype(PyType_Spec *spec, PyObject *base) {
    PyObject *bases = PyTuple_Pack(1, base);
    if (!bases) return NULL;
    PyObject *t = PyType_FromSpecWithBases(spec, bases);
    Py_DECREF(bases);
    return t;
}

static PyObject *call1(PyObject *t, PyObject *arg) {
    if (!t) return NULL;
    return arg ? PyObject_CallOneArg(t, arg) : PyObject_CallNoArgs(t);
}

static void build_pool(PyObject *module) {
    npool = 0;
    Py_INCREF(Py_None); add(Py_None, 0);
    Py_INCREF(Py_True); add(Py_True, C_BOOL | C_INT);
    Py_INCREF(Py_False); add(Py_False, C_BOOL | C_INT);
    Py_INCREF(Py_Ellipsis); add(Py_Ellipsis, 0);
    Py_INCREF(Py_NotImplemented); add(Py_NotImplemented, 0);
    long smalls[] = {0, 1, -1, 7, 255, 256, 257, -5, -6};
    int i_small = npool;
    for (unsigned k = 0; k < sizeof smalls / sizeof *smalls; k++) add(PyLong_FromLong(smalls[k]), C_INT);
    add(PyLong_FromLongLong(LLONG_MAX), C_INT);
    add(PyLong_FromLongLong(LLONG_MIN), C_INT);
    add(PyLong_FromLongLong(1LL << 62), C_INT);
    add(PyLong_FromUnsignedLongLong(ULLONG_MAX), C_INT);
    add(PyLong_FromString("1267650600228229401496703205376", NULL, 10), C_INT | C_COUNTED);  /* 2**100 */
    add(PyLong_FromString("-1267650600228229401496703205377", NULL, 10), C_INT | C_COUNTED);
    double floats[] = {0.0, -0.0, 1.5, -2.5, NAN, INFINITY, -INFINITY, 1e308, 5e-324, 3.0};
    for (unsigned k = 0; k < sizeof floats / sizeof *floats; k++)
        add(PyFloat_FromDouble(floats[k]), C_FLOAT | C_COUNTED);
    add(PyComplex_FromDoubles(1.0, 2.0), C_COMPLEX | C_COUNTED);
    add(PyComplex_FromDoubles(NAN, -0.0), C_COMPLEX | C_COUNTED);
    const char *strs[] = {"", "a", "abc", "h\xc3\xa9llo w\xc3\xb6rld", "\xe6\x97\xa5\xe6\x9c\xac",
                          "\xf0\x9f\x98\x80!", "123", " 1.5 ", "__dict__", "append", "keys",
                          "utf-8", "strict", "fuzzmod.Err"};
    int i_str = npool + 3; /* "h\xe9llo w\xf6rld" */
    for (unsigned k = 0; k < sizeof strs / sizeof *strs; k++) add(PyUnicode_FromString(strs[k]), C_STR);
    add(PyUnicode_FromStringAndSize("a\0b", 3), C_STR);
    add(PyBytes_FromStringAndSize("", 0), C_BYTES);
    int i_bytes = add(PyBytes_FromStringAndSize("abc", 3), C_BYTES);
    add(PyBytes_FromStringAndSize("\xff\xfe\x00z", 4), C_BYTES | C_COUNTED);
    add(PyBytes_FromString("h\xc3\xa9"), C_BYTES | C_COUNTED);
    add(PyByteArray_FromStringAndSize("xyz", 3), C_BYTEARRAY | C_COUNTED);
    add(PyByteArray_FromStringAndSize("", 0), C_BYTEARRAY | C_COUNTED);
    add(PyTuple_New(0), C_TUPLE);
    add(Py_BuildValue("(i)", 1), C_TUPLE | C_COUNTED);
    add(Py_BuildValue("(isO)", 1, "a", Py_None), C_TUPLE | C_COUNTED);
    add(Py_BuildValue("((ii)[i]d)", 1, 2, 3, 0.5), C_TUPLE | C_COUNTED);
    add(PyList_New(0), C_LIST | C_COUNTED);
    int i_list = add(Py_BuildValue("[iii]", 1, 2, 3), C_LIST | C_COUNTED);
    add(Py_BuildValue("[dd]", 1.5, 2.5), C_LIST | C_COUNTED);
    add(Py_BuildValue("[s[i]{}]", "a", 1), C_LIST | C_COUNTED);
    add(Py_BuildValue("[d]", NAN), C_LIST | C_COUNTED);
    add(Py_BuildValue("[sss]", "b", "a", "c"), C_LIST | C_COUNTED);
    add(PyDict_New(), C_DICT | C_COUNTED);
    add(Py_BuildValue("{s:i,i:s}", "a", 1, 2, "b"), C_DICT | C_COUNTED);
    add(Py_BuildValue("{i:[ii]}", 1, 1, 2), C_DICT | C_COUNTED);
    add(PySet_New(NULL), C_SET | C_COUNTED);
    {
        PyObject *l = Py_BuildValue("[iis]", 1, 2, "x");
        add(PySet_New(l), C_SET | C_COUNTED);
        add(PyFrozenSet_New(l), C_SET | C_COUNTED);
        Py_XDECREF(l);
    }
    add(PyFrozenSet_New(NULL), C_SET);
    add(PySlice_New(pool[i_small + 1], pool[i_small + 6], NULL), C_SLICE | C_COUNTED); /* slice(1, 257) */
    add(PySlice_New(NULL, NULL, pool[i_small + 2]), C_SLICE | C_COUNTED);     /* slice(None, None, -1) */
    PyObject *types[] = {(PyObject *)&PyLong_Type, (PyObject *)&PyUnicode_Type,
                         (PyObject *)&PyType_Type, (PyObject *)&PyBaseObject_Type,
                         (PyObject *)&PyList_Type, (PyObject *)&PyDict_Type,
                         (PyObject *)&PyTuple_Type, (PyObject *)&PyFloat_Type,
                         (PyObject *)&PyBytes_Type, (PyObject *)&PyBool_Type};
    for (unsigned k = 0; k < sizeof types / sizeof *types; k++) {
        Py_INCREF(types[k]);
        add(types[k], C_TYPE | C_CALL);
    }
    PyObject *excs[] = {PyExc_BaseException, PyExc_Exception, PyExc_ValueError, PyExc_TypeError,
                        PyExc_KeyError, PyExc_StopIteration, PyExc_OverflowError};
    for (unsigned k = 0; k < sizeof excs / sizeof *excs; k++) {
        Py_INCREF(excs[k]);
        add(excs[k], C_TYPE | C_EXCTYPE | C_CALL);
    }
    add(PyObject_CallFunction(PyExc_ValueError, "s", "bad"), C_EXC | C_COUNTED);
    add(PyObject_CallFunction(PyExc_KeyError, "i", 1), C_EXC | C_COUNTED);
    add(PyObject_CallNoArgs(PyExc_StopIteration), C_EXC | C_COUNTED);
    PyObject *err = PyErr_NewException("fuzzmod.Err", PyExc_ValueError, NULL);
    add(err, C_TYPE | C_EXCTYPE | C_CALL);
    add(call1(err, pool[i_small + 3]), C_EXC | C_COUNTED);
    PyObject *thing = PyType_FromSpec(&thing_spec);
    add(thing, C_TYPE | C_CALL);
    PyObject *thingsub = thing ? subtype(&thingsub_spec, thing) : NULL;
    add(thingsub, C_TYPE | C_CALL);
    add(call1(thing, NULL), C_THING | C_COUNTED);
    add(call1(thing, NULL), C_THING | C_COUNTED);
    add(call1(thingsub, NULL), C_THING | C_COUNTED);
    PyObject *intsub = subtype(&intsub_spec, (PyObject *)&PyLong_Type);
    add(intsub, C_TYPE | C_CALL);
    add(call1(intsub, pool[i_small + 3]), C_INT | C_COUNTED); /* IntSub(7) */
    PyObject *listsub = subtype(&listsub_spec, (PyObject *)&PyList_Type);
    add(listsub, C_TYPE | C_CALL);
    add(call1(listsub, pool[i_list]), C_LIST | C_COUNTED);
    add(PyCFunction_NewEx(&pool_methods[0], NULL, NULL), C_CALL | C_COUNTED);
    add(PyCFunction_NewEx(&pool_methods[1], NULL, NULL), C_CALL | C_COUNTED);
    add(PyModule_New("fuzzmod_m"), C_MODULE | C_COUNTED);
    static char capsule_target[8];
    add(PyCapsule_New(capsule_target, "fuzzmod.cap", NULL), C_CAPSULE | C_COUNTED);
    {
        PyObject *l = Py_BuildValue("[iii]", 4, 5, 6);
        add(l ? PyObject_GetIter(l) : NULL, C_ITER | C_COUNTED);
        Py_XDECREF(l);
        PyObject *t = Py_BuildValue("(ss)", "p", "q");
        add(t ? PyObject_GetIter(t) : NULL, C_ITER | C_COUNTED);
        Py_XDECREF(t);
    }
    add(PyMemoryView_FromObject(pool[i_bytes]), C_MEMVIEW | C_COUNTED);
    add(PyUnicodeDecodeError_Create("utf-8", "ab\xff", 3, 2, 3, "invalid start byte"), C_EXC | C_UNIERR | C_COUNTED);
    add(PyObject_CallFunction(PyExc_UnicodeEncodeError, "sOnns", "ascii", pool[i_str], (Py_ssize_t)1, (Py_ssize_t)2, "not ascii"), C_EXC | C_UNIERR | C_COUNTED);
    add(PyFloat_GetInfo(), C_STRUCTSEQ | C_TUPLE | C_COUNTED);
    (void)module;
    PyErr_Clear();
}

/* Objects of category mask `hint` (cached per mask). */
#define NHINT 64
static unsigned hint_mask[NHINT];
static int hint_n[NHINT];
static unsigned char hint_idx[NHINT][MAXPOOL];
static int nhints;

static int pick_hinted(unsigned hint) {
    int h;
    for (h = 0; h < nhints; h++)
        if (hint_mask[h] == hint) break;
    if (h == nhints) {
        if (nhints == NHINT) return -1;
        hint_mask[h] = hint;
        hint_n[h] = 0;
        for (int k = 0; k < npool; k++)
            if (cats[k] & hint) hint_idx[h][hint_n[h]++] = (unsigned char)k;
        nhints++;
    }
    if (!hint_n[h]) return -1;
    return hint_idx[h][rnd((unsigned)hint_n[h])];
}

/* ---------------------------------------------------------------- argument values */

static const long long V_SSIZE[] = {0, 1, 2, 3, -1, -2, 7, 100, 1LL << 62, PY_SSIZE_T_MAX, PY_SSIZE_T_MIN};
static const long long V_INT[] = {0, 1, -1, 2, 3, 4, 5, 6, 10, 16, 36, 37, 256, INT_MAX, INT_MIN};
static const long long V_LONG[] = {0, 1, -1, 42, 255, LONG_MAX, LONG_MIN, 1LL << 40};
static const unsigned long long V_UNSIGNED[] = {0, 1, 42, 255, ULONG_MAX, 1ULL << 40};
static const double V_DOUBLE[] = {0.0, -0.0, 1.5, -2.5, NAN, INFINITY, -INFINITY, 1e308, 5e-324, 3.0};
static const char *const V_STR[] = {
    "", "abc", "h\xc3\xa9llo", "\xe6\x97\xa5\xe6\x9c\xac", "\xff\xfe invalid", "__dict__",
    "append", "strict", "utf-8", "ascii", "ignore", "replace", "123", " 1.5 ", "x", "__class__",
    "latin-1", "fuzzmod.Err", "a.b", "0x1f", "__name__", "surrogateescape", "keys", "\xc3"};
static const long long V_CHAR[] = {'C', 'F', 'A', 'x', 0};
static const long long V_UCS4[] = {0x41, 0xe9, 0x65e5, 0x1F600, 0x110000, 0};
#define NV(a) ((unsigned)(sizeof a / sizeof *a))

/* ---------------------------------------------------------------- exclusions and selection */

typedef struct excl {
    char mask[12];
    char cat[12];
    struct excl *next;
} excl;
static excl *excluded[FZ_NFUNC];
static unsigned char *only; /* when set, calls whose index is not marked are skipped */
static long only_len;

static int find_fn(const char *name) {
    for (int k = 0; k < FZ_NFUNC; k++)
        if (!strcmp(FZ_TABLE[k].name, name)) return k;
    return -1;
}

static void load_exclusions(const char *path) {
    FILE *f = path ? fopen(path, "r") : NULL;
    if (!f) return;
    char line[256], name[128], mask[64], cat[64];
    while (fgets(line, sizeof line, f)) {
        if (sscanf(line, "%127s %63s %63s", name, mask, cat) != 3) continue;
        int k = find_fn(name);
        if (k < 0) continue;
        excl *e = calloc(1, sizeof *e);
        snprintf(e->mask, sizeof e->mask, "%s", mask);
        snprintf(e->cat, sizeof e->cat, "%s", cat);
        e->next = excluded[k];
        excluded[k] = e;
    }
    fclose(f);
}

static void load_only(const char *path) {
    FILE *f = path ? fopen(path, "r") : NULL;
    if (!f) return;
    long k;
    only_len = 1 << 24;
    only = calloc((size_t)only_len, 1);
    while (fscanf(f, "%ld", &k) == 1)
        if (k >= 0 && k < only_len) only[k] = 1;
    fclose(f);
}

/* Category name of a pool index (for the exclusion key). */
static const char *cat_name(int idx) {
    if (idx < 0) return "null";
    if (idx >= npool) return "result";
    unsigned c = cats[idx];
    static const char *names[] = {"int", "float", "str", "bytes", "bytearray", "tuple", "list",
                                  "dict", "set", "complex", "exc", "type", "exctype", "call",
                                  "module", "capsule", "iter", "slice", "memview", "thing", "bool",
                                  "unicodeerror", "structseq"};
    if (c & C_EXCTYPE) return "exctype";
    if (c & C_BOOL) return "bool";
    for (unsigned b = 0; b < NV(names); b++)
        if (c & (1u << b)) return names[b];
    return "other";
}

/* Shapes (function, NULL mask, first category) already probed (FUZZ_PROBE, CPython only): the
 * first call of each shape runs in a forked child first; if the child dies, the shape is
 * excluded from then on (an `E` line names it) and the call is not made. */
static int probing;
#define NSHAPE (1 << 16)
static uint64_t shapes[NSHAPE];

static uint64_t shape_hash(const char *fn, const char *mask, const char *cat) {
    uint64_t h = 1469598103934665603ull;
    for (const char *p = fn; *p; p++) h = (h ^ (unsigned char)*p) * 1099511628211ull;
    h = (h ^ 1) * 1099511628211ull;
    for (const char *p = mask; *p; p++) h = (h ^ (unsigned char)*p) * 1099511628211ull;
    h = (h ^ 2) * 1099511628211ull;
    for (const char *p = cat; *p; p++) h = (h ^ (unsigned char)*p) * 1099511628211ull;
    return h | 1;
}

/* 1 when the shape is new (and records it). */
static int first_of_shape(uint64_t h) {
    size_t k = (size_t)(h & (NSHAPE - 1));
    for (size_t n = 0; n < NSHAPE; n++, k = (k + 1) & (NSHAPE - 1)) {
        if (shapes[k] == h) return 0;
        if (!shapes[k]) { shapes[k] = h; return 1; }
    }
    return 0;
}

static void add_exclusion(int fidx, const char *mask, const char *cat) {
    excl *e = calloc(1, sizeof *e);
    snprintf(e->mask, sizeof e->mask, "%s", mask);
    snprintf(e->cat, sizeof e->cat, "%s", cat);
    e->next = excluded[fidx];
    excluded[fidx] = e;
}

/* ---------------------------------------------------------------- one call */

static long call_index;
static long n_calls;
static long freed_at = -1;
static PyObject *step_fn;

static PyObject *step(PyObject *self, PyObject *unused) {
    (void)self;
    (void)unused;
    long i = call_index;
    const fz_fn *fn = &FZ_TABLE[rnd(FZ_NFUNC)];
    int nargs = (int)strlen(fn->args);
    fz_val a[8];
    int slot[8];
    memset(a, 0, sizeof a);
    char mask[12];
    const char *cat0 = "-";
    int first_obj = 1;
    sbuf line = {{0}, 0};
    sb_fmt(&line, "%ld %s(", i, fn->name);
    for (int k = 0; k < nargs && k < 8; k++) {
        char kind = fn->args[k];
        slot[k] = -2;
        mask[k] = '.';
        if (k) sb_cat(&line, ",");
        switch (kind) {
        case 'O':
        case 'T': {
            unsigned r = rnd(100);
            int idx;
            if (r < 4) {
                idx = -1;
            } else if (kind == 'T' && (idx = pick_hinted(C_TYPE)) >= 0) {
                /* a PyTypeObject* parameter is cast unchecked by CPython: types only */
            } else if (fn->hint && first_obj && (r < 75 || fn->strict) &&
                       (idx = pick_hinted(fn->hint)) >= 0) {
            } else {
                idx = (int)rnd((unsigned)(npool + NRESULT));
            }
            if (first_obj && i == freed_at && freed_obj) idx = -3;
            PyObject *o = idx == -3 ? freed_obj : idx < 0 ? NULL : idx < npool ? pool[idx] : results[idx - npool];
            a[k].o = o;
            slot[k] = idx;
            if (!o) mask[k] = 'N';
            if (first_obj) cat0 = idx == -3 ? "freed" : o ? cat_name(idx) : "null";
            first_obj = 0;
            if (idx == -3) sb_cat(&line, "freed");
            else if (idx < 0) sb_cat(&line, "NULL");
            else if (idx < npool) sb_fmt(&line, "o%d", idx);
            else sb_fmt(&line, "r%d%s", idx - npool, o ? "" : "=NULL");
            break;
        }
        case 'N':
            if (k > 0 && fn->args[k - 1] == 'S') {
                /* a length following a text argument: never past its end */
                const char *s = a[k - 1].s;
                long long len = s ? (long long)strlen(s) : 0;
                long long opts[] = {len, 0, len > 0 ? len - 1 : 0, -1};
                a[k].i = opts[rnd(s ? 4 : 2) * (s ? 1 : 1)];
                if (!s && a[k].i != 0) a[k].i = -1;
            } else {
                a[k].i = V_SSIZE[rnd(NV(V_SSIZE))];
            }
            sb_fmt(&line, "%lld", a[k].i);
            break;
        case 'I': a[k].i = V_INT[rnd(NV(V_INT))]; sb_fmt(&line, "%lld", a[k].i); break;
        case 'L':
        case 'Q': a[k].i = V_LONG[rnd(NV(V_LONG))]; sb_fmt(&line, "%lld", a[k].i); break;
        case 'U': a[k].u = V_UNSIGNED[rnd(NV(V_UNSIGNED))]; sb_fmt(&line, "%lluu", a[k].u); break;
        case 'D': a[k].d = V_DOUBLE[rnd(NV(V_DOUBLE))]; sb_fmt(&line, "%.17g", a[k].d); break;
        case 'C': a[k].i = V_CHAR[rnd(NV(V_CHAR))]; sb_fmt(&line, "c%lld", a[k].i); break;
        case 'W': a[k].i = V_UCS4[rnd(NV(V_UCS4))]; sb_fmt(&line, "U+%llx", a[k].i); break;
        case 'S': {
            unsigned r = rnd(100);
            a[k].s = r < 4 ? NULL : V_STR[rnd(NV(V_STR))];
            if (!a[k].s) { mask[k] = 'N'; sb_cat(&line, "NULL"); }
            else sb_bytes(&line, a[k].s, (Py_ssize_t)strlen(a[k].s));
            break;
        }
        default:
            sb_cat(&line, "?");
        }
    }
    mask[nargs < 11 ? nargs : 11] = 0;
    if (!nargs) { mask[0] = '-'; mask[1] = 0; }
    sb_cat(&line, ")");

    if (only && (i >= only_len || !only[i])) {
        out_str(line.b, line.n);
        out_str(" -> -\n", 6);
        Py_RETURN_NONE;
    }
    for (excl *e = excluded[fn - FZ_TABLE]; e; e = e->next) {
        if (!strcmp(e->mask, mask) && (!strcmp(e->cat, "*") || !strcmp(e->cat, cat0))) {
            out_str(line.b, line.n);
            out_str(" -> X\n", 6);
            Py_RETURN_NONE;
        }
    }
    /* the key of this call, for the exclusion list when it crashes CPython */
    sb_fmt(&line, " #%s %s", mask, cat0);
    memcpy(cur, line.b, line.n);
    curlen = line.n;
    line.n = (size_t)(strrchr(line.b, '#') - line.b - 1);
    line.b[line.n] = 0;

    if (probing) {
        const char *pcat = strchr(mask, 'N') ? "*" : cat0;
        if (first_of_shape(shape_hash(fn->name, mask, pcat))) {
            out_flush();
            fflush(stdout);
            fflush(stderr);
            pid_t pid = fork();
            if (pid == 0) {
                alarm(10);
                int devnull = open("/dev/null", 1);
                if (devnull >= 0) { dup2(devnull, 1); dup2(devnull, 2); }
                signal(SIGSEGV, SIG_DFL); signal(SIGBUS, SIG_DFL); signal(SIGABRT, SIG_DFL);
                signal(SIGFPE, SIG_DFL); signal(SIGILL, SIG_DFL); signal(SIGALRM, SIG_DFL);
                for (int k = 0; k < nargs; k++)
                    if ((fn->steals >> k) & 1 && a[k].o) Py_INCREF(a[k].o);
                fz_val pr;
                fn->call(a, &pr);
                _exit(0);
            }
            int status = 0;
            if (pid > 0 && waitpid(pid, &status, 0) == pid && WIFSIGNALED(status)) {
                int sig = WTERMSIG(status);
                add_exclusion((int)(fn - FZ_TABLE), mask, pcat);
                char t[300];
                int n = snprintf(t, sizeof t, "E %s %s %s %s %s\n", fn->name, mask, pcat,
                                 sig == SIGALRM ? "HANG" : "CRASH", line.b);
                out_str(t, (size_t)n);
                out_str(line.b, line.n);
                out_str(" -> X\n", 6);
                Py_RETURN_NONE;
            }
        }
    }
    for (int k = 0; k < nargs; k++)
        if ((fn->steals >> k) & 1 && a[k].o) Py_INCREF(a[k].o);
    fz_val r;
    r.u = 0;
    PyErr_Clear();
    fn->call(a, &r);
    int failed = 0;
    sbuf res = {{0}, 0};
    sb_cat(&res, " -> ");
    switch (fn->ret) {
    case 'O':
        if (!r.o) {
            failed = 1;
            if (PyErr_Occurred()) render_exc(&res);
            else sb_cat(&res, "NULL-noexc");
        } else {
            if (fn->borrowed) Py_INCREF(r.o);
            if (PyErr_Occurred()) {
                PyObject *t, *v, *tb;
                PyErr_Fetch(&t, &v, &tb);
                sb_cat(&res, fn->unstable ? "" : "");
                if (fn->unstable) { sb_cat(&res, "<"); type_name(&res, (PyObject *)Py_TYPE(r.o)); sb_cat(&res, ">"); }
                else render(&res, r.o, 0);
                PyErr_Restore(t, v, tb);
                sb_cat(&res, " ");
                render_exc(&res);
            } else if (fn->unstable) {
                sb_cat(&res, "<");
                type_name(&res, (PyObject *)Py_TYPE(r.o));
                sb_cat(&res, ">");
            } else {
                render(&res, r.o, 0);
            }
            int s = (int)(i % NRESULT);
            Py_XDECREF(results[s]);
            results[s] = r.o;
        }
        break;
    case 'i': sb_fmt(&res, "%lld", r.i); failed = r.i == -1; break;
    case 'u': sb_fmt(&res, "%lluu", r.u); break;
    case 'h': sb_cat(&res, r.i == -1 ? "-1" : "hash"); failed = r.i == -1; break;
    case 'd': sb_fmt(&res, "%.17g", r.d); failed = r.d == -1.0; break;
    case 's':
        if (!r.s) { sb_cat(&res, "NULL"); failed = 1; }
        else if (fn->unstable) sb_cat(&res, "text");
        else sb_bytes(&res, r.s, (Py_ssize_t)strlen(r.s));
        break;
    case 'p': sb_cat(&res, r.p ? "ptr" : "NULL"); failed = !r.p; break;
    default: sb_cat(&res, "void");
    }
    if (fn->ret != 'O' && PyErr_Occurred()) {
        sb_cat(&res, " ");
        render_exc(&res);
    }
    if (fn->steal_on_success && failed)
        for (int k = 0; k < nargs; k++)
            if ((fn->steals >> k) & 1 && a[k].o) Py_DECREF(a[k].o);
    PyErr_Clear();
    sb_cat(&res, "\n");
    /* `cur` keeps this call: a crash before the next call starts is its consequence */
    out_str(line.b, line.n);
    out_str(res.b, res.n);
    Py_RETURN_NONE;
}

/* ---------------------------------------------------------------- the batch */

static PyObject *test_fuzz(PyObject *self, PyObject *unused) {
    (void)unused;
    const char *seed_s = getenv("FUZZ_SEED"), *calls_s = getenv("FUZZ_CALLS");
    const char *log = getenv("FUZZ_LOG");
    if (log) {
        FILE *f = fopen(log, "w");
        if (!f) return PyErr_Format(PyExc_OSError, "cannot open FUZZ_LOG %s", log);
        out_fd = dup(fileno(f));
        fclose(f);
    }
    signal(SIGSEGV, on_fatal);
    signal(SIGBUS, on_fatal);
    signal(SIGABRT, on_fatal);
    signal(SIGFPE, on_fatal);
    signal(SIGILL, on_fatal);
    signal(SIGALRM, on_fatal);
    if (getenv("FUZZ_TIMEOUT")) alarm((unsigned)atoi(getenv("FUZZ_TIMEOUT")));
    unsigned long long seed = seed_s ? strtoull(seed_s, NULL, 10) : 1;
    n_calls = calls_s ? atol(calls_s) : 1000;
    probing = getenv("FUZZ_PROBE") != NULL;
    if (getenv("FUZZ_FREED")) freed_at = atol(getenv("FUZZ_FREED"));
    load_exclusions(getenv("FUZZ_EXCLUDE"));
    load_only(getenv("FUZZ_ONLY"));
    rng = seed * 0x2545F4914F6CDD1Dull + 1;

    build_pool(self);
    for (int k = 0; k < npool; k++) {
        sbuf s = {{0}, 0};
        sb_fmt(&s, "P%d ", k);
        render(&s, pool[k], 0);
        if (!pool[k] && pool_err[k]) sb_cat(&s, pool_err[k]);
        sb_cat(&s, "\n");
        out_str(s.b, s.n);
        rc0[k] = pool[k] ? Py_REFCNT(pool[k]) : 0;
    }
    if (freed_at >= 0) {
        freed_obj = PyList_New(0);
        Py_XDECREF(freed_obj); /* released: passing it again is use after free */
    }
    out_flush();
    step_fn = PyObject_GetAttrString(self, "_step");
    if (!step_fn) return NULL;
    for (call_index = 0; call_index < n_calls; call_index++) {
        PyObject *r = PyObject_CallNoArgs(step_fn);
        if (!r) {
            sbuf s = {{0}, 0};
            sb_fmt(&s, "%ld step raised ", call_index);
            render_exc(&s);
            sb_cat(&s, "\n");
            out_str(s.b, s.n);
        }
        Py_XDECREF(r);
    }
    Py_CLEAR(step_fn);
    for (int k = 0; k < NRESULT; k++) Py_CLEAR(results[k]);
    PyErr_Clear();
    /* Reference counts: the change since the pool was built, for counted heap objects. */
    for (int k = 0; k < npool; k++) {
        if (!pool[k] || !(cats[k] & C_COUNTED)) continue;
        char t[64];
        int n = snprintf(t, sizeof t, "R%d %+zd\n", k, Py_REFCNT(pool[k]) - rc0[k]);
        out_str(t, (size_t)n);
    }
    PyGC_Collect();
    for (int k = 0; k < npool; k++) Py_CLEAR(pool[k]);
    PyGC_Collect();
    PyErr_Clear();
    out_str("END\n", 4);
    out_flush();
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"test_fuzz", test_fuzz, METH_NOARGS, NULL},
    {"_step", step, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};
static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "fuzzmod", NULL, -1, methods};
PyMODINIT_FUNC PyInit_fuzzmod(void) { return PyModule_Create(&module); }
