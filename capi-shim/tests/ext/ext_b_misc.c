/* Types from specs, module helpers, argument-parsing variants, file-like objects, slices of
 * sequences, bytes(), locale encoding and the stable ABI's underscore aliases. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdarg.h>
#include <string.h>
#include <wchar.h>
#include "testing.h"

/* The exported symbols behind macros (called directly). */
#undef PyObject_Length
#undef PySequence_Length
#undef PyMapping_Length
#undef PySequence_In
PyAPI_FUNC(Py_ssize_t) PyObject_Length(PyObject *o);
PyAPI_FUNC(Py_ssize_t) PySequence_Length(PyObject *o);
PyAPI_FUNC(Py_ssize_t) PyMapping_Length(PyObject *o);
PyAPI_FUNC(int) PySequence_In(PyObject *o, PyObject *value);
/* Stable-ABI-only symbols (not in the headers of every version). */
PyAPI_FUNC(void) _Py_IncRef(PyObject *);
PyAPI_FUNC(void) _Py_DecRef(PyObject *);
PyAPI_FUNC(int) _PyArg_ParseTuple_SizeT(PyObject *, const char *, ...);
PyAPI_FUNC(int) _PyArg_Parse_SizeT(PyObject *, const char *, ...);
PyAPI_FUNC(int) _PyArg_ParseTupleAndKeywords_SizeT(PyObject *, PyObject *, const char *, char **, ...);
PyAPI_FUNC(int) _PyArg_VaParse_SizeT(PyObject *, const char *, va_list);
PyAPI_FUNC(int) _PyArg_VaParseTupleAndKeywords_SizeT(PyObject *, PyObject *, const char *, char **, va_list);
PyAPI_FUNC(PyObject *) _Py_BuildValue_SizeT(const char *, ...);
PyAPI_FUNC(PyObject *) _Py_VaBuildValue_SizeT(const char *, va_list);
PyAPI_FUNC(PyObject *) _PyObject_CallFunction_SizeT(PyObject *, const char *, ...);
PyAPI_FUNC(PyObject *) _PyObject_CallMethod_SizeT(PyObject *, const char *, const char *, ...);
PyAPI_FUNC(PyObject *) PyEval_CallObjectWithKeywords(PyObject *, PyObject *, PyObject *);
PyAPI_FUNC(PyObject *) PyEval_CallFunction(PyObject *, const char *, ...);
PyAPI_FUNC(PyObject *) PyEval_CallMethod(PyObject *, const char *, const char *, ...);
PyAPI_FUNC(PyObject *) PyCFunction_Call(PyObject *, PyObject *, PyObject *);
PyAPI_FUNC(int) PyEval_ThreadsInitialized(void);
PyAPI_FUNC(PyObject *) PyImport_ImportModuleNoBlock(const char *);

/* ---- a small type ---- */
typedef struct { PyObject_HEAD int value; } Box;

static PyObject *Box_get(PyObject *self, PyObject *unused) {
    return PyLong_FromLong(((Box *)self)->value);
}
static PyMethodDef Box_methods[] = {
    {"get", Box_get, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};
static PyType_Slot Box_slots[] = {
    {Py_tp_methods, Box_methods},
    {0, NULL},
};
static PyType_Spec Box_spec = {"ext_b_misc.Box", sizeof(Box), 0, Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE, Box_slots};
static PyType_Spec Sub_spec = {"ext_b_misc.Sub", sizeof(Box), 0, Py_TPFLAGS_DEFAULT, Box_slots};

static PyModuleDef misc_module;

TEST(test_types) {
    PyObject *t = PyType_FromSpec(&Box_spec);
    ASSERT(t && PyType_Check(t));
    ASSERT(PyType_Ready((PyTypeObject *)t) == 0);
    PyType_Modified((PyTypeObject *)t);
    (void)PyType_ClearCache();
    PyObject *q = PyType_GetQualName((PyTypeObject *)t);
    ASSERT(q && PyUnicode_CompareWithASCIIString(q, "Box") == 0);
    Py_DECREF(q);
    PyObject *bases = PyTuple_Pack(1, t);
    PyObject *sub = PyType_FromSpecWithBases(&Sub_spec, bases);
    ASSERT(sub && PyType_IsSubtype((PyTypeObject *)sub, (PyTypeObject *)t));
    Box *b = PyObject_New(Box, (PyTypeObject *)sub);
    ASSERT(b != NULL);
    b->value = 41;
    PyObject *r = PyObject_CallMethod((PyObject *)b, "get", NULL);
    ASSERT(r && PyLong_AsLong(r) == 41);
    Py_DECREF(r);
    Py_DECREF(b);
    ASSERT(PyType_FromSpecWithBases(&Sub_spec, Py_None) == NULL); /* error path: bad bases */
    ASSERT(PyErr_Occurred());
    PyErr_Clear();
    /* module association */
    PyObject *m = PyModule_Create(&misc_module);
    PyObject *mt = PyType_FromModuleAndSpec(m, &Sub_spec, NULL);
    ASSERT(mt != NULL);
    ASSERT(PyType_GetModule((PyTypeObject *)mt) == m);
    ASSERT(PyType_GetModuleState((PyTypeObject *)mt) == PyModule_GetState(m));
#if PY_VERSION_HEX >= 0x030B0000
    ASSERT(PyType_GetModuleByDef((PyTypeObject *)mt, &misc_module) == m);
    ASSERT(PyType_GetModuleByDef((PyTypeObject *)t, &misc_module) == NULL); /* error path */
    ASSERT_RAISES(PyExc_TypeError);
#endif
    ASSERT(PyType_GetModule((PyTypeObject *)t) == NULL); /* error path */
    ASSERT_RAISES(PyExc_TypeError);
    ASSERT(PyType_GetModuleState((PyTypeObject *)t) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
#if PY_VERSION_HEX >= 0x030C0000
    PyObject *t2 = PyType_FromMetaclass(NULL, NULL, &Box_spec, NULL);
    ASSERT(t2 != NULL);
    Py_DECREF(t2);
    ASSERT(PyType_GetTypeDataSize((PyTypeObject *)t) >= 0);
    Box *b2 = PyObject_New(Box, (PyTypeObject *)t);
    ASSERT(PyObject_GetTypeData((PyObject *)b2, (PyTypeObject *)t) != NULL);
    Py_DECREF(b2);
#endif
#if PY_VERSION_HEX >= 0x030D0000
    PyObject *mn = PyType_GetModuleName((PyTypeObject *)t);
    ASSERT(mn && PyUnicode_CompareWithASCIIString(mn, "ext_b_misc") == 0);
    Py_DECREF(mn);
    PyObject *fq = PyType_GetFullyQualifiedName((PyTypeObject *)t);
    ASSERT(fq && PyUnicode_CompareWithASCIIString(fq, "ext_b_misc.Box") == 0);
    Py_DECREF(fq);
    fq = PyType_GetFullyQualifiedName(&PyLong_Type);
    ASSERT(fq && PyUnicode_CompareWithASCIIString(fq, "int") == 0);
    Py_DECREF(fq);
#endif
#if PY_VERSION_HEX >= 0x030F0000
    PyObject *bm = PyType_GetModuleByToken((PyTypeObject *)mt, &misc_module);
    ASSERT(bm == m);
    Py_DECREF(bm);
    ASSERT(PyType_GetModuleByToken((PyTypeObject *)t, &misc_module) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    PyTypeObject *res;
    ASSERT(PyType_GetBaseByToken((PyTypeObject *)sub, NULL, &res) == 0 && res == NULL);
    ASSERT(PyType_GetBaseByToken((PyTypeObject *)m, NULL, &res) == -1);
    ASSERT_RAISES(PyExc_TypeError);
#endif
    Py_DECREF(mt); Py_DECREF(m); Py_DECREF(sub); Py_DECREF(bases); Py_DECREF(t);
    Py_RETURN_NONE;
}

/* ---- allocation, members ---- */
#if PY_VERSION_HEX < 0x030C0000
#include <structmember.h>
#define Py_T_INT T_INT
#define Py_T_OBJECT_EX T_OBJECT_EX
#define Py_T_DOUBLE T_DOUBLE
#define Py_READONLY READONLY
#endif
typedef struct { PyObject_HEAD PyObject *obj; int num; double dbl; } GcBox;
static int GcBox_traverse(PyObject *self, visitproc visit, void *arg) {
    Py_VISIT(((GcBox *)self)->obj);
#if PY_VERSION_HEX >= 0x03090000
    Py_VISIT(Py_TYPE(self));
#endif
    return 0;
}
static int GcBox_clear(PyObject *self) { Py_CLEAR(((GcBox *)self)->obj); return 0; }
static void GcBox_dealloc(PyObject *self) {
    PyTypeObject *tp = Py_TYPE(self);
    PyObject_GC_UnTrack(self);
    GcBox_clear(self);
    PyObject_GC_Del(self);
    Py_DECREF(tp);
}
static PyMemberDef GcBox_members[] = {
    {"obj", Py_T_OBJECT_EX, offsetof(GcBox, obj), 0, NULL},
    {"num", Py_T_INT, offsetof(GcBox, num), 0, NULL},
    {"ro", Py_T_INT, offsetof(GcBox, num), Py_READONLY, NULL},
    {"dbl", Py_T_DOUBLE, offsetof(GcBox, dbl), 0, NULL},
    {NULL, 0, 0, 0, NULL},
};
static PyType_Slot GcBox_slots[] = {
    {Py_tp_traverse, GcBox_traverse},
    {Py_tp_clear, GcBox_clear},
    {Py_tp_dealloc, GcBox_dealloc},
    {Py_tp_members, GcBox_members},
    {0, NULL},
};
static PyType_Spec GcBox_spec = {"ext_b_misc.GcBox", sizeof(GcBox), 0,
                                 Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC, GcBox_slots};
typedef struct { PyObject_VAR_HEAD char data[1]; } VarBox;
static PyType_Slot VarBox_slots[] = {{0, NULL}};
static PyType_Spec VarBox_spec = {"ext_b_misc.VarBox", sizeof(VarBox), 1, Py_TPFLAGS_DEFAULT, VarBox_slots};

static PyObject *GcBox_double(PyObject *self, void *closure) {
    return PyLong_FromLong(((GcBox *)self)->num * 2);
}
static PyGetSetDef GcBox_getset = {"double", GcBox_double, NULL, NULL, NULL};
static PyObject *GcBox_num_m(PyObject *self, PyObject *unused) {
    return PyLong_FromLong(((GcBox *)self)->num);
}
static PyObject *GcBox_cls(PyObject *cls, PyObject *unused) { return Py_NewRef(cls); }
static PyMethodDef GcBox_num_def = {"num_m", GcBox_num_m, METH_NOARGS, NULL};
static PyMethodDef GcBox_cls_def = {"cls_m", GcBox_cls, METH_NOARGS | METH_CLASS, NULL};

typedef struct { PyObject_VAR_HEAD PyObject *items[1]; } GcVar;
static int GcVar_traverse(PyObject *self, visitproc visit, void *arg) {
#if PY_VERSION_HEX >= 0x03090000
    Py_VISIT(Py_TYPE(self));
#endif
    return 0;
}
static PyType_Slot GcVar_slots[] = {{Py_tp_traverse, GcVar_traverse}, {0, NULL}};
static PyType_Spec GcVar_spec = {"ext_b_misc.GcVar", sizeof(GcVar) - sizeof(PyObject *), sizeof(PyObject *),
                                 Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC, GcVar_slots};

TEST(test_gc_newvar) {
    PyObject *t = PyType_FromSpec(&GcVar_spec);
    ASSERT(t != NULL);
    GcVar *v = PyObject_GC_NewVar(GcVar, (PyTypeObject *)t, 3);
    ASSERT(v != NULL);
    ASSERT(Py_SIZE(v) == 3);
    for (int i = 0; i < 3; i++) v->items[i] = NULL;
    PyObject_GC_Track(v);
    Py_DECREF(v);
    Py_DECREF(t);
    Py_RETURN_NONE;
}

TEST(test_descriptors) {
    PyObject *t = PyType_FromSpec(&GcBox_spec);
    ASSERT(t != NULL);
    PyObject *dm = PyDescr_NewMember((PyTypeObject *)t, &GcBox_members[2]);
    PyObject *dg = PyDescr_NewGetSet((PyTypeObject *)t, &GcBox_getset);
    PyObject *dmeth = PyDescr_NewMethod((PyTypeObject *)t, &GcBox_num_def);
    PyObject *dcls = PyDescr_NewClassMethod((PyTypeObject *)t, &GcBox_cls_def);
    ASSERT(dm && dg && dmeth && dcls);
    ASSERT(PyObject_SetAttrString(t, "ro2", dm) == 0);
    ASSERT(PyObject_SetAttrString(t, "dbl2", dg) == 0);
    ASSERT(PyObject_SetAttrString(t, "num_m", dmeth) == 0);
    ASSERT(PyObject_SetAttrString(t, "cls_m", dcls) == 0);
    GcBox *b = PyObject_GC_New(GcBox, (PyTypeObject *)t);
    b->obj = NULL;
    b->num = 21;
    b->dbl = 0;
    PyObject_GC_Track(b);
    PyObject *v = PyObject_GetAttrString((PyObject *)b, "ro2");
    ASSERT(v && PyLong_AsLong(v) == 21);
    Py_DECREF(v);
    v = PyObject_GetAttrString((PyObject *)b, "dbl2");
    ASSERT(v && PyLong_AsLong(v) == 42);
    Py_DECREF(v);
    v = PyObject_CallMethod((PyObject *)b, "num_m", NULL);
    ASSERT(v && PyLong_AsLong(v) == 21);
    Py_DECREF(v);
    v = PyObject_CallMethod((PyObject *)b, "cls_m", NULL);
    ASSERT(v == t);
    Py_DECREF(v);
    PyObject *one = PyLong_FromLong(1);
    ASSERT(PyObject_SetAttrString((PyObject *)b, "ro2", one) == -1); /* error path: read-only */
    ASSERT_RAISES(PyExc_AttributeError);
    ASSERT(PyObject_SetAttrString((PyObject *)b, "dbl2", one) == -1); /* no setter */
    ASSERT_RAISES(PyExc_AttributeError);
    Py_DECREF(one);
    Py_DECREF(b);
    Py_DECREF(dm); Py_DECREF(dg); Py_DECREF(dmeth); Py_DECREF(dcls); Py_DECREF(t);
    Py_RETURN_NONE;
}

TEST(test_alloc_members) {
    PyObject *t = PyType_FromSpec(&GcBox_spec);
    ASSERT(t != NULL);
    GcBox *b = PyObject_GC_New(GcBox, (PyTypeObject *)t);
    ASSERT(b != NULL);
    b->obj = NULL;
    b->num = 5;
    b->dbl = 0.5;
    PyObject_GC_Track(b);
    ASSERT(PyObject_GC_IsTracked((PyObject *)b) == 1);
    PyObject *v = PyMember_GetOne((const char *)b, &GcBox_members[1]);
    ASSERT(v && PyLong_AsLong(v) == 5);
    Py_DECREF(v);
    PyObject *nine = PyLong_FromLong(9);
    ASSERT(PyMember_SetOne((char *)b, &GcBox_members[1], nine) == 0 && b->num == 9);
    ASSERT(PyMember_SetOne((char *)b, &GcBox_members[2], nine) == -1); /* error path: read-only */
    ASSERT_RAISES(PyExc_AttributeError);
    PyObject *s = PyUnicode_FromString("s");
    ASSERT(PyMember_SetOne((char *)b, &GcBox_members[1], s) == -1); /* wrong type */
    ASSERT_RAISES(PyExc_TypeError);
    ASSERT(PyMember_GetOne((const char *)b, &GcBox_members[0]) == NULL); /* unset T_OBJECT_EX */
    ASSERT_RAISES(PyExc_AttributeError);
    ASSERT(PyMember_SetOne((char *)b, &GcBox_members[0], s) == 0);
    v = PyMember_GetOne((const char *)b, &GcBox_members[0]);
    ASSERT(v == s);
    Py_DECREF(v);
    PyObject *d = PyFloat_FromDouble(2.5);
    ASSERT(PyMember_SetOne((char *)b, &GcBox_members[3], d) == 0 && b->dbl == 2.5);
    Py_DECREF(d);
    Py_DECREF(b);

    PyObject *vt = PyType_FromSpec(&VarBox_spec);
    ASSERT(vt != NULL);
    VarBox *vb = PyObject_NewVar(VarBox, (PyTypeObject *)vt, 10);
    ASSERT(vb != NULL);
    ASSERT(Py_SIZE(vb) == 10);
    Py_SET_SIZE(vb, 4);
    ASSERT(Py_SIZE(vb) == 4);
    Py_DECREF(vb);
    PyObject *l = PyList_New(3);
    ASSERT(Py_SIZE(l) == 3);
    PyObject_GC_UnTrack(l);
    PyObject_GC_Track(l);
    Py_DECREF(l);
    Py_DECREF(s); Py_DECREF(nine); Py_DECREF(vt); Py_DECREF(t);
    Py_RETURN_NONE;
}

/* ---- modules ---- */
static int exec_calls;
static int misc_exec(PyObject *m) { exec_calls++; return PyModule_AddIntConstant(m, "EXECUTED", 1); }
static PyModuleDef_Slot misc_slots[] = {{Py_mod_exec, misc_exec}, {0, NULL}};
static PyModuleDef misc_module = {PyModuleDef_HEAD_INIT, "ext_b_misc_sub", NULL, 16, NULL};
static PyModuleDef multi_def = {PyModuleDef_HEAD_INIT, "ext_b_multi", NULL, 8, NULL, misc_slots};

TEST(test_modules) {
    PyObject *name = PyUnicode_FromString("ext_b_newobj");
    PyObject *m = PyModule_NewObject(name);
    ASSERT(m && PyModule_Check(m));
    ASSERT(strcmp(PyModule_GetName(m), "ext_b_newobj") == 0);
    ASSERT(PyModule_GetFilenameObject(m) == NULL); /* error path: no __file__ */
    ASSERT_RAISES(PyExc_SystemError);
    ASSERT(PyModule_GetFilename(m) == NULL);
    ASSERT_RAISES(PyExc_SystemError);
    PyObject *f = PyUnicode_FromString("/tmp/ext_b_newobj.so");
    ASSERT(PyObject_SetAttrString(m, "__file__", f) == 0);
    PyObject *fo = PyModule_GetFilenameObject(m);
    ASSERT(fo && PyUnicode_CompareWithASCIIString(fo, "/tmp/ext_b_newobj.so") == 0);
    Py_DECREF(fo);
    ASSERT(strcmp(PyModule_GetFilename(m), "/tmp/ext_b_newobj.so") == 0);
#if PY_VERSION_HEX >= 0x030D0000
    PyObject *v = PyLong_FromLong(3);
    ASSERT(PyModule_Add(m, "V", v) == 0); /* steals */
    ASSERT(PyModule_Add(m, "W", NULL) == -1); /* error path: NULL value with no exception */
    ASSERT_RAISES(PyExc_SystemError);
#endif
    Py_DECREF(f);
    Py_DECREF(name);
    Py_DECREF(m);

    /* multi-phase by hand */
    PyObject *spec = PyModule_New("spec");
    PyObject *sn = PyUnicode_FromString("ext_b_multi");
    PyObject_SetAttrString(spec, "name", sn);
    Py_DECREF(sn);
    PyObject *mm = PyModule_FromDefAndSpec(&multi_def, spec);
    ASSERT(mm != NULL);
    exec_calls = 0;
    ASSERT(PyModule_ExecDef(mm, &multi_def) == 0);
    ASSERT(exec_calls == 1);
    ASSERT(PyObject_HasAttrString(mm, "EXECUTED"));
#if PY_VERSION_HEX >= 0x030F0000
    ASSERT(PyModule_Exec(mm) == 0 && exec_calls == 2);
    Py_ssize_t sz;
    ASSERT(PyModule_GetStateSize(mm, &sz) == 0 && sz == 8);
    void *tok;
    ASSERT(PyModule_GetToken(mm, &tok) == 0 && tok == &multi_def);
    ASSERT(PyModule_GetStateSize(spec, &sz) == 0 && sz == 0);
    PyObject *i = PyLong_FromLong(1);
    ASSERT(PyModule_GetStateSize(i, &sz) == -1);
    ASSERT(PyErr_Occurred());
    PyErr_Clear();
    ASSERT(PyModule_Exec(i) == -1);
    ASSERT(PyErr_Occurred());
    PyErr_Clear();
    Py_DECREF(i);
#endif
    ASSERT(PyModule_FromDefAndSpec(&multi_def, Py_None) == NULL); /* error path: spec without name */
    ASSERT_RAISES(PyExc_AttributeError);
    Py_DECREF(mm);
    Py_DECREF(spec);
    Py_RETURN_NONE;
}

/* ---- argument parsing variants ---- */
static int vparse(PyObject *args, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int r = PyArg_VaParse(args, fmt, ap);
    va_end(ap);
    return r;
}
static int vparse_sizet(PyObject *args, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int r = _PyArg_VaParse_SizeT(args, fmt, ap);
    va_end(ap);
    return r;
}
static int vparse_kw(PyObject *args, PyObject *kw, const char *fmt, char **kwlist, ...) {
    va_list ap;
    va_start(ap, kwlist);
    int r = PyArg_VaParseTupleAndKeywords(args, kw, fmt, kwlist, ap);
    va_end(ap);
    return r;
}
static int vparse_kw_sizet(PyObject *args, PyObject *kw, const char *fmt, char **kwlist, ...) {
    va_list ap;
    va_start(ap, kwlist);
    int r = _PyArg_VaParseTupleAndKeywords_SizeT(args, kw, fmt, kwlist, ap);
    va_end(ap);
    return r;
}
static PyObject *vbuild(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    PyObject *r = Py_VaBuildValue(fmt, ap);
    va_end(ap);
    return r;
}
static PyObject *vbuild_sizet(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    PyObject *r = _Py_VaBuildValue_SizeT(fmt, ap);
    va_end(ap);
    return r;
}
static int vsn(char *buf, size_t n, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int r = PyOS_vsnprintf(buf, n, fmt, ap);
    va_end(ap);
    return r;
}

TEST(test_args) {
    PyObject *t = Py_BuildValue("(is)", 5, "x");
    int i = 0;
    const char *s = NULL;
    ASSERT(vparse(t, "is", &i, &s) && i == 5 && strcmp(s, "x") == 0);
    ASSERT(!vparse(t, "ii", &i, &i)); /* error path */
    ASSERT_RAISES(PyExc_TypeError);
    i = 0;
    ASSERT(vparse_sizet(t, "is", &i, &s) && i == 5);
    ASSERT(!vparse_sizet(t, "i", &i));
    ASSERT_RAISES(PyExc_TypeError);
    i = 0;
    ASSERT(_PyArg_ParseTuple_SizeT(t, "is", &i, &s) && i == 5);
    ASSERT(!_PyArg_ParseTuple_SizeT(t, "iss", &i, &s, &s));
    ASSERT_RAISES(PyExc_TypeError);
    static char *kwlist[] = {"a", "b", NULL};
    PyObject *kw = PyDict_New();
    PyObject *seven = PyLong_FromLong(7);
    PyDict_SetItemString(kw, "b", seven);
    PyObject *t1 = Py_BuildValue("(i)", 1);
    int a = 0, b = 0;
    ASSERT(vparse_kw(t1, kw, "i|i", kwlist, &a, &b) && a == 1 && b == 7);
    ASSERT(!vparse_kw(t1, kw, "s|i", kwlist, &s, &b));
    ASSERT(PyErr_Occurred()); PyErr_Clear();
    a = b = 0;
    ASSERT(vparse_kw_sizet(t1, kw, "i|i", kwlist, &a, &b) && a == 1 && b == 7);
    a = b = 0;
    ASSERT(_PyArg_ParseTupleAndKeywords_SizeT(t1, kw, "i|i", kwlist, &a, &b) && b == 7);
    ASSERT(!_PyArg_ParseTupleAndKeywords_SizeT(t1, kw, "s|i", kwlist, &s, &b));
    ASSERT_RAISES(PyExc_TypeError);
    long l = 0;
    ASSERT(PyArg_Parse(seven, "l", &l) && l == 7);
    ASSERT(!PyArg_Parse(kw, "l", &l));
    ASSERT_RAISES(PyExc_TypeError);
    l = 0;
    ASSERT(_PyArg_Parse_SizeT(seven, "l", &l) && l == 7);
    ASSERT(!_PyArg_Parse_SizeT(kw, "l", &l));
    ASSERT_RAISES(PyExc_TypeError);
    ASSERT(PyArg_ValidateKeywordArguments(kw) == 1);
    PyObject *badkw = PyDict_New();
    PyDict_SetItem(badkw, seven, seven);
    ASSERT(PyArg_ValidateKeywordArguments(badkw) == 0); /* error path */
    ASSERT_RAISES(PyExc_TypeError);
    PyObject *v = vbuild("(ii)", 1, 2);
    ASSERT(v && PyTuple_Size(v) == 2);
    Py_DECREF(v);
    ASSERT(vbuild("(i", 1) == NULL); /* error path: bad format */
    ASSERT(PyErr_Occurred()); PyErr_Clear();
    v = vbuild_sizet("s#", "abc", (Py_ssize_t)2);
    ASSERT(v && PyUnicode_CompareWithASCIIString(v, "ab") == 0);
    Py_DECREF(v);
    v = _Py_BuildValue_SizeT("s#", "abc", (Py_ssize_t)1);
    ASSERT(v && PyUnicode_CompareWithASCIIString(v, "a") == 0);
    Py_DECREF(v);
    ASSERT(_Py_BuildValue_SizeT("(i", 1) == NULL);
    ASSERT(PyErr_Occurred()); PyErr_Clear();
    char buf[16];
    ASSERT(vsn(buf, sizeof buf, "%d/%s", 3, "y") == 3 && strcmp(buf, "3/y") == 0);
    Py_DECREF(badkw); Py_DECREF(t1); Py_DECREF(seven); Py_DECREF(kw); Py_DECREF(t);
    Py_RETURN_NONE;
}

/* ---- calls under old names ---- */
static PyObject *add2(PyObject *self, PyObject *args) {
    long x = 0, y = 0;
    if (!PyArg_ParseTuple(args, "l|l", &x, &y)) return NULL;
    return PyLong_FromLong(x + y);
}
static PyObject *kwf(PyObject *self, PyObject *args, PyObject *kw) {
    return PyLong_FromLong(kw ? (long)PyDict_Size(kw) : -1);
}
static PyMethodDef add2_def = {"add2", add2, METH_VARARGS, NULL};
static PyMethodDef kwf_def = {"kwf", (PyCFunction)(void (*)(void))kwf, METH_VARARGS | METH_KEYWORDS, NULL};

TEST(test_calls) {
    PyObject *f = PyCFunction_New(&add2_def, NULL);
    PyObject *args = Py_BuildValue("(ii)", 2, 3);
    PyObject *r = PyEval_CallObjectWithKeywords(f, args, NULL);
    ASSERT(r && PyLong_AsLong(r) == 5);
    Py_DECREF(r);
    ASSERT(PyEval_CallObjectWithKeywords(f, Py_None, NULL) == NULL); /* error path */
    ASSERT_RAISES(PyExc_TypeError);
    r = PyCFunction_Call(f, args, NULL);
    ASSERT(r && PyLong_AsLong(r) == 5);
    Py_DECREF(r);
    r = PyEval_CallFunction(f, "(ii)", 4, 5);
    ASSERT(r && PyLong_AsLong(r) == 9);
    Py_DECREF(r);
    ASSERT(PyEval_CallFunction(f, "(sss)", "a", "b", "c") == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    r = _PyObject_CallFunction_SizeT(f, "ii", 1, 1);
    ASSERT(r && PyLong_AsLong(r) == 2);
    Py_DECREF(r);
    ASSERT(_PyObject_CallFunction_SizeT(f, "sss", "a", "b", "c") == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    PyObject *s = PyUnicode_FromString("a,b");
    PyObject *holder = PyModule_New("holder");
    PyObject_SetAttrString(holder, "add2", f);
    r = PyEval_CallMethod(holder, "add2", "(ii)", 6, 1);
    ASSERT(r && PyLong_AsLong(r) == 7);
    Py_DECREF(r);
    ASSERT(PyEval_CallMethod(holder, "nosuchmethod", "()") == NULL);
    ASSERT_RAISES(PyExc_AttributeError);
    r = _PyObject_CallMethod_SizeT(holder, "add2", "ii", 1, 2);
    ASSERT(r && PyLong_AsLong(r) == 3);
    Py_DECREF(r);
    ASSERT(_PyObject_CallMethod_SizeT(holder, "nosuchmethod", NULL) == NULL);
    ASSERT_RAISES(PyExc_AttributeError);
    PyObject *g = PyCFunction_New(&kwf_def, NULL);
    PyObject *kw = PyDict_New();
    PyDict_SetItemString(kw, "z", s);
    r = PyEval_CallObjectWithKeywords(g, NULL, kw);
    ASSERT(r && PyLong_AsLong(r) == 1);
    Py_DECREF(r);
    ASSERT(PyEval_CallObjectWithKeywords(g, NULL, s) == NULL);
    ASSERT_RAISES(PyExc_TypeError);
    ASSERT(strcmp(PyEval_GetFuncName(f), "add2") == 0);
    ASSERT(strcmp(PyEval_GetFuncDesc(f), "()") == 0);
    ASSERT(strcmp(PyEval_GetFuncName(s), "str") == 0);
    ASSERT(strcmp(PyEval_GetFuncDesc(s), " object") == 0);
    ASSERT(strcmp(PyEval_GetFuncName((PyObject *)&PyLong_Type), "type") == 0);
#if PY_VERSION_HEX >= 0x030C0000
    PyObject *sep = PyLong_FromLong(9);
    PyObject *vargs[2] = {holder, sep};
    PyObject *mname = PyUnicode_FromString("add2");
    r = PyObject_VectorcallMethod(mname, vargs, 2 | PY_VECTORCALL_ARGUMENTS_OFFSET, NULL);
    ASSERT(r && PyLong_AsLong(r) == 9);
    Py_DECREF(r);
    PyObject *nope = PyUnicode_FromString("nope");
    ASSERT(PyObject_VectorcallMethod(nope, vargs, 2, NULL) == NULL);
    ASSERT_RAISES(PyExc_AttributeError);
    r = PyVectorcall_Call(f, args, NULL);
    ASSERT(r && PyLong_AsLong(r) == 5);
    Py_DECREF(r);
    ASSERT(PyVectorcall_Call(f, args, s) == NULL); /* error path: kwargs not a dict */
    ASSERT(PyErr_Occurred()); PyErr_Clear();
    Py_DECREF(nope); Py_DECREF(mname); Py_DECREF(sep);
#endif
    ASSERT(PyEval_ThreadsInitialized() == 1);
    Py_DECREF(holder); Py_DECREF(kw); Py_DECREF(g); Py_DECREF(s); Py_DECREF(args); Py_DECREF(f);
    Py_RETURN_NONE;
}

/* ---- file-like objects ---- */
static PyObject *written;
static PyObject *fake_write(PyObject *self, PyObject *arg) {
    PyObject *n = PyUnicode_Concat(written, arg);
    if (!n) return NULL;
    Py_SETREF(written, n);
    return PyLong_FromSsize_t(PyUnicode_GetLength(arg));
}
static PyObject *fake_readline(PyObject *self, PyObject *args) {
    return PyUnicode_FromString("line one\n");
}
static PyObject *fake_readline_empty(PyObject *self, PyObject *args) {
    return PyUnicode_FromString("");
}
static PyObject *fake_fileno(PyObject *self, PyObject *args) { return PyLong_FromLong(7); }
static PyMethodDef write_def = {"write", fake_write, METH_O, NULL};
static PyMethodDef readline_def = {"readline", fake_readline, METH_VARARGS, NULL};
static PyMethodDef readline_empty_def = {"readline", fake_readline_empty, METH_VARARGS, NULL};
static PyMethodDef fileno_def = {"fileno", fake_fileno, METH_NOARGS, NULL};

TEST(test_files) {
    written = PyUnicode_FromString("");
    PyObject *f = PyModule_New("fakefile");
    PyObject *w = PyCFunction_New(&write_def, NULL);
    PyObject_SetAttrString(f, "write", w);
    PyObject *rl = PyCFunction_New(&readline_def, NULL);
    PyObject_SetAttrString(f, "readline", rl);
    PyObject *fn = PyCFunction_New(&fileno_def, NULL);
    PyObject_SetAttrString(f, "fileno", fn);
    ASSERT(PyFile_WriteString("ab", f) == 0);
    PyObject *s = PyUnicode_FromString("cd");
    ASSERT(PyFile_WriteObject(s, f, Py_PRINT_RAW) == 0);
    ASSERT(PyFile_WriteObject(s, f, 0) == 0);
    ASSERT(PyUnicode_CompareWithASCIIString(written, "abcd'cd'") == 0);
    ASSERT(PyFile_WriteString("x", NULL) == -1); /* error path */
    ASSERT_RAISES(PyExc_SystemError);
    ASSERT(PyFile_WriteObject(s, NULL, 0) == -1);
    ASSERT_RAISES(PyExc_TypeError);
    PyObject *line = PyFile_GetLine(f, -1);
    ASSERT(line && PyUnicode_CompareWithASCIIString(line, "line one") == 0);
    Py_DECREF(line);
    line = PyFile_GetLine(f, 0);
    ASSERT(line && PyUnicode_CompareWithASCIIString(line, "line one\n") == 0);
    Py_DECREF(line);
    PyObject *rle = PyCFunction_New(&readline_empty_def, NULL);
    PyObject_SetAttrString(f, "readline", rle);
    ASSERT(PyFile_GetLine(f, -1) == NULL); /* error path */
    ASSERT_RAISES(PyExc_EOFError);
    ASSERT(PyFile_GetLine(s, -1) == NULL);
    ASSERT_RAISES(PyExc_AttributeError);
    ASSERT(PyObject_AsFileDescriptor(f) == 7);
    PyObject *three = PyLong_FromLong(3);
    ASSERT(PyObject_AsFileDescriptor(three) == 3);
    PyObject *neg = PyLong_FromLong(-2);
    ASSERT(PyObject_AsFileDescriptor(neg) == -1);
    ASSERT_RAISES(PyExc_ValueError);
    ASSERT(PyObject_AsFileDescriptor(s) == -1);
    ASSERT_RAISES(PyExc_TypeError);
    Py_DECREF(neg); Py_DECREF(three); Py_DECREF(rle); Py_DECREF(s); Py_DECREF(fn); Py_DECREF(rl);
    Py_DECREF(w); Py_DECREF(f); Py_CLEAR(written);
    Py_RETURN_NONE;
}

/* ---- sequences, bytes, refs ---- */
TEST(test_sequences) {
    PyObject *l = Py_BuildValue("[iiii]", 0, 1, 2, 3);
    PyObject *ins = Py_BuildValue("[ss]", "a", "b");
    ASSERT(PySequence_SetSlice(l, 1, 3, ins) == 0);
    ASSERT(PyList_Size(l) == 4 && PyUnicode_Check(PyList_GetItem(l, 1)));
    ASSERT(PySequence_DelSlice(l, 0, 2) == 0);
    ASSERT(PyList_Size(l) == 2);
    ASSERT(PySequence_DelSlice(l, -1, 100) == 0);
    ASSERT(PyList_Size(l) == 1);
    PyObject *t = PyTuple_New(0);
    ASSERT(PySequence_SetSlice(t, 0, 1, ins) == -1); /* error path */
    ASSERT_RAISES(PyExc_TypeError);
    ASSERT(PySequence_DelSlice(t, 0, 1) == -1);
    ASSERT_RAISES(PyExc_TypeError);
    ASSERT(PyObject_Length(ins) == 2);
    ASSERT(PySequence_Length(ins) == 2);
    ASSERT(PyMapping_Length(ins) == 2);
    ASSERT(PySequence_In(ins, PyList_GetItem(ins, 0)) == 1);
    PyObject *i = PyLong_FromLong(5);
    ASSERT(PyObject_Length(i) == -1);
    ASSERT_RAISES(PyExc_TypeError);
    ASSERT(PySequence_Length(i) == -1);
    ASSERT_RAISES(PyExc_TypeError);
    ASSERT(PyMapping_Length(i) == -1);
    ASSERT_RAISES(PyExc_TypeError);
    ASSERT(PySequence_In(i, i) == -1);
    ASSERT_RAISES(PyExc_TypeError);

    PyObject *by = PyBytes_FromString("xy");
    PyObject *b = PyObject_Bytes(by);
    ASSERT(b == by);
    Py_DECREF(b);
    PyObject *il = Py_BuildValue("[iii]", 65, 66, 67);
    b = PyObject_Bytes(il);
    ASSERT(b && PyBytes_Size(b) == 3 && memcmp(PyBytes_AsString(b), "ABC", 3) == 0);
    Py_DECREF(b);
    b = PyObject_Bytes(NULL);
    ASSERT(b && strcmp(PyBytes_AsString(b), "<NULL>") == 0);
    Py_DECREF(b);
    PyObject *str = PyUnicode_FromString("s");
    ASSERT(PyObject_Bytes(str) == NULL); /* error path */
    ASSERT_RAISES(PyExc_TypeError);
    PyObject *big = Py_BuildValue("[i]", 300);
    ASSERT(PyObject_Bytes(big) == NULL);
    ASSERT_RAISES(PyExc_ValueError);

#if PY_VERSION_HEX >= 0x030D0000
    PyObject *item;
    ASSERT(PyIter_NextItem(i, &item) == -1 && item == NULL); /* error path: not an iterator */
    ASSERT_RAISES(PyExc_TypeError);
    PyObject *it = PyObject_GetIter(ins);
    ASSERT(PyIter_NextItem(it, &item) == 1 && item);
    Py_DECREF(item);
    ASSERT(PyIter_NextItem(it, &item) == 1); Py_DECREF(item);
    ASSERT(PyIter_NextItem(it, &item) == 0 && item == NULL);
    Py_DECREF(it);
    PyObject *r = PyList_GetItemRef(ins, 0);
    ASSERT(r && PyUnicode_Check(r));
    Py_DECREF(r);
    ASSERT(PyList_GetItemRef(ins, 9) == NULL);
    ASSERT_RAISES(PyExc_IndexError);
    PyObject *d = PyDict_New();
    PyDict_SetItemString(d, "k", i);
    PyObject *key = PyUnicode_FromString("k");
    ASSERT(PyDict_GetItemRef(d, key, &r) == 1 && r == i);
    Py_DECREF(r);
    ASSERT(PyDict_GetItemRef(d, i, &r) == 0 && r == NULL);
    ASSERT(PyDict_GetItemRef(i, key, &r) == -1);
    ASSERT_RAISES(PyExc_SystemError);
    ASSERT(PyDict_GetItemStringRef(d, "k", &r) == 1 && r == i);
    Py_DECREF(r);
    ASSERT(PyDict_GetItemStringRef(d, "zz", &r) == 0 && r == NULL);
    ASSERT(PyDict_GetItemStringRef(i, "k", &r) == -1);
    ASSERT_RAISES(PyExc_SystemError);
    Py_DECREF(key); Py_DECREF(d);
#endif
    _Py_IncRef(i);
    _Py_DecRef(i);
    Py_DECREF(big); Py_DECREF(str); Py_DECREF(il); Py_DECREF(by); Py_DECREF(i); Py_DECREF(t);
    Py_DECREF(ins); Py_DECREF(l);
    Py_RETURN_NONE;
}

TEST(test_locale_and_versions) {
    size_t n = 0;
    wchar_t *w = Py_DecodeLocale("abc", &n);
    ASSERT(w && n == 3 && wcscmp(w, L"abc") == 0);
    char *c = Py_EncodeLocale(w, NULL);
    ASSERT(c && strcmp(c, "abc") == 0);
    PyMem_Free(c);
    PyMem_RawFree(w);
    size_t pos = 0;
    wchar_t bad[2] = {0xD800, 0};
    ASSERT(Py_EncodeLocale(bad, &pos) == NULL && pos == 0); /* error path: lone surrogate */
#if PY_VERSION_HEX >= 0x030E0000
    ASSERT((Py_PACK_FULL_VERSION)(3, 14, 1, 0xA, 2) == 0x030E01A2);
    ASSERT((Py_PACK_VERSION)(3, 14) == 0x030E0000);
#endif
    Py_RETURN_NONE;
}

/* ---- sys argv ---- */
TEST(test_sys_argv) {
    wchar_t *argv[2] = {L"prog", L"arg1"};
    PySys_SetArgvEx(2, argv, 0);
    PyObject *a = PySys_GetObject("argv");
    ASSERT(a && PyList_Check(a) && PyList_Size(a) == 2);
    ASSERT(PyUnicode_CompareWithASCIIString(PyList_GetItem(a, 1), "arg1") == 0);
    PySys_SetArgv(0, argv);
    a = PySys_GetObject("argv");
    ASSERT(a && PyList_Size(a) == 1);
    Py_RETURN_NONE;
}

static PyObject *inittab_init(void) {
    static PyModuleDef d = {PyModuleDef_HEAD_INIT, "ext_b_inittab", NULL, -1, NULL};
    return PyModule_Create(&d);
}

TEST(test_inittab) {
    PyObject *m = PyImport_ImportModuleNoBlock("sys");
    ASSERT(m != NULL);
    Py_DECREF(m);
    ASSERT(PyImport_ImportModuleNoBlock("ext_b_no_such_module") == NULL); /* error path */
    ASSERT_RAISES(PyExc_ImportError);
#ifdef PYOPAQUE
    /* CPython only reads the init table at start-up; pyopaque consults it at import. */
    ASSERT(PyImport_AppendInittab("ext_b_inittab", inittab_init) == 0);
    ASSERT(PyImport_AppendInittab(NULL, inittab_init) == -1);
    m = PyImport_ImportModule("ext_b_inittab");
    ASSERT(m && PyModule_Check(m));
    Py_DECREF(m);
#else
    (void)inittab_init;
#endif
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    DEF(test_types),
    DEF(test_alloc_members),
    DEF(test_descriptors),
    DEF(test_gc_newvar),
    DEF(test_modules),
    DEF(test_args),
    DEF(test_calls),
    DEF(test_files),
    DEF(test_sequences),
    DEF(test_locale_and_versions),
    DEF(test_sys_argv),
    DEF(test_inittab),
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "ext_b_misc", NULL, -1, methods};

PyMODINIT_FUNC PyInit_ext_b_misc(void) { return PyModule_Create(&module); }
