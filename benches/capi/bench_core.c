/* C API workloads measured by `pyopaque report`, built three ways from this one file: against
 * pyopaque's headers (loaded by pyopaque), CPython's (imported by python3) and PyPy's (imported by
 * pypy3). Each bench_* function times its own loop with a monotonic clock, inside C, and returns
 * nanoseconds per operation as a float, so interpreter start-up and call overhead are excluded.
 * mem_* functions return bytes per element measured two ways: the process's resident-set delta (the
 * same method in every runtime) and the allocator's bytes (pyopaque's own count; tracemalloc's
 * under CPython). */
#include <Python.h>
#include <stdlib.h>
#include <stdio.h>
#include <time.h>
#include <string.h>

static double now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* Sizes scale with PYOPAQUE_BENCH_SCALE (report --quick uses 0.1). */
static Py_ssize_t scaled(Py_ssize_t n) {
    const char *s = getenv("PYOPAQUE_BENCH_SCALE");
    double f = s ? atof(s) : 1.0;
    if (f <= 0) f = 1.0;
    Py_ssize_t r = (Py_ssize_t)((double)n * f);
    return r < 1000 ? 1000 : r;
}

static PyObject *fail(const char *what) {
    if (!PyErr_Occurred()) PyErr_Format(PyExc_RuntimeError, "benchmark failed: %s", what);
    return NULL;
}

static PyObject *bench_incref_decref(PyObject *m, PyObject *unused) {
    Py_ssize_t n = scaled(20000000);
    PyObject *o = PyFloat_FromDouble(1.5);
    if (!o) return NULL;
    double t0 = now_ns();
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_INCREF(o);
        Py_DECREF(o);
    }
    double t = now_ns() - t0;
    Py_DECREF(o);
    return PyFloat_FromDouble(t / (double)n);
}

static PyObject *long_loop(long base, Py_ssize_t n) {
    double t0 = now_ns();
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *v = PyLong_FromLong(base + (long)(i & 127));
        if (!v) return fail("PyLong_FromLong");
        Py_DECREF(v);
    }
    return PyFloat_FromDouble((now_ns() - t0) / (double)n);
}

static PyObject *bench_long_small(PyObject *m, PyObject *unused) {
    return long_loop(0, scaled(10000000));
}

static PyObject *bench_long_large(PyObject *m, PyObject *unused) {
    return long_loop(1L << 40, scaled(10000000));
}

static PyObject *build_int_list(Py_ssize_t n) {
    PyObject *list = PyList_New(0);
    if (!list) return NULL;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *v = PyLong_FromLong((long)i * 7 + 1000);
        if (!v || PyList_Append(list, v) < 0) {
            Py_XDECREF(v);
            Py_DECREF(list);
            return NULL;
        }
        Py_DECREF(v);
    }
    return list;
}

static PyObject *bench_list_append(PyObject *m, PyObject *unused) {
    Py_ssize_t n = scaled(1000000);
    double t0 = now_ns();
    PyObject *list = build_int_list(n);
    double t = now_ns() - t0;
    if (!list) return NULL;
    Py_DECREF(list);
    return PyFloat_FromDouble(t / (double)n);
}

static PyObject *bench_list_getitem_sum(PyObject *m, PyObject *unused) {
    Py_ssize_t n = scaled(1000000);
    PyObject *list = build_int_list(n);
    if (!list) return NULL;
    double t0 = now_ns();
    long long sum = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *v = PyList_GetItem(list, i);
        if (!v) { Py_DECREF(list); return NULL; }
        sum += PyLong_AsLong(v);
    }
    double t = now_ns() - t0;
    Py_DECREF(list);
    if (sum != (long long)n * (n - 1) / 2 * 7 + 1000LL * n) return fail("wrong sum");
    return PyFloat_FromDouble(t / (double)n);
}

static PyObject *bench_fast_items_sum(PyObject *m, PyObject *unused) {
    Py_ssize_t n = scaled(1000000);
    PyObject *list = build_int_list(n);
    if (!list) return NULL;
    double t0 = now_ns();
    PyObject *fast = PySequence_Fast(list, "not a sequence");
    if (!fast) { Py_DECREF(list); return NULL; }
    PyObject **items = PySequence_Fast_ITEMS(fast);
    Py_ssize_t len = PySequence_Fast_GET_SIZE(fast);
    long long sum = 0;
    for (Py_ssize_t i = 0; i < len; i++) sum += PyLong_AsLong(items[i]);
    double t = now_ns() - t0;
    Py_DECREF(fast);
    Py_DECREF(list);
    if (sum != (long long)n * (n - 1) / 2 * 7 + 1000LL * n) return fail("wrong sum");
    return PyFloat_FromDouble(t / (double)n);
}

static PyObject *bench_tuple2(PyObject *m, PyObject *unused) {
    Py_ssize_t n = scaled(5000000);
    PyObject *a = PyLong_FromLong(1 << 20), *b = PyFloat_FromDouble(2.5);
    if (!a || !b) return NULL;
    double t0 = now_ns();
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *t = PyTuple_Pack(2, a, b);
        if (!t) return NULL;
        Py_DECREF(t);
    }
    double t = now_ns() - t0;
    Py_DECREF(a);
    Py_DECREF(b);
    return PyFloat_FromDouble(t / (double)n);
}

static PyObject *bench_dict_setget(PyObject *m, PyObject *unused) {
    Py_ssize_t n = scaled(100000);
    PyObject *d = PyDict_New();
    if (!d) return NULL;
    double t0 = now_ns();
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *k = PyLong_FromSsize_t(i * 31);
        if (!k || PyDict_SetItem(d, k, k) < 0) return fail("PyDict_SetItem");
        Py_DECREF(k);
    }
    long long sum = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *k = PyLong_FromSsize_t(i * 31);
        PyObject *v = PyDict_GetItem(d, k);
        Py_DECREF(k);
        if (!v) return fail("PyDict_GetItem");
        sum += PyLong_AsLong(v);
    }
    double t = now_ns() - t0;
    Py_DECREF(d);
    if (sum != 31LL * n * (n - 1) / 2) return fail("wrong dict sum");
    return PyFloat_FromDouble(t / (double)(2 * n));
}

static PyObject *bench_unicode_format(PyObject *m, PyObject *unused) {
    Py_ssize_t n = scaled(1000000);
    double t0 = now_ns();
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *s = PyUnicode_FromFormat("item-%d-%s", (int)i, "abc");
        if (!s) return NULL;
        Py_DECREF(s);
    }
    return PyFloat_FromDouble((now_ns() - t0) / (double)n);
}

static PyObject *fast_add(PyObject *m, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 2) {
        PyErr_SetString(PyExc_TypeError, "fast_add takes 2 arguments");
        return NULL;
    }
    long a = PyLong_AsLong(args[0]), b = PyLong_AsLong(args[1]);
    if (PyErr_Occurred()) return NULL;
    return PyLong_FromLong(a + b);
}

static PyObject *bench_call_fastcall(PyObject *m, PyObject *unused) {
    Py_ssize_t n = scaled(2000000);
    PyObject *f = PyObject_GetAttrString(m, "fast_add");
    PyObject *one = PyLong_FromLong(1);
    if (!f || !one) return NULL;
    PyObject *acc = PyLong_FromLong(0);
    double t0 = now_ns();
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *r = PyObject_CallFunctionObjArgs(f, acc, one, NULL);
        if (!r) return NULL;
        Py_DECREF(acc);
        acc = r;
    }
    double t = now_ns() - t0;
    long total = PyLong_AsLong(acc);
    Py_DECREF(acc);
    Py_DECREF(one);
    Py_DECREF(f);
    if (total != (long)n) return fail("wrong call total");
    return PyFloat_FromDouble(t / (double)n);
}

/* End to end: serialise a list of small dicts of ints and strings to a JSON string, the way a
 * serialisation extension would (PyDict_Next, type checks, UTF-8 access). ns per dict. */
static int append_raw(char **buf, size_t *len, size_t *cap, const char *s, size_t n) {
    if (*len + n + 1 > *cap) {
        size_t nc = (*cap ? *cap * 2 : 4096);
        while (nc < *len + n + 1) nc *= 2;
        char *nb = realloc(*buf, nc);
        if (!nb) { PyErr_NoMemory(); return -1; }
        *buf = nb;
        *cap = nc;
    }
    memcpy(*buf + *len, s, n);
    *len += n;
    return 0;
}

static int dump(PyObject *o, char **buf, size_t *len, size_t *cap) {
    char tmp[64];
    if (PyLong_Check(o)) {
        int k = snprintf(tmp, sizeof tmp, "%ld", PyLong_AsLong(o));
        return append_raw(buf, len, cap, tmp, (size_t)k);
    }
    if (PyUnicode_Check(o)) {
        Py_ssize_t n;
        const char *s = PyUnicode_AsUTF8AndSize(o, &n);
        if (!s) return -1;
        if (append_raw(buf, len, cap, "\"", 1) < 0) return -1;
        if (append_raw(buf, len, cap, s, (size_t)n) < 0) return -1;
        return append_raw(buf, len, cap, "\"", 1);
    }
    if (PyDict_Check(o)) {
        Py_ssize_t pos = 0;
        PyObject *k, *v;
        int first = 1;
        if (append_raw(buf, len, cap, "{", 1) < 0) return -1;
        while (PyDict_Next(o, &pos, &k, &v)) {
            if (!first && append_raw(buf, len, cap, ", ", 2) < 0) return -1;
            first = 0;
            if (dump(k, buf, len, cap) < 0 || append_raw(buf, len, cap, ": ", 2) < 0) return -1;
            if (dump(v, buf, len, cap) < 0) return -1;
        }
        return append_raw(buf, len, cap, "}", 1);
    }
    if (PyList_Check(o)) {
        if (append_raw(buf, len, cap, "[", 1) < 0) return -1;
        for (Py_ssize_t i = 0; i < PyList_Size(o); i++) {
            if (i && append_raw(buf, len, cap, ", ", 2) < 0) return -1;
            if (dump(PyList_GetItem(o, i), buf, len, cap) < 0) return -1;
        }
        return append_raw(buf, len, cap, "]", 1);
    }
    PyErr_SetString(PyExc_TypeError, "unsupported type");
    return -1;
}

static PyObject *bench_e2e_json(PyObject *m, PyObject *unused) {
    Py_ssize_t n = scaled(100000);
    PyObject *list = PyList_New(0);
    if (!list) return NULL;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *d = Py_BuildValue("{s:n,s:s,s:n}", "id", i, "name", "widget", "score", i * 3);
        if (!d || PyList_Append(list, d) < 0) return fail("build");
        Py_DECREF(d);
    }
    char *buf = NULL;
    size_t len = 0, cap = 0;
    double t0 = now_ns();
    if (dump(list, &buf, &len, &cap) < 0) { free(buf); Py_DECREF(list); return NULL; }
    PyObject *s = PyUnicode_FromStringAndSize(buf, (Py_ssize_t)len);
    double t = now_ns() - t0;
    free(buf);
    Py_DECREF(list);
    if (!s) return NULL;
    Py_DECREF(s);
    return PyFloat_FromDouble(t / (double)n);
}

/* End to end: histogram of a list of floats into 64 bins (PyList_GetItem + PyFloat_AsDouble),
 * ns per element; the list is built with PyFloat_FromDouble + PyList_Append outside the timer. */
static PyObject *bench_e2e_histogram(PyObject *m, PyObject *unused) {
    Py_ssize_t n = scaled(1000000);
    PyObject *list = PyList_New(0);
    if (!list) return NULL;
    unsigned x = 12345;
    for (Py_ssize_t i = 0; i < n; i++) {
        x = x * 1103515245u + 12345u;
        PyObject *f = PyFloat_FromDouble((double)(x >> 8) / 16777216.0);
        if (!f || PyList_Append(list, f) < 0) return fail("build");
        Py_DECREF(f);
    }
    long bins[64] = {0};
    double t0 = now_ns();
    Py_ssize_t len = PyList_Size(list);
    for (Py_ssize_t i = 0; i < len; i++) {
        double v = PyFloat_AsDouble(PyList_GetItem(list, i));
        int b = (int)(v * 64.0);
        bins[b < 0 ? 0 : b > 63 ? 63 : b]++;
    }
    double t = now_ns() - t0;
    Py_DECREF(list);
    long total = 0;
    for (int i = 0; i < 64; i++) total += bins[i];
    if (total != (long)n) return fail("histogram lost elements");
    return PyFloat_FromDouble(t / (double)n);
}

/* Resident set size in bytes (Linux /proc/self/statm). */
static double rss_bytes(void) {
    FILE *f = fopen("/proc/self/statm", "r");
    long pages = 0, resident = 0;
    if (f) {
        if (fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
        fclose(f);
    }
    return (double)resident * 4096.0;
}

/* Bytes the runtime's allocator has handed out: pyopaque's allocator bytes (heap cells, headers
 * included, + off-heap storage); under CPython the bytes tracemalloc traces (requested sizes of
 * every PyMem/PyObject allocation), when the driver started tracing; -1 when neither is
 * available (e.g. PyPy). Read before the resident set so a first import is not in its delta. */
static double alloc_bytes(void) {
#ifdef PYOPAQUE
    return PyOpaque_AllocatedBytes();
#else
    double r = -1.0;
    PyObject *tm = PyImport_ImportModule("tracemalloc");
    if (!tm) { PyErr_Clear(); return r; }
    PyObject *on = PyObject_CallMethod(tm, "is_tracing", NULL);
    if (on && PyObject_IsTrue(on) == 1) {
        PyObject *t = PyObject_CallMethod(tm, "get_traced_memory", NULL);
        if (t && PyTuple_Check(t) && PyTuple_Size(t) == 2) r = PyLong_AsDouble(PyTuple_GetItem(t, 0));
        Py_XDECREF(t);
    }
    Py_XDECREF(on);
    Py_DECREF(tm);
    PyErr_Clear();
    return r;
#endif
}

/* Builds a list of n distinct ints (or floats), measures bytes per element, then reads every
 * element with PyList_GetItem and measures again, both ways: the resident-set delta (the same
 * method in every runtime) and the allocator's bytes (alloc_bytes). Returns (rss_before_touch,
 * rss_after_touch, alloc_before_touch, alloc_after_touch); an allocator figure is -1 when
 * unavailable. */
static PyObject *mem_list(int floats) {
    Py_ssize_t n = scaled(1000000);
    double a0 = alloc_bytes();
    double r0 = rss_bytes();
    PyObject *list = PyList_New(0);
    if (!list) return NULL;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *v = floats ? PyFloat_FromDouble((double)i + 0.5) : PyLong_FromLong((long)i * 3 + 1000);
        if (!v || PyList_Append(list, v) < 0) return fail("build");
        Py_DECREF(v);
    }
    double r1 = rss_bytes();
    double a1 = alloc_bytes();
    double acc = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *v = PyList_GetItem(list, i);
        acc += floats ? PyFloat_AsDouble(v) : (double)PyLong_AsLong(v);
    }
    double r2 = rss_bytes();
    double a2 = alloc_bytes();
    Py_DECREF(list);
    if (acc < 0) return fail("impossible");
    double per = (double)n;
    int have_alloc = a0 >= 0 && a1 >= 0 && a2 >= 0;
    return Py_BuildValue("(dddd)", (r1 - r0) / per, (r2 - r0) / per,
                         have_alloc ? (a1 - a0) / per : -1.0, have_alloc ? (a2 - a0) / per : -1.0);
}

static PyObject *mem_int_list(PyObject *m, PyObject *unused) { return mem_list(0); }
static PyObject *mem_float_list(PyObject *m, PyObject *unused) { return mem_list(1); }

static PyMethodDef methods[] = {
    {"bench_incref_decref", bench_incref_decref, METH_NOARGS, NULL},
    {"bench_long_small", bench_long_small, METH_NOARGS, NULL},
    {"bench_long_large", bench_long_large, METH_NOARGS, NULL},
    {"bench_list_append", bench_list_append, METH_NOARGS, NULL},
    {"bench_list_getitem_sum", bench_list_getitem_sum, METH_NOARGS, NULL},
    {"bench_fast_items_sum", bench_fast_items_sum, METH_NOARGS, NULL},
    {"bench_tuple2", bench_tuple2, METH_NOARGS, NULL},
    {"bench_dict_setget", bench_dict_setget, METH_NOARGS, NULL},
    {"bench_unicode_format", bench_unicode_format, METH_NOARGS, NULL},
    {"bench_call_fastcall", bench_call_fastcall, METH_NOARGS, NULL},
    {"bench_e2e_json", bench_e2e_json, METH_NOARGS, NULL},
    {"bench_e2e_histogram", bench_e2e_histogram, METH_NOARGS, NULL},
    {"mem_int_list", mem_int_list, METH_NOARGS, NULL},
    {"mem_float_list", mem_float_list, METH_NOARGS, NULL},
    {"fast_add", (PyCFunction)(void (*)(void))fast_add, METH_FASTCALL, NULL},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef moddef = {
    PyModuleDef_HEAD_INIT, "bench_core", "C API workloads for pyopaque report", -1, methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit_bench_core(void) { return PyModule_Create(&moddef); }
