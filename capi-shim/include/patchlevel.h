/* pyopaque C API shim: which Python these headers claim to be.
 *
 * The headers describe the API named by the newest version in the stable
 * ABI list they were written from (3.15, in development), so they claim
 * 3.15.0 alpha 0. */
#ifndef Py_PATCHLEVEL_H
#define Py_PATCHLEVEL_H

#define PY_RELEASE_LEVEL_ALPHA  0xA
#define PY_RELEASE_LEVEL_BETA   0xB
#define PY_RELEASE_LEVEL_GAMMA  0xC
#define PY_RELEASE_LEVEL_FINAL  0xF

#define PY_MAJOR_VERSION        3
#define PY_MINOR_VERSION        15
#define PY_MICRO_VERSION        0
#define PY_RELEASE_LEVEL        PY_RELEASE_LEVEL_ALPHA
#define PY_RELEASE_SERIAL       0

#define PY_VERSION              "3.15.0a0"

/* Compile-time packing of a version into the PY_VERSION_HEX layout:
 * major<<24 | minor<<16 | micro<<8 | level<<4 | serial. */
#define _Py_PACK_FULL_VERSION(X, Y, Z, LEVEL, SERIAL) \
    ((((X) & 0xff) << 24) | (((Y) & 0xff) << 16) | (((Z) & 0xff) << 8) | \
     (((LEVEL) & 0xf) << 4) | ((SERIAL) & 0xf))
#define _Py_PACK_VERSION(X, Y) _Py_PACK_FULL_VERSION(X, Y, 0, 0, 0)

/* 0x030F00A0 */
#define PY_VERSION_HEX _Py_PACK_FULL_VERSION(PY_MAJOR_VERSION, \
                                             PY_MINOR_VERSION, \
                                             PY_MICRO_VERSION, \
                                             PY_RELEASE_LEVEL, \
                                             PY_RELEASE_SERIAL)

/* Marks these headers as pyopaque's, for sources that want to know. */
#define PYOPAQUE_CAPI_SHIM 1

#endif /* Py_PATCHLEVEL_H */
