/* C loops for benches/capi.rs (criterion): the C-level cost of single C API operations, driven
 * from C. Built two ways from this one file: against pyopaque's headers (dlopen'd into the bench
 * process after libpyopaque_capi.so) and against CPython's (imported by python3 as the module
 * `bench_loops`, whose run(name, n) returns ns per operation), so the figures compare the same
 * machine code paths on both sides.
 *
 * Each loop_* function runs `n` operations and returns the elapsed nanoseconds measured inside C
 * with a monotonic clock (set-up outside the timer). */
#include <Python.h>
#include <string.h>
#include <time.h>

static double now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* Py_INCREF + Py_DECREF of one float (a function call each under pyopaque, inline in CPython). */
double loop_incref_decref(long n) {
    PyObject *o = PyFloat_FromDouble(1.5);
    if (!o) return -1;
    double t0 = now_ns();
    for (long i = 0; i < n; i++) {
        Py_INCREF(o);
        Py_DECREF(o);
    }
    double t = now_ns() - t0;
    Py_DECREF(o);
    return t;
}

/* PyLong_FromLong of a small value + Py_DECREF. */
double loop_long_fromlong(long n) {
    double t0 = now_ns();
    for (long i = 0; i < n; i++) {
        PyObject *v = PyLong_FromLong(1000 + (i & 1023));
        if (!v) return -1;
        Py_DECREF(v);
    }
    return now_ns() - t0;
}

/* PyList_Append of an int (created before the timer), in chunks of 100,000 elements (the list
 * is dropped and recreated between chunks, outside the timer). */
double loop_list_append(long n) {
    enum { CHUNK = 100000 };
    PyObject *v = PyLong_FromLong(12345);
    if (!v) return -1;
    double t = 0;
    while (n > 0) {
        long k = n < CHUNK ? n : CHUNK;
        PyObject *l = PyList_New(0);
        if (!l) return -1;
        double t0 = now_ns();
        for (long i = 0; i < k; i++) {
            if (PyList_Append(l, v) < 0) return -1;
        }
        t += now_ns() - t0;
        Py_DECREF(l);
        n -= k;
    }
    Py_DECREF(v);
    return t;
}

/* The PyList_GetItem + PyLong_AsLong sum loop over a 1,000-int list (built outside the timer). */
double loop_getitem_sum(long n) {
    enum { LEN = 1000 };
    PyObject *l = PyList_New(0);
    if (!l) return -1;
    for (long i = 0; i < LEN; i++) {
        PyObject *v = PyLong_FromLong(i * 7 + 1000);
        if (!v || PyList_Append(l, v) < 0) return -1;
        Py_DECREF(v);
    }
    long long sum = 0;
    double t0 = now_ns();
    long done = 0;
    while (done < n) {
        long k = n - done < LEN ? n - done : LEN;
        for (long i = 0; i < k; i++) sum += PyLong_AsLong(PyList_GetItem(l, i));
        done += k;
    }
    double t = now_ns() - t0;
    Py_DECREF(l);
    if (sum < 0) return -1;
    return t;
}

/* ---- the CPython side: an extension module exposing run(name, n) -> ns per operation ---- */
static PyObject *run(PyObject *m, PyObject *args) {
    const char *name;
    long n;
    if (!PyArg_ParseTuple(args, "sl", &name, &n)) return NULL;
    double t;
    if (!strcmp(name, "incref_decref")) t = loop_incref_decref(n);
    else if (!strcmp(name, "long_fromlong")) t = loop_long_fromlong(n);
    else if (!strcmp(name, "list_append")) t = loop_list_append(n);
    else if (!strcmp(name, "getitem_sum")) t = loop_getitem_sum(n);
    else {
        PyErr_SetString(PyExc_ValueError, "unknown loop");
        return NULL;
    }
    if (t < 0) {
        if (!PyErr_Occurred()) PyErr_SetString(PyExc_RuntimeError, "loop failed");
        return NULL;
    }
    return PyFloat_FromDouble(t / (double)n);
}

static PyMethodDef methods[] = {
    {"run", run, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef moddef = {
    PyModuleDef_HEAD_INIT, "bench_loops", "C API loops for benches/capi.rs", -1, methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit_bench_loops(void) { return PyModule_Create(&moddef); }
