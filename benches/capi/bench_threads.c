/* C workloads on 1 and 2 threads (pthread_create), for `pyopaque bench threads` (keys in
 * docs/benchmarks.md). Every workload function runs the same per-thread work on one thread and
 * on two, alternating, and returns (1-thread Mops/s, 2-thread Mops/s): total operations over
 * the wall-clock time from the first worker's start to the last one's end. Workers attach
 * (PyGILState_Ensure and a first call) before a barrier, so attaching is not timed. The
 * creating thread waits in Py_BEGIN_ALLOW_THREADS, as C extensions do under CPython.
 *
 * Scale: PYOPAQUE_BENCH_SCALE multiplies the operation counts (default 1). */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

static double now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static double cpu_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static long scaled(long n) {
    const char *s = getenv("PYOPAQUE_BENCH_SCALE");
    double f = s ? atof(s) : 1.0;
    long v = (long)(n * f);
    return v < 1000 ? 1000 : v;
}

/* Shared objects (created by the calling thread, read or written by the workers). */
static PyObject *shared_dict, *shared_list, *write_dict, *keys[16];

typedef int (*work_fn)(int id, long ops);

struct worker {
    int id;
    long ops;
    work_fn fn;
    pthread_barrier_t *barrier;
    double start, end, cpu;
    int failed;
};

static void *worker_main(void *arg) {
    struct worker *w = arg;
    PyGILState_STATE g = PyGILState_Ensure();
    PyObject *warm = PyLong_FromLong(1L << 40); /* attach + first call before timing */
    Py_XDECREF(warm);
    pthread_barrier_wait(w->barrier);
    w->start = now_ns();
    double c0 = cpu_ns();
    w->failed = w->fn(w->id, w->ops) < 0;
    w->cpu = cpu_ns() - c0;
    w->end = now_ns();
    if (PyErr_Occurred()) PyErr_Clear();
    PyGILState_Release(g);
    return NULL;
}

/* Runs `fn` on `n` threads, `ops` operations each; returns total Mops/s over wall-clock time
 * (or -1), and in *cpu the throughput the threads would reach with a core each: the sum over
 * threads of ops / thread CPU time (on a loaded machine, wall-clock scaling also measures how
 * the scheduler shares the cores; CPU time per operation measures only the work, including
 * spinning and cache-line transfers, but not time spent blocked). */
static double run_on(int n, work_fn fn, long ops, double *cpu) {
    pthread_t t[2];
    struct worker w[2];
    pthread_barrier_t b;
    pthread_barrier_init(&b, NULL, (unsigned)n);
    int failed = 0;
    Py_BEGIN_ALLOW_THREADS
    for (int i = 0; i < n; i++) {
        w[i] = (struct worker){i, ops, fn, &b, 0, 0, 0};
        w[i].cpu = 0;
        pthread_create(&t[i], NULL, worker_main, &w[i]);
    }
    for (int i = 0; i < n; i++) pthread_join(t[i], NULL);
    Py_END_ALLOW_THREADS
    pthread_barrier_destroy(&b);
    double start = w[0].start, end = w[0].end;
    for (int i = 0; i < n; i++) {
        failed |= w[i].failed;
        if (w[i].start < start) start = w[i].start;
        if (w[i].end > end) end = w[i].end;
    }
    if (failed) return -1;
    *cpu = 0;
    for (int i = 0; i < n; i++) *cpu += (double)ops / w[i].cpu * 1e3;
    return (double)ops * n / (end - start) * 1e3;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Medians of 5 alternating (1 thread, 2 threads) measurements, as a tuple (wall 1, wall 2,
 * cpu 1, cpu 2), Mops/s. */
static PyObject *one_vs_two(work_fn fn, long ops) {
    double one[5], two[5], cone[5], ctwo[5];
    for (int r = 0; r < 5; r++) {
        one[r] = run_on(1, fn, ops, &cone[r]);
        two[r] = run_on(2, fn, ops, &ctwo[r]);
        if (one[r] < 0 || two[r] < 0) {
            PyErr_SetString(PyExc_RuntimeError, "a worker failed");
            return NULL;
        }
    }
    qsort(one, 5, sizeof(double), cmp_double);
    qsort(two, 5, sizeof(double), cmp_double);
    qsort(cone, 5, sizeof(double), cmp_double);
    qsort(ctwo, 5, sizeof(double), cmp_double);
    return Py_BuildValue("(dddd)", one[2], two[2], cone[2], ctwo[2]);
}

/* Unshared: each thread boxes floats into its own list (a new list every 1000 elements). */
static int unshared(int id, long ops) {
    PyObject *l = PyList_New(0);
    if (!l) return -1;
    for (long i = 0; i < ops; i++) {
        PyObject *f = PyFloat_FromDouble((double)i + id * 0.5);
        if (!f || PyList_Append(l, f) < 0) return -1;
        Py_DECREF(f);
        if ((i & 1023) == 1023) {
            Py_DECREF(l);
            l = PyList_New(0);
            if (!l) return -1;
        }
    }
    Py_DECREF(l);
    return 0;
}

/* Shared read-mostly: None (Py_INCREF/Py_DECREF + truth test). */
static int shared_none(int id, long ops) {
    long falsy = 0;
    for (long i = 0; i < ops; i++) {
        Py_INCREF(Py_None);
        falsy += PyObject_IsTrue(Py_None) == 0;
        Py_DECREF(Py_None);
    }
    return falsy == ops ? 0 : -1;
}

/* Shared read-mostly: PyDict_GetItem on one dict (str values: borrowed references). */
static int shared_dict_read(int id, long ops) {
    for (long i = 0; i < ops; i++) {
        if (!PyDict_GetItem(shared_dict, keys[i & 15])) return -1;
    }
    return 0;
}

/* Shared read-mostly: PyList_GetItem + PyLong_AsLong on one list of 1024 ints. */
static int shared_list_read(int id, long ops) {
    long long sum = 0;
    for (long i = 0; i < ops; i++) {
        PyObject *v = PyList_GetItem(shared_list, i & 1023);
        if (!v) return -1;
        sum += PyLong_AsLong(v);
    }
    return sum >= 0 ? 0 : -1;
}

/* Contended writes: PyDict_SetItem on one shared dict (16 keys). */
static int contended_write(int id, long ops) {
    for (long i = 0; i < ops; i++) {
        if (PyDict_SetItem(write_dict, keys[i & 15], keys[(i + id) & 15]) < 0) return -1;
    }
    return 0;
}

static int make_shared(void) {
    if (shared_dict) return 0;
    shared_dict = PyDict_New();
    write_dict = PyDict_New();
    shared_list = PyList_New(0);
    if (!shared_dict || !write_dict || !shared_list) return -1;
    for (int k = 0; k < 16; k++) {
        keys[k] = PyLong_FromLong(k * 7919);
        PyObject *v = PyUnicode_FromFormat("value-%d", k);
        if (!keys[k] || !v || PyDict_SetItem(shared_dict, keys[k], v) < 0) return -1;
        Py_DECREF(v);
    }
    for (long i = 0; i < 1024; i++) {
        PyObject *v = PyLong_FromLong(i * 3);
        if (!v || PyList_Append(shared_list, v) < 0) return -1;
        Py_DECREF(v);
    }
    return 0;
}

#define WORKLOAD(name, fn, n)                                                            \
    static PyObject *name(PyObject *m, PyObject *unused) {                               \
        if (make_shared() < 0) return NULL;                                              \
        return one_vs_two(fn, scaled(n));                                                \
    }

WORKLOAD(threads_unshared, unshared, 1000000)
WORKLOAD(threads_shared_none, shared_none, 2000000)
WORKLOAD(threads_shared_dict, shared_dict_read, 2000000)
WORKLOAD(threads_shared_list, shared_list_read, 2000000)
WORKLOAD(threads_contended, contended_write, 1000000)

/* Work that needs the collector under every scheme: each thread keeps a ring of 256 small
 * lists alive (survivors to move) and replaces one per operation (list cells freed by count are
 * reclaimed only by a collection). */
static int list_churn(int id, long ops) {
    PyObject *ring[256] = {0};
    for (long i = 0; i < ops; i++) {
        PyObject *l = PyList_New(0);
        PyObject *f = PyFloat_FromDouble((double)i + id);
        if (!l || !f || PyList_Append(l, f) < 0) return -1;
        Py_DECREF(f);
        Py_XDECREF(ring[i & 255]);
        ring[i & 255] = l;
    }
    for (int k = 0; k < 256; k++) Py_XDECREF(ring[k]);
    return 0;
}

/* Collection pauses with two threads attached: two threads run list_churn (the process runs
 * with a small collection threshold), then the runtime's stop-the-world figures:
 * (collections, deferred, stops, sync ns total, pause ns total, pause ns max). */
static PyObject *threads_pauses(PyObject *m, PyObject *unused) {
    double cpu;
    if (run_on(2, list_churn, scaled(1000000), &cpu) < 0) return NULL;
#ifdef PYOPAQUE
    return PyOpaque_ThreadStats();
#else
    Py_RETURN_NONE;
#endif
}

/* The runtime's stop-the-world figures for the whole process so far (see threads_pauses). */
static PyObject *threads_stats(PyObject *m, PyObject *unused) {
#ifdef PYOPAQUE
    return PyOpaque_ThreadStats();
#else
    Py_RETURN_NONE;
#endif
}

static PyMethodDef methods[] = {
    {"threads_unshared", threads_unshared, METH_NOARGS, NULL},
    {"threads_shared_none", threads_shared_none, METH_NOARGS, NULL},
    {"threads_shared_dict", threads_shared_dict, METH_NOARGS, NULL},
    {"threads_shared_list", threads_shared_list, METH_NOARGS, NULL},
    {"threads_contended", threads_contended, METH_NOARGS, NULL},
    {"threads_pauses", threads_pauses, METH_NOARGS, NULL},
    {"threads_stats", threads_stats, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "bench_threads", NULL, -1, methods};

PyMODINIT_FUNC PyInit_bench_threads(void) { return PyModule_Create(&module); }
