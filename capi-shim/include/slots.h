/* PySlot and PyType_FromSlots (CPython 3.15, PEP 820), written from the documented layout:
 * one 16-byte record (id, flags, reserved, an 8-byte value) in a {0}-terminated array. Only the
 * ids that name a type's layout are defined here; the module ids of moduleobject.h keep their
 * numbering there. The ids 88..91 are the unique numbers of Py_bf_getbuffer,
 * Py_bf_releasebuffer, Py_mp_ass_subscript and Py_mp_length (typeslots.h's 1..4 are accepted
 * too). */
#ifndef PYOPAQUE_SLOTS_H
#define PYOPAQUE_SLOTS_H
#ifdef __cplusplus
extern "C" {
#endif

#if !defined(Py_LIMITED_API) || Py_LIMITED_API+0 >= 0x030F0000
typedef struct PySlot {
    uint16_t sl_id;
    uint16_t sl_flags;
    union {
        uint32_t sl_reserved;
    };
    union {
        void *sl_ptr;
        void (*sl_func)(void);
        Py_ssize_t sl_size;
        int64_t sl_int64;
        uint64_t sl_uint64;
    };
} PySlot;

/* An unknown id with this flag is skipped instead of failing. */
#define PySlot_OPTIONAL 0x01

#define Py_slot_end 0
#define Py_slot_subslots 92
#define Py_tp_slots 93
#define Py_tp_name 95
#define Py_tp_basicsize 96
#define Py_tp_extra_basicsize 97
#define Py_tp_itemsize 98
#define Py_tp_flags 99
#define Py_tp_metaclass 107
#define Py_tp_module 108

PyAPI_FUNC(PyObject *) PyType_FromSlots(const PySlot *slots);
PyAPI_FUNC(void *) PyObject_GetTypeData_DuringGC(PyObject *obj, PyTypeObject *cls);
#endif

#ifdef __cplusplus
}
#endif
#endif
