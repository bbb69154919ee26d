/* The entry points an abi3t extension (CPython 3.15) needs beyond 3.11's: PyType_FromSlots
 * with PySlot arrays (nested sub-arrays, a legacy Py_tp_slots table, the renumbered ids,
 * PEP 697's Py_tp_extra_basicsize and its error cases), PyObject_GetTypeData_DuringGC,
 * PyTraceBack_Print without traceback objects, and critical sections. Under older headers
 * (the CPython 3.11 reference run) the tests compile to nothing and pass. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include "testing.h"

#if PY_VERSION_HEX >= 0x030F0000
typedef struct {
    int64_t value;
    int64_t visits;
} Payload;

static Py_ssize_t payload_len(PyObject *self) {
    Payload *p = PyObject_GetTypeData(self, Py_TYPE(self));
    return (Py_ssize_t)p->value;
}

static int payload_traverse(PyObject *self, visitproc visit, void *arg) {
    Payload *p = PyObject_GetTypeData_DuringGC(self, Py_TYPE(self));
    p->visits++;
    return 0;
}

static PyType_Slot legacy_slots[] = {
    {Py_tp_new, (void *)PyType_GenericNew},
    {Py_tp_traverse, (void *)payload_traverse},
    {0, NULL},
};

/* Py_mp_length by its unique 3.15 number (91), in a nested sub-array. */
static PySlot length_slots[] = {
    {.sl_id = 91, .sl_ptr = (void *)payload_len},
    {.sl_id = Py_slot_end},
};

static PyObject *make_type(const PySlot *slots) { return PyType_FromSlots(slots); }
#endif

TEST(test_type_from_slots) {
#if PY_VERSION_HEX >= 0x030F0000
    PySlot slots[] = {
        {.sl_id = Py_tp_name, .sl_ptr = "ext_abi3t.Payload"},
        {.sl_id = Py_tp_extra_basicsize, .sl_size = sizeof(Payload)},
        {.sl_id = Py_tp_flags, .sl_uint64 = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE},
        {.sl_id = Py_tp_slots, .sl_ptr = legacy_slots},
        {.sl_id = Py_slot_subslots, .sl_ptr = length_slots},
        {.sl_id = 0xfbad, .sl_flags = PySlot_OPTIONAL},
        {.sl_id = Py_slot_end},
    };
    PyObject *t = make_type(slots);
    ASSERT(t != NULL);
    ASSERT(PyType_Check(t));
    PyObject *name = PyType_GetName((PyTypeObject *)t);
    ASSERT(name && PyUnicode_CompareWithASCIIString(name, "Payload") == 0);
    Py_DECREF(name);
    ASSERT(PyType_GetTypeDataSize((PyTypeObject *)t) >= (Py_ssize_t)sizeof(Payload));
    PyObject *o = PyObject_CallNoArgs(t);
    ASSERT(o != NULL);
    Payload *p = PyObject_GetTypeData(o, (PyTypeObject *)t);
    ASSERT(p != NULL);
    ASSERT(PyObject_GetTypeData_DuringGC(o, (PyTypeObject *)t) == (void *)p);
    p->value = 7;
    ASSERT(PyObject_Length(o) == 7);
    Py_DECREF(o);
    Py_DECREF(t);
#endif
    Py_RETURN_NONE;
}

TEST(test_type_from_slots_errors) {
#if PY_VERSION_HEX >= 0x030F0000
    ASSERT(PyType_FromSlots(NULL) == NULL);
    ASSERT_RAISES(PyExc_SystemError);
    PySlot no_name[] = {{.sl_id = Py_tp_basicsize, .sl_size = 16}, {.sl_id = Py_slot_end}};
    ASSERT(make_type(no_name) == NULL);
    ASSERT_RAISES(PyExc_SystemError);
    PySlot unknown[] = {{.sl_id = Py_tp_name, .sl_ptr = "m.T"}, {.sl_id = 0xfbad},
                        {.sl_id = Py_slot_end}};
    ASSERT(make_type(unknown) == NULL);
    ASSERT_RAISES(PyExc_SystemError);
    PySlot twice[] = {{.sl_id = Py_tp_name, .sl_ptr = "m.T"}, {.sl_id = Py_tp_name, .sl_ptr = "m.U"},
                      {.sl_id = Py_slot_end}};
    ASSERT(make_type(twice) == NULL);
    ASSERT_RAISES(PyExc_SystemError);
    PySlot both_sizes[] = {{.sl_id = Py_tp_name, .sl_ptr = "m.T"},
                           {.sl_id = Py_tp_basicsize, .sl_size = 16},
                           {.sl_id = Py_tp_extra_basicsize, .sl_size = 8},
                           {.sl_id = Py_slot_end}};
    ASSERT(make_type(both_sizes) == NULL);
    ASSERT_RAISES(PyExc_SystemError);
    /* A sub-array that contains itself: an error, not a hang. */
    static PySlot loop[2];
    loop[0] = (PySlot){.sl_id = Py_slot_subslots, .sl_ptr = loop};
    loop[1] = (PySlot){.sl_id = Py_slot_end};
    PySlot cyclic[] = {{.sl_id = Py_tp_name, .sl_ptr = "m.T"}, {.sl_id = Py_slot_subslots, .sl_ptr = loop},
                       {.sl_id = Py_slot_end}};
    ASSERT(make_type(cyclic) == NULL);
    ASSERT_RAISES(PyExc_SystemError);
#endif
    Py_RETURN_NONE;
}

TEST(test_traceback_print) {
#if PY_VERSION_HEX >= 0x030F0000
    /* With no traceback the file is not touched (pyopaque has no sys.stderr object). */
    PyObject *file = Py_None;
    ASSERT(PyTraceBack_Print(NULL, file) == 0);
    ASSERT(!PyErr_Occurred());
    /* None is not a traceback. */
    ASSERT(PyTraceBack_Print(Py_None, file) == -1);
    ASSERT_RAISES(PyExc_SystemError);
#endif
    Py_RETURN_NONE;
}

TEST(test_critical_sections) {
#if PY_VERSION_HEX >= 0x030F0000
    PyObject *l = PyList_New(0);
    PyObject *d = PyDict_New();
    ASSERT(l && d);
    Py_BEGIN_CRITICAL_SECTION(l);
    Py_BEGIN_CRITICAL_SECTION2(d, l);
    ASSERT(PyList_Append(l, d) == 0);
    Py_END_CRITICAL_SECTION2();
    Py_END_CRITICAL_SECTION();
    ASSERT(PyList_Size(l) == 1);
    Py_DECREF(l);
    Py_DECREF(d);
#endif
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    DEF(test_type_from_slots),
    DEF(test_type_from_slots_errors),
    DEF(test_traceback_print),
    DEF(test_critical_sections),
    {NULL, NULL, 0, NULL},
};

static PyModuleDef module = {PyModuleDef_HEAD_INIT, "ext_abi3t", NULL, -1, methods};

PyMODINIT_FUNC PyInit_ext_abi3t(void) { return PyModule_Create(&module); }
