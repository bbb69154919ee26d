/* Critical sections and PyMutex (CPython 3.13+ API) on containers shared by threads created
 * with pthread_create: sections make a sequence of calls atomic, nested sections taken in
 * opposite orders by two threads do not deadlock, PyMutex counts exactly. The threaded parts
 * are skipped where the runtime allows one thread only (pyopaque's `classic`); everything is
 * skipped before CPython 3.13 (no critical sections). */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <pthread.h>
#include "testing.h"

#if defined(PYOPAQUE) || PY_VERSION_HEX >= 0x030D0000
#define HAVE_CS 1
#endif

static int threads_allowed(void) {
#ifdef PYOPAQUE
    return PyOpaque_ThreadsAllowed();
#else
    return 1;
#endif
}

#ifdef HAVE_CS
#define NT 2
#define ITERS 200

static PyObject *shared, *dict_a, *dict_b;
static PyMutex counter_mutex;
static long counter;

struct job {
    int id;
    int failed;
};

static void *append_worker(void *arg) {
    struct job *j = arg;
    PyGILState_STATE g = PyGILState_Ensure();
    PyObject *v = PyLong_FromLong(j->id);
    for (int i = 0; i < ITERS && v; i++) {
        Py_BEGIN_CRITICAL_SECTION(shared);
        Py_ssize_t n = PyList_Size(shared);
        if (PyList_Append(shared, v) < 0 || PyList_Size(shared) != n + 1) j->failed = 1;
        Py_END_CRITICAL_SECTION();
        PyMutex_Lock(&counter_mutex);
        long c = counter;
        counter = c + 1;
        PyMutex_Unlock(&counter_mutex);
    }
    if (!v) j->failed = 1;
    Py_XDECREF(v);
    PyGILState_Release(g);
    return NULL;
}

/* Two dicts, locked in opposite orders by odd and even threads, nested and as a pair. */
static void *two_lock_worker(void *arg) {
    struct job *j = arg;
    PyGILState_STATE g = PyGILState_Ensure();
    PyObject *first = (j->id & 1) ? dict_a : dict_b, *second = (j->id & 1) ? dict_b : dict_a;
    for (int i = 0; i < ITERS; i++) {
        Py_BEGIN_CRITICAL_SECTION(first);
        Py_BEGIN_CRITICAL_SECTION(second);
        /* The innermost section is always held (an outer one may be suspended while the
         * inner one waited, as in CPython): update the inner object. */
        PyObject *n = PyDict_GetItemString(second, "n");
        long v = n ? PyLong_AsLong(n) : -1;
        PyObject *nv = PyLong_FromLong(v + 1);
        if (!nv || PyDict_SetItemString(second, "n", nv) < 0) j->failed = 1;
        Py_XDECREF(nv);
        Py_END_CRITICAL_SECTION();
        Py_END_CRITICAL_SECTION();
        Py_BEGIN_CRITICAL_SECTION2(first, second);
        PyObject *m = PyDict_GetItemString(first, "m");
        long w = m ? PyLong_AsLong(m) : -1;
        PyObject *mv = PyLong_FromLong(w + 1);
        if (!mv || PyDict_SetItemString(first, "m", mv) < 0) j->failed = 1;
        Py_XDECREF(mv);
        Py_END_CRITICAL_SECTION2();
    }
    PyGILState_Release(g);
    return NULL;
}

static int run(void *(*fn)(void *)) {
    pthread_t t[NT];
    struct job jobs[NT];
    int failed = 0;
    Py_BEGIN_ALLOW_THREADS
    for (int i = 0; i < NT; i++) {
        jobs[i].id = i;
        jobs[i].failed = 0;
        pthread_create(&t[i], NULL, fn, &jobs[i]);
    }
    for (int i = 0; i < NT; i++) {
        pthread_join(t[i], NULL);
        failed |= jobs[i].failed;
    }
    Py_END_ALLOW_THREADS
    return failed;
}
#endif

TEST(test_critical_section_single_thread) {
#ifdef HAVE_CS
    PyObject *l = PyList_New(0);
    ASSERT(l != NULL);
    Py_BEGIN_CRITICAL_SECTION(l);
    Py_BEGIN_CRITICAL_SECTION(l); /* nested on the same object: no self-deadlock */
    ASSERT(PyList_Append(l, Py_None) == 0);
    Py_END_CRITICAL_SECTION();
    Py_BEGIN_CRITICAL_SECTION2(l, l); /* the same object twice: one lock */
    ASSERT(PyList_Size(l) == 1);
    Py_END_CRITICAL_SECTION2();
    Py_END_CRITICAL_SECTION();
    PyCriticalSection cs;
    PyCriticalSection_Begin(&cs, NULL); /* NULL locks nothing */
    PyCriticalSection_End(&cs);
    PyMutex m = {0};
    PyMutex_Lock(&m);
#ifdef PYOPAQUE
    ASSERT(PyMutex_IsLocked(&m));
#endif
    PyMutex_Unlock(&m);
#ifdef PYOPAQUE
    ASSERT(!PyMutex_IsLocked(&m));
#endif
    /* The list works normally after every section ended. */
    ASSERT(PyList_Append(l, Py_None) == 0 && PyList_Size(l) == 2);
    Py_DECREF(l);
#endif
    Py_RETURN_NONE;
}

TEST(test_critical_sections_make_calls_atomic) {
#ifdef HAVE_CS
    if (!threads_allowed()) Py_RETURN_NONE;
    shared = PyList_New(0);
    ASSERT(shared != NULL);
    counter = 0;
    int failed = run(append_worker);
    ASSERT(!failed);
    ASSERT(PyList_Size(shared) == NT * ITERS);
    ASSERT(counter == NT * ITERS);
    long sum = 0;
    for (Py_ssize_t i = 0; i < PyList_Size(shared); i++) sum += PyLong_AsLong(PyList_GetItem(shared, i));
    ASSERT(sum == ITERS * (0 + 1));
    Py_CLEAR(shared);
#endif
    Py_RETURN_NONE;
}

TEST(test_opposite_lock_orders_do_not_deadlock) {
#ifdef HAVE_CS
    if (!threads_allowed()) Py_RETURN_NONE;
    dict_a = PyDict_New();
    dict_b = PyDict_New();
    ASSERT(dict_a && dict_b);
    PyObject *zero = PyLong_FromLong(0);
    ASSERT(zero);
    ASSERT(PyDict_SetItemString(dict_a, "n", zero) == 0 && PyDict_SetItemString(dict_b, "n", zero) == 0);
    ASSERT(PyDict_SetItemString(dict_a, "m", zero) == 0 && PyDict_SetItemString(dict_b, "m", zero) == 0);
    Py_DECREF(zero);
    int failed = run(two_lock_worker);
    ASSERT(!failed);
    /* Thread 1 (odd) increments b.n and a.m; thread 0 (even) a.n and b.m. */
    ASSERT(PyLong_AsLong(PyDict_GetItemString(dict_a, "n")) == ITERS);
    ASSERT(PyLong_AsLong(PyDict_GetItemString(dict_b, "n")) == ITERS);
    ASSERT(PyLong_AsLong(PyDict_GetItemString(dict_a, "m")) == ITERS);
    ASSERT(PyLong_AsLong(PyDict_GetItemString(dict_b, "m")) == ITERS);
    Py_CLEAR(dict_a);
    Py_CLEAR(dict_b);
#endif
    Py_RETURN_NONE;
}

/* The abstract protocol on a shared list and dict: one thread changes the list's element kinds
 * (ints, floats, strs, and whole-slice replacement: storage strategy switches) and a dict's
 * keys through PyObject_SetItem/PySequence_SetItem/PyObject_DelItem; the other reads them
 * through PyObject_GetItem/PySequence_GetItem/PySequence_Contains/PyObject_Size. Every read
 * must see a whole object of one of the kinds written. */
#ifdef HAVE_CS
#define NLIST 16
#ifndef ABSTRACT_ITERS
#define ABSTRACT_ITERS 20000
#endif
static PyObject *abstract_list, *abstract_dict;

static void *abstract_worker(void *arg) {
    struct job *j = arg;
    PyGILState_STATE g = PyGILState_Ensure();
    for (int i = 0; i < ABSTRACT_ITERS && !j->failed; i++) {
        Py_ssize_t k = i % NLIST;
        if (j->id == 0) {
            PyObject *v = (i % 3 == 0) ? PyLong_FromLong(i)
                        : (i % 3 == 1) ? PyFloat_FromDouble(i + 0.5)
                                       : PyUnicode_FromFormat("s%d", i);
            PyObject *key = PyLong_FromSsize_t(k);
            if (!v || !key || PyObject_SetItem(abstract_list, key, v) < 0) j->failed = 1;
            if (v && PySequence_SetItem(abstract_list, (k + 1) % NLIST, v) < 0) j->failed = 1;
            if (v && key && PyObject_SetItem(abstract_dict, key, v) < 0) j->failed = 1;
            if (key && (i % 5 == 0) && PyObject_DelItem(abstract_dict, key) < 0) j->failed = 1;
            if (i % 50 == 49) {
                PyObject *ints = PyList_New(NLIST);
                for (Py_ssize_t m = 0; ints && m < NLIST; m++) PyList_SET_ITEM(ints, m, PyLong_FromSsize_t(m));
                PyObject *all = PySlice_New(NULL, NULL, NULL);
                if (!ints || !all || PyObject_SetItem(abstract_list, all, ints) < 0) j->failed = 1;
                Py_XDECREF(ints);
                Py_XDECREF(all);
            }
            Py_XDECREF(v);
            Py_XDECREF(key);
        } else {
            PyObject *key = PyLong_FromSsize_t(k);
            PyObject *v = key ? PyObject_GetItem(abstract_list, key) : NULL;
            if (!v || !(PyLong_Check(v) || PyFloat_Check(v) || PyUnicode_Check(v))) j->failed = 1;
            PyObject *w = PySequence_GetItem(abstract_list, k);
            if (!w || !(PyLong_Check(w) || PyFloat_Check(w) || PyUnicode_Check(w))) j->failed = 1;
            if (v && PySequence_Contains(abstract_list, v) < 0) j->failed = 1;
            if (PyObject_Size(abstract_list) != NLIST) j->failed = 1;
            PyObject *d = key ? PyObject_GetItem(abstract_dict, key) : NULL;
            if (!d) {
                if (PyErr_ExceptionMatches(PyExc_KeyError)) PyErr_Clear();
                else j->failed = 1;
            } else if (!(PyLong_Check(d) || PyFloat_Check(d) || PyUnicode_Check(d))) {
                j->failed = 1;
            }
            if (PyObject_Size(abstract_dict) < 0) j->failed = 1;
            Py_XDECREF(d);
            Py_XDECREF(w);
            Py_XDECREF(v);
            Py_XDECREF(key);
        }
    }
    PyGILState_Release(g);
    return NULL;
}
#endif

TEST(test_abstract_protocol_on_shared_containers) {
#ifdef HAVE_CS
    if (!threads_allowed()) Py_RETURN_NONE;
    abstract_list = PyList_New(NLIST);
    abstract_dict = PyDict_New();
    ASSERT(abstract_list && abstract_dict);
    for (Py_ssize_t m = 0; m < NLIST; m++) PyList_SET_ITEM(abstract_list, m, PyLong_FromSsize_t(m));
    int failed = run(abstract_worker);
    ASSERT(!failed);
    ASSERT(PyObject_Size(abstract_list) == NLIST);
    Py_CLEAR(abstract_list);
    Py_CLEAR(abstract_dict);
#endif
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    DEF(test_critical_section_single_thread),
    DEF(test_critical_sections_make_calls_atomic),
    DEF(test_opposite_lock_orders_do_not_deadlock),
    DEF(test_abstract_protocol_on_shared_containers),
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "ext_threads_cs", NULL, -1, methods};

PyMODINIT_FUNC PyInit_ext_threads_cs(void) { return PyModule_Create(&module); }
