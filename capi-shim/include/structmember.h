/* pyopaque C API shim: the old structmember.h names.
 *
 * PyMemberDef and the Py_T_* constants now live in descrobject.h (included
 * by Python.h); this header adds the unprefixed spellings older extension
 * sources use. */
#ifndef Py_STRUCTMEMBER_H
#define Py_STRUCTMEMBER_H

#include "Python.h"

#ifdef __cplusplus
extern "C" {
#endif

#define T_SHORT          0
#define T_INT            1
#define T_LONG           2
#define T_FLOAT          3
#define T_DOUBLE         4
#define T_STRING         5
#define T_OBJECT         _Py_T_OBJECT
#define T_CHAR           7
#define T_BYTE           8
#define T_UBYTE          9
#define T_USHORT         10
#define T_UINT           11
#define T_ULONG          12
#define T_STRING_INPLACE 13
#define T_BOOL           14
#define T_OBJECT_EX      16
#define T_LONGLONG       17
#define T_ULONGLONG      18
#define T_PYSSIZET       19
#define T_NONE           _Py_T_NONE

#define READONLY            1
#define PY_AUDIT_READ       2
#define READ_RESTRICTED     PY_AUDIT_READ
#define PY_WRITE_RESTRICTED _Py_WRITE_RESTRICTED
#define RESTRICTED          (READ_RESTRICTED | PY_WRITE_RESTRICTED)

#ifdef __cplusplus
}
#endif
#endif /* Py_STRUCTMEMBER_H */
