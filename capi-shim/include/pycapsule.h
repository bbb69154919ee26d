/* pyopaque C API shim: capsules.
 * Written for pyopaque from the Python C API documentation; names and
 * values match CPython so extension sources behave the same. */
#ifndef Py_PYCAPSULE_H
#define Py_PYCAPSULE_H

#ifdef __cplusplus
extern "C" {
#endif

PyAPI_DATA(PyTypeObject) PyCapsule_Type;
typedef void (*PyCapsule_Destructor)(PyObject *);

#define PyCapsule_CheckExact(op) Py_IS_TYPE((op), &PyCapsule_Type)

PyAPI_FUNC(void *) PyCapsule_GetContext(PyObject *self);
PyAPI_FUNC(PyCapsule_Destructor) PyCapsule_GetDestructor(PyObject *self);
PyAPI_FUNC(const char *) PyCapsule_GetName(PyObject *self);
PyAPI_FUNC(void *) PyCapsule_GetPointer(PyObject *self, const char *name);
PyAPI_FUNC(void *) PyCapsule_Import(const char *name, int no_block);
PyAPI_FUNC(int) PyCapsule_IsValid(PyObject *capsule, const char *name);
PyAPI_FUNC(PyObject *) PyCapsule_New(void *pointer, const char *name, PyCapsule_Destructor destructor);
PyAPI_FUNC(int) PyCapsule_SetContext(PyObject *self, void *context);
PyAPI_FUNC(int) PyCapsule_SetDestructor(PyObject *self, PyCapsule_Destructor destructor);
PyAPI_FUNC(int) PyCapsule_SetName(PyObject *self, const char *name);
PyAPI_FUNC(int) PyCapsule_SetPointer(PyObject *self, void *pointer);

#ifdef __cplusplus
}
#endif
#endif /* !Py_PYCAPSULE_H */
