/* pyopaque C API shim: struct sequences (named tuples defined in C).
 * Written for pyopaque from the Python C API documentation; names and
 * values match CPython so extension sources behave the same. */
#ifndef Py_STRUCTSEQ_H
#define Py_STRUCTSEQ_H

#ifdef __cplusplus
extern "C" {
#endif

struct PyStructSequence_Field {
    const char *name;
    const char *doc;
};

struct PyStructSequence_Desc {
    const char *name;
    const char *doc;
    PyStructSequence_Field *fields;
    int n_in_sequence;
};

/* added to the Limited API in 3.11 */
#if !defined(Py_LIMITED_API) || Py_LIMITED_API+0 >= 0x030B0000
PyAPI_DATA(const char * const) PyStructSequence_UnnamedField;
#endif

PyAPI_FUNC(PyObject *) PyStructSequence_GetItem(PyObject *p, Py_ssize_t pos);
PyAPI_FUNC(PyObject *) PyStructSequence_New(PyTypeObject *type);
PyAPI_FUNC(PyTypeObject *) PyStructSequence_NewType(PyStructSequence_Desc *desc);
PyAPI_FUNC(void) PyStructSequence_SetItem(PyObject *p, Py_ssize_t pos, PyObject *o);

#ifndef Py_LIMITED_API
#define PyStructSequence_SET_ITEM(op, i, v) PyStructSequence_SetItem((op), (i), (v))
#define PyStructSequence_GET_ITEM(op, i) PyStructSequence_GetItem((op), (i))
#endif

#ifdef __cplusplus
}
#endif
#endif /* !Py_STRUCTSEQ_H */
