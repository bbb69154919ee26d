/* Threads created by C (pthread_create) that call the API while collections stop the world:
 * each thread allocates, shares and drops objects; the main thread waits outside the runtime
 * (Py_BEGIN_ALLOW_THREADS). Checks exact reference counts of the shared objects, every value
 * read back, a bounded heap and no deferred collection. Skipped (passes trivially) where the
 * runtime allows one thread only (pyopaque's `classic`). Builds against CPython too. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <pthread.h>
#include <string.h>
#include "testing.h"

#define NTHREADS 2

static int threads_allowed(void) {
#ifdef PYOPAQUE
    return PyOpaque_ThreadsAllowed();
#else
    return 1;
#endif
}

static long long deferred_collections(void) {
#ifdef PYOPAQUE
    PyObject *t = PyOpaque_ThreadStats();
    if (!t) return -1;
    long long d = PyLong_AsLongLong(PyTuple_GetItem(t, 1));
    Py_DECREF(t);
    return d;
#else
    return 0;
#endif
}

/* Shared, read-only while the workers run. */
static PyObject *shared_list, *shared_dict, *shared_str;

struct work {
    int id;
    int rounds;
    const char *error; /* NULL when every check passed */
};

#define CHECK(cond)                                                                      \
    do {                                                                                 \
        if (!(cond)) {                                                                   \
            w->error = #cond;                                                            \
            goto out;                                                                    \
        }                                                                                \
    } while (0)

static void *worker(void *arg) {
    struct work *w = arg;
    PyGILState_STATE g = PyGILState_Ensure();
    for (int r = 0; r < w->rounds; r++) {
        PyObject *mine = PyList_New(0);
        CHECK(mine != NULL);
        for (int i = 0; i < 12; i++) {
            PyObject *v = (i % 3 == 0)   ? PyLong_FromLong(1000000L * w->id + 1000L * r + i)
                          : (i % 3 == 1) ? PyFloat_FromDouble(w->id + r * 0.5 + i)
                                         : PyUnicode_FromFormat("t%d-r%d-i%d", w->id, r, i);
            CHECK(v != NULL);
            CHECK(PyList_Append(mine, v) == 0);
            Py_DECREF(v);
        }
        /* Read the shared objects while other threads allocate (and collect). */
        for (Py_ssize_t i = 0; i < PyList_Size(shared_list); i++) {
            PyObject *e = PyList_GetItem(shared_list, i);
            CHECK(e != NULL && PyLong_AsLong(e) == 7 * i);
        }
        PyObject *dv = PyDict_GetItemString(shared_dict, "answer");
        CHECK(dv != NULL && PyLong_AsLong(dv) == 42);
        CHECK(strcmp(PyUnicode_AsUTF8(shared_str), "shared text") == 0);
        /* Our own objects survived every collection. */
        for (int i = 0; i < 12; i++) {
            PyObject *e = PyList_GetItem(mine, i);
            CHECK(e != NULL);
            if (i % 3 == 0) {
                CHECK(PyLong_AsLong(e) == 1000000L * w->id + 1000L * r + i);
            } else if (i % 3 == 1) {
                CHECK(PyFloat_AsDouble(e) == w->id + r * 0.5 + i);
            } else {
                PyObject *s = PyUnicode_FromFormat("t%d-r%d-i%d", w->id, r, i);
                CHECK(s != NULL);
                int same = PyUnicode_Compare(e, s) == 0;
                Py_DECREF(s);
                CHECK(same);
            }
        }
        /* Hand one object to the shared pool and take it back: counts by two threads. */
        Py_INCREF(shared_str);
        Py_DECREF(shared_str);
        Py_DECREF(mine);
        /* A collection started by this thread stops the others. */
        if (r % 2 == 1) PyGC_Collect();
    }
out:
    if (PyErr_Occurred()) PyErr_Clear();
    PyGILState_Release(g);
    return NULL;
}

static PyObject *run_workers(int rounds) {
    pthread_t t[NTHREADS];
    struct work w[NTHREADS];
    int started = 0;
    Py_BEGIN_ALLOW_THREADS
    for (int i = 0; i < NTHREADS; i++) {
        w[i].id = i + 1;
        w[i].rounds = rounds;
        w[i].error = NULL;
        if (pthread_create(&t[i], NULL, worker, &w[i]) != 0) break;
        started++;
    }
    for (int i = 0; i < started; i++) pthread_join(t[i], NULL);
    Py_END_ALLOW_THREADS
    ASSERT(started == NTHREADS);
    for (int i = 0; i < NTHREADS; i++) {
        if (w[i].error) {
            PyErr_Format(PyExc_AssertionError, "worker %d: %s", w[i].id, w[i].error);
            return NULL;
        }
    }
    Py_RETURN_NONE;
}

TEST(test_threads_allocate_share_drop) {
    if (!threads_allowed()) Py_RETURN_NONE;
    shared_list = PyList_New(0);
    ASSERT(shared_list != NULL);
    for (long i = 0; i < 16; i++) {
        PyObject *v = PyLong_FromLong(7 * i);
        ASSERT(v && PyList_Append(shared_list, v) == 0);
        Py_DECREF(v);
    }
    shared_dict = PyDict_New();
    ASSERT(shared_dict != NULL);
    PyObject *answer = PyLong_FromLong(42);
    ASSERT(answer && PyDict_SetItemString(shared_dict, "answer", answer) == 0);
    Py_DECREF(answer);
    shared_str = PyUnicode_FromString("shared text");
    ASSERT(shared_str != NULL);
    Py_ssize_t list_rc = Py_REFCNT(shared_list), dict_rc = Py_REFCNT(shared_dict);
    Py_ssize_t str_rc = Py_REFCNT(shared_str);
#ifdef PYOPAQUE
    double bytes_before = PyOpaque_AllocatedBytes();
#endif
    PyObject *r = run_workers(2);
    if (!r) return NULL;
    Py_DECREF(r);
    /* Nothing freed early, nothing leaked: the shared objects' counts are back where they were. */
    ASSERT(Py_REFCNT(shared_list) == list_rc);
    ASSERT(Py_REFCNT(shared_dict) == dict_rc);
    ASSERT(Py_REFCNT(shared_str) == str_rc);
    ASSERT(PyList_Size(shared_list) == 16);
    ASSERT(PyLong_AsLong(PyList_GetItem(shared_list, 15)) == 105);
#ifdef PYOPAQUE
    /* The workers' garbage was reclaimed: after a second, longer run (2 threads x 4
     * rounds x 12 objects, some 10 KB) and a collection, the heap holds what it held before. */
    r = run_workers(4);
    if (!r) return NULL;
    Py_DECREF(r);
    PyGC_Collect();
    ASSERT(PyOpaque_AllocatedBytes() - bytes_before < 8.0 * 1024);
    PyObject *st = PyOpaque_ThreadStats();
    ASSERT(st != NULL);
    long long stops = PyLong_AsLongLong(PyTuple_GetItem(st, 2));
    Py_DECREF(st);
    ASSERT(stops > 0); /* some collection stopped another thread */
#endif
    ASSERT(deferred_collections() == 0);
    Py_CLEAR(shared_list);
    Py_CLEAR(shared_dict);
    Py_CLEAR(shared_str);
    Py_RETURN_NONE;
}

/* A thread created with PyThread_start_new_thread and one created with pthread_create, both
 * calling the API while the creating thread sits in PyEval_SaveThread. */
static PyThread_type_lock done;
static volatile long thread_sum;

static void started_thread(void *arg) {
    PyGILState_STATE g = PyGILState_Ensure();
    long s = 0;
    for (long i = 0; i < 200; i++) {
        PyObject *v = PyLong_FromLong(i * 1000003L);
        PyObject *t = PyTuple_Pack(2, v, v);
        s += PyLong_AsLong(PyTuple_GetItem(t, 1)) == i * 1000003L;
        Py_DECREF(t);
        Py_DECREF(v);
    }
    thread_sum = s;
    PyGILState_Release(g);
    PyThread_release_lock(done);
}

TEST(test_save_thread_while_other_threads_run) {
    if (!threads_allowed()) Py_RETURN_NONE;
    done = PyThread_allocate_lock();
    ASSERT(done != NULL);
    PyThread_acquire_lock(done, WAIT_LOCK);
    thread_sum = 0;
    ASSERT(PyThread_start_new_thread(started_thread, NULL) != (unsigned long)-1);
    PyThreadState *ts = PyEval_SaveThread();
    PyThread_acquire_lock(done, WAIT_LOCK); /* blocked outside the runtime */
    PyEval_RestoreThread(ts);
    PyThread_release_lock(done);
    PyThread_free_lock(done);
    ASSERT(thread_sum == 200);
    ASSERT(PyGILState_GetThisThreadState() == ts);
    ASSERT(deferred_collections() == 0);
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    DEF(test_threads_allocate_share_drop),
    DEF(test_save_thread_while_other_threads_run),
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "ext_threads_stw", NULL, -1, methods};

PyMODINIT_FUNC PyInit_ext_threads_stw(void) { return PyModule_Create(&module); }
