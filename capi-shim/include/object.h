/* pyopaque C API shim: the object model.
 *
 * In pyopaque a PyObject has no visible members.  The runtime keeps the
 * object header (reference count, type, size, ...) in memory *before* the
 * pointer handed to C, so PyObject_HEAD adds no bytes and an extension's
 * own struct begins exactly at the PyObject* it receives.  Every question
 * CPython answers by reading a field (Py_TYPE, Py_REFCNT, Py_SIZE, ...) is a
 * call into the shim library here.
 *
 * C++ note: C++ gives an empty struct size 1, so in a C++ translation unit
 * PyObject_HEAD occupies one byte (plus padding).  That is self-consistent
 * (tp_basicsize and member offsets come from the same compiler), but the
 * structs shared with the library (PyModuleDef_Base, ...) therefore never
 * embed a PyObject. */
#ifndef Py_OBJECT_H
#define Py_OBJECT_H

#ifdef __cplusplus
extern "C" {
#endif

/* ---- the opaque object ------------------------------------------------ */
typedef struct _object {
#ifdef __cplusplus
    /* empty; C++ makes this one byte */
#endif
} PyObject;

typedef struct {
    PyObject ob_base;
} PyVarObject;

#define PyObject_HEAD       PyObject ob_base;
#define PyObject_VAR_HEAD   PyVarObject ob_base;

#define _PyObject_CAST(op)      ((PyObject *)(op))
#define _PyVarObject_CAST(op)   ((PyVarObject *)(op))

/* Type objects are opaque: only pointers to them are used. */
typedef struct _typeobject PyTypeObject;

/* Other opaque or forward-declared types used across the headers. */
typedef struct _longobject PyLongObject;
typedef struct _frame PyFrameObject;
typedef struct PyCodeObject PyCodeObject;
typedef struct _ts PyThreadState;
typedef struct _is PyInterpreterState;
typedef struct _PyWeakReference PyWeakReference;
typedef struct PyMethodDef PyMethodDef;
typedef struct PyGetSetDef PyGetSetDef;
typedef struct PyMemberDef PyMemberDef;
typedef struct PyModuleDef PyModuleDef;
typedef struct PyModuleDef_Slot PyModuleDef_Slot;
typedef struct PyStructSequence_Field PyStructSequence_Field;
typedef struct PyStructSequence_Desc PyStructSequence_Desc;
typedef struct Py_buffer Py_buffer;
typedef struct PyABIInfo PyABIInfo;
typedef struct _Py_tss_t Py_tss_t;
typedef struct symtable symtable;

/* ---- slot function types --------------------------------------------- */
typedef PyObject *(*unaryfunc)(PyObject *);
typedef PyObject *(*binaryfunc)(PyObject *, PyObject *);
typedef PyObject *(*ternaryfunc)(PyObject *, PyObject *, PyObject *);
typedef int (*inquiry)(PyObject *);
typedef Py_ssize_t (*lenfunc)(PyObject *);
typedef PyObject *(*ssizeargfunc)(PyObject *, Py_ssize_t);
typedef PyObject *(*ssizessizeargfunc)(PyObject *, Py_ssize_t, Py_ssize_t);
typedef int (*ssizeobjargproc)(PyObject *, Py_ssize_t, PyObject *);
typedef int (*ssizessizeobjargproc)(PyObject *, Py_ssize_t, Py_ssize_t, PyObject *);
typedef int (*objobjargproc)(PyObject *, PyObject *, PyObject *);
typedef int (*objobjproc)(PyObject *, PyObject *);
typedef int (*visitproc)(PyObject *, void *);
typedef int (*traverseproc)(PyObject *, visitproc, void *);
typedef void (*freefunc)(void *);
typedef void (*destructor)(PyObject *);
typedef PyObject *(*getattrfunc)(PyObject *, char *);
typedef PyObject *(*getattrofunc)(PyObject *, PyObject *);
typedef int (*setattrfunc)(PyObject *, char *, PyObject *);
typedef int (*setattrofunc)(PyObject *, PyObject *, PyObject *);
typedef PyObject *(*reprfunc)(PyObject *);
typedef Py_hash_t (*hashfunc)(PyObject *);
typedef PyObject *(*richcmpfunc)(PyObject *, PyObject *, int);
typedef PyObject *(*getiterfunc)(PyObject *);
typedef PyObject *(*iternextfunc)(PyObject *);
typedef PyObject *(*descrgetfunc)(PyObject *, PyObject *, PyObject *);
typedef int (*descrsetfunc)(PyObject *, PyObject *, PyObject *);
typedef int (*initproc)(PyObject *, PyObject *, PyObject *);
typedef PyObject *(*newfunc)(PyTypeObject *, PyObject *, PyObject *);
typedef PyObject *(*allocfunc)(PyTypeObject *, Py_ssize_t);
typedef PyObject *(*vectorcallfunc)(PyObject *callable, PyObject *const *args,
                                    size_t nargsf, PyObject *kwnames);
typedef int (*getbufferproc)(PyObject *, Py_buffer *, int);
typedef void (*releasebufferproc)(PyObject *, Py_buffer *);

/* Result of PyIter_Send / am_send. */
typedef enum {
    PYGEN_RETURN = 0,
    PYGEN_ERROR = -1,
    PYGEN_NEXT = 1
} PySendResult;

/* ---- type creation from a spec --------------------------------------- */
typedef struct {
    int slot;       /* one of the Py_tp_*, Py_nb_*, ... ids of typeslots.h */
    void *pfunc;
} PyType_Slot;

typedef struct {
    const char *name;
    int basicsize;
    int itemsize;
    unsigned int flags;
    PyType_Slot *slots;     /* terminated by a {0, NULL} entry */
} PyType_Spec;

/* ---- type flags (bit values as in CPython) ---------------------------- */
#define Py_TPFLAGS_INLINE_VALUES            (1UL << 2)
#define Py_TPFLAGS_MANAGED_WEAKREF          (1UL << 3)
#define Py_TPFLAGS_MANAGED_DICT             (1UL << 4)
#define Py_TPFLAGS_PREHEADER (Py_TPFLAGS_MANAGED_WEAKREF | Py_TPFLAGS_MANAGED_DICT)
#define Py_TPFLAGS_SEQUENCE                 (1UL << 5)
#define Py_TPFLAGS_MAPPING                  (1UL << 6)
#define Py_TPFLAGS_DISALLOW_INSTANTIATION   (1UL << 7)
#define Py_TPFLAGS_IMMUTABLETYPE            (1UL << 8)
#define Py_TPFLAGS_HEAPTYPE                 (1UL << 9)
#define Py_TPFLAGS_BASETYPE                 (1UL << 10)
#define Py_TPFLAGS_HAVE_VECTORCALL          (1UL << 11)
#define _Py_TPFLAGS_HAVE_VECTORCALL         Py_TPFLAGS_HAVE_VECTORCALL
#define Py_TPFLAGS_READY                    (1UL << 12)
#define Py_TPFLAGS_READYING                 (1UL << 13)
#define Py_TPFLAGS_HAVE_GC                  (1UL << 14)
#define Py_TPFLAGS_HAVE_STACKLESS_EXTENSION 0
#define Py_TPFLAGS_METHOD_DESCRIPTOR        (1UL << 17)
#define Py_TPFLAGS_HAVE_VERSION_TAG         (1UL << 18)
#define Py_TPFLAGS_VALID_VERSION_TAG        (1UL << 19)
#define Py_TPFLAGS_IS_ABSTRACT              (1UL << 20)
#define _Py_TPFLAGS_MATCH_SELF              (1UL << 22)
#define Py_TPFLAGS_ITEMS_AT_END             (1UL << 23)
#define Py_TPFLAGS_LONG_SUBCLASS            (1UL << 24)
#define Py_TPFLAGS_LIST_SUBCLASS            (1UL << 25)
#define Py_TPFLAGS_TUPLE_SUBCLASS           (1UL << 26)
#define Py_TPFLAGS_BYTES_SUBCLASS           (1UL << 27)
#define Py_TPFLAGS_UNICODE_SUBCLASS         (1UL << 28)
#define Py_TPFLAGS_DICT_SUBCLASS            (1UL << 29)
#define Py_TPFLAGS_BASE_EXC_SUBCLASS        (1UL << 30)
#define Py_TPFLAGS_TYPE_SUBCLASS            (1UL << 31)
#define Py_TPFLAGS_DEFAULT  (Py_TPFLAGS_HAVE_STACKLESS_EXTENSION | 0)
/* Kept for source compatibility; these carry no meaning any more. */
#define Py_TPFLAGS_HAVE_FINALIZE            (1UL << 0)

/* ---- rich comparison --------------------------------------------------- */
#define Py_LT 0
#define Py_LE 1
#define Py_EQ 2
#define Py_NE 3
#define Py_GT 4
#define Py_GE 5

#define Py_PRINT_RAW 1

/* ---- well-known constants ---------------------------------------------
 * pyopaque spells Py_None, Py_True, ... as calls to Py_GetConstantBorrowed()
 * rather than as addresses of exported objects, so the numbering below is
 * needed at every Limited API version. */
#define Py_CONSTANT_NONE            0
#define Py_CONSTANT_FALSE           1
#define Py_CONSTANT_TRUE            2
#define Py_CONSTANT_ELLIPSIS        3
#define Py_CONSTANT_NOT_IMPLEMENTED 4
#define Py_CONSTANT_ZERO            5
#define Py_CONSTANT_ONE             6
#define Py_CONSTANT_EMPTY_STR       7
#define Py_CONSTANT_EMPTY_BYTES     8
#define Py_CONSTANT_EMPTY_TUPLE     9

/* ---- functions behind macros that exist at every API version ----------
 * These stable-ABI functions are declared whatever Py_LIMITED_API says,
 * because in pyopaque the macros Py_TYPE, Py_REFCNT, Py_SIZE, Py_IS_TYPE,
 * Py_SET_SIZE, Py_None, Py_RETURN_NONE, ... are implemented with them. */
PyAPI_FUNC(PyTypeObject *) Py_TYPE(PyObject *ob);
PyAPI_FUNC(Py_ssize_t) Py_REFCNT(PyObject *ob);
PyAPI_FUNC(Py_ssize_t) Py_SIZE(PyObject *ob);
PyAPI_FUNC(int) Py_IS_TYPE(PyObject *ob, PyTypeObject *type);
PyAPI_FUNC(void) Py_SET_SIZE(PyVarObject *ob, Py_ssize_t size);
PyAPI_FUNC(PyObject *) Py_GetConstant(unsigned int constant_id);
PyAPI_FUNC(PyObject *) Py_GetConstantBorrowed(unsigned int constant_id);
PyAPI_FUNC(void) Py_IncRef(PyObject *o);
PyAPI_FUNC(void) Py_DecRef(PyObject *o);

/* pyopaque helpers for header macros CPython implements by writing fields.
 * Exported by the shim library; see EXPORTS_EXTRA.txt. */
PyAPI_FUNC(void) PyOpaque_SET_TYPE(PyObject *ob, PyTypeObject *type);
PyAPI_FUNC(void) PyOpaque_SET_REFCNT(PyObject *ob, Py_ssize_t refcnt);

#define Py_TYPE(ob)             Py_TYPE(_PyObject_CAST(ob))
#define Py_SIZE(ob)             Py_SIZE(_PyObject_CAST(ob))
#define Py_IS_TYPE(ob, type)    Py_IS_TYPE(_PyObject_CAST(ob), (type))
#define Py_SET_SIZE(ob, size)   Py_SET_SIZE(_PyVarObject_CAST(ob), (size))
#define Py_SET_TYPE(ob, type)   PyOpaque_SET_TYPE(_PyObject_CAST(ob), (type))

PyAPI_DATA(PyTypeObject) PyBaseObject_Type;
PyAPI_DATA(PyTypeObject) PyType_Type;

PyAPI_FUNC(int) PyCallable_Check(PyObject *o);
PyAPI_FUNC(PyObject *) PyObject_ASCII(PyObject *o);
PyAPI_FUNC(PyObject *) PyObject_Bytes(PyObject *o);
PyAPI_FUNC(void) PyObject_ClearWeakRefs(PyObject *);
PyAPI_FUNC(PyObject *) PyObject_Dir(PyObject *o);
PyAPI_FUNC(PyObject *) PyObject_GenericGetAttr(PyObject *o, PyObject *name);
PyAPI_FUNC(int) PyObject_GenericSetAttr(PyObject *o, PyObject *name, PyObject *value);
PyAPI_FUNC(PyObject *) PyObject_GetAttr(PyObject *o, PyObject *attr_name);
PyAPI_FUNC(PyObject *) PyObject_GetAttrString(PyObject *o, const char *attr_name);
PyAPI_FUNC(int) PyObject_HasAttr(PyObject *o, PyObject *attr_name);
PyAPI_FUNC(int) PyObject_HasAttrString(PyObject *o, const char *attr_name);
PyAPI_FUNC(Py_hash_t) PyObject_Hash(PyObject *o);
PyAPI_FUNC(Py_hash_t) PyObject_HashNotImplemented(PyObject *o);
PyAPI_FUNC(int) PyObject_IsTrue(PyObject *o);
PyAPI_FUNC(int) PyObject_Not(PyObject *o);
PyAPI_FUNC(PyObject *) PyObject_Repr(PyObject *o);
PyAPI_FUNC(PyObject *) PyObject_RichCompare(PyObject *o1, PyObject *o2, int opid);
PyAPI_FUNC(int) PyObject_RichCompareBool(PyObject *o1, PyObject *o2, int opid);
PyAPI_FUNC(PyObject *) PyObject_SelfIter(PyObject *obj);
PyAPI_FUNC(int) PyObject_SetAttr(PyObject *o, PyObject *attr_name, PyObject *v);
PyAPI_FUNC(int) PyObject_SetAttrString(PyObject *o, const char *attr_name, PyObject *v);
PyAPI_FUNC(PyObject *) PyObject_Str(PyObject *o);
PyAPI_FUNC(unsigned int) PyType_ClearCache(void);
PyAPI_FUNC(PyObject *) PyType_FromSpec(PyType_Spec *spec);
PyAPI_FUNC(PyObject *) PyType_GenericAlloc(PyTypeObject *type, Py_ssize_t nitems);
PyAPI_FUNC(PyObject *) PyType_GenericNew(PyTypeObject *type, PyObject *args, PyObject *kwds);
PyAPI_FUNC(unsigned long) PyType_GetFlags(PyTypeObject *type);
PyAPI_FUNC(int) PyType_IsSubtype(PyTypeObject *a, PyTypeObject *b);
PyAPI_FUNC(void) PyType_Modified(PyTypeObject *type);
PyAPI_FUNC(int) PyType_Ready(PyTypeObject *type);
PyAPI_FUNC(int) Py_ReprEnter(PyObject *object);
PyAPI_FUNC(void) Py_ReprLeave(PyObject *object);

/* added to the Limited API in 3.3 */
#if !defined(Py_LIMITED_API) || Py_LIMITED_API+0 >= 0x03030000
PyAPI_FUNC(PyObject *) PyType_FromSpecWithBases(PyType_Spec *spec, PyObject *bases);
#endif

/* added to the Limited API in 3.4 */
#if !defined(Py_LIMITED_API) || Py_LIMITED_API+0 >= 0x03040000
PyAPI_FUNC(void *) PyType_GetSlot(PyTypeObject *type, int slot);
#endif

/* added to the Limited API in 3.7 */
#if !defined(Py_LIMITED_API) || Py_LIMITED_API+0 >= 0x03070000
PyAPI_FUNC(int) PyObject_GenericSetDict(PyObject *o, PyObject *value, void *context);
#endif

/* added to the Limited API in 3.10 */
#if !defined(Py_LIMITED_API) || Py_LIMITED_API+0 >= 0x030A0000
PyAPI_FUNC(PyObject *) PyType_FromModuleAndSpec(PyObject *, PyType_Spec *spec, PyObject *bases);
PyAPI_FUNC(PyObject *) PyType_GetModule(PyTypeObject *);
PyAPI_FUNC(void *) PyType_GetModuleState(PyTypeObject *);
PyAPI_FUNC(int) Py_Is(PyObject *, PyObject *);
PyAPI_FUNC(int) Py_IsNone(PyObject *);
PyAPI_FUNC(PyObject *) Py_NewRef(PyObject *o);
PyAPI_FUNC(PyObject *) Py_XNewRef(PyObject *o);
#endif

/* added to the Limited API in 3.11 */
#if !defined(Py_LIMITED_API) || Py_LIMITED_API+0 >= 0x030B0000
PyAPI_FUNC(PyObject *) PyType_GetName(PyTypeObject *type);
PyAPI_FUNC(PyObject *) PyType_GetQualName(PyTypeObject *type);
#endif

/* added to the Limited API in 3.12 */
#if !defined(Py_LIMITED_API) || Py_LIMITED_API+0 >= 0x030C0000
PyAPI_FUNC(void *) PyObject_GetTypeData(PyObject *, PyTypeObject *);
PyAPI_FUNC(PyObject *) PyType_FromMetaclass(PyTypeObject *, PyObject *, PyType_Spec *, PyObject *);
PyAPI_FUNC(Py_ssize_t) PyType_GetTypeDataSize(PyTypeObject *);
#endif

/* added to the Limited API in 3.13 */
#if !defined(Py_LIMITED_API) || Py_LIMITED_API+0 >= 0x030D0000
PyAPI_FUNC(int) PyObject_DelAttr(PyObject *o, PyObject *attr_name);
PyAPI_FUNC(int) PyObject_DelAttrString(PyObject *o, const char *attr_name);
PyAPI_FUNC(int) PyObject_GetOptionalAttr(PyObject *, PyObject *, PyObject **);
PyAPI_FUNC(int) PyObject_GetOptionalAttrString(PyObject *, const char *, PyObject **);
PyAPI_FUNC(int) PyObject_HasAttrStringWithError(PyObject *, const char *);
PyAPI_FUNC(int) PyObject_HasAttrWithError(PyObject *, PyObject *);
PyAPI_FUNC(PyObject *) PyType_GetFullyQualifiedName(PyTypeObject *);
PyAPI_FUNC(PyObject *) PyType_GetModuleByDef(PyTypeObject *, PyModuleDef *);
PyAPI_FUNC(PyObject *) PyType_GetModuleName(PyTypeObject *);
#endif

/* added to the Limited API in 3.14 */
#if !defined(Py_LIMITED_API) || Py_LIMITED_API+0 >= 0x030E0000
PyAPI_FUNC(int) PyType_Freeze(PyTypeObject *type);
PyAPI_FUNC(int) PyType_GetBaseByToken(PyTypeObject *type, void *token, PyTypeObject **result);
#endif

/* added to the Limited API in 3.15 */
#if !defined(Py_LIMITED_API) || Py_LIMITED_API+0 >= 0x030F0000
PyAPI_FUNC(PyObject *) PyType_GetModuleByToken(PyTypeObject *type, const void *mod_token);
#endif

/* outside the Limited API */
#ifndef Py_LIMITED_API
PyAPI_FUNC(void *) PyObject_GetItemData(PyObject *);
PyAPI_FUNC(int) PyObject_Print(PyObject *o, FILE *fp, int flags);
PyAPI_FUNC(PyObject *) PyType_GetDict(PyTypeObject *);
#endif

/* ---- type checks ------------------------------------------------------ */
#define PyType_HasFeature(type, feature) \
    ((PyType_GetFlags(type) & (feature)) != 0)
#define PyType_FastSubclass(type, flag) PyType_HasFeature((type), (flag))
/* PyType_GetFlags(Py_TYPE(op)) in one call: the Py*_Check macros below use it. */
PyAPI_FUNC(unsigned long) PyOpaque_Object_TypeFlags(PyObject *op);
#define _PyOpaque_HasTypeFlag(op, flag) \
    ((PyOpaque_Object_TypeFlags(_PyObject_CAST(op)) & (flag)) != 0)

static inline int
_PyOpaque_TypeCheck(PyObject *ob, PyTypeObject *type)
{
    return Py_IS_TYPE(ob, type) || PyType_IsSubtype(Py_TYPE(ob), type);
}
#define PyObject_TypeCheck(ob, type) \
    _PyOpaque_TypeCheck(_PyObject_CAST(ob), (type))

#define PyType_Check(op) \
    _PyOpaque_HasTypeFlag((op), Py_TPFLAGS_TYPE_SUBCLASS)
#define PyType_CheckExact(op) Py_IS_TYPE((op), &PyType_Type)

/* ---- singletons ------------------------------------------------------- */
#define Py_None             Py_GetConstantBorrowed(Py_CONSTANT_NONE)
#define Py_NotImplemented   Py_GetConstantBorrowed(Py_CONSTANT_NOT_IMPLEMENTED)
#define Py_Ellipsis         Py_GetConstantBorrowed(Py_CONSTANT_ELLIPSIS)

#ifndef Py_LIMITED_API
/* The singletons as data symbols, for code written against headers that spell
 * Py_None as &_Py_NoneStruct. The library translates each address to the
 * runtime's object and back, so Py_None == &_Py_NoneStruct holds. The macros
 * above do not use them. */
PyAPI_DATA(PyObject) _Py_NoneStruct;
PyAPI_DATA(PyObject) _Py_TrueStruct;
PyAPI_DATA(PyObject) _Py_FalseStruct;
PyAPI_DATA(PyObject) _Py_EllipsisObject;
PyAPI_DATA(PyObject) _Py_NotImplementedStruct;
#endif

/* Py_GetConstant returns a new reference, which is exactly what the
 * Py_RETURN_* macros need. */
#define Py_RETURN_NONE      return Py_GetConstant(Py_CONSTANT_NONE)
#define Py_RETURN_NOTIMPLEMENTED \
    return Py_GetConstant(Py_CONSTANT_NOT_IMPLEMENTED)

/* Py_RETURN_TRUE / Py_RETURN_FALSE live in boolobject.h. */
#define Py_RETURN_RICHCOMPARE(val1, val2, op)                           \
    do {                                                                \
        switch (op) {                                                   \
        case Py_EQ: if ((val1) == (val2)) Py_RETURN_TRUE; Py_RETURN_FALSE; \
        case Py_NE: if ((val1) != (val2)) Py_RETURN_TRUE; Py_RETURN_FALSE; \
        case Py_LT: if ((val1) < (val2)) Py_RETURN_TRUE; Py_RETURN_FALSE; \
        case Py_GT: if ((val1) > (val2)) Py_RETURN_TRUE; Py_RETURN_FALSE; \
        case Py_LE: if ((val1) <= (val2)) Py_RETURN_TRUE; Py_RETURN_FALSE; \
        case Py_GE: if ((val1) >= (val2)) Py_RETURN_TRUE; Py_RETURN_FALSE; \
        default: Py_UNREACHABLE();                                      \
        }                                                               \
    } while (0)

#if !defined(Py_LIMITED_API) || Py_LIMITED_API+0 >= 0x030A0000
/* Identity tests, as calls (Py_None is itself a call in pyopaque). */
#define Py_Is(x, y)     Py_Is(_PyObject_CAST(x), _PyObject_CAST(y))
#define Py_IsNone(x)    Py_IsNone(_PyObject_CAST(x))
#endif

#ifdef __cplusplus
}
#endif
#endif /* Py_OBJECT_H */
