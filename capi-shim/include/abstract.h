/* pyopaque C API shim: abstract object protocols (call, number, sequence, mapping, iterator).
 * Written for pyopaque from the Python C API documentation; names and
 * values match CPython so extension sources behave the same. */
#ifndef Py_ABSTRACT_H
#define Py_ABSTRACT_H

#ifdef __cplusplus
extern "C" {
#endif

#if !defined(Py_LIMITED_API) || Py_LIMITED_API+0 >= 0x030C0000
/* Flag or'ed into a vectorcall nargsf: args[-1] may be overwritten. */
#define PY_VECTORCALL_ARGUMENTS_OFFSET ((size_t)1 << (8 * sizeof(size_t) - 1))
#endif

PyAPI_FUNC(PyObject *) PyIter_Next(PyObject *o);
PyAPI_FUNC(int) PyMapping_Check(PyObject *o);
PyAPI_FUNC(PyObject *) PyMapping_GetItemString(PyObject *o, const char *key);
PyAPI_FUNC(int) PyMapping_HasKey(PyObject *o, PyObject *key);
PyAPI_FUNC(int) PyMapping_HasKeyString(PyObject *o, const char *key);
PyAPI_FUNC(PyObject *) PyMapping_Items(PyObject *o);
PyAPI_FUNC(PyObject *) PyMapping_Keys(PyObject *o);
PyAPI_FUNC(Py_ssize_t) PyMapping_Length(PyObject *o);
PyAPI_FUNC(int) PyMapping_SetItemString(PyObject *o, const char *key, PyObject *v);
PyAPI_FUNC(Py_ssize_t) PyMapping_Size(PyObject *o);
PyAPI_FUNC(PyObject *) PyMapping_Values(PyObject *o);
PyAPI_FUNC(PyObject *) PyNumber_Absolute(PyObject *o);
PyAPI_FUNC(PyObject *) PyNumber_Add(PyObject *o1, PyObject *o2);
PyAPI_FUNC(PyObject *) PyNumber_And(PyObject *o1, PyObject *o2);
PyAPI_FUNC(Py_ssize_t) PyNumber_AsSsize_t(PyObject *o, PyObject *exc);
PyAPI_FUNC(int) PyNumber_Check(PyObject *o);
PyAPI_FUNC(PyObject *) PyNumber_Divmod(PyObject *o1, PyObject *o2);
PyAPI_FUNC(PyObject *) PyNumber_Float(PyObject *o);
PyAPI_FUNC(PyObject *) PyNumber_FloorDivide(PyObject *v, PyObject *w);
PyAPI_FUNC(PyObject *) PyNumber_InPlaceAdd(PyObject *v, PyObject *w);
PyAPI_FUNC(PyObject *) PyNumber_InPlaceAnd(PyObject *v, PyObject *w);
PyAPI_FUNC(PyObject *) PyNumber_InPlaceFloorDivide(PyObject *v, PyObject *w);
PyAPI_FUNC(PyObject *) PyNumber_InPlaceLshift(PyObject *v, PyObject *w);
PyAPI_FUNC(PyObject *) PyNumber_InPlaceMultiply(PyObject *v, PyObject *w);
PyAPI_FUNC(PyObject *) PyNumber_InPlaceOr(PyObject *v, PyObject *w);
PyAPI_FUNC(PyObject *) PyNumber_InPlacePower(PyObject *v, PyObject *w, PyObject *z);
PyAPI_FUNC(PyObject *) PyNumber_InPlaceRemainder(PyObject *v, PyObject *w);
PyAPI_FUNC(PyObject *) PyNumber_InPlaceRshift(PyObject *v, PyObject *w);
PyAPI_FUNC(PyObject *) PyNumber_InPlaceSubtract(PyObject *v, PyObject *w);
PyAPI_FUNC(PyObject *) PyNumber_InPlaceTrueDivide(PyObject *v, PyObject *w);
PyAPI_FUNC(PyObject *) PyNumber_InPlaceXor(PyObject *v, PyObject *w);
PyAPI_FUNC(PyObject *) PyNumber_Index(PyObject *o);
PyAPI_FUNC(PyObject *) PyNumber_Invert(PyObject *o);
PyAPI_FUNC(PyObject *) PyNumber_Long(PyObject *o);
PyAPI_FUNC(PyObject *) PyNumber_Lshift(PyObject *o1, PyObject *o2);
PyAPI_FUNC(PyObject *) PyNumber_Multiply(PyObject *o1, PyObject *o2);
PyAPI_FUNC(PyObject *) PyNumber_Negative(PyObject *o);
PyAPI_FUNC(PyObject *) PyNumber_Or(PyObject *o1, PyObject *o2);
PyAPI_FUNC(PyObject *) PyNumber_Positive(PyObject *o);
PyAPI_FUNC(PyObject *) PyNumber_Power(PyObject *o1, PyObject *o2, PyObject *o3);
PyAPI_FUNC(PyObject *) PyNumber_Remainder(PyObject *o1, PyObject *o2);
PyAPI_FUNC(PyObject *) PyNumber_Rshift(PyObject *o1, PyObject *o2);
PyAPI_FUNC(PyObject *) PyNumber_Subtract(PyObject *o1, PyObject *o2);
PyAPI_FUNC(PyObject *) PyNumber_ToBase(PyObject *n, int base);
PyAPI_FUNC(PyObject *) PyNumber_TrueDivide(PyObject *v, PyObject *w);
PyAPI_FUNC(PyObject *) PyNumber_Xor(PyObject *o1, PyObject *o2);
PyAPI_FUNC(PyObject *) PyObject_Call(PyObject *callable_object, PyObject *args, PyObject *kw);
PyAPI_FUNC(PyObject *) PyObject_CallFunction(PyObject *callable_object, const char *format, ...);
PyAPI_FUNC(PyObject *) PyObject_CallFunctionObjArgs(PyObject *callable, ...);
PyAPI_FUNC(PyObject *) PyObject_CallMethod(PyObject *o, const char *m, const char *format, ...);
PyAPI_FUNC(PyObject *) PyObject_CallMethodObjArgs(PyObject *o, PyObject *name, ...);
PyAPI_FUNC(PyObject *) PyObject_CallObject(PyObject *callable_object, PyObject *args);
PyAPI_FUNC(int) PyObject_DelItem(PyObject *o, PyObject *key);
PyAPI_FUNC(int) PyObject_DelItemString(PyObject *, const char *);
PyAPI_FUNC(PyObject *) PyObject_Format(PyObject *, PyObject *);
PyAPI_FUNC(PyObject *) PyObject_GetItem(PyObject *o, PyObject *key);
PyAPI_FUNC(PyObject *) PyObject_GetIter(PyObject *o);
PyAPI_FUNC(int) PyObject_IsInstance(PyObject *inst, PyObject *cls);
PyAPI_FUNC(int) PyObject_IsSubclass(PyObject *derived, PyObject *cls);
PyAPI_FUNC(Py_ssize_t) PyObject_Length(PyObject *o);
PyAPI_FUNC(int) PyObject_SetItem(PyObject *o, PyObject *key, PyObject *v);
PyAPI_FUNC(Py_ssize_t) PyObject_Size(PyObject *o);
PyAPI_FUNC(PyObject *) PyObject_Type(PyObject *o);
PyAPI_FUNC(int) PySequence_Check(PyObject *o);
PyAPI_FUNC(PyObject *) PySequence_Concat(PyObject *o1, PyObject *o2);
PyAPI_FUNC(int) PySequence_Contains(PyObject *o, PyObject *value);
PyAPI_FUNC(Py_ssize_t) PySequence_Count(PyObject *o, PyObject *value);
PyAPI_FUNC(int) PySequence_DelItem(PyObject *o, Py_ssize_t i);
PyAPI_FUNC(int) PySequence_DelSlice(PyObject *o, Py_ssize_t i1, Py_ssize_t i2);
PyAPI_FUNC(PyObject *) PySequence_Fast(PyObject *v, const char *m);
PyAPI_FUNC(PyObject *) PySequence_GetItem(PyObject *o, Py_ssize_t i);
PyAPI_FUNC(PyObject *) PySequence_GetSlice(PyObject *o, Py_ssize_t i1, Py_ssize_t i2);
PyAPI_FUNC(int) PySequence_In(PyObject *o, PyObject *value);
PyAPI_FUNC(PyObject *) PySequence_InPlaceConcat(PyObject *s, PyObject *o);
PyAPI_FUNC(PyObject *) PySequence_InPlaceRepeat(PyObject *s, Py_ssize_t o);
PyAPI_FUNC(Py_ssize_t) PySequence_Index(PyObject *o, PyObject *value);
PyAPI_FUNC(Py_ssize_t) PySequence_Length(PyObject *);
PyAPI_FUNC(PyObject *) PySequence_List(PyObject *o);
PyAPI_FUNC(PyObject *) PySequence_Repeat(PyObject *o, Py_ssize_t count);
PyAPI_FUNC(int) PySequence_SetItem(PyObject *o, Py_ssize_t i, PyObject *v);
PyAPI_FUNC(int) PySequence_SetSlice(PyObject *o, Py_ssize_t i1, Py_ssize_t i2, PyObject *v);
PyAPI_FUNC(Py_ssize_t) PySequence_Size(PyObject *o);
PyAPI_FUNC(PyObject *) PySequence_Tuple(PyObject *o);

/* added to the Limited API in 3.7 */
#if !defined(Py_LIMITED_API) || Py_LIMITED_API+0 >= 0x03070000
PyAPI_FUNC(PyObject *) PyNumber_InPlaceMatrixMultiply(PyObject *o1, PyObject *o2);
PyAPI_FUNC(PyObject *) PyNumber_MatrixMultiply(PyObject *o1, PyObject *o2);
#endif

/* added to the Limited API in 3.8 */
#if !defined(Py_LIMITED_API) || Py_LIMITED_API+0 >= 0x03080000
PyAPI_FUNC(int) PyIndex_Check(PyObject *o);
PyAPI_FUNC(int) PyIter_Check(PyObject *o);
#endif

/* added to the Limited API in 3.10 */
#if !defined(Py_LIMITED_API) || Py_LIMITED_API+0 >= 0x030A0000
PyAPI_FUNC(int) PyAIter_Check(PyObject *o);
PyAPI_FUNC(PySendResult) PyIter_Send(PyObject *iter, PyObject *arg, PyObject **presult);
PyAPI_FUNC(PyObject *) PyObject_CallNoArgs(PyObject *callable_object);
PyAPI_FUNC(PyObject *) PyObject_GetAIter(PyObject *o);
#endif

/* added to the Limited API in 3.12 */
#if !defined(Py_LIMITED_API) || Py_LIMITED_API+0 >= 0x030C0000
PyAPI_FUNC(PyObject *) PyObject_Vectorcall(PyObject *, PyObject *const *, size_t, PyObject *);
PyAPI_FUNC(PyObject *) PyObject_VectorcallMethod(PyObject *, PyObject *const *, size_t, PyObject *);
PyAPI_FUNC(PyObject *) PyVectorcall_Call(PyObject *, PyObject *, PyObject *);
PyAPI_FUNC(Py_ssize_t) PyVectorcall_NARGS(size_t);
#endif

/* added to the Limited API in 3.13 */
#if !defined(Py_LIMITED_API) || Py_LIMITED_API+0 >= 0x030D0000
PyAPI_FUNC(int) PyMapping_GetOptionalItem(PyObject *, PyObject *, PyObject **);
PyAPI_FUNC(int) PyMapping_GetOptionalItemString(PyObject *, const char *, PyObject **);
PyAPI_FUNC(int) PyMapping_HasKeyStringWithError(PyObject *, const char *);
PyAPI_FUNC(int) PyMapping_HasKeyWithError(PyObject *, PyObject *);
#endif

/* added to the Limited API in 3.14 */
#if !defined(Py_LIMITED_API) || Py_LIMITED_API+0 >= 0x030E0000
PyAPI_FUNC(int) PyIter_NextItem(PyObject *iter, PyObject **item);
#endif

/* outside the Limited API */
#ifndef Py_LIMITED_API
PyAPI_FUNC(PyObject *) PyObject_CallOneArg(PyObject *callable_object, PyObject *arg);
PyAPI_FUNC(PyObject *) PyObject_VectorcallDict(PyObject *, PyObject *const *, size_t, PyObject *);
#endif

/* Old spellings. */
#define PyObject_Length     PyObject_Size
#define PySequence_Length   PySequence_Size
#define PyMapping_Length    PyMapping_Size
#define PySequence_In       PySequence_Contains

#define PyMapping_DelItemString(o, key) PyObject_DelItemString((o), (key))
#define PyMapping_DelItem(o, key)       PyObject_DelItem((o), (key))

#ifndef Py_LIMITED_API
/* Calls that CPython inlines; here they go through PyObject_VectorcallMethod. */
static inline PyObject *
PyObject_CallMethodNoArgs(PyObject *self, PyObject *name)
{
    return PyObject_VectorcallMethod(name, &self,
        1 | PY_VECTORCALL_ARGUMENTS_OFFSET, _Py_NULL);
}

static inline PyObject *
PyObject_CallMethodOneArg(PyObject *self, PyObject *name, PyObject *arg)
{
    PyObject *args[2];
    args[0] = self;
    args[1] = arg;
    return PyObject_VectorcallMethod(name, args,
        2 | PY_VECTORCALL_ARGUMENTS_OFFSET, _Py_NULL);
}

#define PySequence_ITEM(o, i) PySequence_GetItem((o), (i))

/* The PySequence_Fast family: CPython reads the list or tuple directly.
 * pyopaque asks the shim (helpers listed in EXPORTS_EXTRA.txt). */
PyAPI_FUNC(Py_ssize_t) PyOpaque_Sequence_Fast_GET_SIZE(PyObject *o);
PyAPI_FUNC(PyObject *) PyOpaque_Sequence_Fast_GET_ITEM(PyObject *o, Py_ssize_t i);
PyAPI_FUNC(PyObject **) PyOpaque_Sequence_Fast_ITEMS(PyObject *o);

#define PySequence_Fast_GET_SIZE(o) \
    PyOpaque_Sequence_Fast_GET_SIZE(_PyObject_CAST(o))
#define PySequence_Fast_GET_ITEM(o, i) \
    PyOpaque_Sequence_Fast_GET_ITEM(_PyObject_CAST(o), (i))
#define PySequence_Fast_ITEMS(o) \
    PyOpaque_Sequence_Fast_ITEMS(_PyObject_CAST(o))
#endif

#ifdef __cplusplus
}
#endif
#endif /* !Py_ABSTRACT_H */
