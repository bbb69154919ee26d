/* pyopaque C API shim: descriptors, attribute tables (PyGetSetDef, PyMemberDef).
 * Written for pyopaque from the Python C API documentation; names and
 * values match CPython so extension sources behave the same. */
#ifndef Py_DESCROBJECT_H
#define Py_DESCROBJECT_H

#ifdef __cplusplus
extern "C" {
#endif

typedef PyObject *(*getter)(PyObject *, void *);
typedef int (*setter)(PyObject *, PyObject *, void *);

struct PyGetSetDef {
    const char *name;
    getter get;
    setter set;         /* NULL: read-only attribute */
    const char *doc;
    void *closure;      /* passed to get/set */
};

struct PyMemberDef {
    const char *name;
    int type;           /* one of Py_T_* */
    Py_ssize_t offset;  /* bytes from the object pointer */
    int flags;          /* Py_READONLY, Py_AUDIT_READ, Py_RELATIVE_OFFSET */
    const char *doc;
};

/* Member types.  The values are CPython's. */
#if !defined(Py_LIMITED_API) || Py_LIMITED_API+0 >= 0x030C0000
#define Py_T_SHORT          0
#define Py_T_INT            1
#define Py_T_LONG           2
#define Py_T_FLOAT          3
#define Py_T_DOUBLE         4
#define Py_T_STRING         5
#define Py_T_CHAR           7
#define Py_T_BYTE           8
#define Py_T_UBYTE          9
#define Py_T_USHORT         10
#define Py_T_UINT           11
#define Py_T_ULONG          12
#define Py_T_STRING_INPLACE 13
#define Py_T_BOOL           14
#define Py_T_OBJECT_EX      16
#define Py_T_LONGLONG       17
#define Py_T_ULONGLONG      18
#define Py_T_PYSSIZET       19

#define Py_READONLY         1
#define Py_AUDIT_READ       2
#define Py_RELATIVE_OFFSET  8
#endif
/* Deprecated member types, reachable through structmember.h's names. */
#define _Py_T_OBJECT        6
#define _Py_T_NONE          20
#define _Py_WRITE_RESTRICTED 4

PyAPI_DATA(PyTypeObject) PyClassMethodDescr_Type;
PyAPI_DATA(PyTypeObject) PyGetSetDescr_Type;
PyAPI_DATA(PyTypeObject) PyMemberDescr_Type;
PyAPI_DATA(PyTypeObject) PyMethodDescr_Type;
PyAPI_DATA(PyTypeObject) PyWrapperDescr_Type;
PyAPI_DATA(PyTypeObject) PyDictProxy_Type;
PyAPI_DATA(PyTypeObject) PyProperty_Type;

PyAPI_FUNC(PyObject *) PyDescr_NewClassMethod(PyTypeObject *type, PyMethodDef *method);
PyAPI_FUNC(PyObject *) PyDescr_NewGetSet(PyTypeObject *type, PyGetSetDef *getset);
PyAPI_FUNC(PyObject *) PyDescr_NewMember(PyTypeObject *type, PyMemberDef *member);
PyAPI_FUNC(PyObject *) PyDescr_NewMethod(PyTypeObject *type, PyMethodDef *meth);
PyAPI_FUNC(PyObject *) PyDictProxy_New(PyObject *dict);
PyAPI_FUNC(PyObject *) PyMember_GetOne(const char *, PyMemberDef *);
PyAPI_FUNC(int) PyMember_SetOne(char *, PyMemberDef *, PyObject *);
PyAPI_FUNC(PyObject *) PyWrapper_New(PyObject *d, PyObject *self);

#ifdef __cplusplus
}
#endif
#endif /* !Py_DESCROBJECT_H */
