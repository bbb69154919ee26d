/* pyopaque C API shim: code object flags.
 * Written for pyopaque from the Python documentation (the `inspect` module's "Code Objects Bit
 * Flags"); values match CPython's so extension sources behave the same.
 *
 * CPython declares these outside the Limited API only; limited-API code (Cython's among it)
 * then reads them from the `inspect` module, which is Python source that pyopaque cannot run.
 * pyopaque therefore defines them at every API level. No code objects exist here (no bytecode),
 * the flags only travel as numbers. */
#ifndef Py_CODE_H
#define Py_CODE_H

#define CO_OPTIMIZED            0x0001
#define CO_NEWLOCALS            0x0002
#define CO_VARARGS              0x0004
#define CO_VARKEYWORDS          0x0008
#define CO_NESTED               0x0010
#define CO_GENERATOR            0x0020
#define CO_COROUTINE            0x0080
#define CO_ITERABLE_COROUTINE   0x0100
#define CO_ASYNC_GENERATOR      0x0200

#endif /* !Py_CODE_H */
