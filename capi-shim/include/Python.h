/* pyopaque C API shim: the one header extensions include.
 *
 * pyopaque is a research runtime asking which C API functions can still be
 * implemented once PyObject is opaque.  These headers are written for it
 * from the Python C API documentation and the stable-ABI reference data;
 * every Py* function they declare is provided by the pyopaque shim library.
 *
 * Py_LIMITED_API works as in CPython: define it to a PY_VERSION_HEX value
 * (or 3) to see only what the Limited API of that version offers. */
#ifndef Py_PYTHON_H
#define Py_PYTHON_H

/* Standard headers CPython's Python.h also makes available. */
#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#ifndef _WIN32
#  include <unistd.h>
#endif

#include "patchlevel.h"
#include "pyconfig.h"
#include "pyport.h"
#include "pymacro.h"
#include "pymem.h"
#include "object.h"
#include "refcount.h"
#include "objimpl.h"
#include "typeslots.h"
#include "pybuffer.h"
#include "pystate.h"
#include "methodobject.h"
#include "descrobject.h"
#include "moduleobject.h"
#include "modsupport.h"

#include "longobject.h"
#include "boolobject.h"
#include "floatobject.h"
#include "complexobject.h"
#include "rangeobject.h"
#include "memoryobject.h"
#include "unicodeobject.h"
#include "bytesobject.h"
#include "bytearrayobject.h"
#include "tupleobject.h"
#include "listobject.h"
#include "dictobject.h"
#include "setobject.h"
#include "enumobject.h"
#include "sliceobject.h"
#include "iterobject.h"
#include "bltinmodule.h"
#include "genericaliasobject.h"
#include "structseq.h"
#include "weakrefobject.h"
#include "pycapsule.h"
#include "pyframe.h"
#include "traceback.h"
#include "slots.h"

#include "pyerrors.h"
#include "abstract.h"
#include "ceval.h"
#include "pythread.h"
#include "pylifecycle.h"
#include "pythonrun.h"
#include "compile.h"
#include "code.h"
#include "import.h"
#include "sysmodule.h"
#include "codecs.h"
#include "warnings.h"
#include "fileobject.h"
#include "fileutils.h"
#include "intrcheck.h"
#include "osmodule.h"
#include "pystrtod.h"
#include "pystrcmp.h"
#include "pyopaque.h"
#include "pyopaque_threads.h"
#include "pylock.h"
#include "pycriticalsection.h"

#endif /* !Py_PYTHON_H */
