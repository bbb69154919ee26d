/* pyopaque C API shim: module objects and module definitions.
 * Written for pyopaque from the Python C API documentation; names and
 * values match CPython so extension sources behave the same. */
#ifndef Py_MODULEOBJECT_H
#define Py_MODULEOBJECT_H

#ifdef __cplusplus
extern "C" {
#endif

PyAPI_DATA(PyTypeObject) PyModule_Type;
#if !defined(Py_LIMITED_API) || Py_LIMITED_API+0 >= 0x03050000
PyAPI_DATA(PyTypeObject) PyModuleDef_Type;
#endif

#define PyModule_Check(op) PyObject_TypeCheck((op), &PyModule_Type)
#define PyModule_CheckExact(op) Py_IS_TYPE((op), &PyModule_Type)

/* pyopaque: CPython starts PyModuleDef_Base with PyObject_HEAD.  The public
 * part of a pyopaque object header is empty, so the member is simply left
 * out (this keeps the layout identical between C and C++, where an empty
 * struct would take a byte).  The shim library must use this layout:
 * three pointer-sized fields. */
typedef struct PyModuleDef_Base {
    PyObject *(*m_init)(void);
    Py_ssize_t m_index;
    PyObject *m_copy;
} PyModuleDef_Base;

#define PyModuleDef_HEAD_INIT { _Py_NULL, 0, _Py_NULL }

struct PyModuleDef_Slot {
    int slot;
    void *value;
};

#if !defined(Py_LIMITED_API) || Py_LIMITED_API+0 >= 0x03050000
#define Py_mod_create 1
#define Py_mod_exec 2
#endif
#if !defined(Py_LIMITED_API) || Py_LIMITED_API+0 >= 0x030C0000
#define Py_mod_multiple_interpreters 3
#endif
#if !defined(Py_LIMITED_API) || Py_LIMITED_API+0 >= 0x030D0000
#define Py_mod_gil 4
#endif
#if !defined(Py_LIMITED_API) || Py_LIMITED_API+0 >= 0x030F0000
#define Py_mod_abi 5
#define Py_mod_name 6
#define Py_mod_doc 7
#define Py_mod_state_size 8
#define Py_mod_methods 9
#define Py_mod_state_traverse 10
#define Py_mod_state_clear 11
#define Py_mod_state_free 12
#define Py_mod_token 13
#endif

/* Values for Py_mod_multiple_interpreters. */
#if !defined(Py_LIMITED_API) || Py_LIMITED_API+0 >= 0x030C0000
#define Py_MOD_MULTIPLE_INTERPRETERS_NOT_SUPPORTED ((void *)0)
#define Py_MOD_MULTIPLE_INTERPRETERS_SUPPORTED     ((void *)1)
#define Py_MOD_PER_INTERPRETER_GIL_SUPPORTED       ((void *)2)
#endif
/* Values for Py_mod_gil. */
#if !defined(Py_LIMITED_API) || Py_LIMITED_API+0 >= 0x030D0000
#define Py_MOD_GIL_USED     ((void *)0)
#define Py_MOD_GIL_NOT_USED ((void *)1)
#endif

struct PyModuleDef {
    PyModuleDef_Base m_base;    /* always PyModuleDef_HEAD_INIT */
    const char *m_name;
    const char *m_doc;
    Py_ssize_t m_size;          /* size of the module state, or -1 */
    PyMethodDef *m_methods;
    PyModuleDef_Slot *m_slots;  /* multi-phase init slots, {0, NULL}-ended */
    traverseproc m_traverse;
    inquiry m_clear;
    freefunc m_free;
};

/* Export hook of PEP 793: PyModExport_<name> returns the module's slots. */
#if !defined(Py_LIMITED_API) || Py_LIMITED_API+0 >= 0x030F0000
#define PyMODEXPORT_FUNC PyOpaque_EXTERN_C Py_EXPORTED_SYMBOL PyModuleDef_Slot *
#endif

PyAPI_FUNC(PyModuleDef *) PyModule_GetDef(PyObject *);
PyAPI_FUNC(PyObject *) PyModule_GetDict(PyObject *);
PyAPI_FUNC(const char *) PyModule_GetFilename(PyObject *);
PyAPI_FUNC(PyObject *) PyModule_GetFilenameObject(PyObject *);
PyAPI_FUNC(const char *) PyModule_GetName(PyObject *);
PyAPI_FUNC(void *) PyModule_GetState(PyObject *);
PyAPI_FUNC(PyObject *) PyModule_New(const char *name);

/* added to the Limited API in 3.5 */
#if !defined(Py_LIMITED_API) || Py_LIMITED_API+0 >= 0x03050000
PyAPI_FUNC(PyObject *) PyModuleDef_Init(PyModuleDef *def);
#endif

/* added to the Limited API in 3.7 */
#if !defined(Py_LIMITED_API) || Py_LIMITED_API+0 >= 0x03070000
PyAPI_FUNC(PyObject *) PyModule_GetNameObject(PyObject *);
PyAPI_FUNC(PyObject *) PyModule_NewObject(PyObject *name);
#endif

/* added to the Limited API in 3.15 */
#if !defined(Py_LIMITED_API) || Py_LIMITED_API+0 >= 0x030F0000
PyAPI_FUNC(int) PyModule_Exec(PyObject *module);
PyAPI_FUNC(PyObject *) PyModule_FromSlotsAndSpec(const PyModuleDef_Slot *slots, PyObject *spec);
PyAPI_FUNC(int) PyModule_GetStateSize(PyObject *module, Py_ssize_t *result);
PyAPI_FUNC(int) PyModule_GetToken(PyObject *module, void **result);
#endif

#ifdef __cplusplus
}
#endif
#endif /* !Py_MODULEOBJECT_H */
