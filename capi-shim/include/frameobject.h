/* pyopaque C API shim: <frameobject.h>, the header sources include for frame objects.
 * Written for pyopaque from the Python C API documentation. In the Limited API it only adds
 * what <pyframe.h> declares (already part of <Python.h>); pyopaque runs no Python frames, so
 * the frame functions raise (see capi-shim/src/python/ceval.rs). */
#ifndef Py_FRAMEOBJECT_H
#define Py_FRAMEOBJECT_H

#include "Python.h"
#include "pyframe.h"

#endif /* !Py_FRAMEOBJECT_H */
