/* Regression tests for divergences the differential fuzzer (`pyopaque fuzz`) found; each test
 * names the call and input the fuzzer reported. Passes under CPython 3.11 and pyopaque. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <errno.h>
#include "testing.h"

/* PySequence_Repeat / PySequence_InPlaceRepeat with a count of 2**62 (fuzzer input
 * `PySequence_InPlaceRepeat(str, 4611686018427387904)`): pyopaque aborted the process on a
 * capacity overflow; CPython raises OverflowError for str and bytes, MemoryError for tuple and
 * list. */
TEST(test_repeat_huge_count_raises) {
    Py_ssize_t huge = (Py_ssize_t)1 << 62;
    PyObject *s = PyUnicode_FromString("abc");
    ASSERT(s);
    ASSERT(PySequence_Repeat(s, huge) == NULL);
    ASSERT_RAISES(PyExc_OverflowError);
    ASSERT(PySequence_InPlaceRepeat(s, huge) == NULL);
    ASSERT_RAISES(PyExc_OverflowError);
    Py_DECREF(s);
    PyObject *b = PyBytes_FromString("ab");
    ASSERT(b);
    ASSERT(PySequence_Repeat(b, huge) == NULL);
    ASSERT_RAISES(PyExc_OverflowError);
    Py_DECREF(b);
    PyObject *t = Py_BuildValue("(ii)", 1, 2);
    ASSERT(t);
    ASSERT(PySequence_Repeat(t, huge) == NULL);
    ASSERT_RAISES(PyExc_MemoryError);
    Py_DECREF(t);
    PyObject *l = Py_BuildValue("[ii]", 1, 2);
    ASSERT(l);
    ASSERT(PySequence_Repeat(l, huge) == NULL);
    ASSERT_RAISES(PyExc_MemoryError);
    Py_DECREF(l);
    Py_RETURN_NONE;
}

/* Sizes no machine can hold: MemoryError (OverflowError for bytes past PY_SSIZE_T_MAX), as
 * CPython's refused malloc gives, never an aborted process or a list filled item by item for
 * ever. Found by the fuzzer (PyList_New(2**62) hung). */
TEST(test_constructors_with_impossible_sizes_raise) {
    Py_ssize_t sizes[] = {(Py_ssize_t)1 << 62, PY_SSIZE_T_MAX};
    for (int i = 0; i < 2; i++) {
        ASSERT(PyList_New(sizes[i]) == NULL);
        ASSERT_RAISES(PyExc_MemoryError);
        ASSERT(PyTuple_New(sizes[i]) == NULL);
        ASSERT_RAISES(PyExc_MemoryError);
        ASSERT(PyByteArray_FromStringAndSize(NULL, sizes[i]) == NULL);
        ASSERT_RAISES(PyExc_MemoryError);
    }
    ASSERT(PyBytes_FromStringAndSize(NULL, PY_SSIZE_T_MAX) == NULL);
    ASSERT_RAISES(PyExc_OverflowError);
    ASSERT(PyBytes_FromStringAndSize(NULL, (Py_ssize_t)1 << 62) == NULL);
    ASSERT_RAISES(PyExc_MemoryError);
    /* Ordinary sizes still work after the refusals. */
    PyObject *l = PyList_New(3);
    ASSERT(l && PyList_Size(l) == 3);
    Py_DECREF(l);
    Py_RETURN_NONE;
}

/* UnicodeDecodeError/EncodeError/TranslateError check their constructor arguments as CPython's
 * __init__ does; PyErr_SetFromErrno with such a type therefore raises TypeError (the fuzzer
 * found pyopaque building them with errno arguments, which their accessors then misread). */
TEST(test_unicode_error_constructors_check_their_arguments) {
    errno = ENOENT;
    ASSERT(PyErr_SetFromErrno(PyExc_UnicodeEncodeError) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    ASSERT(PyErr_SetFromErrnoWithFilename(PyExc_UnicodeTranslateError, "f") == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    ASSERT(PyObject_CallFunction(PyExc_UnicodeDecodeError, "sy#n", "utf-8", "ab", (Py_ssize_t)2, (Py_ssize_t)0) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    ASSERT(PyObject_CallFunction(PyExc_UnicodeDecodeError, "ssnns", "utf-8", "ab", (Py_ssize_t)0, (Py_ssize_t)1, "r") == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    PyObject *e = PyObject_CallFunction(PyExc_UnicodeDecodeError, "sy#nns", "utf-8", "ab", (Py_ssize_t)2, (Py_ssize_t)1, (Py_ssize_t)2, "bad");
    ASSERT(e != NULL);
    Py_ssize_t start = -1;
    ASSERT(PyUnicodeDecodeError_GetStart(e, &start) == 0 && start == 1);
    Py_DECREF(e);
    e = PyObject_CallFunction(PyExc_UnicodeTranslateError, "snns", "ab", (Py_ssize_t)0, (Py_ssize_t)1, "r");
    ASSERT(e != NULL);
    Py_DECREF(e);
    Py_RETURN_NONE;
}

/* PyErr_SetFromErrno* with an exception "type" that is not a type: CPython calls it, so an
 * instance raises TypeError (not callable). pyopaque read it as a type payload and crashed
 * (found by `pyopaque fuzz --seeds 1`, call 19: a frozenset and a bytearray). */
TEST(test_set_from_errno_with_an_instance_raises_type_error) {
    PyObject *fs = PyFrozenSet_New(NULL);
    PyObject *ba = PyByteArray_FromStringAndSize("", 0);
    ASSERT(fs && ba);
    errno = ENOENT;
    ASSERT(PyErr_SetFromErrnoWithFilenameObject(fs, ba) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    errno = ENOENT;
    ASSERT(PyErr_SetFromErrno(ba) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    Py_DECREF(fs);
    Py_DECREF(ba);
    Py_RETURN_NONE;
}

/* PyNumber_AsSsize_t's exception argument is used as CPython's PyErr_Format uses it: a
 * non-exception gets SystemError. pyopaque raised it as a type and crashed (found by
 * `pyopaque fuzz --seeds 1..2 --calls 1500`, seed 1 call 156). */
TEST(test_as_ssize_t_with_a_non_exception_raises_system_error) {
    PyObject *big = PyLong_FromString("123456789012345678901234567890", NULL, 10);
    PyObject *fs = PyFrozenSet_New(NULL);
    ASSERT(big && fs);
    ASSERT(PyNumber_AsSsize_t(big, fs) == -1);
    ASSERT_RAISES(PyExc_SystemError);
    ASSERT(PyNumber_AsSsize_t(big, PyExc_OverflowError) == -1);
    ASSERT_RAISES(PyExc_OverflowError);
    ASSERT(PyNumber_AsSsize_t(big, NULL) == PY_SSIZE_T_MAX && !PyErr_Occurred());
    Py_DECREF(big);
    Py_DECREF(fs);
    Py_RETURN_NONE;
}

/* Non-module arguments to the module name and filename getters: TypeError (CPython's
 * PyErr_BadArgument), not SystemError (fuzzer: PyModule_GetNameObject(int) and friends). */
TEST(test_module_getters_of_a_non_module_raise_type_error) {
    PyObject *five = PyLong_FromLong(5);
    ASSERT(five);
    ASSERT(PyModule_GetNameObject(five) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    ASSERT(PyModule_GetFilenameObject(five) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    Py_DECREF(five);
    Py_RETURN_NONE;
}

/* str functions given bad input answer as CPython 3.11: TypeError for a non-str to
 * PyUnicode_ReadChar and PyUnicode_Format and for a bad comparison op of a string with itself,
 * 0 without an exception from PyUnicode_IsIdentifier of a non-str, '' from PyUnicode_Substring
 * past the end, SystemError from PyUnicode_DecodeLatin1 with a negative size. */
TEST(test_unicode_bad_arguments_match_cpython) {
    PyObject *five = PyLong_FromLong(5);
    PyObject *b = PyBytes_FromString("ab");
    PyObject *s = PyUnicode_FromString("abc");
    PyObject *empty = PyTuple_New(0);
    ASSERT(five && b && s && empty);
    ASSERT(PyUnicode_ReadChar(b, 0) == (Py_UCS4)-1);
    ASSERT_RAISES(PyExc_TypeError);
    ASSERT(PyUnicode_ReadChar(s, 5) == (Py_UCS4)-1);
    ASSERT_RAISES(PyExc_IndexError);
    ASSERT(PyUnicode_Format(five, empty) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    ASSERT(PyUnicode_RichCompare(s, s, 9) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
#ifdef PYOPAQUE
    /* CPython 3.11 reads a non-str unchecked (undefined; the fuzzer saw 0 for an int). */
    ASSERT(PyUnicode_IsIdentifier(five) == 0 && !PyErr_Occurred());
#endif
    ASSERT(PyUnicode_IsIdentifier(s) == 1);
    PyObject *sub = PyUnicode_Substring(s, 5, 7);
    ASSERT(sub && PyUnicode_GetLength(sub) == 0);
    Py_DECREF(sub);
    sub = PyUnicode_Substring(s, 2, 1);
    ASSERT(sub && PyUnicode_GetLength(sub) == 0);
    Py_DECREF(sub);
    ASSERT(PyUnicode_DecodeLatin1("abc", -1, NULL) == NULL);
    ASSERT_RAISES(PyExc_SystemError);
    Py_DECREF(five);
    Py_DECREF(b);
    Py_DECREF(s);
    Py_DECREF(empty);
    Py_RETURN_NONE;
}

/* PySequence_Fast returns the object itself only for an exact list or tuple; a struct sequence
 * (a tuple subclass) gives a new list (fuzzer: PySequence_Fast(sys.float_info, msg)). */
static PyStructSequence_Field fast_fields[] = {{"a", NULL}, {"b", NULL}, {NULL, NULL}};
static PyStructSequence_Desc fast_desc = {"fuzz.pair", NULL, fast_fields, 2};
TEST(test_sequence_fast_of_a_struct_sequence_is_a_new_list) {
    PyTypeObject *t = PyStructSequence_NewType(&fast_desc);
    ASSERT(t);
    PyObject *o = PyStructSequence_New(t);
    ASSERT(o);
    PyStructSequence_SetItem(o, 0, PyLong_FromLong(1));
    PyStructSequence_SetItem(o, 1, PyLong_FromLong(2));
    PyObject *f = PySequence_Fast(o, "m");
    ASSERT(f && f != o && PyList_CheckExact(f) && PyList_Size(f) == 2);
    Py_DECREF(f);
    PyObject *tup = PyTuple_New(0);
    f = PySequence_Fast(tup, "m");
    ASSERT(f == tup);
    Py_DECREF(f);
    Py_DECREF(tup);
    Py_DECREF(o);
    Py_DECREF(t);
    Py_RETURN_NONE;
}

/* PyErr_NewExceptionWithDoc decodes its docstring as UTF-8 first: invalid UTF-8 raises
 * UnicodeDecodeError, as in CPython (pyopaque replaced the bad bytes and made the class). */
TEST(test_new_exception_with_an_invalid_utf8_doc_raises) {
    ASSERT(PyErr_NewExceptionWithDoc("fuzz.E", "\xff", NULL, NULL) == NULL);
    ASSERT_RAISES(PyExc_UnicodeDecodeError);
    ASSERT(PyErr_NewExceptionWithDoc("nodot", "\xff", NULL, NULL) == NULL);
    ASSERT_RAISES(PyExc_UnicodeDecodeError);
    ASSERT(PyErr_NewExceptionWithDoc("nodot", "d", NULL, NULL) == NULL);
    ASSERT_RAISES(PyExc_SystemError);
    PyObject *e = PyErr_NewExceptionWithDoc("fuzz.E", "doc", NULL, NULL);
    ASSERT(e && PyExceptionClass_Check(e));
    Py_DECREF(e);
    Py_RETURN_NONE;
}

/* PySequence_Size answers for a set and a frozenset (their length is a sequence slot in CPython)
 * and raises TypeError "dict is not a sequence" for a dict. */
TEST(test_sequence_size_of_sets_and_dicts) {
    PyObject *s = PySet_New(NULL);
    PyObject *fs = PyFrozenSet_New(NULL);
    PyObject *d = PyDict_New();
    ASSERT(s && fs && d);
    ASSERT(PySet_Add(s, Py_None) == 0);
    ASSERT(PySequence_Size(s) == 1);
    ASSERT(PySequence_Length(fs) == 0 && !PyErr_Occurred());
    ASSERT(PySequence_Length(d) == -1);
    ASSERT_RAISES(PyExc_TypeError);
    PyObject *b = PyBytes_FromString("ab");
    PyObject *l = PySequence_List(b);
    ASSERT(l && PyList_Size(l) == 2 && PyLong_AsLong(PyList_GetItem(l, 0)) == 97);
    Py_DECREF(l);
    Py_DECREF(b);
    Py_DECREF(s);
    Py_DECREF(fs);
    Py_DECREF(d);
    Py_RETURN_NONE;
}

/* PyType_GenericNew of a builtin exception type gives an instance of that type, as in CPython
 * (pyopaque raised TypeError "cannot allocate instances"). */
TEST(test_generic_new_of_an_exception_type) {
    PyObject *args = PyTuple_New(0);
    ASSERT(args);
    PyObject *types[] = {PyExc_ValueError, PyExc_BaseException, PyExc_KeyError};
    for (int i = 0; i < 3; i++) {
        PyObject *e = PyType_GenericNew((PyTypeObject *)types[i], args, NULL);
        ASSERT(e && (PyObject *)Py_TYPE(e) == types[i]);
        Py_DECREF(e);
    }
    Py_DECREF(args);
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {DEF(test_repeat_huge_count_raises), DEF(test_constructors_with_impossible_sizes_raise), DEF(test_unicode_error_constructors_check_their_arguments), DEF(test_set_from_errno_with_an_instance_raises_type_error), DEF(test_as_ssize_t_with_a_non_exception_raises_system_error), DEF(test_module_getters_of_a_non_module_raise_type_error), DEF(test_unicode_bad_arguments_match_cpython), DEF(test_sequence_fast_of_a_struct_sequence_is_a_new_list), DEF(test_new_exception_with_an_invalid_utf8_doc_raises), DEF(test_sequence_size_of_sets_and_dicts), DEF(test_generic_new_of_an_exception_type), {NULL, NULL, 0, NULL}};
static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "ext_fuzz_regressions", NULL, -1, methods};
PyMODINIT_FUNC PyInit_ext_fuzz_regressions(void) { return PyModule_Create(&module); }
