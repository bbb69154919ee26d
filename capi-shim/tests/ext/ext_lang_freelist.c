/* A C type that keeps its own freelist, as Cython's `@cython.freelist(N)` classes do: tp_dealloc
 * pushes the object on a static array instead of freeing it, tp_new pops it, clears the struct
 * and re-initialises it with PyObject_Init. C owns the memory of a pushed object: the runtime
 * must neither free it, nor reclaim it in a collection, nor reuse it for another object. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>
#include "testing.h"

typedef struct {
    PyObject_HEAD
    PyObject *field;
    long magic;
} ItemObject;

#define FREELIST_MAX 4
#define IN_FREELIST 0x5EED5EEDL
static ItemObject *freelist[FREELIST_MAX];
static int freecount = 0;
static int dealloc_count = 0;
static PyObject *ItemType;
static int freelist_on = 1;

static int Item_traverse(ItemObject *self, visitproc visit, void *arg) {
    Py_VISIT(self->field);
    return 0;
}

static void Item_dealloc(ItemObject *self) {
    PyTypeObject *tp = Py_TYPE(self);
    PyObject_GC_UnTrack(self);
    Py_CLEAR(self->field);
    dealloc_count++;
    if (freelist_on && freecount < FREELIST_MAX && tp == (PyTypeObject *)ItemType) {
        self->magic = IN_FREELIST; /* C's data, must survive while the object is pushed */
        freelist[freecount++] = self;
    } else {
        freefunc f = (freefunc)PyType_GetSlot(tp, Py_tp_free);
        f(self);
    }
    Py_DECREF(tp);
}

static PyObject *Item_new(PyTypeObject *t, PyObject *args, PyObject *kwds) {
    PyObject *o;
    if (freecount > 0 && t == (PyTypeObject *)ItemType) {
        o = (PyObject *)freelist[--freecount];
        if (((ItemObject *)o)->magic != IN_FREELIST) {
            PyErr_SetString(PyExc_AssertionError, "freelist memory was overwritten");
            return NULL;
        }
        memset((char *)o + sizeof(PyObject), 0, sizeof(ItemObject) - sizeof(PyObject));
        (void)PyObject_INIT(o, t);
        PyObject_GC_Track(o);
    } else {
        allocfunc a = (allocfunc)PyType_GetSlot(t, Py_tp_alloc);
        o = a(t, 0);
        if (!o) return NULL;
    }
    return o;
}

static PyType_Slot Item_slots[] = {
    {Py_tp_new, Item_new},
    {Py_tp_dealloc, Item_dealloc},
    {Py_tp_traverse, Item_traverse},
    {0, NULL},
};
static PyType_Spec Item_spec = {"ext_lang_freelist.Item", sizeof(ItemObject), 0,
                                Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC, Item_slots};

static PyObject *new_item(void) { return PyObject_CallNoArgs(ItemType); }

/* Empties the freelist: pops every kept object and frees it through tp_free. */
static int drain_freelist(void) {
    freelist_on = 0;
    while (freecount > 0) {
        PyObject *o = PyObject_CallNoArgs(ItemType);
        if (!o) return -1;
        Py_DECREF(o);
    }
    PyGC_Collect();
    freelist_on = 1;
    return 0;
}

/* Drops `o` and makes sure its tp_dealloc ran (by count, or by the collector under tracing). */
static int drop(PyObject *o) {
    int before = dealloc_count;
    Py_DECREF(o);
    if (dealloc_count == before) PyGC_Collect();
    return dealloc_count > before;
}

TEST(test_freelist_reuses_the_memory_it_kept) {
    PyObject *a = new_item();
    ASSERT(a);
    ItemObject *addr = (ItemObject *)a;
    int n = freecount;
    ASSERT(drop(a));
    ASSERT(freecount == n + 1 && freelist[freecount - 1] == addr);
    PyObject *b = new_item();
    ASSERT(b);
    ASSERT((ItemObject *)b == addr);
    ASSERT(Py_TYPE(b) == (PyTypeObject *)ItemType);
    ASSERT(Py_REFCNT(b) == 1);
    ASSERT(((ItemObject *)b)->field == NULL && ((ItemObject *)b)->magic == 0);
    PyObject *s = PyUnicode_FromString("kept");
    ASSERT(s);
    ((ItemObject *)b)->field = s;
    ASSERT(PyObject_IsInstance(b, ItemType) == 1);
    ASSERT(drop(b));
    ASSERT(freecount == n + 1);
    Py_RETURN_NONE;
}

TEST(test_freelist_memory_survives_collections_and_allocation) {
    /* Fill the freelist, then allocate and collect a lot: the kept cells must neither move nor be
     * reused for other objects (their magic word is C's data). */
    PyObject *items[FREELIST_MAX];
    ASSERT(drain_freelist() == 0);
    for (int i = 0; i < FREELIST_MAX; i++) {
        items[i] = new_item();
        ASSERT(items[i]);
        ((ItemObject *)items[i])->field = PyFloat_FromDouble(i + 0.5);
    }
    for (int i = 0; i < FREELIST_MAX; i++) ASSERT(drop(items[i]));
    ASSERT(freecount == FREELIST_MAX);
    for (int round = 0; round < 3; round++) {
        PyObject *l = PyList_New(0);
        ASSERT(l);
        for (int i = 0; i < 2000; i++) {
            PyObject *t = Py_BuildValue("(isd)", i, "filler", (double)i);
            ASSERT(t);
            ASSERT(PyList_Append(l, t) == 0);
            Py_DECREF(t);
        }
        PyGC_Collect();
        Py_DECREF(l);
        PyGC_Collect();
        for (int i = 0; i < freecount; i++) ASSERT(freelist[i]->magic == IN_FREELIST);
    }
    for (int i = 0; i < FREELIST_MAX; i++) {
        items[i] = new_item();
        ASSERT(items[i]);
        ASSERT(Py_TYPE(items[i]) == (PyTypeObject *)ItemType);
    }
    ASSERT(freecount == 0);
    for (int i = 0; i < FREELIST_MAX; i++) Py_DECREF(items[i]);
    PyGC_Collect();
    Py_RETURN_NONE;
}

TEST(test_freelist_object_dying_in_a_collection_is_kept) {
    /* A cycle through C structs dies in a collection (counting schemes): its tp_dealloc, run by
     * the collector, pushes it on the freelist; the collector must then keep its memory. */
    ASSERT(drain_freelist() == 0);
    PyObject *a = new_item();
    ASSERT(a);
    PyObject *b = new_item();
    ASSERT(b);
    Py_INCREF(b);
    ((ItemObject *)a)->field = b;
    Py_INCREF(a);
    ((ItemObject *)b)->field = a;
    ItemObject *pa = (ItemObject *)a, *pb = (ItemObject *)b;
    int before = dealloc_count;
    Py_DECREF(a);
    Py_DECREF(b);
    PyGC_Collect();
    if (dealloc_count == before) Py_RETURN_NONE; /* cycles through C stay alive here (tracing) */
    ASSERT(dealloc_count == before + 2 && freecount == 2);
    ASSERT((freelist[0] == pa || freelist[0] == pb) && (freelist[1] == pa || freelist[1] == pb));
    PyObject *l = PyList_New(0);
    ASSERT(l);
    for (int i = 0; i < 3000; i++) {
        PyObject *t = PyTuple_Pack(2, l, l);
        ASSERT(t);
        ASSERT(PyList_Append(l, t) == 0);
        Py_DECREF(t);
    }
    PyGC_Collect();
    ASSERT(pa->magic == IN_FREELIST && pb->magic == IN_FREELIST);
    PyObject *c = new_item();
    ASSERT(c);
    ASSERT((ItemObject *)c == pa || (ItemObject *)c == pb);
    ASSERT(PyObject_IsInstance(c, ItemType) == 1);
    Py_DECREF(c);
    Py_DECREF(l);
    PyGC_Collect();
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    DEF(test_freelist_reuses_the_memory_it_kept),
    DEF(test_freelist_memory_survives_collections_and_allocation),
    DEF(test_freelist_object_dying_in_a_collection_is_kept),
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "ext_lang_freelist", NULL, -1, methods};

PyMODINIT_FUNC PyInit_ext_lang_freelist(void) {
    PyObject *m = PyModule_Create(&module);
    if (!m) return NULL;
    ItemType = PyType_FromSpec(&Item_spec);
    if (!ItemType) { Py_DECREF(m); return NULL; }
    if (PyModule_AddObject(m, "Item", ItemType) < 0) { Py_DECREF(m); return NULL; }
    Py_INCREF(ItemType);
    return m;
}
