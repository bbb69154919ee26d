/* Threads, locks, TLS, thread/interpreter state, lifecycle, PyOS helpers, capsules, import,
 * PyState, sys. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <unistd.h>
#include <string.h>
#include <errno.h>
#include <signal.h>
#include "testing.h"

PyAPI_FUNC(int) _PyState_AddModule(PyThreadState *, PyObject *, PyModuleDef *);
PyAPI_FUNC(int) _Py_CheckRecursiveCall(PyThreadState *, const char *);

/* ---- locks and threads ---- */

static PyThread_type_lock done_lock;
static volatile int thread_flag;
static volatile unsigned long thread_seen_ident;

static void worker(void *arg) {
    thread_flag = *(int *)arg;
    thread_seen_ident = PyThread_get_thread_ident();
    PyThread_release_lock(done_lock); /* released by another thread than the acquirer */
    PyThread_exit_thread();
}

TEST(test_locks_and_threads) {
    PyThread_init_thread();
    PyThread_type_lock l = PyThread_allocate_lock();
    ASSERT(l != NULL);
    ASSERT(PyThread_acquire_lock(l, WAIT_LOCK) == 1);
    ASSERT(PyThread_acquire_lock(l, NOWAIT_LOCK) == 0); /* error path: already held */
    ASSERT(PyThread_acquire_lock_timed(l, 1000, 0) == PY_LOCK_FAILURE);
    PyThread_release_lock(l);
    ASSERT(PyThread_acquire_lock_timed(l, -1, 0) == PY_LOCK_ACQUIRED);
    PyThread_release_lock(l);
    PyThread_free_lock(l);

    ASSERT(PyThread_get_thread_ident() != 0);
    ASSERT(PyThread_get_thread_ident() == PyThread_get_thread_ident());
#ifdef PY_HAVE_THREAD_NATIVE_ID
    ASSERT(PyThread_get_thread_native_id() != 0);
#endif
    size_t old = PyThread_get_stacksize();
    ASSERT(PyThread_set_stacksize(1) == -1); /* error path: too small */
    ASSERT(PyThread_set_stacksize(0) == 0);
    ASSERT(PyThread_get_stacksize() == 0);
    (void)old;

    done_lock = PyThread_allocate_lock();
    ASSERT(PyThread_acquire_lock(done_lock, WAIT_LOCK) == 1);
    static int value = 7;
    thread_flag = 0;
    unsigned long id = PyThread_start_new_thread(worker, &value);
    ASSERT(id != (unsigned long)-1);
    ASSERT(PyThread_acquire_lock(done_lock, WAIT_LOCK) == 1); /* waits for the worker */
    /* The worker calls PyThread_exit_thread right after releasing the lock: give it time to
     * get there (the coverage record of that call must exist before the process ends). */
    usleep(100000);
    ASSERT(thread_flag == 7);
    ASSERT(thread_seen_ident != PyThread_get_thread_ident());
    PyThread_release_lock(done_lock);
    PyThread_free_lock(done_lock);
    PyObject *info = PyThread_GetInfo();
    ASSERT(info != NULL);
    Py_DECREF(info);
    Py_RETURN_NONE;
}

TEST(test_tss) {
    Py_tss_t *k = PyThread_tss_alloc();
    ASSERT(k != NULL);
    ASSERT(PyThread_tss_is_created(k) == 0);
    ASSERT(PyThread_tss_create(k) == 0);
    ASSERT(PyThread_tss_is_created(k) == 1);
    ASSERT(PyThread_tss_get(k) == NULL);
    static int x;
    ASSERT(PyThread_tss_set(k, &x) == 0);
    ASSERT(PyThread_tss_get(k) == &x);
    PyThread_tss_delete(k);
    ASSERT(PyThread_tss_is_created(k) == 0);
    PyThread_tss_free(k);

    int key = PyThread_create_key();
    ASSERT(key != -1);
    ASSERT(PyThread_get_key_value(key) == NULL);
    ASSERT(PyThread_set_key_value(key, &x) == 0);
    ASSERT(PyThread_get_key_value(key) == &x);
    PyThread_delete_key_value(key);
    ASSERT(PyThread_get_key_value(key) == NULL);
    PyThread_delete_key(key);
    PyThread_ReInitTLS();
    Py_RETURN_NONE;
}

TEST(test_thread_state) {
    PyThreadState *ts = PyThreadState_Get();
    ASSERT(ts != NULL);
    ASSERT(PyGILState_GetThisThreadState() == ts);
    PyGILState_STATE g = PyGILState_Ensure();
    ASSERT(g == PyGILState_LOCKED);
    PyGILState_Release(g);
    PyInterpreterState *is = PyThreadState_GetInterpreter(ts);
    ASSERT(is != NULL && is == PyInterpreterState_Get());
    ASSERT(PyInterpreterState_GetID(is) >= 0);
    (void)PyThreadState_GetID(ts);
    PyObject *d = PyThreadState_GetDict();
    ASSERT(d != NULL && PyDict_Check(d));
    ASSERT(PyThreadState_GetDict() == d);
    PyObject *id = PyInterpreterState_GetDict(is);
    ASSERT(id != NULL && PyDict_Check(id));
    ASSERT(PyInterpreterState_GetID(NULL) == -1); /* error path */
    ASSERT_RAISES(PyExc_RuntimeError);
    PyThreadState *save = PyEval_SaveThread();
    ASSERT(save == ts);
    PyEval_RestoreThread(save);
    Py_BEGIN_ALLOW_THREADS
    Py_END_ALLOW_THREADS
    PyEval_ReleaseThread(ts);
    PyEval_AcquireThread(ts);
    PyEval_InitThreads();
    Py_RETURN_NONE;
}

/* ---- lifecycle ---- */

static int pending_count;
static int pending(void *arg) { pending_count += *(int *)arg; return 0; }
static int pending_fail(void *arg) {
    PyErr_SetString(PyExc_ValueError, "pending failed");
    return -1;
}
static void at_exit_fn(void) {}

TEST(test_lifecycle) {
    ASSERT(Py_IsInitialized());
    Py_Initialize();
    Py_InitializeEx(0);
    ASSERT(Py_GetVersion()[0] == '3');
    ASSERT(strlen(Py_GetPlatform()) > 0);
    ASSERT(Py_GetCompiler() != NULL && Py_GetBuildInfo() != NULL && Py_GetCopyright() != NULL);
#if PY_VERSION_HEX >= 0x030D0000
    ASSERT(Py_IsFinalizing() == 0);
#endif
    ASSERT(Py_AtExit(at_exit_fn) == 0);
    int lim = Py_GetRecursionLimit();
    ASSERT(lim > 0);
    Py_SetRecursionLimit(lim + 1);
    ASSERT(Py_GetRecursionLimit() == lim + 1);
    Py_SetRecursionLimit(lim);
    ASSERT(Py_EnterRecursiveCall(" in test") == 0);
    Py_LeaveRecursiveCall();
    static int one = 1;
    pending_count = 0;
    ASSERT(Py_AddPendingCall(pending, &one) == 0);
    ASSERT(Py_AddPendingCall(pending, &one) == 0);
    ASSERT(Py_MakePendingCalls() == 0);
    ASSERT(pending_count == 2);
    ASSERT(Py_AddPendingCall(pending_fail, NULL) == 0);
    ASSERT(Py_MakePendingCalls() == -1); /* error path */
    ASSERT_RAISES(PyExc_ValueError);
    Py_RETURN_NONE;
}

static int recurse(int n) {
    if (Py_EnterRecursiveCall(" while recursing")) return -1;
    int r = n > 0 ? recurse(n - 1) : 0;
    Py_LeaveRecursiveCall();
    return r;
}

TEST(test_recursion_limit) {
    int lim = Py_GetRecursionLimit();
    Py_SetRecursionLimit(50);
    int r = recurse(10000);
    Py_SetRecursionLimit(lim);
    ASSERT(r == -1);
    ASSERT_RAISES(PyExc_RecursionError);
    ASSERT(recurse(5) == 0);
    Py_RETURN_NONE;
}

/* ---- PyOS ---- */

TEST(test_os_strings) {
    ASSERT(PyOS_mystricmp("Hello", "hELLO") == 0);
    ASSERT(PyOS_mystricmp("a", "b") < 0);
    ASSERT(PyOS_mystrnicmp("abcX", "ABCy", 3) == 0);
    ASSERT(PyOS_mystrnicmp("abcX", "ABCy", 4) != 0);
    char *end;
    ASSERT(PyOS_strtol("  -42xyz", &end, 10) == -42 && strcmp(end, "xyz") == 0);
    ASSERT(PyOS_strtol("0x1f", &end, 0) == 31);
    ASSERT(PyOS_strtoul("0b101", &end, 0) == 5);
    ASSERT(PyOS_strtoul("777", &end, 8) == 511);
    errno = 0;
    ASSERT(PyOS_strtoul("99999999999999999999999", &end, 10) == (unsigned long)-1);
    ASSERT(errno == ERANGE); /* error path: overflow */
    ASSERT(PyOS_strtol("zz", &end, 10) == 0 && strcmp(end, "zz") == 0);

    ASSERT(PyOS_string_to_double("1.5", NULL, NULL) == 1.5);
    ASSERT(PyOS_string_to_double("2.5e3rest", &end, NULL) == 2500.0 && strcmp(end, "rest") == 0);
    ASSERT(PyOS_string_to_double("abc", NULL, NULL) == -1.0);
    ASSERT_RAISES(PyExc_ValueError);
    ASSERT(PyOS_string_to_double("1e999", NULL, PyExc_OverflowError) == -1.0);
    ASSERT_RAISES(PyExc_OverflowError);
    ASSERT(PyOS_string_to_double("1e999", NULL, NULL) > 1e308);

    int type;
    char *s = PyOS_double_to_string(1.5, 'r', 0, 0, &type);
    ASSERT(s && strcmp(s, "1.5") == 0 && type == Py_DTST_FINITE);
    PyMem_Free(s);
    s = PyOS_double_to_string(2.0, 'f', 3, Py_DTSF_SIGN, NULL);
    ASSERT(s && strcmp(s, "+2.000") == 0);
    PyMem_Free(s);
    s = PyOS_double_to_string(3.0, 'g', 12, Py_DTSF_ADD_DOT_0, NULL);
    ASSERT(s && strcmp(s, "3.0") == 0);
    PyMem_Free(s);
    s = PyOS_double_to_string(1e300 * 1e300, 'r', 0, 0, &type);
    ASSERT(s && strcmp(s, "inf") == 0 && type == Py_DTST_INFINITE);
    PyMem_Free(s);
    ASSERT(PyOS_double_to_string(1.0, 'q', 0, 0, NULL) == NULL); /* error path: bad code */
    ASSERT(PyErr_Occurred());
    PyErr_Clear();

    ASSERT(PyOS_InterruptOccurred() == 0);
    PyOS_sighandler_t h = PyOS_getsig(SIGUSR2);
    PyOS_sighandler_t prev = PyOS_setsig(SIGUSR2, SIG_IGN);
    ASSERT(prev == h);
    ASSERT(PyOS_getsig(SIGUSR2) == SIG_IGN);
    PyOS_setsig(SIGUSR2, h);
    PyOS_BeforeFork();
    PyOS_AfterFork_Parent();

    PyObject *p = PyUnicode_FromString("/tmp");
    PyObject *q = PyOS_FSPath(p);
    ASSERT(q == p);
    Py_DECREF(q);
    PyObject *i = PyLong_FromLong(3);
    ASSERT(PyOS_FSPath(i) == NULL); /* error path */
    ASSERT_RAISES(PyExc_TypeError);
    Py_DECREF(i);
    Py_DECREF(p);
    Py_RETURN_NONE;
}

/* ---- capsules ---- */

static int destructor_calls;
static void cap_destructor(PyObject *cap) { destructor_calls++; }

TEST(test_capsule) {
    static int payload = 5, other = 6, ctx = 1;
    PyObject *c = PyCapsule_New(&payload, "ext_b_runtime.cap", NULL);
    ASSERT(c != NULL);
    ASSERT(PyCapsule_CheckExact(c));
    ASSERT(PyCapsule_IsValid(c, "ext_b_runtime.cap") == 1);
    ASSERT(PyCapsule_IsValid(c, "other") == 0);
    ASSERT(PyCapsule_GetPointer(c, "ext_b_runtime.cap") == &payload);
    ASSERT(PyCapsule_GetPointer(c, "wrong") == NULL); /* error path */
    ASSERT_RAISES(PyExc_ValueError);
    ASSERT(strcmp(PyCapsule_GetName(c), "ext_b_runtime.cap") == 0);
    ASSERT(PyCapsule_GetContext(c) == NULL && !PyErr_Occurred());
    ASSERT(PyCapsule_SetContext(c, &ctx) == 0);
    ASSERT(PyCapsule_GetContext(c) == &ctx);
    ASSERT(PyCapsule_GetDestructor(c) == NULL && !PyErr_Occurred());
    ASSERT(PyCapsule_SetDestructor(c, cap_destructor) == 0);
    ASSERT(PyCapsule_GetDestructor(c) == cap_destructor);
    ASSERT(PyCapsule_SetPointer(c, &other) == 0);
    ASSERT(PyCapsule_GetPointer(c, "ext_b_runtime.cap") == &other);
    ASSERT(PyCapsule_SetPointer(c, NULL) == -1); /* error path */
    ASSERT_RAISES(PyExc_ValueError);
    ASSERT(PyCapsule_SetName(c, NULL) == 0);
    ASSERT(PyCapsule_GetName(c) == NULL && !PyErr_Occurred());
    ASSERT(PyCapsule_GetPointer(c, NULL) == &other);
    destructor_calls = 0;
    Py_DECREF(c);
    PyObject *n = PyCapsule_New(NULL, "x", NULL); /* error path */
    ASSERT(n == NULL);
    ASSERT_RAISES(PyExc_ValueError);
    PyObject *i = PyLong_FromLong(1);
    ASSERT(PyCapsule_IsValid(i, NULL) == 0);
    ASSERT(PyCapsule_GetName(i) == NULL);
    ASSERT_RAISES(PyExc_ValueError);
    ASSERT(PyCapsule_GetContext(i) == NULL);
    ASSERT_RAISES(PyExc_ValueError);
    ASSERT(PyCapsule_GetDestructor(i) == NULL);
    ASSERT_RAISES(PyExc_ValueError);
    ASSERT(PyCapsule_SetContext(i, NULL) == -1);
    ASSERT_RAISES(PyExc_ValueError);
    ASSERT(PyCapsule_SetName(i, NULL) == -1);
    ASSERT_RAISES(PyExc_ValueError);
    ASSERT(PyCapsule_SetDestructor(i, NULL) == -1);
    ASSERT_RAISES(PyExc_ValueError);
    Py_DECREF(i);
    Py_RETURN_NONE;
}

/* ---- import, capsule import, PyState ---- */

static PyModuleDef state_def = {PyModuleDef_HEAD_INIT, "ext_b_state", NULL, -1, NULL};
static PyModuleDef_Slot no_slots[] = {{0, NULL}};
static PyModuleDef slots_def = {PyModuleDef_HEAD_INIT, "ext_b_slots", NULL, 0, NULL, no_slots};

TEST(test_import) {
    PyObject *sys = PyImport_ImportModule("sys");
    ASSERT(sys != NULL && PyModule_Check(sys));
    PyObject *mods = PyImport_GetModuleDict();
    ASSERT(mods != NULL && PyDict_Check(mods));
    ASSERT(PyDict_GetItemString(mods, "sys") == sys);
    Py_DECREF(sys);

    PyObject *m = PyImport_AddModule("ext_b_fake");
    ASSERT(m != NULL && PyModule_Check(m));
    ASSERT(PyImport_AddModule("ext_b_fake") == m);
    PyObject *name = PyUnicode_FromString("ext_b_fake");
    ASSERT(PyImport_AddModuleObject(name) == m);
#if PY_VERSION_HEX >= 0x030D0000
    PyObject *m2 = PyImport_AddModuleRef("ext_b_fake");
    ASSERT(m2 == m);
    Py_DECREF(m2);
#endif
    PyObject *g = PyImport_GetModule(name);
    ASSERT(g == m);
    Py_DECREF(g);
    PyObject *imp = PyImport_Import(name);
    ASSERT(imp == m);
    Py_DECREF(imp);
    imp = PyImport_ImportModuleLevel("ext_b_fake", NULL, NULL, NULL, 0);
    ASSERT(imp == m);
    Py_DECREF(imp);
    imp = PyImport_ImportModuleLevelObject(name, NULL, NULL, NULL, 0);
    ASSERT(imp == m);
    Py_DECREF(imp);
    ASSERT(PyImport_ImportModuleLevelObject(name, NULL, NULL, NULL, -1) == NULL); /* error path */
    ASSERT_RAISES(PyExc_ValueError);
    Py_DECREF(name);

    /* a capsule exported by the module */
    static int api = 99;
    PyObject *c = PyCapsule_New(&api, "ext_b_fake.API", NULL);
    ASSERT(PyModule_AddObjectRef(m, "API", c) == 0);
    Py_DECREF(c);
    ASSERT(PyCapsule_Import("ext_b_fake.API", 0) == &api);
    PyObject *one = PyLong_FromLong(1);
    ASSERT(PyModule_AddObjectRef(m, "NOTCAP", one) == 0);
    Py_DECREF(one);
    ASSERT(PyCapsule_Import("ext_b_fake.NOTCAP", 0) == NULL); /* error path */
    ASSERT_RAISES(PyExc_AttributeError);

    /* error paths */
    ASSERT(PyImport_ImportModule("ext_b_no_such_module_xyz") == NULL);
    ASSERT_RAISES(PyExc_ModuleNotFoundError);
    PyObject *nm = PyUnicode_FromString("ext_b_no_such_module_xyz");
    ASSERT(PyImport_GetModule(nm) == NULL && !PyErr_Occurred());
    ASSERT(PyImport_Import(nm) == NULL);
    ASSERT_RAISES(PyExc_ImportError);
    Py_DECREF(nm);
    ASSERT(PyCapsule_Import("ext_b_no_such_module_xyz.API", 0) == NULL);
    ASSERT_RAISES(PyExc_ImportError);
    ASSERT(PyImport_ImportModuleLevel("ext_b_no_such_module_xyz", NULL, NULL, NULL, 0) == NULL);
    ASSERT_RAISES(PyExc_ImportError);
    Py_RETURN_NONE;
}

TEST(test_pystate) {
    PyObject *m = PyModule_Create(&state_def);
    ASSERT(m != NULL);
    ASSERT(PyState_FindModule(&state_def) == NULL && !PyErr_Occurred());
    ASSERT(PyState_AddModule(m, &state_def) == 0);
    ASSERT(PyState_FindModule(&state_def) == m);
    ASSERT(PyState_RemoveModule(&state_def) == 0);
    ASSERT(PyState_FindModule(&state_def) == NULL);
    ASSERT(PyState_AddModule(m, &slots_def) == -1); /* error path: a definition with slots */
    ASSERT_RAISES(PyExc_SystemError);
    ASSERT(PyState_RemoveModule(&slots_def) == -1);
    ASSERT_RAISES(PyExc_SystemError);
    ASSERT(PyState_FindModule(&slots_def) == NULL && !PyErr_Occurred());
    ASSERT(_PyState_AddModule(PyThreadState_Get(), m, &state_def) == 0);
    ASSERT(PyState_FindModule(&state_def) == m);
    ASSERT(PyState_RemoveModule(&state_def) == 0);
    ASSERT(_PyState_AddModule(PyThreadState_Get(), m, &slots_def) == -1); /* error path */
    ASSERT_RAISES(PyExc_SystemError);
    ASSERT(_Py_CheckRecursiveCall(PyThreadState_Get(), " in test") == 0);
    Py_DECREF(m);
    Py_RETURN_NONE;
}

/* ---- sys ---- */

TEST(test_sys) {
    PyObject *v = PySys_GetObject("version");
    ASSERT(v != NULL && PyUnicode_Check(v));
    ASSERT(PySys_GetObject("no_such_attr_xyz") == NULL && !PyErr_Occurred());
    PyObject *x = PyLong_FromLong(5);
    ASSERT(PySys_SetObject("ext_b_attr", x) == 0);
    ASSERT(PySys_GetObject("ext_b_attr") == x);
    ASSERT(PySys_SetObject("ext_b_attr", NULL) == 0);
    ASSERT(PySys_GetObject("ext_b_attr") == NULL);
    Py_DECREF(x);
    PyObject *xo = PySys_GetXOptions();
    ASSERT(xo != NULL && PyDict_Check(xo));
    PyObject *ms = PySys_GetObject("maxsize");
    ASSERT(ms && PyLong_AsSsize_t(ms) == PY_SSIZE_T_MAX);
#if PY_VERSION_HEX >= 0x030F0000
    PyObject *n = PyUnicode_FromString("version");
    PyObject *r = PySys_GetAttr(n);
    ASSERT(r == v);
    Py_DECREF(r);
    r = PySys_GetAttrString("version");
    ASSERT(r == v);
    Py_DECREF(r);
    ASSERT(PySys_GetOptionalAttr(n, &r) == 1 && r == v);
    Py_DECREF(r);
    ASSERT(PySys_GetOptionalAttrString("nope_xyz", &r) == 0 && r == NULL);
    ASSERT(PySys_GetAttrString("nope_xyz") == NULL); /* error path */
    ASSERT_RAISES(PyExc_RuntimeError);
    Py_DECREF(n);
#endif
    PySys_WriteStderr("ext_b_runtime: %s %d\n", "write", 1);
    PySys_WriteStdout("%s", "");
    PySys_FormatStderr("ext_b_runtime: %s %R\n", "format", Py_None);
    PySys_FormatStdout("%s", "");
    ASSERT(PySys_Audit("ext_b.event", "i", 1) == 0);
#if PY_VERSION_HEX >= 0x030D0000
    PyObject *t = PyTuple_New(0);
    ASSERT(PySys_AuditTuple("ext_b.event", t) == 0);
    Py_DECREF(t);
    ASSERT(PySys_AuditTuple("ext_b.event", Py_None) == -1); /* error path */
    ASSERT_RAISES(PyExc_TypeError);
#endif
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    DEF(test_locks_and_threads),
    DEF(test_tss),
    DEF(test_thread_state),
    DEF(test_lifecycle),
    DEF(test_recursion_limit),
    DEF(test_os_strings),
    DEF(test_capsule),
    DEF(test_import),
    DEF(test_pystate),
    DEF(test_sys),
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "ext_b_runtime", NULL, -1, methods};

PyMODINIT_FUNC PyInit_ext_b_runtime(void) { return PyModule_Create(&module); }
