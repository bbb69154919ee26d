/* pyopaque C API shim: low-level threads and locks.
 * Written for pyopaque from the Python C API documentation; names and
 * values match CPython so extension sources behave the same. */
#ifndef Py_PYTHREAD_H
#define Py_PYTHREAD_H

#ifdef __cplusplus
extern "C" {
#endif

typedef void *PyThread_type_lock;

typedef enum PyLockStatus {
    PY_LOCK_FAILURE = 0,
    PY_LOCK_ACQUIRED = 1,
    PY_LOCK_INTR
} PyLockStatus;

#define WAIT_LOCK   1
#define NOWAIT_LOCK 0
#define PY_TIMEOUT_T long long

PyAPI_FUNC(void) PyThread_ReInitTLS(void);
PyAPI_FUNC(int) PyThread_acquire_lock(PyThread_type_lock, int);
PyAPI_FUNC(PyLockStatus) PyThread_acquire_lock_timed(PyThread_type_lock, long long, int);
PyAPI_FUNC(PyThread_type_lock) PyThread_allocate_lock(void);
PyAPI_FUNC(int) PyThread_create_key(void);
PyAPI_FUNC(void) PyThread_delete_key(int);
PyAPI_FUNC(void) PyThread_delete_key_value(int);
PyAPI_FUNC(void) PyThread_exit_thread(void) _Py_NO_RETURN;
PyAPI_FUNC(void) PyThread_free_lock(PyThread_type_lock);
PyAPI_FUNC(void *) PyThread_get_key_value(int);
PyAPI_FUNC(size_t) PyThread_get_stacksize(void);
PyAPI_FUNC(unsigned long) PyThread_get_thread_ident(void);
PyAPI_FUNC(void) PyThread_init_thread(void);
PyAPI_FUNC(void) PyThread_release_lock(PyThread_type_lock);
PyAPI_FUNC(int) PyThread_set_key_value(int, void *);
PyAPI_FUNC(int) PyThread_set_stacksize(size_t);
PyAPI_FUNC(unsigned long) PyThread_start_new_thread(void (*)(void *), void *);

/* added to the Limited API in 3.3 */
#if !defined(Py_LIMITED_API) || Py_LIMITED_API+0 >= 0x03030000
PyAPI_FUNC(PyObject *) PyThread_GetInfo(void);
#endif

/* added to the Limited API in 3.7 */
#if !defined(Py_LIMITED_API) || Py_LIMITED_API+0 >= 0x03070000
PyAPI_FUNC(Py_tss_t *) PyThread_tss_alloc(void);
PyAPI_FUNC(int) PyThread_tss_create(Py_tss_t *key);
PyAPI_FUNC(void) PyThread_tss_delete(Py_tss_t *key);
PyAPI_FUNC(void) PyThread_tss_free(Py_tss_t *key);
PyAPI_FUNC(void *) PyThread_tss_get(Py_tss_t *key);
PyAPI_FUNC(int) PyThread_tss_is_created(Py_tss_t *key);
PyAPI_FUNC(int) PyThread_tss_set(Py_tss_t *key, void *value);
#endif

#if defined(PY_HAVE_THREAD_NATIVE_ID)
PyAPI_FUNC(unsigned long) PyThread_get_thread_native_id(void);
#endif

#ifdef __cplusplus
}
#endif
#endif /* !Py_PYTHREAD_H */
