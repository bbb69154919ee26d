/* Assertion helpers shared by the test extensions (compile against CPython's and pyopaque's
 * headers alike). */
#ifndef PYOPAQUE_TESTING_H
#define PYOPAQUE_TESTING_H
#define ASSERT(cond)                                                                    \
    do {                                                                                \
        if (!(cond)) {                                                                  \
            if (!PyErr_Occurred())                                                      \
                PyErr_Format(PyExc_AssertionError, "%s:%d: %s", __FILE__, __LINE__, #cond); \
            return NULL;                                                                \
        }                                                                               \
    } while (0)
/* Asserts that the last call failed with exception type EXC, then clears it. */
#define ASSERT_RAISES(EXC)                                                              \
    do {                                                                                \
        if (!PyErr_ExceptionMatches(EXC)) {                                             \
            PyObject *_t = PyErr_Occurred();                                            \
            PyErr_Clear();                                                              \
            PyErr_Format(PyExc_AssertionError, "%s:%d: expected %s, got %s", __FILE__,  \
                         __LINE__, #EXC, _t ? "another exception" : "no exception");    \
            return NULL;                                                                \
        }                                                                               \
        PyErr_Clear();                                                                  \
    } while (0)
#define TEST(name) static PyObject *name(PyObject *self, PyObject *unused)
#define DEF(name) {#name, (PyCFunction)name, METH_NOARGS, NULL}
#endif
